// The what-if functions (the program's own trade, crank and health code in WASM,
// app/src/whatif.ts) against what the program then does on a real validator: the predicted
// healths are the trade's own (TradeLog) and account_health's to the unit; the reported maximum
// size passes and one unit more is refused with the reported code; at the reported liquidation
// spot account_health finds maintenance below zero; the health event carries the Greeks.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { Address } from '@solana/kit';

import { clusterTime } from '../app/src/clock.js';
import { MAXWELL_ERROR__INITIAL_MARGIN_VIOLATED } from '../app/src/generated/maxwell/errors/maxwell.js';
import { CALL, seriesIndex } from '../app/src/markets.js';
import { updateMockPrice } from '../app/src/oracle.js';
import { sviFor } from '../app/src/svi.js';
import { fetchForWhatIf, WhatIf } from '../app/src/whatif.js';
import { solUnderlyingParams, SOL_PRICE } from '../migrations/deploy.js';
import { newTrader, newWorld, setSolPrice, type Trader, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n;

let w: World;
let wi: WhatIf;
let underlying: Address;
let underlyingIndex: number;
let quoteIndex: number;
let c150: number;
let mark150: bigint;

async function trader(usdc: bigint): Promise<Trader> {
  const t = await newTrader(w, { USDC: usdc });
  const account = (await w.client.createAccount(t.signer, 0)).address;
  await w.client.deposit(t.signer, account, w.usdc.bank, t.wallet.USDC!, usdc);
  return { ...t, account };
}

async function tradeAccounts(maker: Trader, taker: Trader) {
  return fetchForWhatIf(w.client, [maker.account, taker.account], { bankIndexes: [quoteIndex], underlyingIndexes: [underlyingIndex] });
}

describe('what-if from the program code == what the program does', () => {
  before(async () => {
    wi = new WhatIf();
    w = await newWorld();
    underlying = (await w.client.createUnderlying(w.admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(w.admin.address) })).address;
    const expiry = (await clusterTime(w.conn)) + 7n * 86_400n;
    await w.client.listSeries(w.admin, underlying, { expiry, strikes: [USD(150n), USD(180n)], oiCap: 100_000n });
    await w.client.setSurface(w.admin, underlying, 0, sviFor('0.8', { seconds: 7n * 86_400n }));
    await setSolPrice(w, SOL_PRICE.price);
    await w.client.refreshRisk(w.admin, underlying);
    const u = (await w.client.underlying(underlying)).data;
    underlyingIndex = u.underlyingIndex;
    quoteIndex = (await w.client.quoteBank()).bank.bankIndex;
    c150 = seriesIndex(u, expiry, USD(150n), CALL);
    mark150 = u.risk[c150]!.mark;
  });

  it('trade: the predicted healths are the trade log and account_health, to the unit', async () => {
    const maker = await trader(USD(3_000n));
    const taker = await trader(USD(5_000n));
    const legs = [{ seriesIndex: c150, size: 4n, price: mark150 }];
    const { raws, now } = await tradeAccounts(maker, taker);
    const p = wi.trade(w.client.exchange, now, legs, underlying, w.usdc.bank, raws);
    assert.equal(p.code, 0);
    assert.ok(p.filled && p.postMaker && p.postTaker);
    const { events } = await w.client.trade(maker, taker, underlying, legs);
    assert.equal(events[0]!.makerInitHealth, p.postMaker.initHealth);
    assert.equal(events[0]!.takerInitHealth, p.postTaker.initHealth);
    const h = await w.client.health(maker.account, taker.signer.address);
    assert.equal(h.maintHealth, p.postMaker.maintHealth);
    assert.equal(h.maintenanceRequirement, p.postMaker.maintenanceRequirement);
    // The health event carries the Greeks: short 4 calls = short delta, gamma and vega.
    assert.equal(h.underlyings.length, 1);
    const g = h.underlyings[0]!;
    assert.ok(g.deltaE9 < 0n && g.gammaQuote < 0n && g.vegaQuote < 0n, JSON.stringify(g, (_, v) => (typeof v === 'bigint' ? `${v}` : v)));
    // The detail and the scenario table say the same as the event.
    const { raws: mine, now: t1 } = await fetchForWhatIf(w.client, [maker.account]);
    const d = wi.healthDetail(w.client.exchange, t1, mine);
    assert.equal(d.underlyings[0]!.deltaE9, g.deltaE9);
    assert.equal(d.underlyings[0]!.worstLoss, g.worstLoss);
    // Its itemised parts (worst loss, the expiring strikes' and gap points' excess, the skew add-on, the short minimum's, the
    // add-ons and the drift) sum to the event's requirement of the underlying.
    const r = d.underlyings[0]!;
    const parts = [r.worstLoss, r.addonExpiry, r.addonGap, r.addonSkew, r.addonShortMin, r.addonDelta, r.addonVega, r.addonConfidence, r.addonDrift];
    assert.equal(parts.reduce((a, b) => a + b, 0n), g.maintenanceRequirement);
    const [row] = wi.scenarioTable(w.client.exchange, t1, mine);
    // One loss per scenario the program stores per series (the module's grid is the program's).
    assert.equal(row!.loss.length, (await w.client.underlying(underlying)).data.risk[0]!.pnl.length);
    assert.equal(row!.loss.reduce((a, b) => (b > a ? b : a)), g.worstLoss);
  });

  it('max size: the reported size passes and one more is refused with the reported code', async () => {
    const maker = await trader(USD(400n));
    const taker = await trader(USD(20_000n));
    const unit = [{ seriesIndex: c150, size: 1n, price: mark150 }];
    const { raws, now } = await tradeAccounts(maker, taker);
    const m = wi.maxSize(w.client.exchange, now, 'maker', unit, underlying, w.usdc.bank, raws);
    assert.ok(m.units > 0n, `units ${m.units}`);
    assert.equal(m.refusal, MAXWELL_ERROR__INITIAL_MARGIN_VIOLATED);
    await assert.rejects(
      w.client.trade(maker, taker, underlying, [{ ...unit[0]!, size: m.units + 1n }]),
      (e: unknown) => String(e).includes(`(${m.refusal})`),
    );
    const { events } = await w.client.trade(maker, taker, underlying, [{ ...unit[0]!, size: m.units }]);
    assert.equal(events[0]!.makerInitHealth, m.health!.initHealth);
  });

  it('liquidation spot: account_health is below maintenance there', async () => {
    const maker = await trader(USD(1_500n));
    const taker = await trader(USD(20_000n));
    await w.client.trade(maker, taker, underlying, [{ seriesIndex: c150, size: 10n, price: mark150 }]);
    const { raws, now } = await fetchForWhatIf(w.client, [maker.account]);
    const l = wi.liquidationSpot(w.client.exchange, now, underlying, raws);
    assert.equal(l.down, null, 'a call writer is not liquidated on the way down');
    assert.ok(l.up !== null && l.up > l.spot);
    // Move the oracle there (confidence in proportion, as the what-if does) and crank.
    const price = l.up * 100n; // spot per contract (6-decimal quote) -> Pyth mantissa at expo -8
    const conf = (SOL_PRICE.conf * price) / SOL_PRICE.price;
    await updateMockPrice(w.conn, w.admin, w.sol.oracle!, { feedId: Buffer.from(w.sol.feedId!, 'hex'), ...SOL_PRICE, price, conf });
    await w.client.refreshRisk(w.admin, underlying);
    const h = await w.client.health(maker.account, taker.signer.address);
    assert.ok(h.maintHealth < 0n, `maint ${h.maintHealth} at ${l.up}`);
    await setSolPrice(w, SOL_PRICE.price);
    await w.client.refreshRisk(w.admin, underlying);
  });
});
