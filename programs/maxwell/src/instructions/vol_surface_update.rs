use anchor_lang::prelude::*;
use maxwell_risk::surface::SviParams;

use crate::error::MaxwellError;
use crate::events::VolSurfaceLog;
use crate::state::{Exchange, IxGate, Underlying};

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
/// Bumps the surface version: every risk array must then be refreshed before it gates risk.
pub fn vol_surface_update(ctx: Context<VolSurfaceUpdate>, expiry_index: u8, svi: SviArgs) -> Result<()> {
    ctx.accounts.exchange.load()?.require_enabled(IxGate::VolSurfaceUpdate)?;
    let params = SviParams { a: svi.a, b: svi.b, rho: svi.rho, m: svi.m, sigma: svi.sigma };
    params.validate().map_err(MaxwellError::from)?;
    let mut u = ctx.accounts.underlying.load_mut()?;
    require!(expiry_index < u.n_expiries, MaxwellError::ExpiryIndexOutOfRange);
    let e = &mut u.expiries[usize::from(expiry_index)];
    e.svi = params.into();
    e.has_surface = 1;
    let expiry = e.expiry;
    u.surface_seq += 1;
    u.surface_ts = Clock::get()?.unix_timestamp;
    u.invariant()?;
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
