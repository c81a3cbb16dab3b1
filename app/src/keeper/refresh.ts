// Job `refresh`: risk_refresh (in 1.4M-CU chunks) of the live series with open interest whose
// risk arrays are stale or about to be: older than half of risk_max_age_secs, computed on an
// older surface, or reported stale by a health read (the spot moved beyond the tolerance).
import type { Address, TransactionSigner } from '@solana/kit';

import { clusterTime } from '../clock.js';
import type { MaxwellClient } from '../client.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

/** Contiguous runs [first, count] of the indexes in `xs` (sorted). */
export function runs(xs: readonly number[]): { first: number; count: number }[] {
  const out: { first: number; count: number }[] = [];
  for (const x of xs) {
    const last = out[out.length - 1];
    if (last && last.first + last.count === x) last.count++;
    else out.push({ first: x, count: 1 });
  }
  return out;
}

export async function refreshJob(
  client: MaxwellClient,
  payer: TransactionSigner,
  log: Logger,
  force: ReadonlySet<number> = new Set(),
): Promise<number> {
  const now = await withRetry('clock', log, () => clusterTime(client.conn));
  const unders = await withRetry('underlyings', log, () => client.underlyingsByIndex(true));
  let refreshed = 0;
  for (const [index, { address }] of unders) {
    const u = (await withRetry('underlying', log, () => client.underlying(address))).data;
    const live = u.series
      .slice(0, u.nSeries)
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => s.listed === 1 && s.expiry > now + 5n && s.openInterest > 0n);
    const stale = force.has(index)
      ? live
      : live.filter(({ s }) => s.riskSurfaceSeq !== u.surfaceSeq || now - s.riskTs > BigInt(u.riskMaxAgeSecs) / 2n);
    for (const r of runs(stale.map(({ i }) => i))) {
      try {
        await withRetry('risk_refresh', log, () => client.refreshRisk(payer, address, r));
        refreshed += r.count;
        log('info', 'risk_refresh', { underlying: address, ...r });
      } catch (e) {
        log('warn', 'risk_refresh_failed', { underlying: address, ...r, error: errorNameOf(e) ?? String(e) });
      }
    }
  }
  return refreshed;
}
