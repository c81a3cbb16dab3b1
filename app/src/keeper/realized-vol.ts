// Job `realizedVol`: realized_vol_update on every underlying whose last update is at least
// `intervalSecs` old and whose sampling window is open now (the program samples on a fixed
// minute grid, within seconds after each boundary: rules-wasm realizedVolSchedule, the
// program's own rule). Outside the window the job waits for a later pass. RealizedVolTooSoon
// (another keeper was first) and oracle refusals (a stale price) are logged and retried.
import type { TransactionSigner } from '@solana/kit';

import { clusterTime } from '../clock.js';
import type { MaxwellClient } from '../client.js';
import { updateRealizedVol } from '../realized-vol.js';
import { constants, fromQ52, realizedVolSchedule } from '../rules-wasm.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

/**
 * Due at `now` (the keeper's schedule): never updated, or `max(intervalSecs, the program's
 * minimum interval)` seconds since the last update.
 */
export function realizedVolDueAt(rvLastTs: bigint, now: bigint, intervalSecs: number): boolean {
  const min = constants().realizedVolMinIntervalSecs;
  const every = BigInt(intervalSecs) > min ? BigInt(intervalSecs) : min;
  return rvLastTs === 0n || now - rvLastTs >= every;
}

export async function realizedVolJob(client: MaxwellClient, payer: TransactionSigner, log: Logger, intervalSecs: number): Promise<number> {
  const now = await withRetry('clock', log, () => clusterTime(client.conn));
  const unders = await withRetry('underlyings', log, () => client.underlyingsByIndex(true));
  let updated = 0;
  for (const { address } of unders.values()) {
    const u = (await withRetry('underlying', log, () => client.underlying(address))).data;
    if (!realizedVolDueAt(u.rvLastTs, now, intervalSecs)) continue;
    const schedule = realizedVolSchedule(u.rvLastTs, now);
    if (!schedule.open) {
      log('info', 'realized_vol_waiting', { underlying: address, nextBoundaryInSecs: schedule.nextInSecs });
      continue;
    }
    try {
      const { event } = await withRetry('realized_vol_update', log, () => updateRealizedVol(client, payer, address));
      updated++;
      log('info', 'realized_vol_update', { underlying: address, spot: event.spot, updates: u.rvUpdates + (u.rvLastTs === 0n ? 0n : 1n), realizedVol: fromQ52(event.realizedVol) });
    } catch (e) {
      const name = errorNameOf(e);
      log(name === 'RealizedVolTooSoon' ? 'info' : 'warn', 'realized_vol_skipped', { underlying: address, error: name ?? String(e) });
    }
  }
  return updated;
}
