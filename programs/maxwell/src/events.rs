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
