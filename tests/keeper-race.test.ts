// Two keeper processes (`maxwell keeper`, separate keys and liquidator accounts, each with a
// status file) racing for the same liquidatable account on a real validator: a writer of as many
// calls as its margin allows (at most 10; the size from the program's what-if, mx_max_size), SOL
// +25%. Both survive (no fatal error, keep passing), the writer ends protected (maintenance
// health >= 0), and exactly the liquidations that landed are accounted for: the contracts the two
// keepers hold are the writer's reduction, equal to the LiquidateLog events on chain and to the
// keepers' own status files; a keeper whose attempt lost the race sees the program's refusal
// (NotLiquidatable or OverLiquidation) as a stop, not a failure, and carries on. Then SIGTERM:
// each finishes what it is doing, writes its final status and exits 0.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Address, Signature } from '@solana/kit';

import { positionSize, type Underlying } from '../app/src/accounts.js';
import { clusterTime } from '../app/src/clock.js';
import type { KeeperStatus } from '../app/src/keeper/status.js';
import { createInsurance, fundInsurance, liquidateLogs } from '../app/src/liquidation.js';
import { CALL, seriesIndex } from '../app/src/markets.js';
import { sviFor } from '../app/src/svi.js';
import { fetchForWhatIf, WhatIf } from '../app/src/whatif.js';
import { solUnderlyingParams, SOL_PRICE } from '../migrations/deploy.js';
import { dir, keyTrader, ok, spawnKeeper, type KeyTrader } from './cli-support.js';
import { assertConservation, newTrader, newWorld, setSolPrice, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n;
const STRIKE = USD(150n);
const EXPIRY_IN = 86_400n;
/** At most this many calls sold (fewer if the writer's initial margin allows fewer). */
const MAX_SOLD = 10n;
const WRITER_MARGIN = USD(450n);
const SOL_UP = (SOL_PRICE.price * 125n) / 100n;

let w: World;
let underlying: Address;
let u: Underlying;
let call: number;
let writer: Address;
let sold: bigint;
const keepers: { k: KeyTrader; account: Address; status: string; run?: ReturnType<typeof spawnKeeper> }[] = [];

const readStatus = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as KeeperStatus;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two keepers racing for one liquidatable account', () => {
  before(async () => {
    w = await newWorld();
    const writerT = await newTrader(w, { USDC: WRITER_MARGIN });
    writer = (await w.client.createAccount(writerT.signer, 0)).address;
    await w.client.deposit(writerT.signer, writer, w.usdc.bank, writerT.wallet.USDC!, WRITER_MARGIN);
    const buyerT = await newTrader(w, { USDC: USD(2_000n) });
    const buyer = (await w.client.createAccount(buyerT.signer, 0)).address;
    await w.client.deposit(buyerT.signer, buyer, w.usdc.bank, buyerT.wallet.USDC!, USD(2_000n));
    await createInsurance(w.client, w.admin);
    const funder = await newTrader(w, { USDC: USD(100n) });
    await fundInsurance(w.client, funder.signer, funder.wallet.USDC!, USD(100n));
    underlying = (await w.client.createUnderlying(w.admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(w.admin.address) })).address;
    const expiry = (await clusterTime(w.conn)) + EXPIRY_IN;
    await w.client.listSeries(w.admin, underlying, { expiry, strikes: [STRIKE], oiCap: 1_000n });
    await w.client.setSurface(w.admin, underlying, 0, sviFor('0.8', { seconds: EXPIRY_IN }));
    await setSolPrice(w, SOL_PRICE.price);
    await w.client.refreshRisk(w.admin, underlying);
    u = (await w.client.underlying(underlying)).data;
    call = seriesIndex(u, expiry, STRIKE, CALL);
    // As many calls as the writer's margin allows (the program's own rule: mx_max_size), at most 10.
    const unit = [{ seriesIndex: call, size: 1n, price: u.risk[call]!.mark }];
    const { raws, now } = await fetchForWhatIf(w.client, [writer, buyer], { bankIndexes: [w.usdc.bankIndex], underlyingIndexes: [u.underlyingIndex] });
    const max = new WhatIf().maxSize(w.d.exchange, now, 'maker', unit, underlying, w.usdc.bank, raws).units;
    sold = max < MAX_SOLD ? max : MAX_SOLD;
    assert.ok(sold >= 3n, `the writer can sell ${max} calls on ${WRITER_MARGIN}`);
    await w.client.trade({ account: writer, signer: writerT.signer }, { account: buyer, signer: buyerT.signer }, underlying, [{ ...unit[0]!, size: sold }]);
    for (const name of ['keeper-a', 'keeper-b']) {
      const k = await keyTrader(w, name, { USDC: USD(3_000n) });
      const account = (await ok(w, ['account', 'create'], { keypair: k.keypair })).account as Address;
      await ok(w, ['account', 'deposit', '--bank', w.usdc.mint, '--amount', '3000'], { keypair: k.keypair });
      keepers.push({ k, account, status: join(dir, `${name}-status.json`) });
    }
  });

  after(() => {
    for (const k of keepers) if (k.run && k.run.proc.exitCode === null) k.run.proc.kill('SIGKILL');
  });

  it('both keepers liquidate the writer back to maintenance; every landed liquidation accounted for once', async () => {
    const h0 = await w.client.health(writer, w.admin.address);
    assert.ok(h0.maintHealth > 0n);
    await setSolPrice(w, SOL_UP);
    await w.client.refreshRisk(w.admin, underlying);
    const h1 = await w.client.health(writer, w.admin.address);
    assert.ok(h1.maintHealth < 0n, `after SOL +25% the writer is under maintenance: ${h1.maintHealth}`);
    console.log(`# writer: ${sold} calls sold; maintenance health ${h0.maintHealth} -> ${h1.maintHealth}`);
    const cfg = join(dir, 'race.json');
    // Only the jobs this race is about (settle/refresh/scan/liquidate always run).
    writeFileSync(cfg, JSON.stringify({ pollIntervalMs: 300, accrueEnabled: false, rebalanceEnabled: false, realizedVolEnabled: false, observeEnabled: false, governanceEnabled: false, bankruptcyEnabled: false }));
    for (const k of keepers) k.run = spawnKeeper(w, ['--config', cfg, '--status-file', k.status], k.k.keypair);

    // Until the writer is protected and each keeper has finished two passes after that (and three in all).
    const deadline = Date.now() + 240_000;
    let protectedAtPass: number[] | null = null;
    for (;;) {
      assert.ok(Date.now() < deadline, `timeout; logs:\n${keepers.map((k) => k.run!.lines.slice(-20).join('\n')).join('\n----\n')}`);
      for (const k of keepers) assert.equal(k.run!.proc.exitCode, null, `${k.status}: exited early:\n${k.run!.lines.slice(-20).join('\n')}`);
      await sleep(1_000);
      const statuses = keepers.map((k) => { try { return readStatus(k.status); } catch { return null; } });
      if (statuses.some((s) => !s)) continue;
      if (!protectedAtPass) {
        const acc = (await w.client.marginAccount(writer)).data;
        if (positionSize(acc, u.underlyingIndex, call) === -sold) continue; // nobody has taken anything yet
        try {
          if ((await w.client.health(writer, w.admin.address)).maintHealth >= 0n) protectedAtPass = statuses.map((s) => s!.passes);
        } catch {
          // stale risk arrays between a refresh and the next: look again
        }
        continue;
      }
      // At least three passes each as well (asserted below): with 48-series crank transactions
      // the first pass can already protect the writer.
      if (statuses.every((s, i) => s!.passes >= Math.max(protectedAtPass![i]! + 2, 3))) break;
    }

    // Graceful shutdown: SIGTERM to both, each writes its final status and exits 0.
    for (const k of keepers) k.run!.proc.kill('SIGTERM');
    const codes = await Promise.all(keepers.map((k) => k.run!.exited));
    assert.deepEqual(codes, [0, 0]);
    const final = keepers.map((k) => readStatus(k.status));
    for (const [i, s] of final.entries()) {
      assert.equal(s.state, 'stopped');
      assert.equal(s.keeper, keepers[i]!.k.signer.address);
      assert.equal(s.total.failures, 0, `${keepers[i]!.status}: failures ${s.total.failures} (${s.lastError})`);
      assert.ok(s.passes >= 3);
      assert.ok(s.lastPass.accountsScanned >= 4, 'writer, buyer and the two keepers scanned');
      const events = keepers[i]!.run!.lines.map((l) => { try { return JSON.parse(l) as { event: string; reason?: string }; } catch { return { event: `raw: ${l}` }; } });
      assert.deepEqual([events[0]!.event, events.at(-1)!.event], ['keeper_start', 'keeper_stop']);
      assert.ok(events.some((e) => e.event === 'keeper_stopping'));
      assert.ok(!events.some((e) => e.event === 'keeper_fatal' || e.event.startsWith('raw: stderr')), 'no fatal error');
      const stops = events.filter((e) => e.event === 'liquidate_stop').map((e) => e.reason);
      console.log(`# keeper ${i}: ${s.total.contracts} contracts in ${s.passes} passes; stops ${JSON.stringify(stops)}`);
      for (const r of stops) assert.ok(r === 'NotLiquidatable' || r === 'OverLiquidation', `a lost race is an expected stop: ${r}`);
    }

    // The writer is protected; the contracts it lost are exactly those the keepers hold.
    const h = await w.client.health(writer, w.admin.address);
    assert.ok(h.maintHealth >= 0n, `writer maintenance health ${h.maintHealth}`);
    const wSize = positionSize((await w.client.marginAccount(writer)).data, u.underlyingIndex, call);
    const held = await Promise.all(keepers.map(async (k) => -positionSize((await w.client.marginAccount(k.account)).data, u.underlyingIndex, call)));
    const taken = sold + wSize;
    assert.ok(taken > 0n && taken <= sold, `taken ${taken}`);
    assert.equal(held[0]! + held[1]!, taken, `keepers hold ${held} = the writer's reduction ${taken}`);
    // Each keeper's status counts exactly what it holds.
    final.forEach((s, i) => assert.equal(BigInt(s.total.contracts), held[i]!, `keeper ${i} status ${s.total.contracts} vs held ${held[i]}`));
    // And the chain's LiquidateLog events on the writer are the same contracts, each once.
    const sigs = await w.conn.rpc.getSignaturesForAddress(writer, { commitment: 'confirmed' }).send();
    let logged = 0n;
    const byLiquidator = new Map<string, bigint>();
    for (const s of sigs) {
      if (s.err) continue;
      const tx = await w.conn.rpc.getTransaction(s.signature as Signature, { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 }).send();
      // The keeper takes one contract per liquidate transaction (app/src/keeper/liquidate.ts).
      for (const e of liquidateLogs(tx?.meta?.logMessages ?? [])) {
        if (e.liquidatee !== writer) continue;
        logged += 1n;
        byLiquidator.set(e.liquidator, (byLiquidator.get(e.liquidator) ?? 0n) + 1n);
      }
    }
    assert.equal(logged, taken, 'LiquidateLog contracts on chain = the writer\'s reduction');
    keepers.forEach((k, i) => assert.equal(byLiquidator.get(k.account) ?? 0n, held[i]!));
    await assertConservation(w, w.usdc);
  });
});
