use anchor_lang::prelude::*;

use crate::constants::INSURANCE_SEED;
use crate::error::MaxwellError;
use crate::events::InsuranceCreateLog;
use crate::state::{Exchange, MarginAccount};

/// Id of the insurance fund's margin account (owner = the exchange PDA).
pub const INSURANCE_ACCOUNT_ID: u32 = u32::MAX;

#[derive(Accounts)]
pub struct InsuranceCreate<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ MaxwellError::NotAdmin)]
    pub exchange: AccountLoader<'info, Exchange>,
    /// The insurance fund: a margin account owned by the exchange PDA (it never signs, so the
    /// fund only moves through `liquidate`); anyone may deposit quote into it.
    #[account(
        init,
        payer = admin,
        space = 8 + core::mem::size_of::<MarginAccount>(),
        seeds = [INSURANCE_SEED, exchange.key().as_ref()],
        bump
    )]
    pub insurance: AccountLoader<'info, MarginAccount>,
    pub system_program: Program<'info, System>,
}

pub fn insurance_create(ctx: Context<InsuranceCreate>) -> Result<()> {
    let mut ex = ctx.accounts.exchange.load_mut()?;
    require!(ex.insurance_vault == Pubkey::default(), MaxwellError::InsuranceAlreadyCreated);
    ex.insurance_vault = ctx.accounts.insurance.key();
    let mut acc = ctx.accounts.insurance.load_init()?;
    acc.exchange = ctx.accounts.exchange.key();
    acc.owner = ctx.accounts.exchange.key();
    acc.id = INSURANCE_ACCOUNT_ID;
    acc.bump = ctx.bumps.insurance;
    acc.created_ts = Clock::get()?.unix_timestamp;
    acc.invariant()?;
    ex.invariant()?;
    emit!(InsuranceCreateLog { exchange: acc.exchange, insurance: ctx.accounts.insurance.key(), admin: ctx.accounts.admin.key() });
    Ok(())
}
