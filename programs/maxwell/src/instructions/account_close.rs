use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::AccountCloseLog;
use crate::state::{Exchange, IxGate, MarginAccount};

#[derive(Accounts)]
pub struct AccountClose<'info> {
    pub owner: Signer<'info>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(
        mut,
        close = rent_destination,
        has_one = exchange @ MaxwellError::WrongExchange,
        has_one = owner @ MaxwellError::NotOwner,
    )]
    pub account: AccountLoader<'info, MarginAccount>,
    /// CHECK: receives the account's rent; any account the owner names.
    #[account(mut)]
    pub rent_destination: UncheckedAccount<'info>,
}

/// Closes an empty account (no collateral, no positions) and returns its rent.
pub fn account_close(ctx: Context<AccountClose>) -> Result<()> {
    ctx.accounts.exchange.load()?.require_enabled(IxGate::AccountClose)?;
    let acc = ctx.accounts.account.load()?;
    require!(acc.is_empty(), MaxwellError::AccountNotEmpty);
    emit!(AccountCloseLog { exchange: acc.exchange, account: ctx.accounts.account.key(), owner: acc.owner });
    Ok(())
}
