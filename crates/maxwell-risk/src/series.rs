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

use crate::black76::{price_and_greeks_total, Black76, OptionKind};
use crate::fixed::{shr_round, to_i64, Fx, Rounding, FX_FRAC, WIDE_FRAC};
use crate::market::{ExpiryMarket, UnderlyingMarket};
use crate::math::ln::ln_ratio_q62;
use crate::params::RiskParams;
use crate::scenario::{vol_shocks, UnderlyingScenarios, N_PRICE, N_SCEN, N_VOL};
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

/// Stored risk of one series, per one contract (plain `i64`: zero-copy friendly, 224 bytes).
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
    pub _pad: [u8; 7],
}

/// Per-evaluation error bound in Q20 quote: `scale * 2^-40`, plus one Q20 unit.
fn err_q20(scale: u64) -> i128 {
    (i128::from(scale) >> (40 - VALUE_FRAC)) + 1
}

/// Value of one contract when the forward moves by `price_shock` and the smile by `vol_shock`.
pub fn scenario_eval(
    strike: u64,
    exp: &ExpiryMarket,
    tenor: &Tenor,
    price_shock: Fx,
    vol_shock: Fx,
) -> Result<Black76, RiskError> {
    let forward = Price(exp.forward).positive()?.shocked(price_shock)?;
    let k = ln_ratio_q62(Price(strike).positive()?.0, forward.0)?;
    let v = exp.svi.total_vol_q62(k, vol_shock)?;
    price_and_greeks_total(forward, Price(strike), k, v, tenor)
}

/// Maintenance short-option minimum of one contract:
/// `max(floor, base - OTM/S) * S * mm_scale`, rounded up (S = spot).
pub fn short_minimum(kind: OptionKind, strike: u64, spot: u64, params: &RiskParams) -> Result<i64, RiskError> {
    let otm = match kind {
        OptionKind::Call => strike.saturating_sub(spot),
        OptionKind::Put => spot.saturating_sub(strike),
    };
    let s = u128::from(Price(spot).positive()?.0);
    let otm_ratio = (u128::from(otm) << FX_FRAC) / s; // floor: the minimum rounds up
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

/// The risk array, mark, Greeks and short minimum of one series (21 + 1 evaluations).
pub fn series_risk(
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
            let b = scenario_eval(series.strike, exp, &tenor, Fx(scen.shock[p]), vol)?;
            let e = e0 + err_q20(b.scale);
            e_max = e_max.max(e);
            pnl[p * N_VOL + v] = to_i64(shr_round(b.value_q20(kind) - v0 - e, VALUE_FRAC, Rounding::Floor))?;
        }
    }
    let slack = 1 + to_i64(shr_round(2 * e_max, VALUE_FRAC, Rounding::Ceil))?;
    let [delta_e9, delta_quote, gamma_quote, vega_quote, theta_quote] = greeks_quote(&base, kind)?;
    Ok(SeriesRisk {
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
        _pad: [0; 7],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_minimum_table() {
        let p = RiskParams::DEFAULT; // base 0.15, floor 0.10, mm scale 0.5
        // (kind, strike, spot, expected = max(0.10, 0.15 - OTM/S) * S * 0.5)
        let cases: &[(OptionKind, u64, u64, i64)] = &[
            (OptionKind::Call, 100, 100, 7_500_000 / 1_000_000 + 1), // 0.15*100*0.5 = 7.5 -> 8
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
