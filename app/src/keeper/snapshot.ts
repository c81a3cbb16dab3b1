// The keeper's view of the exchange for one pass, in two RPC calls, then health of every margin
// account in memory:
// 1. every margin account of the exchange: one getProgramAccounts (MarginAccount discriminator
//    and size, exchange @ 8), positions or not, in `base64+zstd`: a margin account is mostly
//    zero bytes (free slots and positions), ~3,984 bytes that compress to ~200, so 10,000 of them
//    travel as ~3 MB of JSON instead of ~53 MB (the plain base64 answer took most of a pass over
//    HTTP: docs/keeper-throughput.md); decompressed here by fzstd (pure JS: Node 20's zlib has no
//    zstd). No dataSlice: the health code reads every byte of the account;
// 2. ONE batched getMultipleAccounts (chunks of MAX_MULTIPLE_ACCOUNTS, the RPC's limit) of the
//    exchange, the Clock sysvar and every bank, underlying and oracle any of those accounts
//    needs (accountsToFetch). Bank and underlying ADDRESSES and ORACLES come from the client's
//    directory (client.universe: cached, refreshed when an unknown index shows up; a bank's or
//    an underlying's oracle is set at creation and never changes); their STATE always comes
//    from this batch, so banks, underlyings, oracles and the Clock are read together (one slot
//    while they fit in one call).
// healthOfAll then runs the program's own health code (WASM, health-wasm.ts) on each account
// over those bytes: no RPC per account, no health rule in TypeScript. An account that needs
// something the batch lacks (closed in between, or the account changed between the two calls)
// comes back `missing` and waits for the next pass.
import {
  fetchEncodedAccounts,
  getBase58Decoder,
  type Account,
  type AccountInfoBase,
  type AccountInfoWithBase64EncodedData,
  type Address,
  type AccountInfoWithBase64EncodedZStdCompressedData,
  type Base58EncodedBytes,
  lamports,
} from '@solana/kit';
import { decompress } from 'fzstd';
import { getSysvarClockDecoder, SYSVAR_CLOCK_ADDRESS } from '@solana/sysvars';

import { OFFSETS } from '../accounts.js';
import type { MaxwellClient } from '../client.js';
import { COMMITMENT } from '../config.js';
import {
  getMarginAccountSize,
  MARGIN_ACCOUNT_DISCRIMINATOR,
  MAXWELL_PROGRAM_ADDRESS,
  type MarginAccount,
} from '../generated/maxwell/index.js';
import { healthMetas, healthNeeds, type HealthBank, type HealthUnderlying, type HealthView } from '../health-accounts.js';
import { encodeRawAccount, HealthEngine, HealthWasmError, type LocalHealth, type RawAccount } from '../health-wasm.js';
import { addressBytes } from '../base58.js';
import { decodeMarginAccountBytes } from './decode.js';

/** getMultipleAccounts takes at most 100 addresses per call. */
export const MAX_MULTIPLE_ACCOUNTS = 100;

/** The part of a margin account that says which health accounts it needs. */
export type Holdings = Pick<MarginAccount, 'collateral' | 'positions'>;

/** A margin account as scanned: decoded (to list its health accounts) and its raw bytes (for the WASM). */
export type ScannedAccount = { address: Address; data: Holdings; bytes: Uint8Array };

/** Everything health needs besides the margin accounts themselves, read in one batch. */
export type KeeperSnapshot = {
  exchange: Address;
  /** Clock.unix_timestamp of the batch (seconds): what the program compares ages and expiries to. */
  now: bigint;
  /** Every account of the batch that exists (exchange, banks, underlyings, oracles), by address. */
  raw: ReadonlyMap<Address, RawAccount>;
  /** The directory that turns bank and underlying indexes into addresses and oracles. */
  banks: readonly HealthBank[];
  underlyings: readonly HealthUnderlying[];
};

/** One account's health, or why there is none (the account is skipped this pass). */
export type AccountHealth =
  | { account: Address; kind: 'health'; health: LocalHealth }
  /** A bank, underlying, oracle or the exchange it needs was not in the batch (closed, or unknown index). */
  | { account: Address; kind: 'missing'; missing: string }
  /** The program's health code refused: its error code (6000+; e.g. 6068 RiskCacheStale), 1 malformed input, 2 other. */
  | { account: Address; kind: 'refused'; code: number }
  /** Anything else that went wrong for this account alone (a bug, not an answer). */
  | { account: Address; kind: 'error'; error: string };

/**
 * The addresses the health of `accounts` needs besides the exchange and the Clock, each once:
 * the bank of every slot in use (and its oracle unless quote), every underlying with positions
 * and its oracle. Indexes the directory does not know are left out (those accounts come back
 * `missing` from healthOfAll).
 */
export function accountsToFetch(
  accounts: readonly HealthView[],
  banks: readonly HealthBank[],
  underlyings: readonly HealthUnderlying[],
): Address[] {
  const needs = healthNeeds(accounts);
  const knownBank = new Set(banks.map((b) => b.bank.bankIndex));
  const knownUnder = new Set(underlyings.map((u) => u.underlying.underlyingIndex));
  const known = {
    bankIndexes: needs.bankIndexes.filter((i) => knownBank.has(i)),
    underlyingIndexes: needs.underlyingIndexes.filter((i) => knownUnder.has(i)),
  };
  // A SOL bank and a SOL underlying share their oracle: listed once.
  return [...new Set(healthMetas(known, banks, underlyings).map((m) => m.address))];
}

/** `xs` in consecutive pieces of at most `n`. */
export function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** How getProgramAccounts returns the margin accounts' bytes: `base64+zstd` (the keeper's), or plain `base64`. */
export type MarginEncoding = 'base64+zstd' | 'base64';

/** One entry of a getProgramAccounts answer, base64 or base64+zstd. */
export type ProgramAccountEntry = {
  pubkey: Address;
  account: AccountInfoBase & (AccountInfoWithBase64EncodedData | AccountInfoWithBase64EncodedZStdCompressedData);
};

/**
 * `frame` with its header saying that it holds exactly `size` bytes, when it does not say so
 * already. The RPC's zstd frames (the validator's encoder) carry no content size and declare a
 * 2 MB window; fzstd then allocates the whole window and a 128 KB literals buffer for every
 * account (~0.3-1 ms each, seconds per 10,000). A frame whose Frame_Content_Size is given and
 * whose Single_Segment_flag is set (RFC 8878, 3.1.1.1.1) declares its window = its content: the
 * same blocks then decode into one buffer of `size` bytes. Only a header without content size,
 * dictionary or single segment flag is rewritten (the checksum flag is kept); anything else is
 * returned as is. `size`: 256 to 65,791 (2-byte Frame_Content_Size, stored minus 256). The size
 * is the answer's own `space`, which the getProgramAccounts dataSize filter pins to the margin
 * account's size. (fzstd's other route, an output buffer of the known size, decodes the same
 * frames ~10x slower here.)
 */
export function withContentSize(frame: Uint8Array, size: number): Uint8Array {
  const descriptor = frame[4]!;
  const magic = frame[0] === 0x28 && frame[1] === 0xb5 && frame[2] === 0x2f && frame[3] === 0xfd;
  if (!magic || (descriptor & 0xe3) !== 0 || size < 256 || size > 65_791) return frame;
  const out = new Uint8Array(frame.length + 1); // descriptor + window byte -> descriptor + 2-byte size
  out.set(frame.subarray(0, 4));
  out[4] = 0x60 | (descriptor & 0x04); // FCS field size 2, single segment, checksum flag kept
  out[5] = (size - 256) & 0xff;
  out[6] = (size - 256) >> 8;
  out.set(frame.subarray(6), 7);
  return out;
}

/** An entry's account bytes: base64 decoded, then zstd decompressed if so encoded (`space` bytes). */
export function entryBytes(account: ProgramAccountEntry['account']): Uint8Array {
  const b = Buffer.from(account.data[0], 'base64');
  const raw = new Uint8Array(b.buffer, b.byteOffset, b.length); // a plain view, no copy
  if (account.data[1] !== 'base64+zstd') return raw;
  const bytes = decompress(withContentSize(raw, Number(account.space)));
  if (bytes.length !== Number(account.space)) throw new Error(`zstd account data: ${bytes.length} bytes, the RPC says ${account.space}`);
  return bytes;
}

/** Margin accounts from a getProgramAccounts answer: decoded (decode.ts, as the generated decoder) and raw. */
export function marginAccountsFrom(found: readonly ProgramAccountEntry[]): { decoded: Account<MarginAccount>[]; scanned: ScannedAccount[] } {
  const decoded: Account<MarginAccount>[] = [];
  const scanned: ScannedAccount[] = [];
  for (const { pubkey, account } of found) {
    const bytes = entryBytes(account);
    const data = decodeMarginAccountBytes(bytes);
    const { executable, lamports, owner, space } = account;
    decoded.push({ address: pubkey, data, executable, lamports, programAddress: owner, space });
    scanned.push({ address: pubkey, data, bytes });
  }
  return { decoded, scanned };
}

/** An integer of 16 digits or more as an object value (`"key":1234...`), outside any string. */
const LONG_INTEGER_VALUE = /([^\\]"):(\d{16,})/g;

/**
 * getProgramAccounts over plain HTTP, parsed by JSON.parse: kit's transport parses every answer
 * with a big-integer-aware parser written in JS (parseJsonWithBigInts), ~0.5 s for the 4.6 MB
 * of 10,000 zstd margin accounts against ~20 ms for JSON.parse. The answer holds only base58
 * keys, base64 data, booleans and integers; the integers of 16 digits or more (rentEpoch is
 * u64::MAX) are quoted before parsing, so none loses precision: lamports and space become
 * bigints, as kit returns them. An error answer throws (the caller retries, withRetry).
 */
export async function getProgramAccountsJson(
  url: string,
  program: Address,
  config: { commitment: string; encoding: MarginEncoding; filters: unknown[] },
): Promise<ProgramAccountEntry[]> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getProgramAccounts', params: [program, config] }, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (!res.ok) throw new Error(`getProgramAccounts: HTTP ${res.status} ${res.statusText}`);
  const answer = JSON.parse((await res.text()).replace(LONG_INTEGER_VALUE, '$1:"$2"')) as {
    result?: { pubkey: Address; account: { data: [string, MarginEncoding]; executable: boolean; lamports: number | string; owner: Address; space: number | string } }[];
    error?: { code: number; message: string };
  };
  if (answer.error || !answer.result) throw new Error(`getProgramAccounts: ${answer.error ? `${answer.error.code} ${answer.error.message}` : 'no result'}`);
  return answer.result.map(({ pubkey, account: a }) => ({
    pubkey,
    account: { data: a.data, executable: a.executable, lamports: lamports(BigInt(a.lamports)), owner: a.owner, space: BigInt(a.space) },
  })) as ProgramAccountEntry[];
}

/**
 * Every margin account of the client's exchange, positions or not (one getProgramAccounts), in
 * `base64+zstd` unless `encoding` says otherwise (the benchmark times plain base64 too). Over
 * plain HTTP and JSON.parse when the connection knows its URL (getProgramAccountsJson), through
 * kit's RPC otherwise (an in-process stand-in).
 */
export async function fetchMarginAccounts(
  client: MaxwellClient,
  encoding: MarginEncoding = 'base64+zstd',
): Promise<{ decoded: Account<MarginAccount>[]; scanned: ScannedAccount[] }> {
  const b58 = (s: string) => s as Base58EncodedBytes;
  const config = {
    commitment: COMMITMENT,
    encoding: encoding as 'base64', // either answer is a ProgramAccountEntry (the overloads take one literal at a time)
    filters: [
      { dataSize: BigInt(getMarginAccountSize()) },
      { memcmp: { offset: 0n, bytes: b58(getBase58Decoder().decode(MARGIN_ACCOUNT_DISCRIMINATOR)), encoding: 'base58' as const } },
      { memcmp: { offset: OFFSETS.marginAccountExchange, bytes: b58(client.exchange), encoding: 'base58' as const } },
    ],
  };
  const found: readonly ProgramAccountEntry[] = client.conn.rpcUrl
    ? await getProgramAccountsJson(client.conn.rpcUrl, MAXWELL_PROGRAM_ADDRESS, config)
    : await client.conn.rpc.getProgramAccounts(MAXWELL_PROGRAM_ADDRESS, config).send();
  return marginAccountsFrom(found);
}

/** The batch for `accounts`: exchange, Clock and accountsToFetch, chunked at the RPC's limit. */
export async function fetchSnapshot(client: MaxwellClient, accounts: readonly Holdings[]): Promise<KeeperSnapshot> {
  const universe = await client.universe(accounts);
  const addresses = [client.exchange, SYSVAR_CLOCK_ADDRESS, ...accountsToFetch(accounts, universe.banks, universe.underlyings)];
  const raw = new Map<Address, RawAccount>();
  for (const part of chunks(addresses, MAX_MULTIPLE_ACCOUNTS)) {
    for (const f of await fetchEncodedAccounts(client.conn.rpc, part, { commitment: COMMITMENT })) {
      if (f.exists) raw.set(f.address, { address: f.address, owner: f.programAddress, data: f.data as Uint8Array });
    }
  }
  const clock = raw.get(SYSVAR_CLOCK_ADDRESS);
  if (!clock) throw new Error('the Clock sysvar was not returned');
  raw.delete(SYSVAR_CLOCK_ADDRESS);
  return { exchange: client.exchange, now: getSysvarClockDecoder().decode(clock.data).unixTimestamp, raw, ...universe };
}

let shared: HealthEngine | null = null;

/**
 * Health of every account in `accounts` from `snapshot`, in memory: for each, the exchange, the
 * account and its health accounts in the program's order (health-accounts.ts) go to the
 * program's health code in WASM. `strict` (default) as `liquidate` checks it. Never throws: an
 * account whose bank, underlying or oracle is not in the snapshot comes back `missing`, a
 * refusal of the program's code `refused`.
 */
export function healthOfAll(
  snapshot: KeeperSnapshot,
  accounts: readonly ScannedAccount[],
  opts: { engine?: HealthEngine; strict?: boolean } = {},
): AccountHealth[] {
  const engine = opts.engine ?? (shared ??= HealthEngine.load());
  const strict = opts.strict ?? true;
  const exchange = snapshot.raw.get(snapshot.exchange);
  const exchangeKey = addressBytes(snapshot.exchange);
  // The exchange, banks, underlyings (~40 KB each) and oracles are encoded once for all accounts.
  const encoded = new Map<Address, Uint8Array>();
  const once = (r: RawAccount) => {
    let e = encoded.get(r.address);
    if (!e) encoded.set(r.address, (e = encodeRawAccount(r)));
    return e;
  };
  return accounts.map((a): AccountHealth => {
    const account = a.address;
    if (!exchange) return { account, kind: 'missing', missing: snapshot.exchange };
    let metas;
    try {
      metas = healthMetas(healthNeeds([a.data]), snapshot.banks, snapshot.underlyings);
    } catch (e) {
      return { account, kind: 'missing', missing: e instanceof Error ? e.message : String(e) }; // an index the directory does not know
    }
    const needed: RawAccount[] = [];
    for (const m of metas) {
      const r = snapshot.raw.get(m.address);
      if (!r) return { account, kind: 'missing', missing: m.address };
      needed.push(r);
    }
    try {
      const self = encodeRawAccount({ address: account, owner: MAXWELL_PROGRAM_ADDRESS, data: a.bytes });
      const health = engine.computeEncoded(exchangeKey, snapshot.now, [once(exchange), self, ...needed.map(once)], strict);
      return { account, kind: 'health', health };
    } catch (e) {
      if (e instanceof HealthWasmError) return { account, kind: 'refused', code: e.code };
      return { account, kind: 'error', error: String(e) };
    }
  });
}
