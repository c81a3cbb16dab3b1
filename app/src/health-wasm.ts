// Health computed locally by the program's own code compiled to WASM (app/wasm ->
// target/deploy/maxwell_health.wasm, built by scripts/build-program.sh): the same
// HealthCache::load / health every margin-checking instruction runs, over account bytes fetched
// in one getMultipleAccounts (so the accounts and the Clock are from one slot). No port of the
// math: keepers and clients get the program's numbers to the last unit, with no simulation.
import { readFileSync } from 'node:fs';

import { fetchEncodedAccounts, getAddressEncoder, type Address } from '@solana/kit';

import type { MaxwellClient } from './client.js';
import { COMMITMENT } from './config.js';
import { unionHealthAccountMetas } from './health-accounts.js';

export const HEALTH_WASM = new URL('../../target/deploy/maxwell_health.wasm', import.meta.url);
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
export class HealthWasmError extends Error {
  constructor(readonly code: number) {
    super(`health (wasm) failed with code ${code}`);
  }
}

// The WebAssembly global of Node, typed here (the project's TS libs carry no DOM types).
type WasmImport = { module: string; name: string };
type WasmApi = {
  Module: { new (bytes: Uint8Array): object; imports(m: object): WasmImport[] };
  Instance: new (m: object, imports: object) => { exports: unknown };
};
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type Exports = {
  memory: { buffer: ArrayBuffer };
  mx_alloc(len: number): number;
  mx_free(ptr: number, len: number): void;
  mx_health(input: number, len: number, out: number): number;
};

export class HealthEngine {
  private constructor(private readonly x: Exports) {}

  /**
   * Instantiates the module. The Solana SDK crates it links declare wasm-bindgen imports the
   * health path never calls; they are bound to functions that throw if ever reached.
   */
  static load(path: URL | string = HEALTH_WASM): HealthEngine {
    const module = new Wasm.Module(readFileSync(path));
    const imports: Record<string, Record<string, () => never>> = {};
    for (const imp of Wasm.Module.imports(module)) {
      imports[imp.module] ??= {};
      imports[imp.module]![imp.name] = () => {
        throw new Error(`maxwell_health.wasm called an unsupported import ${imp.module}.${imp.name}`);
      };
    }
    return new HealthEngine(new Wasm.Instance(module, imports).exports as Exports);
  }

  /**
   * `accounts`: the exchange, the margin account, then its health accounts in the program's
   * order. `strict` (default): as account_health / liquidate, a stale oracle or risk array is an
   * error (HealthWasmError with the program's code, e.g. 6068 RiskCacheStale); otherwise tolerated
   * and reported in `oraclesFresh`, as deposit does.
   */
  compute(exchange: Address, now: bigint, accounts: readonly RawAccount[], strict = true): LocalHealth {
    const enc = getAddressEncoder();
    const parts: Uint8Array[] = [new Uint8Array(enc.encode(exchange)), le64(now), Uint8Array.of(strict ? 1 : 0), le32(accounts.length)];
    for (const a of accounts) {
      parts.push(new Uint8Array(enc.encode(a.address)), new Uint8Array(enc.encode(a.owner)), le32(a.data.length), a.data);
    }
    const input = concat(parts);
    const inPtr = this.x.mx_alloc(input.length);
    const outPtr = this.x.mx_alloc(OUT_LEN);
    try {
      new Uint8Array(this.x.memory.buffer, inPtr, input.length).set(input);
      const code = this.x.mx_health(inPtr, input.length, outPtr);
      if (code !== 0) throw new HealthWasmError(code);
      const out = new DataView(this.x.memory.buffer, outPtr, OUT_LEN);
      const i = (k: number) => out.getBigInt64(8 * k, true);
      return {
        initHealth: i(0),
        maintHealth: i(1),
        initialRequirement: i(2),
        maintenanceRequirement: i(3),
        optionValue: i(4),
        oraclesFresh: out.getUint8(40) === 1,
      };
    } finally {
      this.x.mx_free(inPtr, input.length);
      this.x.mx_free(outPtr, OUT_LEN);
    }
  }
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

function le64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, v, true);
  return b;
}

function le32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
