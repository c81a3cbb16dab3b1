//! Two-step admin transfer: the admin names a successor, the successor accepts by signing.
//! The admin key alone never moves money: every change that could goes through the queue.

use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::AdminTransferLog;
use crate::state::Exchange;

#[derive(Accounts)]
pub struct AdminTransferPropose<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ MaxwellError::NotAdmin)]
    pub exchange: AccountLoader<'info, Exchange>,
}

/// Admin: proposes `new_admin` (default key = withdraw a proposal).
pub fn admin_transfer_propose(ctx: Context<AdminTransferPropose>, new_admin: Pubkey) -> Result<()> {
    let mut ex = ctx.accounts.exchange.load_mut()?;
    ex.gov.pending_admin = new_admin;
    ex.invariant()?;
    emit!(AdminTransferLog { exchange: ctx.accounts.exchange.key(), admin: ex.admin, pending_admin: new_admin, accepted: false });
    Ok(())
}

#[derive(Accounts)]
pub struct AdminTransferAccept<'info> {
    pub new_admin: Signer<'info>,
    #[account(mut)]
    pub exchange: AccountLoader<'info, Exchange>,
}

/// The proposed admin: takes over, with every role the outgoing admin still held (a retired
/// key keeps nothing: not the guardian's cancel, not the risk role's proposals).
pub fn admin_transfer_accept(ctx: Context<AdminTransferAccept>) -> Result<()> {
    let mut ex = ctx.accounts.exchange.load_mut()?;
    let signer = ctx.accounts.new_admin.key();
    require!(ex.gov.pending_admin != Pubkey::default() && signer == ex.gov.pending_admin, MaxwellError::NotPendingAdmin);
    let old = ex.admin;
    if ex.gov.guardian == old {
        ex.gov.guardian = signer;
    }
    if ex.gov.risk_admin == old {
        ex.gov.risk_admin = signer;
    }
    ex.admin = signer;
    ex.gov.pending_admin = Pubkey::default();
    ex.invariant()?;
    emit!(AdminTransferLog { exchange: ctx.accounts.exchange.key(), admin: signer, pending_admin: Pubkey::default(), accepted: true });
    Ok(())
}
