// Job `settle`, per underlying, in three steps:
// 1. Settlement price: every expired, unsettled expiry gets one (expiry_settle_price) from a Pyth
//    price published within [expiry, expiry + settleWindowSecs()]: from the underlying's own
//    oracle account while its publish time is inside the window, otherwise from an in-window
//    update posted into an account of the keeper's own by the optional window price source (the
//    program accepts any fully verified PriceUpdateV2 of the feed). Without a source, the keeper
//    waits while the window is open (the oracle may still publish in it); once it has closed with
//    no price, only the governance fallback (Change::SettlementPrice) can settle: logged as a warning.
//    Another keeper having settled it first (SettlementPriceAlreadySet) is fine.
// 2. account_settle for every account holding a position of a settled expiry or a leftover of a
//    retired one (its generation is not its series slot's: removed with a payoff of 0).
// 3. expiry_retire for every settled expiry nobody holds any more (no long open interest,
//    settled_net 0): its slot and its series slots are free for new listings. A holder not settled
//    yet (ExpiryOpenInterestLeft, ExpirySettlementInProgress) is retried next pass; another keeper
//    having retired it first (ExpirySlotFree) is fine.
import type { Account, Address, ReadonlyUint8Array, TransactionSigner } from '@solana/kit';

import type { MarginAccount, Underlying } from '../accounts.js';
import { clusterTime } from '../clock.js';
import type { MaxwellClient } from '../client.js';
import { COMMITMENT } from '../config.js';
import { settlementPriceLogs } from '../events.js';
import { fetchPriceUpdateV2 } from '../generated/mock-pyth/index.js';
import { isLeftover, listedExpiries, listedSeries } from '../markets.js';
import { constants } from '../rules-wasm.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

/**
 * The settlement window's length, seconds after expiry: the program's SETTLE_WINDOW_SECS, read
 * from its WASM module (rules-wasm.ts constants). The keeper plans with it (which price account
 * to send); expiry_settle_price checks it.
 */
export function settleWindowSecs(): bigint {
  return constants().settleWindowSecs;
}

/** What a window price source is asked for: a price of `feedId` published within [expiry, windowEnd]. */
export type WindowPriceRequest = {
  underlying: Address;
  /** The underlying's own oracle account (its price is outside the window). */
  oracle: Address;
  feedId: ReadonlyUint8Array;
  expiryIndex: number;
  expiry: bigint;
  windowEnd: bigint;
  /** Cluster time now (unix seconds). */
  now: bigint;
};

/**
 * Posts a fully verified PriceUpdateV2 of the feed published inside the window into an account
 * and returns its address (null: none available yet, retried next pass). Locally (TEST ONLY),
 * oracle.ts mockWindowPriceSource writes one through the mock Pyth receiver. On a real cluster
 * this would fetch the historical update from Hermes by publish time and post it through the
 * Pyth receiver program: that source is not built here.
 */
export type WindowPriceSource = (req: WindowPriceRequest) => Promise<Address | null>;

/**
 * Where the settlement price of an expired expiry comes from now: the oracle account when its
 * publish time is inside [expiry, expiry + window]; else a window price source if the keeper has
 * one; else wait while the window is open; else the window was missed (governance fallback).
 */
export function settlementSource(x: {
  oraclePublishTime: bigint | null;
  expiry: bigint;
  now: bigint;
  hasWindowSource: boolean;
  windowSecs?: bigint;
}): 'oracle' | 'window' | 'wait' | 'missed' {
  const end = x.expiry + (x.windowSecs ?? settleWindowSecs());
  if (x.oraclePublishTime !== null && x.oraclePublishTime >= x.expiry && x.oraclePublishTime <= end) return 'oracle';
  if (x.hasWindowSource) return 'window';
  return x.now <= end ? 'wait' : 'missed';
}

/** Whether `a` holds a position of `u` (index `underlyingIndex`) that account_settle would settle or remove now. */
export function needsSettlement(a: Pick<MarginAccount, 'positions'>, underlyingIndex: number, u: Pick<Underlying, 'series' | 'expiries'>): boolean {
  return a.positions.some((p) => {
    if (p.inUse !== 1 || p.underlyingIndex !== underlyingIndex) return false;
    if (isLeftover(u, p)) return true;
    const s = u.series[p.seriesIndex]!;
    return s.listed === 1 && u.expiries[s.expiryIndex]?.settled === 1;
  });
}

/** The settled expiries of `u` with what still keeps each from being retired (nothing: retirable). */
export function retirementState(u: Pick<Underlying, 'series' | 'nSeries' | 'expiries' | 'nExpiries'>): { expiryIndex: number; expiry: bigint; openInterest: bigint; settledNet: bigint; retirable: boolean }[] {
  const series = listedSeries(u);
  return listedExpiries(u)
    .filter(({ expiry: e }) => e.settled === 1)
    .map(({ index, expiry: e }) => {
      const openInterest = series.filter(({ series: s }) => s.expiryIndex === index).reduce((t, { series: s }) => t + s.openInterest, 0n);
      return { expiryIndex: index, expiry: e.expiry, openInterest, settledNet: e.settledNet, retirable: openInterest === 0n && e.settledNet === 0n };
    });
}

export type SettleOutcome = {
  /** Settlement prices set (expiry_settle_price). */
  prices: number;
  /** Accounts settled (account_settle). */
  accounts: number;
  /** Leftover positions of retired expiries removed (payoff 0). */
  leftovers: number;
  /** Expiries retired (expiry_retire). */
  retired: number;
};

async function oraclePublishTime(client: MaxwellClient, oracle: Address): Promise<bigint | null> {
  try {
    return (await fetchPriceUpdateV2(client.conn.rpc, oracle, { commitment: COMMITMENT })).data.priceMessage.publishTime;
  } catch {
    return null; // missing or not a PriceUpdateV2: not a price of the window
  }
}

export async function settleJob(
  client: MaxwellClient,
  payer: TransactionSigner,
  accounts: readonly Account<MarginAccount>[],
  log: Logger,
  opts: { windowPrice?: WindowPriceSource } = {},
): Promise<SettleOutcome> {
  const now = await withRetry('clock', log, () => clusterTime(client.conn));
  const unders = await withRetry('underlyings', log, () => client.underlyingsByIndex(true));
  const out: SettleOutcome = { prices: 0, accounts: 0, leftovers: 0, retired: 0 };
  for (const [index, { address }] of unders) {
    let u = (await withRetry('underlying', log, () => client.underlying(address))).data;

    // 1. Settlement prices.
    const due = listedExpiries(u).filter(({ expiry: x }) => x.settled === 0 && x.expiry <= now);
    for (const { index: e, expiry: x } of due) {
      const windowEnd = x.expiry + settleWindowSecs();
      const where = { underlying: address, expiryIndex: e, expiry: x.expiry };
      const published = await oraclePublishTime(client, u.oracle);
      const source = settlementSource({ oraclePublishTime: published, expiry: x.expiry, now, hasWindowSource: opts.windowPrice !== undefined });
      if (source === 'wait' || source === 'missed') {
        // 'missed': no Pyth price of the window will come; the admin's governance fallback
        // (Change::SettlementPrice) is the way left.
        log(source === 'wait' ? 'info' : 'warn', source === 'wait' ? 'settle_price_waiting' : 'settle_price_window_missed', { ...where, windowEnd, oraclePublishTime: published });
        continue;
      }
      let priceUpdate = u.oracle;
      if (source === 'window') {
        try {
          const posted = await opts.windowPrice!({ underlying: address, oracle: u.oracle, feedId: u.feedId, expiryIndex: e, expiry: x.expiry, windowEnd, now });
          if (!posted) {
            log('info', 'settle_price_waiting', { ...where, windowEnd, oraclePublishTime: published, reason: 'no window price yet' });
            continue;
          }
          priceUpdate = posted;
        } catch (err) {
          log('warn', 'window_price_failed', { ...where, error: errorNameOf(err) ?? String(err) });
          continue;
        }
      }
      try {
        const r = await withRetry('expiry_settle_price', log, () => client.settlePrice(payer, address, e, priceUpdate));
        out.prices++;
        const ev = settlementPriceLogs(r.logs)[0];
        log('info', 'settle_price', { ...where, from: source, source: ev?.source ?? priceUpdate, publishTime: ev?.publishTime, settlementPrice: ev?.settlementPrice });
      } catch (err) {
        const name = errorNameOf(err);
        log(name === 'SettlementPriceAlreadySet' ? 'info' : 'warn', 'settle_price_skipped', { ...where, from: source, error: name ?? String(err) });
      }
    }

    // 2. Holders of settled expiries and leftovers of retired ones (the underlying read again
    // only if an expiry was due: this keeper or another may have just set its price; an idle
    // pass reads it once).
    if (due.length > 0) u = (await withRetry('underlying', log, () => client.underlying(address))).data;
    const settledBefore = out.accounts;
    for (const a of accounts) {
      if (!needsSettlement(a.data, index, u)) continue;
      try {
        const { events } = await withRetry('account_settle', log, () => client.settleAccount(payer, a.address, address));
        out.accounts++;
        // A leftover's SettleLog carries settlement price 0 (a real settlement price is > 0).
        const leftovers = events.filter((x) => x.settlementPrice === 0n).length;
        out.leftovers += leftovers;
        log('info', 'account_settle', { account: a.address, underlying: address, positions: events.length, leftovers, payoff: events.reduce((s, x) => s + x.payoff, 0n) });
      } catch (err) {
        log('warn', 'account_settle_failed', { account: a.address, underlying: address, error: errorNameOf(err) ?? String(err) });
      }
    }

    // 3. Retire what nobody holds any more (read again if accounts were just settled).
    if (out.accounts > settledBefore) u = (await withRetry('underlying', log, () => client.underlying(address))).data;
    for (const r of retirementState(u)) {
      const where = { underlying: address, expiryIndex: r.expiryIndex, expiry: r.expiry };
      if (!r.retirable) {
        log('info', 'expiry_retire_waiting', { ...where, openInterest: r.openInterest, settledNet: r.settledNet });
        continue;
      }
      try {
        const { event } = await withRetry('expiry_retire', log, () => client.retireExpiry(payer, address, r.expiryIndex));
        out.retired++;
        log('info', 'expiry_retire', { ...where, settlementPrice: event.settlementPrice, seriesFreed: event.seriesFreed });
      } catch (err) {
        const name = errorNameOf(err);
        // A holder settled in between is not seen yet (retried next pass); another keeper retired it first.
        const normal = name === 'ExpiryOpenInterestLeft' || name === 'ExpirySettlementInProgress' || name === 'ExpirySlotFree';
        log(normal ? 'info' : 'warn', 'expiry_retire_skipped', { ...where, error: name ?? String(err) });
      }
    }
  }
  return out;
}
