use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::IxGateSetLog;
use crate::state::Exchange;

#[derive(Accounts)]
pub struct IxGateSet<'info> {
    /// The admin, or the guardian (which may only disable).
    pub admin: Signer<'info>,
    #[account(mut)]
    pub exchange: AccountLoader<'info, Exchange>,
}

/// Sets the whole kill-switch bitmask (bit `IxGate::X` set = X disabled). Never gated itself.
/// The admin sets any mask; the guardian may only add bits (disable), never clear one.
pub fn ix_gate_set(ctx: Context<IxGateSet>, gate: u64) -> Result<()> {
    let mut ex = ctx.accounts.exchange.load_mut()?;
    let old_gate = ex.ix_gate;
    let signer = ctx.accounts.admin.key();
    if signer != ex.admin {
        require!(signer == ex.gov.guardian, MaxwellError::NotAdmin);
        require!(gate & old_gate == old_gate, MaxwellError::GuardianCannotEnable);
    }
    ex.ix_gate = gate;
    ex.invariant()?;
    emit!(IxGateSetLog { exchange: ctx.accounts.exchange.key(), old_gate, new_gate: gate });
    Ok(())
}
