use anchor_lang::prelude::*;
use maxwell_engine::plans::listing::next_listing;

use crate::error::MaxwellError;
use crate::events::ListingExecuteLog;
use crate::health::spot_per_contract;
use crate::instructions::series_list::list_series;
use crate::oracle::{read_price, Freshness};
use crate::state::{Exchange, IxGate, Underlying};

#[derive(Accounts)]
pub struct ListingExecute<'info> {
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange, has_one = oracle @ MaxwellError::WrongOracle)]
    pub underlying: AccountLoader<'info, Underlying>,
    /// CHECK: the underlying's Pyth spot oracle, validated by `oracle::read_price`.
    pub oracle: UncheckedAccount<'info>,
}

/// Keeper crank (anyone may call): lists the next expiry the underlying's schedule asks for
/// (the earliest of its horizon not listed yet), a call and a put at each strike of the
/// ladder around the live oracle spot (`maxwell_engine::plans::listing`). One expiry a call;
/// the new expiry trades once the volatility oracle has set its smile and its arrays are
/// cranked, as after `series_list`.
pub fn listing_execute(ctx: Context<ListingExecute>) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::ListingExecute)?;
    let now = Clock::get()?.unix_timestamp;
    let mut u = ctx.accounts.underlying.load_mut()?;
    // The oracle the caller passed is validated first (owner, type, feed, freshness), then
    // the schedule.
    let p = read_price(&ctx.accounts.oracle, &u.oracle_spec(), now, Freshness::Strict)?;
    require!(u.schedule.enabled == 1, MaxwellError::ListingScheduleOff);
    let spot = spot_per_contract(p.price as u64, p.expo, ex.quote_decimals)?;
    let listed: Vec<i64> = u.expiries[..usize::from(u.n_expiries)].iter().map(|e| e.expiry).filter(|&e| e > 0).collect();
    let plan = next_listing(&u.schedule.rule(), &listed, now, spot).map_err(MaxwellError::from)?;
    let plan = plan.ok_or(MaxwellError::ListingNotDue)?;
    let oi_cap = u.schedule.oi_cap;
    let done = list_series(&mut u, now, plan.expiry, &plan.strikes, oi_cap)?;
    u.invariant()?;
    let underlying = ctx.accounts.underlying.key();
    emit!(ListingExecuteLog { underlying, expiry: plan.expiry, spot, strikes: plan.strikes.len() as u8 });
    emit!(done.log(u.exchange, underlying, plan.strikes, oi_cap));
    Ok(())
}
