// The `maxwell` command-line tool end to end on a real validator: every command spawned as a
// process (node --import tsx app/src/cli/main.ts) with Solana CLI keypair files, asserting on its
// `--json` output and on chain state, and on bad input a clear message and a nonzero exit.
// account create|show|deposit|withdraw, trade (both keys, and the RFQ: the maker signs half a
// transaction to a file, the taker completes it), risk, metrics, gov propose|list|cancel|execute,
// keeper --once with its status file; risk with the program's Greeks, scenario matrix,
// liquidation spot and a trade's what-if (app/src/whatif.ts).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Address } from '@solana/kit';

import { positionSize, type Underlying } from '../app/src/accounts.js';
import { clusterTime, waitForClusterTime } from '../app/src/clock.js';
import { formatUnits } from '../app/src/format.js';
import { HealthEngine, localHealth } from '../app/src/health-wasm.js';
import { CALL, PUT, seriesIndex } from '../app/src/markets.js';
import { proposalAddress } from '../app/src/pdas.js';
import { sviFor } from '../app/src/svi.js';
import { tokenBalance } from '../app/src/token.js';
import { solUnderlyingParams, SOL_PRICE } from '../migrations/deploy.js';
import { adminKeypair, dir, keyTrader, maxwell, ok, type KeyTrader } from './cli-support.js';
import { assertConservation, newWorld, setSolPrice, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n;
const STRIKE = USD(150n);
const EXPIRY_IN = 86_400n;

let w: World;
let maker: KeyTrader;
let taker: KeyTrader;
let admin: string;
let makerAccount: Address;
let takerAccount: Address;
let underlying: Address;
let u: Underlying;
let call: number;
let put: number;

const quote = (a: Address) => w.client.balance(a, w.usdc.bank);
/** The mark of a series in quote units (the CLI's price format). */
const markOf = (i: number) => formatUnits(u.risk[i]!.mark > 0n ? u.risk[i]!.mark : 1n, w.usdc.decimals);

describe('maxwell CLI', () => {
  before(async () => {
    w = await newWorld();
    maker = await keyTrader(w, 'maker', { USDC: USD(5_000n) });
    taker = await keyTrader(w, 'taker', { USDC: USD(5_000n) });
    admin = await adminKeypair(w);
  });

  after(() => {
    console.log(`# keypair files and RFQ files in ${dir}`);
  });

  it('account create: the PDA of (exchange, owner, id) exists on chain; twice is refused', async () => {
    const j = await ok(w, ['account', 'create', '--id', '0'], { keypair: maker.keypair });
    makerAccount = j.account as Address;
    assert.equal(makerAccount, await w.client.marginAccountAddress(maker.signer.address, 0));
    const acc = (await w.client.marginAccount(makerAccount)).data;
    assert.equal(acc.owner, maker.signer.address);
    assert.equal(acc.id, 0);
    takerAccount = (await ok(w, ['account', 'create'], { keypair: taker.keypair })).account as Address;
    const again = await maxwell(w, ['account', 'create', '--id', '0'], { keypair: maker.keypair });
    assert.equal(again.code, 1);
    assert.match(String(again.json.error), /already exists/);
  });

  it('bad input: a clear message and a nonzero exit', async () => {
    const cases: [string[], RegExp, number][] = [
      [['account', 'deposit', '--bank', w.usdc.mint, '--amount', 'ten'], /--amount ten: expected a positive decimal/, 2],
      [['account', 'deposit', '--bank', w.usdc.mint, '--amount', '1.1234567'], /more than 6 decimals/, 2],
      [['account', 'deposit', '--bank', '7', '--amount', '1'], /--bank 7: not a bank of exchange/, 2],
      [['account', 'deposit', '--amount', '1'], /--bank <bank address, mint or index> is required/, 2],
      [['account', 'show', '--account', 'nope'], /--account: not a base58 address/, 2],
      [['account', 'show', '--id', '9'], /does not exist/, 2],
      [['account', 'frobnicate'], /expected create\|show\|deposit\|withdraw/, 2],
      [['account', 'show', '--colour', 'red'], /unknown option --colour/, 2],
      [['trade', '--underlying', w.d.exchange, '--taker-account', w.d.exchange, '--leg', '0:1'], /--leg 0:1: expected/, 2],
      [['gov', 'propose', '--change', '{"__kind":"Nope"}'], /"__kind" is one of/, 2],
      [['gov', 'execute', '--id', '99'], /proposal 99 does not exist/, 2],
      [['nonsense'], /unknown command/, 2],
    ];
    for (const [args, re, code] of cases) {
      const r = await maxwell(w, args, { keypair: maker.keypair });
      assert.equal(r.code, code, `${args.join(' ')}: exit ${r.code} (${r.stderr})`);
      assert.match(String(r.json.error), re, args.join(' '));
      assert.match(r.stderr, /^maxwell: /);
    }
    const missing = await maxwell(w, ['account', 'show'], { keypair: join(dir, 'absent.json') });
    assert.equal(missing.code, 1);
    assert.match(String(missing.json.error), /absent\.json: cannot read a JSON array of 64 bytes/);
    writeFileSync(join(dir, 'short.json'), '[1,2,3]');
    const short = await maxwell(w, ['account', 'show'], { keypair: join(dir, 'short.json') });
    assert.match(String(short.json.error), /expected a JSON array of 64 bytes/);
  });

  it('account deposit and withdraw move tokens and the margin balance by exactly the amount', async () => {
    const wallet0 = await tokenBalance(w.conn, maker.wallet.USDC!);
    const d = await ok(w, ['account', 'deposit', '--bank', w.usdc.mint, '--amount', '2000'], { keypair: maker.keypair });
    assert.equal(d.amount, String(USD(2_000n)));
    assert.equal(d.balanceAfter, String(USD(2_000n)));
    assert.equal(await quote(makerAccount), USD(2_000n));
    await ok(w, ['account', 'deposit', '--bank', String(w.usdc.bankIndex), '--amount', '3000', '--account', takerAccount], { keypair: taker.keypair });
    assert.equal(await quote(takerAccount), USD(3_000n));
    const wd = await ok(w, ['account', 'withdraw', '--bank', w.usdc.bank, '--amount', '150.5'], { keypair: maker.keypair });
    assert.equal(wd.amount, String(USD(150n) + 500_000n));
    assert.equal(await quote(makerAccount), USD(1_850n) - 500_000n);
    assert.equal(await tokenBalance(w.conn, maker.wallet.USDC!), wallet0 - USD(2_000n) + USD(150n) + 500_000n);
    // Beyond the balance with a zero borrow cap: the program refuses, and the CLI names the error.
    const r = await maxwell(w, ['account', 'withdraw', '--bank', w.usdc.bank, '--amount', '100000'], { keypair: maker.keypair });
    assert.equal(r.code, 1);
    assert.ok(r.json.errorName, `a program error name: ${r.stderr}`);
    assert.match(String(r.json.error), /refused: \w+ \(60\d\d\)/);
    await assertConservation(w, w.usdc);
  });

  it('account show: balances, and health equal to the program code in WASM', async () => {
    const j = await ok(w, ['account', 'show'], { keypair: maker.keypair });
    assert.equal(j.address, makerAccount);
    assert.equal(j.owner, maker.signer.address);
    const balances = j.balances as { bank: string; native: string; amount: string }[];
    assert.deepEqual(balances.map((b) => [b.bank, b.native, b.amount]), [[w.usdc.bank, String(USD(1_850n) - 500_000n), '1,849.5']]);
    const { health } = await localHealth(w.client, HealthEngine.load(), makerAccount, false);
    const h = j.health as Record<string, unknown>;
    assert.equal(h.initHealth, String(health.initHealth));
    assert.equal(h.maintHealth, String(health.maintHealth));
    const human = await maxwell(w, ['account', 'show', '--account', makerAccount], { json: false });
    assert.equal(human.code, 0);
    assert.match(human.stdout, /1,849\.5/);
  });

  it('trade with both keys, then as an RFQ: the maker signs half to a file, the taker completes it', async () => {
    underlying = (await w.client.createUnderlying(w.admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(w.admin.address) })).address;
    const expiry = (await clusterTime(w.conn)) + EXPIRY_IN;
    await w.client.listSeries(w.admin, underlying, { expiry, strikes: [STRIKE], oiCap: 1_000n });
    await w.client.setSurface(w.admin, underlying, 0, sviFor('0.8', { seconds: EXPIRY_IN }));
    await setSolPrice(w, SOL_PRICE.price);
    await w.client.refreshRisk(w.admin, underlying);
    u = (await w.client.underlying(underlying)).data;
    call = seriesIndex(u, expiry, STRIKE, CALL);
    put = seriesIndex(u, expiry, STRIKE, PUT);

    // Both keys here: the taker buys 2 calls from the maker.
    const t = await ok(w, ['trade', '--underlying', underlying, '--taker-account', takerAccount, '--taker-keypair', taker.keypair, '--leg', `${call}:2:${markOf(call)}`], { keypair: maker.keypair });
    const ev = t.events as { seriesIndex: number; size: string; price: string }[];
    assert.deepEqual(ev.map((e) => [e.seriesIndex, e.size]), [[call, '2']]);
    const positions = async () => [
      positionSize((await w.client.marginAccount(makerAccount)).data, u.underlyingIndex, call),
      positionSize((await w.client.marginAccount(takerAccount)).data, u.underlyingIndex, call),
      positionSize((await w.client.marginAccount(takerAccount)).data, u.underlyingIndex, put),
    ];
    assert.deepEqual(await positions(), [-2n, 2n, 0n]);

    // RFQ: the maker quotes 1 call and 3 puts (taker buys), signs its half; nothing lands yet.
    const file = join(dir, 'quote.json');
    const half = await ok(w, ['trade', '--underlying', underlying, '--taker-account', takerAccount, '--leg', `${call}:1:${markOf(call)}`, '--leg', `${put}:3:${markOf(put)}`, '--sign-partial', file], { keypair: maker.keypair });
    assert.equal(half.file, file);
    assert.deepEqual(half.taker, { account: takerAccount, signer: taker.signer.address });
    assert.deepEqual(await positions(), [-2n, 2n, 0n], 'a half-signed transaction changes nothing');
    const q = JSON.parse(readFileSync(file, 'utf8')) as { transaction: string; legs: unknown[] };
    assert.equal(q.legs.length, 2);

    // Someone else cannot complete it, and a file whose description lies is refused.
    const stranger = await keyTrader(w, 'stranger');
    const wrong = await maxwell(w, ['trade', '--complete', file], { keypair: stranger.keypair });
    assert.equal(wrong.code, 2);
    assert.match(String(wrong.json.error), /taker signer is .* not --keypair/);
    const lying = join(dir, 'lying.json');
    writeFileSync(lying, JSON.stringify({ ...q, legs: [{ seriesIndex: call, size: '1', price: '1' }] }));
    const lie = await maxwell(w, ['trade', '--complete', lying], { keypair: taker.keypair });
    assert.equal(lie.code, 2);
    assert.match(String(lie.json.error), /does not match its transaction/);

    const done = await ok(w, ['trade', '--complete', file], { keypair: taker.keypair });
    const legs = (done.events as { seriesIndex: number; size: string }[]).map((e) => [e.seriesIndex, e.size]);
    assert.deepEqual(legs, [[call, '1'], [put, '3']]);
    assert.deepEqual(await positions(), [-3n, 3n, 3n]);
    // Completing the same file again: the cluster refuses the duplicate (already processed) or the quote expired.
    const again = await maxwell(w, ['trade', '--complete', file], { keypair: taker.keypair });
    assert.equal(again.code, 1);
    await assertConservation(w, w.usdc);
  });

  it('risk: health, per-underlying Greeks, scenario matrix and liquidation spot from the program in WASM, equal to account_health', async () => {
    const j = await ok(w, ['risk', '--account', takerAccount]);
    const { health } = await localHealth(w.client, HealthEngine.load(), takerAccount, true);
    const h = j.health as Record<string, unknown>;
    const strict = j.strict as Record<string, unknown> & { underlyings: Record<string, unknown>[] };
    assert.equal(h.maintHealth, String(health.maintHealth));
    assert.equal(strict.maintHealth, String(health.maintHealth), 'account_health (simulated) equals the WASM health to the unit');
    assert.equal(strict.initHealth, String(health.initHealth));
    // Per-underlying Greeks: the CLI's (mx_health_detail) are the health event's (account_health).
    const greeks = (j.detail as { underlyings: Record<string, unknown>[] }).underlyings;
    assert.equal(greeks.length, 1);
    assert.equal(strict.underlyings.length, 1);
    for (const k of ['underlyingIndex', 'deltaE9', 'deltaQuote', 'gammaQuote', 'vegaQuote', 'thetaQuote', 'worstLoss', 'worstScenario']) {
      assert.equal(String(greeks[0]![k]), String(strict.underlyings[0]![k]), k);
    }
    // The scenario matrix: one row per underlying, the grid's size, its largest loss the worst loss.
    const rows = j.scenarios as { underlyingIndex: number; loss: string[] }[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.loss.length, u.risk[0]!.pnl.length);
    assert.equal(rows[0]!.loss.map(BigInt).reduce((a, b) => (b > a ? b : a)), BigInt(String(strict.underlyings[0]!.worstLoss)));
    const ps = j.positions as { seriesIndex: number; size: string; kind: string; mark: string; deltaQuote: string }[];
    assert.deepEqual(ps.map((p) => [p.seriesIndex, p.kind, p.size]).sort(), [[call, 'call', '3'], [put, 'put', '3']].sort());
    const now = (await w.client.underlying(underlying)).data;
    for (const p of ps) {
      assert.equal(p.mark, String(now.risk[p.seriesIndex]!.mark));
      assert.equal(p.deltaQuote, String(now.risk[p.seriesIndex]!.deltaQuote));
    }
    // The maker wrote 3 calls: a liquidation spot above the current one.
    const m = await ok(w, ['risk', '--account', makerAccount]);
    const liq = (m.liquidation as { underlying: string; spot: string; up: string | null; down: string | null }[])[0]!;
    assert.equal(liq.underlying, underlying);
    assert.ok(liq.up !== null && BigInt(liq.up) > BigInt(liq.spot), `liquidation spot above ${liq.spot}: ${liq.up}`);
    const human = await maxwell(w, ['risk'], { keypair: taker.keypair, json: false });
    assert.equal(human.code, 0);
    assert.match(human.stdout, /underlying \d+: delta/);
    assert.match(human.stdout, /scenarios of underlying/);
  });

  it('risk --with: the what-if of a trade for both sides, then the trade lands with exactly those healths', async () => {
    const leg = `${call}:2:${markOf(call)}`;
    const j = await ok(w, ['risk', '--account', makerAccount, '--as', 'maker', '--with', takerAccount, '--underlying', underlying, '--leg', leg]);
    const x = j.whatIf as { code: number; errorName: string | null; result: Record<string, Record<string, string>>; maxSize: { units: string; refusal: number } };
    assert.equal(x.code, 0);
    assert.equal(x.errorName, null);
    assert.ok(BigInt(x.maxSize.units) >= 1n, `max size ${x.maxSize.units}`);
    assert.ok(x.maxSize.refusal > 6000, 'one more unit: the program\'s refusal code');
    const t = await ok(w, ['trade', '--underlying', underlying, '--taker-account', takerAccount, '--taker-keypair', taker.keypair, '--leg', leg], { keypair: maker.keypair });
    const ev = (t.events as Record<string, string>[])[0]!;
    assert.equal(ev.makerInitHealth, x.result.postMaker!.initHealth, 'maker: what-if = the trade event, to the unit');
    assert.equal(ev.takerInitHealth, x.result.postTaker!.initHealth, 'taker: what-if = the trade event, to the unit');
    // A what-if far beyond the maker's margin: the program's refusal, named.
    const big = await ok(w, ['risk', '--account', makerAccount, '--as', 'maker', '--with', takerAccount, '--underlying', underlying, '--leg', `${call}:${BigInt(x.maxSize.units) * 50n + 100n}:${markOf(call)}`]);
    assert.notEqual((big.whatIf as { code: number }).code, 0);
    assert.ok((big.whatIf as { errorName: string }).errorName);
    const bad = await maxwell(w, ['risk', '--account', makerAccount, '--underlying', underlying, '--leg', leg]);
    assert.equal(bad.code, 2);
    assert.match(String(bad.json.error), /pass --with/);
  });

  it('metrics: banks and the underlying open interest as on chain', async () => {
    const j = await ok(w, ['metrics']);
    const banks = j.banks as { bank: string; deposits: string }[];
    const usdc = banks.find((b) => b.bank === w.usdc.bank);
    assert.ok(usdc);
    const state = (await w.client.bankState(w.usdc.bank)).data;
    assert.equal(usdc.deposits, String(state.depositShares)); // indices 1.0 in the e2e deployment
    const unders = j.underlyings as { underlying: string; openInterest: string }[];
    assert.equal(unders.find((x) => x.underlying === underlying)?.openInterest, '8'); // 5 calls + 3 puts
  });

  it('gov: propose, list, cancel; propose again and execute after the timelock', async () => {
    const change = (cap: number) => JSON.stringify({ __kind: 'OiCap', underlying, seriesIndex: call, oiCap: String(cap) });
    const p0 = await ok(w, ['gov', 'propose', '--change', change(400)], { keypair: admin });
    assert.equal(p0.proposal, await proposalAddress(w.d.exchange, BigInt(String(p0.id))));
    const stranger = await maxwell(w, ['gov', 'propose', '--change', change(1)], { keypair: maker.keypair });
    assert.equal(stranger.code, 1);
    assert.equal(stranger.json.errorName, 'NotProposer');
    let list = (await ok(w, ['gov', 'list'])).proposals as { id: string; state: string; kind: string }[];
    assert.deepEqual(list.map((p) => [p.id, p.state, p.kind]), [[String(p0.id), 'pending', 'OiCap']]);
    await ok(w, ['gov', 'cancel', '--id', String(p0.id)], { keypair: admin });
    const file = join(dir, 'change.json');
    writeFileSync(file, change(500));
    const p1 = await ok(w, ['gov', 'propose', '--change', `@${file}`], { keypair: admin });
    const early = await maxwell(w, ['gov', 'execute', '--id', String(p1.id)], { keypair: maker.keypair });
    assert.equal(early.code, 1, 'before the unlock time the program refuses');
    await waitForClusterTime(w.conn, BigInt(String(p1.unlockTs)), { timeoutMs: 60_000 });
    await ok(w, ['gov', 'execute', '--proposal', String(p1.proposal)], { keypair: maker.keypair });
    assert.equal((await w.client.underlying(underlying)).data.series[call]!.oiCap, 500n);
    list = (await ok(w, ['gov', 'list'])).proposals as { id: string; state: string; kind: string }[];
    assert.deepEqual(list.map((p) => [p.id, p.state]), [[String(p0.id), 'cancelled'], [String(p1.id), 'executed']]);
    const twice = await maxwell(w, ['gov', 'execute', '--id', String(p1.id)], { keypair: maker.keypair });
    assert.equal(twice.code, 2);
    assert.match(String(twice.json.error), /already executed/);
  });

  it('keeper --once: one pass, a status file, exit 0', async () => {
    const k = await keyTrader(w, 'keeper', { USDC: USD(100n) });
    await ok(w, ['account', 'create'], { keypair: k.keypair });
    const status = join(dir, 'keeper-status.json');
    const cfg = join(dir, 'keeper-config.json');
    writeFileSync(cfg, JSON.stringify({ realizedVolEnabled: false, observeEnabled: false }));
    const r = await maxwell(w, ['keeper', '--config', cfg, '--once', '--status-file', status], { keypair: k.keypair, json: false });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    assert.deepEqual([lines[0]!.event, lines.at(-1)!.event], ['keeper_start', 'keeper_stop']);
    const s = JSON.parse(readFileSync(status, 'utf8')) as { state: string; passes: number; lastPass: { accountsScanned: number; failures: number }; keeper: string; lag: { slots: number } | null };
    assert.equal(s.state, 'stopped');
    assert.equal(s.passes, 1);
    assert.equal(s.keeper, k.signer.address);
    assert.ok(s.lastPass.accountsScanned >= 3, `accounts scanned ${s.lastPass.accountsScanned}`);
    assert.equal(s.lastPass.failures, 0);
    assert.ok(s.lag && s.lag.slots >= 0);
  });
});
