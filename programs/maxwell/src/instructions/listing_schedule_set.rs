use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::ListingScheduleLog;
use crate::state::{Exchange, IxGate, ListingSchedule, Underlying, MAX_EXPIRIES};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListingScheduleArgs {
    /// Seconds between expiries, 3,600..=91 days.
    pub cadence_secs: i64,
    /// One expiry of the grid, unix seconds (> 0).
    pub anchor_ts: i64,
    /// Expiries kept listed ahead of the clock, 1..=16.
    pub horizon: u8,
    /// Strikes on each side of the spot, 0..=7.
    pub half_strikes: u8,
    /// Strike spacing, bps of the spot, 1..=5,000.
    pub step_bps: u16,
    /// Strikes are multiples of this, quote native per contract, > 0.
    pub tick: u64,
    /// Open-interest cap of each listed series, contracts.
    pub oi_cap: u64,
    /// Keepers may list by it (false keeps the rule and stops listing).
    pub enabled: bool,
}

#[derive(Accounts)]
pub struct ListingScheduleSet<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ MaxwellError::NotAdmin)]
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub underlying: AccountLoader<'info, Underlying>,
}

/// Sets (or replaces, or switches off) the underlying's listing schedule: the admin's rule by
/// which any keeper lists the next expiries (`listing_execute`). Listing is the admin's
/// (`series_list`), so is the rule; it is gated with `series_list`.
pub fn listing_schedule_set(ctx: Context<ListingScheduleSet>, args: ListingScheduleArgs) -> Result<()> {
    ctx.accounts.exchange.load()?.require_enabled(IxGate::SeriesList)?;
    let schedule = ListingSchedule {
        cadence_secs: args.cadence_secs,
        anchor_ts: args.anchor_ts,
        tick: args.tick,
        oi_cap: args.oi_cap,
        step_bps: args.step_bps,
        horizon: args.horizon,
        half_strikes: args.half_strikes,
        enabled: u8::from(args.enabled),
        _pad: [0; 3],
    };
    schedule.rule().validate(MAX_EXPIRIES).map_err(MaxwellError::from)?;
    let mut u = ctx.accounts.underlying.load_mut()?;
    u.schedule = schedule;
    u.invariant()?;
    emit!(ListingScheduleLog {
        underlying: ctx.accounts.underlying.key(),
        cadence_secs: args.cadence_secs,
        anchor_ts: args.anchor_ts,
        horizon: args.horizon,
        half_strikes: args.half_strikes,
        step_bps: args.step_bps,
        tick: args.tick,
        oi_cap: args.oi_cap,
        enabled: args.enabled,
    });
    Ok(())
}
