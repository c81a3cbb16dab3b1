use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::IxGateSetLog;
use crate::state::Exchange;

#[derive(Accounts)]
pub struct IxGateSet<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ MaxwellError::NotAdmin)]
    pub exchange: AccountLoader<'info, Exchange>,
}

/// Sets the whole kill-switch bitmask (bit `IxGate::X` set = X disabled). Never gated itself.
pub fn ix_gate_set(ctx: Context<IxGateSet>, gate: u64) -> Result<()> {
    let mut ex = ctx.accounts.exchange.load_mut()?;
    let old_gate = ex.ix_gate;
    ex.ix_gate = gate;
    ex.invariant()?;
    emit!(IxGateSetLog { exchange: ctx.accounts.exchange.key(), old_gate, new_gate: gate });
    Ok(())
}
