// The example account of the dashboard test (tests/dashboard.test.ts) and of the scenario
// heatmap in docs/pictures (scripts/pictures.ts): on a fresh world, a SOL underlying with one
// 7-day expiry (strikes 130, 150, 180; SVI at 80% vol), and an option writer holding 1,000 USDC
// that sells a strangle (15 x 180 call and 15 x 130 put) to a buyer at the marks.
import type { Address } from '@solana/kit';

import { clusterTime } from '../app/src/clock.js';
import { CALL, PUT, seriesIndex } from '../app/src/markets.js';
import { sviFor } from '../app/src/svi.js';
import { solUnderlyingParams, SOL_PRICE } from '../migrations/deploy.js';
import { newTrader, setSolPrice, type Trader, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n;

export type ExampleAccount = { underlying: Address; writer: Trader; buyer: Trader; legs: { seriesIndex: number; size: bigint; price: bigint }[] };

async function trader(w: World, usdc: bigint): Promise<Trader> {
  const t = await newTrader(w, { USDC: usdc });
  const account = (await w.client.createAccount(t.signer, 0)).address;
  await w.client.deposit(t.signer, account, w.usdc.bank, t.wallet.USDC!, usdc);
  return { ...t, account };
}

export async function exampleWriter(w: World): Promise<ExampleAccount> {
  const underlying = (await w.client.createUnderlying(w.admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(w.admin.address) })).address;
  const expiry = (await clusterTime(w.conn)) + 7n * 86_400n;
  await w.client.listSeries(w.admin, underlying, { expiry, strikes: [USD(130n), USD(150n), USD(180n)], oiCap: 100_000n });
  await w.client.setSurface(w.admin, underlying, 0, sviFor('0.8', { seconds: 7n * 86_400n }));
  await setSolPrice(w, SOL_PRICE.price);
  await w.client.refreshRisk(w.admin, underlying);
  const u = (await w.client.underlying(underlying)).data;
  const c180 = seriesIndex(u, expiry, USD(180n), CALL);
  const p130 = seriesIndex(u, expiry, USD(130n), PUT);
  const writer = await trader(w, USD(1_000n));
  const buyer = await trader(w, USD(20_000n));
  // Legs from the taker's (buyer's) side: the buyer buys, the maker (writer) sells.
  const legs = [
    { seriesIndex: c180, size: 15n, price: u.risk[c180]!.mark },
    { seriesIndex: p130, size: 15n, price: u.risk[p130]!.mark },
  ];
  await w.client.trade(writer, buyer, underlying, legs);
  return { underlying, writer, buyer, legs };
}
