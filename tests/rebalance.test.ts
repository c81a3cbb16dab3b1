// Rebalance end to end on a real validator: an owner with two margin accounts (a funded source
// and a call writer) and a policy (the source feeds the writer; trigger just under the writer's
// maintenance health before the move, so only the move triggers it); SOL +25% (mock Pyth); one
// keeper pass run in-process (runPass, as `npm run keeper -- --once`) refreshes the stale risk
// arrays and performs rebalance_accounts with the keeper's margin account as fee receiver.
// Exact numbers: the per-move limit binds (100 USDC), the fee is 10 bps of it, the policy's
// day counter counts it, the vault is unchanged and conservation holds.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { Address } from '@solana/kit';

import { type Underlying } from '../app/src/accounts.js';
import { clusterTime } from '../app/src/clock.js';
import { jsonLine, type Logger } from '../app/src/keeper/log.js';
import { runPass } from '../app/src/keeper/pass.js';
import { rebalanceJob } from '../app/src/keeper/rebalance.js';
import { createInsurance } from '../app/src/liquidation.js';
import { CALL, seriesIndex } from '../app/src/markets.js';
import { feedMask, getPolicy, policyAddress, setPolicy } from '../app/src/rebalance.js';
import { sviFor } from '../app/src/svi.js';
import { tokenBalance } from '../app/src/token.js';
import { solUnderlyingParams, SOL_PRICE } from '../migrations/deploy.js';
import { assertConservation, newTrader, newWorld, setSolPrice, type Trader, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n;
const STRIKE = USD(150n);
const EXPIRY_IN = 86_400n;
const SOLD = 10n;
const SOURCE_MARGIN = USD(20_000n);
const WRITER_MARGIN = USD(3_000n);
const MAX_PER_MOVE = USD(100n);
const FEE_BPS = 10;
const SOL_UP = (SOL_PRICE.price * 125n) / 100n; // 187.50

let w: World;
let owner: Omit<Trader, 'account'>;
let source: Address;
let writer: Address;
let buyer: Trader;
let keeper: Trader;
let underlying: Address;
let u: Underlying;
let call: number;
let trigger: bigint;
const quote = (a: Address) => w.client.balance(a, w.usdc.bank);
const silent: Logger = () => {};

describe('rebalance: policy, writer under its trigger after SOL +25%, one keeper pass', () => {
  before(async () => {
    w = await newWorld();
    await createInsurance(w.client, w.admin);
    owner = await newTrader(w, { USDC: SOURCE_MARGIN + WRITER_MARGIN });
    source = (await w.client.createAccount(owner.signer, 0)).address;
    writer = (await w.client.createAccount(owner.signer, 1)).address;
    await w.client.deposit(owner.signer, source, w.usdc.bank, owner.wallet.USDC!, SOURCE_MARGIN);
    await w.client.deposit(owner.signer, writer, w.usdc.bank, owner.wallet.USDC!, WRITER_MARGIN);
    for (const [name, usdc] of [['buyer', USD(5_000n)], ['keeper', USD(100n)]] as const) {
      const t = await newTrader(w, { USDC: usdc });
      const account = (await w.client.createAccount(t.signer, 0)).address;
      await w.client.deposit(t.signer, account, w.usdc.bank, t.wallet.USDC!, usdc);
      if (name === 'buyer') buyer = { ...t, account };
      else keeper = { ...t, account };
    }
  });

  it('the writer sells calls; its owner sets a policy with the trigger just under its maintenance health', async () => {
    underlying = (await w.client.createUnderlying(w.admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(w.admin.address) })).address;
    const expiry = (await clusterTime(w.conn)) + EXPIRY_IN;
    await w.client.listSeries(w.admin, underlying, { expiry, strikes: [STRIKE], oiCap: 1_000n });
    await w.client.setSurface(w.admin, underlying, 0, sviFor('0.8', { seconds: EXPIRY_IN }));
    await setSolPrice(w, SOL_PRICE.price);
    await w.client.refreshRisk(w.admin, underlying);
    u = (await w.client.underlying(underlying)).data;
    call = seriesIndex(u, expiry, STRIKE, CALL);
    const price = u.risk[call]!.mark > 0n ? u.risk[call]!.mark : 1n;
    await w.client.trade({ account: writer, signer: owner.signer }, buyer, underlying, [{ seriesIndex: call, size: SOLD, price }]);
    const h = await w.client.health(writer, keeper.signer.address);
    console.log(`# writer after selling ${SOLD} calls at ${price}: init ${h.initHealth} maint ${h.maintHealth}`);
    assert.ok(h.maintHealth > 1n);
    trigger = h.maintHealth - 1n;

    const { address } = await setPolicy(w.client, owner.signer, {
      accounts: [source, writer],
      feeds: new Uint8Array([0, feedMask([0])]), // the source feeds the writer, never the reverse
      triggerHealth: trigger,
      targetHealth: USD(10_000n),
      maxPerMove: MAX_PER_MOVE,
      maxPerDay: USD(1_000n),
      quoteBorrowLimit: USD(1_000n),
      keeperFeeBps: FEE_BPS,
      maxDiscountBps: 100,
    });
    assert.equal(address, await policyAddress(w.d.exchange, owner.signer.address));
    const p = (await getPolicy(w.client, owner.signer.address))!.data;
    assert.equal(p.owner, owner.signer.address);
    assert.deepEqual(p.accounts.slice(0, 2), [source, writer]);
    assert.deepEqual([...p.feeds.slice(0, 2)], [0, 1]);
    assert.equal(p.triggerHealth, trigger);
    assert.equal(p.movedToday, 0n);

    // Above its trigger: the rebalance job moves nothing.
    await setSolPrice(w, SOL_PRICE.price);
    assert.deepEqual(await rebalanceJob(w.client, { account: keeper.account, signer: keeper.signer }, silent), []);
  });

  it('after SOL +25%, one keeper pass tops the writer up from the source: amount, fee, counter, conservation', async () => {
    const [s0, w0, k0, vault0] = await Promise.all([quote(source), quote(writer), quote(keeper.account), tokenBalance(w.conn, w.usdc.vault)]);
    await setSolPrice(w, SOL_UP);
    const lines: string[] = [];
    const log: Logger = (level, event, fields) => lines.push(jsonLine(level, event, fields));
    const report = await runPass({ client: w.client, signer: keeper.signer, liquidatorAccount: keeper.account, log, maxContractsPerAccount: 50 });
    for (const l of lines) console.log(`# ${l}`);
    assert.ok(report.refreshed > 0, 'the keeper refreshed the stale risk arrays first');
    assert.deepEqual(report.liquidations, [], 'nobody is under maintenance');
    assert.equal(report.rebalances.length, 1, 'one rebalance_accounts');
    const r = report.rebalances[0]!;
    assert.equal(r.source, source);
    assert.equal(r.destination, writer);
    // The writer lost at least the calls' intrinsic value (10 x 37.50): far more than one move restores, so the per-move limit binds.
    assert.equal(r.amount, MAX_PER_MOVE);
    const fee = (MAX_PER_MOVE * BigInt(FEE_BPS)) / 10_000n;
    assert.equal(fee, 100_000n); // 0.10 USDC
    assert.equal(r.fee, fee);

    const [s1, w1, k1, vault1] = await Promise.all([quote(source), quote(writer), quote(keeper.account), tokenBalance(w.conn, w.usdc.vault)]);
    assert.equal(s1, s0 - MAX_PER_MOVE);
    assert.equal(w1, w0 + MAX_PER_MOVE - fee);
    assert.equal(k1, k0 + fee);
    assert.equal(vault1, vault0, 'an internal transfer: the vault is unchanged');
    const p = (await getPolicy(w.client, owner.signer.address))!.data;
    assert.equal(p.movedToday, MAX_PER_MOVE, 'quote is valued 1:1 against the limits');

    const ev = lines.map((l) => JSON.parse(l) as Record<string, string>).find((o) => o.event === 'rebalance_accounts');
    assert.ok(ev);
    assert.ok(BigInt(ev.destinationMaintBefore!) < trigger, 'the writer was under its trigger');
    assert.equal(BigInt(ev.destinationMaintAfter!) - BigInt(ev.destinationMaintBefore!), MAX_PER_MOVE - fee, 'quote margin adds 1:1 to maintenance health');
    assert.ok(BigInt(ev.sourceMaintAfter!) >= USD(10_000n), 'the source kept its target');
    await assertConservation(w, w.usdc);
    await assertConservation(w, w.sol);
  });
});
