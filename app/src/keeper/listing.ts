// Job `listing`: listing_execute on every underlying whose listing schedule is enabled. Whether
// an expiry is due is the program's rule (maxwell_engine::plans::listing, over the clock and the
// listed expiries), not re-implemented here: the job simulates listing_execute and sends it only
// when the simulation succeeds. ListingNotDue (every expiry of the horizon listed) is the idle
// answer; ListingScheduleOff means the schedule was switched off since the read. Each execution
// lists one expiry, so an underlying is tried again after a listing, at most `horizon` times a
// pass (a keeper back after a pause catches up earliest first). Any other refusal (a stale
// oracle, TooManyExpiries / TooManySeries on a full underlying, the instruction gated) or an RPC
// error that outlived its retries is logged as a warning and the job goes on with the next
// underlying. Another keeper listing first (ListingNotDue on the send) is fine.
import type { Account, Address, TransactionSigner } from '@solana/kit';

import type { Underlying } from '../accounts.js';
import type { MaxwellClient } from '../client.js';
import type { ListingExecuteLog, SeriesListLog } from '../events.js';
import { listingExecuteIx } from '../markets.js';
import { simulate } from '../transactions.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

/** An underlying with an enabled schedule: what the job needs to try it. */
export type ListingTarget = { underlying: Address; oracle: Address; horizon: number };

/** One expiry listed by this keeper. */
export type ListingOutcome = {
  underlying: Address;
  /** Unix seconds. */
  expiry: bigint;
  expiryIndex: number;
  /** Strikes listed (a call and a put each). */
  strikes: number;
  /** The oracle spot the ladder was built around, quote native per contract. */
  spot: bigint;
};

/** What the job does on the cluster for one underlying (the client's calls; fakes in unit tests). */
export type ListingOps = {
  /** Simulates listing_execute: resolves when an expiry is due, throws the refusal (ProgramFailure) otherwise. */
  simulate: (t: ListingTarget) => Promise<unknown>;
  /** Sends listing_execute: the events of the expiry listed. */
  execute: (t: ListingTarget) => Promise<{ event: ListingExecuteLog; series: Pick<SeriesListLog, 'expiryIndex'>; result: { signature: string } }>;
};

/** The underlyings whose schedule is enabled (the program refuses the others: ListingScheduleOff). */
export function listingTargets(unders: Iterable<Pick<Account<Underlying>, 'address' | 'data'>>): ListingTarget[] {
  return [...unders]
    .filter(({ data: u }) => u.schedule.enabled === 1)
    .map(({ address, data: u }) => ({ underlying: address, oracle: u.oracle, horizon: u.schedule.horizon }));
}

/** The idle answers of listing_execute: nothing to list. */
const NOTHING_DUE = new Set(['ListingNotDue', 'ListingScheduleOff']);

/**
 * Lists what is due on one underlying: simulate, and send when the simulation succeeds, up to
 * `horizon` times; stops at the first refusal. Never throws: failures are logged.
 */
export async function listDue(ops: ListingOps, t: ListingTarget, log: Logger): Promise<ListingOutcome[]> {
  const out: ListingOutcome[] = [];
  for (let i = 0; i < t.horizon; i++) {
    try {
      await ops.simulate(t);
    } catch (e) {
      const name = errorNameOf(e);
      if (name === 'ListingScheduleOff') log('info', 'listing_schedule_off', { underlying: t.underlying });
      else if (!NOTHING_DUE.has(name ?? '')) log('warn', 'listing_skipped', { underlying: t.underlying, error: name ?? String(e) });
      break;
    }
    try {
      const { event, series, result } = await ops.execute(t);
      out.push({ underlying: t.underlying, expiry: event.expiry, expiryIndex: series.expiryIndex, strikes: event.strikes, spot: event.spot });
      log('info', 'listing_executed', {
        underlying: t.underlying, expiry: event.expiry, expiryIndex: series.expiryIndex, strikes: event.strikes, spot: event.spot, signature: result.signature,
      });
    } catch (e) {
      const name = errorNameOf(e);
      // Another keeper listed it between the simulation and the send.
      log(NOTHING_DUE.has(name ?? '') ? 'info' : 'warn', 'listing_execute_failed', { underlying: t.underlying, error: name ?? String(e) });
      break;
    }
  }
  return out;
}

/**
 * The job. `reuseRead`: take the underlyings the client read last (pass.ts: the refresh job's
 * getProgramAccounts, just before) instead of reading them again.
 */
export async function listingJob(
  client: MaxwellClient,
  payer: TransactionSigner,
  log: Logger,
  opts: { reuseRead?: boolean } = {},
): Promise<ListingOutcome[]> {
  const unders = await withRetry('underlyings', log, () => client.underlyingsByIndex(!opts.reuseRead));
  const ixOf = (t: ListingTarget) => listingExecuteIx({ exchange: client.exchange, underlying: t.underlying, oracle: t.oracle });
  const ops: ListingOps = {
    simulate: (t) => withRetry('listing_simulate', log, () => simulate(client.conn, payer.address, [ixOf(t)])),
    execute: (t) => withRetry('listing_execute', log, () => client.executeListing(payer, t.underlying, t.oracle)),
  };
  const out: ListingOutcome[] = [];
  for (const t of listingTargets(unders.values())) out.push(...(await listDue(ops, t, log)));
  return out;
}
