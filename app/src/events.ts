// Maxwell events (`emit!`, logged as `Program data: <base64>`): 8-byte discriminator
// sha256("event:<Name>")[..8] (Anchor's rule, the same bytes as in idl/maxwell.json), then borsh.
// Codama does not render event types, so the two layouts used by clients are spelled out here
// from programs/maxwell/src/events.rs. Units: token amounts native; health in quote native units.
import { createHash } from 'node:crypto';

import {
  getAddressDecoder,
  getBase64Encoder,
  getBooleanDecoder,
  getI64Decoder,
  getStructDecoder,
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
