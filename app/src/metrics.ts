// Protocol metrics readable by any client (`npm run metrics [-- --exchange <address>]` prints
// them as JSON; default exchange: target/localnet.json). Per bank: utilization, borrow and
// deposit APR from the bank's rate curve, deposits, borrows, reserve (the program's own
// functions in WASM: rules-wasm.ts bankAt) and socialized losses in native units; per
// underlying: open interest (sum over listed series), its notional at the oracle spot, the
// realized volatility (Underlying::realized_vol, in WASM), listed and free expiry and series slots
// and the series slots recycled so far (expiry_retire); capital efficiency = open-interest
// notional / locked collateral (positive balances at the oracle, no haircut: rules-wasm.ts
// quoteValue). Everything at the banks' stored indices (accrue_interest brings them to now).
import { pathToFileURL } from 'node:url';

import { address, type Account, type Address } from '@solana/kit';

import {
  getExchange,
  getMarginAccountsOfExchange,
  type CollateralBank,
  type MarginAccount,
  type Underlying,
} from './accounts.js';
import { MaxwellClient } from './client.js';
import { COMMITMENT } from './config.js';
import { fetchPriceUpdateV2 } from './generated/mock-pyth/index.js';
import { tryLoadDeployment } from './localnet.js';
import { listedExpiries, listedSeries } from './markets.js';
import { bankAt, quoteValue, realizedVol, shareValue, spotPerContract, type Price } from './rules-wasm.js';
import { connect } from './transactions.js';

export type { Price };

export type BankMetrics = {
  bank: Address;
  bankIndex: number;
  mint: Address;
  isQuote: boolean;
  utilizationBps: bigint;
  borrowAprBps: bigint;
  depositAprBps: bigint;
  /** Native units at the stored indices (deposits include the reserve). */
  deposits: bigint;
  borrows: bigint;
  reserve: bigint;
  socializedTotal: bigint;
  borrowCap: bigint;
  depositIndex: bigint;
  borrowIndex: bigint;
  lastAccrualTs: bigint;
};

/** The metrics of one bank, at its stored indices (the program's own functions: rules-wasm.ts bankAt). */
export function bankMetrics(address: Address, b: CollateralBank): BankMetrics {
  const v = bankAt(b);
  return {
    bank: address,
    bankIndex: b.bankIndex,
    mint: b.mint,
    isQuote: b.isQuote === 1,
    utilizationBps: v.utilizationBps,
    borrowAprBps: v.borrowRateBps,
    depositAprBps: v.depositRateBps,
    deposits: v.deposits,
    borrows: v.borrows,
    reserve: v.reserve,
    socializedTotal: b.socializedTotal,
    borrowCap: b.borrowCap,
    depositIndex: b.depositIndex,
    borrowIndex: b.borrowIndex,
    lastAccrualTs: b.lastAccrualTs,
  };
}

/** Open interest of an underlying: the sum over its listed series, in contracts. */
export function openInterest(u: Pick<Underlying, 'series' | 'nSeries'>): bigint {
  return u.series.slice(0, u.nSeries).reduce((s, x) => (x.listed === 1 ? s + x.openInterest : s), 0n);
}

/** Listed and free expiry and series slots of an underlying, and how many series slots were recycled. */
export function slotMetrics(u: Pick<Underlying, 'series' | 'nSeries' | 'expiries' | 'nExpiries'>): Pick<UnderlyingMetrics, 'listedExpiries' | 'listedSeries' | 'freeExpirySlots' | 'freeSeriesSlots' | 'seriesSlotsRecycled'> {
  const expiries = listedExpiries(u).length;
  const series = listedSeries(u).length;
  return {
    listedExpiries: expiries,
    listedSeries: series,
    freeExpirySlots: u.nExpiries - expiries,
    freeSeriesSlots: u.nSeries - series,
    seriesSlotsRecycled: u.series.reduce((t, s) => t + s.generation, 0),
  };
}

/**
 * Locked collateral: the sum over `accounts` of their positive balances valued in quote
 * (native balance at the bank's stored indices, then the bank's price; no haircut).
 */
export function lockedCollateral(
  accounts: readonly Pick<MarginAccount, 'collateral'>[],
  banks: ReadonlyMap<number, CollateralBank>,
  prices: ReadonlyMap<number, Price | null>,
  quoteDecimals: number,
): bigint {
  let sum = 0n;
  for (const a of accounts) {
    for (const s of a.collateral) {
      if (s.inUse !== 1 || s.balance <= 0n) continue;
      const b = banks.get(s.bankIndex);
      const p = prices.get(s.bankIndex);
      if (!b || p === undefined) continue;
      sum += quoteValue(shareValue(s.balance, b), p, b.decimals, quoteDecimals);
    }
  }
  return sum;
}

/** Open-interest notional / locked collateral (0 when nothing is locked). */
export function capitalEfficiency(oiNotional: bigint, locked: bigint): number {
  return locked > 0n ? Number(oiNotional) / Number(locked) : 0;
}

export type UnderlyingMetrics = {
  underlying: Address;
  underlyingIndex: number;
  openInterest: bigint;
  /** Quote native per contract at the oracle (null if unreadable). */
  spot: bigint | null;
  /** openInterest x spot, quote native. */
  notional: bigint;
  /** Annualized, a fraction (0.8 = 80%). */
  realizedVol: number;
  realizedVolUpdates: bigint;
  /** Listed expiries and series (free slots skipped). */
  listedExpiries: number;
  listedSeries: number;
  /** Free slots below the high-water marks (retired by expiry_retire, not listed again yet). */
  freeExpirySlots: number;
  freeSeriesSlots: number;
  /** Series slots freed by expiry_retire so far: the sum of the slots' generations. */
  seriesSlotsRecycled: number;
};

export type Metrics = {
  exchange: Address;
  banks: BankMetrics[];
  underlyings: UnderlyingMetrics[];
  /** Quote native. */
  openInterestNotional: bigint;
  lockedCollateral: bigint;
  capitalEfficiency: number;
};

async function readPrice(client: MaxwellClient, oracle: Address): Promise<Price | null> {
  try {
    const p = (await fetchPriceUpdateV2(client.conn.rpc, oracle, { commitment: COMMITMENT })).data.priceMessage;
    return { price: p.price, exponent: p.exponent };
  } catch {
    return null;
  }
}

/** Every metric of the client's exchange (margin accounts other than the insurance fund count as locked collateral). */
export async function collectMetrics(client: MaxwellClient): Promise<Metrics> {
  const [ex, banks, unders, accounts] = await Promise.all([
    getExchange(client.conn, client.exchange),
    client.banksByIndex(true),
    client.underlyingsByIndex(true),
    getMarginAccountsOfExchange(client.conn, client.exchange),
  ]);
  const quoteDecimals = ex.data.quoteDecimals;
  const prices = new Map<number, Price | null>();
  for (const [i, b] of banks) prices.set(i, b.data.isQuote === 1 ? null : await readPrice(client, b.data.oracle));
  const bankStates = new Map([...banks].map(([i, b]) => [i, b.data]));
  const underlyings: UnderlyingMetrics[] = [];
  for (const [i, { address: ua }] of [...unders].sort((a, b) => a[0] - b[0])) {
    const u: Account<Underlying> = await client.underlying(ua);
    const price = await readPrice(client, u.data.oracle);
    const spot = price ? spotPerContract(price, quoteDecimals) : null;
    const oi = openInterest(u.data);
    underlyings.push({
      underlying: ua,
      underlyingIndex: i,
      openInterest: oi,
      spot,
      notional: spot === null ? 0n : oi * spot,
      realizedVol: realizedVol(u.data),
      realizedVolUpdates: u.data.rvUpdates,
      ...slotMetrics(u.data),
    });
  }
  const insurance = ex.data.insuranceVault;
  const locked = lockedCollateral(
    accounts.filter((a) => a.address !== insurance).map((a) => a.data),
    bankStates,
    prices,
    quoteDecimals,
  );
  const notional = underlyings.reduce((s, u) => s + u.notional, 0n);
  return {
    exchange: client.exchange,
    banks: [...banks].sort((a, b) => a[0] - b[0]).map(([, b]) => bankMetrics(b.address, b.data)),
    underlyings,
    openInterestNotional: notional,
    lockedCollateral: locked,
    capitalEfficiency: capitalEfficiency(notional, locked),
  };
}

/** JSON with bigints as strings. */
export function metricsJson(m: Metrics): string {
  return JSON.stringify(m, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

async function main(argv: readonly string[]): Promise<void> {
  const i = argv.indexOf('--exchange');
  const exchange = i >= 0 ? argv[i + 1] : tryLoadDeployment()?.exchange;
  if (!exchange) throw new Error('metrics: --exchange <address> or a target/localnet.json is required');
  const client = new MaxwellClient(connect(), address(exchange));
  console.log(metricsJson(await collectMetrics(client)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e) => {
      console.error('metrics failed:', e);
      process.exit(1);
    },
  );
}
