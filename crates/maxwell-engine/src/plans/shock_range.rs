//! Predictive margin: the price-shock range from `max(ATM vol, realized vol)`.
//!
//! `risk_refresh` builds an underlying's scenario grid from the surface's ATM vol
//! (`maxwell_risk::scenario::underlying_scenarios`). When realized volatility (the EWMA crank,
//! [`crate::plans::realized_vol`]) runs above it, the range is the one realized vol implies,
//! `price_range(realized)`, and every price shock is scaled by `wide / range`, its magnitude
//! rounded up (away from zero). The grid never narrows.

use maxwell_risk::fixed::Fx;
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{price_range, UnderlyingScenarios};

use crate::error::{EngineError, Result};

/// The scenarios `scen` widened to realized volatility `realized` (annualized, Q52): unchanged
/// when `price_range(realized) <= scen.range` (or the range is not positive); otherwise range
/// `price_range(realized)` and each shock `s` becomes `sign(s) x ceil(|s| x wide / range)`.
pub fn widen_for_realized_vol(scen: &UnderlyingScenarios, realized: Fx, params: &RiskParams) -> Result<UnderlyingScenarios> {
    let wide = price_range(realized, params)?.0;
    if wide <= scen.range || scen.range <= 0 {
        return Ok(*scen);
    }
    let (num, den) = (wide.unsigned_abs() as u128, scen.range.unsigned_abs() as u128);
    let mut out = *scen;
    for s in out.shock.iter_mut() {
        // |s| < 2^63, wide < 2^63: the product fits u128.
        let mag = (u128::from(s.unsigned_abs()) * num).div_ceil(den);
        let mag = i64::try_from(mag).map_err(|_| EngineError::Overflow)?;
        *s = if *s < 0 { -mag } else { mag };
    }
    out.range = wide;
    Ok(out)
}

/// The parameters a crank uses on a stale surface (the volatility oracle silent beyond the
/// underlying's `surface_max_age_secs`): the last surface, with the up volatility shocks and
/// their cap doubled and the price range's floor raised by half (at most the cap). Liquidation
/// never waits for the volatility oracle: the arrays rebuilt this way charge more, never less,
/// than the ones the stale surface would give.
pub fn stale_surface_params(p: &RiskParams) -> RiskParams {
    RiskParams {
        vol_up: p.vol_up.saturating_mul(2),
        vol_up_cap: p.vol_up_cap.saturating_mul(2),
        shock_floor: p.shock_floor.saturating_add(p.shock_floor / 2).min(p.shock_cap),
        ..*p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use maxwell_risk::fixed::FX_FRAC;
    use maxwell_risk::scenario::N_PRICE;

    const ONE: i64 = 1 << FX_FRAC;

    /// A grid of range 15% (the default floor) with shocks -S, -2S/3, -S/3, 0, S/3, 2S/3, S.
    fn grid(range: i64) -> UnderlyingScenarios {
        let mut shock = [0i64; N_PRICE];
        for (k, s) in shock.iter_mut().enumerate() {
            *s = range * (k as i64 - 3) / 3;
        }
        UnderlyingScenarios { spot: 150_000_000, conf: 0, range, shock }
    }

    #[test]
    fn widening_table() {
        let p = RiskParams::DEFAULT;
        let floor = p.shock_floor;
        let g = grid(floor);
        // (realized vol, expected range = price_range(realized) when wider)
        // A quiet market (realized 10%): its range is the floor, not wider -> unchanged.
        assert_eq!(widen_for_realized_vol(&g, Fx(ONE / 10), &p), Ok(g));
        // No realized vol yet: unchanged.
        assert_eq!(widen_for_realized_vol(&g, Fx(0), &p), Ok(g));
        // 150% realized: 4.5 x 1.5 x sqrt(1/365) = 35.3% > 15%: every shock x wide / 15%, up.
        let wide = price_range(Fx(3 * ONE / 2), &p).unwrap().0;
        assert!(wide > floor && wide < p.shock_cap);
        let w = widen_for_realized_vol(&g, Fx(3 * ONE / 2), &p).unwrap();
        assert_eq!(w.range, wide);
        for k in 0..N_PRICE {
            let s = g.shock[k];
            let mag = (s.unsigned_abs() as u128 * wide as u128).div_ceil(floor as u128) as i64;
            assert_eq!(w.shock[k], if s < 0 { -mag } else { mag }, "shock {k}");
        }
        assert_eq!(w.shock[N_PRICE - 1], wide); // S x wide / S exactly
        assert_eq!(w.shock[0], -wide);
        assert_eq!(w.shock[3], 0);
        assert_eq!((w.spot, w.conf), (g.spot, g.conf));
        // 1,000% realized: capped at the range cap (60%).
        assert_eq!(widen_for_realized_vol(&g, Fx(10 * ONE), &p).unwrap().range, p.shock_cap);
        // A grid already wider than realized vol implies: never narrowed.
        let cap = grid(p.shock_cap);
        assert_eq!(widen_for_realized_vol(&cap, Fx(3 * ONE / 2), &p), Ok(cap));
        // A degenerate range (0): left alone.
        let zero = UnderlyingScenarios { range: 0, ..g };
        assert_eq!(widen_for_realized_vol(&zero, Fx(3 * ONE / 2), &p), Ok(zero));
    }

    #[test]
    fn shocks_that_do_not_fit_are_errors() {
        let p = RiskParams::DEFAULT;
        let mut g = grid(1);
        g.shock[6] = i64::MAX;
        assert_eq!(widen_for_realized_vol(&g, Fx(3 * ONE / 2), &p), Err(EngineError::Overflow));
    }

    #[test]
    fn stale_surface_params_only_widen() {
        let p = RiskParams::DEFAULT;
        let s = stale_surface_params(&p);
        assert_eq!(s.vol_up, 2 * p.vol_up);
        assert_eq!(s.vol_up_cap, 2 * p.vol_up_cap);
        assert_eq!(s.shock_floor, (p.shock_floor + p.shock_floor / 2).min(p.shock_cap));
        assert!(s.shock_floor >= p.shock_floor && s.shock_floor <= s.shock_cap);
        assert_eq!(RiskParams { vol_up: p.vol_up, vol_up_cap: p.vol_up_cap, shock_floor: p.shock_floor, ..s }, p, "nothing else moves");
    }
}
