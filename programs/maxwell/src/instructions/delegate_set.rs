use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::DelegateLog;
use crate::state::{Exchange, IxGate, MarginAccount};

#[derive(Accounts)]
pub struct DelegateSet<'info> {
    pub owner: Signer<'info>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange, has_one = owner @ MaxwellError::NotOwner)]
    pub account: AccountLoader<'info, MarginAccount>,
}

/// Sets (or clears, with the default key) the account's trading delegate: it may deposit and
/// trade, never withdraw or close.
pub fn delegate_set(ctx: Context<DelegateSet>, delegate: Pubkey) -> Result<()> {
    ctx.accounts.exchange.load()?.require_enabled(IxGate::DelegateSet)?;
    let mut acc = ctx.accounts.account.load_mut()?;
    let old_delegate = acc.delegate;
    acc.delegate = delegate;
    acc.invariant()?;
    emit!(DelegateLog {
        exchange: acc.exchange,
        account: ctx.accounts.account.key(),
        owner: acc.owner,
        old_delegate,
        new_delegate: delegate,
    });
    Ok(())
}
