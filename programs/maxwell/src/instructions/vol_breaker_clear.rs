use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::VolBreakerLog;
use crate::state::{Exchange, Underlying};

#[derive(Accounts)]
pub struct VolBreakerClear<'info> {
    pub guardian: Signer<'info>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub underlying: AccountLoader<'info, Underlying>,
}

/// Guardian (or admin): clears a tripped volatility breaker and restarts its window. Without
/// it the breaker clears itself one timelock after it tripped.
pub fn vol_breaker_clear(ctx: Context<VolBreakerClear>) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    let signer = ctx.accounts.guardian.key();
    require!(signer == ex.gov.guardian || signer == ex.admin, MaxwellError::NotGuardian);
    let mut u = ctx.accounts.underlying.load_mut()?;
    let now = Clock::get()?.unix_timestamp;
    let moved = u.vol_guard.window_move_bps;
    u.vol_guard.tripped_ts = 0;
    u.vol_guard.window_start = now;
    u.vol_guard.window_move_bps = 0;
    u.invariant()?;
    emit!(VolBreakerLog { underlying: ctx.accounts.underlying.key(), tripped: false, window_move_bps: moved, by: signer, ts: now });
    Ok(())
}
