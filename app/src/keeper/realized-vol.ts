// Job `realizedVol`: realized_vol_update on every underlying whose last update is at least
// `intervalSecs` (and the program's 60 s) old. RealizedVolTooSoon (another keeper was first)
// and oracle refusals (a stale price) are logged and retried next pass.
import type { TransactionSigner } from '@solana/kit';

import { clusterTime } from '../clock.js';
import type { MaxwellClient } from '../client.js';
import { realizedVol, RV_MIN_INTERVAL_SECS, updateRealizedVol } from '../realized-vol.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

/** Due at `now`: never updated, or `max(intervalSecs, 60)` seconds since the last update. */
export function realizedVolDueAt(rvLastTs: bigint, now: bigint, intervalSecs: number): boolean {
  const every = BigInt(intervalSecs) > RV_MIN_INTERVAL_SECS ? BigInt(intervalSecs) : RV_MIN_INTERVAL_SECS;
  return rvLastTs === 0n || now - rvLastTs >= every;
}

export async function realizedVolJob(client: MaxwellClient, payer: TransactionSigner, log: Logger, intervalSecs: number): Promise<number> {
  const now = await withRetry('clock', log, () => clusterTime(client.conn));
  const unders = await withRetry('underlyings', log, () => client.underlyingsByIndex(true));
  let updated = 0;
  for (const { address } of unders.values()) {
    const u = (await withRetry('underlying', log, () => client.underlying(address))).data;
    if (!realizedVolDueAt(u.rvLastTs, now, intervalSecs)) continue;
    try {
      const { event } = await withRetry('realized_vol_update', log, () => updateRealizedVol(client, payer, address));
      updated++;
      log('info', 'realized_vol_update', { underlying: address, spot: event.spot, updates: u.rvUpdates + (u.rvLastTs === 0n ? 0n : 1n), realizedVol: realizedVol({ rvVariance: event.variance }) });
    } catch (e) {
      const name = errorNameOf(e);
      log(name === 'RealizedVolTooSoon' ? 'info' : 'warn', 'realized_vol_skipped', { underlying: address, error: name ?? String(e) });
    }
  }
  return updated;
}
