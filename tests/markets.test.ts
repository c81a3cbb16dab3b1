// Option markets, end to end on a real validator (run with the foundation test by `npm test`):
// a SOL underlying on the SOL bank, a short expiry (about a minute) with calls and puts, an SVI
// surface, the risk crank, a trade through a delegate (positions, premium, open interest,
// health from `account_health`'s return data), a trade refused by the initial-margin check,
// then, once the validator's clock passes the expiry, the settlement price and the settlement
// of every account: intrinsic paid exactly, positions gone, quote and vaults conserved.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { generateKeyPairSigner, type Address, type KeyPairSigner } from '@solana/kit';

import { getExchange, positionSize, type Underlying } from '../app/src/accounts.js';
import { clusterTime, waitForClusterTime } from '../app/src/clock.js';
import {
  MAXWELL_ERROR__INITIAL_MARGIN_VIOLATED,
  MAXWELL_ERROR__ORACLE_STALE,
  MAXWELL_ERROR__SETTLEMENT_PRICE_BEFORE_EXPIRY,
} from '../app/src/generated/maxwell/index.js';
import { CALL, PUT, REFRESH_SERIES_PER_TX, seriesIndex, type OptionKind } from '../app/src/markets.js';
import { sviFor } from '../app/src/svi.js';
import { ProgramFailure } from '../app/src/transactions.js';
import { solUnderlyingParams, SOL_PRICE } from '../migrations/deploy.js';
import { assertConservation, intrinsic, newTrader, newWorld, setSolPrice, type Trader, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n; // quote native (6 decimals)
const STRIKES = [USD(140n), USD(150n), USD(160n)];
/**
 * Seconds from listing to expiry: the surface, the crank (3 transactions), a price, the trade
 * and the refused trade must fit before it, on a machine shared with builds.
 */
const EXPIRY_IN = 60n;
/** Settlement at 153.25 (Pyth mantissa, exponent -8) = 153.25 USDC per contract. */
const SETTLE_PRICE = 15_325_000_000n;
const SETTLE_QUOTE = 153_250_000n;

let w: World;
let underlying: Address;
let u: Underlying;
let expiry: bigint;
let maker: Trader; // writes, through a delegate
let bot: KeyPairSigner; // the maker's trading delegate
let taker: Trader;
let thin: Trader; // too little margin to write
const series = (strike: bigint, kind: OptionKind) => seriesIndex(u, expiry, strike, kind);
const quote = (t: Trader) => w.client.balance(t.account, w.usdc.bank);

/** The legs traded (taker's side), each at its series' mark (trades stay within a band around it). */
const LEGS = [
  { strike: USD(140n), kind: CALL, size: 2n },
  { strike: USD(160n), kind: PUT, size: 3n },
] as const;
/** The series' mark from its risk array, at least one native unit (a price is positive). */
const atMark = (i: number) => (u.risk[i]!.mark > 0n ? u.risk[i]!.mark : 1n);

async function trader(usdc: bigint): Promise<Trader> {
  const t = await newTrader(w, { USDC: usdc });
  const account = (await w.client.createAccount(t.signer, 0)).address;
  await w.client.deposit(t.signer, account, w.usdc.bank, t.wallet.USDC!, usdc);
  return { ...t, account };
}

function isFailure(code: number) {
  return (e: unknown) => {
    assert.ok(e instanceof ProgramFailure, `not a ProgramFailure: ${String(e)}`);
    assert.equal(e.code, code, `${e.errorName} (${e.code}) instead of ${code}`);
    return true;
  };
}

describe('markets: list, trade, margin check, settle', () => {
  before(async () => {
    w = await newWorld();
    // Traders first: after listing, the clock runs against the expiry.
    maker = await trader(USD(5_000n));
    taker = await trader(USD(20_000n));
    thin = await trader(USD(100n));
    bot = await generateKeyPairSigner(); // no SOL: the taker pays the trade's fee
  });

  it('creates the SOL underlying (client-created 40 KB account) with the SOL bank as spot bank', async () => {
    const { address } = await w.client.createUnderlying(w.admin, {
      oracle: w.sol.oracle!,
      spotBank: w.sol.bank,
      params: solUnderlyingParams(w.admin.address),
    });
    underlying = address;
    u = (await w.client.underlying(underlying)).data;
    assert.equal(u.exchange, w.d.exchange);
    assert.equal(u.oracle, w.sol.oracle);
    assert.equal(u.volOracle, w.admin.address);
    assert.equal(u.spotBankIndex, w.sol.bankIndex);
    assert.equal(u.underlyingIndex, 0);
    assert.equal(u.nSeries, 0);
    assert.equal((await getExchange(w.conn, w.d.exchange)).data.underlyingCount, 1);
  });

  it('sets a trading delegate on the maker account', async () => {
    await w.client.setDelegate(maker.signer, maker.account, bot.address);
    assert.equal((await w.client.marginAccount(maker.account)).data.delegate, bot.address);
  });

  it('lists a short expiry (calls and puts), sets its SVI surface, refreshes every risk array', async () => {
    expiry = (await clusterTime(w.conn)) + EXPIRY_IN;
    await w.client.listSeries(w.admin, underlying, { expiry, strikes: STRIKES, oiCap: 1_000n });
    const svi = sviFor('0.8', { seconds: EXPIRY_IN });
    await w.client.setSurface(w.admin, underlying, 0, svi);
    await setSolPrice(w, SOL_PRICE.price); // the crank needs a fresh price
    const refreshes = await w.client.refreshRisk(w.admin, underlying);
    assert.equal(refreshes.length, Math.ceil(6 / REFRESH_SERIES_PER_TX), `6 series, ${REFRESH_SERIES_PER_TX} per transaction`);
    u = (await w.client.underlying(underlying)).data;
    assert.equal(u.nExpiries, 1);
    assert.equal(u.nSeries, 6);
    assert.deepEqual(u.expiries[0]!.svi, { ...svi });
    for (const [i, strike] of STRIKES.entries()) {
      for (const kind of [CALL, PUT] as const) {
        const s = u.series[series(strike, kind)]!;
        assert.equal(series(strike, kind), 2 * i + kind, 'strike-major, call then put');
        assert.equal(s.expiry, expiry);
        assert.equal(s.riskSurfaceSeq, u.surfaceSeq);
        assert.equal(s.riskSpot, USD(150n));
        assert.ok(s.riskTs > 0n, `series ${series(strike, kind)} refreshed (risk ts ${s.riskTs})`);
        // A minute before expiry the mark is about the intrinsic value (150 spot); the engine
        // may round an out-of-the-money mark to -1 native unit.
        const mark = u.risk[series(strike, kind)]!.mark;
        const iv = intrinsic(kind, strike, USD(150n));
        assert.ok(mark >= iv - 1n && mark < iv + 500_000n, `mark ${mark}, intrinsic ${iv}`);
      }
    }
    console.log(`# risk_refresh CU per transaction (${REFRESH_SERIES_PER_TX} series at most): ${refreshes.map((r) => r.computeUnitsConsumed).join(', ')}`);
  });

  it('trades through the delegate: positions, premium moved exactly, open interest, health', async () => {

    const [m0, t0] = [await quote(maker), await quote(taker)];
    await setSolPrice(w, SOL_PRICE.price);
    const legs = LEGS.map((l) => ({ seriesIndex: series(l.strike, l.kind), size: l.size, price: atMark(series(l.strike, l.kind)) }));
    const { events, result } = await w.client.trade(
      { account: maker.account, signer: bot },
      { account: taker.account, signer: taker.signer },
      underlying,
      legs,
    );
    const premium = legs.reduce((s, l) => s + l.size * l.price, 0n);
    assert.equal(await quote(maker), m0 + premium);
    assert.equal(await quote(taker), t0 - premium);

    const [m, t] = [(await w.client.marginAccount(maker.account)).data, (await w.client.marginAccount(taker.account)).data];
    u = (await w.client.underlying(underlying)).data;
    for (const l of LEGS) {
      const i = series(l.strike, l.kind);
      assert.equal(positionSize(t, 0, i), l.size);
      assert.equal(positionSize(m, 0, i), -l.size);
      assert.equal(u.series[i]!.openInterest, l.size);
    }
    assert.equal(events.length, 2);
    assert.deepEqual(events.map((e) => [e.seriesIndex, e.size, e.price]), legs.map((l) => [l.seriesIndex, l.size, l.price]));

    // Health through account_health (simulated; return data), equal to what the trade computed.
    const hm = await w.client.health(maker.account, taker.signer.address);
    const ht = await w.client.health(taker.account, taker.signer.address);
    assert.equal(hm.initHealth, events[0]!.makerInitHealth);
    assert.equal(ht.initHealth, events[0]!.takerInitHealth);
    assert.equal(m.initHealth, hm.initHealth, 'the trade cached the same health');
    assert.ok(hm.maintenanceRequirement > 0n && hm.initialRequirement > hm.maintenanceRequirement, 'IM > MM > 0');
    assert.ok(hm.optionValue < 0n && ht.optionValue > 0n, 'short and long option value');
    assert.ok(hm.initHealth >= 0n && hm.maintHealth > hm.initHealth, 'maker within initial margin');
    assert.equal(hm.oraclesFresh, true);
    console.log(`# trade CU ${result.computeUnitsConsumed}; maker init ${hm.initHealth} maint ${hm.maintHealth} req ${hm.initialRequirement}/${hm.maintenanceRequirement} value ${hm.optionValue}; taker init ${ht.initHealth} value ${ht.optionValue}`);
    await assertConservation(w, w.usdc);
  });

  it('refuses a trade that breaks initial margin with InitialMarginViolated (6021), changing nothing', async () => {
    assert.equal(MAXWELL_ERROR__INITIAL_MARGIN_VIOLATED, 6021);
    const before = await Promise.all([w.client.marginAccount(thin.account), w.client.marginAccount(taker.account)]);
    const oiBefore = (await w.client.underlying(underlying)).data.series.map((s) => s.openInterest);
    // 100 USDC cannot carry 20 naked at-the-money calls on a $150 underlying.
    await assert.rejects(
      w.client.trade(thin, taker, underlying, [{ seriesIndex: series(USD(150n), CALL), size: 20n, price: atMark(series(USD(150n), CALL)) }]),
      (e: unknown) => {
        isFailure(MAXWELL_ERROR__INITIAL_MARGIN_VIOLATED)(e);
        assert.equal((e as ProgramFailure).errorName, 'InitialMarginViolated');
        return true;
      },
    );
    const after = await Promise.all([w.client.marginAccount(thin.account), w.client.marginAccount(taker.account)]);
    assert.deepEqual(after.map((a) => a.data), before.map((a) => a.data));
    assert.deepEqual((await w.client.underlying(underlying)).data.series.map((s) => s.openInterest), oiBefore);
  });

  it('after expiry: settlement price from a price published after it, every account settled, quote conserved', async () => {
    const [m0, t0, n0] = [await quote(maker), await quote(taker), await quote(thin)];
    const waited = Date.now();
    const now = await waitForClusterTime(w.conn, expiry + 1n);
    console.log(`# waited ${((Date.now() - waited) / 1000).toFixed(1)} s for the validator clock to pass the expiry`);
    // The last price was published before the expiry: refused.
    await assert.rejects(w.client.settlePrice(w.admin, underlying, 0), (e: unknown) => {
      assert.ok(e instanceof ProgramFailure, String(e));
      assert.ok(
        e.code === MAXWELL_ERROR__SETTLEMENT_PRICE_BEFORE_EXPIRY || e.code === MAXWELL_ERROR__ORACLE_STALE,
        `${e.errorName} (${e.code})`,
      );
      return true;
    });
    await setSolPrice(w, SETTLE_PRICE, now);
    await w.client.settlePrice(w.admin, underlying, 0);
    u = (await w.client.underlying(underlying)).data;
    assert.equal(u.expiries[0]!.settled, 1);
    assert.equal(u.expiries[0]!.settlementPrice, SETTLE_QUOTE);

    const payoffs = new Map<Address, bigint>();
    for (const t of [maker, taker, thin]) {
      const { events } = await w.client.settleAccount(w.admin, t.account, underlying);
      payoffs.set(t.account, events.reduce((s, e) => s + e.payoff, 0n));
      const acc = (await w.client.marginAccount(t.account)).data;
      assert.ok(acc.positions.every((p) => p.inUse === 0), 'positions gone');
    }
    // Taker long 2 C140 (13.25 each) and 3 P160 (6.75 each): +46.75 USDC; the maker pays it.
    const due = LEGS.reduce((s, l) => s + l.size * intrinsic(l.kind, l.strike, SETTLE_QUOTE), 0n);
    assert.equal(due, 46_750_000n);
    assert.equal(await quote(taker), t0 + due);
    assert.equal(await quote(maker), m0 - due);
    assert.equal(await quote(thin), n0);
    assert.equal(payoffs.get(taker.account), due);
    assert.equal(payoffs.get(maker.account), -due);
    assert.equal([...payoffs.values()].reduce((s, x) => s + x, 0n), 0n, 'payoffs sum to zero');
    u = (await w.client.underlying(underlying)).data;
    assert.equal(u.expiries[0]!.settledNet, 0n);
    assert.ok(u.series.every((s) => s.openInterest === 0n), 'open interest back to 0');
    await assertConservation(w, w.usdc);
    await assertConservation(w, w.sol);
  });
});
