// Job `refresh`: risk_refresh of the live series with open interest whose risk arrays are stale
// or about to be: older than half of risk_max_age_secs, computed on an older surface (a smile
// update resets its own expiry's series; a grid move resets every series of the underlying), or
// reported stale by a health read (the spot moved beyond the tolerance).
//
// One read: every underlying's bytes come from the getProgramAccounts of underlyingsByIndex.
// The stale series are cut into contiguous runs of at most REFRESH_SERIES_PER_TX, one
// transaction each, and up to REFRESH_IN_FLIGHT transactions are in flight at once. Batches of
// one underlying write the same account, so the cluster runs them one after another in whatever
// order they land (each refreshes its own series; the first to land moves the grid if the spot
// has); batches of different underlyings run side by side. A pass waits for about
// batches / REFRESH_IN_FLIGHT confirmations instead of one per batch.
import type { Address, Instruction, TransactionSigner } from '@solana/kit';

import { clusterTime } from '../clock.js';
import type { MaxwellClient } from '../client.js';
import { REFRESH_SERIES_PER_TX, riskRefreshBatches } from '../markets.js';
import { sendAndConfirm } from '../transactions.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

/** Refresh transactions in flight at once. */
export const REFRESH_IN_FLIGHT = 8;

/** Contiguous runs [first, count] of the indexes in `xs` (sorted), each at most `max` long. */
export function runs(xs: readonly number[], max = Number.MAX_SAFE_INTEGER): { first: number; count: number }[] {
  const out: { first: number; count: number }[] = [];
  for (const x of xs) {
    const last = out[out.length - 1];
    if (last && last.first + last.count === x && last.count < max) last.count++;
    else out.push({ first: x, count: 1 });
  }
  return out;
}

/** Runs `f` over `items` with at most `limit` calls pending at once; resolves when all have. */
export async function inPool<T>(items: readonly T[], limit: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await f(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

type Batch = { underlying: Address; first: number; count: number; ixs: Instruction[] };

export async function refreshJob(
  client: MaxwellClient,
  payer: TransactionSigner,
  log: Logger,
  force: ReadonlySet<number> = new Set(),
): Promise<number> {
  const now = await withRetry('clock', log, () => clusterTime(client.conn));
  const unders = await withRetry('underlyings', log, () => client.underlyingsByIndex(true));
  const batches: Batch[] = [];
  for (const [index, { address, data: u }] of unders) {
    const live = u.series
      .slice(0, u.nSeries)
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => s.listed === 1 && s.expiry > now + 5n && s.openInterest > 0n);
    const stale = force.has(index)
      ? live
      : live.filter(({ s }) => s.riskSurfaceSeq !== u.surfaceSeq || now - s.riskTs > BigInt(u.riskMaxAgeSecs) / 2n);
    for (const r of runs(stale.map(({ i }) => i), REFRESH_SERIES_PER_TX)) {
      const [ixs] = riskRefreshBatches({ exchange: client.exchange, underlying: address, oracle: u.oracle, ...r, perTx: r.count });
      batches.push({ underlying: address, ...r, ixs: ixs! });
    }
  }
  let refreshed = 0;
  await inPool(batches, REFRESH_IN_FLIGHT, async ({ underlying, first, count, ixs }) => {
    try {
      const res = await withRetry('risk_refresh', log, () => sendAndConfirm(client.conn, payer, ixs));
      refreshed += count;
      log('info', 'risk_refresh', { underlying, first, count, computeUnits: res.computeUnitsConsumed });
    } catch (e) {
      log('warn', 'risk_refresh_failed', { underlying, first, count, error: errorNameOf(e) ?? String(e) });
    }
  });
  return refreshed;
}
