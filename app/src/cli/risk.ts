// `maxwell risk`: an account's risk from the program's own Rust in WASM (app/src/whatif.ts,
// app/src/health-wasm.ts) over accounts fetched in one RPC call, and the program's strict answer
// from a simulated `account_health`:
//  - health and its detail: per underlying delta, gamma, vega, theta, worst scenario loss and
//    index, add-ons (mx_health_detail; stale inputs tolerated and flagged in oraclesFresh);
//  - the scenario P&L matrix per underlying, the grid the margin check takes its worst loss from
//    (mx_scenario_table; scenario index = price point x 3 + volatility state);
//  - the liquidation spot per underlying held, volatility held (mx_liquidation_spot);
//  - with `--with A --underlying U --leg S:SIZE:PRICE ...`: the what-if of that trade between this
//    account and A for both sides (mx_trade_whatif: healths before and after and the program's
//    verdict) and the largest multiple of the legs this account's margin allows (mx_max_size).
// Positions are listed with the per-contract mark and Greeks the program stored (risk_refresh).
// Nothing is summed or valued here.
import type { Address } from '@solana/kit';

import type { HealthLog } from '../events.js';
import { maxwellErrorName } from '../errors.js';
import type { LocalHealth } from '../health-wasm.js';
import { isLeftover, type TradeLeg } from '../markets.js';
import { ProgramFailure } from '../transactions.js';
import { fetchForWhatIf, WhatIf, type HealthDetail, type LiquidationSpot, type MaxSize, type ScenarioRow, type TradeWhatIf } from '../whatif.js';
import { many, only, opt, UsageError } from './args.js';
import { accountArg, fetchAccount } from './account.js';
import { addressArg, emit, type Ctx } from './context.js';
import { parseLeg } from './trade.js';

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

/** A position left in a retired expiry's slot (expiry_retire): worth zero, removed by account_settle. */
export type LeftoverPosition = { underlying: Address; underlyingIndex: number; seriesIndex: number; generation: number; slotGeneration: number; size: bigint };

type Failed = { error: string; code: number | null };

export type TradeWhatIfView = {
  counterparty: Address;
  /** This account's side: taker by default (`--as maker`). */
  as: 'taker' | 'maker';
  underlying: Address;
  legs: TradeLeg[];
  /** The program's verdict: 0 accepted, else its error code and name. */
  code: number;
  errorName: string | null;
  result: TradeWhatIf;
  /** The largest multiple of the legs (sizes as their ratio) this account's margin allows. */
  maxSize: MaxSize | Failed;
};

export type RiskView = {
  account: Address;
  /** Cluster time the WASM figures are at. */
  now: bigint;
  health: LocalHealth;
  /** Health detail: per-underlying Greeks, worst scenario, add-ons (quote native). */
  detail: HealthDetail;
  /** Per underlying: the loss in each scenario of its grid (a gain is negative). */
  scenarios: ScenarioRow[];
  /** Per underlying held: the spots at which maintenance health turns negative, volatility held. */
  liquidation: ({ underlying: Address; underlyingIndex: number } & (LiquidationSpot | Failed))[];
  /** The program's own answer (simulated account_health: fresh oracles and risk arrays required), or the error it gave. */
  strict: HealthLog | Failed;
  positions: PositionRisk[];
  /** Positions of retired expiries (not in `positions`: their slot may hold another series now). */
  leftovers: LeftoverPosition[];
  whatIf?: TradeWhatIfView;
};

const failed = (e: unknown): Failed =>
  e instanceof ProgramFailure
    ? { error: e.errorName ?? e.message, code: e.code }
    : { error: (e as Error).message, code: typeof (e as { code?: unknown }).code === 'number' ? ((e as { code: number }).code) : null };

export async function riskView(ctx: Ctx, account: Address): Promise<RiskView> {
  const client = ctx.client();
  const acc = await fetchAccount(ctx, account);
  const wi = new WhatIf();
  const { raws, now } = await fetchForWhatIf(client, [account]);
  const detail = wi.healthDetail(client.exchange, now, raws, false);
  const unders = await client.underlyingsByIndex(true);
  const positions: PositionRisk[] = [];
  const leftovers: LeftoverPosition[] = [];
  const fresh = new Map<number, Awaited<ReturnType<typeof client.underlying>>>();
  for (const p of acc.data.positions) {
    if (p.inUse !== 1) continue;
    const ua = unders.get(p.underlyingIndex);
    if (!ua) continue;
    let u = fresh.get(p.underlyingIndex);
    if (!u) fresh.set(p.underlyingIndex, (u = await client.underlying(ua.address)));
    const s = u.data.series[p.seriesIndex]!;
    const r = u.data.risk[p.seriesIndex]!;
    if (isLeftover(u.data, p)) {
      leftovers.push({ underlying: ua.address, underlyingIndex: p.underlyingIndex, seriesIndex: p.seriesIndex, generation: p.generation, slotGeneration: s.generation, size: p.size });
      continue;
    }
    positions.push({
      underlying: ua.address, underlyingIndex: p.underlyingIndex, seriesIndex: p.seriesIndex, kind: s.kind === 0 ? 'call' : 'put',
      strike: s.strike, expiry: s.expiry, size: p.size, mark: r.mark, deltaQuote: r.deltaQuote, gammaQuote: r.gammaQuote,
      vegaQuote: r.vegaQuote, thetaQuote: r.thetaQuote, riskTs: s.riskTs,
    });
  }
  const scenarios = detail.underlyings.length ? wi.scenarioTable(client.exchange, now, raws, false) : [];
  const liquidation: RiskView['liquidation'] = [];
  for (const [i, u] of fresh) {
    try {
      liquidation.push({ underlying: u.address, underlyingIndex: i, ...wi.liquidationSpot(client.exchange, now, u.address, raws) });
    } catch (e) {
      liquidation.push({ underlying: u.address, underlyingIndex: i, ...failed(e) });
    }
  }
  let strict: RiskView['strict'];
  try {
    strict = await client.health(account, acc.data.owner);
  } catch (e) {
    strict = failed(e);
  }
  const view: RiskView = { account, now, health: detail.health, detail, scenarios, liquidation, strict, positions, leftovers };
  const withAccount = opt(ctx.args, 'with');
  if (withAccount !== undefined) view.whatIf = await tradeWhatIf(ctx, account, addressArg(withAccount, 'with'));
  else if (opt(ctx.args, 'underlying') !== undefined || many(ctx.args, 'leg').length) throw new UsageError('--underlying and --leg describe a what-if trade: pass --with <counterparty account> too');
  return view;
}

async function tradeWhatIf(ctx: Ctx, account: Address, counterparty: Address): Promise<TradeWhatIfView> {
  const client = ctx.client();
  const underlying = addressArg(opt(ctx.args, 'underlying') ?? '', 'underlying');
  const as = opt(ctx.args, 'as') ?? 'taker';
  if (as !== 'taker' && as !== 'maker') throw new UsageError(`--as: taker or maker, got ${JSON.stringify(as)}`);
  const legArgs = many(ctx.args, 'leg');
  if (legArgs.length < 1 || legArgs.length > 4) throw new UsageError(`--leg <series>:<size>:<price> is required 1 to 4 times, got ${legArgs.length}`);
  for (const l of legArgs) parseLeg(l, 18);
  await fetchAccount(ctx, counterparty);
  const quote = await client.bank((await client.quoteBank()).address);
  const legs = legArgs.map((l) => parseLeg(l, quote.data.decimals));
  const u = [...(await client.underlyingsByIndex(true)).values()].find((x) => x.address === underlying);
  if (!u) throw new UsageError(`--underlying ${underlying}: not an underlying of exchange ${client.exchange}`);
  const [maker, taker] = as === 'taker' ? [counterparty, account] : [account, counterparty];
  const { raws, now } = await fetchForWhatIf(client, [maker, taker], { bankIndexes: [quote.data.bankIndex], underlyingIndexes: [u.data.underlyingIndex] });
  const wi = new WhatIf();
  const result = wi.trade(client.exchange, now, legs, underlying, quote.address, raws);
  let maxSize: MaxSize | Failed;
  try {
    maxSize = wi.maxSize(client.exchange, now, as, legs, underlying, quote.address, raws);
  } catch (e) {
    maxSize = failed(e);
  }
  return { counterparty, as, underlying, legs, code: result.code, errorName: result.code ? maxwellErrorName(result.code) : null, result, maxSize };
}

function human(v: RiskView): string {
  const h = v.health;
  const lines = [`risk of ${v.account} at ${v.now}`];
  lines.push(`  health: initial ${h.initHealth}, maintenance ${h.maintHealth}; requirements ${h.initialRequirement} / ${h.maintenanceRequirement}; option value ${h.optionValue}${h.oraclesFresh ? '' : ' [stale inputs tolerated]'}`);
  lines.push('error' in v.strict ? `  account_health: refused: ${v.strict.error}` : `  account_health: initial ${v.strict.initHealth}, maintenance ${v.strict.maintHealth}`);
  for (const g of v.detail.underlyings) {
    lines.push(`  underlying ${g.underlyingIndex}: delta ${g.deltaQuote} (${g.deltaE9} e-9 contracts), gamma ${g.gammaQuote}, vega ${g.vegaQuote}, theta ${g.thetaQuote}; worst loss ${g.worstLoss} (scenario ${g.worstScenario})`);
  }
  for (const s of v.scenarios) {
    lines.push(`  scenarios of underlying ${s.underlyingIndex} (rows: price points, columns: volatility states):`);
    for (let p = 0; p * 3 < s.loss.length; p++) lines.push(`    ${s.loss.slice(p * 3, p * 3 + 3).map((x) => String(x).padStart(14)).join('')}`);
  }
  for (const l of v.liquidation) {
    lines.push('error' in l ? `  liquidation spot of underlying ${l.underlyingIndex}: unavailable (${l.error})` : `  liquidation spot of underlying ${l.underlyingIndex}: spot ${l.spot}, below ${l.down ?? 'none'}, above ${l.up ?? 'none'}`);
  }
  for (const p of v.positions) {
    lines.push(`  ${p.size} x ${p.kind} ${p.strike} @ ${p.expiry} (series ${p.seriesIndex}): mark ${p.mark}, delta ${p.deltaQuote}, gamma ${p.gammaQuote}, vega ${p.vegaQuote}, theta ${p.thetaQuote} per contract`);
  }
  for (const p of v.leftovers) {
    lines.push(`  ${p.size} x leftover of a retired expiry (series slot ${p.seriesIndex}, generation ${p.generation}; the slot is at ${p.slotGeneration}): worth 0, account_settle removes it`);
  }
  if (v.whatIf) {
    const x = v.whatIf;
    const me = x.as === 'taker' ? [x.result.preTaker, x.result.postTaker] : [x.result.preMaker, x.result.postMaker];
    const them = x.as === 'taker' ? [x.result.preMaker, x.result.postMaker] : [x.result.preTaker, x.result.postTaker];
    lines.push(`  what-if (this account as ${x.as}, with ${x.counterparty}): ${x.code === 0 ? 'accepted' : `refused: ${x.errorName} (${x.code})`}`);
    if (x.result.filled) {
      lines.push(`    this account: initial health ${me[0]!.initHealth} -> ${me[1]!.initHealth}, maintenance ${me[0]!.maintHealth} -> ${me[1]!.maintHealth}`);
      lines.push(`    counterparty: initial health ${them[0]!.initHealth} -> ${them[1]!.initHealth}, maintenance ${them[0]!.maintHealth} -> ${them[1]!.maintHealth}`);
    }
    lines.push('error' in x.maxSize ? `    max size: unavailable (${x.maxSize.error})` : `    max size: ${x.maxSize.units} x the legs${x.maxSize.refusal ? ` (one more: ${maxwellErrorName(x.maxSize.refusal)})` : ''}`);
  }
  return lines.join('\n');
}

export async function riskCommand(ctx: Ctx): Promise<void> {
  only(ctx.args, ['account', 'id', 'with', 'as', 'underlying', 'leg']);
  emit(ctx, await riskView(ctx, await accountArg(ctx)), human);
}
