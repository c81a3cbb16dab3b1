//! Maxwell: an on-chain cross-margin engine for crypto options.
//!
//! This crate is the thin Anchor shell: it loads and validates accounts, builds plain
//! snapshots, calls the pure risk engine (`maxwell_risk`), applies the result, moves
//! tokens and emits events. Every instruction that changes an account's risk ends at
//! one margin check (`health::compute_health`).
//!
//! Handler order everywhere: load, validate, apply, CPI, margin check, invariants, event.
#![allow(unexpected_cfgs)]

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod health;
pub mod instructions;
pub mod oracle;
pub mod state;

use instructions::*;
use state::{BankParamsArgs, Change, ExchangeParamsArgs, PolicyArgs};

declare_id!("4293dS1JYmRSUGpMzpPHmTpPZZwkXHw6MByMWU6Apbnn");

#[program]
pub mod maxwell {
    use super::*;

    /// Creates the exchange (PDA `["exchange", admin]`) with its quote mint and
    /// bounded risk parameters. The signer becomes the admin.
    pub fn exchange_init(ctx: Context<ExchangeInit>, params: ExchangeParamsArgs, timelock_secs: u32) -> Result<()> {
        instructions::exchange_init(ctx, params, timelock_secs)
    }

    /// Admin: sets the kill-switch bitmask (bit `IxGate::X` set = X disabled).
    pub fn ix_gate_set(ctx: Context<IxGateSet>, gate: u64) -> Result<()> {
        instructions::ix_gate_set(ctx, gate)
    }

    /// Admin: lists a collateral mint (SPL Token or Token-2022 without extensions) with its
    /// PDA vault, Pyth oracle (none for the quote mint), weights and deposit cap.
    pub fn bank_create(ctx: Context<BankCreate>, params: BankParamsArgs) -> Result<()> {
        instructions::bank_create(ctx, params)
    }

    /// Opens a margin account (PDA `["margin", exchange, owner, id]`).
    pub fn account_create(ctx: Context<AccountCreate>, id: u32) -> Result<()> {
        instructions::account_create(ctx, id)
    }

    /// Closes an empty margin account, returning its rent.
    pub fn account_close(ctx: Context<AccountClose>) -> Result<()> {
        instructions::account_close(ctx)
    }

    /// Deposits collateral. Remaining accounts: health accounts after the deposit.
    pub fn deposit<'info>(ctx: Context<'info, Deposit<'info>>, amount: u64) -> Result<()> {
        instructions::deposit(ctx, amount)
    }

    /// Withdraws collateral (owner only) if initial health stays >= 0.
    /// Remaining accounts: health accounts after the withdrawal.
    pub fn withdraw<'info>(ctx: Context<'info, Withdraw<'info>>, amount: u64) -> Result<()> {
        instructions::withdraw(ctx, amount)
    }

    /// Admin: initialises an underlying (a client-created zero account) with its Pyth spot
    /// oracle, volatility oracle, staleness bounds and optional spot collateral bank.
    pub fn underlying_create(ctx: Context<UnderlyingCreate>, args: UnderlyingCreateArgs) -> Result<()> {
        instructions::underlying_create(ctx, args)
    }

    /// Admin: lists calls and puts at the given strikes for an expiry (added if new).
    pub fn series_list(ctx: Context<SeriesList>, args: SeriesListArgs) -> Result<()> {
        instructions::series_list(ctx, args)
    }

    /// Volatility oracle: sets one expiry's SVI smile (validated) and bumps the surface version.
    pub fn vol_surface_update(ctx: Context<VolSurfaceUpdate>, expiry_index: u8, svi: SviArgs) -> Result<()> {
        instructions::vol_surface_update(ctx, expiry_index, svi)
    }

    /// Keeper crank: recomputes the scenario grid and the risk arrays of `count` series from `first`.
    pub fn risk_refresh(ctx: Context<RiskRefresh>, first: u16, count: u16) -> Result<()> {
        instructions::risk_refresh(ctx, first, count)
    }

    /// Bilateral fill between two margin accounts (both owners or delegates sign).
    /// Remaining accounts: health accounts covering both accounts after the trade.
    pub fn trade<'info>(ctx: Context<'info, Trade<'info>>, legs: Vec<TradeLeg>) -> Result<()> {
        instructions::trade(ctx, legs)
    }

    /// Keeper: sets an expiry's settlement price once, from the oracle after expiry.
    pub fn expiry_settle_price(ctx: Context<ExpirySettlePrice>, expiry_index: u8) -> Result<()> {
        instructions::expiry_settle_price(ctx, expiry_index)
    }

    /// Keeper: frees a settled expiry's slots for new listings (generations bumped).
    pub fn expiry_retire(ctx: Context<ExpiryRetire>, expiry_index: u8) -> Result<()> {
        instructions::expiry_retire(ctx, expiry_index)
    }

    /// Admin: sets, replaces or switches off the underlying's listing schedule.
    pub fn listing_schedule_set(ctx: Context<ListingScheduleSet>, args: ListingScheduleArgs) -> Result<()> {
        instructions::listing_schedule_set(ctx, args)
    }

    /// Keeper: lists the next expiry the underlying's schedule asks for, strikes around the spot.
    pub fn listing_execute(ctx: Context<ListingExecute>) -> Result<()> {
        instructions::listing_execute(ctx)
    }

    /// Keeper: cash-settles an account's positions in settled expiries of one underlying.
    pub fn account_settle<'info>(ctx: Context<'info, AccountSettle<'info>>) -> Result<()> {
        instructions::account_settle(ctx)
    }

    /// Owner: sets or clears the trading delegate (trades and deposits, never withdraws).
    pub fn delegate_set(ctx: Context<DelegateSet>, delegate: Pubkey) -> Result<()> {
        instructions::delegate_set(ctx, delegate)
    }

    /// Read path: recomputes, caches, logs and returns the account's health.
    pub fn account_health<'info>(ctx: Context<'info, AccountHealth<'info>>) -> Result<()> {
        instructions::account_health(ctx)
    }

    /// Admin: creates the insurance fund (a margin account owned by the exchange PDA).
    pub fn insurance_create(ctx: Context<InsuranceCreate>) -> Result<()> {
        instructions::insurance_create(ctx)
    }

    /// Keeper: takes over part of a liquidatable account's positions at a penalised mark.
    /// Remaining accounts: health accounts covering liquidatee and liquidator afterwards.
    pub fn liquidate<'info>(ctx: Context<'info, Liquidate<'info>>, legs: Vec<LiquidateLeg>) -> Result<()> {
        instructions::liquidate(ctx, legs)
    }

    /// Admin: changes a bank's weights, caps, oracle limits and rate curve (feed id fixed).
    pub fn bank_set_params(ctx: Context<BankSetParams>, params: BankParamsArgs) -> Result<()> {
        instructions::bank_set_params(ctx, params)
    }

    /// Keeper (anyone): accrues a bank's interest to now.
    pub fn accrue_interest(ctx: Context<AccrueInterest>) -> Result<()> {
        instructions::accrue_interest(ctx)
    }

    /// Keeper: takes over part of a liquidatable account's debt in one bank against its balance
    /// in another, at oracle prices plus a penalty, as far as maintenance health zero.
    /// Remaining accounts: health accounts covering both accounts and the two banks.
    pub fn balance_liquidate<'info>(ctx: Context<'info, BalanceLiquidate<'info>>, max_liability_amount: u64) -> Result<()> {
        instructions::balance_liquidate(ctx, max_liability_amount)
    }

    /// Keeper (anyone): closes a bankrupt account's debt in one bank: the insurance fund
    /// first, then socialized over the bank's depositors.
    pub fn bankruptcy_resolve<'info>(ctx: Context<'info, BankruptcyResolve<'info>>) -> Result<()> {
        instructions::bankruptcy_resolve(ctx)
    }

    /// Owner: creates or replaces its rebalance policy. Remaining accounts: the listed accounts.
    pub fn policy_set<'info>(ctx: Context<'info, PolicySet<'info>>, args: PolicyArgs) -> Result<()> {
        instructions::policy_set(ctx, args)
    }

    /// Keeper: moves free collateral between one owner's accounts as its policy allows.
    pub fn rebalance_accounts<'info>(ctx: Context<'info, RebalanceAccounts<'info>>, amount: u64) -> Result<()> {
        instructions::rebalance_accounts(ctx, amount)
    }

    /// Keeper: repays an account's quote borrow and takes its collateral at a bounded discount.
    pub fn rebalance_collateral<'info>(
        ctx: Context<'info, RebalanceCollateral<'info>>,
        quote_amount: u64,
        discount_bps: u16,
    ) -> Result<()> {
        instructions::rebalance_collateral(ctx, quote_amount, discount_bps)
    }

    /// Keeper: folds the oracle's latest log return into the realized-volatility EWMA.
    pub fn realized_vol_update(ctx: Context<RealizedVolUpdate>) -> Result<()> {
        instructions::realized_vol_update(ctx)
    }

    /// Admin or risk role: queues a change as proposal `id` (the exchange's next), executable
    /// by anyone after the timelock. Optional accounts: the change's bank or underlying.
    pub fn gov_propose(ctx: Context<GovPropose>, id: u64, change: Change) -> Result<()> {
        instructions::gov_propose(ctx, id, change)
    }

    /// Anyone, after the unlock time: validates a queued change again and applies it.
    pub fn gov_execute(ctx: Context<GovExecute>) -> Result<()> {
        instructions::gov_execute(ctx)
    }

    /// Admin, guardian or proposer: cancels a pending change.
    pub fn gov_cancel(ctx: Context<GovCancel>) -> Result<()> {
        instructions::gov_cancel(ctx)
    }

    /// Admin: names a successor (two-step transfer).
    pub fn admin_transfer_propose(ctx: Context<AdminTransferPropose>, new_admin: Pubkey) -> Result<()> {
        instructions::admin_transfer_propose(ctx, new_admin)
    }

    /// The named successor: becomes the admin.
    pub fn admin_transfer_accept(ctx: Context<AdminTransferAccept>) -> Result<()> {
        instructions::admin_transfer_accept(ctx)
    }

    /// Guardian or admin: clears an underlying's tripped volatility breaker.
    pub fn vol_breaker_clear(ctx: Context<VolBreakerClear>) -> Result<()> {
        instructions::vol_breaker_clear(ctx)
    }

    /// Benchmark only (feature `bench`): the measurement's own overhead.
    #[cfg(feature = "bench")]
    pub fn bench_noop(_ctx: Context<Bench>) -> Result<()> {
        instructions::bench_noop()
    }

    /// Benchmark only (feature `bench`): N(x).
    #[cfg(feature = "bench")]
    pub fn bench_normal_cdf(_ctx: Context<Bench>, x: i64) -> Result<()> {
        instructions::bench_normal_cdf(x)
    }

    /// Benchmark only (feature `bench`): Black-76 price + Greeks of one series.
    #[cfg(feature = "bench")]
    pub fn bench_black76(_ctx: Context<Bench>, forward: u64, strike: u64, vol: i64, secs: i64) -> Result<()> {
        instructions::bench_black76(forward, strike, vol, secs)
    }

    /// Benchmark only (feature `bench`): one part of the crank's work on one strike.
    #[cfg(feature = "bench")]
    pub fn bench_crank_part(_ctx: Context<Bench>, part: u8, strike: u64) -> Result<()> {
        instructions::bench_crank_part(part, strike)
    }

    /// Benchmark only (feature `bench`): portfolio margin from stored risk arrays.
    #[cfg(feature = "bench")]
    pub fn bench_margin(_ctx: Context<Bench>, n_positions: u16, n_underlyings: u8, n_tokens: u8) -> Result<()> {
        instructions::bench_margin(n_positions, n_underlyings, n_tokens)
    }

    /// Benchmark only (feature `bench`): portfolio margin with options expiring inside the horizon.
    #[cfg(feature = "bench")]
    pub fn bench_margin_kinks(_ctx: Context<Bench>, n_long: u16, n_short: u16) -> Result<()> {
        instructions::bench_margin_kinks(n_long, n_short)
    }
}
