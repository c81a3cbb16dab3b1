// One keeper pass: settle expired expiries, refresh stale risk arrays, scan for accounts under
// maintenance (refreshing underlyings whose arrays a health read found stale, then scanning
// again), liquidate them. Every job logs and swallows its own failures: a pass never throws
// for a refusal or an RPC error that outlived its retries.
import type { Address, TransactionSigner } from '@solana/kit';

import { insuranceAddress } from '../liquidation.js';
import { clusterTime } from '../clock.js';
import type { MaxwellClient } from '../client.js';
import { liquidateJob, type LiquidationOutcome } from './liquidate.js';
import type { Logger } from './log.js';
import { refreshJob } from './refresh.js';
import { withRetry } from './retry.js';
import { scan } from './scan.js';
import { settleJob } from './settle.js';

export type Keeper = {
  client: MaxwellClient;
  signer: TransactionSigner;
  /** The keeper's own margin account (receives what it takes over). */
  liquidatorAccount: Address;
  log: Logger;
  maxContractsPerAccount: number;
};

export type PassReport = { settled: { prices: number; accounts: number }; refreshed: number; liquidations: LiquidationOutcome[] };

export async function runPass(k: Keeper): Promise<PassReport> {
  const { client, signer, log } = k;
  const report: PassReport = { settled: { prices: 0, accounts: 0 }, refreshed: 0, liquidations: [] };
  const step = async <T>(name: string, f: () => Promise<T>): Promise<T | null> => {
    try {
      return await f();
    } catch (e) {
      log('error', 'job_failed', { job: name, error: String(e) });
      return null;
    }
  };
  const skip = new Set<Address>([k.liquidatorAccount, await insuranceAddress(client.exchange)]);
  let found = await step('scan', () => scan(client, signer.address, log, skip));
  if (found) report.settled = (await step('settle', () => settleJob(client, signer, found!.accounts, log))) ?? report.settled;
  report.refreshed = (await step('refresh', () => refreshJob(client, signer, log, found?.staleUnderlyings))) ?? 0;
  if (report.settled.accounts > 0 || report.refreshed > 0) found = await step('scan', () => scan(client, signer.address, log, skip));
  if (!found) return report;
  const now = (await step('clock', () => withRetry('clock', log, () => clusterTime(client.conn)))) ?? 0n;
  for (const { account } of found.liquidatable) {
    const r = await step('liquidate', () =>
      liquidateJob(client, account, { account: k.liquidatorAccount, signer }, log, k.maxContractsPerAccount, now),
    );
    if (r) report.liquidations.push(r);
  }
  log('info', 'pass_done', { ...report.settled, refreshed: report.refreshed, liquidated: report.liquidations.map((l) => ({ account: l.account, contracts: l.contracts, stop: l.stop })) });
  return report;
}
