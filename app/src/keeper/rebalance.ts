// Job `rebalance`: for every owner policy of the exchange (getProgramAccounts: RebalancePolicy
// discriminator + exchange at offset 8), every listed destination some sibling may feed whose
// maintenance health (a simulated account_health, as the scan does) is under the policy's
// trigger gets one rebalance_accounts of quote from the source that can spare the most while
// keeping its maintenance health at or above the policy target and its initial health >= 0.
// Amount = min(max_per_move, what is left of the day's limit, what brings the destination back
// to about 2x the trigger after the keeper fee, what the source can spare). The day window and
// the keeper fee are the program's own (RebalancePolicy::day_at / keeper_fee, in WASM:
// rules-wasm.ts). The fee goes to the keeper's own margin account. Refusals (another keeper
// was first, prices moved) are logged and the next destination is tried. Only the quote bank is moved (its value is its amount).
import type { Address, TransactionSigner } from '@solana/kit';

import type { RebalancePolicy } from '../accounts.js';
import { clusterTime } from '../clock.js';
import type { MaxwellClient } from '../client.js';
import type { HealthLog } from '../events.js';
import { policiesOf, policyAccounts, rebalanceAccounts } from '../rebalance.js';
import { constants, keeperFee, policyDay, shareValue } from '../rules-wasm.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

/** A candidate source: its health now and the quote it holds (native, positive part). */
export type SourceView = { index: number; account: Address; maint: bigint; init: bigint; quote: bigint };

export type RebalancePlan =
  | { move: true; sourceIndex: number; source: Address; amount: bigint; fee: bigint; reason: string }
  | { move: false; reason: string };

/**
 * What a source can give without going below the policy target (maintenance) or its initial
 * margin, nor beyond its positive quote balance; `dust` native units are kept back for share
 * rounding when the quote index is not 1.0.
 */
export function spare(s: Pick<SourceView, 'maint' | 'init' | 'quote'>, targetHealth: bigint, dust = 0n): bigint {
  let x = s.maint - targetHealth;
  if (s.init < x) x = s.init;
  if (s.quote < x) x = s.quote;
  x -= dust;
  return x > 0n ? x : 0n;
}

/**
 * The smallest gross amount whose net (after the program's keeper fee under `policy`) is at
 * least `net`: from `net` up by the shortfall, which never skips the answer (the net grows by at
 * most one unit per unit of gross).
 */
export function grossForNet(policy: RebalancePolicy, net: bigint): bigint {
  let gross = net > 0n ? net : 0n;
  for (;;) {
    const short = net - (gross - keeperFee(policy, gross));
    if (short <= 0n) return gross;
    gross += short;
  }
}

/**
 * The move for one destination (pure): nothing if its maintenance health is at or above the
 * trigger; otherwise the feeding source that can spare the most, and
 * amount = min(max_per_move, day left, gross amount restoring ~2x trigger, that spare).
 */
export function planRebalance(input: {
  policy: RebalancePolicy;
  now: bigint;
  destinationIndex: number;
  destinationMaint: bigint;
  sources: readonly SourceView[];
  dust?: bigint;
}): RebalancePlan {
  const { policy: p, destinationMaint } = input;
  if (destinationMaint >= p.triggerHealth) return { move: false, reason: 'above_trigger' };
  const bits = p.feeds[input.destinationIndex] ?? 0;
  const feeding = input.sources.filter((s) => s.index !== input.destinationIndex && (bits & (1 << s.index)) !== 0);
  if (feeding.length === 0) return { move: false, reason: 'no_source' };
  const ranked = feeding
    .map((s) => ({ s, spare: spare(s, p.targetHealth, input.dust ?? 0n) }))
    .sort((a, b) => (a.spare > b.spare ? -1 : a.spare < b.spare ? 1 : a.s.index - b.s.index));
  const best = ranked[0]!;
  if (best.spare <= 0n) return { move: false, reason: 'no_source_can_spare' };
  const left = policyDay(p, input.now).dayLeft;
  if (left <= 0n) return { move: false, reason: 'day_limit' };
  const need = grossForNet(p, 2n * p.triggerHealth - destinationMaint);
  let amount = need;
  let reason = 'restore_2x_trigger';
  for (const [cap, why] of [[p.maxPerMove, 'max_per_move'], [left, 'day_limit'], [best.spare, 'source_spare']] as const) {
    if (cap < amount) [amount, reason] = [cap, why];
  }
  if (amount <= 0n) return { move: false, reason: 'nothing_to_move' };
  return { move: true, sourceIndex: best.s.index, source: best.s.account, amount, fee: keeperFee(p, amount), reason };
}

export type RebalanceOutcome = { policy: Address; source: Address; destination: Address; amount: bigint; fee: bigint; destinationMaintAfter: bigint };

export async function rebalanceJob(
  client: MaxwellClient,
  keeper: { account: Address; signer: TransactionSigner },
  log: Logger,
): Promise<RebalanceOutcome[]> {
  const policies = await withRetry('policies', log, () => policiesOf(client));
  if (policies.length === 0) return [];
  const quote = await withRetry('quote_bank', log, () => client.quoteBank());
  const out: RebalanceOutcome[] = [];
  for (const pol of policies) {
    const p = pol.data;
    const listed = policyAccounts(p).filter(({ account }) => account !== keeper.account);
    if (!listed.some(({ index }) => (p.feeds[index] ?? 0) !== 0)) continue;
    const health = new Map<Address, HealthLog | null>();
    const healthOf = async (a: Address) => {
      if (!health.has(a)) {
        try {
          health.set(a, await withRetry('account_health', log, () => client.health(a, keeper.signer.address)));
        } catch (e) {
          log('info', 'health_unavailable', { account: a, error: errorNameOf(e) ?? String(e) });
          health.set(a, null);
        }
      }
      return health.get(a) ?? null;
    };
    for (const dst of listed) {
      if ((p.feeds[dst.index] ?? 0) === 0) continue;
      const dh = await healthOf(dst.account);
      if (!dh || dh.maintHealth >= p.triggerHealth) continue;
      const [now, qb] = await Promise.all([withRetry('clock', log, () => clusterTime(client.conn)), withRetry('bank', log, () => client.bankState(quote.address))]);
      const sources: SourceView[] = [];
      for (const src of listed) {
        if (src.index === dst.index || ((p.feeds[dst.index] ?? 0) & (1 << src.index)) === 0) continue;
        const sh = await healthOf(src.account);
        if (!sh) continue;
        const acc = (await withRetry('margin_account', log, () => client.marginAccount(src.account))).data;
        const slot = acc.collateral.find((s) => s.inUse === 1 && s.bankIndex === quote.bank.bankIndex);
        const q = slot ? shareValue(slot.balance, qb.data) : 0n; // at the stored indices, as the program's balance check
        sources.push({ index: src.index, account: src.account, maint: sh.maintHealth, init: sh.initHealth, quote: q > 0n ? q : 0n });
      }
      const one = constants().indexOne;
      const dust = qb.data.depositIndex === one && qb.data.borrowIndex === one ? 0n : 2n;
      const plan = planRebalance({ policy: p, now, destinationIndex: dst.index, destinationMaint: dh.maintHealth, sources, dust });
      if (!plan.move) {
        log('info', 'rebalance_skip', { policy: pol.address, destination: dst.account, maint: dh.maintHealth, trigger: p.triggerHealth, reason: plan.reason });
        continue;
      }
      try {
        const { event, result } = await withRetry('rebalance_accounts', log, () =>
          rebalanceAccounts(client, keeper, p.owner, plan.source, dst.account, quote.address, plan.amount),
        );
        out.push({ policy: pol.address, source: plan.source, destination: dst.account, amount: event.amount, fee: event.fee, destinationMaintAfter: event.destinationMaintAfter });
        health.delete(plan.source);
        health.delete(dst.account);
        log('info', 'rebalance_accounts', {
          policy: pol.address, source: plan.source, destination: dst.account, amount: event.amount, fee: event.fee, value: event.value,
          reason: plan.reason, destinationMaintBefore: event.destinationMaintBefore, destinationMaintAfter: event.destinationMaintAfter,
          sourceMaintAfter: event.sourceMaintAfter, signature: result.signature,
        });
      } catch (e) {
        const name = errorNameOf(e);
        const expected = ['RebalanceNotTriggered', 'RebalanceSourceBelowTarget', 'RebalanceLimitExceeded', 'InsufficientBalance'].includes(name ?? '');
        log(expected ? 'info' : 'warn', 'rebalance_refused', { policy: pol.address, source: plan.source, destination: dst.account, amount: plan.amount, error: name ?? String(e) });
      }
    }
  }
  return out;
}
