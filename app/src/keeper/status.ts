// The keeper's status file (`--status-file <path>`): what an operator or a monitor reads while
// it runs, rewritten atomically (temp file + rename) after every pass and once more on shutdown.
// Fields: state (running | stopping | stopped), passes, accounts scanned (last pass and total),
// liquidations (accounts, option contracts, balance takes: last pass and total), settlement
// (settlement prices set, accounts settled, expiries retired: last pass and total), failures (error
// log lines: failed jobs and passes; last pass and total, with the last error), lag behind the
// cluster (the confirmed slot when the pass began reading and when it ended, and their
// difference: how old the state it acted on was when it finished), last pass time and duration.
import { renameSync, writeFileSync } from 'node:fs';

import type { Address } from '@solana/kit';

import type { Logger } from './log.js';
import type { PassReport } from './pass.js';

export type KeeperCounts = {
  accountsScanned: number;
  liquidatedAccounts: number;
  contracts: number;
  balanceTakes: number;
  /** expiry_settle_price sent by this keeper. */
  settlementPrices: number;
  /** account_settle sent by this keeper (leftovers of retired expiries included). */
  accountsSettled: number;
  /** expiry_retire sent by this keeper: expiry slots freed for new listings. */
  retirements: number;
  /** listing_execute sent by this keeper: expiries listed by the underlyings' schedules. */
  listings: number;
  failures: number;
};

export type KeeperStatus = {
  pid: number;
  keeper: Address;
  exchange: Address;
  liquidatorAccount: Address;
  state: 'running' | 'stopping' | 'stopped';
  startedAt: string;
  updatedAt: string;
  passes: number;
  lastPassAt: string | null;
  lastPassMs: number | null;
  lastPass: KeeperCounts;
  total: KeeperCounts;
  lastError: string | null;
  lag: { passStartSlot: string; passEndSlot: string; slots: number } | null;
};

const zero = (): KeeperCounts => ({ accountsScanned: 0, liquidatedAccounts: 0, contracts: 0, balanceTakes: 0, settlementPrices: 0, accountsSettled: 0, retirements: 0, listings: 0, failures: 0 });

export class StatusTracker {
  readonly status: KeeperStatus;
  private pass = zero();

  constructor(
    private readonly path: string | null,
    who: { keeper: Address; exchange: Address; liquidatorAccount: Address },
  ) {
    const now = new Date().toISOString();
    this.status = { pid: process.pid, ...who, state: 'running', startedAt: now, updatedAt: now, passes: 0, lastPassAt: null, lastPassMs: null, lastPass: zero(), total: zero(), lastError: null, lag: null };
    this.write();
  }

  /** Wraps a logger: counts error lines (failed jobs and passes) and the scan's account count. */
  logger(inner: Logger): Logger {
    return (level, event, fields) => {
      if (level === 'error') {
        this.pass.failures++;
        this.status.total.failures++;
        this.status.lastError = `${event}: ${String(fields?.error ?? '')}`;
      }
      if (event === 'scan' && typeof fields?.accounts === 'number') this.pass.accountsScanned = fields.accounts;
      inner(level, event, fields);
    };
  }

  beginPass(): void {
    this.pass = zero();
  }

  /** After a pass (`report` null when it threw): counts, time, lag. */
  endPass(report: PassReport | null, ms: number, slots: { start: bigint; end: bigint } | null): void {
    const p = this.pass;
    if (report) {
      const accounts = new Set<Address>([...report.liquidations.filter((l) => l.contracts > 0).map((l) => l.account), ...report.balanceLiquidations.filter((b) => b.takes > 0).map((b) => b.account)]);
      p.liquidatedAccounts = accounts.size;
      p.contracts = report.liquidations.reduce((s, l) => s + l.contracts, 0);
      p.balanceTakes = report.balanceLiquidations.reduce((s, b) => s + b.takes, 0);
      p.settlementPrices = report.settled?.prices ?? 0;
      p.accountsSettled = report.settled?.accounts ?? 0;
      p.retirements = report.settled?.retired ?? 0;
      p.listings = report.listings?.length ?? 0;
    }
    const t = this.status.total;
    t.accountsScanned += p.accountsScanned;
    t.liquidatedAccounts += p.liquidatedAccounts;
    t.contracts += p.contracts;
    t.balanceTakes += p.balanceTakes;
    t.settlementPrices += p.settlementPrices;
    t.accountsSettled += p.accountsSettled;
    t.retirements += p.retirements;
    t.listings += p.listings;
    this.status.passes++;
    this.status.lastPass = { ...p };
    this.status.lastPassAt = new Date().toISOString();
    this.status.lastPassMs = Math.round(ms);
    if (slots) this.status.lag = { passStartSlot: String(slots.start), passEndSlot: String(slots.end), slots: Number(slots.end - slots.start) };
    this.write();
  }

  setState(state: KeeperStatus['state']): void {
    this.status.state = state;
    this.write();
  }

  private write(): void {
    this.status.updatedAt = new Date().toISOString();
    if (!this.path) return;
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.status, null, 2) + '\n');
    renameSync(tmp, this.path);
  }
}
