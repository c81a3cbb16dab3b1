// Keeper unit tests (no validator): which contract to take next, refresh runs, config, args, logs;
// the rebalance plan over the program's own day window and keeper fee (WASM, rules-wasm.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { DEFAULT_CONFIG, loadConfig } from '../app/src/keeper/config.js';
import { nextLeg } from '../app/src/keeper/liquidate.js';
import { jsonLine } from '../app/src/keeper/log.js';
import { parseArgs } from '../app/src/keeper/main.js';
import { runs } from '../app/src/keeper/refresh.js';
import { withRetry } from '../app/src/keeper/retry.js';
import { banksToAccrue } from '../app/src/keeper/accrue.js';
import { accountsToObserve } from '../app/src/keeper/observe.js';
import { bankruptcies } from '../app/src/keeper/bankruptcy.js';
import { realizedVolDueAt } from '../app/src/keeper/realized-vol.js';
import { grossForNet, planRebalance, spare } from '../app/src/keeper/rebalance.js';
import { keeperFee } from '../app/src/rules-wasm.js';
import { slots as slotsOf, zeroAccount, zeroPolicy } from './fixtures.js';
import type { Address } from '@solana/kit';
import { ProgramFailure } from '../app/src/transactions.js';

const pos = (underlyingIndex: number, seriesIndex: number, size: bigint, inUse = 1) =>
  ({ underlyingIndex, seriesIndex, size, inUse }) as never;

describe('keeper', () => {
  it('takes one contract of the largest short, else of the largest long, live series only', () => {
    const live = () => true;
    assert.deepEqual(nextLeg({ positions: [pos(0, 1, -2n), pos(0, 2, -5n), pos(0, 3, 9n)] }, live), { underlyingIndex: 0, seriesIndex: 2, size: -1n });
    assert.deepEqual(nextLeg({ positions: [pos(0, 3, 4n), pos(1, 0, 7n)] }, live), { underlyingIndex: 1, seriesIndex: 0, size: 1n });
    assert.equal(nextLeg({ positions: [pos(0, 2, -5n, 0)] }, live), null);
    assert.deepEqual(nextLeg({ positions: [pos(0, 2, -5n), pos(0, 1, -1n)] }, (_u, s) => s !== 2), { underlyingIndex: 0, seriesIndex: 1, size: -1n });
  });

  it('groups stale series into contiguous refresh runs', () => {
    assert.deepEqual(runs([0, 1, 2, 5, 7, 8]), [{ first: 0, count: 3 }, { first: 5, count: 1 }, { first: 7, count: 2 }]);
    assert.deepEqual(runs([]), []);
  });

  it('reads the JSON config over the defaults and refuses unknown fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keeper-'));
    const good = join(dir, 'k.json');
    writeFileSync(good, JSON.stringify({ pollIntervalMs: 250, maxIterations: 3 }));
    const cfg = loadConfig(good);
    assert.equal(cfg.pollIntervalMs, 250);
    assert.equal(cfg.maxIterations, 3);
    assert.equal(cfg.rpcUrl, DEFAULT_CONFIG.rpcUrl);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ pollInterval: 1 }));
    assert.throws(() => loadConfig(bad), /unknown field pollInterval/);
    assert.deepEqual(parseArgs(['--config', 'k.json', '--once']), { config: 'k.json', once: true });
    assert.deepEqual(parseArgs([]), { config: null, once: false });
  });

  it('logs one JSON object per line, bigints as strings', () => {
    const o = JSON.parse(jsonLine('info', 'liquidate', { penalty: 12n })) as Record<string, unknown>;
    assert.equal(o.event, 'liquidate');
    assert.equal(o.penalty, '12');
    assert.equal(o.level, 'info');
  });

  it('retries RPC errors with backoff but not program refusals', async () => {
    let n = 0;
    const logs: string[] = [];
    const v = await withRetry('x', (_l, e) => logs.push(e), async () => {
      if (++n < 3) throw new Error('fetch failed');
      return 7;
    }, { baseMs: 1 });
    assert.equal(v, 7);
    assert.equal(logs.length, 2);
    let m = 0;
    await assert.rejects(
      withRetry('y', () => {}, async () => {
        m++;
        throw new ProgramFailure('refused', 6000, 'NotLiquidatable', null, []);
      }, { baseMs: 1 }),
      ProgramFailure,
    );
    assert.equal(m, 1);
  });
});

describe('keeper jobs: lending, bankruptcy, rebalance, realized vol', () => {
  const ONE = 1n << 40n;
  const USD = (n: bigint) => n * 1_000_000n;
  const policy = zeroPolicy({
    triggerHealth: USD(1_000n),
    targetHealth: USD(5_000n),
    maxPerMove: USD(2_000n),
    maxPerDay: USD(2_500n),
    movedToday: 0n,
    dayStartTs: 0n,
    keeperFeeBps: 10,
    feeds: new Uint8Array([0, 0b001, 0b011, 0, 0, 0, 0, 0]), // 0 feeds 1; 0 and 1 feed 2
  });
  const src = (index: number, maint: bigint, init = maint, quote = maint) => ({ index, account: `S${index}` as Address, maint, init, quote });

  it('observes accounts whose reputation clock runs and whose last observation is old enough', () => {
    const a = (repLastObsTs: bigint) => ({ repLastObsTs });
    // clock not running (0), observed 11 h ago, exactly 12 h ago, 2 days ago
    const now = 1_000_000n;
    const accounts = [a(0n), a(now - 11n * 3_600n), a(now - 12n * 3_600n), a(now - 172_800n)];
    assert.deepEqual(accountsToObserve(accounts, now, 12 * 3_600), [accounts[2], accounts[3]]);
  });

  it('accrues banks with borrows whose last accrual is old enough', () => {
    const banks = [{ borrowShares: 0n, lastAccrualTs: 0n }, { borrowShares: 5n, lastAccrualTs: 100n }, { borrowShares: 5n, lastAccrualTs: 950n }];
    assert.deepEqual(banksToAccrue(banks, 1_000n, 60), [banks[1]]);
    assert.deepEqual(banksToAccrue(banks, 1_000n, 0), [banks[1], banks[2]]);
  });

  it('realized vol is due on the first call, then every max(interval, 60 s)', () => {
    assert.equal(realizedVolDueAt(0n, 5n, 300), true);
    assert.equal(realizedVolDueAt(100n, 399n, 300), false);
    assert.equal(realizedVolDueAt(100n, 400n, 300), true);
    assert.equal(realizedVolDueAt(100n, 159n, 10), false, 'never below the program minimum');
    assert.equal(realizedVolDueAt(100n, 160n, 10), true);
  });

  it('finds bankrupt (account, bank) pairs, skipping the insurance fund', () => {
    const accounts = [
      { address: 'a' as Address, data: zeroAccount({ collateral: slotsOf([0, -5n]) }) },
      { address: 'b' as Address, data: zeroAccount({ collateral: slotsOf([0, -5n], [1, 2n]) }) },
      { address: 'ins' as Address, data: zeroAccount({ collateral: slotsOf([0, -1n]) }) },
    ];
    assert.deepEqual(bankruptcies(accounts, new Set(['ins' as Address])), [{ account: 'a', bankIndex: 0 }]);
  });

  it('spare and the fee gross-up (the program\'s keeper fee)', () => {
    assert.equal(spare({ maint: USD(7_000n), init: USD(6_000n), quote: USD(10_000n) }, USD(5_000n)), USD(2_000n));
    assert.equal(spare({ maint: USD(9_000n), init: USD(1_500n), quote: USD(10_000n) }, USD(5_000n)), USD(1_500n));
    assert.equal(spare({ maint: USD(9_000n), init: USD(9_000n), quote: 700n }, USD(5_000n), 2n), 698n);
    assert.equal(spare({ maint: USD(4_000n), init: USD(4_000n), quote: USD(4_000n) }, USD(5_000n)), 0n);
    // Fee floor(gross x 10 / 10_000): nothing below 1_000, so 999 nets 999; 1_000 nets 999.
    assert.equal(grossForNet(policy, 999n), 999n);
    assert.equal(grossForNet(policy, 1_000n), 1_001n);
    assert.equal(grossForNet({ ...policy, keeperFeeBps: 0 }, 1_000n), 1_000n);
    for (const net of [1n, 998n, 999n, 1_600_000_000n, 123_456_789n]) {
      const g = grossForNet(policy, net);
      assert.ok(g - keeperFee(policy, g) >= net, `${net}: ${g} nets enough`);
      assert.ok(g - 1n - keeperFee(policy, g - 1n) < net, `${net}: ${g} is the smallest`);
    }
  });

  it('plans one move: only under the trigger, from a feeding source that keeps its target', () => {
    const base = { policy, now: 10n, destinationIndex: 1 };
    assert.deepEqual(planRebalance({ ...base, destinationMaint: USD(1_000n), sources: [src(0, USD(20_000n))] }), { move: false, reason: 'above_trigger' });
    // Destination 1 at 400: 2x trigger = 2,000 -> net 1,600; the smallest gross g with
    // g - floor(g x 10 / 10_000) >= 1,600 USDC is 1,601.601601 USDC (fee 1.601601).
    const p = planRebalance({ ...base, destinationMaint: USD(400n), sources: [src(0, USD(20_000n)), src(2, USD(90_000n))] });
    assert.deepEqual(p, { move: true, sourceIndex: 0, source: 'S0', amount: 1_601_601_601n, fee: (1_601_601_601n * 10n) / 10_000n, reason: 'restore_2x_trigger' });
    assert.equal(1_601_601_601n - (1_601_601_601n * 10n) / 10_000n, USD(1_600n));
    // Deep under: capped by max_per_move; by what is left of the day; by the source's spare.
    assert.equal((planRebalance({ ...base, destinationMaint: -USD(5_000n), sources: [src(0, USD(20_000n))] }) as { amount: bigint }).amount, USD(2_000n));
    assert.equal((planRebalance({ ...base, policy: { ...policy, movedToday: USD(2_200n) }, destinationMaint: -USD(5_000n), sources: [src(0, USD(20_000n))] }) as { amount: bigint; reason: string }).reason, 'day_limit');
    // ... unless the day is over (the program's rolling day, POLICY_DAY_SECS after day_start_ts).
    const nextDay = planRebalance({ ...base, now: 86_400n, policy: { ...policy, movedToday: USD(2_500n) }, destinationMaint: -USD(5_000n), sources: [src(0, USD(20_000n))] });
    assert.deepEqual([(nextDay as { amount: bigint }).amount, (nextDay as { reason: string }).reason], [USD(2_000n), 'max_per_move']);
    assert.deepEqual(planRebalance({ ...base, now: 86_399n, policy: { ...policy, movedToday: USD(2_500n) }, destinationMaint: -USD(5_000n), sources: [src(0, USD(20_000n))] }), { move: false, reason: 'day_limit' });
    const spareCapped = planRebalance({ ...base, destinationMaint: USD(400n), sources: [src(0, USD(5_300n))] });
    assert.deepEqual([(spareCapped as { amount: bigint }).amount, (spareCapped as { reason: string }).reason], [USD(300n), 'source_spare']);
    assert.deepEqual(planRebalance({ ...base, destinationMaint: USD(400n), sources: [src(0, USD(5_000n))] }), { move: false, reason: 'no_source_can_spare' });
    // Destination 2 is fed by 0 and 1: the one that can spare the most; 3 feeds nobody.
    const two = planRebalance({ ...base, destinationIndex: 2, destinationMaint: 0n, sources: [src(0, USD(6_000n)), src(1, USD(9_000n))] });
    assert.equal((two as { source: Address }).source, 'S1');
    assert.deepEqual(planRebalance({ ...base, destinationIndex: 3, destinationMaint: 0n, sources: [src(0, USD(9_000n))] }), { move: false, reason: 'no_source' });
    assert.equal(ONE, 1n << 40n);
  });

  it('has the new jobs in the config, on by default, switchable from the file', () => {
    assert.equal(DEFAULT_CONFIG.rebalanceEnabled, true);
    assert.equal(DEFAULT_CONFIG.realizedVolIntervalSecs >= 60, true);
    const dir = mkdtempSync(join(tmpdir(), 'keeper-'));
    const f = join(dir, 'k.json');
    writeFileSync(f, JSON.stringify({ rebalanceEnabled: false, accrueIntervalSecs: 60 }));
    const cfg = loadConfig(f);
    assert.equal(cfg.rebalanceEnabled, false);
    assert.equal(cfg.accrueIntervalSecs, 60);
    assert.equal(cfg.bankruptcyEnabled, true);
  });
});
