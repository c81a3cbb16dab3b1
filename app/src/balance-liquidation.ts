// Balance liquidation (`balance_liquidate`): a keeper takes over part of a liquidatable account's
// debt in one bank and receives its balance in another, at oracle prices plus a penalty, as far as
// maintenance health zero. How much is the program's rule (maxwell_engine::plans::
// balance_liquidation): the client passes a maximum and the program takes what is needed.
import type { Address, Instruction, TransactionSigner } from '@solana/kit';
import { getAddressDecoder, getI64Decoder, getStructDecoder, getU32Decoder, getU64Decoder, type Decoder } from '@solana/kit';

import type { MaxwellClient } from './client.js';
import { setComputeUnitLimitIx } from './compute-budget.js';
import { findEvents, singleEvent } from './events.js';
import { getBalanceLiquidateInstruction } from './generated/maxwell/index.js';
import { unionHealthAccountMetas, type HealthBank } from './health-accounts.js';
import { withRemaining } from './instructions.js';
import { insuranceOf } from './liquidation.js';
import type { HealthUniverse, TradeSide } from './markets.js';
import { sendAndConfirm, type SendResult } from './transactions.js';

/** programs/maxwell/src/events.rs `BalanceLiquidateLog`. */
export type BalanceLiquidateLog = {
  exchange: Address;
  liquidatee: Address;
  liquidator: Address;
  assetBank: Address;
  liabilityBank: Address;
  /** Debt taken over, liability bank native units. */
  liabilityAmount: bigint;
  /** Asset given to the liquidator, asset bank native units. */
  assetAmount: bigint;
  penaltyBps: number;
  /** Quote native units: the penalty, and the share the liquidator paid the insurance fund. */
  penalty: bigint;
  toInsurance: bigint;
  maintHealthBefore: bigint;
  maintHealthAfter: bigint;
  liquidatorInitHealthAfter: bigint;
};

const decoder: Decoder<BalanceLiquidateLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['liquidatee', getAddressDecoder()],
  ['liquidator', getAddressDecoder()],
  ['assetBank', getAddressDecoder()],
  ['liabilityBank', getAddressDecoder()],
  ['liabilityAmount', getU64Decoder()],
  ['assetAmount', getU64Decoder()],
  ['penaltyBps', getU32Decoder()],
  ['penalty', getU64Decoder()],
  ['toInsurance', getU64Decoder()],
  ['maintHealthBefore', getI64Decoder()],
  ['maintHealthAfter', getI64Decoder()],
  ['liquidatorInitHealthAfter', getI64Decoder()],
]);

/** BalanceLiquidateLog events in `logs`. */
export const balanceLiquidateLogs = (logs: readonly string[]) => findEvents(logs, 'BalanceLiquidateLog', decoder);

/** u64::MAX: "as much as restoring the account needs". */
export const TAKE_WHAT_IS_NEEDED = 0xffff_ffff_ffff_ffffn;

/**
 * `balance_liquidate` with its health accounts: the union over both accounts now, plus the two
 * banks and the quote bank (the liquidator may open slots in them), plus every underlying either
 * account holds positions in.
 */
export function balanceLiquidateIxs(input: {
  exchange: Address;
  liquidatee: { account: Address; state: TradeSide['state'] };
  liquidator: TradeSide;
  assetBank: HealthBank;
  liabilityBank: HealthBank;
  quoteBank: HealthBank;
  insurance: Address;
  maxLiabilityAmount?: bigint;
  universe: HealthUniverse;
}): Instruction[] {
  const ix = getBalanceLiquidateInstruction({
    exchange: input.exchange,
    liquidatee: input.liquidatee.account,
    liquidator: input.liquidator.account,
    liquidatorSigner: input.liquidator.signer,
    assetBank: input.assetBank.address,
    liabilityBank: input.liabilityBank.address,
    quoteBank: input.quoteBank.address,
    insurance: input.insurance,
    maxLiabilityAmount: input.maxLiabilityAmount ?? TAKE_WHAT_IS_NEEDED,
  });
  const banks = [input.assetBank, input.liabilityBank, input.quoteBank];
  const health = unionHealthAccountMetas([input.liquidatee.state, input.liquidator.state], [...input.universe.banks, ...banks], input.universe.underlyings, {
    bankIndexes: banks.map((b) => b.bank.bankIndex),
  });
  return [setComputeUnitLimitIx(), withRemaining(ix, health)];
}

/**
 * Keeper: takes over `liquidatee`'s debt to `liabilityBank` against its balance in `assetBank`,
 * into `liquidator` (whose owner or delegate signs and pays), as far as the program's plan says
 * (at most `maxLiabilityAmount`). Throws ProgramFailure (NotLiquidatable, BalanceNotAsset,
 * BalanceNotLiability, InitialMarginViolated, ...) when refused.
 */
export async function balanceLiquidate(
  client: MaxwellClient,
  liquidatee: Address,
  liquidator: { account: Address; signer: TransactionSigner },
  assetBank: Address,
  liabilityBank: Address,
  maxLiabilityAmount: bigint = TAKE_WHAT_IS_NEEDED,
): Promise<{ result: SendResult; event: BalanceLiquidateLog }> {
  const [a, l, asset, liability, quoteBank, insurance] = await Promise.all([
    client.marginAccount(liquidatee),
    client.marginAccount(liquidator.account),
    client.bank(assetBank),
    client.bank(liabilityBank),
    client.quoteBank(),
    insuranceOf(client),
  ]);
  const universe = await client.universe([a.data, l.data]);
  const ixs = balanceLiquidateIxs({
    exchange: client.exchange,
    liquidatee: { account: liquidatee, state: a.data },
    liquidator: { ...liquidator, state: l.data },
    assetBank: { address: asset.address, bank: asset.data },
    liabilityBank: { address: liability.address, bank: liability.data },
    quoteBank,
    insurance,
    maxLiabilityAmount,
    universe,
  });
  const result = await sendAndConfirm(client.conn, liquidator.signer, ixs);
  return { result, event: singleEvent(balanceLiquidateLogs(result.logs), 'BalanceLiquidateLog') };
}
