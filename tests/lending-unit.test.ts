// Lending, rebalance and metrics unit tests (no validator): share values by index, bank totals,
// the rate curve ported from crates/maxwell-lending/src/curve.rs (against the values its Rust
// unit tests assert), utilization, quote values, capital efficiency, bankruptcy detection,
// new event decoders (discriminators checked against idl/maxwell.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { address, getAddressEncoder, getI64Encoder, getU16Encoder, getU64Encoder, type Address } from '@solana/kit';

import { bankTotals, collateralBalance, collateralShares, INDEX_ONE, shareValue } from '../app/src/accounts.js';
import {
  bankruptcyLogs,
  eventDiscriminator,
  interestLogs,
  realizedVolLogs,
  rebalanceAccountsLogs,
  rebalanceCollateralLogs,
} from '../app/src/events.js';
import { bankruptBankIndexes } from '../app/src/lending.js';
import {
  borrowRateBps,
  capitalEfficiency,
  depositRateBps,
  lockedCollateral,
  openInterest,
  quoteValue,
  spotPerContract,
  utilizationBps,
  type RateCurve,
} from '../app/src/metrics.js';
import { realizedVol } from '../app/src/realized-vol.js';
import { feedMask, policyAccounts } from '../app/src/rebalance.js';

const A = (n: number): Address => address(['11111111111111111111111111111111', 'SysvarC1ock11111111111111111111111111111111', 'SysvarRent111111111111111111111111111111111', 'Vote111111111111111111111111111111111111111', 'Stake11111111111111111111111111111111111111'][n]!);
const ONE = INDEX_ONE;
const slots = (...xs: [number, bigint][]) => {
  const s = Array.from({ length: 16 }, () => ({ balance: 0n, bankIndex: 0, inUse: 0, pad: new Uint8Array(5) }));
  xs.forEach(([bankIndex, balance], i) => (s[i] = { balance, bankIndex, inUse: 1, pad: new Uint8Array(5) }));
  return s;
};
const positions = (n = 0) => Array.from({ length: 128 }, (_, i) => ({ size: i < n ? -1n : 0n, costBasis: 0n, underlyingIndex: 0, seriesIndex: i, inUse: i < n ? 1 : 0, pad: new Uint8Array(3) }));

describe('shares and indices', () => {
  it('values deposits rounded down and borrows rounded up (maxwell_lending::BankIndex::value)', () => {
    const at1 = { depositIndex: ONE, borrowIndex: ONE };
    assert.equal(shareValue(1_000n, at1), 1_000n);
    assert.equal(shareValue(-1_000n, at1), -1_000n);
    assert.equal(shareValue(0n, at1), 0n);
    // deposit index 1.5, borrow index 1.25
    const idx = { depositIndex: ONE + ONE / 2n, borrowIndex: ONE + ONE / 4n };
    assert.equal(shareValue(3n, idx), 4n, 'floor(4.5)');
    assert.equal(shareValue(-3n, idx), -4n, '-ceil(3.75)');
    assert.equal(shareValue(-4n, idx), -5n, 'exact 5');
    // One unit above 1.0: a deposit of 2^40 shares gains exactly 1; a borrow of 1 share owes 2.
    const tiny = { depositIndex: ONE + 1n, borrowIndex: ONE + 1n };
    assert.equal(shareValue(ONE, tiny), ONE + 1n);
    assert.equal(shareValue(-1n, tiny), -2n);
    assert.equal(shareValue(1n, tiny), 1n);
  });

  it('reads an account balance in native units through its bank', () => {
    const acc = { collateral: slots([0, -10n], [1, 100n]) };
    const bank = { bankIndex: 1, depositIndex: 2n * ONE, borrowIndex: ONE };
    assert.equal(collateralShares(acc, 1), 100n);
    assert.equal(collateralBalance(acc, bank), 200n);
    assert.equal(collateralBalance(acc, { ...bank, bankIndex: 0, borrowIndex: 3n * ONE }), -30n);
    assert.equal(collateralBalance(acc, { ...bank, bankIndex: 7 }), 0n);
  });

  it('bank totals: deposits floor, borrows ceil, reserve = fee shares', () => {
    const t = bankTotals({ depositShares: 10n, borrowShares: 3n, feeShares: 2n, depositIndex: ONE + ONE / 2n, borrowIndex: ONE + ONE / 4n });
    assert.deepEqual(t, { deposits: 15n, borrows: 4n, reserve: 3n });
    assert.deepEqual(bankTotals({ depositShares: 0n, borrowShares: 0n, feeShares: 0n, depositIndex: ONE, borrowIndex: ONE }), { deposits: 0n, borrows: 0n, reserve: 0n });
  });
});

describe('rate curve (crates/maxwell-lending/src/curve.rs)', () => {
  const c: RateCurve = { kinkUtilBps: 8_000, baseRateBps: 0, kinkRateBps: 1_000, maxRateBps: 10_000, reserveBps: 1_000 };
  it('matches the Rust unit test kinked_shape', () => {
    assert.equal(borrowRateBps(c, 0n), 0n);
    assert.equal(borrowRateBps(c, 4_000n), 500n);
    assert.equal(borrowRateBps(c, 8_000n), 1_000n);
    assert.equal(borrowRateBps(c, 9_000n), 5_500n);
    assert.equal(borrowRateBps(c, 10_000n), 10_000n);
    assert.equal(borrowRateBps(c, 20_000n), 10_000n);
    assert.equal(depositRateBps(c, 8_000n), 720n); // 80% x 10% x 0.9
  });
  it('rounds the borrow rate up, the deposit rate down, and is monotone', () => {
    const d: RateCurve = { kinkUtilBps: 7_000, baseRateBps: 100, kinkRateBps: 700, maxRateBps: 15_000, reserveBps: 1_000 };
    assert.equal(borrowRateBps(d, 1n), 101n); // 100 + ceil(600 / 7000)
    assert.equal(depositRateBps(d, 1n), 0n);
    let last = 0n;
    for (let u = 0n; u <= 10_000n; u += 50n) {
      const r = borrowRateBps(d, u);
      assert.ok(r >= last);
      last = r;
    }
  });
  it('utilization = borrows / deposits at the indices, capped at 100%', () => {
    assert.equal(utilizationBps({ depositShares: 1_000n, borrowShares: 0n, depositIndex: ONE, borrowIndex: ONE }), 0n);
    assert.equal(utilizationBps({ depositShares: 1_000n, borrowShares: 250n, depositIndex: ONE, borrowIndex: ONE }), 2_500n);
    assert.equal(utilizationBps({ depositShares: 1_000n, borrowShares: 250n, depositIndex: ONE, borrowIndex: 2n * ONE }), 5_000n);
    assert.equal(utilizationBps({ depositShares: 0n, borrowShares: 1n, depositIndex: ONE, borrowIndex: ONE }), 10_000n);
    assert.equal(utilizationBps({ depositShares: 10n, borrowShares: 20n, depositIndex: ONE, borrowIndex: ONE }), 10_000n);
  });
});

describe('metrics', () => {
  const SOL = { price: 15_000_000_000n, exponent: -8 }; // 150.00
  it('values tokens in quote like the program (floor) and a contract as one whole token', () => {
    assert.equal(quoteValue(1_000_000_000n, SOL, 9, 6), 150_000_000n); // 1 SOL = 150 USDC
    assert.equal(quoteValue(1n, SOL, 9, 6), 0n); // 1 lamport = 0.00000015 USDC, floored
    assert.equal(quoteValue(123n, null, 6, 6), 123n);
    assert.equal(spotPerContract(SOL, 6), 150_000_000n);
  });
  it('open interest sums listed series; capital efficiency = OI notional / locked collateral', () => {
    const s = (oi: bigint, listed = 1) => ({ openInterest: oi, listed }) as never;
    assert.equal(openInterest({ nSeries: 3, series: [s(5n), s(7n, 0), s(2n), s(100n)] }), 7n);
    const banks = new Map([
      [0, { depositIndex: ONE, borrowIndex: ONE, decimals: 6 }],
      [1, { depositIndex: 2n * ONE, borrowIndex: ONE, decimals: 9 }],
    ]);
    const prices = new Map([[0, null], [1, SOL]]);
    // 100 USDC + 0.5 SOL shares at index 2 (= 1 SOL = 150 USDC); the borrow is not locked collateral.
    const locked = lockedCollateral([{ collateral: slots([0, 100_000_000n], [1, 500_000_000n]) }, { collateral: slots([0, -5n]) }], banks, prices, 6);
    assert.equal(locked, 250_000_000n);
    assert.equal(capitalEfficiency(10n * 150_000_000n, locked), 6);
    assert.equal(capitalEfficiency(1n, 0n), 0);
  });
  it('realized vol = sqrt(Q52 variance)', () => {
    assert.equal(realizedVol({ rvVariance: 0n }), 0);
    assert.ok(Math.abs(realizedVol({ rvVariance: (64n << 52n) / 100n }) - 0.8) < 1e-12);
  });
});

describe('bankruptcy and policy helpers', () => {
  it('bankrupt = no positions, no positive balance, a debt (per bank)', () => {
    assert.deepEqual(bankruptBankIndexes({ collateral: slots([0, -5n]), positions: positions() }), [0]);
    assert.deepEqual(bankruptBankIndexes({ collateral: slots([0, -5n], [1, -1n]), positions: positions() }), [0, 1]);
    assert.deepEqual(bankruptBankIndexes({ collateral: slots([0, -5n], [1, 1n]), positions: positions() }), []);
    assert.deepEqual(bankruptBankIndexes({ collateral: slots([0, -5n]), positions: positions(1) }), []);
    assert.deepEqual(bankruptBankIndexes({ collateral: slots(), positions: positions() }), []);
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
