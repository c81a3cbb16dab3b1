// Keeper unit tests (no validator): which contract to take next, refresh runs, config, args, logs;
// the rebalance plan over the program's own day window and keeper fee (WASM, rules-wasm.ts); the
// scan's batched snapshot: what it fetches, health of every account in memory, classification;
// which (asset, debt) pair the balance liquidation job takes first (keeper policy, not a program rule);
// which governance proposals are due, their targets, PDA and account decoding; the settle job's
// settlement source, holders, leftovers and retirement.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { DEFAULT_CONFIG, loadConfig } from '../app/src/keeper/config.js';
import { liveSeriesOf, nextLeg } from '../app/src/keeper/liquidate.js';
import { needsSettlement, retirementState, settlementSource, settleWindowSecs } from '../app/src/keeper/settle.js';
import { balancePairs, pairRankingOf, pairScore, rankBalancePairs, type PairRanking } from '../app/src/keeper/balance-liquidate.js';
import { balanceStepScore, chooseStep, optionStepScore, type StepScore } from '../app/src/keeper/liquidate-account.js';
import { jsonLine } from '../app/src/keeper/log.js';
import { parseArgs } from '../app/src/keeper/main.js';
import { inPool, runs } from '../app/src/keeper/refresh.js';
import { withRetry } from '../app/src/keeper/retry.js';
import { banksToAccrue } from '../app/src/keeper/accrue.js';
import { accountsToObserve } from '../app/src/keeper/observe.js';
import { bankruptcies } from '../app/src/keeper/bankruptcy.js';
import { realizedVolDueAt } from '../app/src/keeper/realized-vol.js';
import { classify } from '../app/src/keeper/scan.js';
import {
  accountsToFetch,
  chunks,
  entryBytes,
  getProgramAccountsJson,
  healthOfAll,
  MAX_MULTIPLE_ACCOUNTS,
  withContentSize,
  type KeeperSnapshot,
  type ProgramAccountEntry,
} from '../app/src/keeper/snapshot.js';
import { decompress as zstdDecompress } from 'fzstd';
import { createServer } from 'node:http';
import {
  getCollateralBankEncoder,
  getExchangeDecoder,
  getExchangeEncoder,
  getExchangeSize,
  getMarginAccountDecoder,
  getMarginAccountEncoder,
  getMarginAccountSize,
  getProposalDecoder,
  getProposalEncoder,
  MAXWELL_ERROR__RISK_CACHE_STALE,
  MAXWELL_PROGRAM_ADDRESS,
  type ProposalArgs,
} from '../app/src/generated/maxwell/index.js';
import { changeKind, changeTarget, dueProposals, PROPOSAL_CANCELLED, PROPOSAL_EXECUTED, PROPOSAL_PENDING } from '../app/src/governance.js';
import { proposalAddress } from '../app/src/pdas.js';
import { decodeMarginAccountBytes } from '../app/src/keeper/decode.js';
import type { LocalHealth } from '../app/src/health-wasm.js';
import { addressAt, addressBytes } from '../app/src/base58.js';
import { grossForNet, planRebalance, spare } from '../app/src/keeper/rebalance.js';
import { keeperFee } from '../app/src/rules-wasm.js';
import { positions as positionsWith, slots as slotsOf, zeroAccount, zeroBank, zeroPolicy } from './fixtures.js';
import { getAddressDecoder, getAddressEncoder, getProgramDerivedAddress, lamports, type Address } from '@solana/kit';
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

  it('a leftover of a retired expiry is never a live leg (liquidate would refuse it: PositionSeriesRecycled)', () => {
    const now = 1_800_000_000n;
    const series = (expiry: bigint, generation: number, listed = 1) => ({ expiry, generation, listed });
    // Slot 0 retired and listed again (generation 1), slot 1 retired and free, slot 2 expired.
    const unders = new Map([[0, { data: { series: [series(now + 86_400n, 1), series(0n, 1, 0), series(now - 1n, 0)] } }]]) as never;
    const live = liveSeriesOf(unders, now);
    assert.equal(live(0, 0, 1), true);
    assert.equal(live(0, 0, 0), false, 'the old generation of a recycled slot');
    assert.equal(live(0, 1, 0), false, 'a free slot');
    assert.equal(live(0, 2, 0), false, 'expired');
    assert.equal(live(1, 0, 0), false, 'unknown underlying');
    const held = (seriesIndex: number, size: bigint, generation: number) => ({ underlyingIndex: 0, seriesIndex, size, inUse: 1, generation }) as never;
    assert.deepEqual(nextLeg({ positions: [held(0, -9n, 0), held(0, -1n, 1)] }, live), { underlyingIndex: 0, seriesIndex: 0, size: -1n }, 'the larger short is a leftover');
    assert.equal(nextLeg({ positions: [held(0, -9n, 0), held(1, 3n, 0)] }, live), null);
  });

  it('groups stale series into contiguous refresh runs', () => {
    assert.deepEqual(runs([0, 1, 2, 5, 7, 8]), [{ first: 0, count: 3 }, { first: 5, count: 1 }, { first: 7, count: 2 }]);
    assert.deepEqual(runs([]), []);
    // At most `max` series a run (one transaction each).
    assert.deepEqual(runs([0, 1, 2, 3, 4, 9], 2), [{ first: 0, count: 2 }, { first: 2, count: 2 }, { first: 4, count: 1 }, { first: 9, count: 1 }]);
  });

  it('sends refresh batches a bounded number at a time, every one of them', async () => {
    let pending = 0;
    let peak = 0;
    const done: number[] = [];
    await inPool([5, 1, 4, 2, 3, 0, 6], 3, async (ms) => {
      peak = Math.max(peak, ++pending);
      await new Promise((r) => setTimeout(r, ms));
      done.push(ms);
      pending--;
    });
    assert.equal(peak, 3);
    assert.deepEqual([...done].sort(), [0, 1, 2, 3, 4, 5, 6]);
    await inPool([], 3, async () => assert.fail('no items, no calls'));
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

describe('keeper settle job: the settlement window, holders and leftovers, retirement', () => {
  const expiry = 1_800_000_000n;
  const end = expiry + settleWindowSecs();

  it('settles from the oracle account only with a publish time inside [expiry, expiry + 60 s], else from a posted window price', () => {
    assert.equal(settleWindowSecs(), 60n, 'programs/maxwell/src/constants.rs SETTLE_WINDOW_SECS, from the WASM module');
    const src = (oraclePublishTime: bigint | null, now: bigint, hasWindowSource: boolean) => settlementSource({ oraclePublishTime, expiry, now, hasWindowSource });
    for (const t of [expiry, expiry + 1n, end]) assert.equal(src(t, end + 3_600n, false), 'oracle', `published at expiry + ${t - expiry}`);
    // Before the expiry, or later than the window (the account moved on): the program would refuse it.
    for (const t of [expiry - 1n, end + 1n, null]) {
      assert.equal(src(t, expiry + 5n, true), 'window');
      assert.equal(src(t, expiry + 5n, false), 'wait', 'the window is open: the oracle may still publish in it');
      assert.equal(src(t, end, false), 'wait');
      assert.equal(src(t, end + 1n, false), 'missed', 'closed with no price: the governance fallback');
      assert.equal(src(t, end + 3_600n, true), 'window', 'a keeper an hour late posts the in-window historical update');
    }
  });

  // Series slots: 0-1 expiry slot 0 (settled), 2 expiry slot 1 (not settled), 3 free (retired:
  // generation 1), 4 expiry slot 0 again.
  const s = (expiryIndex: number, openInterest: bigint, generation = 0, listed = 1) => ({ expiryIndex, openInterest, generation, listed });
  const u = (oi: bigint[], settledNet: bigint) => ({
    nSeries: 5,
    series: [s(0, oi[0]!), s(0, oi[1]!), s(1, 4n), s(0, 0n, 1, 0), s(0, oi[2]!)],
    nExpiries: 3,
    expiries: [
      { expiry, settled: 1, settledNet },
      { expiry: expiry + 86_400n, settled: 0, settledNet: 0n },
      { expiry: 0n, settled: 0, settledNet: 0n }, // retired
    ],
  }) as never;
  const at = (seriesIndex: number, generation = 0, underlyingIndex = 2, inUse = 1) => ({ underlyingIndex, seriesIndex, generation, size: -1n, inUse });

  it('settles holders of a settled expiry and holders of leftovers, nobody else', () => {
    const x = u([0n, 0n, 0n], 0n);
    assert.equal(needsSettlement({ positions: [at(1)] } as never, 2, x), true, 'a settled expiry');
    assert.equal(needsSettlement({ positions: [at(2)] } as never, 2, x), false, 'not settled yet');
    assert.equal(needsSettlement({ positions: [at(3)] } as never, 2, x), true, 'a leftover in a free slot');
    assert.equal(needsSettlement({ positions: [at(2, 7)] } as never, 2, x), true, 'a leftover in a slot listed again');
    assert.equal(needsSettlement({ positions: [at(1, 0, 5)] } as never, 2, x), false, 'another underlying');
    assert.equal(needsSettlement({ positions: [at(1, 0, 2, 0)] } as never, 2, x), false, 'a free position slot');
  });

  it('retires a settled expiry once no series of it has open interest and settled_net is 0', () => {
    assert.deepEqual(retirementState(u([0n, 0n, 0n], 0n)), [{ expiryIndex: 0, expiry, openInterest: 0n, settledNet: 0n, retirable: true }]);
    assert.deepEqual(retirementState(u([0n, 2n, 3n], 0n)).map((r) => [r.openInterest, r.retirable]), [[5n, false]], 'longs not settled');
    assert.deepEqual(retirementState(u([0n, 0n, 0n], 46_750_000n)).map((r) => [r.settledNet, r.retirable]), [[46_750_000n, false]], 'a short not settled');
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

describe('keeper scan: one batched snapshot, health of every account in memory', () => {
  // Real 32-byte keys (the WASM input encodes them): key(n) = n repeated.
  const key = (n: number) => getAddressDecoder().decode(new Uint8Array(32).fill(n));
  const [exchange, usdcBank, solBank, ethBank, solUnder, btcUnder, solOracle, ethOracle, btcOracle] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map(key) as [Address, Address, Address, Address, Address, Address, Address, Address, Address];
  const A = (s: string) => s as Address; // margin accounts in classify: names are enough
  // Directory: quote bank 0 (no oracle), SOL bank 1 and SOL underlying 0 on the same oracle, ETH bank 2, BTC underlying 1.
  const banks = [
    { address: usdcBank, bank: { bankIndex: 0, isQuote: 1, oracle: key(0) } },
    { address: solBank, bank: { bankIndex: 1, isQuote: 0, oracle: solOracle } },
    { address: ethBank, bank: { bankIndex: 2, isQuote: 0, oracle: ethOracle } },
  ];
  const underlyings = [
    { address: solUnder, underlying: { underlyingIndex: 0, oracle: solOracle } },
    { address: btcUnder, underlying: { underlyingIndex: 1, oracle: btcOracle } },
  ];
  const withPositions = (...ps: { underlyingIndex: number; seriesIndex: number; size: bigint; inUse?: number }[]) => {
    const all = positionsWith();
    ps.forEach((p, i) => (all[i] = { ...all[i]!, ...p, inUse: p.inUse ?? 1 }));
    return all;
  };
  const borrower = zeroAccount({ collateral: slotsOf([1, 10n], [0, -1_000n]) }); // SOL collateral, USDC borrow, no options
  const writer = zeroAccount({ collateral: slotsOf([0, 500n]), positions: withPositions({ underlyingIndex: 0, seriesIndex: 2, size: -3n }) });
  const closed = zeroAccount({ positions: withPositions({ underlyingIndex: 1, seriesIndex: 0, size: 5n, inUse: 0 }) }); // a position no longer in use

  it('fetches every bank of a slot in use, every underlying with positions and their oracles, each once', () => {
    assert.deepEqual(accountsToFetch([borrower, writer, closed], banks, underlyings), [solBank, solOracle, usdcBank, solUnder]);
    assert.deepEqual(accountsToFetch([closed], banks, underlyings), [], 'nothing in use: nothing to fetch');
    const eth = zeroAccount({ collateral: slotsOf([2, 1n]), positions: withPositions({ underlyingIndex: 1, seriesIndex: 4, size: 1n }) });
    assert.deepEqual(accountsToFetch([eth, writer], banks, underlyings), [ethBank, ethOracle, usdcBank, btcUnder, btcOracle, solUnder, solOracle]);
    const unknown = zeroAccount({ collateral: slotsOf([7, 1n], [0, 1n]), positions: withPositions({ underlyingIndex: 9, seriesIndex: 0, size: 1n }) });
    assert.deepEqual(accountsToFetch([unknown], banks, underlyings), [usdcBank], 'indexes the directory does not know are left out');
  });

  it('converts addresses to and from their 32 bytes as @solana/kit does, leading zero bytes included', () => {
    const enc = getAddressEncoder();
    const xs = [key(0), key(255), '11111111111111111111111111111111' as Address, MAXWELL_PROGRAM_ADDRESS];
    for (let i = 0; i < 200; i++) xs.push(getAddressDecoder().decode(Uint8Array.from({ length: 32 }, (_, j) => (j < i % 5 ? 0 : (i * 31 + j * 17) & 0xff))));
    for (const x of xs) {
      const bytes = new Uint8Array(enc.encode(x));
      assert.deepEqual(addressBytes(x), bytes, x);
      assert.equal(addressAt(Uint8Array.of(9, ...bytes), 1), x);
    }
    assert.throws(() => addressBytes('0OIl'), /not a base58 address/);
    assert.throws(() => addressBytes('z'.repeat(45)), /longer than 32 bytes/);
  });

  it('decodes margin account bytes exactly as the generated decoder does', () => {
    const size = getMarginAccountSize();
    let seed = 7;
    const byte = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) >>> 16) & 0xff;
    for (let n = 0; n < 20; n++) {
      const bytes = Uint8Array.from({ length: size }, byte);
      if (n % 2 === 0) bytes.fill(0, 72, 104); // no delegate (after discriminator, exchange, owner): 32 zero bytes, '111...1'
      assert.deepEqual(decodeMarginAccountBytes(bytes), getMarginAccountDecoder().decode(bytes));
    }
    const real = zeroAccount({ collateral: slotsOf([1, 10n], [0, -1_000n]), positions: withPositions({ underlyingIndex: 3, seriesIndex: 9, size: -4n }) });
    const bytes = new Uint8Array(getMarginAccountEncoder().encode(real));
    assert.deepEqual(decodeMarginAccountBytes(bytes), getMarginAccountDecoder().decode(bytes));
    assert.throws(() => decodeMarginAccountBytes(bytes.subarray(1)), /expected/);
  });

  it('chunks the batch at the RPC limit of 100 addresses', () => {
    const xs = Array.from({ length: 2 * MAX_MULTIPLE_ACCOUNTS + 1 }, (_, i) => i);
    assert.deepEqual(chunks(xs, MAX_MULTIPLE_ACCOUNTS).map((c) => c.length), [100, 100, 1]);
    assert.deepEqual(chunks([], MAX_MULTIPLE_ACCOUNTS), []);
  });

  it('skips an account whose bank, oracle or underlying is missing from the snapshot, and never throws', () => {
    const raw = (address: Address) => ({ address, owner: MAXWELL_PROGRAM_ADDRESS, data: new Uint8Array(8) });
    const snapshot: KeeperSnapshot = {
      exchange: exchange, now: 1_000n, banks, underlyings,
      // The SOL oracle closed between the scan and the batch; the bytes present are not real accounts.
      raw: new Map([exchange, usdcBank, solBank, solUnder].map((a) => [a, raw(a)])),
    };
    const bytes = new Uint8Array(8);
    const r = healthOfAll(snapshot, [
      { address: key(20), data: borrower, bytes },
      { address: key(21), data: zeroAccount({ collateral: slotsOf([0, 5n]) }), bytes }, // quote only: all it needs is there
      { address: key(22), data: zeroAccount({ collateral: slotsOf([7, 5n]) }), bytes }, // a bank index the directory does not know
    ]);
    assert.deepEqual(r[0], { account: key(20), kind: 'missing', missing: solOracle });
    assert.deepEqual(r[1], { account: key(21), kind: 'refused', code: 1 }, 'the WASM refuses bytes that are not accounts (malformed input)');
    assert.equal(r[2]!.kind, 'missing');
    const noExchange = healthOfAll({ ...snapshot, raw: new Map() }, [{ address: key(21), data: zeroAccount(), bytes }]);
    assert.deepEqual(noExchange, [{ account: key(21), kind: 'missing', missing: exchange }]);
  });

  it('classifies: under maintenance most negative first, with options or not and balances; stale underlyings', () => {
    const h = (maintHealth: bigint): LocalHealth => ({ initHealth: maintHealth, maintHealth, initialRequirement: 0n, maintenanceRequirement: 0n, optionValue: 0n, oraclesFresh: true });
    const stale = zeroAccount({ positions: withPositions({ underlyingIndex: 1, seriesIndex: 0, size: 2n }, { underlyingIndex: 0, seriesIndex: 1, size: 1n }) });
    const holdings = new Map([[A('borrower'), borrower], [A('writer'), writer], [A('fine'), writer], [A('stale'), stale]]);
    const out = classify([
      { account: A('borrower'), kind: 'health', health: h(-5n) },
      { account: A('fine'), kind: 'health', health: h(0n) },
      { account: A('writer'), kind: 'health', health: h(-9n) },
      { account: A('stale'), kind: 'refused', code: MAXWELL_ERROR__RISK_CACHE_STALE },
      { account: A('gone'), kind: 'missing', missing: solOracle },
    ], holdings);
    assert.deepEqual(out.liquidatable.map((l) => [l.account, l.health.maintHealth, l.hasOptions]), [['writer', -9n, true], ['borrower', -5n, false]]);
    assert.deepEqual(out.liquidatable[1]!.balances, [{ bankIndex: 1, shares: 10n }, { bankIndex: 0, shares: -1_000n }]);
    assert.deepEqual([...out.staleUnderlyings].sort(), [0, 1]);
    assert.deepEqual(out.unavailable.map((u) => u.account), ['stale', 'gone']);
  });
});

describe('balance liquidation pairs', () => {
  const slot = (bankIndex: number, balance: bigint, inUse = 1) => ({ balance, bankIndex, inUse, pad: new Uint8Array(5) });
  it('takes the quote debt first, against non-quote assets first, never a bank against itself', () => {
    // Quote bank 0: -11,900; SOL (1): +100; BTC (2): -1; ETH (3): +5; an empty slot; a free slot.
    const a = { collateral: [slot(0, -11_900n), slot(1, 100n), slot(2, -1n), slot(3, 5n), slot(4, 0n), slot(5, 7n, 0)] };
    assert.deepEqual(balancePairs(a as never, 0), [
      { asset: 1, liability: 0 },
      { asset: 3, liability: 0 },
      { asset: 1, liability: 2 },
      { asset: 3, liability: 2 },
    ]);
    // Quote as the only asset, a SOL debt: quote against SOL.
    assert.deepEqual(balancePairs({ collateral: [slot(0, 500n), slot(1, -3n)] } as never, 0), [{ asset: 0, liability: 1 }]);
    // Nothing positive: nothing to take (the bankruptcy job's case).
    assert.deepEqual(balancePairs({ collateral: [slot(0, -5n)] } as never, 0), []);
  });

  // Maintenance weights (bps): USDC 0 at par; SOL 1 asset 0.90 / liability 1.10; BTC 2 asset
  // 0.90 / liability 1.15; ETH 3 asset 0.95 / liability 1.05. Assumed penalty 5% (the max).
  const w = (maintAssetWeightBps: number, maintLiabWeightBps: number) => ({ maintAssetWeightBps, maintLiabWeightBps });
  const ranking: PairRanking = { weights: new Map([[0, w(10_000, 10_000)], [1, w(9_000, 11_000)], [2, w(9_000, 11_500)], [3, w(9_500, 10_500)]]), penaltyBps: 500 };

  it('scores a pair by its maintenance gain and penalty per unit of debt value (keeper policy)', () => {
    // SOL against the USDC debt: 1.00 - 1.05 x 0.90 = 0.055 of health per unit, 0.05 of penalty.
    assert.deepEqual(pairScore({ asset: 1, liability: 0 }, ranking), { gain: 5_500_000n, penalty: 5_000_000n });
    // SOL against the BTC debt: 1.15 - 0.945 = 0.205; ETH against USDC: 1 - 1.05 x 0.95 = 0.0025.
    assert.equal(pairScore({ asset: 1, liability: 2 }, ranking)!.gain, 20_500_000n);
    assert.equal(pairScore({ asset: 3, liability: 0 }, ranking)!.gain, 250_000n);
    // Giving up quote (weight 1) against BTC: 1.15 - 1.05 = 0.10.
    assert.equal(pairScore({ asset: 0, liability: 2 }, ranking)!.gain, 10_000_000n);
    assert.equal(pairScore({ asset: 9, liability: 0 }, ranking), null, 'a bank the snapshot does not hold');
  });

  it('ranks pairs by gain per unit of penalty, not in the fixed order', () => {
    const a = { collateral: [slot(0, -11_900n), slot(1, 100n), slot(2, -1n), slot(3, 5n), slot(4, 0n), slot(5, 7n, 0)] };
    // Fixed order: USDC debt first ((SOL, USDC) 0.055, (ETH, USDC) 0.0025), then BTC ((SOL, BTC)
    // 0.205, (ETH, BTC) 1.15 - 0.9975 = 0.1525). Ranked: the BTC debt against SOL first.
    assert.deepEqual(rankBalancePairs(a as never, 0, ranking), [
      { asset: 1, liability: 2 },
      { asset: 3, liability: 2 },
      { asset: 1, liability: 0 },
      { asset: 3, liability: 0 },
    ]);
    // Without a ranking (no snapshot): the fixed order.
    assert.deepEqual(rankBalancePairs(a as never, 0, null), balancePairs(a as never, 0));
    // Quote as an asset (weight 1) comes after SOL (0.9) against the same debt; a pair that
    // loses health at the assumed rate (an asset at 0.98 against USDC: 1 - 1.029 < 0) is not
    // dropped, only last; a bank with no weights (4) after every scored pair.
    const r2: PairRanking = { ...ranking, weights: new Map([...ranking.weights, [3, w(9_800, 10_500)]]) };
    const b = { collateral: [slot(0, 500n), slot(1, 10n), slot(2, -3n), slot(3, 4n), slot(4, 9n)] };
    assert.deepEqual(rankBalancePairs(b as never, 0, r2), [
      { asset: 1, liability: 2 }, // 0.205
      { asset: 3, liability: 2 }, // 1.15 - 1.029 = 0.121
      { asset: 0, liability: 2 }, // 0.10
      { asset: 4, liability: 2 }, // unknown weights
    ]);
    const c = { collateral: [slot(0, -500n), slot(3, 10n), slot(1, 2n)] };
    assert.deepEqual(rankBalancePairs(c as never, 0, r2), [{ asset: 1, liability: 0 }, { asset: 3, liability: 0 }]);
    assert.ok(pairScore({ asset: 3, liability: 0 }, r2)!.gain < 0n);
    // Equal scores keep the fixed order; at a zero assumed penalty, gains decide.
    const twin: PairRanking = { weights: new Map([[0, w(10_000, 10_000)], [1, w(9_000, 11_000)], [3, w(9_000, 11_000)]]), penaltyBps: 0 };
    assert.deepEqual(rankBalancePairs({ collateral: [slot(0, -5n), slot(3, 1n), slot(1, 1n)] } as never, 0, twin), [{ asset: 3, liability: 0 }, { asset: 1, liability: 0 }]);
  });

  it('reads the ranking from the scan snapshot: fresh bank weights, the exchange\'s maximum penalty', () => {
    const key = (n: number) => getAddressDecoder().decode(new Uint8Array(32).fill(n));
    const [exchange, usdcBank, solBank, ethBank] = [31, 32, 33, 34].map(key) as [Address, Address, Address, Address];
    const zeroEx = getExchangeDecoder().decode(new Uint8Array(getExchangeSize()));
    const exBytes = new Uint8Array(getExchangeEncoder().encode({ ...zeroEx, params: { ...zeroEx.params, liqPenaltyMinBps: 100, liqPenaltyMaxBps: 500 } }));
    const bankBytes = (bankIndex: number, a: number, l: number) =>
      new Uint8Array(getCollateralBankEncoder().encode(zeroBank({ bankIndex, maintAssetWeightBps: a, maintLiabWeightBps: l })));
    const raw = (address: Address, data: Uint8Array) => [address, { address, owner: MAXWELL_PROGRAM_ADDRESS, data }] as const;
    // The directory knows three banks (its cached states say nothing here); the batch holds two.
    const dir = (address: Address, bankIndex: number) => ({ address, bank: { bankIndex, maintAssetWeightBps: 1, maintLiabWeightBps: 1 } as never });
    const snap = {
      exchange,
      banks: [dir(usdcBank, 0), dir(solBank, 1), dir(ethBank, 2)],
      raw: new Map([raw(exchange, exBytes), raw(usdcBank, bankBytes(0, 10_000, 10_000)), raw(solBank, bankBytes(1, 9_000, 11_000))]),
    };
    const r = pairRankingOf(snap)!;
    assert.equal(r.penaltyBps, 500);
    assert.deepEqual([...r.weights], [[0, w(10_000, 10_000)], [1, w(9_000, 11_000)]]);
    assert.equal(pairRankingOf({ ...snap, raw: new Map() }), null, 'no exchange in the batch: no ranking');
  });
});

describe('governance: which proposals the keeper executes, their targets and PDA', () => {
  const key = (n: number) => getAddressDecoder().decode(new Uint8Array(32).fill(n));
  const p = (id: bigint, state: number, unlockTs: bigint) => ({ address: key(Number(id) + 1), data: { id, state, unlockTs } });

  it('executes pending proposals from their unlock time (cluster seconds, inclusive), oldest first', () => {
    const now = 1_000n;
    const ps = [
      p(3n, PROPOSAL_PENDING, 1_000n), // unlocks now: the program accepts now >= unlock_ts
      p(0n, PROPOSAL_EXECUTED, 10n),
      p(1n, PROPOSAL_PENDING, 1_001n), // one second early
      p(2n, PROPOSAL_CANCELLED, 10n),
      p(4n, PROPOSAL_PENDING, 500n),
    ];
    assert.deepEqual(dueProposals(ps, now).map((x) => x.data.id), [3n, 4n]);
    assert.deepEqual(dueProposals(ps, 1_001n).map((x) => x.data.id), [1n, 3n, 4n]);
    assert.deepEqual(dueProposals(ps, 499n), []);
  });

  it('passes the bank or underlying each change names; kinds in the program\'s order', () => {
    const [bank, underlying, other] = [key(1), key(2), key(3)];
    const params = {} as never;
    assert.deepEqual(changeTarget({ __kind: 'BankParams', bank, params }), { bank });
    assert.deepEqual(changeTarget({ __kind: 'OiCap', underlying, seriesIndex: 2, oiCap: 5n }), { underlying });
    assert.deepEqual(changeTarget({ __kind: 'VolOracle', underlying, volOracle: other }), { underlying });
    assert.deepEqual(changeTarget({ __kind: 'UnderlyingOracle', underlying, oracle: other }), { underlying });
    assert.deepEqual(changeTarget({ __kind: 'UnderlyingLimits', underlying, limits: params }), { underlying });
    assert.deepEqual(changeTarget({ __kind: 'Roles', guardian: other, riskAdmin: other }), {});
    assert.deepEqual(changeTarget({ __kind: 'Timelock', secs: 20 }), {});
    assert.deepEqual(changeTarget({ __kind: 'ExchangeParams', params }), {});
    // Change::kind() in programs/maxwell/src/state/governance.rs.
    assert.deepEqual([changeKind({ __kind: 'BankParams' }), changeKind({ __kind: 'OiCap' }), changeKind({ __kind: 'Breakers' })], [0, 5, 8]);
  });

  it('derives the proposal PDA from ["proposal", exchange, id as u64 little-endian]', async () => {
    const exchange = key(9);
    const id = 258n; // bytes 02 01 00 ...
    const [expected] = await getProgramDerivedAddress({
      programAddress: MAXWELL_PROGRAM_ADDRESS,
      seeds: [new TextEncoder().encode('proposal'), getAddressEncoder().encode(exchange), new Uint8Array([2, 1, 0, 0, 0, 0, 0, 0])],
    });
    assert.equal(await proposalAddress(exchange, id), expected);
  });

  it('decodes a Proposal account from its fixed-size allocation (borsh, zero padded)', () => {
    const proposal: ProposalArgs = {
      exchange: key(1), id: 7n, proposer: key(2), proposedTs: 100n, unlockTs: 110n, state: PROPOSAL_PENDING, bump: 254,
      change: { __kind: 'OiCap', underlying: key(3), seriesIndex: 4, oiCap: 99n },
    };
    const bytes = new Uint8Array(387); // Proposal::SPACE
    bytes.set(getProposalEncoder().encode(proposal));
    const decoded = getProposalDecoder().decode(bytes);
    assert.deepEqual(decoded.change, proposal.change);
    assert.deepEqual([decoded.id, decoded.unlockTs, decoded.state, decoded.bump], [7n, 110n, 0, 254]);
  });

  it('has the governance job in the config, on by default, switchable from the file', () => {
    assert.equal(DEFAULT_CONFIG.governanceEnabled, true);
    const dir = mkdtempSync(join(tmpdir(), 'keeper-'));
    const f = join(dir, 'k.json');
    writeFileSync(f, JSON.stringify({ governanceEnabled: false }));
    assert.equal(loadConfig(f).governanceEnabled, false);
  });
});

describe('liquidation: options or balances, chosen per step (keeper policy)', () => {
  const s = (gain: bigint, penalty: bigint): StepScore => ({ gain, penalty });
  const both = (o: StepScore | null, b: StepScore | null, available = { o: true, b: true }) =>
    chooseStep({ options: { available: available.o, score: o }, balances: { available: available.b, score: b } });

  it('picks the kind with the larger expected gain per unit of penalty', () => {
    // Options: 0.4 of health per unit of penalty; balances (SOL against a USDC debt at 5%): 1.1.
    assert.deepEqual(both(s(120n, 300n), s(5_500_000n, 5_000_000n)), ['balances', 'options']);
    // Options: 2.0 per unit (a deep short whose requirement is large): options first.
    assert.deepEqual(both(s(600n, 300n), s(5_500_000n, 5_000_000n)), ['options', 'balances']);
    // Different units per kind do not matter, only the ratios: 1.1 = 1.1 is a tie, the old order (options) wins.
    assert.deepEqual(both(s(11n, 10n), s(5_500_000n, 5_000_000n)), ['options', 'balances']);
    // A kind expected to gain beats one with no estimate, which beats one expected to lose.
    assert.deepEqual(both(s(-1n, 300n), s(1n, 1_000n)), ['balances', 'options']);
    assert.deepEqual(both(null, s(1n, 1_000n)), ['balances', 'options']);
    assert.deepEqual(both(s(-5n, 300n), null), ['balances', 'options']);
    assert.deepEqual(both(s(0n, 300n), s(-1n, 1n)), ['options', 'balances'], 'both expected not to gain: the old order');
    assert.deepEqual(both(null, null), ['options', 'balances'], 'no estimate at all: the old order');
    // A zero penalty with a gain beats any positive penalty.
    assert.deepEqual(both(s(1n, 1n), s(1n, 0n)), ['balances', 'options']);
    // A kind that is not available is never proposed.
    assert.deepEqual(both(s(600n, 300n), s(1n, 1n), { o: false, b: true }), ['balances']);
    assert.deepEqual(both(null, s(1n, 1n), { o: true, b: false }), ['options']);
    assert.deepEqual(both(null, null, { o: false, b: false }), []);
  });

  // A writer with a USDC debt (slot 0) against SOL (bank 1), short 4 of series 2, long 3 of series 5.
  const account = zeroAccount({
    collateral: slotsOf([0, -1_000n], [1, 50n]),
    positions: (() => {
      const ps = positionsWith();
      ps[0] = { ...ps[0]!, underlyingIndex: 0, seriesIndex: 2, size: -4n, inUse: 1 };
      ps[1] = { ...ps[1]!, underlyingIndex: 0, seriesIndex: 5, size: 3n, inUse: 1 };
      return ps;
    })(),
  });
  // A stand-in for the program's health (the real one is the WASM over the snapshot): each short
  // contract of series 2 costs 700 of requirement, each long of series 5 is worth 40.
  const maintOf = (a: typeof account) => {
    const size = (si: number) => a.positions.find((p) => p.inUse === 1 && p.seriesIndex === si)?.size ?? 0n;
    return -5_000n + 700n * size(2) + 40n * size(5);
  };

  it('scores one option contract: the health code on the account without it, the quote it receives or pays, the penalty at the assumed rate', () => {
    const seen: bigint[][] = [];
    const spy = (a: typeof account) => (seen.push(a.positions.slice(0, 2).map((p) => p.size)), maintOf(a));
    // Short, mark 100 below its short minimum 300: penalty on 300 at 5% = 15; the liquidatee pays 100 + 15 at the liability weight 1.0.
    const short = optionStepScore({ account, leg: { underlyingIndex: 0, seriesIndex: 2, size: -1n }, risk: { mark: 100n, shortMin: 300n }, penaltyBps: 500, maintOf: spy });
    assert.deepEqual(short, { gain: 700n - 115n, penalty: 15n });
    assert.deepEqual(seen, [[-4n, 3n], [-3n, 3n]], 'health as the account is, then with one contract of that position handed over (nothing else changed)');
    assert.equal(account.positions[0]!.size, -4n, 'the account itself is not changed');
    // Paying quote is weighted at the quote bank's liability weight (here 1.10, rounded against the account).
    const heavy = optionStepScore({ account, leg: { underlyingIndex: 0, seriesIndex: 2, size: -1n }, risk: { mark: 100n, shortMin: 300n }, penaltyBps: 500, maintOf, quoteWeights: { maintAssetWeightBps: 9_000, maintLiabWeightBps: 11_000 } });
    assert.deepEqual(heavy, { gain: 700n - 127n, penalty: 15n }); // ceil(115 x 1.1) = 127
    // Long, mark 200 (above nothing: the base is the mark): penalty ceil(200 x 3%) = 6; receives 194 at the asset weight 0.9 (floor 174).
    const long = optionStepScore({ account, leg: { underlyingIndex: 0, seriesIndex: 5, size: 1n }, risk: { mark: 200n, shortMin: 999n }, penaltyBps: 300, maintOf, quoteWeights: { maintAssetWeightBps: 9_000, maintLiabWeightBps: 11_000 } });
    assert.deepEqual(long, { gain: -40n + 174n, penalty: 6n });
    // A negative mark counts as zero (a worthless short still pays its penalty on the short minimum).
    assert.deepEqual(optionStepScore({ account, leg: { underlyingIndex: 0, seriesIndex: 2, size: -1n }, risk: { mark: -1n, shortMin: 300n }, penaltyBps: 500, maintOf }), { gain: 700n - 15n, penalty: 15n });
    // No estimate: a leg the account does not hold, or a health the program's code refuses.
    assert.equal(optionStepScore({ account, leg: { underlyingIndex: 1, seriesIndex: 2, size: -1n }, risk: { mark: 1n, shortMin: 1n }, penaltyBps: 500, maintOf }), null);
    assert.equal(optionStepScore({ account, leg: { underlyingIndex: 0, seriesIndex: 2, size: -1n }, risk: { mark: 1n, shortMin: 1n }, penaltyBps: 500, maintOf: () => null }), null);
  });

  it('chooses per account from both estimates: the choice follows the numbers, not a fixed order', () => {
    const ranking: PairRanking = { weights: new Map([[0, { maintAssetWeightBps: 10_000, maintLiabWeightBps: 10_000 }], [1, { maintAssetWeightBps: 9_000, maintLiabWeightBps: 11_000 }]]), penaltyBps: 500 };
    const pair = rankBalancePairs(account, 0, ranking)[0];
    assert.deepEqual(pair, { asset: 1, liability: 0 });
    const bal = balanceStepScore(pair, ranking)!; // 1 - 1.05 x 0.9 = 0.055 per 0.05: 1.1
    assert.deepEqual(bal, pairScore(pair!, ranking));
    const leg = { underlyingIndex: 0, seriesIndex: 2, size: -1n };
    // A short whose contract frees 700 for 15 of penalty: options (39 per unit of penalty).
    const deep = optionStepScore({ account, leg, risk: { mark: 100n, shortMin: 300n }, penaltyBps: 500, maintOf })!;
    assert.deepEqual(chooseStep({ options: { available: true, score: deep }, balances: { available: true, score: bal } })[0], 'options');
    // The same short when a contract frees only 110 (its mark and penalty barely covered): balances.
    const shallow = optionStepScore({ account, leg, risk: { mark: 100n, shortMin: 300n }, penaltyBps: 500, maintOf: (a) => maintOf(a) - 590n * (a.positions[0]!.size + 4n) })!;
    assert.deepEqual(shallow, { gain: 110n - 115n, penalty: 15n });
    assert.deepEqual(chooseStep({ options: { available: true, score: shallow }, balances: { available: true, score: bal } })[0], 'balances');
    // Without the snapshot's weights the balance side has no estimate: an option step expected to gain goes first.
    assert.equal(balanceStepScore(pair, null), null);
    assert.deepEqual(chooseStep({ options: { available: true, score: deep }, balances: { available: true, score: null } }), ['options', 'balances']);
  });
});

describe('keeper scan: margin accounts in base64+zstd', () => {
  // A margin account as the local validator (4.2.2) returns it in base64+zstd: its frame header
  // carries no content size and declares a 2 MB window.
  const FRAME =
    'KLUv/QBYJQgAtAuF3K3Vs9Mr7vkGhwyTfgFPdCV2oteNwaVAC7UsHZrhtRhX6X7OFjoT8pKwJHQj3QN/9sKilOsh+3HyP7ldt5AQnMFUQzmWLTQA/wAAAEMVEGsAAAAAyB/y3AEBAADS4xMpBQEAAOgDADQ6sREmAQAAAAAAAJaqECYBAAABCgAAAFwbGgAGCkr8EwMavObEARL4/8gf1/z/////AAAOCKCbaRDAI87+BP///+BKXgAADfr///Tw/xSIQ5gGICAQg6nStAbIUADwaefFTr8wJ+PDuVR01UahcpfeILcCCLj3QM6VB+Sd1jwQNwank+0munHu9icwTQ2OSxrmhODQW0+Q3Aw=';
  const frame = new Uint8Array(Buffer.from(FRAME, 'base64'));
  const zaccount = (space: bigint) =>
    ({ data: [FRAME, 'base64+zstd'], executable: false, lamports: lamports(1n), owner: MAXWELL_PROGRAM_ADDRESS, space }) as unknown as ProgramAccountEntry['account'];

  it('declares the known size in the frame header and decodes the same bytes', () => {
    const sized = withContentSize(frame, 3984);
    assert.deepEqual([...sized.subarray(4, 7)], [0x60, (3984 - 256) & 0xff, (3984 - 256) >> 8]);
    const fast = zstdDecompress(sized);
    assert.equal(fast.length, 3984);
    assert.deepEqual(Buffer.from(fast), Buffer.from(zstdDecompress(frame)));
    assert.equal(withContentSize(sized, 3984), sized, 'a header that has a content size is kept');
    const bytes = entryBytes(zaccount(3984n));
    assert.equal(decodeMarginAccountBytes(bytes).collateral.filter((s) => s.inUse === 1).length > 0, true);
  });

  it('reads getProgramAccounts over plain HTTP with every integer exact', async () => {
    const owner = MAXWELL_PROGRAM_ADDRESS;
    const text = `{"jsonrpc":"2.0","result":[{"account":{"data":["${FRAME}","base64+zstd"],"executable":false,"lamports":1152921504606846977,"owner":"${owner}","rentEpoch":18446744073709551615,"space":3984},"pubkey":"${owner}"}],"id":1}`;
    let asked: { method?: string; params?: unknown[] } = {};
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        asked = JSON.parse(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end(text);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const got = await getProgramAccountsJson(url, owner, { commitment: 'confirmed', encoding: 'base64+zstd', filters: [{ dataSize: 3984n }] });
      assert.equal(asked.method, 'getProgramAccounts');
      assert.deepEqual(asked.params, [owner, { commitment: 'confirmed', encoding: 'base64+zstd', filters: [{ dataSize: 3984 }] }]);
      assert.equal(got.length, 1);
      assert.equal(got[0]!.account.lamports, 1152921504606846977n);
      assert.equal(got[0]!.account.space, 3984n);
      assert.equal(entryBytes(got[0]!.account).length, 3984);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
