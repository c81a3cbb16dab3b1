use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::ExpiryRetireLog;
use crate::state::{Exchange, ExpiryState, IxGate, SeriesInfo, Underlying};

#[derive(Accounts)]
pub struct ExpiryRetire<'info> {
    pub keeper: Signer<'info>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub underlying: AccountLoader<'info, Underlying>,
}

/// Keeper (anyone): frees a settled expiry's slot and its series' slots for new listings,
/// bumping each series slot's generation.
///
/// Condition: the expiry is settled, no series of it has long open interest (every long was
/// settled: `account_settle` lowers open interest by the longs it settles) and `settled_net` is
/// back to 0. Then every position still open in the expiry is a short with a payoff of exactly
/// zero: per series the sizes sum to zero, so all payoffs sum to zero; the longs' payoffs and
/// the settled shorts' payoffs sum to `settled_net` = 0, so the unsettled shorts' payoffs sum to
/// 0, and each is at most 0. Such a leftover is read by nobody against the new series: the
/// health rule skips a position of another generation (worth zero), a trade or liquidation on it
/// is refused (`PositionSeriesRecycled`), and `account_settle` removes it with a zero payoff.
/// Generations are u16: a position could alias only after 65,536 recycles of one slot.
pub fn expiry_retire(ctx: Context<ExpiryRetire>, expiry_index: u8) -> Result<()> {
    ctx.accounts.exchange.load()?.require_enabled(IxGate::Settle)?;
    let mut u = ctx.accounts.underlying.load_mut()?;
    let e = *u.expiry_checked(expiry_index)?;
    require!(e.settled == 1, MaxwellError::ExpiryNotSettled);
    let n = usize::from(u.n_series);
    let mine = |s: &SeriesInfo| s.listed == 1 && s.expiry_index == expiry_index;
    require!(u.series[..n].iter().filter(|s| mine(s)).all(|s| s.open_interest == 0), MaxwellError::ExpiryOpenInterestLeft);
    require!(e.settled_net == 0, MaxwellError::ExpirySettlementInProgress);
    let mut series_freed = 0u16;
    for i in 0..n {
        if mine(&u.series[i]) {
            let generation = u.series[i].generation.wrapping_add(1);
            u.series[i] = SeriesInfo { generation, ..SeriesInfo::default() };
            u.risk[i] = bytemuck::Zeroable::zeroed();
            series_freed += 1;
        }
    }
    let i = usize::from(expiry_index);
    u.expiries[i] = ExpiryState::default();
    u.vol_guard.last_update[i] = 0;
    u.invariant()?;
    emit!(ExpiryRetireLog {
        exchange: ctx.accounts.exchange.key(),
        underlying: ctx.accounts.underlying.key(),
        expiry_index,
        expiry: e.expiry,
        settlement_price: e.settlement_price,
        series_freed,
        retired_by: ctx.accounts.keeper.key(),
    });
    Ok(())
}
