// The local risk dashboard (`maxwell dashboard`, app/src/dashboard.ts) on a real validator, seen
// through headless Chromium (Debian's chromium, started from this process so it shares the
// validator's loopback-only namespace): an option writer's account (tests/example-account.ts),
// the dashboard spawned as a CLI process sampling every second while SOL moves 150 -> 155 -> 160;
// its JSON equals the program's answers (account_health's HealthLog Greeks, the WASM scenario
// table, liquidation spots, bank rates), the page Chromium renders shows the HealthLog's numbers,
// and a screenshot is written to target/dashboard/dashboard.png (path printed).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { fmtQuote } from '../app/src/dashboard.js';
import { formatUnits } from '../app/src/format.js';
import type { HealthLog } from '../app/src/events.js';
import { bankAt, constants } from '../app/src/rules-wasm.js';
import { fetchForWhatIf, WhatIf } from '../app/src/whatif.js';
import { SOL_PRICE } from '../migrations/deploy.js';
import { CLI } from './cli-support.js';
import { exampleWriter, type ExampleAccount } from './example-account.js';
import { newWorld, setSolPrice, type World } from './support.js';

const CHROMIUM = process.env.CHROMIUM ?? 'chromium';
const SHOT_DIR = resolve('target/dashboard');
const SHOT = join(SHOT_DIR, 'dashboard.png');

let w: World;
let ex: ExampleAccount;
let proc: ChildProcess | null = null;
let url = '';
let stderr = '';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api(): Promise<Json> {
  const r = await fetch(new URL('/api/snapshot', url));
  assert.equal(r.status, 200);
  return (await r.json()) as Json;
}

/** Waits for a sample taken after `sinceMs` in which the program answered. */
async function sampleAfter(sinceMs: number): Promise<Json> {
  for (let i = 0; i < 60; i++) {
    const j = await api();
    if (j.snapshot.sampledAtMs > sinceMs && j.snapshot.program) return j;
    await sleep(500);
  }
  throw new Error(`no dashboard sample after ${sinceMs}: ${stderr}`);
}

function chromium(args: string[]): { stdout: string; stderr: string } {
  const profile = mkdtempSync(join(tmpdir(), 'maxwell-chromium-'));
  const r = spawnSync(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${profile}`, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 16 << 20,
  });
  if (r.error) throw new Error(`${CHROMIUM}: ${r.error.message} (scripts/setup.sh installs Debian's chromium)`);
  assert.equal(r.status, 0, `chromium exited ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

const q = (x: bigint | string) => fmtQuote(BigInt(x), 6);
const cell = (dom: string, cls: string) => [...dom.matchAll(new RegExp(`<td class="${cls}">([^<]*)</td>`, 'g'))].map((m) => m[1]!);

describe('maxwell dashboard in headless Chromium', () => {
  before(async () => {
    w = await newWorld();
    ex = await exampleWriter(w);
    const argv = [
      ...CLI, 'dashboard', '--account', ex.writer.account, '--port', '0', '--interval', '1',
      '--url', process.env.MAXWELL_RPC_URL ?? 'http://127.0.0.1:8899', '--exchange', w.d.exchange, '--json',
    ];
    const p = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    p.stderr!.on('data', (d) => (stderr += d));
    url = await new Promise<string>((res, rej) => {
      let out = '';
      p.stdout!.on('data', (d) => {
        out += d;
        const line = out.split('\n')[0]!;
        if (out.includes('\n')) res((JSON.parse(line) as { url: string }).url);
      });
      p.on('close', (code) => rej(new Error(`dashboard exited ${code} before printing its URL: ${stderr}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  after(async () => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    await setSolPrice(w, SOL_PRICE.price).catch(() => {});
  });

  it('samples health over time while SOL moves; the JSON is the program\'s answers', async () => {
    for (const price of [15_500_000_000n, 16_000_000_000n]) {
      await sampleAfter(Date.now());
      await setSolPrice(w, price);
      await w.client.refreshRisk(w.admin, ex.underlying);
    }
    const since = Date.now();
    const j = await sampleAfter(since);
    await sampleAfter(Date.now()); // one more point on the chart at the final price
    const s = j.snapshot;
    // The program's strict answer now (chain unchanged since the sample) = the dashboard's.
    const h: HealthLog = await w.client.health(ex.writer.account, ex.writer.signer.address);
    assert.equal(s.program.maintHealth, String(h.maintHealth));
    assert.equal(s.detail.health.maintHealth, String(h.maintHealth));
    assert.equal(s.detail.health.initHealth, String(h.initHealth));
    assert.equal(h.underlyings.length, 1);
    const g = h.underlyings[0]!;
    const [u] = s.underlyings;
    assert.equal(u.underlying, ex.underlying);
    for (const k of ['deltaE9', 'deltaQuote', 'gammaQuote', 'vegaQuote', 'thetaQuote', 'worstLoss'] as const) {
      assert.equal(u.event[k], String(g[k]), k);
      assert.equal(u.risk[k], String(g[k]), `wasm ${k}`);
    }
    // A short strangle: short gamma and vega; positive theta.
    assert.ok(g.gammaQuote < 0n && g.vegaQuote < 0n && g.thetaQuote > 0n, `gamma ${g.gammaQuote} vega ${g.vegaQuote} theta ${g.thetaQuote}`);
    // The scenario row: one loss per scenario of the program's grid (price shocks x vol states),
    // the worst the one the margin check charges.
    const k = constants();
    assert.equal(u.scenarioLoss.length, Number(k.scenarios));
    assert.equal(u.nVol, Number(k.volStates));
    assert.equal(u.shocks.length * u.nVol, Number(k.scenarios));
    const losses = (u.scenarioLoss as string[]).map(BigInt);
    assert.equal(losses.reduce((a, b) => (b > a ? b : a)), g.worstLoss);
    assert.equal(losses[g.worstScenario], g.worstLoss);
    // Liquidation spots: the WASM's answer on the same accounts, both sides of a strangle.
    const { raws, now } = await fetchForWhatIf(w.client, [ex.writer.account]);
    const l = new WhatIf().liquidationSpot(w.client.exchange, now, ex.underlying, raws);
    const str = (x: bigint | null) => (x === null ? null : String(x));
    assert.equal(u.liquidation.spot, String(l.spot));
    assert.equal(u.liquidation.down, str(l.down));
    assert.equal(u.liquidation.up, str(l.up));
    assert.ok(l.down !== null && l.up !== null && l.down < l.spot && l.spot < l.up, 'a short strangle on 1,000 USDC: liquidated both ways');
    // Banks: the program's lending code at the sample's cluster time.
    const quote = s.banks.find((b: Json) => b.isQuote);
    const bank = (await w.client.bankState(quote.bank)).data;
    const v = bankAt(bank, BigInt(s.clusterTs));
    assert.equal(quote.view.utilizationBps, String(v.utilizationBps));
    assert.equal(quote.view.borrowRateBps, String(v.borrowRateBps));
    assert.equal(quote.view.deposits, String(v.deposits));
    // Health over time: at least one point per price, maintenance health fell as SOL rose toward the call.
    assert.ok(j.history.length >= 4, `history ${j.history.length}`);
    const maint = (j.history as Json[]).map((x) => BigInt(x.health.maintHealth));
    assert.ok(maint[maint.length - 1]! < maint[0]!, `maintenance health ${maint.join(' ')}`);
  });

  it('the page Chromium renders shows the HealthLog\'s numbers; screenshot in target/', async () => {
    const h = await w.client.health(ex.writer.account, ex.writer.signer.address);
    const g = h.underlyings[0]!;
    const { stdout: dom } = chromium(['--dump-dom', url]);
    assert.match(dom, /<h1>Maxwell risk dashboard<\/h1>/);
    assert.ok(dom.includes(ex.writer.account), 'account address');
    assert.equal(dom.match(/id="maint-health">([^<]*)</)?.[1], q(h.maintHealth));
    assert.deepEqual(cell(dom, 'delta-e9'), [formatUnits(g.deltaE9, 9, 4)]);
    assert.deepEqual(cell(dom, 'delta-quote'), [q(g.deltaQuote)]);
    assert.deepEqual(cell(dom, 'gamma'), [q(g.gammaQuote)]);
    assert.deepEqual(cell(dom, 'vega'), [q(g.vegaQuote)]);
    assert.deepEqual(cell(dom, 'theta'), [q(g.thetaQuote)]);
    assert.deepEqual(cell(dom, 'worst-loss'), [q(g.worstLoss)]);
    // The heatmap: a cell per scenario, the worst scenario's P&L among them, framed; the health chart; the banks.
    const heat = dom.match(/<div class="chart" id="heatmap-\d+">([\s\S]*?)<\/svg>/)?.[1] ?? '';
    assert.equal((heat.match(/<rect x=/g) ?? []).length, Number(constants().scenarios) + 1, 'heatmap cells + the worst frame');
    assert.ok(heat.includes(`>${q(-g.worstLoss)}<`), `worst P&L ${q(-g.worstLoss)} in the heatmap`);
    assert.match(dom, /id="health-chart"><svg[\s\S]*?maintenance health/);
    assert.equal(cell(dom, 'util').length, 2, 'two banks');
    assert.ok(cell(dom, 'liq-up')[0]!.startsWith(q((await api()).snapshot.underlyings[0].liquidation.up)));

    mkdirSync(SHOT_DIR, { recursive: true });
    chromium([`--screenshot=${SHOT}`, '--window-size=1280,1380', url]);
    assert.ok(existsSync(SHOT) && statSync(SHOT).size > 20_000, `screenshot ${SHOT}`);
    console.log(`# dashboard screenshot: ${SHOT} (${statSync(SHOT).size} bytes)`);
  });

  it('stops on SIGTERM with exit 0; 404 elsewhere; loopback only', async () => {
    const r = await fetch(new URL('/nope', url));
    assert.equal(r.status, 404);
    const exited = new Promise<number | null>((res) => proc!.on('close', (code) => res(code)));
    proc!.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  });
});
