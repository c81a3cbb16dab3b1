// Lending, rebalance and metrics unit tests (no validator). The rules are the program's own
// Rust in WASM (app/src/rules-wasm.ts over app/wasm): share values by index (stored and accrued
// to a time), bank totals, utilization, the rate curve, the policy's day window and keeper fee,
// quote values, realized volatility, bankruptcy and the constants, each asserted against the
// value written as the formula it comes from (app/wasm/src/lib.rs asserts the same numbers on
// the Rust side). Also: capital efficiency, open interest, new event decoders (discriminators
// checked against idl/maxwell.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { address, getAddressEncoder, getI64Encoder, getU16Encoder, getU64Encoder, type Address } from '@solana/kit';

import { collateralBalance, collateralShares } from '../app/src/accounts.js';
import { maxwellErrorCode } from '../app/src/errors.js';
import {
  bankruptcyLogs,
  eventDiscriminator,
  interestLogs,
  realizedVolLogs,
  rebalanceAccountsLogs,
  rebalanceCollateralLogs,
} from '../app/src/events.js';
import { capitalEfficiency, lockedCollateral, openInterest } from '../app/src/metrics.js';
import { feedMask, policyAccounts } from '../app/src/rebalance.js';
import {
  bankAt,
  bankruptBankIndexes,
  constants,
  keeperFee,
  policyDay,
  quoteValue,
  rateCurve,
  realizedVol,
  realizedVolQ52,
  shareValue,
  spotPerContract,
} from '../app/src/rules-wasm.js';
import { callWasm, maxwellWasm, MaxwellWasmError } from '../app/src/wasm.js';
import { positions as somePositions, slots, zeroAccount, zeroBank, zeroPolicy, zeroUnderlying } from './fixtures.js';

const A = (n: number): Address => address(['11111111111111111111111111111111', 'SysvarC1ock11111111111111111111111111111111', 'SysvarRent111111111111111111111111111111111', 'Vote111111111111111111111111111111111111111', 'Stake11111111111111111111111111111111111111'][n]!);
const ONE = 1n << 40n; // 1.0 in Q24.40, as the formulas below are written (constants() must agree)
const YEAR = 31_536_000n;
const positions = (n = 0) => Array.from({ length: 128 }, (_, i) => ({ size: i < n ? -1n : 0n, costBasis: 0n, underlyingIndex: 0, seriesIndex: i, inUse: i < n ? 1 : 0, pad: 0, generation: 0 }));
const idx = (depositIndex: bigint, borrowIndex: bigint) => zeroBank({ depositIndex, borrowIndex });
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
const kinked = { kinkUtilBps: 8_000, baseRateBps: 0, kinkRateBps: 1_000, maxRateBps: 10_000, reserveBps: 1_000, pad: 0 };

describe('constants (the program\'s, from WASM)', () => {
  it('are the values the program is built with', () => {
    const c = constants();
    assert.equal(c.indexOne, ONE);
    assert.equal(c.bps, 10_000n);
    assert.equal(c.secondsPerYear, YEAR);
    assert.equal(c.maxCollateralSlots, 16n);
    assert.equal(c.maxPositions, 128n);
    assert.equal(c.policyMaxAccounts, 8n);
    assert.equal(c.policyDaySecs, 86_400n);
    assert.equal(c.keeperFeeMaxBps, 50n); // 0.5%
    assert.equal(c.conversionDiscountMaxBps, 200n); // 2%
    assert.equal(c.reputationRampSecs, 90n * 86_400n);
    assert.equal(c.realizedVolMinIntervalSecs, 60n);
    assert.equal(c.fxOne, 1n << 52n);
    assert.equal(c.scenarios, 35n); // 7 price shocks x 5 vol states
    assert.equal(c.volStates, 5n);
  });

  it('an output buffer shorter than the answer is refused with code 3, nothing written past it', () => {
    const x = maxwellWasm();
    const full = 8 * Object.keys(constants()).length;
    const short = (n: number) => callWasm(x, (_i, _l, o, ol) => x.mx_constants(o, ol), new Uint8Array(0), n);
    assert.throws(() => short(full - 1), (e: unknown) => e instanceof MaxwellWasmError && e.code === 3);
    assert.throws(() => short(0), (e: unknown) => e instanceof MaxwellWasmError && e.code === 3);
    // The module's heap is intact: the same call with the right size answers as before.
    assert.equal(short(full).getBigInt64(0, true), ONE);
  });
});

describe('shares and indices (BankIndex::value)', () => {
  it('values deposits rounded down and borrows rounded up, at the stored indices', () => {
    const at1 = idx(ONE, ONE);
    assert.equal(shareValue(1_000n, at1), 1_000n);
    assert.equal(shareValue(-1_000n, at1), -1_000n);
    assert.equal(shareValue(0n, at1), 0n);
    // deposit index 1.5, borrow index 1.25
    const i = idx(ONE + ONE / 2n, ONE + ONE / 4n);
    assert.equal(shareValue(3n, i), (3n * 3n) / 2n, 'floor(4.5)');
    assert.equal(shareValue(-3n, i), -ceilDiv(3n * 5n, 4n), '-ceil(3.75)');
    assert.equal(shareValue(-4n, i), -(4n * 5n) / 4n, 'exact 5');
    // One unit above 1.0: a deposit of 2^40 shares gains exactly 1; a borrow of 1 share owes 2.
    const tiny = idx(ONE + 1n, ONE + 1n);
    assert.equal(shareValue(ONE, tiny), ONE + 1n);
    assert.equal(shareValue(-1n, tiny), -ceilDiv(ONE + 1n, ONE));
    assert.equal(shareValue(1n, tiny), 1n);
  });

  it('accrues to `now` with the bank\'s own curve (as health does)', () => {
    // 500k borrowed of 1M at 1.0: utilization 50%, rate 50/80 x 10% = 625 bps a year.
    const b = zeroBank({ depositIndex: ONE, borrowIndex: ONE, depositShares: 1_000_000n, borrowShares: 500_000n, lastAccrualTs: 1_000n, rate: kinked });
    const later = 1_000n + YEAR;
    const borrowIndex = ONE + (ONE * 625n * YEAR) / (10_000n * YEAR);
    assert.equal(shareValue(-500_000n, b, later), -ceilDiv(500_000n * borrowIndex, ONE));
    assert.equal(shareValue(-500_000n, b, later), -(500_000n + 31_250n));
    // Depositors get the interest less the 10% reserve, through the deposit index (floor).
    const depositIndex = ((1_000_000n + (31_250n * 9n) / 10n) * ONE) / 1_000_000n;
    assert.equal(shareValue(1_000_000n, b, later), (1_000_000n * depositIndex) / ONE);
    const v = bankAt(b, later);
    assert.deepEqual([v.borrowIndex, v.depositIndex, v.lastAccrualTs], [borrowIndex, depositIndex, later]);
    assert.equal(v.borrows, 531_250n);
    // Without `now` (or at/before the last accrual): the stored indices.
    assert.equal(shareValue(-500_000n, b), -500_000n);
    assert.equal(bankAt(b, 999n).borrowIndex, ONE);
  });

  it('reads an account balance in native units through its bank', () => {
    const acc = { collateral: slots([0, -10n], [1, 100n]) };
    const bank = zeroBank({ bankIndex: 1, depositIndex: 2n * ONE, borrowIndex: ONE });
    assert.equal(collateralShares(acc, 1), 100n);
    assert.equal(collateralBalance(acc, bank), 100n * 2n);
    assert.equal(collateralBalance(acc, { ...bank, bankIndex: 0, borrowIndex: 3n * ONE }), -10n * 3n);
    assert.equal(collateralBalance(acc, { ...bank, bankIndex: 7 }), 0n);
  });

  it('a bank whose curve fails RateCurve::validate (none on chain) is the program\'s error, not a trap', () => {
    const zeroed = zeroBank({ depositIndex: ONE, borrowIndex: ONE, rate: { kinkUtilBps: 0, baseRateBps: 0, kinkRateBps: 0, maxRateBps: 0, reserveBps: 0, pad: 0 } });
    const kinkOut = (e: unknown) => e instanceof MaxwellWasmError && e.code === maxwellErrorCode('RateKinkOutOfBounds');
    assert.throws(() => bankAt(zeroed), kinkOut);
    assert.throws(() => shareValue(1n, zeroed), kinkOut);
    assert.equal(shareValue(5n, idx(ONE, ONE)), 5n, 'the module still answers after a refusal');
  });

  it('bank totals: deposits floor, borrows ceil, reserve = value of the fee shares', () => {
    const t = bankAt(zeroBank({ depositShares: 10n, borrowShares: 3n, feeShares: 2n, depositIndex: ONE + ONE / 2n, borrowIndex: ONE + ONE / 4n }));
    assert.deepEqual([t.deposits, t.borrows, t.reserve], [(10n * 3n) / 2n, ceilDiv(3n * 5n, 4n), (2n * 3n) / 2n]);
    const z = bankAt(zeroBank({ depositIndex: ONE, borrowIndex: ONE }));
    assert.deepEqual([z.deposits, z.borrows, z.reserve], [0n, 0n, 0n]);
  });
});

describe('rate curve (RateCurve in maxwell-lending, from the bank)', () => {
  const c = zeroBank({ rate: kinked });
  const borrow = (u: bigint) => rateCurve(c, u).borrowRateBps;
  it('is the kinked curve: linear to the kink, then steeper to the max', () => {
    assert.equal(borrow(0n), 0n);
    assert.equal(borrow(4_000n), (1_000n * 4_000n) / 8_000n);
    assert.equal(borrow(8_000n), 1_000n);
    assert.equal(borrow(9_000n), 1_000n + ((10_000n - 1_000n) * 1_000n) / 2_000n);
    assert.equal(borrow(10_000n), 10_000n);
    assert.equal(borrow(20_000n), 10_000n, 'utilization clamped at 100%');
    assert.equal(rateCurve(c, 8_000n).depositRateBps, (((1_000n * 8_000n) / 10_000n) * 9_000n) / 10_000n); // 80% x 10% x 0.9
  });
  it('rounds the borrow rate up, the deposit rate down, and is monotone', () => {
    const d = zeroBank({ rate: { kinkUtilBps: 7_000, baseRateBps: 100, kinkRateBps: 700, maxRateBps: 15_000, reserveBps: 1_000, pad: 0 } });
    assert.equal(rateCurve(d, 1n).borrowRateBps, 100n + ceilDiv(600n, 7_000n));
    assert.equal(rateCurve(d, 1n).depositRateBps, 0n);
    let last = 0n;
    for (let u = 0n; u <= 10_000n; u += 50n) {
      const r = rateCurve(d, u).borrowRateBps;
      assert.ok(r >= last);
      last = r;
    }
  });
  it('utilization = borrows / deposits at the indices, capped at 100%; rates at it', () => {
    const u = (depositShares: bigint, borrowShares: bigint, borrowIndex = ONE) =>
      bankAt(zeroBank({ depositShares, borrowShares, depositIndex: ONE, borrowIndex, rate: kinked })).utilizationBps;
    assert.equal(u(1_000n, 0n), 0n);
    assert.equal(u(1_000n, 250n), (250n * 10_000n) / 1_000n);
    assert.equal(u(1_000n, 250n, 2n * ONE), (2n * 250n * 10_000n) / 1_000n);
    assert.equal(u(0n, 1n), 10_000n);
    assert.equal(u(10n, 20n), 10_000n);
    const v = bankAt(zeroBank({ depositShares: 1_000n, borrowShares: 500n, depositIndex: ONE, borrowIndex: ONE, rate: kinked }));
    assert.deepEqual([v.borrowRateBps, v.depositRateBps], [(1_000n * 5_000n) / 8_000n, (((625n * 5_000n) / 10_000n) * 9_000n) / 10_000n]);
  });
});

describe('rebalance policy (RebalancePolicy::day_at, keeper_fee)', () => {
  const p = zeroPolicy({ maxPerDay: 2_500n, movedToday: 2_000n, dayStartTs: 1_000n, keeperFeeBps: 10 });
  it('the rolling day: what is left until it ends, everything after', () => {
    const DAY = constants().policyDaySecs;
    assert.deepEqual(policyDay(p, 2_000n), { dayStartTs: 1_000n, movedToday: 2_000n, dayLeft: 2_500n - 2_000n });
    assert.deepEqual(policyDay({ ...p, movedToday: 2_500n }, 2_000n).dayLeft, 0n);
    assert.deepEqual(policyDay(p, 1_000n + DAY - 1n).dayLeft, 500n, 'the last second of the day');
    assert.deepEqual(policyDay(p, 1_000n + DAY), { dayStartTs: 1_000n + DAY, movedToday: 0n, dayLeft: 2_500n });
  });
  it('the keeper fee: keeper_fee_bps of the amount, rounded down, exact for any u64 amount (u128 product)', () => {
    assert.equal(keeperFee(p, 1_000_000n), (1_000_000n * 10n) / 10_000n);
    assert.equal(keeperFee(p, 999n), 0n);
    assert.equal(keeperFee(p, 1_000n), 1n);
    assert.equal(keeperFee(p, 2n ** 64n - 1n), ((2n ** 64n - 1n) * 10n) / 10_000n);
  });
});

describe('metrics', () => {
  const SOL = { price: 15_000_000_000n, exponent: -8 }; // 150.00
  it('values tokens in quote like the program (floor) and a contract as one whole token', () => {
    assert.equal(quoteValue(1_000_000_000n, SOL, 9, 6), (1_000_000_000n * 15_000_000_000n) / 10n ** 11n); // 1 SOL = 150 USDC
    assert.equal(quoteValue(1n, SOL, 9, 6), 0n); // 1 lamport = 0.15 micro-USDC, floored
    assert.equal(quoteValue(1n, SOL, 9, 6, true), 1n); // ... rounded up for a liability
    assert.equal(quoteValue(123n, null, 6, 6), 123n);
    assert.equal(spotPerContract(SOL, 6), 150_000_000n);
  });
  it('open interest sums listed series; capital efficiency = OI notional / locked collateral', () => {
    const s = (oi: bigint, listed = 1) => ({ openInterest: oi, listed }) as never;
    assert.equal(openInterest({ nSeries: 3, series: [s(5n), s(7n, 0), s(2n), s(100n)] }), 7n);
    const banks = new Map([
      [0, zeroBank({ bankIndex: 0, depositIndex: ONE, borrowIndex: ONE, decimals: 6 })],
      [1, zeroBank({ bankIndex: 1, depositIndex: 2n * ONE, borrowIndex: ONE, decimals: 9 })],
    ]);
    const prices = new Map([[0, null], [1, SOL]]);
    // 100 USDC + 0.5 SOL shares at index 2 (= 1 SOL = 150 USDC); the borrow is not locked collateral.
    const locked = lockedCollateral([{ collateral: slots([0, 100_000_000n], [1, 500_000_000n]) }, { collateral: slots([0, -5n]) }], banks, prices, 6);
    assert.equal(locked, 100_000_000n + 150_000_000n);
    assert.equal(capitalEfficiency(10n * 150_000_000n, locked), 6);
    assert.equal(capitalEfficiency(1n, 0n), 0);
  });
  it('realized vol = sqrt(Q52 variance) (Underlying::realized_vol)', () => {
    assert.equal(realizedVol(zeroUnderlying()), 0);
    const v = realizedVolQ52(zeroUnderlying({ rvVariance: (64n << 52n) / 100n })); // 0.64 = 80% squared
    const want = (8n << 52n) / 10n;
    assert.ok(v - want <= 1n && want - v <= 1n, `${v}`);
    assert.ok(Math.abs(realizedVol(zeroUnderlying({ rvVariance: (64n << 52n) / 100n })) - 0.8) < 1e-12);
  });
});

describe('bankruptcy (MarginAccount::is_bankrupt) and policy helpers', () => {
  const acc = (collateral: ReturnType<typeof slots>, n = 0) => zeroAccount({ collateral, positions: positions(n) });
  it('bankrupt = no positions, no positive balance; in every bank it owes', () => {
    assert.deepEqual(bankruptBankIndexes(acc(slots([0, -5n]))), [0]);
    assert.deepEqual(bankruptBankIndexes(acc(slots([0, -5n], [1, -1n]))), [0, 1]);
    assert.deepEqual(bankruptBankIndexes(acc(slots([0, -5n], [1, 1n]))), []);
    assert.deepEqual(bankruptBankIndexes(acc(slots([0, -5n]), 1)), []);
    assert.deepEqual(bankruptBankIndexes(acc(slots())), []);
    assert.deepEqual(bankruptBankIndexes(zeroAccount({ collateral: slots([2, -5n]), positions: somePositions() })), [2]);
  });
  it('feed bits and listed accounts', () => {
    assert.equal(feedMask([0, 2]), 0b101);
    const accounts = [A(1), A(0), A(2), ...Array.from({ length: 5 }, () => A(0))];
    assert.deepEqual(policyAccounts({ accounts }), [{ index: 0, account: A(1) }, { index: 2, account: A(2) }]);
  });
});

describe('new events', () => {
  const idl = JSON.parse(readFileSync(new URL('../idl/maxwell.json', import.meta.url), 'utf8')) as { events: { name: string; discriminator: number[] }[] };
  const data = (name: string, body: number[]) =>
    `Program data: ${Buffer.from(new Uint8Array([...eventDiscriminator(name), ...body])).toString('base64')}`;
  const addr = (i: number) => [...getAddressEncoder().encode(A(i))];
  const u64 = (x: bigint) => [...getU64Encoder().encode(x)];
  const i64 = (x: bigint) => [...getI64Encoder().encode(x)];

  it('discriminators equal the IDL', () => {
    for (const name of ['InterestLog', 'BankruptcyLog', 'RebalanceAccountsLog', 'RebalanceCollateralLog', 'RealizedVolLog']) {
      const e = idl.events.find((x) => x.name === name);
      assert.ok(e, name);
      assert.deepEqual([...eventDiscriminator(name)], e.discriminator, name);
    }
  });

  it('decodes each layout (programs/maxwell/src/events.rs)', () => {
    const [i] = interestLogs([data('InterestLog', [...addr(1), ...u64(60n), ...u64(2_500n), ...u64(450n), ...u64(9n), ...u64(ONE + 3n), ...u64(ONE + 7n)])]);
    assert.deepEqual(i, { bank: A(1), seconds: 60n, utilizationBps: 2_500n, borrowRateBps: 450n, interest: 9n, depositIndex: ONE + 3n, borrowIndex: ONE + 7n });
    const [b] = bankruptcyLogs([data('BankruptcyLog', [...addr(0), ...addr(1), ...addr(2), ...addr(3), ...u64(500n), ...u64(300n), ...u64(200n), ...u64(ONE), ...u64(ONE - 5n)])]);
    assert.equal(b?.account, A(1));
    assert.deepEqual([b?.owed, b?.coveredByInsurance, b?.socialized, b?.depositIndexAfter], [500n, 300n, 200n, ONE - 5n]);
    const [r] = rebalanceAccountsLogs([data('RebalanceAccountsLog', [...addr(0), ...addr(1), ...addr(2), ...addr(3), ...addr(4), ...u64(1_000n), ...u64(1n), ...u64(1_000n), ...i64(-5n), ...i64(994n), ...i64(7n)])]);
    assert.deepEqual([r?.source, r?.destination, r?.amount, r?.fee, r?.destinationMaintBefore, r?.sourceMaintAfter], [A(1), A(2), 1_000n, 1n, -5n, 7n]);
    const [c] = rebalanceCollateralLogs([data('RebalanceCollateralLog', [...addr(0), ...addr(1), ...addr(2), ...u64(1_000n), ...u64(7n), ...getU16Encoder().encode(50), ...i64(1n), ...i64(2n)])]);
    assert.deepEqual([c?.quoteAmount, c?.collateral, c?.discountBps, c?.maintHealthAfter], [1_000n, 7n, 50, 2n]);
    const [v] = realizedVolLogs([data('RealizedVolLog', [...addr(3), ...u64(150_000_000n), ...i64(1n), ...i64(2n), ...i64(3n)])]);
    assert.deepEqual(v, { underlying: A(3), spot: 150_000_000n, sampleVariance: 1n, variance: 2n, realizedVol: 3n });
    assert.deepEqual(interestLogs([data('BankruptcyLog', [])]), [], 'other events are skipped');
  });
});
