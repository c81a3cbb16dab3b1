//! Per-series risk, computed once per series (by a keeper crank or inline when stale) and
//! stored: the SPAN-style risk array (P&L of one long contract in each scenario), the mark,
//! the Greeks in quote units and the short-option minimum. The per-account check then needs
//! only integer multiply-adds ([`crate::margin::portfolio_margin_from_arrays`]).
//!
//! Rounding against the holder, for both sides, from one array:
//! - `pnl[s] = floor(V_s - V_0 - e)` and `mark = floor(V_0 - e0)`, where `e` bounds the
//!   evaluation error (`max(F, K) * 2^-40` per evaluation; the golden tests measure < 2e-13):
//!   a long holder's P&L and value are never overstated;
//! - a short holder uses `pnl[s] + slack` and `mark + slack`, with
//!   `slack = 1 + ceil(2 e_max)`, which is >= the ceiling of the true value: never understated.
//!
//! So `size * array` is conservative for every sign of `size`, by at most `slack` (2 quote
//! native units for any contract worth less than 5.5e11 units) per contract and scenario.

use crate::black76::{price_and_greeks_total, prices_total, Black76, MinMaxRatio, OptionKind};
use crate::fixed::{shr_round, to_i64, Fx, Rounding, FX_FRAC, WIDE_FRAC};
use crate::market::{ExpiryMarket, UnderlyingMarket};
use crate::math::ln::{ln_ratio_q62, ln_u64_q62};
use crate::math::wide::{div_rem_u128_u64, div_u128, mul_shr_round, smul_shr_round, umul_wide};
use crate::params::RiskParams;
use crate::scenario::{vol_shocks, UnderlyingScenarios, GAP_SHOCKS, MID_PRICE, N_GAP, N_PRICE, N_SCEN, N_VOL};
use crate::surface::{shock_vol_q62, SviParams};
use crate::units::{Price, Tenor};
use crate::RiskError;

/// Fractional bits of intermediate quote values.
pub const VALUE_FRAC: u32 = 20;

/// One listed option series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Series {
    /// Strike, quote native per contract.
    pub strike: u64,
    /// Expiry, unix seconds (must be one of the underlying's expiries).
    pub expiry: i64,
    /// Index of the underlying in the caller's market list.
    pub underlying: u8,
    /// 0 = call, 1 = put.
    pub kind: u8,
    pub _pad: [u8; 6],
}

/// Stored risk of one series, per one contract (plain `i64`: zero-copy friendly, 352 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
#[cfg_attr(feature = "bytemuck", derive(bytemuck::Pod, bytemuck::Zeroable))]
pub struct SeriesRisk {
    /// `floor(V_s - V_0 - e)` per long contract, quote native, scenario order of [`crate::scenario`].
    pub pnl: [i64; N_SCEN],
    /// `floor(V_0 - e0)`: mark value of one long contract, quote native.
    pub mark: i64,
    /// Added to `pnl` and `mark` for short positions (see module docs).
    pub slack: i64,
    /// Delta x 1e9 (contracts of underlying per contract), to nearest.
    pub delta_e9: i64,
    /// `F * delta`: quote value of the delta position (P&L per unit relative move), to nearest.
    pub delta_quote: i64,
    /// `F * gamma_norm = F^2 d2V/dF2`, quote native, to nearest.
    pub gamma_quote: i64,
    /// `dV/dsigma`, quote native per 1.00 of vol, to nearest.
    pub vega_quote: i64,
    /// `dV/dt`, quote native per year, to nearest (negative for a long option).
    pub theta_quote: i64,
    /// Maintenance short-option minimum per naked short contract, quote native, rounded up.
    pub short_min: i64,
    /// 0 = call, 1 = put.
    pub kind: u8,
    /// The expiry's term class when the array was computed, which says what the twist columns
    /// copy: [`TERM_FRONT`] (inside the vol shocks' reference tenor: the twist is the up column,
    /// the reverse twist the down column) or [`TERM_BACK`] (the other way round); 0 in arrays
    /// stored before the field (the margin check then sums every stored column).
    pub term: u8,
    /// A bound on every stored value: `fold(x) < 2^bits` for each `pnl` slot and each other
    /// `i64` field (`|x| <= fold(x) + 1`, [`SeriesRisk::value_bits`]), set by the crank
    /// ([`SeriesRisk::seal`]) so that the margin check sizes its word sums from one byte
    /// instead of folding every value of every position; 0 in arrays stored before the field
    /// (the margin check then folds them).
    pub bits: u8,
    pub _pad: [u8; 5],
}

const _: () = assert!(core::mem::size_of::<SeriesRisk>() == 352);

impl SeriesRisk {
    /// Every field zero.
    pub const ZERO: SeriesRisk = SeriesRisk {
        pnl: [0; N_SCEN],
        mark: 0,
        slack: 0,
        delta_e9: 0,
        delta_quote: 0,
        gamma_quote: 0,
        vega_quote: 0,
        theta_quote: 0,
        short_min: 0,
        kind: 0,
        term: 0,
        bits: 0,
        _pad: [0; 5],
    };

    /// The `i64` fields the margin check sums, besides `pnl`.
    fn scalars(&self) -> [i64; 8] {
        [self.mark, self.slack, self.delta_e9, self.delta_quote, self.gamma_quote, self.vega_quote, self.theta_quote, self.short_min]
    }

    /// The smallest `b` with `fold(x) < 2^b` for every stored `i64` (`fold(x) = x ^ (x >> 63)`,
    /// the magnitude less one for a negative `x`): the bound [`SeriesRisk::bits`] records.
    pub fn value_bits(&self) -> u8 {
        let m = self.pnl.iter().chain(self.scalars().iter()).fold(0u64, |m, &x| m | (x ^ (x >> 63)) as u64);
        (64 - m.leading_zeros()) as u8
    }

    /// The slot of the skew sensitivity: the last price point's first twist slot.
    pub const SKEW_SLOT: usize = (N_PRICE - 1) * N_VOL + 3;

    /// Quote native per 1.00 of skew tilt: `vega * sigma * y * s(T)`, the first-order change of
    /// one long contract's value when every log vol moves by `y` (standardised moneyness,
    /// clamped to +-4) times the tenor factor `s(T)` of the vol shocks; when its term has
    /// [`TERM_SKEW`].
    pub fn skew(&self) -> Option<i64> {
        (self.term & TERM_SKEW != 0).then_some(self.pnl[Self::SKEW_SLOT])
    }

    /// Stores the skew sensitivity and sets [`TERM_SKEW`] (the crank's writer).
    pub fn set_skew(&mut self, x: i64) {
        self.pnl[Self::SKEW_SLOT] = x;
        self.term |= TERM_SKEW;
    }

    /// Records [`SeriesRisk::value_bits`] in `bits` (the crank's last step on an array).
    pub fn seal(&mut self) {
        self.bits = self.value_bits();
    }
}

/// [`SeriesRisk::term`] of a front expiry: twist = up, reverse twist = down.
pub const TERM_FRONT: u8 = 1;
/// [`SeriesRisk::term`] of a back expiry: twist = down, reverse twist = up.
pub const TERM_BACK: u8 = 2;

/// Flag in [`SeriesRisk::term`]: the option expires inside the horizon with its strike strictly
/// between two price points, and the array's twist slots of the first two price points hold its
/// [`ExpiryKink`] instead of copies (the margin check rebuilds the twists from the term class
/// either way).
pub const TERM_KINK: u8 = 4;
/// The term-class bits of [`SeriesRisk::term`].
pub const TERM_CLASS: u8 = 3;
/// Flag in [`SeriesRisk::term`]: the first twist slot of the last price point holds the
/// series' skew sensitivity ([`SeriesRisk::skew`]).
pub const TERM_SKEW: u8 = 16;
/// Flag in [`SeriesRisk::term`]: the twist slots of price point 2 hold the series' P&L at the
/// extended gap points ([`SeriesRisk::gaps`]; the crank writes them in every array it stores).
pub const TERM_GAP: u8 = 8;

/// Where the payoff of an option that expires inside the horizon bends: its strike, strictly
/// between price points `interval` and `interval + 1`, whose shocked forwards are `lo` and `hi`
/// (quote native per contract, `lo < strike < hi`). The array holds the intrinsic value at the
/// price points; between them the value is linear on each side of the strike, so a book's loss
/// can peak at a strike the grid does not price (a short butterfly centred between two points
/// loses its whole width there and nothing at the points). The margin check prices the book
/// at these strikes ([`crate::margin`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpiryKink {
    pub interval: u8,
    pub strike: u64,
    pub lo: u64,
    pub hi: u64,
}

impl ExpiryKink {
    /// The slots of the array that hold the kink: the twist slots of price points 0 and 1.
    const SLOTS: [usize; 4] = [3, 4, N_VOL + 3, N_VOL + 4];

    /// How far the payoff of one long contract lies below the chord between its values at `lo`
    /// and `hi`, at the strike, where the gap is largest: `(K - lo)(hi - K) / (hi - lo)`,
    /// rounded up (the tent's height; it falls linearly to 0 at both points).
    pub fn height(&self) -> u64 {
        let (hi, lo) = umul_wide(self.strike - self.lo, self.hi - self.strike);
        div_u128((u128::from(hi) << 64) | u128::from(lo), u128::from(self.hi - self.lo), true) as u64
        // < hi - lo
    }
}

impl SeriesRisk {
    /// The twist slots that hold the gap points' P&L: those of price point 2.
    pub const GAP_SLOTS: [usize; N_GAP] = [2 * N_VOL + 3, 2 * N_VOL + 4];

    /// The P&L of one long contract at each extended gap point
    /// ([`crate::scenario::GAP_SHOCKS`], the up vol state, one horizon later), in the array's
    /// terms (`floor(V_g - V_0 - e)`; a short adds `slack` as at every scenario), when its term
    /// has [`TERM_GAP`].
    pub fn gaps(&self) -> Option<[i64; N_GAP]> {
        (self.term & TERM_GAP != 0).then(|| Self::GAP_SLOTS.map(|i| self.pnl[i]))
    }

    /// Stores the gap points' P&L in their slots and sets [`TERM_GAP`] (the crank's writer).
    pub fn set_gaps(&mut self, pnl: &[i64; N_GAP]) {
        for (i, &x) in Self::GAP_SLOTS.into_iter().zip(pnl) {
            self.pnl[i] = x;
        }
        self.term |= TERM_GAP;
    }

    /// The series' [`ExpiryKink`], when its term has [`TERM_KINK`].
    pub fn kink(&self) -> Option<ExpiryKink> {
        if self.term & TERM_KINK == 0 {
            return None;
        }
        let [i, k, lo, hi] = ExpiryKink::SLOTS.map(|s| self.pnl[s] as u64);
        let kink = ExpiryKink { interval: i as u8, strike: k, lo, hi };
        // A well-formed record (the crank writes only these): anything else is no kink.
        (i < (N_PRICE - 1) as u64 && lo < k && k < hi).then_some(kink)
    }

    /// Stores `kink` in the twist slots and sets [`TERM_KINK`] (the crank's writer).
    pub fn set_kink(&mut self, kink: &ExpiryKink) {
        let v = [u64::from(kink.interval), kink.strike, kink.lo, kink.hi];
        for (s, x) in ExpiryKink::SLOTS.into_iter().zip(v) {
            self.pnl[s] = x as i64;
        }
        self.term |= TERM_KINK;
    }
}

/// The kink of a strike on an expiry's grid: `Some` when the options expire inside the horizon
/// (valued at intrinsic in every scenario) and the strike lies strictly between two shocked
/// forwards.
pub fn expiry_kink(strike: u64, grid: &ExpiryGrid) -> Option<ExpiryKink> {
    if !grid.after.expired() {
        return None;
    }
    (0..N_PRICE - 1).find_map(|j| {
        let (lo, hi) = (grid.fwd[j], grid.fwd[j + 1]);
        (lo < strike && strike < hi).then_some(ExpiryKink { interval: j as u8, strike, lo, hi })
    })
}

/// The parallel columns (1 = up, 2 = down) the twist and the reverse twist of a series of
/// term class `term` copy, in that order: the one statement of the mapping, for the crank's
/// class ([`term_of`]), the margin check's rebuilt twists and the tests.
pub const fn twist_columns(term: u8) -> [usize; 2] {
    if term == TERM_FRONT {
        [1, 2]
    } else {
        [2, 1]
    }
}

/// The term class of an expiry's vol states (`[unchanged, up, down, twist, reverse]`): front
/// when its twist is the column [`twist_columns`] gives a front expiry. When up and down are
/// the same shock both classes give the same columns.
pub fn term_of(vols: &[Fx; N_VOL]) -> u8 {
    if vols[3] == vols[twist_columns(TERM_FRONT)[0]] {
        TERM_FRONT
    } else {
        TERM_BACK
    }
}

/// Contracts worth less than this (quote native, `max(F, K)`; 4.4e12) have every Q20 value
/// of their array below 2^62: the array's arithmetic runs in words.
const SMALL_SCALE: u64 = 1 << 42;

/// Per-evaluation error bound in Q20 quote: `scale * 2^-40`, plus one Q20 unit.
fn err_q20(scale: u64) -> i128 {
    (i128::from(scale) >> (40 - VALUE_FRAC)) + 1
}

/// Value of one contract when the forward moves by `price_shock` and the smile by `vol_shock`.
pub fn scenario_eval(strike: u64, exp: &ExpiryMarket, tenor: &Tenor, price_shock: Fx, vol_shock: Fx) -> Result<Black76, RiskError> {
    let forward = Price(exp.forward).positive()?.shocked(price_shock)?;
    let k = ln_ratio_q62(Price(strike).positive()?.0, forward.0)?;
    let v = exp.svi.total_vol_q62(k, vol_shock)?;
    price_and_greeks_total(forward, Price(strike), k, v, tenor)
}

/// [`scenario_eval`] one horizon later (`horizon_secs`): the smile's total variance scaled to
/// the remaining time (the same implied vol over `T - h`), the option valued at `T - h`, and at
/// its intrinsic value when it expires inside the horizon. What the risk array stores.
pub fn scenario_eval_after(
    strike: u64,
    exp: &ExpiryMarket,
    tenor: &Tenor,
    horizon_secs: i64,
    price_shock: Fx,
    vol_shock: Fx,
) -> Result<Black76, RiskError> {
    let after = Tenor::from_secs(tenor.secs.saturating_sub(horizon_secs))?;
    let forward = Price(exp.forward).positive()?.shocked(price_shock)?;
    let k = ln_ratio_q62(Price(strike).positive()?.0, forward.0)?;
    let v = decayed(exp.svi.total_vol_q62(k, vol_shock)?, decay_q62(tenor, &after)?);
    price_and_greeks_total(forward, Price(strike), k, v, &after)
}

/// One contract at an extended gap point, as the risk array stores it: the forward moved by
/// `gap_shock`, the total vol that of the smile at the grid's edge (`edge_shock`, the price
/// point nearer the gap) shocked by `vol_shock` (the up state) and decayed, valued one horizon
/// later ([`scenario_eval_after`] with the vol read at the edge). The crank computes the same
/// value from its prepared grid.
pub fn gap_eval_after(
    strike: u64,
    exp: &ExpiryMarket,
    tenor: &Tenor,
    horizon_secs: i64,
    gap_shock: Fx,
    edge_shock: Fx,
    vol_shock: Fx,
) -> Result<Black76, RiskError> {
    let after = Tenor::from_secs(tenor.secs.saturating_sub(horizon_secs))?;
    let fwd = Price(exp.forward).positive()?;
    let (gap, edge) = (fwd.shocked(gap_shock)?, fwd.shocked(edge_shock)?);
    let strike_p = Price(strike).positive()?;
    let v = decayed(exp.svi.total_vol_q62(ln_ratio_q62(strike_p.0, edge.0)?, vol_shock)?, decay_q62(tenor, &after)?);
    price_and_greeks_total(gap, strike_p, ln_ratio_q62(strike_p.0, gap.0)?, v, &after)
}

/// `sqrt((T - h) / T)` in Q62 (0 when expired by then; 1 for an expired `T`).
fn decay_q62(tenor: &Tenor, after: &Tenor) -> Result<u128, RiskError> {
    if tenor.sqrt_t_q62 == 0 {
        return Ok(1u128 << 62);
    }
    Ok(div_rem_u128_u64(u128::from(after.sqrt_t_q62) << 62, tenor.sqrt_t_q62).0)
}

/// A total vol `v` (Q62) times the decay factor (Q62, at most 1), rounded down: one word
/// product when `v` fits in a word (total vol below 4), the `u128` product otherwise; the
/// same value.
fn decayed(v: i128, decay_q62: u128) -> i128 {
    if v <= 0 {
        return v;
    }
    if let (Ok(v64), Ok(d64)) = (u64::try_from(v), u64::try_from(decay_q62)) {
        let (hi, lo) = umul_wide(v64, d64);
        return i128::from((hi << 2) | (lo >> 62)); // <= v: fits
    }
    ((v as u128 * decay_q62) >> 62) as i128
}

/// Maintenance short-option minimum of one contract:
/// `max(floor, base - OTM/S) * S * mm_scale`, rounded up (S = spot).
pub fn short_minimum(kind: OptionKind, strike: u64, spot: u64, params: &RiskParams) -> Result<i64, RiskError> {
    let otm = match kind {
        OptionKind::Call => strike.saturating_sub(spot),
        OptionKind::Put => spot.saturating_sub(strike),
    };
    let s = u128::from(Price(spot).positive()?.0);
    let otm_ratio = div_rem_u128_u64(u128::from(otm) << FX_FRAC, spot).0; // floor: the minimum rounds up
    let ratio = (i128::from(params.short_min_base) - otm_ratio as i128).max(i128::from(params.short_min_floor));
    let scaled = shr_round(ratio * i128::from(params.short_min_mm_scale), FX_FRAC, Rounding::Ceil);
    to_i64(shr_round(scaled * s as i128, FX_FRAC, Rounding::Ceil))
}

/// Quote-unit Greeks of one contract from a base evaluation.
fn greeks_quote(b: &Black76, kind: OptionKind) -> Result<[i64; 5], RiskError> {
    let f = i128::from(b.forward);
    let d = i128::from(b.delta(kind).0);
    let near = |x: i128, s: u32| to_i64(shr_round(x, s, Rounding::Nearest));
    Ok([
        near(d * 1_000_000_000, FX_FRAC)?,
        near(d * f, FX_FRAC)?,
        near(i128::from(b.gamma.0) * f, WIDE_FRAC)?,
        near(i128::from(b.vega.0) * f, WIDE_FRAC)?,
        near(i128::from(b.theta.0) * f, WIDE_FRAC)?,
    ])
}

/// The strike-independent part of one expiry's grid, shared by every series of the expiry
/// (a crank refreshing many series prepares it once per expiry): the tenor, the vol shocks,
/// the shocked forwards `F_p = F (1 + shock_p)` and their logarithms, so that a strike's
/// log-moneyness in price scenario `p` is `ln K - ln F_p`: one logarithm per series instead
/// of two per scenario, the same value as `ln_ratio_q62(K, F_p)` bit for bit.
#[derive(Clone, Copy, Debug)]
pub struct ExpiryGrid {
    /// Expiry timestamp (the series' `expiry`).
    pub expiry: i64,
    svi: SviParams,
    forward: u64,
    ln_forward: i128,
    tenor: Tenor,
    /// The tenor one horizon later (scenarios are valued then) and `sqrt((T - h) / T)`, Q62.
    after: Tenor,
    decay_q62: u128,
    vols: [Fx; N_VOL],
    shock_mid_zero: bool,
    fwd: [u64; N_PRICE],
    ln_fwd: [i128; N_PRICE],
    /// The forwards at the extended gap points and their logarithms.
    fwd_gap: [u64; N_GAP],
    ln_fwd_gap: [i128; N_GAP],
    /// The skew move's tenor factor `s(T)`: the up shock over `vol_up`, Q52 (0 when the
    /// options expire inside the horizon: valued at intrinsic there, they have no exposure).
    skew_s: i64,
}

impl ExpiryGrid {
    /// The grid of expiry `expiry` of `market` under the price shocks of `scen`.
    pub fn new(market: &UnderlyingMarket, expiry: i64, scen: &UnderlyingScenarios, params: &RiskParams) -> Result<ExpiryGrid, RiskError> {
        let exp = market.expiry(expiry)?;
        let tenor = Tenor::new(market.now, exp.expiry)?;
        let vols = vol_shocks(&tenor, params)?;
        let after = Tenor::from_secs(tenor.secs.saturating_sub(params.shock_horizon_secs))?;
        let decay_q62 = decay_q62(&tenor, &after)?;
        let forward = Price(exp.forward).positive()?;
        let mut fwd = [0u64; N_PRICE];
        let mut ln_fwd = [0i128; N_PRICE];
        for p in 0..N_PRICE {
            fwd[p] = forward.shocked(Fx(scen.shock[p]))?.0;
            ln_fwd[p] = ln_u64_q62(fwd[p])?;
        }
        let skew_s =
            if after.expired() || params.vol_up <= 0 { 0 } else { to_i64((i128::from(vols[1].0) << FX_FRAC) / i128::from(params.vol_up))? };
        let mut fwd_gap = [0u64; N_GAP];
        let mut ln_fwd_gap = [0i128; N_GAP];
        for g in 0..N_GAP {
            fwd_gap[g] = forward.shocked(Fx(GAP_SHOCKS[g]))?.0;
            ln_fwd_gap[g] = ln_u64_q62(fwd_gap[g])?;
        }
        Ok(ExpiryGrid {
            expiry: exp.expiry,
            svi: exp.svi,
            forward: forward.0,
            ln_forward: ln_u64_q62(forward.0)?,
            tenor,
            after,
            decay_q62,
            vols,
            shock_mid_zero: scen.shock[MID_PRICE] == 0 && params.shock_horizon_secs == 0,
            fwd,
            ln_fwd,
            fwd_gap,
            ln_fwd_gap,
            skew_s,
        })
    }
}

/// The risk array, mark, Greeks and short minimum of one series (21 + 1 evaluations).
pub fn series_risk(
    series: &Series,
    market: &UnderlyingMarket,
    scen: &UnderlyingScenarios,
    params: &RiskParams,
) -> Result<SeriesRisk, RiskError> {
    OptionKind::from_u8(series.kind)?;
    let grid = ExpiryGrid::new(market, series.expiry, scen, params)?;
    series_risk_on(series, &grid, scen, params)
}

/// [`series_risk`] on a prepared [`ExpiryGrid`] of the series' expiry (the same result).
#[inline(never)]
pub fn series_risk_on(
    series: &Series,
    grid: &ExpiryGrid,
    scen: &UnderlyingScenarios,
    params: &RiskParams,
) -> Result<SeriesRisk, RiskError> {
    let kind = OptionKind::from_u8(series.kind)?;
    let [risk] = risks_at_strike(series.strike, series.expiry, grid, scen, params, [kind])?;
    Ok(risk)
}

/// The risk of the call and the put at one strike of the grid's expiry (`[call, put]`), each
/// equal to what [`series_risk_on`] gives for it, from one set of evaluations: every
/// Black-76 evaluation prices both kinds, so a chain listed in call/put pairs costs the crank
/// one evaluation set per strike, not per series.
#[inline(never)]
pub fn strike_risk_on(
    strike: u64,
    expiry: i64,
    grid: &ExpiryGrid,
    scen: &UnderlyingScenarios,
    params: &RiskParams,
) -> Result<[SeriesRisk; 2], RiskError> {
    risks_at_strike(strike, expiry, grid, scen, params, [OptionKind::Call, OptionKind::Put])
}

/// The arrays of the kinds `kinds` at one strike.
///
/// Per strike: one logarithm (`ln K`), one full evaluation with Greeks (the base); per price
/// shock: one SVI variance and its square root and one `min/max` ratio, shared by the three
/// vol states (a vol shock only scales the total vol); per scenario: prices alone
/// ([`prices_total`]), both kinds at once. The unshocked scenario is the base itself. Every
/// value equals the one [`scenario_eval`] gives (tests), so the rounding and slack logic is
/// unchanged.
fn risks_at_strike<const N: usize>(
    strike: u64,
    expiry: i64,
    grid: &ExpiryGrid,
    scen: &UnderlyingScenarios,
    params: &RiskParams,
    kinds: [OptionKind; N],
) -> Result<[SeriesRisk; N], RiskError> {
    if expiry != grid.expiry {
        return Err(RiskError::ExpiryNotListed);
    }
    let tenor = &grid.tenor;
    let strike_p = Price(strike).positive()?;
    let ln_k = ln_u64_q62(strike_p.0)?;
    let k0 = ln_k - grid.ln_forward;
    let v_base = shock_vol_q62(grid.svi.base_vol_q62(k0)?, Fx::ZERO)?;
    let base = price_and_greeks_total(Price(grid.forward), strike_p, k0, v_base, tenor)?;
    let v0 = kinds.map(|kind| base.value_q20(kind));
    let e0 = err_q20(base.scale);
    let mut pnl = [[0i64; N_SCEN]; N];
    let mut e_max = e0;
    // The smile's vol at the lowest and the highest price point: the gap points' own.
    let mut edge_vol = [0u128; N_GAP];
    for p in 0..N_PRICE {
        let forward = Price(grid.fwd[p]);
        let k = ln_k - grid.ln_fwd[p];
        let vol_k = grid.svi.base_vol_q62(k)?;
        if p == 0 || p == N_PRICE - 1 {
            edge_vol[usize::from(p != 0)] = vol_k;
        }
        let ratio = MinMaxRatio::of(strike_p.0, forward.0);
        for (v, &vol) in grid.vols.iter().enumerate() {
            let s = p * N_VOL + v;
            // A vol state with the same shock as an earlier one (the twists: an expiry takes
            // its up or its down shock in them) has the same value: copied, not re-evaluated.
            if let Some(u) = grid.vols[..v].iter().position(|&x| x == vol) {
                for a in pnl.iter_mut() {
                    a[s] = a[p * N_VOL + u];
                }
                continue;
            }
            let (values, scale) = if p == MID_PRICE && grid.shock_mid_zero && vol.0 == 0 {
                (v0, base.scale) // F_p = F, v = v_base and no horizon: the base evaluation
            } else {
                let v_after = decayed(shock_vol_q62(vol_k, vol)?, grid.decay_q62);
                let b = prices_total(forward, strike_p, k, &ratio, v_after, &grid.after)?;
                (kinds.map(|kind| b.value_q20(kind)), b.scale)
            };
            let e = e0 + err_q20(scale);
            e_max = e_max.max(e);
            if scale < SMALL_SCALE && base.scale < SMALL_SCALE {
                // Every term below 2^62 (values <= scale 2^20, e < 2^23): the same floor in
                // words.
                for i in 0..N {
                    pnl[i][s] = (values[i] as i64 - v0[i] as i64 - e as i64) >> VALUE_FRAC;
                }
            } else {
                for i in 0..N {
                    pnl[i][s] = to_i64(shr_round(values[i] - v0[i] - e, VALUE_FRAC, Rounding::Floor))?;
                }
            }
        }
    }
    // The extended gap points: the up state's vol of the grid's nearer edge (the smile is not
    // read again beyond the grid), one evaluation each for both kinds, rounded as every
    // scenario (their error joins the slack).
    let mut gaps = [[0i64; N_GAP]; N];
    for g in 0..N_GAP {
        let forward = Price(grid.fwd_gap[g]);
        let k = ln_k - grid.ln_fwd_gap[g];
        let v_after = decayed(shock_vol_q62(edge_vol[g], grid.vols[1])?, grid.decay_q62);
        let b = prices_total(forward, strike_p, k, &MinMaxRatio::of(strike_p.0, forward.0), v_after, &grid.after)?;
        let e = e0 + err_q20(b.scale);
        e_max = e_max.max(e);
        for i in 0..N {
            let x = b.value_q20(kinds[i]) - v0[i] - e;
            gaps[i][g] = if b.scale < SMALL_SCALE && base.scale < SMALL_SCALE {
                (x as i64) >> VALUE_FRAC // every term below 2^62, as in the grid's loop
            } else {
                to_i64(shr_round(x, VALUE_FRAC, Rounding::Floor))?
            };
        }
    }
    let slack = 1 + to_i64(shr_round(2 * e_max, VALUE_FRAC, Rounding::Ceil))?;
    let term = term_of(&grid.vols);
    let kink = expiry_kink(strike, grid);
    let skew_y = skew_factor(k0, v_base, grid);
    let mut out = [SeriesRisk::ZERO; N];
    for i in 0..N {
        let [delta_e9, delta_quote, gamma_quote, vega_quote, theta_quote] = greeks_quote(&base, kinds[i])?;
        out[i] = SeriesRisk {
            pnl: pnl[i],
            mark: to_i64(shr_round(v0[i] - e0, VALUE_FRAC, Rounding::Floor))?,
            slack,
            delta_e9,
            delta_quote,
            gamma_quote,
            vega_quote,
            theta_quote,
            short_min: short_minimum(kinds[i], strike, scen.spot, params)?,
            kind: kinds[i] as u8,
            term,
            bits: 0,
            _pad: [0; 5],
        };
        if let Some(k) = &kink {
            out[i].set_kink(k);
        }
        out[i].set_gaps(&gaps[i]);
        out[i].set_skew(skew_of(vega_quote, skew_y)?);
        out[i].seal();
    }
    Ok(out)
}

/// `vega * sigma y s(T)`, quote native, to nearest: one word product when `|vega| < 2^54`
/// (`|sigma y s| < 2^9`, so the result fits a word), the checked `i128` product otherwise.
fn skew_of(vega_quote: i64, skew_y: i128) -> Result<i64, RiskError> {
    match i64::try_from(skew_y) {
        Ok(y) if vega_quote.unsigned_abs() < 1 << 54 => Ok(smul_shr_round(vega_quote, y, FX_FRAC)),
        _ => to_i64(shr_round(i128::from(vega_quote) * skew_y, FX_FRAC, Rounding::Nearest)),
    }
}

/// `sigma * y * s(T)` (Q52) of a strike at log-moneyness `k` (Q62) with base total vol `v`
/// (Q62): `y = clamp(k / v, -4, 4)`, `sigma y = y v / sqrt(T)`, `s(T)` the grid's
/// [`ExpiryGrid::skew_s`] (0 for options expiring inside the horizon). Word products when
/// `y v` fits a word (every realistic case), the same value in `i128` otherwise:
/// `|sigma y| <= 4 sigma <= 400`, so every result fits.
fn skew_factor(k: i128, v: i128, grid: &ExpiryGrid) -> i128 {
    if grid.skew_s == 0 || v <= 0 {
        return 0;
    }
    let kc = k.clamp(-4 * v, 4 * v); // y v, Q62
    let inv = grid.tenor.inv_sqrt_t.0.max(0) as u64; // Q40
    let sy = match i64::try_from(kc) {
        Ok(k64) => mul_shr_round(k64, inv, 62 + WIDE_FRAC - FX_FRAC),
        Err(_) => shr_round(kc * i128::from(inv), 62 + WIDE_FRAC - FX_FRAC, Rounding::Nearest) as i64,
    }; // Q52
    i128::from(mul_shr_round(sy, grid.skew_s as u64, FX_FRAC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::underlying_scenarios;

    /// The former `series_risk`: every scenario through [`scenario_eval`] (two logarithms,
    /// the SVI surface and the full Black-76 each). The reference the shared-grid version
    /// must equal.
    fn series_risk_reference(
        series: &Series,
        market: &UnderlyingMarket,
        scen: &UnderlyingScenarios,
        params: &RiskParams,
    ) -> Result<SeriesRisk, RiskError> {
        let kind = OptionKind::from_u8(series.kind)?;
        let exp = market.expiry(series.expiry)?;
        let tenor = Tenor::new(market.now, exp.expiry)?;
        let vols = vol_shocks(&tenor, params)?;
        let base = scenario_eval(series.strike, exp, &tenor, Fx::ZERO, Fx::ZERO)?;
        let v0 = base.value_q20(kind);
        let e0 = err_q20(base.scale);
        let mut pnl = [0i64; N_SCEN];
        let mut e_max = e0;
        for p in 0..N_PRICE {
            for (v, &vol) in vols.iter().enumerate() {
                let b = scenario_eval_after(series.strike, exp, &tenor, params.shock_horizon_secs, Fx(scen.shock[p]), vol)?;
                let e = e0 + err_q20(b.scale);
                e_max = e_max.max(e);
                pnl[p * N_VOL + v] = to_i64(shr_round(b.value_q20(kind) - v0 - e, VALUE_FRAC, Rounding::Floor))?;
            }
        }
        let mut gaps = [0i64; N_GAP];
        for ((g, &shock), edge) in gaps.iter_mut().zip(GAP_SHOCKS.iter()).zip([0, N_PRICE - 1]) {
            let b = gap_eval_after(series.strike, exp, &tenor, params.shock_horizon_secs, Fx(shock), Fx(scen.shock[edge]), vols[1])?;
            let e = e0 + err_q20(b.scale);
            e_max = e_max.max(e);
            *g = to_i64(shr_round(b.value_q20(kind) - v0 - e, VALUE_FRAC, Rounding::Floor))?;
        }
        let slack = 1 + to_i64(shr_round(2 * e_max, VALUE_FRAC, Rounding::Ceil))?;
        let [delta_e9, delta_quote, gamma_quote, vega_quote, theta_quote] = greeks_quote(&base, kind)?;
        let mut risk = SeriesRisk {
            pnl,
            mark: to_i64(shr_round(v0 - e0, VALUE_FRAC, Rounding::Floor))?,
            slack,
            delta_e9,
            delta_quote,
            gamma_quote,
            vega_quote,
            theta_quote,
            short_min: short_minimum(kind, series.strike, scen.spot, params)?,
            kind: series.kind,
            term: term_of(&vols),
            bits: 0,
            _pad: [0; 5],
        };
        // An option expiring inside the horizon keeps its kink in the twist slots.
        let grid = ExpiryGrid::new(market, series.expiry, scen, params)?;
        if let Some(k) = expiry_kink(series.strike, &grid) {
            risk.set_kink(&k);
        }
        risk.set_gaps(&gaps);
        let k0 = ln_ratio_q62(series.strike, exp.forward)?;
        let v_base = shock_vol_q62(exp.svi.base_vol_q62(k0)?, Fx::ZERO)?;
        risk.set_skew(to_i64(shr_round(i128::from(risk.vega_quote) * skew_factor(k0, v_base, &grid), FX_FRAC, Rounding::Nearest))?);
        risk.seal();
        Ok(risk)
    }

    #[test]
    fn shared_grid_equals_per_scenario_evaluation() {
        let mut r: u64 = 0xBB67_AE85_84CA_A73B;
        let mut next = move || {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            r
        };
        let p = RiskParams::DEFAULT;
        let one = 1i64 << FX_FRAC;
        let (mut compared, mut kinks) = (0, 0);
        for round in 0..3_000u32 {
            let spot = 1 + (next() >> (8 + next() % 50));
            let now = 1_700_000_000i64;
            let tenors = [60i64, 3_600, 86_400, 7 * 86_400, 30 * 86_400, 365 * 86_400, 3 * 365 * 86_400];
            let mut expiries = [ExpiryMarket::default(); 3];
            for e in expiries.iter_mut() {
                let rho = (next() % (2 * one as u64 - 1)) as i64 - (one - 1);
                let svi = SviParams {
                    a: (next() % (one as u64 / 5)) as i64,
                    b: (next() % (one as u64 / 2)) as i64 >> (next() % 8),
                    rho,
                    m: (next() % (one as u64 / 2)) as i64 - one / 4,
                    sigma: 1 + (next() % (one as u64 / 2)) as i64,
                };
                if svi.validate().is_err() {
                    continue;
                }
                let fwd = if round % 4 == 0 { spot } else { (spot as u128 * u128::from(900 + next() % 200) / 1000).max(1) as u64 };
                *e = ExpiryMarket { expiry: now + tenors[(next() % 7) as usize] + (next() % 100) as i64, forward: fwd, svi };
            }
            let market = UnderlyingMarket { spot, conf: spot / 1000, now, expiries: &expiries };
            let Ok(scen) = underlying_scenarios(&market, &p) else { continue };
            for _ in 0..6 {
                let e = expiries[(next() % 3) as usize];
                let strike = match next() % 4 {
                    0 => spot,
                    1 => (1 + (next() >> (8 + next() % 50))).min(i64::MAX as u64),
                    _ => (spot as u128 * u128::from(next() % 3000 + 1) / 1000).clamp(1, i64::MAX as u128) as u64,
                };
                let series = Series { strike, expiry: e.expiry, underlying: 0, kind: (next() % 2) as u8, _pad: [0; 6] };
                let want = series_risk_reference(&series, &market, &scen, &p);
                assert_eq!(series_risk(&series, &market, &scen, &p), want, "{series:?} {market:?}");
                // The pair at the strike: each kind what its own series gives (the crank's
                // one evaluation set per call/put pair).
                if let Ok(grid) = ExpiryGrid::new(&market, e.expiry, &scen, &p) {
                    let pair = strike_risk_on(strike, e.expiry, &grid, &scen, &p);
                    let kind = usize::from(series.kind);
                    let other = Series { kind: 1 - series.kind, ..series };
                    let want_other = series_risk_reference(&other, &market, &scen, &p);
                    match (&want, &want_other) {
                        (Ok(a), Ok(b)) => {
                            let pair = pair.unwrap();
                            assert_eq!((&pair[kind], &pair[1 - kind]), (a, b), "{series:?} {market:?}");
                        }
                        _ => assert_eq!(pair.err(), want.err().or(want_other.err()), "{series:?}"),
                    }
                }
                if let Ok(r) = &want {
                    // The twist columns are the copies the term class says (what the margin
                    // check's parallel-only sums rebuild them from).
                    // An expiring series with its strike inside the grid keeps its kink in the
                    // twist slots of the first two price points instead.
                    let class = r.term & TERM_CLASS;
                    let [tw, rev] = twist_columns(class);
                    assert!(class == TERM_FRONT || class == TERM_BACK);
                    let kink = r.kink();
                    assert_eq!(r.term & TERM_KINK != 0, kink.is_some());
                    // The twist slots of price point 2 hold the gap points; the recorded
                    // bound is every value's.
                    assert!(r.gaps().is_some());
                    assert!(r.bits == r.value_bits() && r.bits > 0 && r.bits < 64, "{r:?}");
                    // The last price point's first twist slot holds the skew sensitivity.
                    assert!(r.skew().is_some());
                    for (pt, row) in r.pnl.as_chunks::<N_VOL>().0.iter().enumerate() {
                        if (kink.is_none() || pt >= 2) && pt != 2 {
                            assert_eq!(row[4], row[rev], "{series:?} {market:?}");
                            if pt != N_PRICE - 1 {
                                assert_eq!(row[3], row[tw], "{series:?} {market:?}");
                            }
                        }
                    }
                    if let Some(k) = kink {
                        // Only options valued at intrinsic one horizon on have one, and only
                        // strictly between two shocked forwards.
                        assert!(e.expiry - now <= p.shock_horizon_secs && k.lo < strike && strike < k.hi);
                        assert!(k.height() < k.hi - k.lo);
                        kinks += 1;
                    }
                }
                compared += u32::from(want.is_ok());
            }
        }
        assert!(compared > 5_000 && kinks > 50, "{compared} compared, {kinks} kinks");
        // Refusals: the same errors in the same order.
        let svi = SviParams { a: one / 25, b: one / 10, rho: -one / 2, m: 0, sigma: one / 5 };
        let expiries = [ExpiryMarket { expiry: 1_000 + 86_400, forward: 150_000_000, svi }];
        let market = UnderlyingMarket { spot: 150_000_000, conf: 0, now: 1_000, expiries: &expiries };
        let scen = underlying_scenarios(&market, &p).unwrap();
        let ok = Series { strike: 150_000_000, expiry: 1_000 + 86_400, underlying: 0, kind: 0, _pad: [0; 6] };
        for bad in [Series { kind: 2, ..ok }, Series { expiry: 5, ..ok }, Series { strike: 0, ..ok }, Series { strike: u64::MAX, ..ok }] {
            assert_eq!(series_risk(&bad, &market, &scen, &p), series_risk_reference(&bad, &market, &scen, &p));
            assert!(series_risk(&bad, &market, &scen, &p).is_err());
        }
        let grid = ExpiryGrid::new(&market, ok.expiry, &scen, &p).unwrap();
        assert_eq!(series_risk_on(&Series { expiry: 7, ..ok }, &grid, &scen, &p), Err(RiskError::ExpiryNotListed));
    }

    #[test]
    fn decay_word_path_equals_the_u128_product() {
        let mut r: u64 = 0x510E_527F_ADE6_82D1;
        for i in 0..100_000u32 {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            let v = i128::from(r >> (i % 64)) << (i % 3);
            let d = u128::from(r.rotate_left(17)) % ((1 << 62) + 1);
            let want = if v <= 0 { v } else { ((v as u128 * d) >> 62) as i128 };
            assert_eq!(decayed(v, d), want, "{v} {d}");
        }
    }

    #[test]
    fn skew_of_word_path_equals_the_i128_product_and_refuses_overflow() {
        let mut r: u64 = 0x6A09_E667_F3BC_C908;
        for i in 0..100_000u32 {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            let vega = (r as i64) >> (10 + i % 54); // |vega| < 2^54: the word path
            let y = (r.rotate_left(23) as i64 >> 3) as i128; // |sigma y s| < 2^9 in Q52
            let want = to_i64(shr_round(i128::from(vega) * y, FX_FRAC, Rounding::Nearest));
            assert_eq!(skew_of(vega, y), want, "{vega} {y}");
        }
        // Beyond a word: the checked product, and Overflow (never an abort).
        assert_eq!(skew_of(1 << 60, 8 << FX_FRAC), Err(RiskError::Overflow)); // 2^63
        assert_eq!(skew_of(i64::MAX, 400 << FX_FRAC), Err(RiskError::Overflow));
        assert_eq!(skew_of(1 << 56, 4 << FX_FRAC), Ok(1 << 58));
    }

    #[test]
    fn skew_factor_is_sigma_y_s_on_both_paths() {
        // A one-year expiry (s(T) = 1: from the reference tenor on the shocks are not scaled) with
        // a flat total vol v: sigma y = k / sqrt(T) = k for |k| <= 4 v. v = 0.5 takes the word
        // path; v = 3 with k = 2.5 (y v beyond a word in Q62) the i128 one.
        let p = RiskParams::DEFAULT;
        let now = 1_700_000_000i64;
        for (v, k, want) in [(0.5f64, 0.5f64, 0.5f64), (0.5, -3.0, -2.0), (3.0, 2.5, 2.5), (3.0, -13.0, -12.0)] {
            let svi = SviParams { a: (v * v * (1u64 << FX_FRAC) as f64) as i64, b: 0, rho: 0, m: 0, sigma: 1 << 40 };
            let e = [ExpiryMarket { expiry: now + 365 * 86_400, forward: 100_000_000, svi }];
            let m = UnderlyingMarket { spot: 100_000_000, conf: 0, now, expiries: &e };
            let scen = crate::scenario::underlying_scenarios(&m, &p).unwrap();
            let grid = ExpiryGrid::new(&m, e[0].expiry, &scen, &p).unwrap();
            let q62 = |x: f64| (x * 2f64.powi(62)) as i128;
            let got = skew_factor(q62(k), q62(v), &grid) as f64 / 2f64.powi(FX_FRAC as i32);
            assert!((got - want).abs() < 1e-9, "v {v} k {k}: {got} vs {want}");
        }
    }

    #[test]
    fn short_minimum_table() {
        let p = RiskParams::DEFAULT; // base 0.15, floor 0.10, mm scale 0.5
                                     // (kind, strike, spot, expected = max(0.10, 0.15 - OTM/S) * S * 0.5)
        let cases: &[(OptionKind, u64, u64, i64)] = &[
            (OptionKind::Call, 100, 100, 7_500_000 / 1_000_000 + 1),  // 0.15*100*0.5 = 7.5 -> 8
            (OptionKind::Call, 150_000_000, 150_000_000, 11_250_000), // ATM: 0.15 * 150e6 * 0.5
            (OptionKind::Call, 165_000_000, 150_000_000, 7_500_000),  // 10% OTM: max(0.10, 0.05) * 150e6 * 0.5
            (OptionKind::Put, 144_000_000, 150_000_000, 8_250_000),   // 4% OTM: 0.11 * 150e6 * 0.5
            (OptionKind::Put, 165_000_000, 150_000_000, 11_250_000),  // ITM put: OTM = 0
        ];
        for &(kind, k, s, want) in cases {
            let got = short_minimum(kind, k, s, &p).unwrap();
            assert!(got >= want && got <= want + 1, "{kind:?} K={k} S={s}: {got} vs {want}");
        }
    }
}
