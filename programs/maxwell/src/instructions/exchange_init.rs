use anchor_lang::prelude::*;
use anchor_spl::token_interface::Mint;

use maxwell_risk::fixed::Fx;
use maxwell_risk::params::RiskParams;

use crate::constants::*;
use crate::error::MaxwellError;
use crate::events::ExchangeInitLog;
use crate::state::{Exchange, ExchangeParamsArgs};

#[derive(Accounts)]
pub struct ExchangeInit<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(
        init,
        payer = admin,
        space = 8 + core::mem::size_of::<Exchange>(),
        seeds = [EXCHANGE_SEED, admin.key().as_ref()],
        bump
    )]
    pub exchange: AccountLoader<'info, Exchange>,
    /// The numeraire of every requirement (e.g. USDC).
    pub quote_mint: InterfaceAccount<'info, Mint>,
    pub system_program: Program<'info, System>,
}

/// `timelock_secs`: the governance delay ([10 s, 30 days]; a day is the production default,
/// a short one serves test deployments). Changing it later goes through the queue.
pub fn exchange_init(ctx: Context<ExchangeInit>, params: ExchangeParamsArgs, timelock_secs: u32) -> Result<()> {
    params.validate()?;
    maxwell_engine::governance::check_timelock(timelock_secs, timelock_secs).map_err(MaxwellError::from)?;
    let mut ex = ctx.accounts.exchange.load_init()?;
    ex.admin = ctx.accounts.admin.key();
    ex.creator = ctx.accounts.admin.key();
    ex.quote_mint = ctx.accounts.quote_mint.key();
    ex.quote_decimals = ctx.accounts.quote_mint.decimals;
    ex.params = params.to_state();
    // Portfolio-margin defaults, with the exchange's IM factor.
    let risk = RiskParams { im_factor: Fx::from_bps(i64::from(params.im_factor_bps)).0, ..RiskParams::DEFAULT };
    risk.validate().map_err(MaxwellError::from)?;
    ex.risk = risk.into();
    ex.bump = ctx.bumps.exchange;
    // Governance defaults: the admin holds every role until it queues a change of roles; the
    // breakers at their defaults (all changeable only through the queue).
    use maxwell_engine::governance::{OUTFLOW_BOUNDS_DEFAULT as O, VOL_BOUNDS_DEFAULT as V};
    ex.gov.guardian = ex.admin;
    ex.gov.risk_admin = ex.admin;
    ex.gov.timelock_secs = timelock_secs;
    (ex.gov.outflow_cap_bps, ex.gov.outflow_window_secs) = (O.cap_bps, O.window_secs);
    (ex.gov.vol_step_bps, ex.gov.vol_rate_bps_per_hour, ex.gov.vol_breaker_bps, ex.gov.vol_window_secs) =
        (V.step_bps, V.rate_bps_per_hour, V.breaker_bps, V.window_secs);
    ex.invariant()?;
    emit!(ExchangeInitLog { exchange: ctx.accounts.exchange.key(), admin: ex.admin, quote_mint: ex.quote_mint });
    Ok(())
}
