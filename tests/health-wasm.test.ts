// The keeper's local health (the program's HealthCache compiled to WASM, app/src/health-wasm.ts)
// equals the program's own account_health on a real validator, to the unit: collateral only,
// an option writer and its buyer (SOL collateral moving in the scenarios), and after a price
// move that leaves the risk arrays stale (both refuse in strict mode).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { Address } from '@solana/kit';

import { clusterTime } from '../app/src/clock.js';
import { HealthEngine, HealthWasmError, localHealth } from '../app/src/health-wasm.js';
import { CALL, seriesIndex } from '../app/src/markets.js';
import { sviFor } from '../app/src/svi.js';
import { solUnderlyingParams, SOL_PRICE } from '../migrations/deploy.js';
import { newTrader, newWorld, setSolPrice, type Trader, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n;
const SOL = (n: bigint) => n * 1_000_000_000n;

let w: World;
let engine: HealthEngine;
let writer: Trader;
let buyer: Trader;

async function trader(usdc: bigint, sol = 0n): Promise<Trader> {
  const t = await newTrader(w, { USDC: usdc, SOL: sol });
  const account = (await w.client.createAccount(t.signer, 0)).address;
  await w.client.deposit(t.signer, account, w.usdc.bank, t.wallet.USDC!, usdc);
  if (sol > 0n) await w.client.deposit(t.signer, account, w.sol.bank, t.wallet.SOL!, sol);
  return { ...t, account };
}

/** Local and simulated health in the same cluster second (reputation and interest depend on time). */
async function sameSecond(account: Address): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const t0 = await clusterTime(w.conn);
    const sim = await w.client.health(account, buyer.signer.address);
    const { health, now } = await localHealth(w.client, engine, account);
    if (now !== t0) continue;
    assert.equal(health.maintHealth, sim.maintHealth, 'maintenance health');
    assert.equal(health.initHealth, sim.initHealth, 'initial health');
    assert.equal(health.maintenanceRequirement, sim.maintenanceRequirement);
    assert.equal(health.initialRequirement, sim.initialRequirement);
    assert.equal(health.optionValue, sim.optionValue);
    assert.equal(health.oraclesFresh, sim.oraclesFresh);
    return;
  }
  assert.fail('could not read both healths within one cluster second');
}

describe('health in WASM (the program code) == account_health on the validator', () => {
  before(async () => {
    engine = HealthEngine.load();
    w = await newWorld();
    writer = await trader(USD(600n), SOL(2n));
    buyer = await trader(USD(5_000n));
  });

  it('collateral only (USDC + SOL at the oracle, haircut)', async () => {
    await setSolPrice(w, SOL_PRICE.price);
    await sameSecond(writer.account);
  });

  it('an option writer and its buyer', async () => {
    const underlying = (await w.client.createUnderlying(w.admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(w.admin.address) })).address;
    const expiry = (await clusterTime(w.conn)) + 86_400n;
    await w.client.listSeries(w.admin, underlying, { expiry, strikes: [USD(150n), USD(160n)], oiCap: 1_000n });
    await w.client.setSurface(w.admin, underlying, 0, sviFor('0.8', { seconds: 86_400n }));
    await setSolPrice(w, SOL_PRICE.price);
    await w.client.refreshRisk(w.admin, underlying);
    const u = (await w.client.underlying(underlying)).data;
    const c150 = seriesIndex(u, expiry, USD(150n), CALL);
    const c160 = seriesIndex(u, expiry, USD(160n), CALL);
    await w.client.trade(writer, buyer, underlying, [
      { seriesIndex: c150, size: 5n, price: u.risk[c150]!.mark },
      { seriesIndex: c160, size: -3n, price: u.risk[c160]!.mark > 0n ? u.risk[c160]!.mark : 1n },
    ]);
    await sameSecond(writer.account);
    await sameSecond(buyer.account);
    // SOL +3%: the arrays are now beyond the spot tolerance. Strict (as account_health): both
    // refuse with RiskCacheStale; lenient (as deposit): tolerated and reported.
    await setSolPrice(w, (SOL_PRICE.price * 103n) / 100n);
    await assert.rejects(w.client.health(writer.account, buyer.signer.address), /RiskCacheStale \(6068\)/);
    await assert.rejects(localHealth(w.client, engine, writer.account), (e: unknown) => e instanceof HealthWasmError && e.code === 6068);
    const { health } = await localHealth(w.client, engine, writer.account, false);
    assert.equal(health.oraclesFresh, false);
  });
});
