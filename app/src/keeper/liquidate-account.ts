// Job `liquidate_account`: one account under maintenance, step by step, each step either ONE
// option contract (`liquidate`, liquidate.ts) or ONE balance take (`balance_liquidate`,
// balance-liquidate.ts), until the account is restored, nothing is left to take, or both kinds
// have stopped. Which kind each step is: KEEPER POLICY, NOT A PROGRAM RULE (chooseStep): the
// kind whose next step has the larger EXPECTED maintenance-health gain per unit of penalty the
// liquidatee pays, recomputed before every step from the account's fresh bytes and the pass's
// snapshot (the program decides every amount; this only picks the order):
// - option step (optionStepScore): the next leg (nextLeg: one contract of the largest short,
//   else of the largest long). Its effect on the positions is EXACT: the program's own health
//   code (WASM, snapshot.ts healthOfAll) on the account as it is and on the same account with
//   that contract removed. The quote the liquidatee receives for it (value - penalty, value =
//   size x mark) is added at the quote bank's maintenance weight. The penalty is an ESTIMATE:
//   the program's penalty rule (maxwell_engine::plans::liquidation::penalty_rate and
//   leg_value) is not exposed in WASM, so the keeper assumes the exchange's MAXIMUM rate
//   (liq_penalty_max_bps) on the base the program documents (|size| x mark, for a short
//   |size| x max(mark, short minimum), from the series' risk array in the snapshot).
// - balance step (balanceStepScore): the best (asset, debt) pair of rankBalancePairs, scored
//   per unit of debt value by pairScore (banks' maintenance weights, the same assumed maximum
//   rate). Linear in the balances: it ignores a bank that is the spot of an underlying the
//   account holds options on (there the scenario grid, not the weight, values it).
// Both ratios are dimensionless (health per unit of penalty), so they compare directly. The
// program's real rate grows with the shortfall's depth, over the maintenance requirement for
// options and over (requirement + debt value) for balances, so balances pay at most the options
// rate; assuming the same maximum for both is the approximation (it favours options slightly).
// A kind with no estimate (a bank or underlying the snapshot lacks, health refused) comes after
// every kind expected to gain, one expected to lose last; ties and no estimate at all keep the
// old order (options, then balances). A kind the program refuses stops for this account; the
// other continues (either order ends protected: tests-litesvm balance_liquidation.rs).
import { fetchEncodedAccount, type Address, type TransactionSigner } from '@solana/kit';

import type { MarginAccount } from '../accounts.js';
import type { MaxwellClient } from '../client.js';
import { getMarginAccountEncoder, getUnderlyingDecoder, type Underlying } from '../generated/maxwell/index.js';
import type { HealthEngine } from '../health-wasm.js';
import { COMMITMENT } from '../config.js';
import { balanceTake, pairScore, rankBalancePairs, type BalanceLiquidationOutcome, type PairRanking } from './balance-liquidate.js';
import { decodeMarginAccountBytes } from './decode.js';
import { liquidateOne, liveSeriesOf, nextLeg, type LiquidationOutcome } from './liquidate.js';
import type { Logger } from './log.js';
import { withRetry } from './retry.js';
import { healthOfAll, type KeeperSnapshot } from './snapshot.js';

/** An expected step: maintenance-health gain and penalty, in one unit per kind (their ratio is what counts). */
export type StepScore = { gain: bigint; penalty: bigint };
export type StepKind = 'options' | 'balances';

const BPS = 10_000n;

/**
 * The expected effect of taking one contract `leg` (size +-1, the position's sign) from `account`:
 * gain = maint(account without it) - maint(account) [the program's health, `maintOf`]
 *        + (value - penalty) at the quote bank's maintenance weight (asset weight when the liquidatee
 *        receives quote, liability weight when it pays),
 * value = size x max(mark, 0), penalty = ceil(|size| x base x penaltyBps / 10^4), base = mark, for a
 * short max(mark, short minimum) (the program's documented base; the rate is the assumed maximum).
 * Null when a health is unavailable or the account does not hold the leg.
 */
export function optionStepScore(input: {
  account: MarginAccount;
  leg: { underlyingIndex: number; seriesIndex: number; size: bigint };
  risk: { mark: bigint; shortMin: bigint };
  penaltyBps: number;
  quoteWeights?: { maintAssetWeightBps: number; maintLiabWeightBps: number };
  maintOf: (a: MarginAccount) => bigint | null;
}): StepScore | null {
  const { account, leg, risk } = input;
  const k = account.positions.findIndex((p) => p.inUse === 1 && p.underlyingIndex === leg.underlyingIndex && p.seriesIndex === leg.seriesIndex && p.size !== 0n);
  if (k < 0) return null;
  const before = input.maintOf(account);
  if (before === null) return null;
  const positions = account.positions.map((p, i) => (i === k ? { ...p, size: p.size - leg.size } : p));
  const after = input.maintOf({ ...account, positions });
  if (after === null) return null;
  const mark = risk.mark > 0n ? risk.mark : 0n;
  const abs = leg.size < 0n ? -leg.size : leg.size;
  const per = leg.size < 0n && risk.shortMin > mark ? risk.shortMin : mark;
  const penalty = (abs * per * BigInt(input.penaltyBps) + BPS - 1n) / BPS;
  const move = leg.size * mark - penalty;
  const w = BigInt(move >= 0n ? (input.quoteWeights?.maintAssetWeightBps ?? 10_000) : (input.quoteWeights?.maintLiabWeightBps ?? 10_000));
  const weighted = move >= 0n ? (move * w) / BPS : -((-move * w + BPS - 1n) / BPS);
  return { gain: after - before + weighted, penalty };
}

/** The expected effect of the best balance pair, per unit of its debt value (pairScore); null without weights. */
export function balanceStepScore(pair: { asset: number; liability: number } | null | undefined, ranking: PairRanking | null | undefined): StepScore | null {
  return pair && ranking ? pairScore(pair, ranking) : null;
}

/** x ranks before y: a larger gain per unit of penalty (a zero penalty with a gain beats any positive one). */
function better(x: StepScore, y: StepScore): number {
  if (x.penalty === 0n || y.penalty === 0n) {
    if (x.penalty === 0n && y.penalty === 0n) return 0;
    return x.penalty === 0n ? 1 : -1;
  }
  const l = x.gain * y.penalty;
  const r = y.gain * x.penalty;
  return l > r ? 1 : l < r ? -1 : 0;
}

/**
 * The kinds to try for the next step, best first (keeper policy): kinds expected to gain, by
 * gain per unit of penalty (ties: options first); then kinds with no estimate; then kinds
 * expected to lose (the program may still find they improve: its health is the judge). A kind
 * not available (`null` candidate) is left out.
 */
export function chooseStep(c: { options: { available: boolean; score: StepScore | null }; balances: { available: boolean; score: StepScore | null } }): StepKind[] {
  const tier = (s: StepScore | null) => (s === null ? 1 : s.gain > 0n ? 0 : 2);
  const kinds = (['options', 'balances'] as const).filter((k) => c[k].available);
  return [...kinds].sort((a, b) => {
    const [sa, sb] = [c[a].score, c[b].score];
    const t = tier(sa) - tier(sb);
    if (t !== 0) return t;
    if (sa && sb && tier(sa) === 0) {
      const d = better(sb, sa);
      if (d !== 0) return d;
    }
    return a === 'options' ? -1 : 1; // the old order
  });
}

/** What the choice reads, once per pass: the scan's snapshot, the balance ranking, the health engine. */
export type ChoiceContext = {
  snapshot: KeeperSnapshot;
  ranking: PairRanking | null;
  engine?: HealthEngine;
  /** Underlyings decoded from the snapshot's bytes, by index (filled lazily). */
  underlyings?: Map<number, Underlying | null>;
};

function underlyingOf(ctx: ChoiceContext, index: number): Underlying | null {
  ctx.underlyings ??= new Map();
  if (!ctx.underlyings.has(index)) {
    const dir = ctx.snapshot.underlyings.find((u) => u.underlying.underlyingIndex === index);
    const raw = dir ? ctx.snapshot.raw.get(dir.address) : undefined;
    ctx.underlyings.set(index, raw ? getUnderlyingDecoder().decode(raw.data) : null);
  }
  return ctx.underlyings.get(index) ?? null;
}

/** Maintenance health of a (possibly hypothetical) state of `address` over the pass's snapshot, by the program's code. */
export function maintOver(ctx: ChoiceContext, address: Address): (a: MarginAccount) => bigint | null {
  const enc = getMarginAccountEncoder();
  return (a) => {
    const bytes = new Uint8Array(enc.encode(a));
    const [r] = healthOfAll(ctx.snapshot, [{ address, data: a, bytes }], { engine: ctx.engine });
    return r?.kind === 'health' ? r.health.maintHealth : null;
  };
}

export type AccountLiquidation = {
  account: Address;
  /** Present when the account holds option positions (as the old options-first job reported). */
  options: LiquidationOutcome | null;
  /** Present when a balance step was tried, or the account holds no options. */
  balances: BalanceLiquidationOutcome | null;
  /** The kind of every step taken or tried, in order. */
  steps: StepKind[];
};

export async function liquidateAccountJob(
  client: MaxwellClient,
  target: { account: Address; hasOptions: boolean },
  liquidator: { account: Address; signer: TransactionSigner },
  log: Logger,
  limits: { maxContracts: number; maxTakes?: number },
  now: bigint,
  ctx: ChoiceContext | null,
): Promise<AccountLiquidation> {
  const liquidatee = target.account;
  const maxTakes = limits.maxTakes ?? 8;
  const opt: LiquidationOutcome = { account: liquidatee, contracts: 0, penalty: 0n, toInsurance: 0n, stop: 'max_contracts' };
  const bal: BalanceLiquidationOutcome = { account: liquidatee, takes: 0, penalty: 0n, toInsurance: 0n, stop: 'max_takes' };
  const steps: StepKind[] = [];
  let optionsOpen = target.hasOptions;
  let balancesOpen = true;
  let balanceTried = false;
  const [unders, banks, quote] = await Promise.all([
    withRetry('underlyings', log, () => client.underlyingsByIndex()),
    withRetry('banks', log, () => client.banksByIndex()),
    client.quoteBank(),
  ]);
  const isLive = liveSeriesOf(unders, now);
  const refused = new Set<string>(); // balance pairs the program refused as not improving
  let done = false;
  while (!done && (optionsOpen || balancesOpen)) {
    const fetched = await withRetry('margin_account', log, () => fetchEncodedAccount(client.conn.rpc, liquidatee, { commitment: COMMITMENT }));
    if (!fetched.exists) break;
    const acc = decodeMarginAccountBytes(fetched.data as Uint8Array);
    // Candidates of each kind.
    const leg = optionsOpen && opt.contracts < limits.maxContracts ? nextLeg(acc, isLive) : null;
    if (optionsOpen && opt.contracts >= limits.maxContracts) optionsOpen = false;
    if (optionsOpen && !leg) {
      opt.stop = 'no_live_position';
      optionsOpen = false;
    }
    const candidates = balancesOpen && bal.takes < maxTakes ? rankBalancePairs(acc, quote.bank.bankIndex, ctx?.ranking) : [];
    if (balancesOpen && bal.takes >= maxTakes) balancesOpen = false;
    const pair = candidates.find((p) => !refused.has(`${p.asset}/${p.liability}`));
    if (balancesOpen && !pair) {
      bal.stop = candidates.length === 0 ? 'nothing_to_take' : 'no_pair_improves';
      balancesOpen = false;
    }
    if (!leg && !pair) break;
    // Scores (estimates) and the choice.
    let optScore: StepScore | null = null;
    if (leg && ctx) {
      const u = underlyingOf(ctx, leg.underlyingIndex);
      const risk = u?.risk[leg.seriesIndex];
      if (risk && ctx.ranking) {
        optScore = optionStepScore({
          account: acc, leg, risk, penaltyBps: ctx.ranking.penaltyBps,
          quoteWeights: ctx.ranking.weights.get(quote.bank.bankIndex), maintOf: maintOver(ctx, liquidatee),
        });
      }
    }
    const balScore = balanceStepScore(pair, ctx?.ranking);
    const order = chooseStep({ options: { available: !!leg, score: optScore }, balances: { available: !!pair, score: balScore } });
    const kind = order[0]!;
    if (leg && pair) {
      log('info', 'liquidation_choice', { liquidatee, kind, options: optScore, balances: balScore, pair });
    }
    steps.push(kind);
    if (kind === 'options') {
      const underlying = unders.get(leg!.underlyingIndex)?.address;
      if (!underlying) {
        opt.stop = `unknown_underlying_${leg!.underlyingIndex}`;
        optionsOpen = false;
        continue;
      }
      const r = await liquidateOne(client, liquidatee, liquidator, underlying, leg!, log).catch((e: unknown) => {
        log('warn', 'liquidate_stop', { liquidatee, reason: String(e), contracts: opt.contracts });
        return { ok: false as const, stop: 'error' };
      });
      if (r.ok) {
        opt.contracts++;
        opt.penalty += r.event.penalty;
        opt.toInsurance += r.event.toInsurance;
        continue;
      }
      opt.stop = r.stop;
      optionsOpen = false;
      if (r.stop === 'NotLiquidatable') done = true; // restored (or another keeper got there first)
    } else {
      balanceTried = true;
      const asset = banks.get(pair!.asset)?.address;
      const liability = banks.get(pair!.liability)?.address;
      if (!asset || !liability) {
        bal.stop = `unknown_bank_${asset ? pair!.liability : pair!.asset}`;
        balancesOpen = false;
        continue;
      }
      const r = await balanceTake(client, liquidatee, liquidator, asset, liability, log).catch((e: unknown) => {
        log('warn', 'balance_liquidate_stop', { liquidatee, reason: String(e), takes: bal.takes });
        return { ok: false as const, stop: 'error', pairRefused: false };
      });
      if (r.ok) {
        bal.takes++;
        bal.penalty += r.event.penalty;
        bal.toInsurance += r.event.toInsurance;
        if (r.event.maintHealthAfter >= 0n) {
          bal.stop = 'restored';
          if (optionsOpen) opt.stop = 'restored_by_balances';
          done = true;
        }
        continue;
      }
      if (r.pairRefused) {
        refused.add(`${pair!.asset}/${pair!.liability}`);
        continue;
      }
      bal.stop = r.stop;
      balancesOpen = false;
      if (r.stop === 'NotLiquidatable') {
        if (optionsOpen) opt.stop = 'NotLiquidatable';
        done = true;
      }
    }
  }
  return {
    account: liquidatee,
    options: target.hasOptions ? opt : null,
    balances: balanceTried || !target.hasOptions ? bal : null,
    steps,
  };
}
