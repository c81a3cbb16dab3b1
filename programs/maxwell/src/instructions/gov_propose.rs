use anchor_lang::prelude::*;

use crate::constants::PROPOSAL_SEED;
use crate::error::MaxwellError;
use crate::events::GovProposedLog;
use crate::instructions::gov_apply::validate_change;
use crate::state::{Change, CollateralBank, Exchange, Proposal, Underlying, PROPOSAL_PENDING};

#[derive(Accounts)]
#[instruction(id: u64)]
pub struct GovPropose<'info> {
    #[account(mut)]
    pub proposer: Signer<'info>,
    #[account(mut)]
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(
        init,
        payer = proposer,
        space = Proposal::SPACE,
        seeds = [PROPOSAL_SEED, exchange.key().as_ref(), &id.to_le_bytes()],
        bump
    )]
    pub proposal: Account<'info, Proposal>,
    /// The change's bank, when it targets one.
    #[account(has_one = exchange @ MaxwellError::WrongExchange)]
    pub bank: Option<AccountLoader<'info, CollateralBank>>,
    /// The change's underlying, when it targets one.
    #[account(has_one = exchange @ MaxwellError::WrongExchange)]
    pub underlying: Option<AccountLoader<'info, Underlying>>,
    pub system_program: Program<'info, System>,
}

/// Admin (any change) or risk role (parameter changes): queues `change` as proposal `id` (the
/// exchange's next, `gov.proposal_count`), executable by anyone
/// from `now + timelock`. The change is validated now against the current values (bounds and
/// per-step limits), so what users see queued is what can land; execution validates again.
pub fn gov_propose(ctx: Context<GovPropose>, id: u64, change: Change) -> Result<()> {
    let key = ctx.accounts.exchange.key();
    let mut ex = ctx.accounts.exchange.load_mut()?;
    let signer = ctx.accounts.proposer.key();
    require!(signer == ex.admin || (signer == ex.gov.risk_admin && change.risk_role_may_propose()), MaxwellError::NotProposer);
    let now = Clock::get()?.unix_timestamp;
    validate_change(&ex, &change, ctx.accounts.bank.as_ref(), ctx.accounts.underlying.as_ref(), now)?;
    require!(id == ex.gov.proposal_count, MaxwellError::ProposalIdNotNext);
    ex.gov.proposal_count = id.checked_add(1).ok_or(MaxwellError::MathOverflow)?;
    let p = &mut ctx.accounts.proposal;
    p.exchange = key;
    p.id = id;
    p.proposer = signer;
    p.proposed_ts = now;
    p.unlock_ts = now.checked_add(i64::from(ex.gov.timelock_secs)).ok_or(MaxwellError::MathOverflow)?;
    p.state = PROPOSAL_PENDING;
    p.bump = ctx.bumps.proposal;
    p.change = change.clone();
    p.invariant()?;
    ex.invariant()?;
    emit!(GovProposedLog {
        exchange: key,
        proposal: ctx.accounts.proposal.key(),
        id,
        proposer: signer,
        kind: change.kind(),
        unlock_ts: ctx.accounts.proposal.unlock_ts,
        change,
    });
    Ok(())
}
