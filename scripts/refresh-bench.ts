// Keeper crank throughput on a real validator (issue 12: "the keeper refreshes only stale series
// and sends independent batches concurrently"). Writes docs/keeper-refresh.md.
//
//   flock /tmp/maxwell-validator.lock scripts/with-validator.sh npx tsx scripts/refresh-bench.ts
//
// Builds UNDERLYINGS underlyings on the SOL feed, each of EXPIRIES weekly expiries x STRIKES
// strikes (calls and puts), with open interest in every series (one maker and one taker per
// underlying, one contract per series), then refreshes every risk array of every underlying two
// ways, RUNS times each, alternating, a fresh SOL price published before each run (not timed):
// - before: the client path the keeper used until now: per underlying, transactions of 2 series
//   sent one after another, each waiting for its confirmation;
// - now: the keeper's refreshJob (app/src/keeper/refresh.ts), every series forced stale:
//   contiguous runs of REFRESH_SERIES_PER_TX series, REFRESH_IN_FLIGHT transactions in flight.
// Wall time runs from the first send to the last confirmation (commitment `confirmed`, the
// validator's default slot time); compute units are the validator's own per transaction. After
// every run each series' risk_ts is checked to have moved: a run that skipped a series fails.
import os from 'node:os';
import { writeFileSync } from 'node:fs';

import type { Address } from '@solana/kit';

import { clusterTime } from '../app/src/clock.js';
import { refreshJob, REFRESH_IN_FLIGHT } from '../app/src/keeper/refresh.js';
import { CALL, PUT, REFRESH_SERIES_PER_TX, seriesIndex } from '../app/src/markets.js';
import { sviFor } from '../app/src/svi.js';
import { solUnderlyingParams, SOL_PRICE } from '../migrations/deploy.js';
import { newTrader, newWorld, setSolPrice, type Trader, type World } from '../tests/support.js';

const UNDERLYINGS = 2;
const EXPIRIES = 4;
const STRIKES = [120n, 130n, 140n, 150n, 160n, 170n, 180n, 190n].map((k) => k * 1_000_000n);
const RUNS = 3;
const OLD_PER_TX = 2;
const WEEK = 7n * 86_400n;

const say = (s: string) => console.log(`refresh-bench: ${s}`);

async function trader(w: World, usdc: bigint): Promise<Trader> {
  const t = await newTrader(w, { USDC: usdc });
  const account = (await w.client.createAccount(t.signer, 0)).address;
  await w.client.deposit(t.signer, account, w.usdc.bank, t.wallet.USDC!, usdc);
  return { ...t, account };
}

/** One underlying: listed, surfaced, cranked, and one contract traded in every series. */
async function build(w: World): Promise<{ address: Address; series: number }> {
  const maker = await trader(w, 2_000_000_000_000n);
  const taker = await trader(w, 2_000_000_000_000n);
  const { address } = await w.client.createUnderlying(w.admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(w.admin.address) });
  const now = await clusterTime(w.conn);
  const expiries = Array.from({ length: EXPIRIES }, (_, e) => now + WEEK * BigInt(e + 1));
  for (const [e, expiry] of expiries.entries()) {
    await w.client.listSeries(w.admin, address, { expiry, strikes: STRIKES, oiCap: 1_000n });
    await w.client.setSurface(w.admin, address, e, sviFor('0.8', { seconds: expiry - now }));
  }
  await setSolPrice(w, SOL_PRICE.price);
  await w.client.refreshRisk(w.admin, address);
  const u = (await w.client.underlying(address)).data;
  const legs = expiries.flatMap((e) => STRIKES.flatMap((k) => ([CALL, PUT] as const).map((kind) => seriesIndex(u, e, k, kind))));
  for (let i = 0; i < legs.length; i += 4) {
    await setSolPrice(w, SOL_PRICE.price);
    const chunk = legs.slice(i, i + 4).map((s) => ({ seriesIndex: s, size: 1n, price: u.risk[s]!.mark > 0n ? u.risk[s]!.mark : 1n }));
    await w.client.trade(maker, taker, address, chunk);
  }
  return { address, series: u.nSeries };
}

type Run = { variant: string; txs: number; series: number; totalCu: bigint; maxCu: bigint; secs: number };

async function riskTs(w: World, addresses: Address[]): Promise<bigint[]> {
  const out: bigint[] = [];
  for (const a of addresses) {
    const u = (await w.client.underlying(a)).data;
    out.push(...u.series.slice(0, u.nSeries).map((s) => s.riskTs));
  }
  return out;
}

/** Waits until the cluster clock passes `t` (risk_ts is in seconds: a run must move it). */
async function pastSecond(w: World, t: bigint): Promise<void> {
  while ((await clusterTime(w.conn)) <= t) await new Promise((r) => setTimeout(r, 200));
}

async function before(w: World, addresses: Address[]): Promise<Run> {
  const t0 = performance.now();
  let txs = 0;
  let totalCu = 0n;
  let maxCu = 0n;
  for (const a of addresses) {
    for (const r of await w.client.refreshRisk(w.admin, a, { perTx: OLD_PER_TX })) {
      txs++;
      totalCu += r.computeUnitsConsumed ?? 0n;
      if ((r.computeUnitsConsumed ?? 0n) > maxCu) maxCu = r.computeUnitsConsumed ?? 0n;
    }
  }
  return { variant: `before: ${OLD_PER_TX} series a transaction, one after another`, txs, series: 0, totalCu, maxCu, secs: (performance.now() - t0) / 1000 };
}

async function now(w: World, addresses: Address[], indexes: Set<number>): Promise<Run> {
  let txs = 0;
  let totalCu = 0n;
  let maxCu = 0n;
  const t0 = performance.now();
  const series = await refreshJob(w.client, w.admin, (level, event, f) => {
    if (event === 'risk_refresh' && addresses.includes(f?.underlying as Address)) {
      txs++;
      const cu = BigInt((f?.computeUnits as bigint | null) ?? 0n);
      totalCu += cu;
      if (cu > maxCu) maxCu = cu;
    } else if (level !== 'info') say(`${level} ${event} ${JSON.stringify(f, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
  }, indexes);
  return { variant: `now: runs of ${REFRESH_SERIES_PER_TX}, ${REFRESH_IN_FLIGHT} in flight (refreshJob)`, txs, series, totalCu, maxCu, secs: (performance.now() - t0) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: bigint) => x.toLocaleString('en-US');

async function main() {
  const started = Date.now();
  const w = await newWorld();
  const built: { address: Address; series: number }[] = [];
  for (let i = 0; i < UNDERLYINGS; i++) {
    built.push(await build(w));
    say(`underlying ${i + 1}/${UNDERLYINGS} built: ${built[i]!.series} series with open interest`);
  }
  const addresses = built.map((b) => b.address);
  const total = built.reduce((s, b) => s + b.series, 0);
  const indexes = new Set([...(await w.client.underlyingsByIndex(true)).entries()].filter(([, u]) => addresses.includes(u.address)).map(([i]) => i));
  const runs: Run[] = [];
  for (let r = 0; r < RUNS; r++) {
    for (const variant of [before, now] as const) {
      await setSolPrice(w, SOL_PRICE.price);
      const t = await clusterTime(w.conn);
      await pastSecond(w, t);
      const run = variant === before ? await before(w, addresses) : await now(w, addresses, indexes);
      const ts = await riskTs(w, addresses);
      const missed = ts.filter((x) => x <= t).length;
      if (missed > 0) throw new Error(`${run.variant}: ${missed} of ${ts.length} series not refreshed`);
      run.series = ts.length;
      runs.push(run);
      say(`${run.variant}: ${run.series} series in ${run.txs} transactions, ${fmt(run.totalCu)} CU, ${run.secs.toFixed(2)} s`);
    }
  }
  const cpus = os.cpus();
  const L: string[] = [
    '# Keeper crank throughput',
    '',
    'Generated by `scripts/refresh-bench.ts`; do not edit by hand. A real `solana-test-validator` with the program (`scripts/with-validator.sh`);',
    `${UNDERLYINGS} underlyings on the SOL feed, each ${EXPIRIES} weekly expiries x ${STRIKES.length} strikes, calls and puts, one contract of open interest in every series (${total} series).`,
    'Every risk array of both underlyings is refreshed, two ways, alternating, a fresh SOL price published before each run (not timed).',
    'Wall time: from the first send to the last confirmation at commitment `confirmed`; CU: what the validator reports per transaction.',
    'Each run is checked: every series\' `risk_ts` moved.',
    '',
    `- Machine: ${cpus[0]?.model ?? '?'} x${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`,
    `- Date: ${new Date().toISOString()}; total wall time ${((Date.now() - started) / 1000).toFixed(0)} s (building included)`,
    '',
    '| variant | series | transactions | total CU | largest transaction CU | wall time, median of ' + RUNS + ' (s) | runs (s) |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const v of [...new Set(runs.map((r) => r.variant))]) {
    const rs = runs.filter((r) => r.variant === v);
    const last = rs[rs.length - 1]!;
    L.push(`| ${v} | ${last.series} | ${last.txs} | ${fmt(last.totalCu)} | ${fmt(last.maxCu)} | ${median(rs.map((r) => r.secs)).toFixed(2)} | ${rs.map((r) => r.secs.toFixed(2)).join(', ')} |`);
  }
  L.push(
    '',
    'Both underlyings write their own account, so their batches run side by side; the batches of one underlying serialize on its write lock',
    'in whatever order they land (each refreshes its own series). The transaction count and the CU per series fall with the larger batches',
    `(the per-transaction part of risk_refresh is paid once per ${REFRESH_SERIES_PER_TX} series instead of once per 2; in both, a call and a put of one strike`,
    'side by side in a transaction share one evaluation set); the wall time falls with the batches in flight.',
    'The full 512-series crank of one underlying in LiteSVM is in `docs/compute-units.md`.',
    '',
  );
  writeFileSync('docs/keeper-refresh.md', L.join('\n'));
  say('wrote docs/keeper-refresh.md');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
