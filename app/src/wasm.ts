// The Maxwell WASM module (app/wasm -> target/deploy/maxwell_health.wasm, built by
// scripts/build-program.sh): the program crate compiled to wasm32, exporting its health
// computation (health-wasm.ts) and its other rules (rules-wasm.ts) over a byte-buffer ABI
// documented in app/wasm/src/lib.rs. This file only instantiates it and moves bytes.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Where the module is loaded from: `$MAXWELL_WASM` if set; else `maxwell_health.wasm` beside
 * this file (the installed package ships it in dist/: app/build.mjs); else the repository's
 * build output `target/deploy/maxwell_health.wasm` (running from app/src).
 */
export const MAXWELL_WASM: URL = (() => {
  const env = process.env.MAXWELL_WASM;
  if (env) return pathToFileURL(resolve(env));
  const beside = new URL('./maxwell_health.wasm', import.meta.url);
  return existsSync(beside) ? beside : new URL('../../target/deploy/maxwell_health.wasm', import.meta.url);
})();

// The WebAssembly global of Node, typed here (the project's TS libs carry no DOM types).
type WasmImport = { module: string; name: string };
type WasmApi = {
  Module: { new (bytes: Uint8Array): object; imports(m: object): WasmImport[] };
  Instance: new (m: object, imports: object) => { exports: unknown };
};
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** `fn(input, len, out) -> code` exports (0 = ok, 6000+ = the program's error, 1 = malformed input). */
type Call = (input: number, len: number, out: number, outLen: number) => number;

export type MaxwellWasmExports = {
  memory: { buffer: ArrayBuffer };
  mx_alloc(len: number): number;
  mx_free(ptr: number, len: number): void;
  mx_health: Call;
  mx_constants(out: number, outLen: number): number;
  mx_bank: Call;
  mx_share_value: Call;
  mx_rate_curve: Call;
  mx_policy_day: Call;
  mx_keeper_fee: Call;
  mx_quote_value: Call;
  mx_realized_vol: Call;
  mx_rv_schedule: Call;
  mx_bankrupt: Call;
  mx_health_detail: Call;
  mx_scenario_table: Call;
  mx_trade_whatif: Call;
  mx_max_size: Call;
  mx_liquidation_spot: Call;
};

/** A call into the module failed: the program's error code (6000 + position in error.rs), 1 malformed input, 2 other. */
export class MaxwellWasmError extends Error {
  constructor(
    readonly code: number,
    what = 'maxwell wasm',
  ) {
    super(`${what} failed with code ${code}`);
  }
}

/**
 * Instantiates the module. The Solana SDK crates it links declare wasm-bindgen imports the
 * exported paths never call; they are bound to functions that throw if ever reached.
 */
export function instantiateMaxwellWasm(path: URL | string = MAXWELL_WASM): MaxwellWasmExports {
  const module = new Wasm.Module(readFileSync(path));
  const imports: Record<string, Record<string, () => never>> = {};
  for (const imp of Wasm.Module.imports(module)) {
    imports[imp.module] ??= {};
    imports[imp.module]![imp.name] = () => {
      throw new Error(`maxwell_health.wasm called an unsupported import ${imp.module}.${imp.name}`);
    };
  }
  return new Wasm.Instance(module, imports).exports as MaxwellWasmExports;
}

let shared: MaxwellWasmExports | null = null;

/** The module at the default path, instantiated once per process. */
export function maxwellWasm(): MaxwellWasmExports {
  return (shared ??= instantiateMaxwellWasm());
}

/**
 * Copies `input` (one buffer, or several laid end to end without concatenating them first) into
 * the module, runs `fn(input, len, out, outLen)` with `outLen` bytes of output and returns a
 * copy of them; throws `errorOf(code)` on a non-zero code (3: the module's answer is longer
 * than `outLen`, nothing written).
 */
export function callWasm(
  x: MaxwellWasmExports,
  fn: Call,
  input: Uint8Array | readonly Uint8Array[],
  outLen: number,
  errorOf: (code: number) => Error = (code) => new MaxwellWasmError(code),
): DataView {
  const parts = input instanceof Uint8Array ? [input] : input;
  const len = parts.reduce((n, p) => n + p.length, 0);
  const inPtr = x.mx_alloc(len);
  const outPtr = x.mx_alloc(outLen);
  try {
    const mem = new Uint8Array(x.memory.buffer); // after the allocations: memory may have grown
    let o = inPtr;
    for (const p of parts) {
      mem.set(p, o);
      o += p.length;
    }
    const code = fn(inPtr, len, outPtr, outLen);
    if (code !== 0) throw errorOf(code);
    return new DataView(new Uint8Array(x.memory.buffer, outPtr, outLen).slice().buffer);
  } finally {
    x.mx_free(inPtr, len);
    x.mx_free(outPtr, outLen);
  }
}

export function le64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt.asIntN(64, v), true);
  return b;
}

export function le32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
