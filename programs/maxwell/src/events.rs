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
