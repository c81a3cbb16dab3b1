// The Maxwell client: fetches the state an instruction depends on, builds it (instructions.ts,
// markets.ts; health accounts attached), sends it (transactions.ts) and returns the decoded event.
import { generateKeyPairSigner, type Account, type Address, type TransactionSigner } from '@solana/kit';

import {
  collateralBalance,
  getBank,
  getBanksOfExchange,
  getMarginAccount,
  getMarginAccountsOfOwner,
  getUnderlying,
  getUnderlyingsOfExchange,
  type CollateralBank,
  type MarginAccount,
  type Underlying,
} from './accounts.js';
import {
  depositLogs,
  expiryRetireLogs,
  healthLogDecoder,
  healthLogs,
  listingExecuteLogs,
  listingScheduleLogs,
  seriesListLogs,
  settleLogs,
  tradeLogs,
  withdrawLogs,
  type DepositLog,
  type ExpiryRetireLog,
  type HealthLog,
  type ListingExecuteLog,
  type ListingScheduleLog,
  type SeriesListLog,
  type SettleLog,
  type TradeLog,
  type WithdrawLog,
} from './events.js';
import type { HealthBank, HealthUnderlying } from './health-accounts.js';
import { accountCloseIx, accountCreateIx, depositIx, withdrawIx, type CollateralMove } from './instructions.js';
import {
  accountHealthIxs,
  accountSettleIxs,
  delegateSetIx,
  expiryRetireIx,
  expirySettlePriceIx,
  listingExecuteIx,
  listingScheduleSetIx,
  riskRefreshBatches,
  seriesListIx,
  tradeIxs,
  UNDERLYING_ACCOUNT_SIZE,
  underlyingCreateIxs,
  volSurfaceUpdateIx,
  type HealthUniverse,
  type ListingScheduleParams,
  type TradeLeg,
  type UnderlyingParams,
} from './markets.js';
import { marginAccountAddress } from './pdas.js';
import type { SviQ52 } from './svi.js';
import { sendAndConfirm, simulate, type Connection, type SendResult } from './transactions.js';

/** A margin account and who signs for it (its owner or its trading delegate). */
export type Party = { account: Address; signer: TransactionSigner };

export class MaxwellClient {
  private banks = new Map<number, Account<CollateralBank>>();
  private underlyings = new Map<number, Account<Underlying>>();

  constructor(
    readonly conn: Connection,
    readonly exchange: Address,
  ) {}

  /** The exchange's banks by index (cached; refreshed when an unknown index shows up). */
  async banksByIndex(refresh = false): Promise<Map<number, Account<CollateralBank>>> {
    if (refresh || this.banks.size === 0) this.banks = await getBanksOfExchange(this.conn, this.exchange);
    return this.banks;
  }

  async bank(address: Address): Promise<Account<CollateralBank>> {
    const find = (m: Map<number, Account<CollateralBank>>) => [...m.values()].find((b) => b.address === address);
    const b = find(await this.banksByIndex()) ?? find(await this.banksByIndex(true));
    if (!b) throw new Error(`bank ${address} is not a bank of exchange ${this.exchange}`);
    return b;
  }

  /** Fresh state of one bank (indices, share totals; the cache above only serves addresses and oracles). */
  bankState(address: Address): Promise<Account<CollateralBank>> {
    return getBank(this.conn, address);
  }

  /**
   * The NATIVE balance of `account` in `bank` (negative = borrowed): its shares at the bank's
   * current stored indices (accounts.ts collateralBalance). Both fetched fresh.
   */
  async balance(account: Address, bank: Address): Promise<bigint> {
    const [acc, b] = await Promise.all([this.marginAccount(account), this.bankState(bank)]);
    return collateralBalance(acc.data, b.data);
  }

  marginAccountAddress(owner: Address, id: number): Promise<Address> {
    return marginAccountAddress(this.exchange, owner, id);
  }

  marginAccount(address: Address): Promise<Account<MarginAccount>> {
    return getMarginAccount(this.conn, address);
  }

  async marginAccountsOf(owner: Address): Promise<Account<MarginAccount>[]> {
    return (await getMarginAccountsOfOwner(this.conn, owner)).filter((a) => a.data.exchange === this.exchange);
  }

  async createAccount(owner: TransactionSigner, id: number): Promise<{ address: Address; result: SendResult }> {
    const result = await sendAndConfirm(this.conn, owner, [await accountCreateIx(owner, this.exchange, id)]);
    return { address: await this.marginAccountAddress(owner.address, id), result };
  }

  async closeAccount(owner: TransactionSigner, account: Address, rentDestination = owner.address): Promise<SendResult> {
    return sendAndConfirm(this.conn, owner, [accountCloseIx(owner, this.exchange, account, rentDestination)]);
  }

  /** Deposits `amount` native units of the bank's mint from `source`; returns the DepositLog. */
  async deposit(
    signer: TransactionSigner,
    account: Address,
    bank: Address,
    source: Address,
    amount: bigint,
  ): Promise<{ result: SendResult; event: DepositLog }> {
    const move = await this.move(account, bank, amount);
    const result = await sendAndConfirm(this.conn, signer, [depositIx(signer, source, move)]);
    return { result, event: single(depositLogs(result.logs), 'DepositLog') };
  }

  /** Withdraws `amount` native units to `destination`; returns the WithdrawLog. */
  async withdraw(
    owner: TransactionSigner,
    account: Address,
    bank: Address,
    destination: Address,
    amount: bigint,
  ): Promise<{ result: SendResult; event: WithdrawLog }> {
    const move = await this.move(account, bank, amount);
    const result = await sendAndConfirm(this.conn, owner, [withdrawIx(owner, destination, move)]);
    return { result, event: single(withdrawLogs(result.logs), 'WithdrawLog') };
  }

  private async move(account: Address, bank: Address, amount: bigint): Promise<CollateralMove> {
    const [acc, b] = await Promise.all([this.marginAccount(account), this.bank(bank).then((x) => this.bankState(x.address))]);
    const universe = await this.universe([acc.data]);
    return {
      exchange: this.exchange,
      account,
      accountState: acc.data,
      bank,
      bankState: b.data,
      banks: universe.banks,
      underlyings: universe.underlyings,
      amount,
    };
  }

  // ---- markets ----

  /** The exchange's underlyings by index (cached; the cache only serves addresses and oracles). */
  async underlyingsByIndex(refresh = false): Promise<Map<number, Account<Underlying>>> {
    if (refresh || this.underlyings.size === 0) this.underlyings = await getUnderlyingsOfExchange(this.conn, this.exchange);
    return this.underlyings;
  }

  /** Fresh state of one underlying (series, expiries, risk arrays, open interest). */
  underlying(address: Address): Promise<Account<Underlying>> {
    return getUnderlying(this.conn, address);
  }

  /** The quote bank (is_quote == 1). */
  async quoteBank(): Promise<HealthBank> {
    const find = (m: Map<number, Account<CollateralBank>>) => [...m.values()].find((b) => b.data.isQuote === 1);
    const q = find(await this.banksByIndex()) ?? find(await this.banksByIndex(true));
    if (!q) throw new Error(`exchange ${this.exchange} has no quote bank`);
    return { address: q.address, bank: q.data };
  }

  /** Every bank and underlying the given accounts reference (caches refreshed on a miss). */
  async universe(accounts: readonly Pick<MarginAccount, 'collateral' | 'positions'>[]): Promise<HealthUniverse> {
    const bankIdx = accounts.flatMap((a) => a.collateral.filter((s) => s.inUse === 1).map((s) => s.bankIndex));
    const underIdx = accounts.flatMap((a) => a.positions.filter((p) => p.inUse === 1).map((p) => p.underlyingIndex));
    let banks = await this.banksByIndex();
    if (bankIdx.some((i) => !banks.has(i))) banks = await this.banksByIndex(true);
    let unders = underIdx.length ? await this.underlyingsByIndex() : this.underlyings;
    if (underIdx.some((i) => !unders.has(i))) unders = await this.underlyingsByIndex(true);
    return {
      banks: [...banks.values()].map((b) => ({ address: b.address, bank: b.data })),
      underlyings: [...unders.values()].map((u): HealthUnderlying => ({ address: u.address, underlying: u.data })),
    };
  }

  /**
   * Creates an underlying: a fresh 158 KB account (rent paid by `admin`) initialised in the
   * same transaction. `spotBank`: the bank holding this asset as collateral, if any.
   */
  async createUnderlying(
    admin: TransactionSigner,
    input: { oracle: Address; spotBank?: Address; params: UnderlyingParams },
  ): Promise<{ address: Address; result: SendResult }> {
    const underlying = await generateKeyPairSigner();
    const lamports = await this.conn.rpc.getMinimumBalanceForRentExemption(BigInt(UNDERLYING_ACCOUNT_SIZE)).send();
    const ixs = underlyingCreateIxs({ admin, exchange: this.exchange, underlying, lamports, ...input });
    const result = await sendAndConfirm(this.conn, admin, ixs);
    await this.underlyingsByIndex(true);
    return { address: underlying.address, result };
  }

  /** Lists a call and a put per strike (quote native per contract) at `expiry` (unix seconds). */
  listSeries(
    admin: TransactionSigner,
    underlying: Address,
    input: { expiry: bigint; strikes: readonly bigint[]; oiCap: bigint },
  ): Promise<SendResult> {
    return sendAndConfirm(this.conn, admin, [seriesListIx({ admin, exchange: this.exchange, underlying, ...input })]);
  }

  /**
   * Admin: sets, replaces or switches off (`enabled: false`) the underlying's listing schedule,
   * by which any keeper then lists its expiries (`executeListing`). Returns the ListingScheduleLog.
   */
  async setListingSchedule(
    admin: TransactionSigner,
    underlying: Address,
    schedule: ListingScheduleParams,
  ): Promise<{ result: SendResult; event: ListingScheduleLog }> {
    const result = await sendAndConfirm(this.conn, admin, [listingScheduleSetIx({ admin, exchange: this.exchange, underlying, schedule })]);
    return { result, event: single(listingScheduleLogs(result.logs), 'ListingScheduleLog') };
  }

  /**
   * Keeper (anyone; `payer` only pays the fee): lists the next expiry the underlying's schedule
   * asks for, strikes around the spot of `oracle` (default: the underlying's oracle, read from
   * the account). Returns the ListingExecuteLog and the SeriesListLog of the series listed;
   * ListingNotDue when the horizon is listed, ListingScheduleOff without an enabled schedule.
   */
  async executeListing(
    payer: TransactionSigner,
    underlying: Address,
    oracle?: Address,
  ): Promise<{ result: SendResult; event: ListingExecuteLog; series: SeriesListLog }> {
    const o = oracle ?? (await this.underlying(underlying)).data.oracle;
    const result = await sendAndConfirm(this.conn, payer, [listingExecuteIx({ exchange: this.exchange, underlying, oracle: o })]);
    return {
      result,
      event: single(listingExecuteLogs(result.logs), 'ListingExecuteLog'),
      series: single(seriesListLogs(result.logs), 'SeriesListLog'),
    };
  }

  /** Sets the smile of one expiry (the vol oracle signs and pays). */
  setSurface(volOracle: TransactionSigner, underlying: Address, expiryIndex: number, svi: SviQ52): Promise<SendResult> {
    return sendAndConfirm(this.conn, volOracle, [volSurfaceUpdateIx({ volOracle, exchange: this.exchange, underlying, expiryIndex, svi })]);
  }

  /**
   * Refreshes the risk arrays of every listed series (or `first..first + count`), a few per
   * transaction; `payer` is any keeper. Returns one result per transaction.
   */
  async refreshRisk(
    payer: TransactionSigner,
    underlying: Address,
    opts: { first?: number; count?: number; perTx?: number } = {},
  ): Promise<SendResult[]> {
    const u = (await this.underlying(underlying)).data;
    const first = opts.first ?? 0;
    const count = opts.count ?? u.nSeries - first;
    const batches = riskRefreshBatches({
      exchange: this.exchange, underlying, oracle: u.oracle, first, count, ...(opts.perTx ? { perTx: opts.perTx } : {}),
    });
    const results: SendResult[] = [];
    for (const ixs of batches) results.push(await sendAndConfirm(this.conn, payer, ixs));
    return results;
  }

  /**
   * A bilateral trade (legs from the taker's side); both signers sign, `feePayer` (default:
   * the taker's signer) pays. Returns one TradeLog per leg.
   */
  async trade(
    maker: Party,
    taker: Party,
    underlying: Address,
    legs: readonly TradeLeg[],
    feePayer: TransactionSigner = taker.signer,
  ): Promise<{ result: SendResult; events: TradeLog[] }> {
    const result = await sendAndConfirm(this.conn, feePayer, await this.tradeInstructions(maker, taker, underlying, legs));
    return { result, events: tradeLogs(result.logs) };
  }

  /**
   * The instructions of `trade` (compute budget + trade with both accounts' health accounts),
   * e.g. for a maker that signs its part and hands the transaction to the taker (the CLI's
   * `trade --sign-partial`; a signer may be a `createNoopSigner` of the other side's address).
   */
  async tradeInstructions(maker: Party, taker: Party, underlying: Address, legs: readonly TradeLeg[]) {
    const [m, t, u, quoteBank] = await Promise.all([
      this.marginAccount(maker.account),
      this.marginAccount(taker.account),
      this.underlying(underlying),
      this.quoteBank(),
    ]);
    const universe = await this.universe([m.data, t.data]);
    const ixs = tradeIxs({
      exchange: this.exchange,
      maker: { ...maker, state: m.data },
      taker: { ...taker, state: t.data },
      underlying: { address: u.address, underlying: u.data },
      quoteBank,
      legs,
      universe,
    });
    return ixs;
  }

  /**
   * Keeper: sets the settlement price of `expiryIndex` from `priceUpdate` (default: the
   * underlying's oracle account), which must hold a price published within [expiry, expiry + 60 s].
   */
  async settlePrice(payer: TransactionSigner, underlying: Address, expiryIndex: number, priceUpdate?: Address): Promise<SendResult> {
    const u = (await this.underlying(underlying)).data;
    const ix = expirySettlePriceIx({ exchange: this.exchange, underlying, priceUpdate: priceUpdate ?? u.oracle, expiryIndex });
    return sendAndConfirm(this.conn, payer, [ix]);
  }

  /** Keeper: settles `account`'s positions in the settled expiries of `underlying`; one SettleLog per position. */
  async settleAccount(payer: TransactionSigner, account: Address, underlying: Address): Promise<{ result: SendResult; events: SettleLog[] }> {
    const [acc, quoteBank] = await Promise.all([this.marginAccount(account), this.quoteBank()]);
    const universe = await this.universe([acc.data]);
    const ixs = accountSettleIxs({ exchange: this.exchange, account, state: acc.data, underlying, quoteBank, universe });
    const result = await sendAndConfirm(this.conn, payer, ixs);
    return { result, events: settleLogs(result.logs) };
  }

  /**
   * Keeper (anyone): frees settled expiry `expiryIndex` of `underlying` and its series slots for
   * new listings (every long settled, settled_net 0); `payer` signs as the keeper. Returns the
   * ExpiryRetireLog. Positions still open in it become leftovers (markets.ts isLeftover).
   */
  async retireExpiry(payer: TransactionSigner, underlying: Address, expiryIndex: number): Promise<{ result: SendResult; event: ExpiryRetireLog }> {
    const result = await sendAndConfirm(this.conn, payer, [expiryRetireIx({ keeper: payer, exchange: this.exchange, underlying, expiryIndex })]);
    return { result, event: single(expiryRetireLogs(result.logs), 'ExpiryRetireLog') };
  }

  /** Sets (or clears with 11111111111111111111111111111111) the account's trading delegate. */
  setDelegate(owner: TransactionSigner, account: Address, delegate: Address): Promise<SendResult> {
    return sendAndConfirm(this.conn, owner, [delegateSetIx({ owner, exchange: this.exchange, account, delegate })]);
  }

  /**
   * The account's health now (strict: fresh oracles and risk arrays), from a simulation of
   * `account_health` (its return data); nothing is written. `feePayer`: any funded address.
   */
  async health(account: Address, feePayer: Address): Promise<HealthLog> {
    const ixs = await this.healthIxs(account);
    const sim = await simulate(this.conn, feePayer, ixs);
    if (!sim.returnData) throw new Error('account_health returned no data');
    return healthLogDecoder.decode(sim.returnData.data);
  }

  /** Runs `account_health` for real (caches the health on the account); returns its HealthLog. */
  async refreshHealth(payer: TransactionSigner, account: Address): Promise<{ result: SendResult; event: HealthLog }> {
    const result = await sendAndConfirm(this.conn, payer, await this.healthIxs(account));
    return { result, event: single(healthLogs(result.logs), 'HealthLog') };
  }

  private async healthIxs(account: Address) {
    const acc = await this.marginAccount(account);
    return accountHealthIxs({ exchange: this.exchange, account, state: acc.data, universe: await this.universe([acc.data]) });
  }
}

function single<T>(events: T[], name: string): T {
  if (events.length !== 1) throw new Error(`expected one ${name}, found ${events.length}`);
  return events[0]!;
}
