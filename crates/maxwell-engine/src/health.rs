//! Account health from a plain snapshot: the one rule every margin check, the keeper and the
//! client use.
//!
//! The program's `HealthCache::load` validates the health accounts (owners, exchange, oracle
//! keys, prices) and builds a [`Snapshot`]; everything after that is here:
//! - collateral: each slot's native balance (bank index accrued to now) valued once per
//!   weight set ([`crate::valuation`]); a token that is the spot of an underlying the account
//!   holds options on moves in that underlying's scenarios and counts at full weight;
//! - options: the stored risk arrays of the held series, checked fresh
//!   ([`crate::drift::risk_fresh`]), through `maxwell_risk::margin::option_margin_from_arrays`
//!   (scenario worst loss floored by the short-option minimum, delta/vega/confidence add-ons);
//! - the drift add-on for the spot's move since the arrays were built;
//! - the reputation discount on the initial requirement ([`crate::reputation`]).
//!
//! Units: quote native units (e.g. micro-USDC); every rounding is against the account.

use alloc::vec::Vec;

use maxwell_lending::BankIndex;
use maxwell_risk::collateral::TokenPrice;
use maxwell_risk::fixed::Fx;
use maxwell_risk::margin::{self, BookArrays, CollateralInput, UnderlyingSummary, MAX_UNDERLYINGS};
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::UnderlyingScenarios;
use maxwell_risk::series::SeriesRisk;

use crate::drift::{drift_bps, drift_charge, spot_within, stamp_current, RiskLimits, RiskStamp};
use crate::error::{EngineError, Result};
use crate::reputation::{self, RepState};
use crate::valuation::{weighted_pair, Weights};

/// One bank as the health rule needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankSnap {
    pub bank_index: u16,
    /// Indices accrued to the snapshot's `now` (balances are valued with today's interest).
    pub index: BankIndex,
    /// Oracle price in quote native per token native (`TokenPrice::ONE` for the quote).
    pub price: TokenPrice,
    pub weights: Weights,
}

/// A listed series as the health rule needs it (the program implements it on its stored type).
pub trait SeriesMeta {
    fn stamp(&self) -> RiskStamp;
    /// The series slot's generation (bumped each time the slot is recycled).
    fn generation(&self) -> u16 {
        0
    }
}

impl SeriesMeta for RiskStamp {
    fn stamp(&self) -> RiskStamp {
        *self
    }
}

/// One underlying: its grid, risk arrays and series stamps (borrowed from the account data).
#[derive(Clone, Copy, Debug)]
pub struct UnderlyingSnap<'a, S> {
    pub underlying_index: u16,
    /// Live oracle spot, quote native per contract.
    pub spot: u64,
    /// Bank whose token is this underlying, or `u16::MAX`.
    pub spot_bank_index: u16,
    pub limits: RiskLimits,
    pub scen: &'a UnderlyingScenarios,
    pub risk: &'a [SeriesRisk],
    pub series: &'a [S],
}

/// Everything a health computation reads besides the account.
#[derive(Clone, Debug)]
pub struct Snapshot<'a, S> {
    pub banks: &'a [BankSnap],
    pub unders: Vec<UnderlyingSnap<'a, S>>,
    pub risk: RiskParams,
    pub now: i64,
    /// Tolerate stale risk arrays (deposits only: they add margin); reported in `fresh`.
    pub lenient: bool,
    /// False if the loader tolerated a stale or wide oracle.
    pub oracles_fresh: bool,
}

/// An account as the health rule reads it.
pub trait AccountView {
    /// `(bank_index, balance in shares)` of every slot in use (a zero balance is allowed: an
    /// emptied slot is freed after the health check and needs no bank).
    fn balances(&self) -> impl Iterator<Item = (u16, i64)> + '_;
    /// `(underlying_index, series_index, generation, size)` of every open position; a position
    /// whose generation is not its series slot's is a retired expiry's leftover, worth exactly
    /// zero (the program's `expiry_retire` proves it), and is skipped.
    fn positions(&self) -> impl Iterator<Item = (u16, u16, u16, i64)> + '_;
    fn reputation(&self) -> RepState;
}

/// Health in quote native units, rounded against the account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// Equity at initial weights minus the initial requirement: gates risk-increasing actions.
    pub init: i64,
    /// Equity at maintenance weights minus the maintenance requirement: decides liquidation.
    pub maint: i64,
    /// Requirements for the options, drift add-on included; initial after the reputation discount.
    pub initial_req: i64,
    pub maintenance_req: i64,
    /// Mark value of the option positions (long floor, short ceil).
    pub option_value: i64,
    /// False if a stale or wide oracle or a stale risk array was tolerated (lenient mode only).
    pub oracles_fresh: bool,
    /// A maintenance requirement or a borrow: reputation credit runs.
    pub carrying_risk: bool,
}

/// One underlying's part, itemised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnderlyingHealth {
    pub underlying_index: u16,
    /// Spot move since the arrays were built, bps (the largest over the held series).
    pub drift_bps: u64,
    pub addon_drift: i64,
    /// Worst loss, add-ons, Greeks (delta, gamma, vega, theta) and the worst scenario.
    pub summary: UnderlyingSummary,
}

/// The whole account, itemised.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HealthDetail {
    pub health: Health,
    /// Weighted collateral, assets floor, borrows ceil.
    pub collateral_init: i64,
    pub collateral_maint: i64,
    /// Initial requirement before the reputation discount (drift included).
    pub initial_before_reputation: i64,
    pub reputation_discount: i64,
    pub addon_drift: i64,
    /// One entry per underlying with positions, in the order the positions first name them
    /// (allocated only when there are positions).
    pub underlyings: Vec<UnderlyingHealth>,
}

fn find_bank<'s, S>(snap: &'s Snapshot<'_, S>, index: u16) -> Result<&'s BankSnap> {
    snap.banks.iter().find(|b| b.bank_index == index).ok_or(EngineError::MissingHealthAccount)
}

fn find_under<'s, 'a, S>(snap: &'s Snapshot<'a, S>, index: u16) -> Result<&'s UnderlyingSnap<'a, S>> {
    snap.unders.iter().find(|u| u.underlying_index == index).ok_or(EngineError::MissingHealthAccount)
}

fn add(a: i64, b: i64) -> Result<i64> {
    a.checked_add(b).ok_or(EngineError::Overflow)
}

/// The account as the risk engine reads it: underlyings with positions in first-seen order
/// (the engine's book indexes) with each one's positions, the weighted collateral (both weight
/// sets) and the spot balances that move in a book's scenarios.
struct Assembly {
    books_idx: Vec<u16>,
    positions: Vec<Vec<margin::Position>>,
    inputs: Vec<CollateralInput>,
    collateral_init: i64,
    collateral_maint: i64,
    has_borrow: bool,
}

fn assemble<S: SeriesMeta, A: AccountView>(snap: &Snapshot<'_, S>, account: &A) -> Result<Assembly> {
    // One pass over the account's position slots.
    let mut books_idx: Vec<u16> = Vec::new();
    let mut positions: Vec<Vec<margin::Position>> = Vec::new();
    for (u, series, generation, size) in account.positions() {
        let recycled = find_under(snap, u)?.series.get(usize::from(series)).is_some_and(|s| s.generation() != generation);
        if recycled {
            continue;
        }
        let k = match books_idx.iter().position(|&x| x == u) {
            Some(k) => k,
            None => {
                if books_idx.len() == MAX_UNDERLYINGS {
                    return Err(EngineError::TooManyUnderlyings);
                }
                books_idx.push(u);
                positions.push(Vec::new());
                books_idx.len() - 1
            }
        };
        positions[k].push(margin::Position { size, series, _pad: [0; 6] });
    }
    let (mut has_borrow, mut collateral_init, mut collateral_maint) = (false, 0i64, 0i64);
    let mut inputs: Vec<CollateralInput> = Vec::new();
    for (bank_index, shares) in account.balances() {
        if shares == 0 {
            continue;
        }
        has_borrow |= shares < 0;
        let b = find_bank(snap, bank_index)?;
        let native = b.index.value(shares)?;
        // Spot collateral of an underlying the account holds options on moves in that
        // underlying's price scenarios (SOL + a short SOL call is a covered call): the grid
        // charges its price risk, so it counts at full weight instead of its haircut.
        let book = books_idx.iter().position(|&u| find_under(snap, u).map(|e| e.spot_bank_index == bank_index).unwrap_or(false));
        let w = if book.is_some() { Weights::FULL } else { b.weights };
        let (vi, vm) = weighted_pair(native, b.price, &w)?;
        collateral_init = add(collateral_init, vi)?;
        collateral_maint = add(collateral_maint, vm)?;
        if let Some(i) = book {
            inputs.push(CollateralInput {
                amount: native,
                price: b.price,
                asset_weight_bps: w.maint_asset,
                liability_weight_bps: w.maint_liab,
                underlying: i as u8,
            });
        }
    }
    Ok(Assembly { books_idx, positions, inputs, collateral_init, collateral_maint, has_borrow })
}

/// Health of `account`: the small summary every instruction uses.
pub fn health<S: SeriesMeta, A: AccountView>(snap: &Snapshot<'_, S>, account: &A) -> Result<Health> {
    Ok(health_detail(snap, account)?.health)
}

/// Health of `account` with every part itemised (per-underlying Greeks, worst scenario,
/// add-ons). Never inlined into the caller's 4 KB SBF frame.
#[inline(never)]
pub fn health_detail<S: SeriesMeta, A: AccountView>(snap: &Snapshot<'_, S>, account: &A) -> Result<HealthDetail> {
    let Assembly { books_idx, positions, inputs, collateral_init, collateral_maint, has_borrow } = assemble(snap, account)?;
    let mut d = HealthDetail { collateral_init, collateral_maint, ..HealthDetail::default() };
    let mut fresh = snap.oracles_fresh;
    let mut maintenance_req = 0i64;
    let mut initial_full = 0i64;
    let mut option_value = 0i64;
    if !books_idx.is_empty() {
        // Every risk array used must be listed, unexpired and fresh.
        d.underlyings.reserve_exact(books_idx.len());
        for (k, (&u, ps)) in books_idx.iter().zip(positions.iter()).enumerate() {
            let e = find_under(snap, u)?;
            let mut drift = 0u64;
            // The spot part (two u128 divisions) once per build spot: the series of one crank
            // share it, so a large book pays it a few times, not once per position.
            let (mut last_spot, mut spot_ok, mut last_drift) = (None, false, 0u64);
            for p in ps {
                let i = usize::from(p.series);
                let st = e.series.get(i).ok_or(EngineError::SeriesNotListed)?.stamp();
                if e.risk.len() <= i {
                    return Err(EngineError::SeriesNotListed);
                }
                if snap.now >= st.expiry {
                    return Err(EngineError::ExpiredPositionUnsettled);
                }
                if last_spot != Some(st.risk_spot) {
                    last_spot = Some(st.risk_spot);
                    spot_ok = spot_within(&e.limits, e.spot, st.risk_spot);
                    last_drift = drift_bps(e.spot, st.risk_spot);
                }
                if !(spot_ok && stamp_current(&st, &e.limits, snap.now)) {
                    if !snap.lenient {
                        return Err(EngineError::RiskCacheStale);
                    }
                    fresh = false;
                }
                drift = drift.max(last_drift);
            }
            debug_assert_eq!(d.underlyings.len(), k);
            d.underlyings.push(UnderlyingHealth { underlying_index: u, drift_bps: drift, ..UnderlyingHealth::default() });
        }
        let mut books: Vec<BookArrays> = Vec::with_capacity(books_idx.len());
        for (&u, ps) in books_idx.iter().zip(positions.iter()) {
            let e = find_under(snap, u)?;
            books.push(BookArrays { scen: e.scen, series: e.risk, positions: ps });
        }
        let s = margin::option_margin_from_arrays(&books, &inputs, &snap.risk, Fx::ONE, 0)?;
        // Spot drift since the arrays were built (within tolerance): charge the delta and
        // gamma exposure over that move, rounded up.
        for (k, u) in s.underlyings[..books_idx.len()].iter().enumerate() {
            let uh = &mut d.underlyings[k];
            uh.summary = *u;
            uh.addon_drift = drift_charge(u.delta_quote, u.gamma_quote, uh.drift_bps).ok_or(EngineError::Overflow)?;
            d.addon_drift = add(d.addon_drift, uh.addon_drift)?;
        }
        maintenance_req = add(s.maintenance, d.addon_drift)?;
        initial_full = add(s.initial, d.addon_drift)?;
        option_value = s.option_value;
    }
    let carrying = maintenance_req > 0 || has_borrow;
    d.initial_before_reputation = initial_full;
    d.reputation_discount = reputation::discount(&account.reputation(), maintenance_req, snap.risk.im_factor, snap.risk.reputation_floor)?;
    let initial_req = initial_full.checked_sub(d.reputation_discount).ok_or(EngineError::Overflow)?;
    let init = add(d.collateral_init, option_value)?.checked_sub(initial_req).ok_or(EngineError::Overflow)?;
    let maint = add(d.collateral_maint, option_value)?.checked_sub(maintenance_req).ok_or(EngineError::Overflow)?;
    d.health = Health { init, maint, initial_req, maintenance_req, option_value, oracles_fresh: fresh, carrying_risk: carrying };
    Ok(d)
}

/// One underlying's scenario losses, as the margin check sees the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScenarioRow {
    pub underlying_index: u16,
    /// Loss of the underlying's book (options and its spot collateral) in each scenario of its
    /// grid, quote native (a gain is negative); `maxwell_risk::scenario` orders the scenarios.
    pub loss: [i64; maxwell_risk::scenario::N_SCEN],
}

/// The account's scenario table: one row per underlying with positions, in the order
/// [`HealthDetail::underlyings`] lists them. Freshness is not checked here (a table is
/// informative); [`health_detail`] on the same snapshot says whether the arrays are usable.
pub fn scenario_table<S: SeriesMeta, A: AccountView>(snap: &Snapshot<'_, S>, account: &A) -> Result<Vec<ScenarioRow>> {
    let a = assemble(snap, account)?;
    let mut books: Vec<BookArrays> = Vec::with_capacity(a.books_idx.len());
    for (&u, ps) in a.books_idx.iter().zip(a.positions.iter()) {
        let e = find_under(snap, u)?;
        books.push(BookArrays { scen: e.scen, series: e.risk, positions: ps });
    }
    let mut rows = Vec::with_capacity(books.len());
    for (k, &u) in a.books_idx.iter().enumerate() {
        rows.push(ScenarioRow { underlying_index: u, loss: margin::scenario_losses(&books, k, &a.inputs)? });
    }
    Ok(rows)
}
