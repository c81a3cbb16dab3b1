use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::HealthLog;
use crate::health::{cache_health, compute_health};
use crate::oracle::Freshness;
use crate::state::{Exchange, MarginAccount};

#[derive(Accounts)]
pub struct AccountHealth<'info> {
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub account: AccountLoader<'info, MarginAccount>,
}

/// Read path (anyone; simulation-friendly): recomputes the account's health from its health
/// accounts (strict: fresh oracles and risk arrays), caches it, emits `HealthLog` and returns
/// it as return data (borsh `HealthLog`).
pub fn account_health<'info>(ctx: Context<'info, AccountHealth<'info>>) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    let clock = Clock::get()?;
    let mut acc = ctx.accounts.account.load_mut()?;
    let h = compute_health(&ctx.accounts.exchange.key(), &ex, &acc, ctx.remaining_accounts, clock.unix_timestamp, Freshness::Strict)?;
    cache_health(&mut acc, &h, &clock);
    let log = HealthLog {
        account: ctx.accounts.account.key(),
        init_health: h.init,
        maint_health: h.maint,
        initial_requirement: h.initial_req,
        maintenance_requirement: h.maintenance_req,
        option_value: h.option_value,
        oracles_fresh: h.oracles_fresh,
    };
    anchor_lang::solana_program::program::set_return_data(&borsh::to_vec(&log)?);
    emit!(log);
    Ok(())
}
