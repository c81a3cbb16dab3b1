use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::{HealthLog, UnderlyingRiskLog};
use crate::health::{cache_health, HealthCache};
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
/// it as return data (borsh `HealthLog`), with the Greeks and requirement per underlying.
pub fn account_health<'info>(ctx: Context<'info, AccountHealth<'info>>) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    let clock = Clock::get()?;
    let mut acc = ctx.accounts.account.load_mut()?;
    let cache = HealthCache::load(&ctx.accounts.exchange.key(), &ex, ctx.remaining_accounts, clock.unix_timestamp, Freshness::Strict)?;
    let d = cache.health_detail(&acc)?;
    let h = d.health;
    cache_health(&mut acc, &h, &clock);
    let mut underlyings = Vec::with_capacity(d.underlyings.len());
    for u in &d.underlyings {
        let s = &u.summary;
        let req = s.requirement().map_err(|_| MaxwellError::MathOverflow)?;
        underlyings.push(UnderlyingRiskLog {
            underlying_index: u.underlying_index,
            delta_e9: s.delta_e9,
            delta_quote: s.delta_quote,
            gamma_quote: s.gamma_quote,
            vega_quote: s.vega_quote,
            theta_quote: s.theta_quote,
            worst_loss: s.worst_loss,
            worst_scenario: s.worst_scenario,
            maintenance_requirement: req.checked_add(u.addon_drift).ok_or(MaxwellError::MathOverflow)?,
            drift_bps: u.drift_bps,
        });
    }
    let log = HealthLog {
        account: ctx.accounts.account.key(),
        init_health: h.init,
        maint_health: h.maint,
        initial_requirement: h.initial_req,
        maintenance_requirement: h.maintenance_req,
        option_value: h.option_value,
        oracles_fresh: h.oracles_fresh,
        underlyings,
    };
    anchor_lang::solana_program::program::set_return_data(&borsh::to_vec(&log)?);
    emit!(log);
    Ok(())
}
