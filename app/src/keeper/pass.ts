// One keeper pass: execute the governance changes whose timelock has passed (first, so that the
// rest of the pass sees the exchange as it now is), settle expired expiries (settlement price from
// the window, every holder and leftover, then retire what nobody holds: settle.ts), refresh stale risk arrays, list the
// expiries the underlyings' listing schedules ask for (listing.ts), scan every account for
// maintenance (one batched snapshot, health in memory: scan.ts; refreshing underlyings whose
// arrays a health read found stale, then scanning again), rebalance accounts under their policy
// trigger, liquidate (option contracts or balance takes, the kind chosen per step by expected
// health per unit of penalty: liquidate-account.ts), resolve bankruptcies left
// by liquidations, accrue interest, crank realized volatility (each of the last four, and
// governance and listing, switchable, k.jobs). Every job logs and swallows its own failures: a pass never throws for a
// refusal or an RPC error that outlived its retries.
import type { Address, TransactionSigner } from '@solana/kit';

import { insuranceAddress } from '../liquidation.js';
import { clusterTime } from '../clock.js';
import type { MaxwellClient } from '../client.js';
import { accrueJob } from './accrue.js';
import { bankruptcyJob, type BankruptcyOutcome } from './bankruptcy.js';
import { DEFAULT_JOBS, type JobConfig } from './config.js';
import { governanceJob, type GovernanceOutcome } from './governance.js';
import { pairRankingOf, type BalanceLiquidationOutcome } from './balance-liquidate.js';
import { liquidateAccountJob, type StepKind } from './liquidate-account.js';
import type { LiquidationOutcome } from './liquidate.js';
import { listingJob, type ListingOutcome } from './listing.js';
import { observeJob } from './observe.js';
import { realizedVolJob } from './realized-vol.js';
import { rebalanceJob, type RebalanceOutcome } from './rebalance.js';
import type { Logger } from './log.js';
import { refreshJob } from './refresh.js';
import { withRetry } from './retry.js';
import { scan } from './scan.js';
import { settleJob, type SettleOutcome, type WindowPriceSource } from './settle.js';

export type Keeper = {
  client: MaxwellClient;
  signer: TransactionSigner;
  /** The keeper's own margin account (receives what it takes over). */
  liquidatorAccount: Address;
  log: Logger;
  maxContractsPerAccount: number;
  /** Which of the optional jobs run, and how often (default: DEFAULT_JOBS, all on). */
  jobs?: Partial<JobConfig>;
  /** Graceful shutdown (main.ts): when true, the pass starts no further job or account; a transaction in flight completes. */
  shouldStop?: () => boolean;
  /**
   * Posts an in-window price update when the oracle account's price is outside an expiry's
   * settlement window (settle.ts). Locally: oracle.ts mockWindowPriceSource (TEST ONLY); the
   * mainnet source (Hermes historical update posted through the Pyth receiver) is not built.
   */
  windowPrice?: WindowPriceSource;
};

export type PassReport = {
  /** Proposals executed (gov_execute) this pass. */
  governanceExecuted: GovernanceOutcome[];
  settled: SettleOutcome;
  refreshed: number;
  /** Expiries listed by listing_execute (one per execution). */
  listings: ListingOutcome[];
  rebalances: RebalanceOutcome[];
  /** One per account under maintenance holding options (contracts taken, why it stopped). */
  liquidations: LiquidationOutcome[];
  /** One per account under maintenance with no options, or on which a balance take was tried. */
  balanceLiquidations: BalanceLiquidationOutcome[];
  /** The kind of every liquidation step, per account (keeper policy: liquidate-account.ts chooseStep). */
  liquidationSteps: { account: Address; steps: StepKind[] }[];
  bankruptcies: BankruptcyOutcome[];
  accrued: number;
  realizedVol: number;
  observed: number;
};

export async function runPass(k: Keeper): Promise<PassReport> {
  const { client, signer, log } = k;
  const jobs: JobConfig = { ...DEFAULT_JOBS, ...k.jobs };
  const report: PassReport = { governanceExecuted: [], settled: { prices: 0, accounts: 0, leftovers: 0, retired: 0 }, refreshed: 0, listings: [], rebalances: [], liquidations: [], balanceLiquidations: [], liquidationSteps: [], bankruptcies: [], accrued: 0, realizedVol: 0, observed: 0 };
  const stop = k.shouldStop ?? (() => false);
  const step = async <T>(name: string, f: () => Promise<T>): Promise<T | null> => {
    if (stop()) return null;
    try {
      return await f();
    } catch (e) {
      log('error', 'job_failed', { job: name, error: String(e) });
      return null;
    }
  };
  if (jobs.governanceEnabled) report.governanceExecuted = (await step('governance', () => governanceJob(client, signer, log))) ?? [];
  const skip = new Set<Address>([k.liquidatorAccount, await insuranceAddress(client.exchange)]);
  let found = await step('scan', () => scan(client, signer.address, log, skip));
  if (found) report.settled = (await step('settle', () => settleJob(client, signer, found!.accounts, log, k.windowPrice ? { windowPrice: k.windowPrice } : {}))) ?? report.settled;
  const refreshed = await step('refresh', () => refreshJob(client, signer, log, found?.staleUnderlyings));
  report.refreshed = refreshed ?? 0;
  // The refresh job has just read every underlying (client cache): the listing job reuses it.
  if (jobs.listingEnabled) report.listings = (await step('listing', () => listingJob(client, signer, log, { reuseRead: refreshed !== null }))) ?? [];
  if (report.settled.accounts > 0 || report.refreshed > 0) found = await step('scan', () => scan(client, signer.address, log, skip));
  const keeper = { account: k.liquidatorAccount, signer };
  if (jobs.rebalanceEnabled) report.rebalances = (await step('rebalance', () => rebalanceJob(client, keeper, log))) ?? [];
  if (found) {
    const now = (await step('clock', () => withRetry('clock', log, () => clusterTime(client.conn)))) ?? 0n;
    // What the per-step choice reads (keeper policy, liquidate-account.ts): this scan's
    // snapshot (bank weights, the exchange's maximum penalty, risk arrays) and the health engine.
    const ctx = { snapshot: found.snapshot, ranking: pairRankingOf(found.snapshot) };
    // A destination the rebalance job just brought back to maintenance health >= 0 (scanned
    // before it) is not tried: the program would refuse it (NotLiquidatable).
    const rebalanced = new Set(report.rebalances.filter((r) => r.destinationMaintAfter >= 0n).map((r) => r.destination));
    for (const target of found.liquidatable) {
      if (stop()) break;
      if (rebalanced.has(target.account)) continue;
      // Step by step, option contracts or balance takes, whichever is expected to restore more
      // maintenance health per unit of penalty (the program refuses any take beyond restoring
      // the account; both orders end protected: tests-litesvm/tests/program/balance_liquidation.rs).
      // What is left with nothing positive goes to the bankruptcy job below.
      const r = await step('liquidate_account', () =>
        liquidateAccountJob(client, target, keeper, log, { maxContracts: k.maxContractsPerAccount }, now, ctx),
      );
      if (!r) continue;
      if (r.options) report.liquidations.push(r.options);
      if (r.balances) report.balanceLiquidations.push(r.balances);
      report.liquidationSteps.push({ account: r.account, steps: r.steps });
    }
  }
  if (jobs.bankruptcyEnabled) report.bankruptcies = (await step('bankruptcy', () => bankruptcyJob(client, signer, log, skip))) ?? [];
  if (jobs.accrueEnabled) report.accrued = (await step('accrue', () => accrueJob(client, signer, log, jobs.accrueIntervalSecs))) ?? 0;
  if (jobs.realizedVolEnabled) report.realizedVol = (await step('realized_vol', () => realizedVolJob(client, signer, log, jobs.realizedVolIntervalSecs))) ?? 0;
  if (jobs.observeEnabled && found) {
    const now = (await step('clock', () => withRetry('clock', log, () => clusterTime(client.conn)))) ?? 0n;
    report.observed = (await step('observe', () => observeJob(client, signer, found!.accounts, now, log, jobs.observeIntervalSecs, skip))) ?? 0;
  }
  log('info', 'pass_done', {
    governanceExecuted: report.governanceExecuted.map((g) => ({ id: g.id, change: g.change, target: g.target })),
    ...report.settled, refreshed: report.refreshed,
    listed: report.listings.map((l) => ({ underlying: l.underlying, expiry: l.expiry, strikes: l.strikes })),
    rebalanced: report.rebalances.map((r) => ({ destination: r.destination, amount: r.amount })),
    liquidated: report.liquidations.map((l) => ({ account: l.account, contracts: l.contracts, stop: l.stop })),
    balanceLiquidated: report.balanceLiquidations.map((b) => ({ account: b.account, takes: b.takes, stop: b.stop })),
    bankruptcies: report.bankruptcies.map((b) => ({ account: b.account, owed: b.owed, socialized: b.socialized })),
    accrued: report.accrued, realizedVol: report.realizedVol, observed: report.observed,
  });
  return report;
}
