use anchor_lang::prelude::*;
use maxwell_risk::fixed::FX_FRAC;
use maxwell_risk::math::ln::ln_ratio_q62;

use crate::error::MaxwellError;
use crate::events::RealizedVolLog;
use crate::health::spot_per_contract;
use crate::oracle::{read_price, Freshness};
use crate::state::{Exchange, IxGate, Underlying};

/// Updates closer together than this are refused (the estimate is per-interval).
pub const RV_MIN_INTERVAL_SECS: i64 = 60;
/// EWMA decay per update, bps (RiskMetrics' 0.94).
pub const RV_LAMBDA_BPS: i64 = 9_400;
/// One sample's annualized variance is capped at 25 (a 500% volatility), Q52.
pub const RV_MAX_VARIANCE: i64 = 25 << FX_FRAC;
const YEAR_SECS: i64 = 31_536_000;

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
/// At least `RV_MIN_INTERVAL_SECS` apart; the first call only records the spot. `risk_refresh`
/// sizes the price shocks from `max(ATM vol, realized vol)`, so a market moving faster than
/// implied vol says gets wider shocks before the surface catches up.
pub fn realized_vol_update(ctx: Context<RealizedVolUpdate>) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::RealizedVol)?;
    let now = Clock::get()?.unix_timestamp;
    let mut u = ctx.accounts.underlying.load_mut()?;
    let p = read_price(&ctx.accounts.oracle, &u.oracle_spec(), now, Freshness::Strict)?;
    let spot = spot_per_contract(p.price as u64, p.expo, ex.quote_decimals)?;
    let mut sample = 0i64;
    if u.rv_last_ts != 0 {
        let dt = now - u.rv_last_ts;
        require!(dt >= RV_MIN_INTERVAL_SECS, MaxwellError::RealizedVolTooSoon);
        // r in Q62 -> Q52; r^2 x year / dt in Q52, capped (unsigned: no signed division on BPF).
        let r = (ln_ratio_q62(spot, u.rv_last_spot).map_err(MaxwellError::from)?.unsigned_abs() >> 10) as u128;
        let r2 = (r * r) >> FX_FRAC;
        let annual = r2.saturating_mul(YEAR_SECS as u128) / dt as u128;
        sample = annual.min(RV_MAX_VARIANCE as u128) as i64;
        let old = u.rv_variance as i128;
        u.rv_variance = ((old * i128::from(RV_LAMBDA_BPS) + i128::from(sample) * i128::from(10_000 - RV_LAMBDA_BPS)) / 10_000) as i64;
        u.rv_updates += 1;
    }
    u.rv_last_spot = spot;
    u.rv_last_ts = now;
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
