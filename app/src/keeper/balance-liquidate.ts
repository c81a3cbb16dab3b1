// Job `balance_liquidate`: for one account under maintenance, take over its debts against its
// asset balances (balance_liquidate; the program decides how much: what restores maintenance
// health to zero, or everything the asset covers), one (asset, debt) pair at a time, until the
// program says NotLiquidatable (restored, or another keeper got there first) or nothing
// positive is left (the bankruptcy job then resolves the account). Which pair first is keeper
// policy (rankBalancePairs): the most health per unit of penalty, by the banks' maintenance
// weights in the pass's snapshot; without them, the fixed order of balancePairs (the quote debt
// first, then other debts; non-quote assets first, then quote). A pair the program refuses as
// not improving (or too small to take) is skipped for the next one.
import type { Address, TransactionSigner } from '@solana/kit';

import type { MarginAccount } from '../accounts.js';
import { balanceLiquidate, type BalanceLiquidateLog } from '../balance-liquidation.js';
import type { MaxwellClient } from '../client.js';
import { getCollateralBankDecoder, getExchangeDecoder } from '../generated/maxwell/index.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';
import type { KeeperSnapshot } from './snapshot.js';

/** (asset bank index, liability bank index) pairs to try, best first. */
export function balancePairs(a: Pick<MarginAccount, 'collateral'>, quoteBankIndex: number): { asset: number; liability: number }[] {
  const used = a.collateral.filter((s) => s.inUse === 1 && s.balance !== 0n);
  const quoteFirst = (x: number, y: number) => Number(y === quoteBankIndex) - Number(x === quoteBankIndex);
  const debts = used.filter((s) => s.balance < 0n).map((s) => s.bankIndex).sort(quoteFirst);
  const assets = used.filter((s) => s.balance > 0n).map((s) => s.bankIndex).sort((x, y) => -quoteFirst(x, y));
  return debts.flatMap((liability) => assets.filter((asset) => asset !== liability).map((asset) => ({ asset, liability })));
}

/** The numbers the pair ranking reads, once per pass, from the pass's snapshot. */
export type PairRanking = {
  /** Maintenance weights (bps) of every bank in the snapshot, by bank index. */
  weights: ReadonlyMap<number, { maintAssetWeightBps: number; maintLiabWeightBps: number }>;
  /** The penalty rate the ranking assumes for every pair (bps): the exchange's maximum, liq_penalty_max_bps. */
  penaltyBps: number;
};

/** The ranking's inputs from a scan snapshot: the banks' and the exchange's bytes it already holds (fresh this pass). */
export function pairRankingOf(snapshot: Pick<KeeperSnapshot, 'exchange' | 'raw' | 'banks'>): PairRanking | null {
  const ex = snapshot.raw.get(snapshot.exchange);
  if (!ex) return null;
  const weights = new Map<number, { maintAssetWeightBps: number; maintLiabWeightBps: number }>();
  for (const b of snapshot.banks) {
    const raw = snapshot.raw.get(b.address);
    if (!raw) continue; // no account of this pass holds it
    const { bankIndex, maintAssetWeightBps, maintLiabWeightBps } = getCollateralBankDecoder().decode(raw.data);
    weights.set(bankIndex, { maintAssetWeightBps, maintLiabWeightBps });
  }
  return { weights, penaltyBps: getExchangeDecoder().decode(ex.data).params.liqPenaltyMaxBps };
}

/**
 * A pair's expected maintenance-health gain and penalty per unit of debt value taken over, both
 * in 1e-8 of that value (bps x bps); null if a bank's weights are unknown. Taking over debt worth
 * v (quote) removes its weighted value v x w_L (maintenance liability weight) and gives up asset
 * worth v x (1 + r) weighted at w_A (maintenance asset weight); the liquidatee pays v x r:
 *   gain = w_L x 10^4 - (10^4 + r) x w_A,   penalty = r x 10^4.
 * Keeper policy, not a program rule: the program's own plan decides every amount.
 */
export function pairScore(pair: { asset: number; liability: number }, r: PairRanking): { gain: bigint; penalty: bigint } | null {
  const a = r.weights.get(pair.asset);
  const l = r.weights.get(pair.liability);
  if (!a || !l) return null;
  const bps = 10_000n;
  const rate = BigInt(r.penaltyBps);
  return { gain: BigInt(l.maintLiabWeightBps) * bps - (bps + rate) * BigInt(a.maintAssetWeightBps), penalty: rate * bps };
}

/**
 * The candidate (asset, liability) pairs, best first by expected maintenance-health gain per
 * unit of penalty (pairScore). KEEPER POLICY, NOT A PROGRAM RULE (the program takes whatever
 * its plan says from the pair it is given); it uses only numbers the pass already holds: the
 * banks' maintenance weights and the exchange's maximum penalty rate from the snapshot.
 * - Per unit of debt value taken over, a pair gains w_L - (1 + r) x w_A of maintenance health
 *   and costs the liquidatee r of penalty. Closing a shortfall S with the best pair first costs
 *   S x r / gain; when a pair runs out (asset or debt exhausted) the next best continues, and
 *   taking pairs greedily by gain / penalty is what minimizes the total penalty (a fractional
 *   knapsack), so the account is restored at the least cost to its owner.
 * - r: the program's rate grows with the depth of the shortfall (min..max of the exchange's
 *   parameters); the keeper does not port that rule and assumes the maximum for every pair. A
 *   pair that gains at the maximum gains at any lower rate; with one rate for all pairs the
 *   order is the order of gain per unit of debt value.
 * - Health is linear in the two balances only when neither bank is the spot of an underlying
 *   the account holds options on (then the scenario grid, not the weight, values the asset):
 *   the estimate ignores that, and the job skips a pair the program refuses as not improving.
 * - A pair with a bank the snapshot does not know, and ties, keep balancePairs' order.
 */
export function rankBalancePairs(
  a: Pick<MarginAccount, 'collateral'>,
  quoteBankIndex: number,
  ranking: PairRanking | null | undefined,
): { asset: number; liability: number }[] {
  const pairs = balancePairs(a, quoteBankIndex);
  if (!ranking) return pairs;
  const scored = pairs.map((p, order) => ({ p, order, s: pairScore(p, ranking) }));
  scored.sort((x, y) => {
    if (!x.s || !y.s) return x.s ? -1 : y.s ? 1 : x.order - y.order;
    // gain_x / penalty_x vs gain_y / penalty_y (penalties >= 0; a zero penalty: compare gains).
    const [lhs, rhs] = x.s.penalty > 0n && y.s.penalty > 0n ? [x.s.gain * y.s.penalty, y.s.gain * x.s.penalty] : [x.s.gain, y.s.gain];
    return lhs > rhs ? -1 : lhs < rhs ? 1 : x.order - y.order;
  });
  return scored.map((x) => x.p);
}

export type BalanceLiquidationOutcome = {
  account: Address;
  takes: number;
  /** Quote native units: penalties the liquidatee paid, and the insurance fund's share. */
  penalty: bigint;
  toInsurance: bigint;
  stop: string;
};

/** Refusals that concern the pair, not the account: the job tries its next pair. */
const PAIR_REFUSALS = new Set(['LiquidationDidNotImprove', 'BalanceTakeTooSmall']);

/**
 * One `balance_liquidate` of (asset, liability) on `liquidatee`, logged. A refusal is an answer,
 * never thrown: `pairRefused` when it concerns the pair (the next pair may still work); an RPC
 * error that outlives its retries is thrown.
 */
export async function balanceTake(
  client: MaxwellClient,
  liquidatee: Address,
  liquidator: { account: Address; signer: TransactionSigner },
  asset: Address,
  liability: Address,
  log: Logger,
): Promise<{ ok: true; event: BalanceLiquidateLog } | { ok: false; stop: string; pairRefused: boolean }> {
  try {
    const { event, result } = await withRetry('balance_liquidate', log, () => balanceLiquidate(client, liquidatee, liquidator, asset, liability));
    log('info', 'balance_liquidate', {
      liquidatee, asset, liability, liabilityAmount: event.liabilityAmount, assetAmount: event.assetAmount,
      penaltyBps: event.penaltyBps, penalty: event.penalty, toInsurance: event.toInsurance,
      maintBefore: event.maintHealthBefore, maintAfter: event.maintHealthAfter, signature: result.signature,
    });
    return { ok: true, event };
  } catch (e) {
    const name = errorNameOf(e);
    if (!name) throw e;
    if (PAIR_REFUSALS.has(name)) {
      log('info', 'balance_liquidate_pair_skipped', { liquidatee, asset, liability, reason: name });
      return { ok: false, stop: name, pairRefused: true };
    }
    log(name === 'NotLiquidatable' ? 'info' : 'warn', 'balance_liquidate_stop', { liquidatee, reason: name });
    return { ok: false, stop: name, pairRefused: false };
  }
}

/** Balances only, pair by pair (the job before liquidate-account.ts chose per step; kept for callers that want balances alone). */
export async function balanceLiquidationJob(
  client: MaxwellClient,
  liquidatee: Address,
  liquidator: { account: Address; signer: TransactionSigner },
  log: Logger,
  maxTakes = 8,
  ranking?: PairRanking | null,
): Promise<BalanceLiquidationOutcome> {
  const out: BalanceLiquidationOutcome = { account: liquidatee, takes: 0, penalty: 0n, toInsurance: 0n, stop: 'max_takes' };
  const [banks, quote] = await Promise.all([withRetry('banks', log, () => client.banksByIndex()), client.quoteBank()]);
  const refused = new Set<string>(); // pairs the program refused as not improving, this account
  while (out.takes < maxTakes) {
    const acc = await withRetry('margin_account', log, () => client.marginAccount(liquidatee));
    const candidates = rankBalancePairs(acc.data, quote.bank.bankIndex, ranking);
    const pair = candidates.find((p) => !refused.has(`${p.asset}/${p.liability}`));
    if (!pair) {
      out.stop = candidates.length === 0 ? 'nothing_to_take' : 'no_pair_improves';
      break;
    }
    const asset = banks.get(pair.asset)?.address;
    const liability = banks.get(pair.liability)?.address;
    if (!asset || !liability) {
      out.stop = `unknown_bank_${asset ? pair.liability : pair.asset}`;
      break;
    }
    let r;
    try {
      r = await balanceTake(client, liquidatee, liquidator, asset, liability, log);
    } catch (e) {
      out.stop = 'error';
      log('warn', 'balance_liquidate_stop', { liquidatee, reason: String(e), takes: out.takes });
      break;
    }
    if (r.ok) {
      out.takes++;
      out.penalty += r.event.penalty;
      out.toInsurance += r.event.toInsurance;
      if (r.event.maintHealthAfter >= 0n) {
        out.stop = 'restored';
        break;
      }
      continue;
    }
    if (r.pairRefused) {
      refused.add(`${pair.asset}/${pair.liability}`);
      continue;
    }
    out.stop = r.stop;
    break;
  }
  return out;
}
