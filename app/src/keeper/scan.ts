// Finding liquidatable accounts: every margin account of the exchange (getProgramAccounts,
// filtered by the MarginAccount discriminator and the exchange at offset 8), then, for those
// with positions, the program's own read path: a simulated `account_health` (return data).
// A WASM build of the risk engine (crates/maxwell-risk) would compute health locally from the
// fetched accounts and avoid this RPC round trip per account; not done yet.
import type { Account, Address } from '@solana/kit';

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
      const health = await withRetry('account_health', log, () => client.health(a.address, feePayer));
      if (health.maintHealth < 0n) liquidatable.push({ account: a.address, health });
    } catch (e) {
      const name = errorNameOf(e);
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
