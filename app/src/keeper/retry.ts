// Retry with exponential backoff for RPC errors; a program's refusal (ProgramFailure) is an
// answer, not a transport error, and is thrown at once.
import { HealthWasmError } from '../health-wasm.js';
import { ProgramFailure } from '../transactions.js';
import type { Logger } from './log.js';

export async function withRetry<T>(
  what: string,
  log: Logger,
  f: () => Promise<T>,
  opts: { attempts?: number; baseMs?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 4;
  const baseMs = opts.baseMs ?? 500;
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (e) {
      // The program's answer (on-chain, or its health code in WASM) is final.
      if (e instanceof ProgramFailure || e instanceof HealthWasmError || i >= attempts) throw e;
      const delay = baseMs * 2 ** (i - 1);
      log('warn', 'rpc_retry', { what, attempt: i, delayMs: delay, error: String(e) });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** The Maxwell error name of a refusal, or null. */
export function errorNameOf(e: unknown): string | null {
  return e instanceof ProgramFailure ? e.errorName : null;
}
