use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::GovCancelledLog;
use crate::state::{Exchange, Proposal, PROPOSAL_CANCELLED, PROPOSAL_PENDING};

#[derive(Accounts)]
pub struct GovCancel<'info> {
    pub signer: Signer<'info>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub proposal: Account<'info, Proposal>,
}

/// The admin, the guardian or the proposer: cancels a pending change.
pub fn gov_cancel(ctx: Context<GovCancel>) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    let signer = ctx.accounts.signer.key();
    let p = &mut ctx.accounts.proposal;
    require!(signer == ex.admin || signer == ex.gov.guardian || signer == p.proposer, MaxwellError::NotGuardian);
    require!(p.state == PROPOSAL_PENDING, MaxwellError::ProposalNotPending);
    p.state = PROPOSAL_CANCELLED;
    p.invariant()?;
    emit!(GovCancelledLog { exchange: ctx.accounts.exchange.key(), proposal: p.key(), id: p.id, kind: p.change.kind(), by: signer });
    Ok(())
}
