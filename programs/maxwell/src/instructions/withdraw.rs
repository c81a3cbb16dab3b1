use anchor_lang::prelude::*;
use anchor_spl::token_interface::{transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked};

use maxwell_engine::governance::admit_outflow;

use crate::constants::BANK_SEED;
use crate::error::MaxwellError;
use crate::events::WithdrawLog;
use crate::health::{cache_health, compute_health};
use crate::oracle::Freshness;
use crate::state::{CollateralBank, Exchange, IxGate, MarginAccount};

#[derive(Accounts)]
pub struct Withdraw<'info> {
    /// Only the owner withdraws (a delegate cannot).
    pub owner: Signer<'info>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(
        mut,
        has_one = exchange @ MaxwellError::WrongExchange,
        has_one = owner @ MaxwellError::NotOwner,
    )]
    pub account: AccountLoader<'info, MarginAccount>,
    #[account(
        mut,
        has_one = exchange @ MaxwellError::WrongExchange,
        has_one = mint @ MaxwellError::WrongMint,
        has_one = vault @ MaxwellError::WrongVault,
        has_one = token_program @ MaxwellError::WrongTokenProgram,
    )]
    pub bank: AccountLoader<'info, CollateralBank>,
    #[account(mut)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(mut, constraint = destination.mint == mint.key() @ MaxwellError::WrongMint)]
    pub destination: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
}

/// Withdraws `amount` native units to `destination`; beyond the account's balance the rest is
/// borrowed from the bank's depositors (only where the bank has a borrow cap). Remaining
/// accounts: the health accounts of the account after the withdrawal. Refused if initial-margin
/// health would be negative, if the vault does not hold `amount` (lent out), or beyond the
/// bank's withdrawal breaker (net outflow per window, `Governance::outflow_*`).
pub fn withdraw<'info>(ctx: Context<'info, Withdraw<'info>>, amount: u64) -> Result<()> {
    // Load and validate.
    let exchange = ctx.accounts.exchange.load()?;
    exchange.require_enabled(IxGate::Withdraw)?;
    require!(amount > 0, MaxwellError::ZeroAmount);
    let mut acc = ctx.accounts.account.load_mut()?;
    let delta = i64::try_from(amount).map_err(|_| MaxwellError::MathOverflow)?;

    // Apply: interest accrues; beyond the balance the withdrawal is a borrow (within the
    // bank's borrow cap, and the margin check below).
    let now = Clock::get()?.unix_timestamp;
    let (balance_after, exchange_key, mint, bump) = {
        let mut bank = ctx.accounts.bank.load_mut()?;
        bank.accrue(now)?;
        let old = acc.slot_index(bank.bank_index).map_or(0, |i| acc.collateral[i].balance);
        let available = bank.value(old)?;
        require!(available >= delta || bank.borrow_cap > 0, MaxwellError::InsufficientBalance);
        // Lent-out collateral is not in the vault: refuse clearly rather than fail in the CPI.
        require!(ctx.accounts.vault.amount >= amount, MaxwellError::InsufficientVaultLiquidity);
        // The withdrawal breaker: net outflow per window within a bounded share of deposits.
        let deposits = bank.index().total_deposits().map_err(MaxwellError::from)?;
        let window =
            admit_outflow(bank.outflow.get(), &exchange.gov.outflow_bounds(), now, deposits, amount).map_err(MaxwellError::from)?;
        bank.outflow.set(window);
        let new = acc.move_balance(&mut bank, -delta, now)?;
        if new < 0 {
            bank.require_borrow_cap()?;
        }
        bank.invariant()?;
        (bank.value(new)?, bank.exchange, bank.mint, bank.bump)
    }; // bank borrow dropped before the CPI, which reads the bank as signer.

    // CPI: tokens out, signed by the bank PDA (the vault's authority).
    let seeds: &[&[u8]] = &[BANK_SEED, exchange_key.as_ref(), mint.as_ref(), &[bump]];
    transfer_checked(
        CpiContext::new_with_signer(
            ctx.accounts.token_program.key(),
            TransferChecked {
                from: ctx.accounts.vault.to_account_info(),
                mint: ctx.accounts.mint.to_account_info(),
                to: ctx.accounts.destination.to_account_info(),
                authority: ctx.accounts.bank.to_account_info(),
            },
            &[seeds],
        ),
        amount,
        ctx.accounts.mint.decimals,
    )?;

    // Margin check at the choke point: fresh oracles, initial health >= 0.
    let clock = Clock::get()?;
    let h = compute_health(&ctx.accounts.exchange.key(), &exchange, &acc, ctx.remaining_accounts, clock.unix_timestamp, Freshness::Strict)?;
    require!(h.init >= 0, MaxwellError::InitialMarginViolated);
    cache_health(&mut acc, &h, &clock);
    acc.invariant()?;
    emit!(WithdrawLog {
        exchange: ctx.accounts.exchange.key(),
        account: ctx.accounts.account.key(),
        bank: ctx.accounts.bank.key(),
        owner: acc.owner,
        amount,
        balance_after,
        init_health: h.init,
        maint_health: h.maint,
    });
    Ok(())
}
