// Finding liquidatable accounts: EVERY margin account of the exchange (option positions or
// not: a spot borrower under maintenance is found too), read in one batched snapshot per pass
// (snapshot.ts: one getProgramAccounts, one getMultipleAccounts), then health of each computed
// in memory by the program's own code compiled to WASM, in strict mode as `liquidate` checks
// it: no RPC per account, the same numbers to the unit. A stale risk array comes back as the
// program's RiskCacheStale and marks the account's underlyings for a refresh.
import type { Account, Address } from '@solana/kit';

import type { MarginAccount } from '../accounts.js';
import type { MaxwellClient } from '../client.js';
import type { HealthLog } from '../events.js';
import { MAXWELL_ERROR__RISK_CACHE_STALE } from '../generated/maxwell/index.js';
import type { Logger } from './log.js';
import { withRetry } from './retry.js';
import { fetchMarginAccounts, fetchSnapshot, healthOfAll, type AccountHealth, type Holdings, type KeeperSnapshot, type MarginEncoding } from './snapshot.js';

/** An account under maintenance, with what the liquidation job needs to choose its path. */
export type Liquidatable = {
  account: Address;
  /** From the WASM health (no per-underlying Greeks). */
  health: Omit<HealthLog, 'underlyings'>;
  /** It holds option positions: liquidated contract by contract (`liquidate`); otherwise only its balances can restore it. */
  hasOptions: boolean;
  /** Its collateral slots in use: bank index and balance in shares (negative = borrowed; native units via accounts.ts collateralBalance). */
  balances: { bankIndex: number; shares: bigint }[];
};

export type ScanResult = {
  accounts: Account<MarginAccount>[];
  /** Accounts under maintenance (maint health < 0), most negative first. */
  liquidatable: Liquidatable[];
  /** Underlying indexes whose risk arrays an account's health found stale (RiskCacheStale). */
  staleUnderlyings: Set<number>;
  /** The batch the healths were computed from (the balance liquidation job ranks its pairs from it). */
  snapshot: KeeperSnapshot;
};

export const hasPositions = (a: Pick<MarginAccount, 'positions'>) => a.positions.some((p) => p.inUse === 1);

/** Sorts health results into the liquidatable (most negative first) and the stale underlyings. */
export function classify(
  results: readonly AccountHealth[],
  holdings: ReadonlyMap<Address, Holdings>,
): { liquidatable: Liquidatable[]; staleUnderlyings: Set<number>; unavailable: Exclude<AccountHealth, { kind: 'health' }>[] } {
  const liquidatable: Liquidatable[] = [];
  const staleUnderlyings = new Set<number>();
  const unavailable: Exclude<AccountHealth, { kind: 'health' }>[] = [];
  for (const r of results) {
    const a = holdings.get(r.account);
    if (r.kind !== 'health') {
      unavailable.push(r);
      if (r.kind === 'refused' && r.code === MAXWELL_ERROR__RISK_CACHE_STALE) {
        for (const p of a?.positions ?? []) if (p.inUse === 1) staleUnderlyings.add(p.underlyingIndex);
      }
      continue;
    }
    if (r.health.maintHealth >= 0n || !a) continue;
    liquidatable.push({
      account: r.account,
      health: { account: r.account, ...r.health },
      hasOptions: hasPositions(a),
      balances: a.collateral.filter((s) => s.inUse === 1).map((s) => ({ bankIndex: s.bankIndex, shares: s.balance })),
    });
  }
  liquidatable.sort((x, y) => (x.health.maintHealth < y.health.maintHealth ? -1 : x.health.maintHealth > y.health.maintHealth ? 1 : 0));
  return { liquidatable, staleUnderlyings, unavailable };
}

export async function scan(
  client: MaxwellClient,
  _feePayer: Address,
  log: Logger,
  skip: ReadonlySet<Address> = new Set(),
  /** The margin accounts' encoding on the wire: base64+zstd (default; plain base64 only for the benchmark's comparison). */
  encoding: MarginEncoding = 'base64+zstd',
): Promise<ScanResult> {
  const t0 = performance.now();
  const { decoded, scanned } = await withRetry('scan', log, () => fetchMarginAccounts(client, encoding));
  const tA = performance.now();
  const checked = scanned.filter((a) => !skip.has(a.address));
  const snapshot = await withRetry('snapshot', log, () => fetchSnapshot(client, checked.map((a) => a.data)));
  const t1 = performance.now();
  const results = healthOfAll(snapshot, checked);
  const t2 = performance.now();
  const { liquidatable, staleUnderlyings, unavailable } = classify(results, new Map(checked.map((a) => [a.address, a.data])));
  for (const u of unavailable) {
    const error = u.kind === 'missing' ? `missing ${u.missing}` : u.kind === 'refused' ? (u.code === MAXWELL_ERROR__RISK_CACHE_STALE ? 'RiskCacheStale' : `code ${u.code}`) : u.error;
    log(u.kind === 'refused' ? 'info' : 'warn', 'health_unavailable', { account: u.account, error });
  }
  log('info', 'scan', {
    accounts: decoded.length, checked: checked.length, withPositions: checked.filter((a) => hasPositions(a.data)).length,
    snapshotAccounts: snapshot.raw.size, liquidatable: liquidatable.length, stale: [...staleUnderlyings],
    readMs: Math.round(t1 - t0), healthMs: Math.round(t2 - t1), // read: the two RPC calls and decoding
    marginMs: Math.round(tA - t0), // of which getProgramAccounts of the margin accounts and their decoding
  });
  return { accounts: decoded, liquidatable, staleUnderlyings, snapshot };
}
