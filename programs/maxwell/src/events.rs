//! Events (`sol_log_data`, Anchor's `emit!`). Never change one in place: add a `...LogV2`.
//! Units: token amounts in the bank's native units; health in quote native units.

use anchor_lang::prelude::*;

#[event]
pub struct ExchangeInitLog {
    pub exchange: Pubkey,
    pub admin: Pubkey,
    pub quote_mint: Pubkey,
}

#[event]
pub struct BankCreateLog {
    pub exchange: Pubkey,
    pub bank: Pubkey,
    pub mint: Pubkey,
    pub bank_index: u16,
    pub is_quote: bool,
}

#[event]
pub struct IxGateSetLog {
    pub exchange: Pubkey,
    pub old_gate: u64,
    pub new_gate: u64,
}

#[event]
pub struct AccountCreateLog {
    pub exchange: Pubkey,
    pub account: Pubkey,
    pub owner: Pubkey,
    pub id: u32,
}

#[event]
pub struct AccountCloseLog {
    pub exchange: Pubkey,
    pub account: Pubkey,
    pub owner: Pubkey,
}

#[event]
pub struct DepositLog {
    pub exchange: Pubkey,
    pub account: Pubkey,
    pub bank: Pubkey,
    pub signer: Pubkey,
    /// Native units of the bank's mint.
    pub amount: u64,
    /// The account's balance in this bank after the deposit, native units.
    pub balance_after: i64,
    /// Health after, quote native units.
    pub init_health: i64,
    pub maint_health: i64,
    /// False if a stale or wide oracle was tolerated (deposits never need fresh prices).
    pub oracles_fresh: bool,
}

#[event]
pub struct WithdrawLog {
    pub exchange: Pubkey,
    pub account: Pubkey,
    pub bank: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub balance_after: i64,
    pub init_health: i64,
    pub maint_health: i64,
}

#[event]
pub struct TradeLog {
    pub exchange: Pubkey,
    pub underlying: Pubkey,
    pub maker: Pubkey,
    pub taker: Pubkey,
    pub series_index: u16,
    /// Contracts, from the taker's side (+ = taker bought).
    pub size: i64,
    /// Premium per contract, quote native units.
    pub price: u64,
    /// Initial health of each side after the trade, quote native units.
    pub maker_init_health: i64,
    pub taker_init_health: i64,
}

#[event]
pub struct SettleLog {
    pub account: Pubkey,
    pub underlying: Pubkey,
    pub series_index: u16,
    /// Contracts settled (signed: + = long).
    pub size: i64,
    /// Settlement price, quote native per contract.
    pub settlement_price: u64,
    /// Quote native units credited (+) or debited (-).
    pub payoff: i64,
}

/// `account_health`: the account's health, and its risk per underlying (quote native units
/// unless said otherwise). Also the instruction's return data (the same borsh bytes).
#[event]
#[derive(Debug)]
pub struct HealthLog {
    pub account: Pubkey,
    pub init_health: i64,
    pub maint_health: i64,
    pub initial_requirement: i64,
    pub maintenance_requirement: i64,
    pub option_value: i64,
    pub oracles_fresh: bool,
    /// One entry per underlying the account holds options on, in position order.
    pub underlyings: Vec<UnderlyingRiskLog>,
}

/// One underlying's portfolio Greeks and requirement, as the margin check computed them.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnderlyingRiskLog {
    pub underlying_index: u16,
    /// Option delta, contracts x 1e9.
    pub delta_e9: i64,
    /// Delta in quote: the options' and the spot collateral held in this underlying.
    pub delta_quote: i64,
    /// Gamma as `F^2 d2V/dF2` (a relative move x: delta_quote changes by about x times it).
    pub gamma_quote: i64,
    /// Per 1.00 (100 vol points) of implied volatility.
    pub vega_quote: i64,
    /// Per year.
    pub theta_quote: i64,
    /// Worst scenario loss (>= 0) and its index in the grid (`maxwell_risk::scenario`).
    pub worst_loss: i64,
    pub worst_scenario: u8,
    /// Maintenance requirement of this underlying: worst loss floored by the short-option
    /// minimum, plus the delta, vega, confidence and drift add-ons.
    pub maintenance_requirement: i64,
    /// Spot move since the risk arrays were built, bps.
    pub drift_bps: u64,
}

#[event]
pub struct LiquidateLog {
    pub exchange: Pubkey,
    pub liquidatee: Pubkey,
    pub liquidator: Pubkey,
    /// Penalty rate applied, bps.
    pub penalty_bps: u32,
    /// Penalty paid by the liquidatee, quote native units; `to_insurance` of it went to the fund.
    pub penalty: i64,
    pub to_insurance: i64,
    pub maint_health_before: i64,
    pub maint_health_after: i64,
}

/// One balance liquidation (`balance_liquidate`). Amounts in the named bank's native units
/// unless stated; health in quote native units.
#[event]
pub struct BalanceLiquidateLog {
    pub exchange: Pubkey,
    pub liquidatee: Pubkey,
    pub liquidator: Pubkey,
    pub asset_bank: Pubkey,
    pub liability_bank: Pubkey,
    /// Debt taken over by the liquidator (liability bank native units).
    pub liability_amount: u64,
    /// Asset given to the liquidator (asset bank native units).
    pub asset_amount: u64,
    /// Penalty rate, bps, and the penalty, quote native: `liability value x rate`, rounded up.
    pub penalty_bps: u32,
    pub penalty: u64,
    /// Paid by the liquidator to the insurance fund, quote native.
    pub to_insurance: u64,
    pub maint_health_before: i64,
    pub maint_health_after: i64,
    pub liquidator_init_health_after: i64,
}

#[event]
pub struct BankSetParamsLog {
    pub exchange: Pubkey,
    pub bank: Pubkey,
    pub params: crate::state::BankParamsArgs,
}

/// One interest accrual: `interest` native units more owed by borrowers; indices Q24.40.
#[event]
pub struct InterestLog {
    pub bank: Pubkey,
    pub seconds: u64,
    pub utilization_bps: u64,
    pub borrow_rate_bps: u64,
    pub interest: u64,
    pub deposit_index: u64,
    pub borrow_index: u64,
}

/// A bankrupt account's debt in one bank closed: `owed = covered_by_insurance + socialized`
/// (native units); the deposit index fell from `before` to `after` (Q24.40).
#[event]
pub struct BankruptcyLog {
    pub exchange: Pubkey,
    pub account: Pubkey,
    pub bank: Pubkey,
    pub keeper: Pubkey,
    pub owed: u64,
    pub covered_by_insurance: u64,
    pub socialized: u64,
    pub deposit_index_before: u64,
    pub deposit_index_after: u64,
}

#[event]
pub struct PolicySetLog {
    pub exchange: Pubkey,
    pub owner: Pubkey,
    pub policy: Pubkey,
    pub args: crate::state::PolicyArgs,
}

/// `amount` native units moved from `source`; `destination` received `amount - fee`, the
/// keeper `fee`; `value` is the quote value counted against the policy limits.
#[event]
pub struct RebalanceAccountsLog {
    pub policy: Pubkey,
    pub source: Pubkey,
    pub destination: Pubkey,
    pub keeper: Pubkey,
    pub bank: Pubkey,
    pub amount: u64,
    pub fee: u64,
    pub value: u64,
    pub destination_maint_before: i64,
    pub destination_maint_after: i64,
    pub source_maint_after: i64,
}

/// The keeper repaid `quote_amount` of the account's quote borrow and received `collateral`
/// native units of `bank` at the oracle price less `discount_bps`.
#[event]
pub struct RebalanceCollateralLog {
    pub account: Pubkey,
    pub keeper_account: Pubkey,
    pub bank: Pubkey,
    pub quote_amount: u64,
    pub collateral: u64,
    pub discount_bps: u16,
    pub maint_health_before: i64,
    pub maint_health_after: i64,
}

/// One realized-volatility update: variances annualized, Q52; `realized_vol` = sqrt(variance).
#[event]
pub struct RealizedVolLog {
    pub underlying: Pubkey,
    pub spot: u64,
    pub sample_variance: i64,
    pub variance: i64,
    pub realized_vol: i64,
}

/// `delegate_set`: the account's trading delegate went from `old_delegate` to `new_delegate`
/// (the default key = none).
#[event]
pub struct DelegateLog {
    pub exchange: Pubkey,
    pub account: Pubkey,
    pub owner: Pubkey,
    pub old_delegate: Pubkey,
    pub new_delegate: Pubkey,
}

/// `underlying_create`: the underlying's index, spot oracle and feed, vol oracle, spot bank
/// (`u16::MAX` = none) and its bounds as given (seconds, bps). Flat fields, not the args
/// struct: an args type used by an event stops being inlined in the generated instruction.
#[event]
pub struct UnderlyingCreateLog {
    pub exchange: Pubkey,
    pub underlying: Pubkey,
    pub oracle: Pubkey,
    pub feed_id: [u8; 32],
    pub vol_oracle: Pubkey,
    pub underlying_index: u16,
    pub spot_bank_index: u16,
    pub oracle_max_age_secs: u32,
    pub oracle_max_conf_bps: u32,
    pub surface_max_age_secs: u32,
    pub risk_max_age_secs: u32,
    pub risk_spot_tolerance_bps: u32,
}

/// `series_list`: `count` series listed at `series_indices` (strike-major, call then put; free
/// slots first, so not always contiguous; `first_series_index` is the first of them), on expiry
/// `expiry_index` (`new_expiry`: added by this call, possibly into a retired slot). Expiry in
/// unix seconds; strikes quote native per contract; `oi_cap` contracts.
#[event]
pub struct SeriesListLog {
    pub exchange: Pubkey,
    pub underlying: Pubkey,
    pub expiry: i64,
    pub expiry_index: u8,
    pub new_expiry: bool,
    pub first_series_index: u16,
    pub count: u16,
    pub strikes: Vec<u64>,
    pub oi_cap: u64,
    pub series_indices: Vec<u16>,
}

/// `vol_surface_update`: the SVI smile of one expiry (raw parameters `a, b, rho, m, sigma`,
/// Q52), the surface version after the update (bumped, so every risk array must be refreshed
/// on it, only when the grid's price range moved by more than `GRID_RESTALE_BPS`; otherwise only
/// this expiry's arrays are stale) and its time (unix seconds).
#[event]
pub struct VolSurfaceLog {
    pub underlying: Pubkey,
    pub vol_oracle: Pubkey,
    pub expiry_index: u8,
    pub expiry: i64,
    pub a: i64,
    pub b: i64,
    pub rho: i64,
    pub m: i64,
    pub sigma: i64,
    pub surface_seq: u64,
    pub surface_ts: i64,
}

/// `insurance_create`: the exchange's insurance fund (a margin account owned by the exchange).
#[event]
pub struct InsuranceCreateLog {
    pub exchange: Pubkey,
    pub insurance: Pubkey,
    pub admin: Pubkey,
}

/// `risk_refresh`: series `first..end` were in range (none when `end <= first`), `refreshed` of
/// them got new risk arrays (the listed, unexpired ones). Spot and oracle confidence in quote native per contract; `range` is the
/// price range of the grid (Q52, 0.15 = 15%) after any widening for realized vol
/// (`realized_vol`, annualized, Q52; `widened` when it set the range); `surface_seq` is the
/// surface version the arrays were built on.
#[event]
pub struct RiskRefreshLog {
    pub underlying: Pubkey,
    pub first: u16,
    pub end: u16,
    pub refreshed: u16,
    pub spot: u64,
    pub conf: u64,
    pub range: i64,
    pub realized_vol: i64,
    pub widened: bool,
    pub surface_seq: u64,
    /// Built on a surface older than its max age, with widened shocks (stale_surface_params).
    pub stale_surface: bool,
}

/// `expiry_settle_price`: the expiry's settlement price (quote native per contract) from the
/// oracle price published at `publish_time` (unix seconds, at or after `expiry`).
#[event]
pub struct SettlementPriceLog {
    pub exchange: Pubkey,
    pub underlying: Pubkey,
    pub expiry_index: u8,
    pub expiry: i64,
    pub settlement_price: u64,
    /// Of the Pyth price used; 0 for a governance fallback.
    pub publish_time: i64,
    /// The `PriceUpdateV2` account read (any account of the feed); the default key for a
    /// governance fallback (`gov_execute`'s `GovExecutedLog` names the proposal).
    pub source: Pubkey,
}

/// `expiry_retire`: expiry slot `expiry_index` (unix seconds `expiry`, settled at
/// `settlement_price`, quote native per contract) freed with its `series_freed` series slots,
/// whose generations were bumped. Positions left in them are worth zero (see the instruction).
#[event]
pub struct ExpiryRetireLog {
    pub exchange: Pubkey,
    pub underlying: Pubkey,
    pub expiry_index: u8,
    pub expiry: i64,
    pub settlement_price: u64,
    pub series_freed: u16,
    pub retired_by: Pubkey,
}

/// `listing_schedule_set`: the underlying's listing rule (see `ListingSchedule`): expiries every
/// `cadence_secs` seconds from `anchor_ts` (unix seconds), `horizon` of them kept listed,
/// `2 * half_strikes + 1` strikes `step_bps` (1/10,000 of spot) apart, multiples of `tick`
/// (quote native per contract), `oi_cap` contracts per series; `enabled` false stops listing.
#[event]
pub struct ListingScheduleLog {
    pub underlying: Pubkey,
    pub cadence_secs: i64,
    pub anchor_ts: i64,
    pub horizon: u8,
    pub half_strikes: u8,
    pub step_bps: u16,
    pub tick: u64,
    pub oi_cap: u64,
    pub enabled: bool,
}

/// `listing_execute`: the schedule listed `expiry` (unix seconds) at `strikes` strikes around
/// `spot` (quote native per contract; a call and a put each). A `SeriesListLog` with the
/// series follows in the same instruction.
#[event]
pub struct ListingExecuteLog {
    pub underlying: Pubkey,
    pub expiry: i64,
    pub spot: u64,
    pub strikes: u8,
}

/// A change queued (`gov_propose`); `unlock_ts` is the earliest execution (unix seconds).
#[event]
pub struct GovProposedLog {
    pub exchange: Pubkey,
    pub proposal: Pubkey,
    pub id: u64,
    pub proposer: Pubkey,
    /// `Change::kind()`.
    pub kind: u8,
    pub unlock_ts: i64,
    pub change: crate::state::Change,
}

/// A queued change executed (`gov_execute`), by anyone after its unlock time.
#[event]
pub struct GovExecutedLog {
    pub exchange: Pubkey,
    pub proposal: Pubkey,
    pub id: u64,
    pub kind: u8,
    pub executor: Pubkey,
}

/// A queued change cancelled (`gov_cancel`) by the admin, the guardian or its proposer.
#[event]
pub struct GovCancelledLog {
    pub exchange: Pubkey,
    pub proposal: Pubkey,
    pub id: u64,
    pub kind: u8,
    pub by: Pubkey,
}

/// An admin transfer proposed (`accepted` false) or accepted (`accepted` true).
#[event]
pub struct AdminTransferLog {
    pub exchange: Pubkey,
    pub admin: Pubkey,
    pub pending_admin: Pubkey,
    pub accepted: bool,
}

/// A volatility breaker tripped (by a smile update; `by` = the vol oracle) or cleared (by the
/// guardian). `window_move_bps`: sum of ATM moves in the window, vol bps.
#[event]
pub struct VolBreakerLog {
    pub underlying: Pubkey,
    pub tripped: bool,
    pub window_move_bps: u64,
    pub by: Pubkey,
    pub ts: i64,
}
