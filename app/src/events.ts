// Maxwell events (`emit!`, logged as `Program data: <base64>`): 8-byte discriminator
// sha256("event:<Name>")[..8] (Anchor's rule, the same bytes as in idl/maxwell.json), then borsh.
// Codama does not render event types, so the layouts used by clients are spelled out here
// from programs/maxwell/src/events.rs. Units: token amounts native; health in quote native units.
import { createHash } from 'node:crypto';

import {
  getAddressDecoder,
  getBase64Encoder,
  getBooleanDecoder,
  getI64Decoder,
  getStructDecoder,
  getU16Decoder,
  getU64Decoder,
  type Address,
  type Decoder,
} from '@solana/kit';

export type DepositLog = {
  exchange: Address;
  account: Address;
  bank: Address;
  signer: Address;
  amount: bigint;
  balanceAfter: bigint;
  initHealth: bigint;
  maintHealth: bigint;
  oraclesFresh: boolean;
};

export type WithdrawLog = {
  exchange: Address;
  account: Address;
  bank: Address;
  owner: Address;
  amount: bigint;
  balanceAfter: bigint;
  initHealth: bigint;
  maintHealth: bigint;
};

export type TradeLog = {
  exchange: Address;
  underlying: Address;
  maker: Address;
  taker: Address;
  seriesIndex: number;
  /** Contracts, from the taker's side (+ = taker bought). */
  size: bigint;
  /** Premium per contract, quote native units. */
  price: bigint;
  makerInitHealth: bigint;
  takerInitHealth: bigint;
};

export type SettleLog = {
  account: Address;
  underlying: Address;
  seriesIndex: number;
  /** Contracts settled (signed: + = long). */
  size: bigint;
  /** Quote native per contract. */
  settlementPrice: bigint;
  /** Quote native units credited (+) or debited (-). */
  payoff: bigint;
};

/** Also `account_health`'s return data (the same borsh bytes, without the discriminator). */
export type HealthLog = {
  account: Address;
  initHealth: bigint;
  maintHealth: bigint;
  initialRequirement: bigint;
  maintenanceRequirement: bigint;
  optionValue: bigint;
  oraclesFresh: boolean;
};

const depositLogDecoder: Decoder<DepositLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['account', getAddressDecoder()],
  ['bank', getAddressDecoder()],
  ['signer', getAddressDecoder()],
  ['amount', getU64Decoder()],
  ['balanceAfter', getI64Decoder()],
  ['initHealth', getI64Decoder()],
  ['maintHealth', getI64Decoder()],
  ['oraclesFresh', getBooleanDecoder()],
]);

const withdrawLogDecoder: Decoder<WithdrawLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['account', getAddressDecoder()],
  ['bank', getAddressDecoder()],
  ['owner', getAddressDecoder()],
  ['amount', getU64Decoder()],
  ['balanceAfter', getI64Decoder()],
  ['initHealth', getI64Decoder()],
  ['maintHealth', getI64Decoder()],
]);

const tradeLogDecoder: Decoder<TradeLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['underlying', getAddressDecoder()],
  ['maker', getAddressDecoder()],
  ['taker', getAddressDecoder()],
  ['seriesIndex', getU16Decoder()],
  ['size', getI64Decoder()],
  ['price', getU64Decoder()],
  ['makerInitHealth', getI64Decoder()],
  ['takerInitHealth', getI64Decoder()],
]);

const settleLogDecoder: Decoder<SettleLog> = getStructDecoder([
  ['account', getAddressDecoder()],
  ['underlying', getAddressDecoder()],
  ['seriesIndex', getU16Decoder()],
  ['size', getI64Decoder()],
  ['settlementPrice', getU64Decoder()],
  ['payoff', getI64Decoder()],
]);

export const healthLogDecoder: Decoder<HealthLog> = getStructDecoder([
  ['account', getAddressDecoder()],
  ['initHealth', getI64Decoder()],
  ['maintHealth', getI64Decoder()],
  ['initialRequirement', getI64Decoder()],
  ['maintenanceRequirement', getI64Decoder()],
  ['optionValue', getI64Decoder()],
  ['oraclesFresh', getBooleanDecoder()],
]);

export function eventDiscriminator(name: string): Uint8Array {
  return createHash('sha256').update(`event:${name}`).digest().subarray(0, 8);
}

const PROGRAM_DATA = 'Program data: ';

/** All events named `name` in `logs`, decoded with `decoder`. */
function findEvents<T>(logs: readonly string[], name: string, decoder: Decoder<T>): T[] {
  const disc = eventDiscriminator(name);
  const out: T[] = [];
  for (const line of logs) {
    if (!line.startsWith(PROGRAM_DATA)) continue;
    const bytes = getBase64Encoder().encode(line.slice(PROGRAM_DATA.length));
    if (bytes.length < 8 || !disc.every((b, i) => bytes[i] === b)) continue;
    out.push(decoder.decode(bytes, 8));
  }
  return out;
}

export const depositLogs = (logs: readonly string[]) => findEvents(logs, 'DepositLog', depositLogDecoder);
export const withdrawLogs = (logs: readonly string[]) => findEvents(logs, 'WithdrawLog', withdrawLogDecoder);
export const tradeLogs = (logs: readonly string[]) => findEvents(logs, 'TradeLog', tradeLogDecoder);
export const settleLogs = (logs: readonly string[]) => findEvents(logs, 'SettleLog', settleLogDecoder);
export const healthLogs = (logs: readonly string[]) => findEvents(logs, 'HealthLog', healthLogDecoder);
