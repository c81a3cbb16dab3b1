use anchor_lang::prelude::*;
use maxwell_engine::plans::realized_vol::{plan_rv_update, RvState};

use crate::error::MaxwellError;
use crate::events::RealizedVolLog;
use crate::health::spot_per_contract;
use crate::oracle::{read_price, Freshness};
use crate::state::{Exchange, IxGate, Underlying};

/// The rule's constants (interval, lambda, sample cap) live with it in the engine.
pub use maxwell_engine::plans::realized_vol::{RV_LAMBDA_BPS, RV_MAX_VARIANCE, RV_MIN_INTERVAL_SECS, RV_WINDOW_SECS};

#[derive(Accounts)]
pub struct RealizedVolUpdate<'info> {
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange, has_one = oracle @ MaxwellError::WrongOracle)]
    pub underlying: AccountLoader<'info, Underlying>,
    /// CHECK: the underlying's Pyth spot oracle, validated by `oracle::read_price`.
    pub oracle: UncheckedAccount<'info>,
}

/// Keeper crank (anyone): folds the oracle's log return since the last update into the
/// underlying's realized-variance EWMA: `var = 0.94 x var + 0.06 x min(r^2 x year / dt, 25)`.
/// One sample per minute boundary of unix time, taken within `RV_WINDOW_SECS` after it from a
/// price published after it (a schedule the caller cannot pick); the first call only records
/// the spot. `risk_refresh`
/// sizes the price shocks from `max(ATM vol, realized vol)`, so a market moving faster than
/// implied vol says gets wider shocks before the surface catches up.
pub fn realized_vol_update(ctx: Context<RealizedVolUpdate>) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::RealizedVol)?;
    let now = Clock::get()?.unix_timestamp;
    let mut u = ctx.accounts.underlying.load_mut()?;
    let p = read_price(&ctx.accounts.oracle, &u.oracle_spec(), now, Freshness::Strict)?;
    let spot = spot_per_contract(p.price as u64, p.expo, ex.quote_decimals)?;
    let state = RvState { variance: u.rv_variance, last_spot: u.rv_last_spot, last_ts: u.rv_last_ts, updates: u.rv_updates };
    let plan = plan_rv_update(&state, spot, now, p.publish_time).map_err(MaxwellError::from)?;
    let sample = plan.sample;
    u.rv_variance = plan.state.variance;
    u.rv_updates = plan.state.updates;
    u.rv_last_spot = plan.state.last_spot;
    u.rv_last_ts = plan.state.last_ts;
    u.invariant()?;
    emit!(RealizedVolLog {
        underlying: ctx.accounts.underlying.key(),
        spot,
        sample_variance: sample,
        variance: u.rv_variance,
        realized_vol: u.realized_vol().0,
    });
    Ok(())
}
