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
use state::{BankParamsArgs, ExchangeParamsArgs};

declare_id!("4293dS1JYmRSUGpMzpPHmTpPZZwkXHw6MByMWU6Apbnn");

#[program]
pub mod maxwell {
    use super::*;

    /// Creates the exchange (PDA `["exchange", admin]`) with its quote mint and
    /// bounded risk parameters. The signer becomes the admin.
    pub fn exchange_init(ctx: Context<ExchangeInit>, params: ExchangeParamsArgs) -> Result<()> {
        instructions::exchange_init(ctx, params)
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
}
