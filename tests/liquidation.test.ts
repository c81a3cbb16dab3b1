// Liquidation end to end on a real validator: the insurance fund created and funded, a SOL
// underlying with a one-day expiry (it does not expire during the test), a writer selling calls
// on thin margin, SOL moved up 25% (mock Pyth), then one keeper pass run in-process (the same
// runPass as `npm run keeper -- --once`): it refreshes the now-stale risk arrays, finds the
// writer under maintenance and takes contracts one at a time until the program says enough.
// Then: the writer is no longer liquidatable, the keeper's account holds what it took, the
// insurance fund got its share of the penalty, and every vault equals the sum of balances.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { Address } from '@solana/kit';

import { positionSize, type Underlying } from '../app/src/accounts.js';
import { clusterTime } from '../app/src/clock.js';
import { jsonLine, type Logger } from '../app/src/keeper/log.js';
import { runPass } from '../app/src/keeper/pass.js';
import { createInsurance, fundInsurance, insuranceAddress } from '../app/src/liquidation.js';
import { CALL, seriesIndex } from '../app/src/markets.js';
import { sviFor } from '../app/src/svi.js';
import { solUnderlyingParams, SOL_PRICE } from '../migrations/deploy.js';
import { assertConservation, newTrader, newWorld, setSolPrice, type Trader, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n;
const STRIKE = USD(150n);
const EXPIRY_IN = 86_400n;
const SOLD = 10n;
/** Writer margin: above the initial requirement of 10 short ATM calls, below the loss of a +25% move plus its maintenance. */
const WRITER_MARGIN = USD(720n);
const SOL_UP = (SOL_PRICE.price * 125n) / 100n; // 187.50

let w: World;
let underlying: Address;
let u: Underlying;
let call: number;
let insurance: Address;
let writer: Trader;
let buyer: Trader;
let keeper: Trader;
const quote = (a: Address) => w.client.balance(a, w.usdc.bank);

async function trader(usdc: bigint): Promise<Trader> {
  const t = await newTrader(w, { USDC: usdc });
  const account = (await w.client.createAccount(t.signer, 0)).address;
  await w.client.deposit(t.signer, account, w.usdc.bank, t.wallet.USDC!, usdc);
  return { ...t, account };
}

describe('liquidation: insurance fund, thin writer, SOL +25%, one keeper pass', () => {
  before(async () => {
    w = await newWorld();
    writer = await trader(WRITER_MARGIN);
    buyer = await trader(USD(2_000n));
    keeper = await trader(USD(3_000n));
  });

  it('creates the insurance fund (PDA ["insurance", exchange]) and anyone funds it', async () => {
    const { address } = await createInsurance(w.client, w.admin);
    insurance = address;
    assert.equal(insurance, await insuranceAddress(w.d.exchange));
    const acc = (await w.client.marginAccount(insurance)).data;
    assert.equal(acc.owner, w.d.exchange);
    assert.equal(acc.id, 0xffff_ffff);
    const funder = await newTrader(w, { USDC: USD(100n) });
    const { event } = await fundInsurance(w.client, funder.signer, funder.wallet.USDC!, USD(100n));
    assert.equal(event.account, insurance);
    assert.equal(await quote(insurance), USD(100n));
    await assertConservation(w, w.usdc);
  });

  it('lists a one-day expiry and the writer sells calls on thin margin', async () => {
    underlying = (await w.client.createUnderlying(w.admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(w.admin.address) })).address;
    const expiry = (await clusterTime(w.conn)) + EXPIRY_IN;
    await w.client.listSeries(w.admin, underlying, { expiry, strikes: [STRIKE], oiCap: 1_000n });
    await w.client.setSurface(w.admin, underlying, 0, sviFor('0.8', { seconds: EXPIRY_IN }));
    await setSolPrice(w, SOL_PRICE.price);
    await w.client.refreshRisk(w.admin, underlying);
    u = (await w.client.underlying(underlying)).data;
    call = seriesIndex(u, expiry, STRIKE, CALL);
    const price = u.risk[call]!.mark > 0n ? u.risk[call]!.mark : 1n;
    await w.client.trade(writer, buyer, underlying, [{ seriesIndex: call, size: SOLD, price }]);
    const h = await w.client.health(writer.account, keeper.signer.address);
    console.log(`# writer after selling ${SOLD} calls at ${price}: init ${h.initHealth} maint ${h.maintHealth} req ${h.initialRequirement}/${h.maintenanceRequirement}`);
    assert.ok(h.initHealth >= 0n && h.maintHealth > 0n);
  });

  it('after SOL +25%, one keeper pass liquidates the writer back to maintenance', async () => {
    const ins0 = await quote(insurance);
    await setSolPrice(w, SOL_UP);
    const lines: string[] = [];
    const log: Logger = (level, event, fields) => lines.push(jsonLine(level, event, fields));
    const report = await runPass({ client: w.client, signer: keeper.signer, liquidatorAccount: keeper.account, log, maxContractsPerAccount: 50 });
    for (const l of lines) console.log(`# ${l}`);
    assert.ok(report.refreshed > 0, 'the keeper refreshed the stale risk arrays');
    const mine = report.liquidations.find((l) => l.account === writer.account);
    assert.ok(mine, 'the writer was found liquidatable');
    assert.ok(mine.contracts > 0 && mine.contracts <= Number(SOLD), `contracts taken: ${mine.contracts}`);
    assert.ok(mine.stop === 'NotLiquidatable' || mine.stop === 'OverLiquidation', `stopped on ${mine.stop}`);

    const h = await w.client.health(writer.account, keeper.signer.address);
    assert.ok(h.maintHealth >= 0n, `writer maintenance health ${h.maintHealth}`);
    const [wAcc, kAcc] = [(await w.client.marginAccount(writer.account)).data, (await w.client.marginAccount(keeper.account)).data];
    assert.equal(positionSize(kAcc, u.underlyingIndex, call), -BigInt(mine.contracts));
    assert.equal(positionSize(wAcc, u.underlyingIndex, call), -SOLD + BigInt(mine.contracts));
    const ins1 = await quote(insurance);
    assert.ok(ins1 > ins0, `insurance ${ins0} -> ${ins1}`);
    assert.equal(ins1 - ins0, mine.toInsurance);
    assert.equal((await w.client.underlying(underlying)).data.series[call]!.openInterest, SOLD, 'open interest unchanged (a short moved)');
    await assertConservation(w, w.usdc);
    await assertConservation(w, w.sol);
  });
});
