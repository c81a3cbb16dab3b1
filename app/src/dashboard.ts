// The local risk dashboard (`maxwell dashboard --account A [--port 8787]`): a node:http server on
// 127.0.0.1 only, sampling one margin account while it runs and serving one HTML page (`/`) and
// its data as JSON (`/api/snapshot`). Every number comes from chain data or from the program's
// own Rust in WASM: health, add-ons and per-underlying Greeks (WhatIf.healthDetail), the
// program's strict answer (a simulated account_health: its HealthLog), the scenario table the
// margin check takes its worst loss from (WhatIf.scenarioTable; the price shocks are the
// underlying's stored grid), the liquidation spot per underlying (WhatIf.liquidationSpot), bank
// utilization and rates (rules-wasm.ts bankAt at the cluster time). This file only fetches,
// keeps the samples and draws (app/src/svg.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Address } from '@solana/kit';

import { getExchange } from './accounts.js';
import type { MaxwellClient } from './client.js';
import type { HealthLog, UnderlyingRiskLog } from './events.js';
import { formatUnits } from './format.js';
import type { LocalHealth } from './health-wasm.js';
import { bankAt, fromQ52, type BankView } from './rules-wasm.js';
import { esc, heatmapSvg, lineChartSvg } from './svg.js';
import { ProgramFailure } from './transactions.js';
import { fetchForWhatIf, WhatIf, type HealthDetail, type LiquidationSpot, type UnderlyingRisk } from './whatif.js';

/** The vol states of the grid, in the order of `maxwell_risk::scenario` (s = p x N_VOL + v). */
export const VOL_STATES = ['vol unchanged', 'vol up', 'vol down', 'twist: front up, back down', 'twist: front down, back up'] as const;

export type UnderlyingView = {
  underlying: Address;
  underlyingIndex: number;
  /** Spot and oracle confidence the risk arrays were built at, quote native per contract. */
  arraysSpot: bigint;
  /** Relative price shock of each price point of the grid (the underlying's stored `scen.shock`, Q52, as a fraction). */
  shocks: number[];
  /** Vol states per price point (scenarios = shocks x nVol). */
  nVol: number;
  /** The program's health code in WASM (stale inputs tolerated). */
  risk: UnderlyingRisk | null;
  /** The program's own HealthLog entry (simulated account_health), when it answered. */
  event: UnderlyingRiskLog | null;
  /** Loss of this underlying's book in each scenario, index p x nVol + v (a gain is negative). */
  scenarioLoss: bigint[] | null;
  liquidation: LiquidationSpot | null;
  liquidationError?: string;
};

export type BankRow = { bank: Address; bankIndex: number; mint: Address; decimals: number; isQuote: boolean; view: BankView };

export type DashboardSnapshot = {
  account: Address;
  owner: Address;
  exchange: Address;
  quoteDecimals: number;
  /** Cluster time (unix s) of the one-slot read the WASM ran on. */
  clusterTs: bigint;
  /** Wall clock of the sample, ms since the epoch. */
  sampledAtMs: number;
  detail: HealthDetail | null;
  detailError?: string;
  program: HealthLog | null;
  programError?: string;
  underlyings: UnderlyingView[];
  banks: BankRow[];
};

export type HealthSample = { atMs: number; clusterTs: bigint; health: LocalHealth };

const message = (e: unknown) => (e instanceof ProgramFailure ? `${e.errorName ?? 'program error'} (${e.code})` : (e as Error)?.message ?? String(e));

/** One sample of `account`: one getMultipleAccounts for the WASM, one simulated account_health, the banks. */
export async function collectSnapshot(client: MaxwellClient, account: Address, wi: WhatIf = new WhatIf()): Promise<DashboardSnapshot> {
  const [acc, ex, unders, banks] = await Promise.all([
    client.marginAccount(account),
    getExchange(client.conn, client.exchange),
    client.underlyingsByIndex(true),
    client.banksByIndex(true),
  ]);
  const { raws, now } = await fetchForWhatIf(client, [account]);
  const snap: DashboardSnapshot = {
    account,
    owner: acc.data.owner,
    exchange: client.exchange,
    quoteDecimals: ex.data.quoteDecimals,
    clusterTs: now,
    sampledAtMs: Date.now(),
    detail: null,
    program: null,
    underlyings: [],
    banks: [],
  };
  try {
    snap.detail = wi.healthDetail(client.exchange, now, raws, false);
  } catch (e) {
    snap.detailError = message(e);
  }
  try {
    snap.program = await client.health(account, acc.data.owner);
  } catch (e) {
    snap.programError = message(e);
  }
  const held = new Set<number>([
    ...(snap.detail?.underlyings ?? []).map((u) => u.underlyingIndex),
    ...(snap.program?.underlyings ?? []).map((u) => u.underlyingIndex),
    ...acc.data.positions.filter((p) => p.inUse === 1).map((p) => p.underlyingIndex),
  ]);
  let table: Map<number, bigint[]> | null = null;
  for (const i of [...held].sort((a, b) => a - b)) {
    const u = unders.get(i);
    if (!u) continue;
    const nScen = u.data.risk[0]!.pnl.length;
    const shocks = u.data.scen.shock.map(fromQ52);
    if (table === null) {
      try {
        table = new Map(wi.scenarioTable(client.exchange, now, raws, false).map((r) => [r.underlyingIndex, r.loss]));
      } catch {
        table = new Map();
      }
    }
    const view: UnderlyingView = {
      underlying: u.address,
      underlyingIndex: i,
      arraysSpot: u.data.scen.spot,
      shocks,
      nVol: nScen / shocks.length,
      risk: snap.detail?.underlyings.find((x) => x.underlyingIndex === i) ?? null,
      event: snap.program?.underlyings.find((x) => x.underlyingIndex === i) ?? null,
      scenarioLoss: table.get(i) ?? null,
      liquidation: null,
    };
    try {
      view.liquidation = wi.liquidationSpot(client.exchange, now, u.address, raws);
    } catch (e) {
      view.liquidationError = message(e);
    }
    snap.underlyings.push(view);
  }
  snap.banks = [...banks]
    .sort((a, b) => a[0] - b[0])
    .map(([i, b]) => ({ bank: b.address, bankIndex: i, mint: b.data.mint, decimals: b.data.decimals, isQuote: b.data.isQuote === 1, view: bankAt(b.data, now) }));
  return snap;
}

/** JSON with bigints as decimal strings. */
export function dashboardJson(v: unknown): string {
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x), 2);
}

// ---- the page ----

/** Quote units with `digits` decimals, truncated; no "-0" for a loss smaller than the last digit. */
export function fmtQuote(x: bigint, decimals: number, digits = 2): string {
  const s = formatUnits(x, decimals, digits);
  return s === '-0' ? '0' : s;
}

const pct = (bps: bigint) => formatUnits(bps, 2, 2) + '%';
const short = (a: string) => `${a.slice(0, 4)}…${a.slice(-4)}`;

/** The Greeks shown for an underlying: the program's HealthLog entry when it answered, else the WASM's. */
function greeksOf(u: UnderlyingView): (UnderlyingRiskLog | UnderlyingRisk) | null {
  return u.event ?? u.risk;
}

/** The scenario heatmap of one underlying (rows: vol states, columns: price shocks; cells: P&L = -loss). */
export function scenarioHeatmap(u: UnderlyingView, quoteDecimals: number, title?: string): string {
  const loss = u.scenarioLoss ?? [];
  const rows = Array.from({ length: u.nVol }, (_, v) => VOL_STATES[v] ?? `vol state ${v}`);
  const pnl = (p: number, v: number) => -(loss[p * u.nVol + v] ?? 0n);
  const worst = greeksOf(u)?.worstScenario;
  return heatmapSvg({
    ...(title ? { title } : {}),
    cols: u.shocks.map((s) => `${s > 0 ? '+' : ''}${(s * 100).toFixed(1)}%`),
    rows,
    values: rows.map((_, v) => u.shocks.map((_, p) => Number(pnl(p, v)))),
    labels: rows.map((_, v) => u.shocks.map((_, p) => fmtQuote(pnl(p, v), quoteDecimals))),
    ...(worst !== undefined && loss.length ? { highlight: [worst % u.nVol, Math.floor(worst / u.nVol)] as [number, number] } : {}),
    xTitle: `price shock from ${fmtQuote(u.arraysSpot, quoteDecimals)} (the spot the risk arrays were built at)`,
    note: 'P&L of the book in quote units (loss negative, red); framed: the worst scenario the margin check charges.',
  });
}

function healthChart(history: readonly HealthSample[], quoteDecimals: number): string {
  if (!history.length) return '<p>no sample yet</p>';
  const t0 = history[0]!.atMs;
  const q = 10 ** quoteDecimals;
  const pts = (k: 'maintHealth' | 'initHealth') => history.map((s): [number, number] => [(s.atMs - t0) / 1000, Number(s.health[k]) / q]);
  return lineChartSvg({
    series: [
      { name: 'maintenance health', color: '#c0392b', points: pts('maintHealth') },
      { name: 'initial health', color: '#2c6fbb', points: pts('initHealth') },
    ],
    xTitle: `seconds since ${new Date(t0).toISOString()}`,
    yTitle: 'health (quote units)',
    yFmt: (y) => y.toLocaleString('en-US', { maximumFractionDigits: 2 }),
    hLines: [{ y: 0, label: 'liquidatable below', color: '#888' }],
  });
}

const td = (s: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${esc(s)}</td>`;
const th = (s: string) => `<th>${esc(s)}</th>`;

export function renderPage(s: DashboardSnapshot, history: readonly HealthSample[], opts: { refreshSecs?: number; lastError?: string } = {}): string {
  const q = (x: bigint) => fmtQuote(x, s.quoteDecimals);
  const d = s.detail;
  const h = d?.health;
  const parts: string[] = [];
  parts.push(`<h1>Maxwell risk dashboard</h1>`);
  parts.push(
    `<p class="meta">account <code id="account">${esc(s.account)}</code> · owner <code>${esc(short(s.owner))}</code> · exchange <code>${esc(short(s.exchange))}</code> · cluster time ${esc(new Date(Number(s.clusterTs) * 1000).toISOString())} · ${history.length} samples</p>`,
  );
  if (opts.lastError) parts.push(`<p class="err">last sample failed: ${esc(opts.lastError)}</p>`);
  parts.push('<div class="cards">');
  const card = (label: string, v: string, id: string, cls = '') => parts.push(`<div class="card ${cls}"><div class="label">${esc(label)}</div><div class="v" id="${id}">${esc(v)}</div></div>`);
  if (h) {
    card('maintenance health', q(h.maintHealth), 'maint-health', h.maintHealth < 0n ? 'bad' : 'good');
    card('initial health', q(h.initHealth), 'init-health', h.initHealth < 0n ? 'bad' : 'good');
    card('maintenance requirement', q(h.maintenanceRequirement), 'maint-req');
    card('initial requirement', q(h.initialRequirement), 'init-req');
    card('option value', q(h.optionValue), 'option-value');
    card('collateral (maintenance weights)', q(d!.collateralMaint), 'collateral-maint');
  } else {
    parts.push(`<p class="err">health (WASM) unavailable: ${esc(s.detailError ?? '')}</p>`);
  }
  parts.push('</div>');
  parts.push(
    s.program
      ? `<p class="meta">program's answer (simulated <code>account_health</code>): maintenance ${esc(q(s.program.maintHealth))}, initial ${esc(q(s.program.initHealth))}${h && h.oraclesFresh ? '' : ' · WASM ran on stale inputs (tolerated, flagged)'}</p>`
      : `<p class="err">account_health refused: ${esc(s.programError ?? '')} (the WASM figures above tolerate stale inputs)</p>`,
  );

  parts.push('<h2>Health over time</h2>', `<div class="chart" id="health-chart">${healthChart(history, s.quoteDecimals)}</div>`);

  parts.push('<h2>Greeks per underlying</h2>');
  parts.push(`<p class="meta">source: ${s.program ? "the program's HealthLog (account_health)" : 'the program code in WASM'}; add-ons: the program code in WASM. Quote units; delta in contracts and in quote (spot collateral included); gamma as F²·d²V/dF²; vega per 1.00 of volatility; theta per year; expiring strikes: the loss at the strikes of options expiring inside the margin horizon, over the worst grid loss; gap points: a tenth of the loss with every forward halved or doubled, over the rest; skew: the smile tilting either way, to first order.</p>`);
  parts.push('<table id="greeks"><tr>' + ['underlying', 'delta (contracts)', 'delta (quote)', 'gamma', 'vega', 'theta / year', 'worst loss', 'expiring strikes', 'gap points', 'skew', 'short-option min', 'delta add-on', 'vega add-on', 'confidence add-on', 'drift (bps)'].map(th).join('') + '</tr>');
  for (const u of s.underlyings) {
    const g = greeksOf(u);
    const r = u.risk;
    parts.push(
      `<tr data-underlying="${u.underlyingIndex}">` +
        td(`#${u.underlyingIndex} ${short(u.underlying)}`) +
        (g
          ? td(formatUnits(g.deltaE9, 9, 4), 'delta-e9') + td(q(g.deltaQuote), 'delta-quote') + td(q(g.gammaQuote), 'gamma') + td(q(g.vegaQuote), 'vega') + td(q(g.thetaQuote), 'theta') + td(q(g.worstLoss), 'worst-loss')
          : td('n/a').repeat(6)) +
        (r
          ? td(q(r.addonExpiry)) + td(q(r.addonGap)) + td(q(r.addonSkew)) + td(q(r.addonShortMin)) + td(q(r.addonDelta)) + td(q(r.addonVega)) + td(q(r.addonConfidence)) + td(String(r.driftBps))
          : td('n/a').repeat(8)) +
        '</tr>',
    );
  }
  parts.push('</table>');

  parts.push('<h2>Scenario heatmap</h2>');
  for (const u of s.underlyings) {
    parts.push(
      u.scenarioLoss
        ? `<div class="chart" id="heatmap-${u.underlyingIndex}">${scenarioHeatmap(u, s.quoteDecimals, `underlying #${u.underlyingIndex} ${short(u.underlying)}`)}</div>`
        : `<p class="err">scenario table unavailable for underlying #${u.underlyingIndex}</p>`,
    );
  }

  parts.push('<h2>Liquidation spot per underlying</h2>');
  parts.push('<p class="meta">The spot at which maintenance health turns negative, volatility held (the program\'s crank and health code in WASM on the oracle moved).</p>');
  parts.push('<table id="liquidation"><tr>' + ['underlying', 'spot', 'maintenance health', 'liquidated below', 'liquidated above'].map(th).join('') + '</tr>');
  for (const u of s.underlyings) {
    const l = u.liquidation;
    const away = (x: bigint | null) => (x === null || !l ? 'none' : `${q(x)} (${x >= l.spot ? '+' : ''}${((Number(x - l.spot) / Number(l.spot)) * 100).toFixed(1)}%)`);
    parts.push(
      `<tr data-underlying="${u.underlyingIndex}">` +
        td(`#${u.underlyingIndex} ${short(u.underlying)}`) +
        (l ? td(q(l.spot), 'spot') + td(q(l.maintHealth)) + td(away(l.down), 'liq-down') + td(away(l.up), 'liq-up') : td(`unavailable: ${u.liquidationError ?? ''}`) + td('').repeat(3)) +
        '</tr>',
    );
  }
  parts.push('</table>');

  parts.push('<h2>Banks</h2>');
  parts.push('<p class="meta">Utilization and the annual rates of each bank\'s curve at the cluster time (the program\'s lending code in WASM); native units of the bank\'s token.</p>');
  parts.push('<table id="banks"><tr>' + ['bank', 'mint', 'deposits', 'borrows', 'utilization', 'borrow APR', 'deposit APR'].map(th).join('') + '</tr>');
  for (const b of s.banks) {
    parts.push(
      `<tr data-bank="${b.bankIndex}">` +
        td(`#${b.bankIndex}${b.isQuote ? ' (quote)' : ''} ${short(b.bank)}`) +
        td(short(b.mint)) +
        td(formatUnits(b.view.deposits, b.decimals, 4)) +
        td(formatUnits(b.view.borrows, b.decimals, 4)) +
        td(pct(b.view.utilizationBps), 'util') +
        td(pct(b.view.borrowRateBps), 'borrow-apr') +
        td(pct(b.view.depositRateBps), 'deposit-apr') +
        '</tr>',
    );
  }
  parts.push('</table>');
  parts.push(`<p class="meta">JSON: <a href="/api/snapshot">/api/snapshot</a> · sampled ${esc(new Date(s.sampledAtMs).toISOString())}</p>`);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
${opts.refreshSecs ? `<meta http-equiv="refresh" content="${opts.refreshSecs}">` : ''}
<title>Maxwell · ${esc(short(s.account))}</title>
<style>
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 20px 28px; color: #222; background: #fafafa; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 22px 0 8px; border-bottom: 1px solid #ddd; }
.meta { color: #555; font-size: 13px; } .err { color: #b00; font-size: 13px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.card .label { font-size: 12px; color: #666; } .card .v { font-size: 20px; font-weight: bold; }
.card.good .v { color: #1e7b34; } .card.bad .v { color: #b00; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; } th { background: #f0f0f0; } td:first-child { text-align: left; }
.chart { margin: 6px 0; }
</style></head>
<body>
${parts.join('\n')}
</body></html>
`;
}

// ---- the server ----

export type DashboardOptions = {
  client: MaxwellClient;
  account: Address;
  /** 0: any free port. */
  port: number;
  intervalMs: number;
  /** Samples kept (the oldest dropped). */
  maxSamples: number;
  onSampleError?: (e: unknown) => void;
};

export type Dashboard = {
  url: string;
  server: Server;
  latest(): DashboardSnapshot;
  history(): readonly HealthSample[];
  close(): Promise<void>;
};

/** Takes a first sample, then listens on 127.0.0.1 and samples every `intervalMs` until closed. */
export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const wi = new WhatIf();
  const history: HealthSample[] = [];
  let latest = await collectSnapshot(o.client, o.account, wi);
  let lastError: string | undefined;
  const record = (s: DashboardSnapshot) => {
    if (s.detail) history.push({ atMs: s.sampledAtMs, clusterTs: s.clusterTs, health: s.detail.health });
    while (history.length > o.maxSamples) history.shift();
  };
  record(latest);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  const tick = () => {
    inFlight = collectSnapshot(o.client, o.account, wi).then(
      (s) => {
        latest = s;
        lastError = undefined;
        record(s);
      },
      (e) => {
        lastError = message(e);
        o.onSampleError?.(e);
      },
    );
    void inFlight.finally(() => {
      inFlight = null;
      if (!stopped) timer = setTimeout(tick, o.intervalMs);
    });
  };
  timer = setTimeout(tick, o.intervalMs);

  const refreshSecs = Math.max(1, Math.round(o.intervalMs / 1000));
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(renderPage(latest, history, { refreshSecs, ...(lastError ? { lastError } : {}) }));
    } else if (path === '/api/snapshot') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(dashboardJson({ snapshot: latest, history, ...(lastError ? { lastError } : {}) }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    latest: () => latest,
    history: () => history,
    close: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
