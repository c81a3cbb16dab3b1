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
    let now = Clock::get()?.unix_timestamp;
    let mut u = ctx.accounts.underlying.load_mut()?;
    let listed = list_series(&mut u, now, args.expiry, &args.strikes, args.oi_cap)?;
    u.invariant()?;
    emit!(listed.log(u.exchange, ctx.accounts.underlying.key(), args.strikes, args.oi_cap));
    Ok(())
}

/// What [`list_series`] did.
pub struct Listed {
    pub expiry: i64,
    pub expiry_index: u8,
    pub new_expiry: bool,
    pub series_indices: Vec<u16>,
}

impl Listed {
    pub fn log(self, exchange: Pubkey, underlying: Pubkey, strikes: Vec<u64>, oi_cap: u64) -> SeriesListLog {
        SeriesListLog {
            exchange,
            underlying,
            expiry: self.expiry,
            expiry_index: self.expiry_index,
            new_expiry: self.new_expiry,
            first_series_index: self.series_indices[0],
            count: self.series_indices.len() as u16,
            strikes,
            oi_cap,
            series_indices: self.series_indices,
        }
    }
}

/// Lists a call and a put at each of `strikes` for `expiry` on `u` (the expiry added if new,
/// into a free slot first): the rule `series_list` and `listing_execute` share. The caller
/// checks the invariant and emits.
pub fn list_series(u: &mut Underlying, now: i64, expiry: i64, strikes: &[u64], oi_cap: u64) -> Result<Listed> {
    require!(expiry > now, MaxwellError::ExpiryInPast);
    require!(!strikes.is_empty(), MaxwellError::NoStrikes);
    require!(strikes.len() <= MAX_STRIKES_PER_LIST, MaxwellError::TooManyStrikes);
    // Free slots first (retired by `expiry_retire`), then the next never-used one.
    let (e, new_expiry) = match u.expiry_index(expiry) {
        Some(e) => (e, false),
        None => {
            let n = usize::from(u.n_expiries);
            let e = u.expiries[..n].iter().position(|x| x.expiry == 0).unwrap_or(n);
            require!(e < MAX_EXPIRIES, MaxwellError::TooManyExpiries);
            u.expiries[e] = ExpiryState { expiry, ..ExpiryState::default() };
            u.vol_guard.last_update[e] = 0;
            if e == n {
                u.n_expiries += 1;
            }
            (e, true)
        }
    };
    // One pass over the slots below the high-water mark: the series already listed on this
    // expiry (for the duplicate check) and the free slots, lowest first (linear in the listing,
    // not quadratic: a call may add 32 series to an underlying of 512).
    let n = usize::from(u.n_series);
    let wanted = 2 * strikes.len();
    let mut listed_here: Vec<(u64, u8)> = Vec::new();
    let mut free: Vec<usize> = Vec::with_capacity(wanted);
    for (i, s) in u.series[..n].iter().enumerate() {
        if s.listed == 1 && s.expiry == expiry {
            listed_here.push((s.strike, s.kind));
        } else if s.listed == 0 && free.len() < wanted {
            free.push(i);
        }
    }
    let mut free = free.into_iter();
    let mut series_indices: Vec<u16> = Vec::with_capacity(wanted);
    for &strike in strikes {
        require!(strike > 0, MaxwellError::StrikeZero);
        for kind in [0u8, 1] {
            require!(!listed_here.contains(&(strike, kind)), MaxwellError::SeriesAlreadyListed);
            listed_here.push((strike, kind));
            let n = usize::from(u.n_series);
            let i = free.next().unwrap_or(n);
            require!(i < MAX_SERIES, MaxwellError::TooManySeries);
            // The slot keeps its generation (bumped when it was freed).
            let generation = u.series[i].generation;
            u.series[i] =
                SeriesInfo { strike, expiry, oi_cap, kind, expiry_index: e as u8, listed: 1, generation, ..SeriesInfo::default() };
            if i == n {
                u.n_series += 1;
            }
            series_indices.push(i as u16);
        }
    }
    Ok(Listed { expiry, expiry_index: e as u8, new_expiry, series_indices })
}
