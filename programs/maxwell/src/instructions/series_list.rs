use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::SeriesListLog;
use crate::state::{Exchange, ExpiryState, IxGate, SeriesInfo, Underlying, MAX_EXPIRIES, MAX_SERIES};

/// Strikes per `series_list` call (each gives a call and a put).
pub const MAX_STRIKES_PER_LIST: usize = 16;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct SeriesListArgs {
    /// Unix seconds; a new expiry is added if not listed yet.
    pub expiry: i64,
    /// Quote native per contract; a call and a put are listed at each.
    pub strikes: Vec<u64>,
    /// Open-interest cap of each new series, contracts.
    pub oi_cap: u64,
}

#[derive(Accounts)]
pub struct SeriesList<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ MaxwellError::NotAdmin)]
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub underlying: AccountLoader<'info, Underlying>,
}

/// Lists calls and puts at `strikes` for `expiry`. The expiry trades once the volatility
/// oracle has set its surface and a keeper has refreshed the risk arrays.
pub fn series_list(ctx: Context<SeriesList>, args: SeriesListArgs) -> Result<()> {
    ctx.accounts.exchange.load()?.require_enabled(IxGate::SeriesList)?;
    require!(args.expiry > Clock::get()?.unix_timestamp, MaxwellError::ExpiryInPast);
    require!(!args.strikes.is_empty(), MaxwellError::NoStrikes);
    require!(args.strikes.len() <= MAX_STRIKES_PER_LIST, MaxwellError::TooManyStrikes);
    let mut u = ctx.accounts.underlying.load_mut()?;
    let first_series_index = u.n_series;
    let (e, new_expiry) = match u.expiry_index(args.expiry) {
        Some(e) => (e, false),
        None => {
            let e = usize::from(u.n_expiries);
            require!(e < MAX_EXPIRIES, MaxwellError::TooManyExpiries);
            u.expiries[e] = ExpiryState { expiry: args.expiry, ..ExpiryState::default() };
            u.n_expiries += 1;
            (e, true)
        }
    };
    for &strike in &args.strikes {
        require!(strike > 0, MaxwellError::StrikeZero);
        for kind in [0u8, 1] {
            let n = usize::from(u.n_series);
            let dup = u.series[..n].iter().any(|s| s.strike == strike && s.expiry == args.expiry && s.kind == kind);
            require!(!dup, MaxwellError::SeriesAlreadyListed);
            require!(n < MAX_SERIES, MaxwellError::TooManySeries);
            u.series[n] = SeriesInfo {
                strike,
                expiry: args.expiry,
                oi_cap: args.oi_cap,
                kind,
                expiry_index: e as u8,
                listed: 1,
                ..SeriesInfo::default()
            };
            u.n_series += 1;
        }
    }
    u.invariant()?;
    emit!(SeriesListLog {
        exchange: u.exchange,
        underlying: ctx.accounts.underlying.key(),
        expiry: args.expiry,
        expiry_index: e as u8,
        new_expiry,
        first_series_index,
        count: u.n_series - first_series_index,
        strikes: args.strikes,
        oi_cap: args.oi_cap,
    });
    Ok(())
}
