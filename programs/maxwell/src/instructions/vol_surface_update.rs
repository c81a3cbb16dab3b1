use anchor_lang::prelude::*;
use maxwell_risk::surface::SviParams;

use crate::constants::{BPS, GRID_RESTALE_BPS};
use crate::error::MaxwellError;
use crate::events::{VolBreakerLog, VolSurfaceLog};
use crate::instructions::risk_refresh::grid_range;
use crate::state::{Exchange, IxGate, Underlying};
use maxwell_engine::governance::check_vol_update;

/// Raw SVI parameters of one expiry's total-variance smile, Q52 fixed point
/// (`w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2))`, k = ln(K/F)).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SviArgs {
    pub a: i64,
    pub b: i64,
    pub rho: i64,
    pub m: i64,
    pub sigma: i64,
}

#[derive(Accounts)]
pub struct VolSurfaceUpdate<'info> {
    pub vol_oracle: Signer<'info>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(
        mut,
        has_one = exchange @ MaxwellError::WrongExchange,
        has_one = vol_oracle @ MaxwellError::NotVolOracle,
    )]
    pub underlying: AccountLoader<'info, Underlying>,
}

/// Sets the smile of one expiry (validated: no negative total variance, bounded wings).
/// The expiry's risk arrays must then be refreshed before they gate risk; every array of the
/// underlying too if the grid's price range moved by more than `GRID_RESTALE_BPS` (the surface
/// version is then bumped).
pub fn vol_surface_update(ctx: Context<VolSurfaceUpdate>, expiry_index: u8, svi: SviArgs) -> Result<()> {
    ctx.accounts.exchange.load()?.require_enabled(IxGate::VolSurfaceUpdate)?;
    let params = SviParams { a: svi.a, b: svi.b, rho: svi.rho, m: svi.m, sigma: svi.sigma };
    params.validate().map_err(MaxwellError::from)?;
    let mut u = ctx.accounts.underlying.load_mut()?;
    u.expiry_checked(expiry_index)?;
    let now = Clock::get()?.unix_timestamp;
    let i = usize::from(expiry_index);
    // The rate bound and the breaker (maxwell_engine::governance): a first smile is free.
    let bounds = ctx.accounts.exchange.load()?.gov.vol_bounds();
    let e = &u.expiries[i];
    let old = (e.has_surface == 1).then(|| *e.svi.engine());
    let outcome = check_vol_update(old.as_ref(), &params, now, e.expiry, u.vol_guard.last_update[i], &bounds, u.vol_guard.breaker())
        .map_err(MaxwellError::from)?;
    u.vol_guard.set_breaker(outcome.breaker);
    u.vol_guard.last_update[i] = now;
    let e = &mut u.expiries[i];
    e.svi = params.into();
    e.has_surface = 1;
    let expiry = e.expiry;
    // Per-expiry staleness: the new smile stales this expiry's risk arrays only, unless it moves
    // the grid's price range (the highest ATM vol) by more than GRID_RESTALE_BPS: then every
    // array is stale (the surface version is bumped), so no array is used on a range far from
    // the current one. Within the tolerance, arrays of other expiries keep the range they were
    // built on until their next crank (at most `risk_max_age_secs`).
    let old_range = u.scen.range;
    let new_range = grid_range(&u, &*ctx.accounts.exchange.load()?, now)?;
    let moved =
        u128::from(new_range.abs_diff(old_range)) * u128::from(BPS) > u128::from(old_range.unsigned_abs()) * u128::from(GRID_RESTALE_BPS);
    if old_range == 0 || moved {
        u.surface_seq += 1;
    } else {
        let n = usize::from(u.n_series);
        for s in u.series[..n].iter_mut().filter(|s| s.listed == 1 && usize::from(s.expiry_index) == i) {
            s.risk_surface_seq = 0; // built on no current surface version: stale
        }
    }
    u.surface_ts = now;
    u.invariant()?;
    if outcome.tripped_now {
        emit!(VolBreakerLog {
            underlying: ctx.accounts.underlying.key(),
            tripped: true,
            window_move_bps: outcome.breaker.window_move_bps,
            by: ctx.accounts.vol_oracle.key(),
            ts: now,
        });
    }
    emit!(VolSurfaceLog {
        underlying: ctx.accounts.underlying.key(),
        vol_oracle: ctx.accounts.vol_oracle.key(),
        expiry_index,
        expiry,
        a: svi.a,
        b: svi.b,
        rho: svi.rho,
        m: svi.m,
        sigma: svi.sigma,
        surface_seq: u.surface_seq,
        surface_ts: u.surface_ts,
    });
    Ok(())
}
