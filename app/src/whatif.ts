// What-if from the program's own Rust (app/wasm/src/whatif.rs, compiled into the same module as
// the health code): the program's trade, crank and health functions run over account bytes
// fetched in one getMultipleAccounts, so each answer is what the program would do with those
// accounts at that clock. Nothing here computes a rule; it moves bytes. The byte layouts are
// documented in app/wasm/src/whatif.rs.
import { fetchEncodedAccounts, type Address } from '@solana/kit';

import { addressBytes } from './base58.js';
import type { MaxwellClient } from './client.js';
import { COMMITMENT } from './config.js';
import { unionHealthAccountMetas } from './health-accounts.js';
import { encodeRawAccount, type LocalHealth, type RawAccount } from './health-wasm.js';
import type { TradeLeg } from './markets.js';
import { readConstants } from './rules-wasm.js';
import { callWasm, le32, le64, maxwellWasm, MaxwellWasmError, type MaxwellWasmExports } from './wasm.js';

const CLOCK_SYSVAR = 'SysvarC1ock11111111111111111111111111111111' as Address;
/** Must match app/wasm/src/whatif.rs and maxwell_risk (MAX_UNDERLYINGS, N_SCEN). */
const MAX_UNDERLYINGS = 8;
const DETAIL_ROW = 18;
const DETAIL_LEN = 8 * (6 + 5 + 1 + MAX_UNDERLYINGS * DETAIL_ROW);
const TRADE_LEN = 8 + 4 * 8 * 6;
const MAX_LEN = 16 + 8 * 6;
const LIQ_LEN = 32;

/** One underlying's part of the account's health (quote native units). */
export type UnderlyingRisk = {
  underlyingIndex: number;
  /** Spot move since the arrays were built, bps, and its add-on. */
  driftBps: bigint;
  addonDrift: bigint;
  worstLoss: bigint;
  addonShortMin: bigint;
  addonDelta: bigint;
  addonVega: bigint;
  addonConfidence: bigint;
  /** The worst loss between two price points, at the strike of a long option expiring inside the horizon, over worstLoss. */
  addonExpiry: bigint;
  /** A tenth of the loss at the extended gap points (forwards halved and doubled, vol up), over the worst loss so far. */
  addonGap: bigint;
  /** The skew move to first order: 0.06 x |sum of size x vega x sigma x y x s(T)| (crate SKEW_TILT). */
  addonSkew: bigint;
  optionValue: bigint;
  /** Delta in quote (options and the spot collateral in this underlying), and in contracts x 1e9 (options). */
  deltaQuote: bigint;
  deltaE9: bigint;
  /** F^2 d2V/dF2. */
  gammaQuote: bigint;
  /** Per 1.00 of volatility. */
  vegaQuote: bigint;
  /** Per year. */
  thetaQuote: bigint;
  /** Index of the worst scenario in the grid (price point x 3 + vol state). */
  worstScenario: number;
};

export type HealthDetail = {
  health: LocalHealth;
  collateralInit: bigint;
  collateralMaint: bigint;
  initialBeforeReputation: bigint;
  reputationDiscount: bigint;
  addonDrift: bigint;
  underlyings: UnderlyingRisk[];
};

/** The loss of each underlying's book in each scenario of its grid (a gain is negative). */
export type ScenarioRow = { underlyingIndex: number; loss: bigint[] };

export type TradeWhatIf = {
  /** 0 = the program would accept the trade; otherwise the error code it would return. */
  code: number;
  /** False when refused before the fill (the healths below are then absent). */
  filled: boolean;
  preMaker?: LocalHealth;
  preTaker?: LocalHealth;
  postMaker?: LocalHealth;
  postTaker?: LocalHealth;
};

export type MaxSize = {
  /** The largest multiple of the legs the program accepts for that side (0: not even one). */
  units: bigint;
  /** The code one unit more gets (0 when the search bound, 2^40 units, still passes). */
  refusal: number;
  /** That side's health after `units` (absent when 0). */
  health?: LocalHealth;
};

export type LiquidationSpot = {
  /** Quote native per contract. */
  spot: bigint;
  maintHealth: bigint;
  /** The highest spot below at which maintenance health is negative (null: none down to 1% of the spot). */
  down: bigint | null;
  /** The lowest spot above (null: none up to 10x). */
  up: bigint | null;
};

function health(v: DataView, at: number): LocalHealth {
  const i = (k: number) => v.getBigInt64(at + 8 * k, true);
  return {
    initHealth: i(0),
    maintHealth: i(1),
    initialRequirement: i(2),
    maintenanceRequirement: i(3),
    optionValue: i(4),
    oraclesFresh: i(5) === 1n,
  };
}

/** The program's what-if functions over fetched account bytes. */
export class WhatIf {
  /** Scenarios per row of this module's scenario table (its `mx_constants`). */
  private readonly nScen: number;

  constructor(private readonly x: MaxwellWasmExports = maxwellWasm()) {
    this.nScen = Number(readConstants(x).scenarios);
  }

  private call(fn: (i: number, l: number, o: number, ol: number) => number, input: Uint8Array[], outLen: number, what: string): DataView {
    return callWasm(this.x, fn, input, outLen, (code) => new MaxwellWasmError(code, what));
  }

  private healthInput(exchange: Address, now: bigint, accounts: readonly RawAccount[], strict: boolean): Uint8Array[] {
    return [addressBytes(exchange), le64(now), Uint8Array.of(strict ? 1 : 0), le32(accounts.length), ...accounts.map(encodeRawAccount)];
  }

  /** `accounts`: the exchange, the margin account, then its health accounts (as `HealthEngine.compute`). */
  healthDetail(exchange: Address, now: bigint, accounts: readonly RawAccount[], strict = true): HealthDetail {
    const v = this.call(this.x.mx_health_detail, this.healthInput(exchange, now, accounts, strict), DETAIL_LEN, 'health detail (wasm)');
    const w = (k: number) => v.getBigInt64(8 * k, true);
    const n = Number(w(11));
    const underlyings: UnderlyingRisk[] = [];
    for (let r = 0; r < n; r++) {
      const f = (k: number) => w(12 + DETAIL_ROW * r + k);
      underlyings.push({
        underlyingIndex: Number(f(0)),
        driftBps: f(1),
        addonDrift: f(2),
        worstLoss: f(3),
        addonShortMin: f(4),
        addonDelta: f(5),
        addonVega: f(6),
        addonConfidence: f(7),
        optionValue: f(8),
        deltaQuote: f(9),
        deltaE9: f(10),
        gammaQuote: f(11),
        vegaQuote: f(12),
        thetaQuote: f(13),
        worstScenario: Number(f(14)),
        addonExpiry: f(15),
        addonGap: f(16),
        addonSkew: f(17),
      });
    }
    return {
      health: health(v, 0),
      collateralInit: w(6),
      collateralMaint: w(7),
      initialBeforeReputation: w(8),
      reputationDiscount: w(9),
      addonDrift: w(10),
      underlyings,
    };
  }

  /** The scenario table the margin check takes its worst loss from (the module's `scenarios` per row). */
  scenarioTable(exchange: Address, now: bigint, accounts: readonly RawAccount[], strict = true): ScenarioRow[] {
    const nScen = this.nScen;
    const len = 8 * (1 + MAX_UNDERLYINGS * (1 + nScen));
    const v = this.call(this.x.mx_scenario_table, this.healthInput(exchange, now, accounts, strict), len, 'scenario table (wasm)');
    const w = (k: number) => v.getBigInt64(8 * k, true);
    const rows: ScenarioRow[] = [];
    for (let r = 0; r < Number(w(0)); r++) {
      const base = 1 + r * (1 + nScen);
      rows.push({ underlyingIndex: Number(w(base)), loss: Array.from({ length: nScen }, (_, s) => w(base + 1 + s)) });
    }
    return rows;
  }

  private tradeInput(
    exchange: Address,
    now: bigint,
    side: number | null,
    legs: readonly TradeLeg[],
    underlying: Address,
    quoteBank: Address,
    accounts: readonly RawAccount[],
  ): Uint8Array[] {
    const legBytes = legs.map((l) => {
      const b = new Uint8Array(18);
      const d = new DataView(b.buffer);
      d.setUint16(0, l.seriesIndex, true);
      d.setBigInt64(2, BigInt(l.size), true);
      d.setBigUint64(10, BigInt(l.price), true);
      return b;
    });
    return [
      addressBytes(exchange),
      le64(now),
      ...(side === null ? [] : [Uint8Array.of(side)]),
      Uint8Array.of(legs.length),
      ...legBytes,
      addressBytes(underlying),
      addressBytes(quoteBank),
      le32(accounts.length),
      ...accounts.map(encodeRawAccount),
    ];
  }

  /** `accounts`: the exchange, the maker, the taker, then the health accounts covering both after the trade. */
  trade(
    exchange: Address,
    now: bigint,
    legs: readonly TradeLeg[],
    underlying: Address,
    quoteBank: Address,
    accounts: readonly RawAccount[],
  ): TradeWhatIf {
    const v = this.call(this.x.mx_trade_whatif, this.tradeInput(exchange, now, null, legs, underlying, quoteBank, accounts), TRADE_LEN, 'trade what-if (wasm)');
    const code = v.getUint32(0, true);
    const filled = v.getUint32(4, true) === 1;
    if (!filled) return { code, filled };
    return { code, filled, preMaker: health(v, 8), preTaker: health(v, 56), postMaker: health(v, 104), postTaker: health(v, 152) };
  }

  /** `legs`: one unit (sizes are its ratio); `side`: whose margin bounds the size. */
  maxSize(
    exchange: Address,
    now: bigint,
    side: 'taker' | 'maker',
    legs: readonly TradeLeg[],
    underlying: Address,
    quoteBank: Address,
    accounts: readonly RawAccount[],
  ): MaxSize {
    const input = this.tradeInput(exchange, now, side === 'taker' ? 0 : 1, legs, underlying, quoteBank, accounts);
    const v = this.call(this.x.mx_max_size, input, MAX_LEN, 'max size (wasm)');
    const units = v.getBigUint64(0, true);
    return { units, refusal: v.getUint32(8, true), ...(units > 0n ? { health: health(v, 16) } : {}) };
  }

  /** `accounts`: the exchange, the margin account, then its health accounts. */
  liquidationSpot(exchange: Address, now: bigint, underlying: Address, accounts: readonly RawAccount[]): LiquidationSpot {
    const input = [addressBytes(exchange), le64(now), addressBytes(underlying), le32(accounts.length), ...accounts.map(encodeRawAccount)];
    const v = this.call(this.x.mx_liquidation_spot, input, LIQ_LEN, 'liquidation spot (wasm)');
    const w = (k: number) => v.getBigInt64(8 * k, true);
    return { spot: w(0), maintHealth: w(1), down: w(2) === 0n ? null : w(2), up: w(3) === 0n ? null : w(3) };
  }
}

/**
 * Fetches `[exchange, ...accounts, ...health accounts, Clock]` in one call (one slot): the health
 * accounts cover every given margin account as it is now, plus `extra` banks and underlyings (a
 * trade's quote bank and underlying). Returns the raw accounts (Clock removed) and the cluster time.
 */
export async function fetchForWhatIf(
  client: MaxwellClient,
  accounts: readonly Address[],
  extra: { bankIndexes?: number[]; underlyingIndexes?: number[] } = {},
): Promise<{ raws: RawAccount[]; now: bigint }> {
  const states = await Promise.all(accounts.map((a) => client.marginAccount(a)));
  const universe = await client.universe(states.map((s) => s.data));
  const underlyings = (extra.underlyingIndexes ?? []).length
    ? [...(await client.underlyingsByIndex()).values()].map((u) => ({ address: u.address, underlying: u.data }))
    : universe.underlyings;
  const metas = unionHealthAccountMetas(
    states.map((s) => s.data),
    universe.banks,
    underlyings,
    extra,
  );
  const addresses = [client.exchange, ...accounts, ...metas.map((m) => m.address), CLOCK_SYSVAR];
  const fetched = await fetchEncodedAccounts(client.conn.rpc, addresses, { commitment: COMMITMENT });
  const raws: RawAccount[] = fetched.map((f) => {
    if (!f.exists) throw new Error(`what-if: account ${f.address} does not exist`);
    return { address: f.address, owner: f.programAddress, data: f.data };
  });
  const clock = raws.pop()!;
  const now = new DataView(clock.data.buffer, clock.data.byteOffset).getBigInt64(32, true); // Clock.unix_timestamp
  return { raws, now };
}
