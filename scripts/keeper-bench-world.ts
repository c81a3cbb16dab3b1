// The keeper benchmark's small REAL world, built on a running local validator through the client
// (scripts/keeper-bench.ts runs it): the demo deployment (USDC lends: a spot borrower is
// possible), a SOL underlying with two expiries of calls and puts and cranked risk arrays, and a
// few margin accounts of each kind (a market maker on the other side of every trade, a naked
// writer, a call spread, a buyer, a covered writer, a spot borrower, a USDC depositor). SOL then
// drops 150 -> 120 and the risk arrays are cranked again: the spot borrower (no options) is
// under maintenance. Its bytes are captured with the keeper's own batched fetch (snapshot.ts).
import type { Address, KeyPairSigner } from '@solana/kit';

import { MaxwellClient } from '../app/src/client.js';
import { clusterTime } from '../app/src/clock.js';
import { fetchMarginAccounts, fetchSnapshot, type KeeperSnapshot, type ScannedAccount } from '../app/src/keeper/snapshot.js';
import { CALL, PUT, seriesIndex, type OptionKind } from '../app/src/markets.js';
import { sviFor } from '../app/src/svi.js';
import type { Connection } from '../app/src/transactions.js';
import { signerFromSecretHex } from '../app/src/wallet.js';
import { deployExchange, solUnderlyingParams } from '../migrations/deploy.js';
import { newTrader, setSolPrice, type Trader, type World } from '../tests/support.js';

const USD = (n: bigint) => n * 1_000_000n; // USDC native (6 decimals)
const SOL = (n: bigint) => n * 1_000_000_000n; // SOL native (9 decimals)
const SOL_AT = (usd: bigint) => usd * 100_000_000n; // Pyth mantissa at exponent -8
const STRIKES = [130n, 140n, 150n, 160n, 170n].map(USD);

export type RealWorld = {
  client: MaxwellClient;
  /** Each margin account created, by kind (the market maker included). */
  kinds: { kind: string; account: Address }[];
  snapshot: KeeperSnapshot;
  accounts: ScannedAccount[];
};

async function trader(w: World, usdc: bigint, sol = 0n): Promise<Trader> {
  const t = await newTrader(w, { USDC: usdc, SOL: sol });
  const account = (await w.client.createAccount(t.signer, 0)).address;
  if (usdc > 0n) await w.client.deposit(t.signer, account, w.usdc.bank, t.wallet.USDC!, usdc);
  if (sol > 0n) await w.client.deposit(t.signer, account, w.sol.bank, t.wallet.SOL!, sol);
  return { ...t, account };
}

export async function buildWorld(conn: Connection, say: (s: string) => void): Promise<RealWorld> {
  const d = await deployExchange(conn, () => {}, { lending: 'demo' });
  const admin: KeyPairSigner = await signerFromSecretHex(d.adminSecretHex);
  const w: World = { conn, d, admin, client: new MaxwellClient(conn, d.exchange), usdc: d.quote, sol: d.collateral.find((b) => b.symbol === 'SOL')! };
  say(`exchange ${d.exchange}`);

  const underlying = (await w.client.createUnderlying(admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(admin.address) })).address;
  const t0 = await clusterTime(conn);
  const expiries = [t0 + 86_400n, t0 + 7n * 86_400n]; // one day and one week: nothing expires during the run
  for (const [i, expiry] of expiries.entries()) {
    await w.client.listSeries(admin, underlying, { expiry, strikes: STRIKES, oiCap: 100_000n });
    await w.client.setSurface(admin, underlying, i, sviFor('0.8', { seconds: expiry - t0 }));
  }
  await setSolPrice(w, SOL_AT(150n));
  await w.client.refreshRisk(admin, underlying);
  say(`underlying ${underlying}: ${2 * STRIKES.length * expiries.length} series, risk arrays cranked at SOL 150`);

  const mm = await trader(w, USD(1_000_000n), SOL(1_000n));
  const naked = await trader(w, USD(3_000n));
  const spread = await trader(w, USD(1_000n));
  const buyer = await trader(w, USD(2_000n));
  const covered = await trader(w, USD(100n), SOL(10n));
  const borrower = await trader(w, 0n, SOL(10n));
  const depositor = await trader(w, USD(5_000n));

  const u = (await w.client.underlying(underlying)).data;
  const leg = (expiry: bigint, strike: bigint, kind: OptionKind, size: bigint) => {
    const i = seriesIndex(u, expiry, USD(strike), kind);
    return { seriesIndex: i, size, price: u.risk[i]!.mark > 0n ? u.risk[i]!.mark : 1n };
  };
  const [day, week] = expiries as [bigint, bigint];
  await setSolPrice(w, SOL_AT(150n)); // trades and borrows need a price younger than 60 s
  // Legs from the trader's side (the taker; the market maker is the maker): negative = sells.
  await w.client.trade(mm, naked, underlying, [leg(day, 160n, CALL, -5n), leg(day, 140n, PUT, -5n), leg(week, 170n, CALL, -3n)]);
  await w.client.trade(mm, spread, underlying, [leg(week, 150n, CALL, 4n), leg(week, 160n, CALL, -4n)]);
  await w.client.trade(mm, buyer, underlying, [leg(day, 150n, CALL, 4n), leg(week, 140n, PUT, 2n), leg(day, 130n, PUT, 3n)]);
  await w.client.trade(mm, covered, underlying, [leg(week, 170n, CALL, -10n)]);
  // 10 SOL at 150: 1,200 USDC of initial collateral value (80%); 1,100 borrowed leaves ~100.
  await w.client.withdraw(borrower.signer, borrower.account, w.usdc.bank, borrower.wallet.USDC!, USD(1_100n));
  say('trades done; the spot borrower borrowed 1,100 USDC against 10 SOL');

  // SOL -20%: the borrower's 10 SOL at 90% maintenance weight (~1,080) no longer cover 1,100.
  await setSolPrice(w, SOL_AT(120n));
  await w.client.refreshRisk(admin, underlying);
  await setSolPrice(w, SOL_AT(120n)); // a fresh publish time for the capture below
  say('SOL 150 -> 120, risk arrays cranked again');

  const kinds = [
    { kind: 'market maker', account: mm.account },
    { kind: 'naked writer', account: naked.account },
    { kind: 'call spread', account: spread.account },
    { kind: 'buyer', account: buyer.account },
    { kind: 'covered writer', account: covered.account },
    { kind: 'spot borrower', account: borrower.account },
    { kind: 'USDC depositor', account: depositor.account },
  ];
  const { scanned } = await fetchMarginAccounts(w.client);
  const snapshot = await fetchSnapshot(w.client, scanned.map((a) => a.data));
  return { client: w.client, kinds, snapshot, accounts: scanned };
}
