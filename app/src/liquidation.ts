// Liquidation and the insurance fund: `insurance_create` (admin; the fund is a margin account at
// PDA ["insurance", exchange], owned by the exchange PDA), funding it (a plain deposit: anyone may
// deposit quote into it) and `liquidate` (a keeper takes over part of an account under
// maintenance at a penalised mark; the fund gets a share of the penalty).
import type { Address, Instruction, TransactionSigner } from '@solana/kit';
import {
  getAddressDecoder,
  getBase64Encoder,
  getI64Decoder,
  getStructDecoder,
  getU32Decoder,
  type Decoder,
} from '@solana/kit';

import { getExchange } from './accounts.js';
import type { MaxwellClient } from './client.js';
import { setComputeUnitLimitIx } from './compute-budget.js';
import { depositLogs, eventDiscriminator, type DepositLog } from './events.js';
import { getInsuranceCreateInstruction, getLiquidateInstruction, type LiquidateLegArgs } from './generated/maxwell/index.js';
import { findInsurancePda } from './generated/maxwell/pdas/index.js';
import { unionHealthAccountMetas, type HealthBank, type HealthUnderlying } from './health-accounts.js';
import { depositIx, withRemaining } from './instructions.js';
import type { HealthUniverse, TradeSide } from './markets.js';
import { sendAndConfirm, type SendResult } from './transactions.js';

/** One position taken over: `size` contracts with the position's sign (a short: negative). */
export type LiquidateLeg = LiquidateLegArgs;

export type LiquidateLog = {
  exchange: Address;
  liquidatee: Address;
  liquidator: Address;
  penaltyBps: number;
  /** Quote native units paid by the liquidatee; `toInsurance` of it went to the fund. */
  penalty: bigint;
  toInsurance: bigint;
  maintHealthBefore: bigint;
  maintHealthAfter: bigint;
};

const liquidateLogDecoder: Decoder<LiquidateLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['liquidatee', getAddressDecoder()],
  ['liquidator', getAddressDecoder()],
  ['penaltyBps', getU32Decoder()],
  ['penalty', getI64Decoder()],
  ['toInsurance', getI64Decoder()],
  ['maintHealthBefore', getI64Decoder()],
  ['maintHealthAfter', getI64Decoder()],
]);

/** LiquidateLog events in `logs` (programs/maxwell/src/events.rs). */
export function liquidateLogs(logs: readonly string[]): LiquidateLog[] {
  const disc = eventDiscriminator('LiquidateLog');
  const out: LiquidateLog[] = [];
  for (const line of logs) {
    if (!line.startsWith('Program data: ')) continue;
    const bytes = getBase64Encoder().encode(line.slice('Program data: '.length));
    if (bytes.length < 8 || !disc.every((b, i) => bytes[i] === b)) continue;
    out.push(liquidateLogDecoder.decode(bytes, 8));
  }
  return out;
}

/** `["insurance", exchange]` */
export async function insuranceAddress(exchange: Address): Promise<Address> {
  return (await findInsurancePda({ exchange }))[0];
}

/** Creates the insurance fund account; `admin` signs and pays its rent. */
export async function insuranceCreateIx(admin: TransactionSigner, exchange: Address): Promise<Instruction> {
  return getInsuranceCreateInstruction({ admin, exchange, insurance: await insuranceAddress(exchange) });
}

/**
 * `liquidate` with its health accounts: the union over both accounts before (after can only
 * add the quote slot and the underlying for the liquidator, both added here).
 */
export function liquidateIxs(input: {
  exchange: Address;
  liquidatee: { account: Address; state: TradeSide['state'] };
  liquidator: TradeSide;
  underlying: HealthUnderlying;
  quoteBank: HealthBank;
  insurance: Address;
  legs: readonly LiquidateLeg[];
  universe: HealthUniverse;
}): Instruction[] {
  const ix = getLiquidateInstruction({
    exchange: input.exchange,
    liquidatee: input.liquidatee.account,
    liquidator: input.liquidator.account,
    liquidatorSigner: input.liquidator.signer,
    underlying: input.underlying.address,
    quoteBank: input.quoteBank.address,
    insurance: input.insurance,
    legs: [...input.legs],
  });
  const health = unionHealthAccountMetas(
    [input.liquidatee.state, input.liquidator.state],
    [...input.universe.banks, input.quoteBank],
    [...input.universe.underlyings, input.underlying],
    { bankIndexes: [input.quoteBank.bank.bankIndex], underlyingIndexes: [input.underlying.underlying.underlyingIndex] },
  );
  return [setComputeUnitLimitIx(), withRemaining(ix, health)];
}

/** Admin: creates the insurance fund; returns its address. */
export async function createInsurance(
  client: MaxwellClient,
  admin: TransactionSigner,
): Promise<{ address: Address; result: SendResult }> {
  const result = await sendAndConfirm(client.conn, admin, [await insuranceCreateIx(admin, client.exchange)]);
  return { address: await insuranceAddress(client.exchange), result };
}

/** The exchange's insurance fund (Exchange::insurance_vault); throws if not created. */
export async function insuranceOf(client: MaxwellClient): Promise<Address> {
  const ex = await getExchange(client.conn, client.exchange);
  const a = ex.data.insuranceVault;
  if (a === '11111111111111111111111111111111') throw new Error(`exchange ${client.exchange} has no insurance fund`);
  return a;
}

/** Anyone: deposits `amount` quote native units from `source` (a token account of `signer`) into the fund. */
export async function fundInsurance(
  client: MaxwellClient,
  signer: TransactionSigner,
  source: Address,
  amount: bigint,
): Promise<{ result: SendResult; event: DepositLog }> {
  const [insurance, quote] = await Promise.all([insuranceOf(client), client.quoteBank()]);
  const acc = await client.marginAccount(insurance);
  const bank = await client.bank(quote.address);
  const universe = await client.universe([acc.data]);
  const ix = depositIx(signer, source, {
    exchange: client.exchange,
    account: insurance,
    accountState: acc.data,
    bank: quote.address,
    bankState: bank.data,
    banks: universe.banks,
    underlyings: universe.underlyings,
    amount,
  });
  const result = await sendAndConfirm(client.conn, signer, [ix]);
  const events = depositLogs(result.logs);
  if (events.length !== 1) throw new Error(`expected one DepositLog, found ${events.length}`);
  return { result, event: events[0]! };
}

/**
 * Keeper: takes `legs` of `liquidatee`'s positions in `underlying` into `liquidator` (whose
 * owner or delegate signs and pays). Throws ProgramFailure (NotLiquidatable, OverLiquidation,
 * LiquidationDidNotImprove, InitialMarginViolated, ...) when refused.
 */
export async function liquidate(
  client: MaxwellClient,
  liquidatee: Address,
  liquidator: { account: Address; signer: TransactionSigner },
  underlying: Address,
  legs: readonly LiquidateLeg[],
): Promise<{ result: SendResult; event: LiquidateLog }> {
  const [a, l, u, quoteBank, insurance] = await Promise.all([
    client.marginAccount(liquidatee),
    client.marginAccount(liquidator.account),
    client.underlying(underlying),
    client.quoteBank(),
    insuranceOf(client),
  ]);
  const universe = await client.universe([a.data, l.data]);
  const ixs = liquidateIxs({
    exchange: client.exchange,
    liquidatee: { account: liquidatee, state: a.data },
    liquidator: { ...liquidator, state: l.data },
    underlying: { address: u.address, underlying: u.data },
    quoteBank,
    insurance,
    legs,
    universe,
  });
  const result = await sendAndConfirm(client.conn, liquidator.signer, ixs);
  const events = liquidateLogs(result.logs);
  if (events.length !== 1) throw new Error(`expected one LiquidateLog, found ${events.length}`);
  return { result, event: events[0]! };
}
