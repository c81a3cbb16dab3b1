//! Predictive margin: the price-shock range from `max(ATM vol, realized vol)`.
//!
//! `risk_refresh` builds an underlying's scenario grid from the surface's ATM vol
//! (`maxwell_risk::scenario::underlying_scenarios`). When realized volatility (the EWMA crank,
//! [`crate::plans::realized_vol`]) runs above it, the range is the one realized vol implies,
//! `price_range(realized)`, and the price shocks are the log shocks of that range
//! (`maxwell_risk::scenario::log_shocks`). The grid never narrows.

use maxwell_risk::fixed::Fx;
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{log_shocks, price_range, UnderlyingScenarios};

use crate::error::Result;

/// The scenarios `scen` widened to realized volatility `realized` (annualized, Q52): unchanged
/// when `price_range(realized) <= scen.range` (or the range is not positive); otherwise range
/// `wide = price_range(realized)` and shocks `log_shocks(wide)`.
pub fn widen_for_realized_vol(scen: &UnderlyingScenarios, realized: Fx, params: &RiskParams) -> Result<UnderlyingScenarios> {
    let wide = price_range(realized, params)?;
    if wide.0 <= scen.range || scen.range <= 0 {
        return Ok(*scen);
    }
    Ok(UnderlyingScenarios { range: wide.0, shock: log_shocks(wide)?, ..*scen })
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

    /// A grid of log range `range` (the default floor is 15%).
    fn grid(range: i64) -> UnderlyingScenarios {
        UnderlyingScenarios { spot: 150_000_000, conf: 0, range, shock: log_shocks(Fx(range)).unwrap() }
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
        // The log shocks of the wide range: e^(-S) - 1 .. e^S - 1, the middle 0.
        assert_eq!(w.shock, log_shocks(Fx(wide)).unwrap());
        assert!(w.shock[N_PRICE - 1] > wide && w.shock[0] > -wide && w.shock[0] < 0);
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
