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

pub fn exchange_init(ctx: Context<ExchangeInit>, params: ExchangeParamsArgs) -> Result<()> {
    params.validate()?;
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
    ex.invariant()?;
    emit!(ExchangeInitLog { exchange: ctx.accounts.exchange.key(), admin: ex.admin, quote_mint: ex.quote_mint });
    Ok(())
}
