//! Portfolio margin: collateral, option positions and the scenario grid -> maintenance and
//! initial requirement, health, per-underlying Greeks and itemised add-ons.
//!
//! Two entry points with the same add-ons and aggregation:
//! - [`portfolio_margin_from_arrays`]: the on-chain path. Each held series contributes
//!   `size * pnl[s]` from its stored [`SeriesRisk`]: integer multiply-adds only.
//! - [`portfolio_margin_full`]: full revaluation of every position in every scenario (21
//!   Black-76 evaluations per position) with a single rounding per scenario; tests prove the
//!   array path is never below it and exceeds it by at most `slack` per contract.
//!
//! Per underlying: `loss[s] = -(sum of option P&L + P&L of collateral in that underlying)`;
//! `worst = max(0, max_s loss[s])`. Per underlying: `max(worst, short-option minimum of the
//! naked shorts)` + delta, vega and oracle-confidence add-ons. Maintenance = the sum over
//! underlyings (no diversification across underlyings). Initial = ceil(maintenance x IM factor x
//! reputation), reputation clamped to [floor, 1]. Equity = weighted collateral (floor) +
//! option marks (long floor, short ceil). Health = equity - requirement.

use crate::black76::OptionKind;
use crate::collateral::{raw_value, weighted_value, TokenPrice};
use crate::fixed::{shr_round, to_i64, Fx, Rounding, FX_FRAC};
use crate::market::UnderlyingMarket;
use crate::math::wide::{div_u128, smul_wide, umul_wide};
use crate::params::RiskParams;
use crate::scenario::{
    underlying_scenarios, vol_shocks, UnderlyingScenarios, GAP_FRACTION, GAP_SHOCKS, N_GAP, N_PARALLEL, N_PRICE, N_SCEN, N_VOL, SKEW_TILT,
};
use crate::series::{
    expiry_kink, scenario_eval, scenario_eval_after, series_risk, twist_columns, ExpiryGrid, ExpiryKink, Series, SeriesRisk, TERM_BACK,
    TERM_CLASS, TERM_FRONT, TERM_KINK, VALUE_FRAC,
};
use crate::units::Tenor;
use crate::RiskError;

/// Underlyings per margin computation.
pub const MAX_UNDERLYINGS: usize = 8;
/// `CollateralInput::underlying` of a token that is no option underlying (e.g. the quote).
pub const NO_UNDERLYING: u8 = u8::MAX;

/// A held position: signed contracts of `series` (an index into the book's series array).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Position {
    pub size: i64,
    pub series: u16,
    pub _pad: [u8; 6],
}

/// A collateral balance with its oracle price and weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CollateralInput {
    /// Token native units, negative = borrowed.
    pub amount: i64,
    pub price: TokenPrice,
    pub asset_weight_bps: u16,
    pub liability_weight_bps: u16,
    /// Index of the underlying this token is (moves in its price scenarios), or [`NO_UNDERLYING`].
    /// Recommended: weights of 10,000 for such a token, whose price risk the grid already charges.
    pub underlying: u8,
}

/// One underlying for the array path: its grid and the stored arrays of its series.
#[derive(Clone, Copy, Debug)]
pub struct BookArrays<'a> {
    pub scen: &'a UnderlyingScenarios,
    pub series: &'a [SeriesRisk],
    pub positions: &'a [Position],
}

/// A position for the full-revaluation path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FullPosition {
    pub series: Series,
    pub size: i64,
}

/// Per-underlying result (quote native units unless stated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct UnderlyingSummary {
    /// Worst scenario loss, >= 0, rounded up.
    pub worst_loss: i64,
    /// Excess of the short-option minimum of the naked shorts over `worst_loss` (>= 0): the
    /// minimum is a floor, `worst_loss + addon_short_min = max(worst_loss, minimum)`.
    pub addon_short_min: i64,
    pub addon_delta: i64,
    pub addon_vega: i64,
    pub addon_confidence: i64,
    /// Excess over `worst_loss` of the worst loss between two price points, at the strike of
    /// a long option that expires inside the horizon (>= 0; see [`ExpiryKink`]): the grid
    /// prices such options at intrinsic at its points only, and their payoff bends between.
    pub addon_expiry: i64,
    /// Excess over the worst loss (grid and expiring strikes) of [`GAP_FRACTION`] of the worst
    /// loss at the extended gap points ([`GAP_SHOCKS`], up vol state, every option at its
    /// Black-76 value there), >= 0.
    pub addon_gap: i64,
    /// The skew move to first order: [`SKEW_TILT`] x |sum of size x `SeriesRisk::skew`|, >= 0.
    pub addon_skew: i64,
    /// Option marks (long floor, short ceil).
    pub option_value: i64,
    /// Quote value of the delta position, options plus collateral in this underlying.
    pub delta_quote: i64,
    /// Option delta in contracts x 1e9.
    pub delta_e9: i64,
    pub gamma_quote: i64,
    /// Per 1.00 of vol.
    pub vega_quote: i64,
    /// Per year.
    pub theta_quote: i64,
    /// Scenario index of the worst loss (see [`crate::scenario`]).
    pub worst_scenario: u8,
    pub _pad: [u8; 7],
}

impl UnderlyingSummary {
    /// Worst loss (floored by the short-option minimum) plus every add-on.
    pub fn requirement(&self) -> Result<i64, RiskError> {
        [self.addon_expiry, self.addon_gap, self.addon_skew, self.addon_short_min, self.addon_delta, self.addon_vega, self.addon_confidence]
            .iter()
            .try_fold(self.worst_loss, |a, &b| a.checked_add(b).ok_or(RiskError::Overflow))
    }
}

/// The whole account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MarginSummary {
    /// Weighted collateral, assets floor, borrows ceil.
    pub collateral_value: i64,
    pub option_value: i64,
    pub equity: i64,
    pub maintenance: i64,
    pub initial: i64,
    pub health_maintenance: i64,
    pub health_initial: i64,
    pub n_underlyings: u8,
    pub underlyings: [UnderlyingSummary; MAX_UNDERLYINGS],
}

/// Everything but the loss, accumulated per underlying.
#[derive(Clone, Copy, Debug, Default)]
struct Exposure {
    delta_e9: i128,
    delta_quote: i128,
    gamma: i128,
    vega: i128,
    theta: i128,
    gross_delta: i128,
    spot_tokens: i128,
    calls: [i128; 2], // [short, long] contracts
    puts: [i128; 2],
    call_min_sum: i128,
    put_min_sum: i128,
}

impl Exposure {
    fn add_position(&mut self, r: &SeriesRisk, size: i64) -> Result<(), RiskError> {
        let s = i128::from(size);
        self.delta_e9 += s * i128::from(r.delta_e9);
        self.delta_quote += s * i128::from(r.delta_quote);
        self.gamma += s * i128::from(r.gamma_quote);
        self.vega += s * i128::from(r.vega_quote);
        self.theta += s * i128::from(r.theta_quote);
        self.gross_delta += (s * i128::from(r.delta_quote)).abs();
        let short = usize::from(size >= 0); // 0 = short, 1 = long
        let abs = s.abs();
        match OptionKind::from_u8(r.kind)? {
            OptionKind::Call => {
                self.calls[short] += abs;
                if size < 0 {
                    self.call_min_sum += abs * i128::from(r.short_min);
                }
            }
            OptionKind::Put => {
                self.puts[short] += abs;
                if size < 0 {
                    self.put_min_sum += abs * i128::from(r.short_min);
                }
            }
        }
        Ok(())
    }
}

/// One underlying's accumulators.
#[derive(Clone, Copy, Debug)]
struct Book {
    loss: [i128; N_SCEN],
    option_value: i128,
    exposure: Exposure,
    /// Long positions with an [`ExpiryKink`]: the loss between price points is priced when > 0.
    long_kinks: u32,
    /// The loss at each extended gap point (options whose arrays have gap points, and spot
    /// collateral).
    gap: [i128; N_GAP],
    /// Sum of size x skew sensitivity.
    skew: i128,
}

impl Book {
    const EMPTY: Book = Book { loss: [0; N_SCEN], option_value: 0, exposure: Exposure::ZERO, long_kinks: 0, gap: [0; N_GAP], skew: 0 };
}

impl Exposure {
    const ZERO: Exposure = Exposure {
        delta_e9: 0,
        delta_quote: 0,
        gamma: 0,
        vega: 0,
        theta: 0,
        gross_delta: 0,
        spot_tokens: 0,
        calls: [0; 2],
        puts: [0; 2],
        call_min_sum: 0,
        put_min_sum: 0,
    };
}

/// `ceil(a * b / c)` for `a, b >= 0`, `c > 0`.
fn mul_div_ceil(a: i128, b: i128, c: i128) -> Result<i128, RiskError> {
    if let (Ok(a64), Ok(b64)) = (u64::try_from(a), u64::try_from(b)) {
        // One word product and the u64-divisor division (no i128 multiply or division).
        let (hi, lo) = umul_wide(a64, b64);
        if hi >> 63 != 0 {
            return Err(RiskError::Overflow); // a * b >= 2^127, as the checked i128 product
        }
        let p = (u128::from(hi) << 64) | u128::from(lo);
        return Ok(div_u128(p, c as u128, true) as i128);
    }
    let p = a.checked_mul(b).ok_or(RiskError::Overflow)?;
    Ok((p + c - 1) / c)
}

/// `ceil(x * rate)` for `x >= 0`, rate Q52.
fn charge(x: i128, rate: i64) -> Result<i64, RiskError> {
    if let (Ok(x64), Ok(r64)) = (u64::try_from(x), u64::try_from(rate)) {
        let (hi, lo) = umul_wide(x64, r64);
        let q = (u128::from(hi) << (64 - FX_FRAC)) | u128::from(lo >> FX_FRAC);
        let q = q + u128::from(lo & ((1 << FX_FRAC) - 1) != 0);
        return i64::try_from(q).map_err(|_| RiskError::Overflow);
    }
    to_i64(shr_round(x.checked_mul(i128::from(rate)).ok_or(RiskError::Overflow)?, FX_FRAC, Rounding::Ceil))
}

/// `value * |x| / 2^52` rounded up or down, for `value >= 0`.
fn scale_shock(value: i128, x: i64, ceil: bool) -> i128 {
    let ax = x.unsigned_abs();
    if let Ok(v64) = u64::try_from(value) {
        let (hi, lo) = umul_wide(v64, ax);
        let q = (u128::from(hi) << (64 - FX_FRAC)) | u128::from(lo >> FX_FRAC);
        return (q + u128::from(ceil && lo & ((1 << FX_FRAC) - 1) != 0)) as i128;
        // < 2^76
    }
    let r = if ceil { Rounding::Ceil } else { Rounding::Floor };
    shr_round(value * i128::from(ax), FX_FRAC, r)
}

/// Adds the scenario P&L and delta of a collateral balance in this book's underlying.
/// A loss is rounded up (value rounded up), a gain down.
fn add_spot(book: &mut Book, scen: &UnderlyingScenarios, c: &CollateralInput) -> Result<(), RiskError> {
    let abs = c.amount.unsigned_abs();
    let lo = raw_value(abs, c.price, false)? as i128;
    let hi = raw_value(abs, c.price, true)? as i128;
    let long = c.amount > 0;
    // P&L = sign * value * x; loss = -P&L: a loss when sign * x < 0.
    let loss_at = |x: i64| if (long && x < 0) || (!long && x > 0) { scale_shock(hi, x, true) } else { -scale_shock(lo, x, false) };
    for (p, &x) in scen.shock.iter().enumerate() {
        let loss = loss_at(x);
        for v in 0..N_VOL {
            book.loss[p * N_VOL + v] += loss;
        }
    }
    for (g, &x) in book.gap.iter_mut().zip(GAP_SHOCKS.iter()) {
        *g += loss_at(x);
    }
    let spot = scen.spot.max(1);
    let tokens = if lo >= 0 { div_u128(lo as u128, u128::from(spot), false) as i128 } else { lo / i128::from(spot) };
    let e = &mut book.exposure;
    if long {
        e.delta_quote += lo;
        e.spot_tokens += tokens;
    } else {
        e.delta_quote -= lo;
        e.spot_tokens -= tokens;
    }
    e.gross_delta += hi;
    Ok(())
}

/// Weighted value of all collateral (assets floor, borrows ceil); checks underlying indexes.
fn collateral_value(collateral: &[CollateralInput], n: usize) -> Result<i64, RiskError> {
    let mut total = 0i64;
    for c in collateral {
        if c.underlying != NO_UNDERLYING && usize::from(c.underlying) >= n {
            return Err(RiskError::UnderlyingIndexOutOfRange);
        }
        let v = weighted_value(c.amount, c.price, c.asset_weight_bps, c.liability_weight_bps)?;
        total = total.checked_add(v).ok_or(RiskError::Overflow)?;
    }
    Ok(total)
}

/// Adds every collateral balance of underlying `u` to its book.
fn add_spots(book: &mut Book, u: usize, scen: &UnderlyingScenarios, collateral: &[CollateralInput]) -> Result<(), RiskError> {
    for c in collateral {
        if usize::from(c.underlying) == u && c.amount != 0 {
            add_spot(book, scen, c)?;
        }
    }
    Ok(())
}

/// Short-option minimum of the naked part of the shorts, pro rata of their minimums.
fn short_min_naked(e: &Exposure) -> Result<i128, RiskError> {
    let naked = |legs: [i128; 2], cover: i128| (legs[0] - legs[1] - cover.max(0)).max(0);
    let naked_calls = naked(e.calls, e.spot_tokens);
    let naked_puts = naked(e.puts, -e.spot_tokens);
    let mut total = 0i128;
    if naked_calls > 0 {
        total += mul_div_ceil(e.call_min_sum, naked_calls, e.calls[0])?;
    }
    if naked_puts > 0 {
        total += mul_div_ceil(e.put_min_sum, naked_puts, e.puts[0])?;
    }
    Ok(total)
}

/// Worst loss, add-ons and Greeks of one underlying.
fn summarize(book: &Book, between: i128, scen: &UnderlyingScenarios, params: &RiskParams) -> Result<UnderlyingSummary, RiskError> {
    let (mut worst, mut at) = (0i128, 0usize);
    for (s, &l) in book.loss.iter().enumerate() {
        if l > worst {
            (worst, at) = (l, s);
        }
    }
    // The worst loss between price points ([`worst_between`]): its excess is an add-on, so
    // worst + this = max(worst, between).
    let between_excess = between.saturating_sub(worst).max(0);
    // The gap points at a fraction of their loss: its excess over the worst so far.
    let gap_worst = book.gap.iter().copied().max().unwrap_or(0).max(0);
    let gap_excess = (i128::from(charge(gap_worst, GAP_FRACTION)?) - worst - between_excess).max(0);
    let e = &book.exposure;
    let excess = |x: i128, t: i64| (x.abs() - i128::from(t)).max(0);
    let conf_value = mul_div_ceil(e.gross_delta, i128::from(scen.conf), i128::from(scen.spot.max(1)))?;
    // The short-option minimum is a floor on the loss (SPAN's short-option minimum): only
    // its excess over the worst loss is added, so worst + this = max(worst, minimum).
    let short_min_excess = (short_min_naked(e)? - worst - between_excess - gap_excess).max(0);
    Ok(UnderlyingSummary {
        worst_loss: to_i64(worst)?,
        addon_expiry: to_i64(between_excess)?,
        addon_gap: to_i64(gap_excess)?,
        addon_skew: charge(book.skew.abs(), SKEW_TILT)?,
        addon_short_min: to_i64(short_min_excess)?,
        addon_delta: charge(excess(e.delta_quote, params.delta_threshold), params.delta_rate)?,
        addon_vega: charge(excess(e.vega, params.vega_threshold), params.vega_rate)?,
        addon_confidence: charge(conf_value, params.conf_mult)?,
        option_value: to_i64(book.option_value)?,
        delta_quote: to_i64(e.delta_quote)?,
        delta_e9: to_i64(e.delta_e9)?,
        gamma_quote: to_i64(e.gamma)?,
        vega_quote: to_i64(e.vega)?,
        theta_quote: to_i64(e.theta)?,
        worst_scenario: at as u8,
        _pad: [0; 7],
    })
}

/// Totals, initial margin and health from the per-underlying summaries.
fn finish(
    unders: [UnderlyingSummary; MAX_UNDERLYINGS],
    n: usize,
    collateral_value: i64,
    params: &RiskParams,
    reputation: Fx,
) -> Result<MarginSummary, RiskError> {
    let mut maintenance = 0i64;
    let mut option_value = 0i64;
    for u in &unders[..n] {
        maintenance = maintenance.checked_add(u.requirement()?).ok_or(RiskError::Overflow)?;
        option_value = option_value.checked_add(u.option_value).ok_or(RiskError::Overflow)?;
    }
    let rep = reputation.0.clamp(params.reputation_floor, Fx::ONE.0);
    let factor = shr_round(i128::from(params.im_factor) * i128::from(rep), FX_FRAC, Rounding::Ceil);
    let initial = to_i64(shr_round(i128::from(maintenance) * factor, FX_FRAC, Rounding::Ceil))?;
    let equity = collateral_value.checked_add(option_value).ok_or(RiskError::Overflow)?;
    Ok(MarginSummary {
        collateral_value,
        option_value,
        equity,
        maintenance,
        initial,
        health_maintenance: equity.checked_sub(maintenance).ok_or(RiskError::Overflow)?,
        health_initial: equity.checked_sub(initial).ok_or(RiskError::Overflow)?,
        n_underlyings: n as u8,
        underlyings: unders,
    })
}

/// The on-chain path: stored risk arrays, integer multiply-adds.
/// Never inlined: its frame (one book, the per-underlying summaries) stays apart from the
/// caller's within SBF's 4 KB frame limit.
#[inline(never)]
pub fn portfolio_margin_from_arrays(
    books: &[BookArrays],
    collateral: &[CollateralInput],
    params: &RiskParams,
    reputation: Fx,
) -> Result<MarginSummary, RiskError> {
    let collateral_value = collateral_value(collateral, books.len())?;
    option_margin_from_arrays(books, collateral, params, reputation, collateral_value)
}

/// The array path's requirements, with the account's weighted collateral value supplied by
/// the caller (`collateral_value`): `collateral` is only read for the spot balances that move
/// in an underlying's scenarios (`underlying != NO_UNDERLYING`). `maxwell-engine` values the
/// whole account's collateral itself (both weight sets from one division) and calls this.
#[inline(never)]
pub fn option_margin_from_arrays(
    books: &[BookArrays],
    collateral: &[CollateralInput],
    params: &RiskParams,
    reputation: Fx,
    collateral_value: i64,
) -> Result<MarginSummary, RiskError> {
    let n = books.len();
    if n > MAX_UNDERLYINGS {
        return Err(RiskError::TooManyUnderlyings);
    }
    if collateral.iter().any(|c| c.underlying != NO_UNDERLYING && usize::from(c.underlying) >= n) {
        return Err(RiskError::UnderlyingIndexOutOfRange);
    }
    // One underlying at a time keeps the stack frame small (one Book of ~0.6 KB) for SBF.
    let mut unders = [UnderlyingSummary::default(); MAX_UNDERLYINGS];
    for (u, b) in books.iter().enumerate() {
        let book = book_of(b, u, collateral)?;
        let between = if book.long_kinks == 0 {
            i128::MIN
        } else {
            worst_between(&book.loss, b.positions.len(), |i| {
                let pos = &b.positions[i];
                let r = b.series.get(usize::from(pos.series)).ok_or(RiskError::SeriesIndexOutOfRange)?;
                Ok(r.kink().map(|k| (pos.size, k)))
            })?
        };
        unders[u] = summarize(&book, between, b.scen, params)?;
    }
    finish(unders, n, collateral_value, params, reputation)
}

/// Underlying `u`'s accumulators: its positions' arrays and its spot collateral.
fn book_of(b: &BookArrays, u: usize, collateral: &[CollateralInput]) -> Result<Book, RiskError> {
    let mut book = match add_positions_i64(b.series, b.positions)? {
        Some(book) => book,
        None => {
            // Some product or sum might not fit in i64: the exact i128 path.
            let mut book = Book::EMPTY;
            for pos in b.positions {
                let r = b.series.get(usize::from(pos.series)).ok_or(RiskError::SeriesIndexOutOfRange)?;
                add_array_position(&mut book, r, pos.size)?;
            }
            book
        }
    };
    add_spots(&mut book, u, b.scen, collateral)?;
    Ok(book)
}

/// The loss of book `u` (its options and its spot collateral) in every scenario of its grid,
/// quote native units (a gain is negative): the vector whose maximum is
/// [`UnderlyingSummary::worst_loss`] (before the floor at zero). For clients' scenario tables.
pub fn scenario_losses(books: &[BookArrays], u: usize, collateral: &[CollateralInput]) -> Result<[i64; N_SCEN], RiskError> {
    let b = books.get(u).ok_or(RiskError::UnderlyingIndexOutOfRange)?;
    let book = book_of(b, u, collateral)?;
    let mut out = [0i64; N_SCEN];
    for (o, &l) in out.iter_mut().zip(book.loss.iter()) {
        *o = to_i64(l)?;
    }
    Ok(out)
}

/// `size * array`, with the short-side slack (exact, `i128`: the fallback of
/// [`add_positions_i64`]).
fn add_array_position(book: &mut Book, r: &SeriesRisk, size: i64) -> Result<(), RiskError> {
    let adj = i128::from(if size < 0 { r.slack } else { 0 });
    let s = i128::from(size);
    // A term class rebuilds the twists from its up and down columns (the twist slots are
    // copies of them, or an expiring option's kink); no class (an array stored before the
    // field): every stored column.
    let class = r.term & TERM_CLASS;
    let twist = twist_columns(class);
    for (row, p) in book.loss.as_chunks_mut::<N_VOL>().0.iter_mut().zip(r.pnl.as_chunks::<N_VOL>().0.iter()) {
        for (v, l) in row.iter_mut().enumerate() {
            let col = if v >= N_PARALLEL && (class == TERM_FRONT || class == TERM_BACK) { twist[v - N_PARALLEL] } else { v };
            *l -= s * (i128::from(p[col]) + adj);
        }
    }
    book.option_value += s * (i128::from(r.mark) + adj);
    book.long_kinks += u32::from(size > 0 && r.kink().is_some());
    add_beyond_grid(book, r, size);
    book.exposure.add_position(r, size)
}

/// What a position adds beyond the grid, exactly (both `i128` paths): `-size * (pnl + a
/// short's slack)` at each gap point and `size * skew`, for a series whose array has them.
fn add_beyond_grid(book: &mut Book, r: &SeriesRisk, size: i64) {
    let s = i128::from(size);
    if let Some(gaps) = r.gaps() {
        let adj = i128::from(if size < 0 { r.slack } else { 0 });
        for (g, p) in book.gap.iter_mut().zip(gaps) {
            *g -= s * (i128::from(p) + adj);
        }
    }
    if let Some(x) = r.skew() {
        book.skew += s * i128::from(x);
    }
}

/// The array path in `i64`: the same sums as [`add_array_position`] without `i128`
/// arithmetic (on SBF every `i128` product is a `__multi3` call and every checked one two).
///
/// Exactness: with `n` positions, every term added to any accumulator is one product
/// `size * x` (or `|size|`), and each accumulator gets at most one term per position. If every
/// such term is at most `L = i64::MAX / (n + 1)` in magnitude, every partial sum is below
/// `n L < 2^63`, so the wrapping operations below never wrap and the result equals the
/// `i128` computation. The bound is checked per position from the OR of the folded values
/// (`|x| <= m + 1`): `|size| (m + 1) <= L`. When it fails, `None`: the caller redoes the
/// underlying with the exact `i128` path. The short slack is summed once per position and
/// applied to the scenarios at the end (same sum, fewer operations).
///
/// Per position only the 21 parallel columns (7 price points x unchanged, up, down) are summed,
/// into the accumulator of the series' term class ([`SeriesRisk::term`]); the two twist states
/// are rebuilt at the end from the classes' up and down sums, which is what the stored twist
/// columns hold (copies made by the crank). A series without a term class (0: arrays stored
/// before the field) sends the underlying to the exact path, which sums every stored column.
fn add_positions_i64(series: &[SeriesRisk], positions: &[Position]) -> Result<Option<Book>, RiskError> {
    let limit = (i64::MAX as u64) / (positions.len() as u64 + 1);
    // -sum size * pnl over the parallel vol states (unchanged, up, down), per term class
    // (front, back) of the positions' series.
    let mut acc = [[0i64; N_PRICE * N_PARALLEL]; 2];
    let mut slack = 0i64; // sum over shorts of size * slack (<= 0)
    let mut mark = 0i64;
    let mut x = [0i64; 6]; // delta_e9, delta_quote, gamma, vega, theta, gross_delta
    let mut legs = [[0i64; 2]; 2]; // [call, put][short, long] contracts
    let mut min_sum = [0i64; 2]; // [call, put] short minimum of the shorts
    let mut long_kinks = 0u32;
    let mut gap = [0i64; N_GAP]; // sum size * pnl at the gap points (series with them)
    let mut gap_slack = 0i64; // sum over shorts with gap points of size * slack (<= 0)
    let mut skew = 0i64; // sum size * skew sensitivity
    for pos in positions {
        let r = series.get(usize::from(pos.series)).ok_or(RiskError::SeriesIndexOutOfRange)?;
        let kind = OptionKind::from_u8(r.kind)? as usize;
        let s = pos.size;
        let abs = s.unsigned_abs();
        // Every value of the array is below m + 1 in magnitude: from the crank's recorded
        // bound, or (arrays stored before it) by folding them all.
        let m = match r.bits {
            b @ 1..=63 => (1u64 << b) - 1,
            _ => (1u64 << r.value_bits()) - 1, // value_bits <= 63: a fold is below 2^63
        };
        // The parallel columns only, into the accumulator of the series' term class; the
        // twist columns are copies of them (`SeriesRisk::term`), rebuilt below.
        let acc = match r.term & TERM_CLASS {
            TERM_FRONT => &mut acc[0],
            TERM_BACK => &mut acc[1],
            _ => return Ok(None), // term unknown: the exact path over every stored column
        };
        for (a, row) in acc.as_chunks_mut::<N_PARALLEL>().0.iter_mut().zip(r.pnl.as_chunks::<N_VOL>().0.iter()) {
            for (l, &p) in a.iter_mut().zip(row[..N_PARALLEL].iter()) {
                *l = l.wrapping_sub(s.wrapping_mul(p));
            }
        }
        // |size| (m + 1) <= limit, without overflow: m + 1 <= limit / |size| (m < 2^63).
        if abs != 0 && m + 1 > limit / abs {
            return Ok(None);
        }
        if let Some(x) = r.skew() {
            skew = skew.wrapping_add(s.wrapping_mul(x));
        }
        if let Some(g) = r.gaps() {
            for (a, p) in gap.iter_mut().zip(g) {
                *a = a.wrapping_add(s.wrapping_mul(p));
            }
            if s < 0 {
                gap_slack = gap_slack.wrapping_add(s.wrapping_mul(r.slack));
            }
        }
        mark = mark.wrapping_add(s.wrapping_mul(r.mark));
        let dq = s.wrapping_mul(r.delta_quote);
        for (a, v) in x.iter_mut().zip([
            s.wrapping_mul(r.delta_e9),
            dq,
            s.wrapping_mul(r.gamma_quote),
            s.wrapping_mul(r.vega_quote),
            s.wrapping_mul(r.theta_quote),
            dq.wrapping_abs(),
        ]) {
            *a = a.wrapping_add(v);
        }
        if s > 0 && r.term & TERM_KINK != 0 && r.kink().is_some() {
            long_kinks += 1;
        }
        let long = usize::from(s >= 0);
        legs[kind][long] = legs[kind][long].wrapping_add(abs as i64);
        if s < 0 {
            slack = slack.wrapping_add(s.wrapping_mul(r.slack));
            min_sum[kind] = min_sum[kind].wrapping_add((abs as i64).wrapping_mul(r.short_min));
        }
    }
    const FRONT_TWIST: [usize; 2] = twist_columns(TERM_FRONT);
    const BACK_TWIST: [usize; 2] = twist_columns(TERM_BACK);
    let mut book = Book::EMPTY;
    let slack = i128::from(slack);
    // Per price point: the parallel states are front + back; the twist (front up, back down)
    // and the reverse take each class's own column. Each sum has at most one term per
    // position, as before, so the bound above still holds.
    for ((b, f), k) in book
        .loss
        .as_chunks_mut::<N_VOL>()
        .0
        .iter_mut()
        .zip(acc[0].as_chunks::<N_PARALLEL>().0.iter())
        .zip(acc[1].as_chunks::<N_PARALLEL>().0.iter())
    {
        let l = [
            f[0].wrapping_add(k[0]),
            f[1].wrapping_add(k[1]),
            f[2].wrapping_add(k[2]),
            f[FRONT_TWIST[0]].wrapping_add(k[BACK_TWIST[0]]),
            f[FRONT_TWIST[1]].wrapping_add(k[BACK_TWIST[1]]),
        ];
        for (b, l) in b.iter_mut().zip(l) {
            *b = i128::from(l) - slack;
        }
    }
    book.option_value = i128::from(mark) + slack;
    book.long_kinks = long_kinks;
    // Each sum has at most one term per position: no wrap, by the bound above.
    book.gap = gap.map(|g| -i128::from(g) - i128::from(gap_slack));
    book.skew = i128::from(skew);
    let e = &mut book.exposure;
    [e.delta_e9, e.delta_quote, e.gamma, e.vega, e.theta, e.gross_delta] = x.map(i128::from);
    e.calls = legs[0].map(i128::from);
    e.puts = legs[1].map(i128::from);
    e.call_min_sum = i128::from(min_sum[0]);
    e.put_min_sum = i128::from(min_sum[1]);
    Ok(Some(book))
}

/// `a * b`, checked: one word product when `a` fits in an `i64` and `b` below 2^63 (on SBF a
/// checked `i128` product is two library calls), the checked `i128` product otherwise.
#[inline(always)]
fn wide_mul(a: i128, b: u64) -> Result<i128, RiskError> {
    if let (Ok(a64), Ok(b64)) = (i64::try_from(a), i64::try_from(b)) {
        let (hi, lo) = smul_wide(a64, b64);
        return Ok((i128::from(hi) << 64) | i128::from(lo));
    }
    a.checked_mul(i128::from(b)).ok_or(RiskError::Overflow)
}

/// Positions with an [`ExpiryKink`] per underlying priced exactly (the kink pass's buffer on
/// the stack); beyond, the bound.
pub const MAX_KINKS: usize = 16;

/// The worst loss of a book between its price points, at the strikes of its long options that
/// expire inside the horizon (`i128::MIN` when it holds none). `kink_at(i)` gives position
/// `i`'s size and [`ExpiryKink`], if any, of `n` positions; `loss` is the book's scenario loss
/// (options and spot collateral).
///
/// Between price points `j` and `j + 1` an expiring option's loss is the chord of its values
/// there plus `size * tent(x)`, a tent of height [`ExpiryKink::height`] at the strike: longs bend
/// up, shorts down. The rest of
/// the book is priced by the chord of its grid values, as the grid prices everything between
/// its points. A piecewise-linear function peaks at a bend or an end, and only a long's bend
/// turns the loss down, so the candidates are the longs' strikes `K`. At each, with
/// `d = hi - lo`, `x = K - lo`, `y = hi - K`, the loss times `d` is, exactly,
/// `max_v (loss[j][v] y + loss[j+1][v] x) + y A + x B` with `A = sum size_i (K_i - lo)` over
/// the interval's kinks at or below `K` and `B = sum size_i (hi - K_i)` over those above (the
/// tents, summed without a division), divided once and rounded up. A kink of another expiry's
/// grid (other shocked forwards) counts at its full height if long and not at all if short.
/// Past [`MAX_KINKS`] kinks, the bound `max(loss) + sum over longs of size * height`: the
/// chord is at most the larger end, a tent at most its height, a short's at least 0.
#[inline(never)]
pub fn worst_between(
    loss: &[i128; N_SCEN],
    n: usize,
    kink_at: impl Fn(usize) -> Result<Option<(i64, ExpiryKink)>, RiskError>,
) -> Result<i128, RiskError> {
    const NONE: (i64, ExpiryKink) = (0, ExpiryKink { interval: 0, strike: 0, lo: 0, hi: 0 });
    let mut buf = [NONE; MAX_KINKS];
    let (mut count, mut longs) = (0usize, 0u32);
    for i in 0..n {
        if let Some(entry) = kink_at(i)? {
            if let Some(slot) = buf.get_mut(count) {
                *slot = entry;
            }
            count += 1;
            longs += u32::from(entry.0 > 0);
        }
    }
    if longs == 0 {
        return Ok(i128::MIN);
    }
    let add = |a: i128, b: i128| a.checked_add(b).ok_or(RiskError::Overflow);
    if count > MAX_KINKS {
        let mut total = loss.iter().copied().max().unwrap_or(0);
        for i in 0..n {
            if let Some((size, k)) = kink_at(i)? {
                if size > 0 {
                    total = add(total, wide_mul(i128::from(size), k.height())?)?;
                }
            }
        }
        return Ok(total);
    }
    let kinks = &buf[..count];
    let mut worst = i128::MIN;
    for &(size_m, km) in kinks {
        if size_m <= 0 {
            continue;
        }
        let (d, x, y) = (km.hi - km.lo, km.strike - km.lo, km.hi - km.strike);
        let (mut below, mut above, mut other) = (0i128, 0i128, 0i128);
        for &(size_i, ki) in kinks {
            if ki.interval != km.interval {
                continue;
            }
            let size = i128::from(size_i);
            if ki.lo == km.lo && ki.hi == km.hi {
                if ki.strike <= km.strike {
                    below = add(below, wide_mul(size, ki.strike - km.lo)?)?;
                } else {
                    above = add(above, wide_mul(size, km.hi - ki.strike)?)?;
                }
            } else if size_i > 0 {
                other = add(other, wide_mul(size, ki.height())?)?;
            }
        }
        let j = usize::from(km.interval) * N_VOL;
        let mut top = i128::MIN;
        for v in 0..N_VOL {
            top = top.max(add(wide_mul(loss[j + v], y)?, wide_mul(loss[j + N_VOL + v], x)?)?);
        }
        let total = add(add(top, wide_mul(below, y)?)?, wide_mul(above, x)?)?;
        // ceil(total / d) by unsigned division (SBF has no signed one).
        let q = if total >= 0 {
            div_u128(total as u128, u128::from(d), true) as i128
        } else {
            -(div_u128(total.unsigned_abs(), u128::from(d), false) as i128)
        };
        worst = worst.max(add(q, other)?);
    }
    Ok(worst)
}

/// Full revaluation of every position in every scenario (tests, keepers, what-if).
pub fn portfolio_margin_full(
    markets: &[UnderlyingMarket],
    positions: &[FullPosition],
    collateral: &[CollateralInput],
    params: &RiskParams,
    reputation: Fx,
) -> Result<MarginSummary, RiskError> {
    let n = markets.len();
    if n > MAX_UNDERLYINGS {
        return Err(RiskError::TooManyUnderlyings);
    }
    for pos in positions {
        if usize::from(pos.series.underlying) >= n {
            return Err(RiskError::UnderlyingIndexOutOfRange);
        }
    }
    let collateral_value = collateral_value(collateral, n)?;
    let mut unders = [UnderlyingSummary::default(); MAX_UNDERLYINGS];
    for (u, market) in markets.iter().enumerate() {
        let scen = underlying_scenarios(market, params)?;
        let mut book = Book::EMPTY;
        let mut values_q20 = [0i128; N_SCEN + 1]; // loss per scenario, then the marks
        for pos in positions.iter().filter(|p| usize::from(p.series.underlying) == u) {
            revalue_position(&mut values_q20, market, &scen, pos, params)?;
            let r = series_risk(&pos.series, market, &scen, params)?;
            book.exposure.add_position(&r, pos.size)?;
            add_beyond_grid(&mut book, &r, pos.size);
        }
        for (l, &x) in book.loss.iter_mut().zip(values_q20.iter()) {
            *l = shr_round(x, VALUE_FRAC, Rounding::Ceil);
        }
        book.option_value = shr_round(values_q20[N_SCEN], VALUE_FRAC, Rounding::Floor);
        add_spots(&mut book, u, &scen, collateral)?;
        let between = worst_between(&book.loss, positions.len(), |i| {
            let pos = &positions[i];
            if usize::from(pos.series.underlying) != u {
                return Ok(None);
            }
            let grid = ExpiryGrid::new(market, pos.series.expiry, &scen, params)?;
            Ok(expiry_kink(pos.series.strike, &grid).map(|k| (pos.size, k)))
        })?;
        unders[u] = summarize(&book, between, &scen, params)?;
    }
    finish(unders, n, collateral_value, params, reputation)
}

/// Adds `-size * (V_s - V_0)` (Q20) to each scenario and `size * V_0` to the last slot.
fn revalue_position(
    acc: &mut [i128; N_SCEN + 1],
    market: &UnderlyingMarket,
    scen: &UnderlyingScenarios,
    pos: &FullPosition,
    params: &RiskParams,
) -> Result<(), RiskError> {
    let kind = OptionKind::from_u8(pos.series.kind)?;
    let exp = market.expiry(pos.series.expiry)?;
    let tenor = Tenor::new(market.now, exp.expiry)?;
    let vols = vol_shocks(&tenor, params)?;
    let size = i128::from(pos.size);
    let v0 = scenario_eval(pos.series.strike, exp, &tenor, Fx::ZERO, Fx::ZERO)?.value_q20(kind);
    for p in 0..N_PRICE {
        for (v, &vol) in vols.iter().enumerate() {
            let h = params.shock_horizon_secs;
            let vs = scenario_eval_after(pos.series.strike, exp, &tenor, h, Fx(scen.shock[p]), vol)?.value_q20(kind);
            let d = size.checked_mul(vs - v0).ok_or(RiskError::Overflow)?;
            acc[p * N_VOL + v] -= d;
        }
    }
    acc[N_SCEN] += size.checked_mul(v0).ok_or(RiskError::Overflow)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(rng: &mut impl FnMut() -> u64, bits: u32, kind: u8) -> SeriesRisk {
        let mut v = |b: u32| (rng() as i64) >> (64 - b);
        let mut pnl = [0i64; N_SCEN];
        for p in pnl.iter_mut() {
            *p = v(bits);
        }
        // The twist columns copy up and down as the crank makes them, in the term's order.
        let term = if v(8) & 1 == 0 { TERM_FRONT } else { TERM_BACK };
        let [tw, rev] = twist_columns(term);
        for row in pnl.as_chunks_mut::<N_VOL>().0.iter_mut() {
            (row[3], row[4]) = (row[tw], row[rev]);
        }
        let with_gaps = v(8) & 2 == 0;
        let gaps = [0; N_GAP].map(|_| v(bits));
        let skew = v(bits);
        let mut r = SeriesRisk {
            pnl,
            mark: v(bits).abs(),
            slack: 2 + (v(8) & 7),
            delta_e9: v(31),
            delta_quote: v(bits),
            gamma_quote: v(bits),
            vega_quote: v(bits),
            theta_quote: v(bits),
            short_min: v(bits).abs(),
            kind,
            term,
            bits: 0,
            _pad: [0; 5],
        };
        // Most arrays carry gap points, the skew sensitivity and their bound (the crank writes
        // them); some, stored before, do not.
        if with_gaps {
            r.set_gaps(&gaps);
            r.set_skew(skew);
        }
        if v(8) & 4 == 0 {
            r.seal();
        }
        r
    }

    #[test]
    fn word_helpers_equal_i128_formulas() {
        let mut x: u64 = 0x1234_5678_9ABC_DEF1;
        let mut rng = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..100_000 {
            let a = i128::from(rng() >> (rng() % 64));
            let b = i128::from(rng() >> (rng() % 64));
            let c = i128::from((rng() >> (rng() % 64)).max(1));
            let want = a.checked_mul(b).map(|p| (p + c - 1) / c).ok_or(RiskError::Overflow);
            assert_eq!(mul_div_ceil(a, b, c), want);
            let rate = (rng() >> (rng() % 64)) as i64 & i64::MAX;
            let want = to_i64(shr_round(a * i128::from(rate), FX_FRAC, Rounding::Ceil));
            assert_eq!(charge(a, rate), want);
            let wa = (i128::from(rng() as i64) << (rng() % 70)) >> (rng() % 64);
            let wb = rng() >> (rng() % 64);
            assert_eq!(wide_mul(wa, wb), wa.checked_mul(i128::from(wb)).ok_or(RiskError::Overflow), "{wa} {wb}");
            let shock = (rng() as i64) >> (rng() % 64);
            for ceil in [false, true] {
                let r = if ceil { Rounding::Ceil } else { Rounding::Floor };
                assert_eq!(scale_shock(a, shock, ceil), shr_round(a * i128::from(shock.unsigned_abs()), FX_FRAC, r));
            }
        }
    }

    #[test]
    fn worst_between_refuses_overflow_with_its_code() {
        let k = ExpiryKink { interval: 2, strike: 145, lo: 140, hi: 150 };
        let one_long = |size: i64| move |_: usize| Ok(Some((size, k)));
        // No long: nothing to price. Two long: the chord (loss 0 at both points) and their tent,
        // 2 x 5 x 5 / 10 = 5 exactly (one rounding for the whole sum).
        assert_eq!(worst_between(&[0; N_SCEN], 1, one_long(-2)), Ok(i128::MIN));
        assert_eq!(worst_between(&[0; N_SCEN], 1, one_long(2)), Ok(5));
        // Losses too large for the chord's products, and the bound past MAX_KINKS: Overflow,
        // never an abort.
        let mut huge = [0i128; N_SCEN];
        huge[2 * N_VOL] = i128::MAX / 2;
        assert_eq!(worst_between(&huge, 1, one_long(1)), Err(RiskError::Overflow));
        huge[0] = i128::MAX - 1;
        assert_eq!(worst_between(&huge, MAX_KINKS + 1, one_long(1)), Err(RiskError::Overflow));
        // A failing lookup's own code comes through.
        assert_eq!(worst_between(&[0; N_SCEN], 1, |_| Err(RiskError::SeriesIndexOutOfRange)), Err(RiskError::SeriesIndexOutOfRange));
    }

    #[test]
    fn i64_path_equals_i128_path() {
        // Random books with value sizes from small to i64-overflowing: whenever the i64 path
        // accepts, its sums equal the exact i128 ones; with huge values it declines.
        let mut x: u64 = 0x853C_49E6_748F_EA9B;
        let mut rng = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut accepted, mut declined) = (0, 0);
        for round in 0..3_000u32 {
            let bits = [20u32, 30, 40, 50, 56, 62][(round % 6) as usize];
            let size_bits = [8u32, 20, 31, 63][(round / 6 % 4) as usize];
            let set: Vec<SeriesRisk> = (0..8).map(|i| series(&mut rng, bits, (i % 2) as u8)).collect();
            let n = (rng() % 40) as usize;
            let positions: Vec<Position> =
                (0..n).map(|_| Position { size: (rng() as i64) >> (64 - size_bits), series: (rng() % 8) as u16, _pad: [0; 6] }).collect();
            let mut exact = Book::EMPTY;
            for pos in &positions {
                add_array_position(&mut exact, &set[usize::from(pos.series)], pos.size).unwrap();
            }
            match add_positions_i64(&set, &positions).unwrap() {
                Some(fast) => {
                    accepted += 1;
                    assert_eq!(format!("{fast:?}"), format!("{exact:?}"), "round {round}");
                }
                None => declined += 1,
            }
        }
        assert!(accepted > 800 && declined > 300, "{accepted} accepted, {declined} declined");
        // A series without a term class (an array stored before the field) sends the book to
        // the exact path, which sums its stored columns.
        let mut set = [series(&mut rng, 20, 0), series(&mut rng, 20, 1)];
        let both = [Position { size: -3, series: 0, _pad: [0; 6] }, Position { size: 2, series: 1, _pad: [0; 6] }];
        assert!(add_positions_i64(&set, &both).unwrap().is_some());
        set[1].term = 0;
        assert!(add_positions_i64(&set, &both).unwrap().is_none());
        // Refusals come through the i64 path in position order.
        let set = [series(&mut rng, 20, 0), series(&mut rng, 20, 7)];
        let bad = |s: u16| [Position { size: 1, series: s, _pad: [0; 6] }];
        assert_eq!(add_positions_i64(&set, &bad(2)).unwrap_err(), RiskError::SeriesIndexOutOfRange);
        assert_eq!(add_positions_i64(&set, &bad(1)).unwrap_err(), RiskError::InvalidOptionKind);
    }
}
