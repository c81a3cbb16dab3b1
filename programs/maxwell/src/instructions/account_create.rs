use anchor_lang::prelude::*;

use crate::constants::*;
use crate::events::AccountCreateLog;
use crate::state::{Exchange, IxGate, MarginAccount};

#[derive(Accounts)]
#[instruction(id: u32)]
pub struct AccountCreate<'info> {
    pub owner: Signer<'info>,
    #[account(mut)]
    pub payer: Signer<'info>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(
        init,
        payer = payer,
        space = 8 + core::mem::size_of::<MarginAccount>(),
        seeds = [MARGIN_ACCOUNT_SEED, exchange.key().as_ref(), owner.key().as_ref(), &id.to_le_bytes()],
        bump
    )]
    pub account: AccountLoader<'info, MarginAccount>,
    pub system_program: Program<'info, System>,
}

pub fn account_create(ctx: Context<AccountCreate>, id: u32) -> Result<()> {
    ctx.accounts.exchange.load()?.require_enabled(IxGate::AccountCreate)?;
    let mut acc = ctx.accounts.account.load_init()?;
    acc.exchange = ctx.accounts.exchange.key();
    acc.owner = ctx.accounts.owner.key();
    acc.id = id;
    acc.bump = ctx.bumps.account;
    acc.created_ts = Clock::get()?.unix_timestamp;
    acc.invariant()?;
    emit!(AccountCreateLog { exchange: acc.exchange, account: ctx.accounts.account.key(), owner: acc.owner, id });
    Ok(())
}
