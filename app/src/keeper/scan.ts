// Finding liquidatable accounts: every margin account of the exchange (getProgramAccounts,
// filtered by the MarginAccount discriminator and the exchange at offset 8), then, for those
// with positions, health computed locally by the program's own code compiled to WASM
// (app/src/health-wasm.ts) in strict mode, as `liquidate` checks it: no simulation round trip,
// the same numbers to the unit. A stale risk array comes back as the program's RiskCacheStale.
import type { Account, Address } from '@solana/kit';

import { MAXWELL_ERROR__RISK_CACHE_STALE } from '../generated/maxwell/index.js';
import { HealthEngine, HealthWasmError, localHealth } from '../health-wasm.js';

import { getMarginAccountsOfExchange, type MarginAccount } from '../accounts.js';
import type { MaxwellClient } from '../client.js';
import type { HealthLog } from '../events.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

export type ScanResult = {
  accounts: Account<MarginAccount>[];
  /** Accounts under maintenance (maint health < 0), most negative first. */
  liquidatable: { account: Address; health: HealthLog }[];
  /** Underlying indexes whose risk arrays an account's health found stale (RiskCacheStale). */
  staleUnderlyings: Set<number>;
};

let wasm: HealthEngine | null = null;
const engine = () => (wasm ??= HealthEngine.load());

export const hasPositions = (a: MarginAccount) => a.positions.some((p) => p.inUse === 1);

export async function scan(
  client: MaxwellClient,
  feePayer: Address,
  log: Logger,
  skip: ReadonlySet<Address> = new Set(),
): Promise<ScanResult> {
  const accounts = await withRetry('scan', log, () => getMarginAccountsOfExchange(client.conn, client.exchange));
  const liquidatable: ScanResult['liquidatable'] = [];
  const staleUnderlyings = new Set<number>();
  for (const a of accounts) {
    if (skip.has(a.address) || !hasPositions(a.data)) continue;
    try {
      const { health: h } = await withRetry('health', log, () => localHealth(client, engine(), a.address));
      const health: HealthLog = { account: a.address, ...h };
      if (health.maintHealth < 0n) liquidatable.push({ account: a.address, health });
    } catch (e) {
      const name = e instanceof HealthWasmError ? (e.code === MAXWELL_ERROR__RISK_CACHE_STALE ? 'RiskCacheStale' : `code ${e.code}`) : errorNameOf(e);
      if (name === 'RiskCacheStale') {
        for (const p of a.data.positions) if (p.inUse === 1) staleUnderlyings.add(p.underlyingIndex);
      }
      log(name ? 'info' : 'warn', 'health_unavailable', { account: a.address, error: name ?? String(e) });
    }
  }
  liquidatable.sort((x, y) => (x.health.maintHealth < y.health.maintHealth ? -1 : 1));
  log('info', 'scan', { accounts: accounts.length, withPositions: accounts.filter((a) => hasPositions(a.data)).length, liquidatable: liquidatable.length, stale: [...staleUnderlyings] });
  return { accounts, liquidatable, staleUnderlyings };
}
