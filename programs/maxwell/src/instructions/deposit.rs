use anchor_lang::prelude::*;
use anchor_spl::token_interface::{transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked};
use maxwell_engine::governance::record_inflow;

use crate::error::MaxwellError;
use crate::events::DepositLog;
use crate::health::{cache_health, compute_health};
use crate::oracle::Freshness;
use crate::state::{CollateralBank, Exchange, IxGate, MarginAccount};

#[derive(Accounts)]
pub struct Deposit<'info> {
    /// The account's owner or delegate; authority of `source`.
    pub signer: Signer<'info>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
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
    #[account(mut, constraint = source.mint == mint.key() @ MaxwellError::WrongMint)]
    pub source: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
}

/// Deposits `amount` native units. Remaining accounts: the health accounts of the account
/// after the deposit (see `health.rs`). Deposits reduce risk, so a stale oracle is tolerated
/// (the cached health and the event say so) rather than blocking a trader who adds margin.
pub fn deposit<'info>(ctx: Context<'info, Deposit<'info>>, amount: u64) -> Result<()> {
    // Load and validate.
    let exchange = ctx.accounts.exchange.load()?;
    exchange.require_enabled(IxGate::Deposit)?;
    require!(amount > 0, MaxwellError::ZeroAmount);
    let signer = ctx.accounts.signer.key();
    let mut acc = ctx.accounts.account.load_mut()?;
    // Anyone may fund the insurance fund (the account the exchange PDA owns).
    let is_insurance = acc.owner == ctx.accounts.exchange.key();
    require!(acc.is_owner_or_delegate(&signer) || is_insurance, MaxwellError::NotOwnerOrDelegate);
    let delta = i64::try_from(amount).map_err(|_| MaxwellError::MathOverflow)?;

    // Apply: interest accrues, then the account's shares and the bank's totals move together.
    let now = Clock::get()?.unix_timestamp;
    let balance_after = {
        let mut bank = ctx.accounts.bank.load_mut()?;
        // The fund pays bankruptcies and takes its liquidation share in quote: it accepts only
        // what it can use (another token would only fill its slots).
        require!(!is_insurance || bank.is_quote == 1, MaxwellError::InsuranceQuoteOnly);
        let old = acc.slot_index(bank.bank_index).map_or(0, |i| acc.collateral[i].balance);
        let new = acc.move_balance(&mut bank, delta, now)?;
        // Inflows free room under the withdrawal breaker (never refused by it).
        let deposits = bank.index().total_deposits().map_err(MaxwellError::from)?;
        let window = record_inflow(bank.outflow.get(), &exchange.gov.outflow_bounds(), now, deposits, amount);
        bank.outflow.set(window);
        // The cap binds deposits that grow, not a repayment of a borrow.
        if new.max(0) > old.max(0) {
            bank.require_deposit_cap()?;
        }
        bank.invariant()?;
        bank.value(new)?
    }; // bank borrow dropped: the health walk below loads it again.

    // CPI: tokens in.
    transfer_checked(
        CpiContext::new(
            ctx.accounts.token_program.key(),
            TransferChecked {
                from: ctx.accounts.source.to_account_info(),
                mint: ctx.accounts.mint.to_account_info(),
                to: ctx.accounts.vault.to_account_info(),
                authority: ctx.accounts.signer.to_account_info(),
            },
        ),
        amount,
        ctx.accounts.mint.decimals,
    )?;

    // Health (recomputed on every instruction that touches the account), then the event.
    let clock = Clock::get()?;
    let h =
        compute_health(&ctx.accounts.exchange.key(), &exchange, &acc, ctx.remaining_accounts, clock.unix_timestamp, Freshness::Lenient)?;
    cache_health(&mut acc, &h, &clock);
    acc.invariant()?;
    emit!(DepositLog {
        exchange: ctx.accounts.exchange.key(),
        account: ctx.accounts.account.key(),
        bank: ctx.accounts.bank.key(),
        signer,
        amount,
        balance_after,
        init_health: h.init,
        maint_health: h.maint,
        oracles_fresh: h.oracles_fresh,
    });
    Ok(())
}
