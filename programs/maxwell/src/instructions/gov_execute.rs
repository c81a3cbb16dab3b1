use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::GovExecutedLog;
use crate::instructions::gov_apply::{apply_change, validate_change};
use crate::state::{CollateralBank, Exchange, Proposal, Underlying, PROPOSAL_EXECUTED, PROPOSAL_PENDING};

#[derive(Accounts)]
pub struct GovExecute<'info> {
    pub executor: Signer<'info>,
    #[account(mut)]
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub proposal: Account<'info, Proposal>,
    /// The change's bank, when it targets one.
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub bank: Option<AccountLoader<'info, CollateralBank>>,
    /// The change's underlying, when it targets one.
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub underlying: Option<AccountLoader<'info, Underlying>>,
}

/// Anyone, from the proposal's unlock time: validates the change again against the current
/// values (bounds, per-step limits) and applies it. Once.
pub fn gov_execute(ctx: Context<GovExecute>) -> Result<()> {
    let key = ctx.accounts.exchange.key();
    let mut ex = ctx.accounts.exchange.load_mut()?;
    let p = &mut ctx.accounts.proposal;
    require!(p.state == PROPOSAL_PENDING, MaxwellError::ProposalNotPending);
    let now = Clock::get()?.unix_timestamp;
    require!(now >= p.unlock_ts, MaxwellError::ProposalLocked);
    let (bank, underlying) = (ctx.accounts.bank.as_ref(), ctx.accounts.underlying.as_ref());
    validate_change(&ex, &p.change, bank, underlying, now)?;
    apply_change(&mut ex, &p.change, bank, underlying, now)?;
    p.state = PROPOSAL_EXECUTED;
    p.invariant()?;
    ex.invariant()?;
    emit!(GovExecutedLog { exchange: key, proposal: p.key(), id: p.id, kind: p.change.kind(), executor: ctx.accounts.executor.key() });
    Ok(())
}
