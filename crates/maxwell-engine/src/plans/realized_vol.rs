//! Realized volatility: an EWMA of the oracle's log returns per underlying (RiskMetrics'
//! lambda 0.94), folded in by the permissionless `realized_vol_update` crank.
//!
//! - A sample ([`sample_variance`]) is one interval's annualized variance
//!   `min(r^2 x YEAR / dt, 25)`, `r = ln(spot / last_spot)`, Q52, every step rounded down; the
//!   cap is a 500% volatility (one oracle glitch cannot blow the estimate up for weeks).
//! - The update ([`ewma`]) is `var' = (0.94 x var + 0.06 x sample)`, truncated toward zero.
//! - Samples sit on a fixed grid the caller cannot pick: one per [`RV_MIN_INTERVAL_SECS`]
//!   boundary of unix time, taken within [`RV_WINDOW_SECS`] after the boundary from a price
//!   published at or after it ([`plan_rv_update`]); the interval `dt` is the grid's, not the
//!   caller's. The first one only records the spot.

use maxwell_risk::fixed::FX_FRAC;
use maxwell_risk::math::ln::ln_ratio_q62;

use crate::error::{EngineError, Result};

/// The sampling grid: one sample per boundary of this many seconds of unix time.
pub const RV_MIN_INTERVAL_SECS: i64 = 60;
/// A boundary's sample is taken within this many seconds after it, from a price published at
/// or after the boundary: the caller picks among a few seconds of prices, never the interval.
pub const RV_WINDOW_SECS: i64 = 10;
/// EWMA decay per update, bps (RiskMetrics' 0.94).
pub const RV_LAMBDA_BPS: i64 = 9_400;
/// One sample's annualized variance is capped at 25 (a 500% volatility), Q52.
pub const RV_MAX_VARIANCE: i64 = 25 << FX_FRAC;
/// Seconds per year of the annualization (365 days).
pub const YEAR_SECS: i64 = 31_536_000;

/// What an underlying stores for its realized volatility.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RvState {
    /// EWMA of the annualized variance, Q52.
    pub variance: i64,
    /// Spot of the last update, quote native per contract.
    pub last_spot: u64,
    /// Unix seconds of the last update (0 = never).
    pub last_ts: i64,
    /// Updates that folded a sample in.
    pub updates: u64,
}

/// The state after an update, and the sample folded in (0 on the first update).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RvUpdate {
    pub state: RvState,
    /// The interval's capped annualized variance, Q52.
    pub sample: i64,
}

/// Whether an update at `now` is allowed after one at `last_ts` (0 = never updated: always).
pub fn due(last_ts: i64, now: i64) -> bool {
    last_ts == 0 || now.checked_sub(last_ts).is_some_and(|dt| dt >= RV_MIN_INTERVAL_SECS)
}

/// One interval's annualized variance, Q52: `min(r^2 x YEAR_SECS / dt, RV_MAX_VARIANCE)` with
/// `r = |ln(spot / last_spot)|` (Q62 truncated to Q52), each step rounded down. `dt > 0`.
pub fn sample_variance(spot: u64, last_spot: u64, dt: i64) -> Result<i64> {
    let dt = u128::try_from(dt).ok().filter(|&d| d > 0).ok_or(EngineError::Overflow)?;
    // |ln| <= 44.4 (a ratio of two u64): r < 2^58 in Q52, r^2 < 2^116.
    let r = ln_ratio_q62(spot, last_spot)?.unsigned_abs() >> 10;
    let r2 = r.checked_mul(r).ok_or(EngineError::Overflow)? >> FX_FRAC;
    // Unsigned (no signed division on SBF); saturating: the cap applies anyway.
    let annual = r2.saturating_mul(YEAR_SECS as u128) / dt;
    Ok(annual.min(RV_MAX_VARIANCE as u128) as i64)
}

/// `(var x 9,400 + sample x 600) / 10,000`, truncated toward zero.
pub fn ewma(variance: i64, sample: i64) -> Result<i64> {
    // Two i64 times at most 10^4 each: no i128 overflow.
    let x = i128::from(variance) * i128::from(RV_LAMBDA_BPS) + i128::from(sample) * i128::from(10_000 - RV_LAMBDA_BPS);
    i64::try_from(x / 10_000).map_err(|_| EngineError::Overflow)
}

/// The grid boundary at or before `now` (0 before the epoch). Unsigned: SBF has no signed
/// division.
pub fn boundary(now: i64) -> i64 {
    let n = now.max(0) as u64;
    (n - n % RV_MIN_INTERVAL_SECS as u64) as i64
}

/// Whether a sample would be taken at `now` after the last sampled boundary `last_ts`
/// (0 = never), given a price published at or after the boundary: inside the boundary's
/// window and not yet sampled. Keepers call it to time the crank.
pub fn sample_open(last_ts: i64, now: i64) -> bool {
    let b = boundary(now);
    now - b <= RV_WINDOW_SECS && (last_ts == 0 || due(last_ts, b))
}

/// The sample of the boundary at or before `now`, with the oracle spot `spot` (quote native per
/// contract) published at `publish_time`. Refused outside the boundary's window or with a
/// price from before it ([`EngineError::RealizedVolOffSchedule`]), or when the boundary is
/// already sampled ([`EngineError::RealizedVolTooSoon`]). The first records the spot; later
/// ones fold the sample over the grid interval since the last sampled boundary into the EWMA.
pub fn plan_rv_update(s: &RvState, spot: u64, now: i64, publish_time: i64) -> Result<RvUpdate> {
    let b = boundary(now);
    if now - b > RV_WINDOW_SECS || publish_time < b {
        return Err(EngineError::RealizedVolOffSchedule);
    }
    let mut next = RvState { last_spot: spot, last_ts: b, ..*s };
    let mut sample = 0;
    if s.last_ts != 0 {
        if !due(s.last_ts, b) {
            return Err(EngineError::RealizedVolTooSoon);
        }
        let dt = b.checked_sub(s.last_ts).ok_or(EngineError::Overflow)?;
        sample = sample_variance(spot, s.last_spot, dt)?;
        next.variance = ewma(s.variance, sample)?;
        next.updates = s.updates.checked_add(1).ok_or(EngineError::Overflow)?;
    }
    Ok(RvUpdate { state: next, sample })
}

#[cfg(test)]
mod tests {
    use super::*;
    use maxwell_risk::RiskError;

    const ONE: i64 = 1 << FX_FRAC;

    #[test]
    fn due_table() {
        // (last, now, due)
        let cases = [(0, 5, true), (1_000, 1_059, false), (1_000, 1_060, true), (1_000, 999, false), (i64::MIN + 1, 1, false)];
        for (last, now, want) in cases {
            assert_eq!(due(last, now), want, "last {last} now {now}");
        }
    }

    #[test]
    fn sample_table() {
        // (spot, last spot, dt, expected = formula in f64; the fixed-point ln is exact to ~1e-14)
        // +1% in a day: ln(1.01)^2 x 365 = 0.036317...
        let day = 86_400;
        let r = (1.01f64).ln();
        let cases: &[(u64, u64, i64, f64)] = &[
            (101_000_000, 100_000_000, day, r * r * 365.0),
            (100_000_000, 101_000_000, day, r * r * 365.0), // the sign of r does not matter
            (101_000_000, 100_000_000, 3_600, r * r * 365.0 * 24.0),
            (100_000_000, 100_000_000, 60, 0.0),
        ];
        for &(spot, last, dt, want) in cases {
            let got = sample_variance(spot, last, dt).unwrap() as f64 / ONE as f64;
            assert!((got - want).abs() <= 1e-10 * want.max(1e-3), "{spot}/{last} over {dt}: {got} vs {want}");
        }
        // Capped at 500% vol: +10% in a minute is ln(1.1)^2 x 525,600 = 4,775 -> 25.
        assert_eq!(sample_variance(110, 100, 60), Ok(RV_MAX_VARIANCE));
        assert_eq!(sample_variance(u64::MAX, 1, 60), Ok(RV_MAX_VARIANCE));
        assert_eq!(sample_variance(0, 1, 60), Err(EngineError::Risk(RiskError::LogOfNonPositive)));
        assert_eq!(sample_variance(1, 1, 0), Err(EngineError::Overflow));
    }

    #[test]
    fn ewma_table() {
        // (variance, sample, expected = (v x 9,400 + s x 600) / 10,000)
        let cases: &[(i64, i64, i64)] = &[
            (0, RV_MAX_VARIANCE, (3 << FX_FRAC) / 2), // 0.06 x 25 = 1.5
            (ONE, ONE, ONE),                          // a steady state stays
            (ONE, 0, ONE * 94 / 100),                 // 0.94, truncated
            (7, 3, (7 * 9_400 + 3 * 600) / 10_000),   // 6.76 -> 6
            (i64::MAX, i64::MAX, i64::MAX),           // no overflow at the top
        ];
        for &(v, s, want) in cases {
            assert_eq!(ewma(v, s), Ok(want), "v {v} s {s}");
        }
    }

    #[test]
    fn sample_open_follows_the_grid() {
        // (last sampled boundary, now, open)
        let cases = [(0, 1_025, true), (1_020, 1_029, false), (1_020, 1_085, true), (1_020, 1_091, false), (1_020, 1_140, true)];
        for (last, now, want) in cases {
            assert_eq!(sample_open(last, now), want, "last {last} now {now}");
        }
    }

    #[test]
    fn update_table() {
        let s0 = RvState::default();
        // First: only the spot and the boundary (1,020 = 17 x 60; 1,025 is 5 s after it).
        let u = plan_rv_update(&s0, 150_000_000, 1_025, 1_021).unwrap();
        assert_eq!(u, RvUpdate { state: RvState { variance: 0, last_spot: 150_000_000, last_ts: 1_020, updates: 0 }, sample: 0 });
        // The same boundary again: refused.
        assert_eq!(plan_rv_update(&u.state, 151_000_000, 1_029, 1_028), Err(EngineError::RealizedVolTooSoon));
        // Off schedule: past the window, or a price from before the boundary.
        assert_eq!(plan_rv_update(&u.state, 151_000_000, 1_091, 1_090), Err(EngineError::RealizedVolOffSchedule));
        assert_eq!(plan_rv_update(&u.state, 151_000_000, 1_085, 1_079), Err(EngineError::RealizedVolOffSchedule));
        // The next boundary, whenever in its window: the grid's 60 s interval, not the caller's.
        let v = plan_rv_update(&u.state, 151_500_000, 1_089, 1_080).unwrap();
        let sample = sample_variance(151_500_000, 150_000_000, 60).unwrap();
        assert_eq!(v.sample, sample);
        assert_eq!(v.state, RvState { variance: ewma(0, sample).unwrap(), last_spot: 151_500_000, last_ts: 1_080, updates: 1 });
        // +1% in a minute: ln(1.01)^2 x 525,600 = 52.0 -> capped at 25; variance 0.06 x 25 = 1.5.
        assert_eq!(v.sample, RV_MAX_VARIANCE);
        assert_eq!(v.state.variance, (3 << FX_FRAC) / 2);
        // Counter overflow is an error, not a wrap.
        let full = RvState { updates: u64::MAX, ..v.state };
        assert_eq!(plan_rv_update(&full, 151_500_000, 2_045, 2_040), Err(EngineError::Overflow));
    }
}
