// `maxwell markets [--underlying U]`: the listed expiries and series of every underlying of the
// exchange (or one), with their slot numbers (what `trade --leg S:...` takes), each series slot's
// generation, and the free slots retired expiries left below the high-water marks (expiry_retire;
// the next series_list fills them first).
import type { Account, Address } from '@solana/kit';

import type { Underlying } from '../accounts.js';
import { listedExpiries, listedSeries } from '../markets.js';
import { only, opt, UsageError } from './args.js';
import { addressArg, emit, type Ctx } from './context.js';

export type ExpiryRow = { slot: number; expiry: bigint; settled: boolean; settlementPrice: bigint; settledNet: bigint; hasSurface: boolean };
export type SeriesRow = {
  slot: number;
  /** Bumped each time the slot was freed: a position of an older generation is a leftover. */
  generation: number;
  expirySlot: number;
  expiry: bigint;
  kind: 'call' | 'put';
  /** Quote native per contract. */
  strike: bigint;
  openInterest: bigint;
  oiCap: bigint;
  /** Per contract, quote native, from the last risk_refresh (0 before the first). */
  mark: bigint;
};
export type MarketView = {
  underlying: Address;
  underlyingIndex: number;
  oracle: Address;
  expiries: ExpiryRow[];
  series: SeriesRow[];
  /** Slots below the high-water marks (nExpiries, nSeries) that retired expiries freed. */
  freeExpirySlots: number[];
  freeSeriesSlots: number[];
  nExpiries: number;
  nSeries: number;
};

export function marketView(address: Address, u: Underlying): MarketView {
  const expiries = listedExpiries(u);
  const series = listedSeries(u);
  const listedE = new Set(expiries.map((e) => e.index));
  const listedS = new Set(series.map((s) => s.index));
  return {
    underlying: address,
    underlyingIndex: u.underlyingIndex,
    oracle: u.oracle,
    expiries: expiries.map(({ index, expiry: e }) => ({
      slot: index, expiry: e.expiry, settled: e.settled === 1, settlementPrice: e.settlementPrice, settledNet: e.settledNet, hasSurface: e.hasSurface === 1,
    })),
    series: series.map(({ index, series: s }) => ({
      slot: index, generation: s.generation, expirySlot: s.expiryIndex, expiry: s.expiry, kind: s.kind === 0 ? 'call' : 'put',
      strike: s.strike, openInterest: s.openInterest, oiCap: s.oiCap, mark: u.risk[index]?.mark ?? 0n,
    })),
    freeExpirySlots: Array.from({ length: u.nExpiries }, (_, i) => i).filter((i) => !listedE.has(i)),
    freeSeriesSlots: Array.from({ length: u.nSeries }, (_, i) => i).filter((i) => !listedS.has(i)),
    nExpiries: u.nExpiries,
    nSeries: u.nSeries,
  };
}

/** Slot lists as ranges: [0, 1, 2, 5] -> "0-2, 5". */
export function slotRanges(xs: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    out.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return out.join(', ') || 'none';
}

export function marketsHuman(views: readonly MarketView[]): string {
  if (!views.length) return 'no underlyings';
  const lines: string[] = [];
  for (const v of views) {
    lines.push(`underlying ${v.underlyingIndex} ${v.underlying} (oracle ${v.oracle}): ${v.expiries.length} expiries, ${v.series.length} series listed; ` +
      `free expiry slots ${slotRanges(v.freeExpirySlots)}, free series slots ${slotRanges(v.freeSeriesSlots)} (below ${v.nExpiries} / ${v.nSeries} slots used)`);
    for (const e of v.expiries) {
      lines.push(`  expiry slot ${e.slot}: ${e.expiry}${e.settled ? ` settled at ${e.settlementPrice} (settled net ${e.settledNet})` : ''}${e.hasSurface ? '' : ' [no surface yet]'}`);
      for (const s of v.series.filter((x) => x.expirySlot === e.slot)) {
        lines.push(`    series ${s.slot} (generation ${s.generation}): ${s.kind} ${s.strike}, open interest ${s.openInterest} of ${s.oiCap}, mark ${s.mark}`);
      }
    }
  }
  return lines.join('\n');
}

export async function marketsCommand(ctx: Ctx): Promise<void> {
  only(ctx.args, ['underlying']);
  const client = ctx.client();
  const one = opt(ctx.args, 'underlying');
  const wanted = one === undefined ? null : addressArg(one, 'underlying');
  const unders: Account<Underlying>[] = [...(await client.underlyingsByIndex(true)).entries()].sort((a, b) => a[0] - b[0]).map(([, u]) => u);
  const chosen = wanted ? unders.filter((u) => u.address === wanted) : unders;
  if (wanted && !chosen.length) throw new UsageError(`--underlying ${wanted}: not an underlying of exchange ${client.exchange}`);
  // Fresh state (the client's cache only serves addresses).
  const views = await Promise.all(chosen.map(async (u) => marketView(u.address, (await client.underlying(u.address)).data)));
  emit(ctx, { exchange: client.exchange, underlyings: views }, (x) => marketsHuman(x.underlyings));
}
