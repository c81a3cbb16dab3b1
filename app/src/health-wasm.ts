// Health computed locally by the program's own code compiled to WASM (app/wasm ->
// target/deploy/maxwell_health.wasm, built by scripts/build-program.sh): the same
// HealthCache::load / health every margin-checking instruction runs, over account bytes fetched
// in one getMultipleAccounts (so the accounts and the Clock are from one slot). No port of the
// math: keepers and clients get the program's numbers to the last unit, with no simulation.
import { fetchEncodedAccounts, type Address } from '@solana/kit';

import type { MaxwellClient } from './client.js';
import { COMMITMENT } from './config.js';
import { unionHealthAccountMetas } from './health-accounts.js';
import { addressBytes } from './base58.js';
import { callWasm, instantiateMaxwellWasm, le32, le64, MAXWELL_WASM, MaxwellWasmError, type MaxwellWasmExports } from './wasm.js';

export const HEALTH_WASM = MAXWELL_WASM;
const CLOCK_SYSVAR = 'SysvarC1ock11111111111111111111111111111111' as Address;
const OUT_LEN = 41;

export type LocalHealth = {
  initHealth: bigint;
  maintHealth: bigint;
  initialRequirement: bigint;
  maintenanceRequirement: bigint;
  optionValue: bigint;
  /** False if a stale oracle or risk array was tolerated (the program would refuse a risk-increasing action). */
  oraclesFresh: boolean;
};

export type RawAccount = { address: Address; owner: Address; data: Uint8Array };

/** The program's error code (6000 + position in error.rs), 1 malformed input, 2 other. */
export class HealthWasmError extends MaxwellWasmError {
  constructor(code: number) {
    super(code, 'health (wasm)');
  }
}

export class HealthEngine {
  private constructor(private readonly x: MaxwellWasmExports) {}

  /** Instantiates the module (wasm.ts; its unused wasm-bindgen imports throw if ever called). */
  static load(path: URL | string = HEALTH_WASM): HealthEngine {
    return new HealthEngine(instantiateMaxwellWasm(path));
  }

  /**
   * `accounts`: the exchange, the margin account, then its health accounts in the program's
   * order. `strict` (default): as account_health / liquidate, a stale oracle or risk array is an
   * error (HealthWasmError with the program's code, e.g. 6068 RiskCacheStale); otherwise tolerated
   * and reported in `oraclesFresh`, as deposit does.
   */
  compute(exchange: Address, now: bigint, accounts: readonly RawAccount[], strict = true): LocalHealth {
    return this.computeEncoded(addressBytes(exchange), now, accounts.map(encodeRawAccount), strict);
  }

  /**
   * As `compute`, over accounts already encoded by `encodeRawAccount` (the keeper encodes the
   * exchange, banks, underlyings and oracles once per pass, not once per margin account).
   * `exchange`: the exchange's 32-byte key.
   */
  computeEncoded(exchange: Uint8Array, now: bigint, accounts: readonly Uint8Array[], strict = true): LocalHealth {
    const header = [exchange, le64(now), Uint8Array.of(strict ? 1 : 0), le32(accounts.length)];
    const out = callWasm(this.x, this.x.mx_health, [...header, ...accounts], OUT_LEN, (code) => new HealthWasmError(code));
    const i = (k: number) => out.getBigInt64(8 * k, true);
    return {
      initHealth: i(0),
      maintHealth: i(1),
      initialRequirement: i(2),
      maintenanceRequirement: i(3),
      optionValue: i(4),
      oraclesFresh: out.getUint8(40) === 1,
    };
  }
}

/** One account as the health input carries it: key (32) | owner (32) | data_len: u32 | data. */
export function encodeRawAccount(a: RawAccount): Uint8Array {
  const out = new Uint8Array(68 + a.data.length);
  out.set(addressBytes(a.address), 0);
  out.set(addressBytes(a.owner), 32);
  new DataView(out.buffer).setUint32(64, a.data.length, true);
  out.set(a.data, 68);
  return out;
}

/**
 * Health of `account` now: fetches the account, its health accounts, the exchange and the Clock
 * in one RPC call, and runs the program's health code on them. Returns the cluster time used.
 */
export async function localHealth(
  client: MaxwellClient,
  engine: HealthEngine,
  account: Address,
  strict = true,
): Promise<{ health: LocalHealth; now: bigint }> {
  const acc = await client.marginAccount(account);
  const universe = await client.universe([acc.data]);
  const metas = unionHealthAccountMetas([acc.data], universe.banks, universe.underlyings);
  const addresses = [client.exchange, account, ...metas.map((m) => m.address), CLOCK_SYSVAR];
  const fetched = await fetchEncodedAccounts(client.conn.rpc, addresses, { commitment: COMMITMENT });
  const raws: RawAccount[] = fetched.map((f) => {
    if (!f.exists) throw new Error(`health account ${f.address} does not exist`);
    return { address: f.address, owner: f.programAddress, data: f.data };
  });
  const clock = raws.pop()!;
  const now = new DataView(clock.data.buffer, clock.data.byteOffset).getBigInt64(32, true); // Clock.unix_timestamp
  return { health: engine.compute(client.exchange, now, raws, strict), now };
}
