use anchor_lang::prelude::*;
use maxwell_engine::plans::shock_range::{stale_surface_params, widen_for_realized_vol};
use maxwell_risk::black76::OptionKind;
use maxwell_risk::market::{ExpiryMarket, UnderlyingMarket};
use maxwell_risk::scenario::underlying_scenarios;
use maxwell_risk::series::{strike_risk_on, ExpiryGrid};

use crate::error::MaxwellError;
use crate::events::RiskRefreshLog;
use crate::health::spot_per_contract;
use crate::oracle::{read_price, Freshness};
use crate::state::{Exchange, IxGate, Underlying};

#[derive(Accounts)]
pub struct RiskRefresh<'info> {
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange, has_one = oracle @ MaxwellError::WrongOracle)]
    pub underlying: AccountLoader<'info, Underlying>,
    /// CHECK: the underlying's Pyth spot oracle, validated by `oracle::read_price`.
    pub oracle: UncheckedAccount<'info>,
}

/// Keeper crank (anyone may call): recomputes the scenario grid and the risk arrays of series
/// `first..first + count` from the live oracle spot and the current surface. Each array is
/// full revaluation (Black-76 on the forward, the expiry's smile) of one contract in every
/// scenario; margin checks then only multiply and add. On a surface older than
/// `surface_max_age_secs` the arrays are built on conservative parameters
/// (`maxwell_engine::plans::shock_range::stale_surface_params`) and the log says so.
pub fn risk_refresh(ctx: Context<RiskRefresh>, first: u16, count: u16) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::RiskRefresh)?;
    let now = Clock::get()?.unix_timestamp;
    let mut u = ctx.accounts.underlying.load_mut()?;
    let p = read_price(&ctx.accounts.oracle, &u.oracle_spec(), now, Freshness::Strict)?;
    let spot = spot_per_contract(p.price as u64, p.expo, ex.quote_decimals)?;
    let conf = spot_per_contract(p.conf, p.expo, ex.quote_decimals)?;
    let r = refresh_arrays(&mut u, &ex, spot, conf, now, first, count)?;
    u.invariant()?;
    emit!(RiskRefreshLog {
        underlying: ctx.accounts.underlying.key(),
        first,
        end: r.end,
        refreshed: r.refreshed,
        spot,
        conf,
        range: r.range,
        realized_vol: r.realized_vol,
        widened: r.widened,
        surface_seq: r.surface_seq,
        stale_surface: r.stale_surface,
    });
    Ok(())
}

/// What a refresh did (the `RiskRefreshLog` fields it decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refreshed {
    pub end: u16,
    pub refreshed: u16,
    /// The grid's price range, Q52.
    pub range: i64,
    /// Realized volatility used, Q52.
    pub realized_vol: i64,
    pub widened: bool,
    pub surface_seq: u64,
    pub stale_surface: bool,
}

/// The live expiries with a smile, each at forward `spot`.
fn live_markets(u: &Underlying, spot: u64, now: i64) -> Vec<ExpiryMarket> {
    u.expiries[..usize::from(u.n_expiries)]
        .iter()
        .filter(|e| e.has_surface == 1 && e.expiry > now)
        .map(|e| ExpiryMarket { expiry: e.expiry, forward: spot, svi: *e.svi.engine() })
        .collect()
}

/// The price range (Q52) a crank would give the grid now on a fresh surface: the live smiles'
/// highest ATM vol, widened for realized vol. It does not depend on the spot.
pub fn grid_range(u: &Underlying, ex: &Exchange, now: i64) -> Result<i64> {
    let spot = u.scen.spot.max(1);
    let expiries = live_markets(u, spot, now);
    let market = UnderlyingMarket { spot, conf: 0, now, expiries: &expiries };
    let params = ex.risk.engine();
    let scen = underlying_scenarios(&market, params).map_err(MaxwellError::from)?;
    Ok(widen_for_realized_vol(&scen, u.realized_vol(), params).map_err(MaxwellError::from)?.range)
}

/// The crank's work on a loaded underlying at `spot` / `conf` (quote native per contract):
/// the grid, then the arrays of the live series `first..first + count`. The instruction and the
/// client's what-if (liquidation spot, through WASM) both run it.
pub fn refresh_arrays(u: &mut Underlying, ex: &Exchange, spot: u64, conf: u64, now: i64, first: u16, count: u16) -> Result<Refreshed> {
    require!(u.surface_ts > 0, MaxwellError::SurfaceStale);
    // A surface older than its max age still prices, on conservative parameters (wider vol
    // shocks and price range): liquidations never wait for the volatility oracle.
    let stale_surface = now.saturating_sub(u.surface_ts) > i64::from(u.surface_max_age_secs);
    let params = if stale_surface { stale_surface_params(ex.risk.engine()) } else { *ex.risk.engine() };

    let expiries = live_markets(u, spot, now);
    let market = UnderlyingMarket { spot, conf, now, expiries: &expiries };
    let scen = underlying_scenarios(&market, &params).map_err(MaxwellError::from)?;
    let implied_range = scen.range;
    let realized_vol = u.realized_vol();
    // Predictive margin: the price range from max(ATM vol, realized vol), never narrower.
    let scen = widen_for_realized_vol(&scen, realized_vol, &params).map_err(MaxwellError::from)?;
    u.scen = scen.into();

    let end = first.checked_add(count).ok_or(MaxwellError::MathOverflow)?.min(u.n_series);
    let seq = u.surface_seq;
    let mut grids: Vec<ExpiryGrid> = Vec::new();
    // Series already written as the sibling of an earlier one in this range.
    let mut done = vec![false; usize::from(end.saturating_sub(first))];
    let mut refreshed = 0u16;
    for i in usize::from(first)..usize::from(end) {
        let info = u.series[i];
        if done[i - usize::from(first)] || info.listed == 0 || info.expiry <= now {
            continue; // expired series settle; they are never margined again
        }
        require!(u.expiries[usize::from(info.expiry_index)].has_surface == 1, MaxwellError::SurfaceMissing);
        OptionKind::from_u8(info.kind).map_err(MaxwellError::from)?;
        // The strike-independent part of the grid once per expiry (tenor, vol shocks, shocked
        // forwards and their logarithms), shared by the expiry's series.
        let g = match grids.iter().position(|g| g.expiry == info.expiry) {
            Some(g) => g,
            None => {
                grids.push(ExpiryGrid::new(&market, info.expiry, &scen, &params).map_err(MaxwellError::from)?);
                grids.len() - 1
            }
        };
        // One evaluation set prices the call and the put of the strike: the other kind's
        // series later in the range (listing puts them side by side) is written from it too.
        let sibling = (i + 1..usize::from(end)).find(|&j| {
            let s = &u.series[j];
            s.listed == 1 && s.expiry == info.expiry && s.strike == info.strike && s.kind == 1 - info.kind
        });
        // (A series without its sibling in the range pays for both kinds: about 4% more than
        // its own array alone, and one evaluation routine in the program, not two.)
        let pair = strike_risk_on(info.strike, info.expiry, &grids[g], &scen, &params).map_err(MaxwellError::from)?;
        for j in core::iter::once(i).chain(sibling) {
            u.risk[j] = pair[usize::from(u.series[j].kind)].into();
            let s = &mut u.series[j];
            s.risk_spot = spot;
            s.risk_ts = now;
            s.risk_surface_seq = seq;
            done[j - usize::from(first)] = true;
            refreshed += 1;
        }
    }
    Ok(Refreshed {
        end,
        refreshed,
        range: scen.range,
        realized_vol: realized_vol.0,
        widened: scen.range != implied_range,
        surface_seq: seq,
        stale_surface,
    })
}
