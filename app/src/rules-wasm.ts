// The program's rules other than health, from its own Rust compiled to WASM (app/wasm, exports
// documented in app/wasm/src/lib.rs): every function here encodes the account it is given
// (generated encoder, discriminator included), hands the bytes to the program's method and
// decodes the answer. No formula of the program is written in TypeScript: share values, bank
// totals, utilization and the rate curve (CollateralBank / maxwell-lending), the rebalance
// policy's day window and keeper fee (RebalancePolicy), quote values at a Pyth price
// (maxwell-risk collateral), realized volatility (Underlying), bankruptcy (MarginAccount), and
// the program's constants. Synchronous: the module is instantiated once, on first use.
import {
  getCollateralBankEncoder,
  getMarginAccountEncoder,
  getRebalancePolicyEncoder,
  getUnderlyingEncoder,
  type CollateralBank,
  type MarginAccount,
  type RebalancePolicy,
  type Underlying,
} from './generated/maxwell/index.js';
import { callWasm, concat, le64, maxwellWasm, type MaxwellWasmExports } from './wasm.js';

const bankBytes = (b: CollateralBank) => new Uint8Array(getCollateralBankEncoder().encode(b));
const policyBytes = (p: RebalancePolicy) => new Uint8Array(getRebalancePolicyEncoder().encode(p));

/** The program's constants (programs/maxwell/src/constants.rs, maxwell-lending, maxwell-risk). */
export type Constants = {
  /** 1.0 in the banks' Q24.40 indices. */
  indexOne: bigint;
  bps: bigint;
  /** The year interest accrues over. */
  secondsPerYear: bigint;
  maxCollateralSlots: bigint;
  maxPositions: bigint;
  maxBanks: bigint;
  maxExpiries: bigint;
  maxSeries: bigint;
  policyMaxAccounts: bigint;
  /** The rebalance policy's rolling day. */
  policyDaySecs: bigint;
  keeperFeeMaxBps: bigint;
  conversionDiscountMaxBps: bigint;
  /** Clean history that earns the full reputation discount. */
  reputationRampSecs: bigint;
  realizedVolMinIntervalSecs: bigint;
  liqPenaltyMaxBps: bigint;
  imFactorMinBps: bigint;
  imFactorMaxBps: bigint;
  oracleMaxAgeMinSecs: bigint;
  oracleMaxAgeMaxSecs: bigint;
  oracleMaxConfMaxBps: bigint;
  rateMaxBps: bigint;
  rateKinkMinBps: bigint;
  rateKinkMaxBps: bigint;
  reserveMaxBps: bigint;
  /** 1.0 in the risk engine's Q52 fixed point. */
  fxOne: bigint;
  /** Scenarios per underlying in the margin check's grid (price shocks x vol states). */
  scenarios: bigint;
  /** Vol states in that grid (unchanged, up, down, then the term-structure twists). */
  volStates: bigint;
  /** expiry_settle_price takes a price published within [expiry, expiry + this], seconds. */
  settleWindowSecs: bigint;
};

/** Field order of `mx_constants` (app/wasm/src/lib.rs CONSTANTS). */
const CONSTANT_NAMES: readonly (keyof Constants)[] = [
  'indexOne', 'bps', 'secondsPerYear', 'maxCollateralSlots', 'maxPositions', 'maxBanks', 'maxExpiries', 'maxSeries',
  'policyMaxAccounts', 'policyDaySecs', 'keeperFeeMaxBps', 'conversionDiscountMaxBps', 'reputationRampSecs',
  'realizedVolMinIntervalSecs', 'liqPenaltyMaxBps', 'imFactorMinBps', 'imFactorMaxBps', 'oracleMaxAgeMinSecs',
  'oracleMaxAgeMaxSecs', 'oracleMaxConfMaxBps', 'rateMaxBps', 'rateKinkMinBps', 'rateKinkMaxBps', 'reserveMaxBps', 'fxOne',
  'scenarios', 'volStates', 'settleWindowSecs',
];

let constantsCache: Constants | null = null;

/** The constants of module instance `x` (`mx_constants`). */
export function readConstants(x: MaxwellWasmExports): Constants {
  const len = 8 * CONSTANT_NAMES.length;
  const out = callWasm(x, (_i, _l, o, ol) => x.mx_constants(o, ol), new Uint8Array(0), len);
  const c = {} as Constants;
  CONSTANT_NAMES.forEach((name, k) => (c[name] = out.getBigInt64(8 * k, true)));
  return c;
}

/** The program's constants, read once from the shared module. */
export function constants(): Constants {
  return (constantsCache ??= readConstants(maxwellWasm()));
}

/** A bank as of a time (`mx_bank`): indices accrued with its own curve, then what follows from them. */
export type BankView = {
  depositIndex: bigint;
  borrowIndex: bigint;
  depositShares: bigint;
  borrowShares: bigint;
  feeShares: bigint;
  lastAccrualTs: bigint;
  /** Borrows / deposits, bps, at most 10_000. */
  utilizationBps: bigint;
  /** Annual rates of the bank's curve at that utilization, bps (borrow rounded up, deposit down). */
  borrowRateBps: bigint;
  depositRateBps: bigint;
  /** Native units: what depositors (accounts and the reserve) are owed (floor), what borrowers owe (ceil), the reserve (floor). */
  deposits: bigint;
  borrows: bigint;
  reserve: bigint;
};

/**
 * The bank at `now` (`CollateralBank::index_at`: interest accrued to `now` with the bank's
 * curve, as health values balances); omitted, or at or before its last accrual: its stored indices.
 */
export function bankAt(bank: CollateralBank, now: bigint = bank.lastAccrualTs): BankView {
  const x = maxwellWasm();
  const o = callWasm(x, x.mx_bank, concat([le64(now), bankBytes(bank)]), 96);
  const u = (k: number) => o.getBigUint64(8 * k, true);
  return {
    depositIndex: u(0),
    borrowIndex: u(1),
    depositShares: u(2),
    borrowShares: u(3),
    feeShares: u(4),
    lastAccrualTs: o.getBigInt64(40, true),
    utilizationBps: u(6),
    borrowRateBps: u(7),
    depositRateBps: u(8),
    deposits: u(9),
    borrows: u(10),
    reserve: u(11),
  };
}

/**
 * Signed native value of a balance of `shares` (the unit of `CollateralSlot::balance`; negative
 * = a borrow) in `bank` (`BankIndex::value`: deposits rounded down, borrows up in magnitude), at
 * the indices accrued to `now` (default: the stored indices).
 */
export function shareValue(shares: bigint, bank: CollateralBank, now: bigint = bank.lastAccrualTs): bigint {
  const x = maxwellWasm();
  return callWasm(x, x.mx_share_value, concat([le64(now), le64(shares), bankBytes(bank)]), 8).getBigInt64(0, true);
}

/** The bank's rate curve at `utilizationBps` (clamped to 100%): annual borrow and deposit rates, bps. */
export function rateCurve(bank: CollateralBank, utilizationBps: bigint): { borrowRateBps: bigint; depositRateBps: bigint } {
  const x = maxwellWasm();
  const o = callWasm(x, x.mx_rate_curve, concat([le64(utilizationBps), bankBytes(bank)]), 16);
  return { borrowRateBps: o.getBigUint64(0, true), depositRateBps: o.getBigUint64(8, true) };
}

/** The policy's rolling day as `spend` sees it at `now`, and what may still move in it (quote native). */
export function policyDay(policy: RebalancePolicy, now: bigint): { dayStartTs: bigint; movedToday: bigint; dayLeft: bigint } {
  const x = maxwellWasm();
  const o = callWasm(x, x.mx_policy_day, concat([le64(now), policyBytes(policy)]), 24);
  return { dayStartTs: o.getBigInt64(0, true), movedToday: o.getBigUint64(8, true), dayLeft: o.getBigUint64(16, true) };
}

/** The keeper fee `rebalance_accounts` takes on `amount` native units under `policy`. */
export function keeperFee(policy: RebalancePolicy, amount: bigint): bigint {
  const x = maxwellWasm();
  return callWasm(x, x.mx_keeper_fee, concat([le64(amount), policyBytes(policy)]), 8).getBigUint64(0, true);
}

/** A Pyth price: mantissa x 10^exponent quote per whole token. */
export type Price = { price: bigint; exponent: number };

/**
 * Quote native value of `amount` native units of a token with `tokenDecimals` at `price`
 * (maxwell-risk `TokenPrice::from_oracle` + `raw_value`: unweighted, rounded down unless
 * `roundUp`). `price` null = the quote token itself (worth exactly 1).
 */
export function quoteValue(amount: bigint, price: Price | null, tokenDecimals: number, quoteDecimals: number, roundUp = false): bigint {
  if (!price) return amount;
  const x = maxwellWasm();
  const input = new Uint8Array(8 + 8 + 4 + 3);
  const v = new DataView(input.buffer);
  v.setBigUint64(0, amount, true);
  v.setBigInt64(8, price.price, true);
  v.setInt32(16, price.exponent, true);
  input.set([tokenDecimals, quoteDecimals, roundUp ? 1 : 0], 20);
  const o = callWasm(x, x.mx_quote_value, input, 16);
  return o.getBigUint64(0, true) + (o.getBigUint64(8, true) << 64n);
}

/** Quote native value of one contract (one whole token of the underlying) at `price`. */
export function spotPerContract(price: Price, quoteDecimals: number): bigint {
  return quoteValue(1n, price, 0, quoteDecimals);
}

/** An underlying's annualized realized volatility, Q52 (`Underlying::realized_vol`). */
export function realizedVolQ52(u: Underlying): bigint {
  const x = maxwellWasm();
  return callWasm(x, x.mx_realized_vol, new Uint8Array(getUnderlyingEncoder().encode(u)), 8).getBigInt64(0, true);
}

/**
 * The program's realized-vol sampling schedule (`plans::realized_vol::sample_open`): whether a
 * sample is taken at `now` after the last sampled boundary `rvLastTs`, and the seconds until
 * the next boundary.
 */
export function realizedVolSchedule(rvLastTs: bigint, now: bigint): { open: boolean; nextInSecs: bigint } {
  const x = maxwellWasm();
  const input = new Uint8Array(16);
  const v = new DataView(input.buffer);
  v.setBigInt64(0, rvLastTs, true);
  v.setBigInt64(8, now, true);
  const out = callWasm(x, x.mx_rv_schedule, input, 9);
  return { open: out.getUint8(0) === 1, nextInSecs: out.getBigInt64(1, true) };
}

/** A Q52 fixed-point number as a float (display only). */
export function fromQ52(q: bigint): number {
  return Number(q) / Number(constants().fxOne);
}

/** An underlying's annualized realized volatility as a fraction (0.8 = 80%), for display. */
export function realizedVol(u: Underlying): number {
  return fromQ52(realizedVolQ52(u));
}

/**
 * The bank indexes in which `account` is bankrupt (`MarginAccount::is_bankrupt`, then the
 * banks it owes: `debts`), in slot order; empty when bankruptcy_resolve would refuse it.
 */
export function bankruptBankIndexes(account: MarginAccount): number[] {
  const x = maxwellWasm();
  const o = callWasm(x, x.mx_bankrupt, new Uint8Array(getMarginAccountEncoder().encode(account)), 4 + 2 * Number(constants().maxCollateralSlots));
  const n = o.getUint32(0, true);
  return Array.from({ length: n }, (_, k) => o.getUint16(4 + 2 * k, true));
}
