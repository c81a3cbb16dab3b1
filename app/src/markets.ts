// Market instruction builders: underlyings (client-created zero-copy account), series listing
// (by hand, or by the underlying's listing schedule), volatility surfaces, the risk-array crank, trades, expiry settlement, delegates and the
// health read path. No RPC here: callers pass the state an instruction depends on (client.ts
// fetches it). Costly instructions come with a SetComputeUnitLimit in front.
import { getCreateAccountInstruction } from '@solana-program/system';
import type { Address, Instruction, TransactionSigner } from '@solana/kit';

import { setComputeUnitLimitIx } from './compute-budget.js';
import {
  getAccountHealthInstruction,
  getAccountSettleInstruction,
  getDelegateSetInstruction,
  getExpiryRetireInstruction,
  getExpirySettlePriceInstruction,
  getListingExecuteInstruction,
  getListingScheduleSetInstruction,
  getRiskRefreshInstruction,
  getSeriesListInstruction,
  getTradeInstruction,
  getUnderlyingCreateInstruction,
  getUnderlyingSize,
  getVolSurfaceUpdateInstruction,
  MAXWELL_PROGRAM_ADDRESS,
  type MarginAccount,
  type Position,
  type TradeLegArgs,
  type ListingScheduleSetInstructionDataArgs,
  type Underlying,
  type UnderlyingCreateInstructionDataArgs,
} from './generated/maxwell/index.js';
import { unionHealthAccountMetas, type HealthBank, type HealthUnderlying } from './health-accounts.js';
import { withRemaining } from './instructions.js';
import type { SviQ52 } from './svi.js';

/**
 * Risk arrays refreshed per transaction. A call and a put of the same strike side by side in a
 * transaction cost one evaluation set, about 45k CU the pair, plus about 50k per transaction
 * on a 16-expiry underlying (docs/compute-units.md: the crank-part rows and the capacity run's
 * 48-series transactions, about 1.15M at most): 48 series use about 80% of the 1.4M limit, and
 * even 48 series over 16 expiries (16 expiry grids) stay under it. Even, so that runs starting
 * on a call keep every pair together.
 */
export const REFRESH_SERIES_PER_TX = 48;

export const CALL = 0;
export const PUT = 1;
export type OptionKind = typeof CALL | typeof PUT;

/** `underlying_create` arguments (feed id, vol oracle, freshness bounds). */
export type UnderlyingParams = UnderlyingCreateInstructionDataArgs;

/**
 * `listing_schedule_set` arguments: expiries every `cadenceSecs` from `anchorTs` (unix s), the
 * next `horizon` of them kept listed, each with a call and a put at `2 * halfStrikes + 1` strikes
 * around the oracle spot, `stepBps` apart, multiples of `tick` (quote native per contract),
 * `oiCap` contracts per series; `enabled: false` keeps the rule and stops listing.
 */
export type ListingScheduleParams = ListingScheduleSetInstructionDataArgs;

/** Account size of an Underlying, discriminator included (the generated decoder's size). */
export const UNDERLYING_ACCOUNT_SIZE = getUnderlyingSize();

/**
 * Creates the Underlying account (System createAccount: owner Maxwell, zeroed, `lamports` for
 * rent exemption of UNDERLYING_ACCOUNT_SIZE) and initialises it, in one transaction.
 * `underlying` (a fresh keypair) and `admin` sign; `payer` pays the rent.
 */
export function underlyingCreateIxs(input: {
  admin: TransactionSigner;
  payer?: TransactionSigner;
  exchange: Address;
  underlying: TransactionSigner;
  /** The underlying's Pyth spot oracle. */
  oracle: Address;
  /** The bank holding this asset as collateral, if any. */
  spotBank?: Address;
  params: UnderlyingParams;
  lamports: bigint;
}): Instruction[] {
  const create = getCreateAccountInstruction({
    payer: input.payer ?? input.admin,
    newAccount: input.underlying,
    lamports: input.lamports,
    space: UNDERLYING_ACCOUNT_SIZE,
    programAddress: MAXWELL_PROGRAM_ADDRESS,
  });
  const init = getUnderlyingCreateInstruction({
    admin: input.admin,
    exchange: input.exchange,
    underlying: input.underlying.address,
    oracle: input.oracle,
    ...(input.spotBank ? { spotBank: input.spotBank } : {}),
    ...input.params,
  });
  return [create, init];
}

/** Lists a call and a put at each strike (quote native per contract) for `expiry` (unix s). */
export function seriesListIx(input: {
  admin: TransactionSigner;
  exchange: Address;
  underlying: Address;
  expiry: bigint;
  strikes: readonly bigint[];
  oiCap: bigint;
}): Instruction {
  return getSeriesListInstruction({ ...input, strikes: [...input.strikes] });
}

/**
 * Admin: sets, replaces or switches off the underlying's listing schedule (ListingScheduleInvalid
 * outside its bounds). Keepers then list by it with `listingExecuteIx`.
 */
export function listingScheduleSetIx(input: {
  admin: TransactionSigner;
  exchange: Address;
  underlying: Address;
  schedule: ListingScheduleParams;
}): Instruction {
  const { schedule, ...accounts } = input;
  return getListingScheduleSetInstruction({ ...accounts, ...schedule });
}

/**
 * Keeper (anyone; no signer beyond the fee payer): lists the earliest expiry of the schedule's
 * horizon not listed yet, strikes around the spot of `oracle` (the underlying's Pyth
 * PriceUpdateV2 account). ListingScheduleOff when the schedule is unset or off, ListingNotDue when
 * the horizon is listed; emits ListingExecuteLog then SeriesListLog.
 */
export function listingExecuteIx(input: { exchange: Address; underlying: Address; oracle: Address }): Instruction {
  return getListingExecuteInstruction(input);
}

/** Sets the SVI smile (Q52, see svi.ts) of expiry `expiryIndex`; the vol oracle signs. */
export function volSurfaceUpdateIx(input: {
  volOracle: TransactionSigner;
  exchange: Address;
  underlying: Address;
  expiryIndex: number;
  svi: SviQ52;
}): Instruction {
  const { svi, ...rest } = input;
  return getVolSurfaceUpdateInstruction({ ...rest, ...svi });
}

/**
 * The risk_refresh crank over series `first..first + count`, in transactions of
 * `perTx` series each (one instruction list per transaction, 1.4M CU limit each).
 */
export function riskRefreshBatches(input: {
  exchange: Address;
  underlying: Address;
  oracle: Address;
  first?: number;
  count: number;
  perTx?: number;
}): Instruction[][] {
  const perTx = input.perTx ?? REFRESH_SERIES_PER_TX;
  const first = input.first ?? 0;
  const batches: Instruction[][] = [];
  for (let i = first; i < first + input.count; i += perTx) {
    const count = Math.min(perTx, first + input.count - i);
    batches.push([
      setComputeUnitLimitIx(),
      getRiskRefreshInstruction({ exchange: input.exchange, underlying: input.underlying, oracle: input.oracle, first: i, count }),
    ]);
  }
  return batches;
}

/** One side of a trade: the margin account, its state, and its owner's or delegate's signer. */
export type TradeSide = { account: Address; state: Pick<MarginAccount, 'collateral' | 'positions'>; signer: TransactionSigner };

/** A leg from the taker's side: size > 0 = the taker buys; price = premium per contract, quote native. */
export type TradeLeg = TradeLegArgs;

/** What health-account resolution needs: every bank and underlying that may be referenced. */
export type HealthUniverse = { banks: readonly HealthBank[]; underlyings: readonly HealthUnderlying[] };

/**
 * A bilateral trade in one underlying (1 to 4 legs). Health accounts: the union over both
 * accounts before the trade, plus the quote bank (premiums may open its slot) and the traded
 * underlying (its spot is read even before positions exist). Both signers sign.
 */
export function tradeIxs(input: {
  exchange: Address;
  maker: TradeSide;
  taker: TradeSide;
  underlying: HealthUnderlying;
  quoteBank: HealthBank;
  legs: readonly TradeLeg[];
  universe: HealthUniverse;
}): Instruction[] {
  const ix = getTradeInstruction({
    exchange: input.exchange,
    maker: input.maker.account,
    makerSigner: input.maker.signer,
    taker: input.taker.account,
    takerSigner: input.taker.signer,
    underlying: input.underlying.address,
    quoteBank: input.quoteBank.address,
    legs: [...input.legs],
  });
  const health = unionHealthAccountMetas(
    [input.maker.state, input.taker.state],
    [...input.universe.banks, input.quoteBank],
    [...input.universe.underlyings, input.underlying],
    { bankIndexes: [input.quoteBank.bank.bankIndex], underlyingIndexes: [input.underlying.underlying.underlyingIndex] },
  );
  return [setComputeUnitLimitIx(), withRemaining(ix, health)];
}

/**
 * Keeper: sets an expiry's settlement price from a Pyth price published within
 * [expiry, expiry + 60 s]: the underlying's own oracle account while it still holds a price of
 * the window, else any fully verified PriceUpdateV2 account of the feed (a historical update
 * posted by the keeper).
 */
export function expirySettlePriceIx(input: {
  exchange: Address;
  underlying: Address;
  priceUpdate: Address;
  expiryIndex: number;
}): Instruction {
  return getExpirySettlePriceInstruction(input);
}

/**
 * Keeper (anyone): frees settled expiry `expiryIndex` and its series slots for new listings once
 * no series of it has long open interest and its `settled_net` is back to 0 (ExpiryNotSettled,
 * ExpiryOpenInterestLeft, ExpirySettlementInProgress otherwise; ExpirySlotFree when already
 * retired). Each freed series slot's generation is bumped: positions left in it are leftovers.
 */
export function expiryRetireIx(input: { keeper: TransactionSigner; exchange: Address; underlying: Address; expiryIndex: number }): Instruction {
  return getExpiryRetireInstruction(input);
}

/**
 * Keeper: cash-settles `account`'s positions in the settled expiries of `underlying` into quote.
 * Health accounts: the account's slots and positions now, plus the quote bank (payoffs may open
 * its slot); the settled underlying is an extra entry once its positions are gone, allowed.
 */
export function accountSettleIxs(input: {
  exchange: Address;
  account: Address;
  state: Pick<MarginAccount, 'collateral' | 'positions'>;
  underlying: Address;
  quoteBank: HealthBank;
  universe: HealthUniverse;
}): Instruction[] {
  const ix = getAccountSettleInstruction({
    exchange: input.exchange,
    account: input.account,
    underlying: input.underlying,
    quoteBank: input.quoteBank.address,
  });
  const health = unionHealthAccountMetas([input.state], [...input.universe.banks, input.quoteBank], input.universe.underlyings, {
    bankIndexes: [input.quoteBank.bank.bankIndex],
  });
  return [setComputeUnitLimitIx(), withRemaining(ix, health)];
}

/** Sets (or clears, with the default address 111...1) the account's trading delegate. */
export function delegateSetIx(input: { owner: TransactionSigner; exchange: Address; account: Address; delegate: Address }): Instruction {
  return getDelegateSetInstruction(input);
}

/** The read path: recomputes health (strict), caches it, emits HealthLog and returns it. */
export function accountHealthIxs(input: {
  exchange: Address;
  account: Address;
  state: Pick<MarginAccount, 'collateral' | 'positions'>;
  universe: HealthUniverse;
}): Instruction[] {
  const ix = getAccountHealthInstruction({ exchange: input.exchange, account: input.account });
  const health = unionHealthAccountMetas([input.state], input.universe.banks, input.universe.underlyings);
  return [setComputeUnitLimitIx(), withRemaining(ix, health)];
}

/**
 * Slots are recycled (expiry_retire): `nSeries` / `nExpiries` are high-water marks. A series
 * slot below it is free when `listed === 0`, an expiry slot when `expiry === 0n`.
 */
export const seriesSlotFree = (s: Pick<Underlying['series'][number], 'listed'>) => s.listed === 0;
export const expirySlotFree = (e: Pick<Underlying['expiries'][number], 'expiry'>) => e.expiry === 0n;

/** The listed series with their slot index (free slots skipped). */
export function listedSeries(u: Pick<Underlying, 'series' | 'nSeries'>): { index: number; series: Underlying['series'][number] }[] {
  return u.series
    .slice(0, u.nSeries)
    .map((series, index) => ({ index, series }))
    .filter(({ series }) => !seriesSlotFree(series));
}

/** The listed expiries with their slot index (free slots skipped). */
export function listedExpiries(u: Pick<Underlying, 'expiries' | 'nExpiries'>): { index: number; expiry: Underlying['expiries'][number] }[] {
  return u.expiries
    .slice(0, u.nExpiries)
    .map((expiry, index) => ({ index, expiry }))
    .filter(({ expiry }) => !expirySlotFree(expiry));
}

/**
 * A position of a retired expiry: its generation is not its series slot's (the slot was freed,
 * and maybe listed again). Worth exactly zero: the health rule skips it, trade and liquidate
 * refuse the slot for its account (PositionSeriesRecycled), account_settle removes it (payoff 0).
 */
export function isLeftover(u: Pick<Underlying, 'series'>, p: Pick<Position, 'seriesIndex' | 'generation'>): boolean {
  const s = u.series[p.seriesIndex];
  return s === undefined || s.generation !== p.generation;
}

/** The index of the listed series (strike, kind) of `expiry`; throws if not listed. */
export function seriesIndex(u: Pick<Underlying, 'series' | 'nSeries'>, expiry: bigint, strike: bigint, kind: OptionKind): number {
  const hit = listedSeries(u).find(({ series: s }) => s.expiry === expiry && s.strike === strike && s.kind === kind);
  if (!hit) throw new Error(`series ${kind === CALL ? 'call' : 'put'} ${strike} @ ${expiry} is not listed`);
  return hit.index;
}

/** The slot index of `expiry` among the underlying's listed expiries; throws if not listed. */
export function expiryIndex(u: Pick<Underlying, 'expiries' | 'nExpiries'>, expiry: bigint): number {
  const hit = expiry === 0n ? undefined : listedExpiries(u).find((e) => e.expiry.expiry === expiry);
  if (!hit) throw new Error(`expiry ${expiry} is not listed`);
  return hit.index;
}
