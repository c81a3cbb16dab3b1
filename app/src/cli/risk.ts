// `maxwell risk`: an account's health (the program's own code in WASM over one RPC read, stale
// inputs tolerated and flagged; and the program's strict answer from a simulated
// `account_health`), and its positions with the per-contract mark and Greeks the program stored
// in the underlying's risk arrays (risk_refresh). Nothing is summed or valued here: portfolio
// Greeks, the scenario matrix, what-if, maximum size and liquidation spot come from the
// program's Rust in WASM (RISK_EXTENSIONS below is where they plug in).
import type { Address } from '@solana/kit';

import { HealthEngine, localHealth, type LocalHealth } from '../health-wasm.js';
import type { HealthLog } from '../events.js';
import { ProgramFailure } from '../transactions.js';
import { only } from './args.js';
import { accountArg, fetchAccount } from './account.js';
import { emit, type Ctx } from './context.js';

export type PositionRisk = {
  underlying: Address;
  underlyingIndex: number;
  seriesIndex: number;
  kind: 'call' | 'put';
  strike: bigint;
  expiry: bigint;
  size: bigint;
  /** Per contract, quote native, as stored by the last risk_refresh of the series. */
  mark: bigint;
  deltaQuote: bigint;
  gammaQuote: bigint;
  vegaQuote: bigint;
  thetaQuote: bigint;
  riskTs: bigint;
};

export type RiskView = {
  account: Address;
  /** WASM over the accounts as they are (stale inputs tolerated: see oraclesFresh). */
  health: LocalHealth | null;
  healthError?: string;
  /** The program's own answer (simulated account_health: fresh oracles and risk arrays required), or the error it gave. */
  strict: HealthLog | { error: string; code: number | null };
  positions: PositionRisk[];
  /** Filled by RISK_EXTENSIONS (the program's portfolio Greeks, scenario matrix, what-if) when the WASM exports them. */
  extensions: Record<string, unknown>;
};

/**
 * Extension point: each entry adds a section to `maxwell risk` from the program's Rust in WASM
 * (per-underlying Greeks, the scenario P&L matrix, liquidation spot). Registered by name.
 */
export const RISK_EXTENSIONS: { name: string; run(ctx: Ctx, account: Address): Promise<unknown> }[] = [];

export async function riskView(ctx: Ctx, account: Address): Promise<RiskView> {
  const client = ctx.client();
  const acc = await fetchAccount(ctx, account);
  let health: LocalHealth | null = null;
  let healthError: string | undefined;
  try {
    health = (await localHealth(client, HealthEngine.load(), account, false)).health;
  } catch (e) {
    healthError = (e as Error).message;
  }
  let strict: RiskView['strict'];
  try {
    strict = await client.health(account, acc.data.owner);
  } catch (e) {
    strict = e instanceof ProgramFailure ? { error: e.errorName ?? e.message, code: e.code } : { error: (e as Error).message, code: null };
  }
  const unders = await client.underlyingsByIndex(true);
  const positions: PositionRisk[] = [];
  const fresh = new Map<number, Awaited<ReturnType<typeof client.underlying>>>();
  for (const p of acc.data.positions) {
    if (p.inUse !== 1) continue;
    const ua = unders.get(p.underlyingIndex);
    if (!ua) continue;
    let u = fresh.get(p.underlyingIndex);
    if (!u) fresh.set(p.underlyingIndex, (u = await client.underlying(ua.address)));
    const s = u.data.series[p.seriesIndex]!;
    const r = u.data.risk[p.seriesIndex]!;
    positions.push({
      underlying: ua.address, underlyingIndex: p.underlyingIndex, seriesIndex: p.seriesIndex, kind: s.kind === 0 ? 'call' : 'put',
      strike: s.strike, expiry: s.expiry, size: p.size, mark: r.mark, deltaQuote: r.deltaQuote, gammaQuote: r.gammaQuote,
      vegaQuote: r.vegaQuote, thetaQuote: r.thetaQuote, riskTs: s.riskTs,
    });
  }
  const extensions: Record<string, unknown> = {};
  for (const x of RISK_EXTENSIONS) extensions[x.name] = await x.run(ctx, account);
  return { account, health, ...(healthError ? { healthError } : {}), strict, positions, extensions };
}

function human(v: RiskView): string {
  const lines = [`risk of ${v.account}`];
  if (v.health) lines.push(`  health (wasm): initial ${v.health.initHealth}, maintenance ${v.health.maintHealth}; requirements ${v.health.initialRequirement} / ${v.health.maintenanceRequirement}; option value ${v.health.optionValue}${v.health.oraclesFresh ? '' : ' [stale inputs tolerated]'}`);
  else lines.push(`  health (wasm): unavailable (${v.healthError})`);
  lines.push('error' in v.strict ? `  account_health: refused: ${v.strict.error}` : `  account_health: initial ${v.strict.initHealth}, maintenance ${v.strict.maintHealth}`);
  for (const p of v.positions) {
    lines.push(`  ${p.size} x ${p.kind} ${p.strike} @ ${p.expiry} (series ${p.seriesIndex}): mark ${p.mark}, delta ${p.deltaQuote}, gamma ${p.gammaQuote}, vega ${p.vegaQuote}, theta ${p.thetaQuote} per contract`);
  }
  for (const [k, x] of Object.entries(v.extensions)) lines.push(`  ${k}: ${JSON.stringify(x, (_, y) => (typeof y === 'bigint' ? y.toString() : y))}`);
  return lines.join('\n');
}

export async function riskCommand(ctx: Ctx): Promise<void> {
  only(ctx.args, ['account', 'id']);
  emit(ctx, await riskView(ctx, await accountArg(ctx)), human);
}
