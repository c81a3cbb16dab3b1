// Maxwell events (`emit!`, logged as `Program data: <base64>`): 8-byte discriminator
// sha256("event:<Name>")[..8] (Anchor's rule, the same bytes as in idl/maxwell.json), then borsh.
// Codama does not render event types, so the layouts used by clients are spelled out here
// from programs/maxwell/src/events.rs. Units: token amounts native; health in quote native units.
import { createHash } from 'node:crypto';

import {
  fixDecoderSize,
  getAddressDecoder,
  getArrayDecoder,
  getBase64Encoder,
  getBooleanDecoder,
  getBytesDecoder,
  getI64Decoder,
  getStructDecoder,
  getU16Decoder,
  getU32Decoder,
  getU64Decoder,
  getU8Decoder,
  type Address,
  type Decoder,
  type ReadonlyUint8Array,
} from '@solana/kit';

import { getChangeDecoder, getUnderlyingRiskLogDecoder, type Change, type UnderlyingRiskLog } from './generated/maxwell/types/index.js';

export type { UnderlyingRiskLog };

export type DepositLog = {
  exchange: Address;
  account: Address;
  bank: Address;
  signer: Address;
  amount: bigint;
  balanceAfter: bigint;
  initHealth: bigint;
  maintHealth: bigint;
  oraclesFresh: boolean;
};

export type WithdrawLog = {
  exchange: Address;
  account: Address;
  bank: Address;
  owner: Address;
  amount: bigint;
  balanceAfter: bigint;
  initHealth: bigint;
  maintHealth: bigint;
};

export type TradeLog = {
  exchange: Address;
  underlying: Address;
  maker: Address;
  taker: Address;
  seriesIndex: number;
  /** Contracts, from the taker's side (+ = taker bought). */
  size: bigint;
  /** Premium per contract, quote native units. */
  price: bigint;
  makerInitHealth: bigint;
  takerInitHealth: bigint;
};

export type SettleLog = {
  account: Address;
  underlying: Address;
  seriesIndex: number;
  /** Contracts settled (signed: + = long). */
  size: bigint;
  /** Quote native per contract. */
  settlementPrice: bigint;
  /** Quote native units credited (+) or debited (-). */
  payoff: bigint;
};

/** Also `account_health`'s return data (the same borsh bytes, without the discriminator). */
export type HealthLog = {
  account: Address;
  initHealth: bigint;
  maintHealth: bigint;
  initialRequirement: bigint;
  maintenanceRequirement: bigint;
  optionValue: bigint;
  oraclesFresh: boolean;
  /**
   * Per underlying the account holds options on: delta (contracts x 1e9 and in quote, spot
   * collateral included), gamma (F^2 d2V/dF2), vega (per 1.00 vol), theta (per year), the worst
   * scenario loss and its index in the grid, the underlying's maintenance requirement and the
   * spot drift since its risk arrays were built (bps). Quote native units.
   */
  underlyings: UnderlyingRiskLog[];
};

const depositLogDecoder: Decoder<DepositLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['account', getAddressDecoder()],
  ['bank', getAddressDecoder()],
  ['signer', getAddressDecoder()],
  ['amount', getU64Decoder()],
  ['balanceAfter', getI64Decoder()],
  ['initHealth', getI64Decoder()],
  ['maintHealth', getI64Decoder()],
  ['oraclesFresh', getBooleanDecoder()],
]);

const withdrawLogDecoder: Decoder<WithdrawLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['account', getAddressDecoder()],
  ['bank', getAddressDecoder()],
  ['owner', getAddressDecoder()],
  ['amount', getU64Decoder()],
  ['balanceAfter', getI64Decoder()],
  ['initHealth', getI64Decoder()],
  ['maintHealth', getI64Decoder()],
]);

const tradeLogDecoder: Decoder<TradeLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['underlying', getAddressDecoder()],
  ['maker', getAddressDecoder()],
  ['taker', getAddressDecoder()],
  ['seriesIndex', getU16Decoder()],
  ['size', getI64Decoder()],
  ['price', getU64Decoder()],
  ['makerInitHealth', getI64Decoder()],
  ['takerInitHealth', getI64Decoder()],
]);

const settleLogDecoder: Decoder<SettleLog> = getStructDecoder([
  ['account', getAddressDecoder()],
  ['underlying', getAddressDecoder()],
  ['seriesIndex', getU16Decoder()],
  ['size', getI64Decoder()],
  ['settlementPrice', getU64Decoder()],
  ['payoff', getI64Decoder()],
]);

export const healthLogDecoder: Decoder<HealthLog> = getStructDecoder([
  ['account', getAddressDecoder()],
  ['initHealth', getI64Decoder()],
  ['maintHealth', getI64Decoder()],
  ['initialRequirement', getI64Decoder()],
  ['maintenanceRequirement', getI64Decoder()],
  ['optionValue', getI64Decoder()],
  ['oraclesFresh', getBooleanDecoder()],
  ['underlyings', getArrayDecoder(getUnderlyingRiskLogDecoder())],
]);

/** One interest accrual (accrue_interest): indices Q24.40 after it. */
export type InterestLog = {
  bank: Address;
  seconds: bigint;
  utilizationBps: bigint;
  borrowRateBps: bigint;
  /** Native units borrowers owe in addition. */
  interest: bigint;
  depositIndex: bigint;
  borrowIndex: bigint;
};

/** bankruptcy_resolve: `owed = coveredByInsurance + socialized` (native); deposit index Q24.40. */
export type BankruptcyLog = {
  exchange: Address;
  account: Address;
  bank: Address;
  keeper: Address;
  owed: bigint;
  coveredByInsurance: bigint;
  socialized: bigint;
  depositIndexBefore: bigint;
  depositIndexAfter: bigint;
};

/** rebalance_accounts: `amount` left the source, the destination got `amount - fee`, the keeper `fee`; `value` in quote. */
export type RebalanceAccountsLog = {
  policy: Address;
  source: Address;
  destination: Address;
  keeper: Address;
  bank: Address;
  amount: bigint;
  fee: bigint;
  value: bigint;
  destinationMaintBefore: bigint;
  destinationMaintAfter: bigint;
  sourceMaintAfter: bigint;
};

/** rebalance_collateral: the keeper repaid `quoteAmount` and received `collateral` native units of `bank`. */
export type RebalanceCollateralLog = {
  account: Address;
  keeperAccount: Address;
  bank: Address;
  quoteAmount: bigint;
  collateral: bigint;
  discountBps: number;
  maintHealthBefore: bigint;
  maintHealthAfter: bigint;
};

/** realized_vol_update: variances annualized, Q52; `realizedVol` = sqrt(variance), Q52; spot per contract, quote native. */
export type RealizedVolLog = {
  underlying: Address;
  spot: bigint;
  sampleVariance: bigint;
  variance: bigint;
  realizedVol: bigint;
};

const interestLogDecoder: Decoder<InterestLog> = getStructDecoder([
  ['bank', getAddressDecoder()],
  ['seconds', getU64Decoder()],
  ['utilizationBps', getU64Decoder()],
  ['borrowRateBps', getU64Decoder()],
  ['interest', getU64Decoder()],
  ['depositIndex', getU64Decoder()],
  ['borrowIndex', getU64Decoder()],
]);

const bankruptcyLogDecoder: Decoder<BankruptcyLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['account', getAddressDecoder()],
  ['bank', getAddressDecoder()],
  ['keeper', getAddressDecoder()],
  ['owed', getU64Decoder()],
  ['coveredByInsurance', getU64Decoder()],
  ['socialized', getU64Decoder()],
  ['depositIndexBefore', getU64Decoder()],
  ['depositIndexAfter', getU64Decoder()],
]);

const rebalanceAccountsLogDecoder: Decoder<RebalanceAccountsLog> = getStructDecoder([
  ['policy', getAddressDecoder()],
  ['source', getAddressDecoder()],
  ['destination', getAddressDecoder()],
  ['keeper', getAddressDecoder()],
  ['bank', getAddressDecoder()],
  ['amount', getU64Decoder()],
  ['fee', getU64Decoder()],
  ['value', getU64Decoder()],
  ['destinationMaintBefore', getI64Decoder()],
  ['destinationMaintAfter', getI64Decoder()],
  ['sourceMaintAfter', getI64Decoder()],
]);

const rebalanceCollateralLogDecoder: Decoder<RebalanceCollateralLog> = getStructDecoder([
  ['account', getAddressDecoder()],
  ['keeperAccount', getAddressDecoder()],
  ['bank', getAddressDecoder()],
  ['quoteAmount', getU64Decoder()],
  ['collateral', getU64Decoder()],
  ['discountBps', getU16Decoder()],
  ['maintHealthBefore', getI64Decoder()],
  ['maintHealthAfter', getI64Decoder()],
]);

const realizedVolLogDecoder: Decoder<RealizedVolLog> = getStructDecoder([
  ['underlying', getAddressDecoder()],
  ['spot', getU64Decoder()],
  ['sampleVariance', getI64Decoder()],
  ['variance', getI64Decoder()],
  ['realizedVol', getI64Decoder()],
]);

/** delegate_set: the trading delegate went from `oldDelegate` to `newDelegate` (the default address = none). */
export type DelegateLog = {
  exchange: Address;
  account: Address;
  owner: Address;
  oldDelegate: Address;
  newDelegate: Address;
};

/** underlying_create: `spotBankIndex` = 65535 when no bank holds the asset; bounds in seconds and bps. */
export type UnderlyingCreateLog = {
  exchange: Address;
  underlying: Address;
  oracle: Address;
  feedId: ReadonlyUint8Array;
  volOracle: Address;
  underlyingIndex: number;
  spotBankIndex: number;
  oracleMaxAgeSecs: number;
  oracleMaxConfBps: number;
  surfaceMaxAgeSecs: number;
  riskMaxAgeSecs: number;
  riskSpotToleranceBps: number;
};

/**
 * series_list: `count` series at slot indices `seriesIndices` (strike-major, call then put; free
 * slots first, so not always contiguous; `firstSeriesIndex` is the first of them) on expiry slot
 * `expiryIndex` (`newExpiry`: added by this call, possibly into a retired slot). Expiry unix
 * seconds, strikes quote native per contract, `oiCap` contracts.
 */
export type SeriesListLog = {
  exchange: Address;
  underlying: Address;
  expiry: bigint;
  expiryIndex: number;
  newExpiry: boolean;
  firstSeriesIndex: number;
  count: number;
  strikes: bigint[];
  oiCap: bigint;
  seriesIndices: number[];
};

/** vol_surface_update: one expiry's raw SVI parameters (Q52) and the surface version after the bump. */
export type VolSurfaceLog = {
  underlying: Address;
  volOracle: Address;
  expiryIndex: number;
  expiry: bigint;
  a: bigint;
  b: bigint;
  rho: bigint;
  m: bigint;
  sigma: bigint;
  surfaceSeq: bigint;
  surfaceTs: bigint;
};

/** insurance_create: the exchange's insurance fund account. */
export type InsuranceCreateLog = {
  exchange: Address;
  insurance: Address;
  admin: Address;
};

/**
 * risk_refresh: series `first..end` were in range (none when end <= first), `refreshed` got new
 * arrays. Spot and conf quote native per contract; `range` and `realizedVol` Q52; `widened` when
 * realized vol set the range; arrays built on surface version `surfaceSeq`.
 */
export type RiskRefreshLog = {
  underlying: Address;
  first: number;
  end: number;
  refreshed: number;
  spot: bigint;
  conf: bigint;
  range: bigint;
  realizedVol: bigint;
  widened: boolean;
  surfaceSeq: bigint;
  /** Built on a surface older than its max age, with widened shocks. */
  staleSurface: boolean;
};

/**
 * expiry_settle_price: quote native per contract, from the price published at `publishTime`
 * (within [expiry, expiry + 60 s]) in the PriceUpdateV2 account `source` (the underlying's oracle
 * or any account of its feed). The governance fallback (Change::SettlementPrice) logs
 * `publishTime` 0 and the default address 11111111111111111111111111111111 as `source`.
 */
export type SettlementPriceLog = {
  exchange: Address;
  underlying: Address;
  expiryIndex: number;
  expiry: bigint;
  settlementPrice: bigint;
  publishTime: bigint;
  source: Address;
};

/**
 * expiry_retire: expiry slot `expiryIndex` (unix seconds `expiry`, settled at `settlementPrice`,
 * quote native per contract) freed by `retiredBy` with its `seriesFreed` series slots, whose
 * generations were bumped (positions left in them are worth zero).
 */
export type ExpiryRetireLog = {
  exchange: Address;
  underlying: Address;
  expiryIndex: number;
  expiry: bigint;
  settlementPrice: bigint;
  seriesFreed: number;
  retiredBy: Address;
};

/**
 * listing_schedule_set: the underlying's listing rule: expiries every `cadenceSecs` from
 * `anchorTs` (unix seconds), `horizon` of them kept listed, `2 * halfStrikes + 1` strikes
 * `stepBps` apart around the spot, multiples of `tick` (quote native per contract), `oiCap`
 * contracts per series; `enabled` false keeps the rule and stops listing.
 */
export type ListingScheduleLog = {
  underlying: Address;
  cadenceSecs: bigint;
  anchorTs: bigint;
  horizon: number;
  halfStrikes: number;
  stepBps: number;
  tick: bigint;
  oiCap: bigint;
  enabled: boolean;
};

/**
 * listing_execute: the schedule listed `expiry` (unix seconds) at `strikes` strikes (a call and a
 * put each) around `spot` (quote native per contract). A SeriesListLog with the series follows.
 */
export type ListingExecuteLog = {
  underlying: Address;
  expiry: bigint;
  spot: bigint;
  strikes: number;
};

const delegateLogDecoder: Decoder<DelegateLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['account', getAddressDecoder()],
  ['owner', getAddressDecoder()],
  ['oldDelegate', getAddressDecoder()],
  ['newDelegate', getAddressDecoder()],
]);

const underlyingCreateLogDecoder: Decoder<UnderlyingCreateLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['underlying', getAddressDecoder()],
  ['oracle', getAddressDecoder()],
  ['feedId', fixDecoderSize(getBytesDecoder(), 32)],
  ['volOracle', getAddressDecoder()],
  ['underlyingIndex', getU16Decoder()],
  ['spotBankIndex', getU16Decoder()],
  ['oracleMaxAgeSecs', getU32Decoder()],
  ['oracleMaxConfBps', getU32Decoder()],
  ['surfaceMaxAgeSecs', getU32Decoder()],
  ['riskMaxAgeSecs', getU32Decoder()],
  ['riskSpotToleranceBps', getU32Decoder()],
]);

const seriesListLogDecoder: Decoder<SeriesListLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['underlying', getAddressDecoder()],
  ['expiry', getI64Decoder()],
  ['expiryIndex', getU8Decoder()],
  ['newExpiry', getBooleanDecoder()],
  ['firstSeriesIndex', getU16Decoder()],
  ['count', getU16Decoder()],
  ['strikes', getArrayDecoder(getU64Decoder())], // borsh Vec: u32 length prefix
  ['oiCap', getU64Decoder()],
  ['seriesIndices', getArrayDecoder(getU16Decoder())],
]);

const volSurfaceLogDecoder: Decoder<VolSurfaceLog> = getStructDecoder([
  ['underlying', getAddressDecoder()],
  ['volOracle', getAddressDecoder()],
  ['expiryIndex', getU8Decoder()],
  ['expiry', getI64Decoder()],
  ['a', getI64Decoder()],
  ['b', getI64Decoder()],
  ['rho', getI64Decoder()],
  ['m', getI64Decoder()],
  ['sigma', getI64Decoder()],
  ['surfaceSeq', getU64Decoder()],
  ['surfaceTs', getI64Decoder()],
]);

const insuranceCreateLogDecoder: Decoder<InsuranceCreateLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['insurance', getAddressDecoder()],
  ['admin', getAddressDecoder()],
]);

const riskRefreshLogDecoder: Decoder<RiskRefreshLog> = getStructDecoder([
  ['underlying', getAddressDecoder()],
  ['first', getU16Decoder()],
  ['end', getU16Decoder()],
  ['refreshed', getU16Decoder()],
  ['spot', getU64Decoder()],
  ['conf', getU64Decoder()],
  ['range', getI64Decoder()],
  ['realizedVol', getI64Decoder()],
  ['widened', getBooleanDecoder()],
  ['surfaceSeq', getU64Decoder()],
  ['staleSurface', getBooleanDecoder()],
]);

const settlementPriceLogDecoder: Decoder<SettlementPriceLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['underlying', getAddressDecoder()],
  ['expiryIndex', getU8Decoder()],
  ['expiry', getI64Decoder()],
  ['settlementPrice', getU64Decoder()],
  ['publishTime', getI64Decoder()],
  ['source', getAddressDecoder()],
]);

const expiryRetireLogDecoder: Decoder<ExpiryRetireLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['underlying', getAddressDecoder()],
  ['expiryIndex', getU8Decoder()],
  ['expiry', getI64Decoder()],
  ['settlementPrice', getU64Decoder()],
  ['seriesFreed', getU16Decoder()],
  ['retiredBy', getAddressDecoder()],
]);

const listingScheduleLogDecoder: Decoder<ListingScheduleLog> = getStructDecoder([
  ['underlying', getAddressDecoder()],
  ['cadenceSecs', getI64Decoder()],
  ['anchorTs', getI64Decoder()],
  ['horizon', getU8Decoder()],
  ['halfStrikes', getU8Decoder()],
  ['stepBps', getU16Decoder()],
  ['tick', getU64Decoder()],
  ['oiCap', getU64Decoder()],
  ['enabled', getBooleanDecoder()],
]);

const listingExecuteLogDecoder: Decoder<ListingExecuteLog> = getStructDecoder([
  ['underlying', getAddressDecoder()],
  ['expiry', getI64Decoder()],
  ['spot', getU64Decoder()],
  ['strikes', getU8Decoder()],
]);

/**
 * gov_propose: change `id` queued by `proposer`, executable from `unlockTs` (unix seconds);
 * `kind` = the Change's variant number (governance.ts CHANGE_KINDS), `change` its full content.
 */
export type GovProposedLog = {
  exchange: Address;
  proposal: Address;
  id: bigint;
  proposer: Address;
  kind: number;
  unlockTs: bigint;
  change: Change;
};

/** gov_execute: change `id` applied, by `executor` (anyone, after its unlock time). */
export type GovExecutedLog = { exchange: Address; proposal: Address; id: bigint; kind: number; executor: Address };

/** gov_cancel: change `id` cancelled `by` the admin, the guardian or its proposer. */
export type GovCancelledLog = { exchange: Address; proposal: Address; id: bigint; kind: number; by: Address };

/** admin_transfer_propose (`accepted` false; `pendingAdmin` named) or admin_transfer_accept (`accepted` true; `admin` = the new admin). */
export type AdminTransferLog = { exchange: Address; admin: Address; pendingAdmin: Address; accepted: boolean };

/** A volatility breaker tripped (by a smile update) or cleared (vol_breaker_clear); `windowMoveBps`: ATM moves summed in the window, vol bps. */
export type VolBreakerLog = { underlying: Address; tripped: boolean; windowMoveBps: bigint; by: Address; ts: bigint };

const govProposedLogDecoder: Decoder<GovProposedLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['proposal', getAddressDecoder()],
  ['id', getU64Decoder()],
  ['proposer', getAddressDecoder()],
  ['kind', getU8Decoder()],
  ['unlockTs', getI64Decoder()],
  ['change', getChangeDecoder()], // the generated borsh enum (same bytes as Proposal.change)
]);

const govExecutedLogDecoder: Decoder<GovExecutedLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['proposal', getAddressDecoder()],
  ['id', getU64Decoder()],
  ['kind', getU8Decoder()],
  ['executor', getAddressDecoder()],
]);

const govCancelledLogDecoder: Decoder<GovCancelledLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['proposal', getAddressDecoder()],
  ['id', getU64Decoder()],
  ['kind', getU8Decoder()],
  ['by', getAddressDecoder()],
]);

const adminTransferLogDecoder: Decoder<AdminTransferLog> = getStructDecoder([
  ['exchange', getAddressDecoder()],
  ['admin', getAddressDecoder()],
  ['pendingAdmin', getAddressDecoder()],
  ['accepted', getBooleanDecoder()],
]);

const volBreakerLogDecoder: Decoder<VolBreakerLog> = getStructDecoder([
  ['underlying', getAddressDecoder()],
  ['tripped', getBooleanDecoder()],
  ['windowMoveBps', getU64Decoder()],
  ['by', getAddressDecoder()],
  ['ts', getI64Decoder()],
]);

export function eventDiscriminator(name: string): Uint8Array {
  return createHash('sha256').update(`event:${name}`).digest().subarray(0, 8);
}

const PROGRAM_DATA = 'Program data: ';

/** All events named `name` in `logs`, decoded with `decoder`. */
export function findEvents<T>(logs: readonly string[], name: string, decoder: Decoder<T>): T[] {
  const disc = eventDiscriminator(name);
  const out: T[] = [];
  for (const line of logs) {
    if (!line.startsWith(PROGRAM_DATA)) continue;
    const bytes = getBase64Encoder().encode(line.slice(PROGRAM_DATA.length));
    if (bytes.length < 8 || !disc.every((b, i) => bytes[i] === b)) continue;
    out.push(decoder.decode(bytes, 8));
  }
  return out;
}

export const depositLogs = (logs: readonly string[]) => findEvents(logs, 'DepositLog', depositLogDecoder);
export const withdrawLogs = (logs: readonly string[]) => findEvents(logs, 'WithdrawLog', withdrawLogDecoder);
export const tradeLogs = (logs: readonly string[]) => findEvents(logs, 'TradeLog', tradeLogDecoder);
export const settleLogs = (logs: readonly string[]) => findEvents(logs, 'SettleLog', settleLogDecoder);
export const healthLogs = (logs: readonly string[]) => findEvents(logs, 'HealthLog', healthLogDecoder);
export const interestLogs = (logs: readonly string[]) => findEvents(logs, 'InterestLog', interestLogDecoder);
export const bankruptcyLogs = (logs: readonly string[]) => findEvents(logs, 'BankruptcyLog', bankruptcyLogDecoder);
export const rebalanceAccountsLogs = (logs: readonly string[]) => findEvents(logs, 'RebalanceAccountsLog', rebalanceAccountsLogDecoder);
export const rebalanceCollateralLogs = (logs: readonly string[]) => findEvents(logs, 'RebalanceCollateralLog', rebalanceCollateralLogDecoder);
export const realizedVolLogs = (logs: readonly string[]) => findEvents(logs, 'RealizedVolLog', realizedVolLogDecoder);
export const delegateLogs = (logs: readonly string[]) => findEvents(logs, 'DelegateLog', delegateLogDecoder);
export const underlyingCreateLogs = (logs: readonly string[]) => findEvents(logs, 'UnderlyingCreateLog', underlyingCreateLogDecoder);
export const seriesListLogs = (logs: readonly string[]) => findEvents(logs, 'SeriesListLog', seriesListLogDecoder);
export const volSurfaceLogs = (logs: readonly string[]) => findEvents(logs, 'VolSurfaceLog', volSurfaceLogDecoder);
export const insuranceCreateLogs = (logs: readonly string[]) => findEvents(logs, 'InsuranceCreateLog', insuranceCreateLogDecoder);
export const riskRefreshLogs = (logs: readonly string[]) => findEvents(logs, 'RiskRefreshLog', riskRefreshLogDecoder);
export const settlementPriceLogs = (logs: readonly string[]) => findEvents(logs, 'SettlementPriceLog', settlementPriceLogDecoder);
export const expiryRetireLogs = (logs: readonly string[]) => findEvents(logs, 'ExpiryRetireLog', expiryRetireLogDecoder);
export const listingScheduleLogs = (logs: readonly string[]) => findEvents(logs, 'ListingScheduleLog', listingScheduleLogDecoder);
export const listingExecuteLogs = (logs: readonly string[]) => findEvents(logs, 'ListingExecuteLog', listingExecuteLogDecoder);
export const govProposedLogs = (logs: readonly string[]) => findEvents(logs, 'GovProposedLog', govProposedLogDecoder);
export const govExecutedLogs = (logs: readonly string[]) => findEvents(logs, 'GovExecutedLog', govExecutedLogDecoder);
export const govCancelledLogs = (logs: readonly string[]) => findEvents(logs, 'GovCancelledLog', govCancelledLogDecoder);
export const adminTransferLogs = (logs: readonly string[]) => findEvents(logs, 'AdminTransferLog', adminTransferLogDecoder);
export const volBreakerLogs = (logs: readonly string[]) => findEvents(logs, 'VolBreakerLog', volBreakerLogDecoder);

/** The single event of a transaction (throws when there is not exactly one). */
export function singleEvent<T>(events: T[], name: string): T {
  if (events.length !== 1) throw new Error(`expected one ${name}, found ${events.length}`);
  return events[0]!;
}
