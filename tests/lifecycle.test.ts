// An expiry's whole life on a real validator (issue 12), run by `npm test`: listed about a minute
// out, traded (a writer of in-the-money calls and puts, a writer of out-of-the-money puts),
// expired; the settlement price refused from the oracle account while it holds a price from
// before the expiry, then from after the window (SettlementPriceAfterWindow), and from accounts
// of another feed, partially verified or of another owner; set by the keeper's settle job from an
// in-window update it posts into a fresh account (oracle.ts mockWindowPriceSource, TEST ONLY);
// retirement refused while holders are unsettled, accounts settled with exact payoffs, the
// expiry retired by the keeper (its expiry_retire, ExpiryRetireLog), with one out-of-the-money
// short left unsettled: a leftover, worth zero. A new expiry lands in the recycled slots
// (generations + 1); the leftover's owner cannot trade the new series in its slot
// (PositionSeriesRecycled) until the keeper's settle job removes it (payoff 0); then it trades.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { Account, Address, KeyPairSigner } from '@solana/kit';

import { positionSize, type MarginAccount, type Underlying } from '../app/src/accounts.js';
import { clusterTime, waitForClusterTime } from '../app/src/clock.js';
import { seriesListLogs, singleEvent } from '../app/src/events.js';
import { jsonLine, type Level } from '../app/src/keeper/log.js';
import { settleJob, settleWindowSecs, type WindowPriceRequest } from '../app/src/keeper/settle.js';
import { CALL, isLeftover, PUT, seriesIndex, type OptionKind } from '../app/src/markets.js';
import { createMockPrice, mockWindowPriceSource } from '../app/src/oracle.js';
import { sviFor } from '../app/src/svi.js';
import { ProgramFailure } from '../app/src/transactions.js';
import { fundedSigner } from '../app/src/wallet.js';
import { solUnderlyingParams, SOL_PRICE } from '../migrations/deploy.js';
import { ok } from './cli-support.js';
import { assertConservation, intrinsic, newTrader, newWorld, setSolPrice, type Trader, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n; // quote native (6 decimals)
/** Seconds from listing to expiry: the surface, the crank (one transaction), a price and two trades fit before it. */
const EXPIRY_IN = 60n;
/** Settlement at 153.25 (Pyth mantissa, exponent -8) = 153.25 USDC per contract. */
const SETTLE_PRICE = 15_325_000_000n;
const SETTLE_QUOTE = 153_250_000n;
/** What the oracle account shows once the window has passed: a later, different price. */
const LATE_PRICE = 16_000_000_000n;

let w: World;
let keeper: KeyPairSigner;
let underlying: Address;
let u: Underlying;
let expiry: bigint;
let maker: Trader; // writes in-the-money calls and puts
let writer: Trader; // writes out-of-the-money puts, left unsettled: a leftover
let taker: Trader;

/** Legs from the taker's side (taker buys); at 153.25: C140 pays 13.25, P160 6.75, P140 nothing. */
const MAKER_LEGS = [
  { strike: USD(140n), kind: CALL, size: 2n },
  { strike: USD(160n), kind: PUT, size: 3n },
] as const;
const WRITER_LEG = { strike: USD(140n), kind: PUT, size: 4n } as const;

const quote = (t: Trader) => w.client.balance(t.account, w.usdc.bank);
const account = (t: Trader): Promise<Account<MarginAccount>> => w.client.marginAccount(t.account);
const refresh = async () => (u = (await w.client.underlying(underlying)).data);
const atMark = (i: number) => (u.risk[i]!.mark > 0n ? u.risk[i]!.mark : 1n);
const leg = (l: { strike: bigint; kind: OptionKind; size: bigint }, e = expiry) => {
  const i = seriesIndex(u, e, l.strike, l.kind);
  return { seriesIndex: i, size: l.size, price: atMark(i) };
};

async function trader(usdc: bigint): Promise<Trader> {
  const t = await newTrader(w, { USDC: usdc });
  const address = (await w.client.createAccount(t.signer, 0)).address;
  await w.client.deposit(t.signer, address, w.usdc.bank, t.wallet.USDC!, usdc);
  return { ...t, account: address };
}

/** Rejects with the Maxwell error `name` (the program's own name for the code). */
const refusedWith = (name: string) => (e: unknown) => {
  assert.ok(e instanceof ProgramFailure, `not a ProgramFailure: ${String(e)}`);
  assert.equal(e.errorName, name, `${e.errorName} (${e.code}) instead of ${name}`);
  return true;
};

type Line = { level: Level; event: string; fields: Record<string, unknown> };
/** The keeper's settle job on `accounts`, its log lines collected. */
async function keeperSettle(accounts: Trader[], windowPrice?: Parameters<typeof settleJob>[4]) {
  const lines: Line[] = [];
  const states = await Promise.all(accounts.map(account));
  const out = await settleJob(w.client, keeper, states, (level, event, fields = {}) => lines.push({ level, event, fields }), windowPrice);
  const dump = lines.map((l) => jsonLine(l.level, l.event, l.fields)).join('\n');
  return { out, lines, dump, of: (event: string) => lines.filter((l) => l.event === event && l.fields.underlying === underlying) };
}

describe('lifecycle: settlement window, retirement, a new expiry in the recycled slots', () => {
  before(async () => {
    w = await newWorld();
    // Traders first: after listing, the clock runs against the expiry.
    maker = await trader(USD(5_000n));
    writer = await trader(USD(2_000n));
    taker = await trader(USD(20_000n));
    keeper = await fundedSigner(w.conn, 2n);
    underlying = (await w.client.createUnderlying(w.admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(w.admin.address) })).address;
  });

  it('lists a short expiry, trades it: the maker writes calls and puts, the writer out-of-the-money puts', async () => {
    expiry = (await clusterTime(w.conn)) + EXPIRY_IN;
    await w.client.listSeries(w.admin, underlying, { expiry, strikes: [USD(140n), USD(150n), USD(160n)], oiCap: 1_000n });
    await w.client.setSurface(w.admin, underlying, 0, sviFor('0.8', { seconds: EXPIRY_IN }));
    await setSolPrice(w, SOL_PRICE.price);
    await w.client.refreshRisk(w.admin, underlying);
    await refresh();
    assert.deepEqual([u.nExpiries, u.nSeries], [1, 6]);
    assert.ok(u.series.slice(0, 6).every((s) => s.generation === 0), 'never recycled');
    await setSolPrice(w, SOL_PRICE.price);
    await w.client.trade(maker, taker, underlying, MAKER_LEGS.map((l) => leg(l)));
    await w.client.trade(writer, taker, underlying, [leg(WRITER_LEG)]);
    await refresh();
    const oi = [...MAKER_LEGS, WRITER_LEG].map((l) => u.series[seriesIndex(u, expiry, l.strike, l.kind)]!.openInterest);
    assert.deepEqual(oi, [2n, 3n, 4n]);
    for (const p of (await account(taker)).data.positions.filter((x) => x.inUse === 1)) assert.equal(p.generation, 0);
  });

  it('after expiry: the oracle account holds a price from before it (SettlementPriceBeforeExpiry); nothing to retire yet (ExpiryNotSettled)', async () => {
    const waited = Date.now();
    await waitForClusterTime(w.conn, expiry + 1n);
    console.log(`# waited ${((Date.now() - waited) / 1000).toFixed(1)} s for the validator clock to pass the expiry`);
    await assert.rejects(w.client.settlePrice(keeper, underlying, 0), refusedWith('SettlementPriceBeforeExpiry'));
    await assert.rejects(w.client.retireExpiry(keeper, underlying, 0), refusedWith('ExpiryNotSettled'));
    // A keeper without a window price source waits while the window is open: the oracle may
    // still publish in it.
    const k = await keeperSettle([maker, writer, taker]);
    assert.deepEqual(k.out, { prices: 0, accounts: 0, leftovers: 0, retired: 0 });
    assert.equal(k.of('settle_price_waiting').length, 1, k.dump);
    assert.equal((await refresh()).expiries[0]!.settled, 0);
  });

  it('once the window has passed, the oracle account\'s later price is refused (SettlementPriceAfterWindow), and so are price accounts of another feed, partially verified or of another owner', async () => {
    const now = await waitForClusterTime(w.conn, expiry + settleWindowSecs() + 1n);
    await setSolPrice(w, LATE_PRICE, now); // the feed moved on: its account holds a price after the window
    await assert.rejects(w.client.settlePrice(keeper, underlying, 0), refusedWith('SettlementPriceAfterWindow'));
    const inWindow = { ...SOL_PRICE, price: SETTLE_PRICE, publishTime: expiry + 5n };
    const otherFeed = await createMockPrice(w.conn, keeper, { ...inWindow, feedId: new Uint8Array(32).fill(9) });
    await assert.rejects(w.client.settlePrice(keeper, underlying, 0, otherFeed), refusedWith('OracleFeedMismatch'));
    const partial = await createMockPrice(w.conn, keeper, { ...inWindow, feedId: Buffer.from(w.sol.feedId!, 'hex'), fullyVerified: false });
    await assert.rejects(w.client.settlePrice(keeper, underlying, 0, partial), refusedWith('OracleNotFullyVerified'));
    await assert.rejects(w.client.settlePrice(keeper, underlying, 0, underlying), refusedWith('OracleWrongOwner'));
    // Without a source the keeper can only report the missed window (the governance fallback).
    const k = await keeperSettle([maker, writer, taker]);
    assert.equal(k.out.prices, 0);
    assert.equal(k.of('settle_price_window_missed')[0]?.level, 'warn', k.dump);
    const x = (await refresh()).expiries[0]!;
    assert.deepEqual([x.settled, x.settlementPrice], [0, 0n], 'nothing changed');
  });

  it('the keeper settles from an in-window update it posts into a fresh account; retirement waits for the holders', async () => {
    const asked: WindowPriceRequest[] = [];
    const posted: Address[] = [];
    const post = mockWindowPriceSource(w.conn, keeper, { price: () => ({ price: SETTLE_PRICE, conf: SOL_PRICE.conf, exponent: SOL_PRICE.exponent }), publishOffsetSecs: 5n });
    const k = await keeperSettle([], { windowPrice: async (req) => { asked.push(req); const a = await post(req); posted.push(a!); return a; } });
    assert.deepEqual(k.out, { prices: 1, accounts: 0, leftovers: 0, retired: 0 });
    assert.equal(asked.length, 1);
    assert.deepEqual([asked[0]!.expiryIndex, asked[0]!.expiry, asked[0]!.windowEnd, asked[0]!.oracle], [0, expiry, expiry + 60n, w.sol.oracle]);
    const line = k.of('settle_price')[0]!.fields;
    assert.equal(line.from, 'window');
    assert.equal(line.source, posted[0], 'SettlementPriceLog.source: the posted account');
    assert.notEqual(line.source, w.sol.oracle);
    assert.deepEqual([line.publishTime, line.settlementPrice], [expiry + 5n, SETTLE_QUOTE]);
    const x = (await refresh()).expiries[0]!;
    assert.deepEqual([x.settled, x.settlementPrice, x.settledNet], [1, SETTLE_QUOTE, 0n]);
    // Nobody is settled yet: 9 long contracts are open, the retirement waits.
    assert.deepEqual(k.of('expiry_retire_waiting').map((l) => l.fields.openInterest), [9n]);
    await assert.rejects(w.client.settlePrice(keeper, underlying, 0, posted[0]!), refusedWith('SettlementPriceAlreadySet'));
    await assert.rejects(w.client.retireExpiry(keeper, underlying, 0), refusedWith('ExpiryOpenInterestLeft'));
  });

  it('settles the taker: intrinsic paid exactly; the maker\'s debt is still owed, so retiring is refused (ExpirySettlementInProgress)', async () => {
    const q0 = await quote(taker);
    const { events } = await w.client.settleAccount(keeper, taker.account, underlying);
    const due = MAKER_LEGS.reduce((s, l) => s + l.size * intrinsic(l.kind, l.strike, SETTLE_QUOTE), 0n);
    assert.equal(due, 46_750_000n, '2 x 13.25 + 3 x 6.75');
    assert.deepEqual(
      events.map((e) => [e.seriesIndex, e.size, e.settlementPrice, e.payoff]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [...MAKER_LEGS, WRITER_LEG]
        .map((l) => [seriesIndex(u, expiry, l.strike, l.kind), l.size, SETTLE_QUOTE, l.size * intrinsic(l.kind, l.strike, SETTLE_QUOTE)])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    assert.equal(await quote(taker), q0 + due);
    await refresh();
    assert.ok(u.series.slice(0, 6).every((s) => s.openInterest === 0n), 'every long settled');
    assert.equal(u.expiries[0]!.settledNet, due);
    await assert.rejects(w.client.retireExpiry(keeper, underlying, 0), refusedWith('ExpirySettlementInProgress'));
  });

  it('the keeper settles the maker and retires the expiry (ExpiryRetireLog); the writer\'s out-of-the-money short is left: worth zero', async () => {
    const m0 = await quote(maker);
    const w0 = await quote(writer);
    // The keeper does not see the writer's account (as if it had missed it): the expiry retires anyway.
    const k = await keeperSettle([maker]);
    assert.deepEqual(k.out, { prices: 0, accounts: 1, leftovers: 0, retired: 1 });
    assert.equal(await quote(maker), m0 - 46_750_000n);
    const retired = k.of('expiry_retire')[0]!.fields;
    assert.deepEqual([retired.expiryIndex, retired.expiry, retired.settlementPrice, retired.seriesFreed], [0, expiry, SETTLE_QUOTE, 6]);
    await refresh();
    assert.deepEqual(u.expiries[0], { ...u.expiries[0]!, expiry: 0n, settled: 0, settlementPrice: 0n, settledNet: 0n });
    assert.ok(u.series.slice(0, 6).every((s) => s.listed === 0 && s.generation === 1 && s.openInterest === 0n), 'slots free, generation 1');
    assert.deepEqual([u.nExpiries, u.nSeries], [1, 6], 'high-water marks');
    // Another keeper retiring it again: the slot is free.
    await assert.rejects(w.client.retireExpiry(keeper, underlying, 0), refusedWith('ExpirySlotFree'));
    // The writer still holds -4 P140 of generation 0: a leftover, skipped by the health rule.
    const p = (await account(writer)).data.positions.find((x) => x.inUse === 1)!;
    assert.deepEqual([p.size, p.generation, isLeftover(u, p)], [-WRITER_LEG.size, 0, true]);
    await setSolPrice(w, SOL_PRICE.price);
    const h = await w.client.health(writer.account, keeper.address);
    assert.deepEqual([h.optionValue, h.maintenanceRequirement, h.initialRequirement], [0n, 0n, 0n], 'worth exactly zero');
    assert.equal(await quote(writer), w0);
    await assertConservation(w, w.usdc);
  });

  let next: bigint;
  it('lists a new expiry: it lands in the recycled expiry slot and series slots (generation + 1), then in new slots', async () => {
    next = (await clusterTime(w.conn)) + 86_400n;
    const strikes = [USD(145n), USD(155n), USD(165n), USD(175n)];
    const r = await w.client.listSeries(w.admin, underlying, { expiry: next, strikes, oiCap: 1_000n });
    const log = singleEvent(seriesListLogs(r.logs), 'SeriesListLog');
    assert.deepEqual(
      [log.expiry, log.expiryIndex, log.newExpiry, log.firstSeriesIndex, log.count, log.seriesIndices],
      [next, 0, true, 0, 8, [0, 1, 2, 3, 4, 5, 6, 7]],
      'free slots first (0-5, generation 1), then the next never-used ones (6, 7)',
    );
    await refresh();
    assert.deepEqual([u.nExpiries, u.nSeries, u.expiries[0]!.expiry], [1, 8, next]);
    assert.deepEqual(u.series.slice(0, 8).map((s) => s.generation), [1, 1, 1, 1, 1, 1, 0, 0]);
    assert.equal(seriesIndex(u, next, USD(145n), PUT), 1, 'the writer\'s old P140 slot');
    // The CLI's listing shows the same slots and generations.
    const j = await ok(w, ['markets', '--underlying', underlying]);
    const view = (j.underlyings as { series: { slot: number; generation: number }[]; freeSeriesSlots: number[]; freeExpirySlots: number[] }[])[0]!;
    assert.deepEqual(view.series.map((s) => [s.slot, s.generation]), [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 0], [7, 0]]);
    assert.deepEqual([view.freeSeriesSlots, view.freeExpirySlots], [[], []]);
  });

  it('the leftover blocks its owner on the recycled slot (PositionSeriesRecycled) until the keeper removes it (payoff 0); then it trades the new series', async () => {
    await w.client.setSurface(w.admin, underlying, 0, sviFor('0.8', { seconds: 86_400n }));
    await setSolPrice(w, SOL_PRICE.price);
    await w.client.refreshRisk(w.admin, underlying);
    await refresh();
    const p145 = leg({ strike: USD(145n), kind: PUT, size: 1n }, next);
    const before = (await account(writer)).data;
    await assert.rejects(w.client.trade(writer, taker, underlying, [p145]), refusedWith('PositionSeriesRecycled'));
    assert.deepEqual((await account(writer)).data, before, 'nothing changed');
    const w0 = await quote(writer);
    const k = await keeperSettle([maker, writer, taker]);
    assert.deepEqual(k.out, { prices: 0, accounts: 1, leftovers: 1, retired: 0 }, 'only the writer holds something to settle');
    assert.deepEqual([k.of('account_settle')[0]!.fields.account, k.of('account_settle')[0]!.fields.payoff], [writer.account, 0n]);
    assert.equal(await quote(writer), w0, 'removed with a payoff of 0');
    assert.ok((await account(writer)).data.positions.every((x) => x.inUse === 0));
    await setSolPrice(w, SOL_PRICE.price);
    const { events } = await w.client.trade(writer, taker, underlying, [p145]);
    assert.deepEqual(events.map((e) => [e.seriesIndex, e.size]), [[1, 1n]]);
    const p = (await account(writer)).data.positions.find((x) => x.inUse === 1)!;
    assert.deepEqual([p.seriesIndex, p.size, p.generation], [1, -1n, 1], 'opened in generation 1');
    assert.equal(positionSize((await account(taker)).data, u.underlyingIndex, 1), 1n);
    assert.equal((await refresh()).series[1]!.openInterest, 1n);
    await assertConservation(w, w.usdc);
  });
});
