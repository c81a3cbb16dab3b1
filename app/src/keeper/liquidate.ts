// Job `liquidate`: for one account under maintenance, take one contract at a time from its
// largest short (its largest long if it has no short) and try again, until the program says
// NotLiquidatable (restored, or another keeper got there first: logged, skipped) or
// OverLiquidation (one more contract would go beyond restoring it). Any other refusal
// (LiquidationDidNotImprove, InitialMarginViolated for the keeper's own account, ...) ends
// this account's turn for this pass.
import type { Address, TransactionSigner } from '@solana/kit';

import type { MarginAccount, Underlying } from '../accounts.js';
import type { MaxwellClient } from '../client.js';
import { liquidate, type LiquidateLog } from '../liquidation.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

/** The position to take next: largest short (most negative), else largest long; live series only. */
export function nextLeg(
  a: Pick<MarginAccount, 'positions'>,
  /** `generation`: the position's; a leftover of a retired expiry is not live (liquidate refuses it). */
  isLive: (underlyingIndex: number, seriesIndex: number, generation: number) => boolean,
): { underlyingIndex: number; seriesIndex: number; size: bigint } | null {
  const held = a.positions.filter((p) => p.inUse === 1 && p.size !== 0n && isLive(p.underlyingIndex, p.seriesIndex, p.generation));
  const shorts = held.filter((p) => p.size < 0n).sort((x, y) => (x.size < y.size ? -1 : x.size > y.size ? 1 : 0));
  const longs = held.filter((p) => p.size > 0n).sort((x, y) => (x.size > y.size ? -1 : x.size < y.size ? 1 : 0));
  const p = shorts[0] ?? longs[0];
  return p ? { underlyingIndex: p.underlyingIndex, seriesIndex: p.seriesIndex, size: p.size < 0n ? -1n : 1n } : null;
}

/**
 * Whether a position (underlying index, series slot, its generation) is in a live series at
 * `now`: the slot is listed, of the position's generation (not a retired expiry's leftover) and
 * not expired.
 */
export function liveSeriesOf(
  unders: ReadonlyMap<number, { data: Pick<Underlying, 'series'> }>,
  now: bigint,
): (underlyingIndex: number, seriesIndex: number, generation: number) => boolean {
  return (ui, si, generation) => {
    const s = unders.get(ui)?.data.series[si];
    return s !== undefined && s.listed === 1 && s.generation === generation && s.expiry > now;
  };
}

export type LiquidationOutcome = { account: Address; contracts: number; penalty: bigint; toInsurance: bigint; stop: string };

/**
 * One contract of `leg` taken from `liquidatee` (one `liquidate` transaction), logged. A refusal
 * is an answer (`ok: false` with the program's error name; NotLiquidatable and OverLiquidation
 * are the expected stops), never thrown; an RPC error that outlives its retries is thrown.
 */
export async function liquidateOne(
  client: MaxwellClient,
  liquidatee: Address,
  liquidator: { account: Address; signer: TransactionSigner },
  underlying: Address,
  leg: { seriesIndex: number; size: bigint },
  log: Logger,
): Promise<{ ok: true; event: LiquidateLog } | { ok: false; stop: string }> {
  try {
    const { event, result } = await withRetry('liquidate', log, () =>
      liquidate(client, liquidatee, liquidator, underlying, [{ seriesIndex: leg.seriesIndex, size: leg.size }]),
    );
    log('info', 'liquidate', {
      liquidatee, underlying, seriesIndex: leg.seriesIndex, size: leg.size, penaltyBps: event.penaltyBps,
      penalty: event.penalty, toInsurance: event.toInsurance, maintBefore: event.maintHealthBefore,
      maintAfter: event.maintHealthAfter, signature: result.signature,
    });
    return { ok: true, event };
  } catch (e) {
    const name = errorNameOf(e);
    if (!name) throw e;
    const expected = name === 'NotLiquidatable' || name === 'OverLiquidation';
    log(expected ? 'info' : 'warn', 'liquidate_stop', { liquidatee, reason: name });
    return { ok: false, stop: name };
  }
}

/** Options only, contract by contract (the job before liquidate-account.ts chose per step; kept for callers that want options alone). */
export async function liquidateJob(
  client: MaxwellClient,
  liquidatee: Address,
  liquidator: { account: Address; signer: TransactionSigner },
  log: Logger,
  maxContracts: number,
  now: bigint,
): Promise<LiquidationOutcome> {
  const out: LiquidationOutcome = { account: liquidatee, contracts: 0, penalty: 0n, toInsurance: 0n, stop: 'max_contracts' };
  const unders = await withRetry('underlyings', log, () => client.underlyingsByIndex());
  const isLive = liveSeriesOf(unders, now);
  while (out.contracts < maxContracts) {
    const acc = await withRetry('margin_account', log, () => client.marginAccount(liquidatee));
    const leg = nextLeg(acc.data, isLive);
    if (!leg) {
      out.stop = 'no_live_position';
      break;
    }
    const underlying = unders.get(leg.underlyingIndex)?.address;
    if (!underlying) {
      out.stop = `unknown_underlying_${leg.underlyingIndex}`;
      break;
    }
    let r;
    try {
      r = await liquidateOne(client, liquidatee, liquidator, underlying, leg, log);
    } catch (e) {
      out.stop = 'error';
      log('warn', 'liquidate_stop', { liquidatee, reason: String(e), contracts: out.contracts });
      break;
    }
    if (!r.ok) {
      out.stop = r.stop;
      break;
    }
    out.contracts++;
    out.penalty += r.event.penalty;
    out.toInsurance += r.event.toInsurance;
  }
  return out;
}
