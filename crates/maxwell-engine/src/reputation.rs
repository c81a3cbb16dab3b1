//! Reputation: a discount on the initial requirement earned by carrying risk without a
//! breach or a liquidation. Maintenance never changes.
//!
//! Rules (all here, the program only stores [`RepState`] and calls [`observe`]):
//! - Credit accrues only between two observations (instructions that compute and cache the
//!   account's health: every margin-checking instruction and the permissionless
//!   `account_health`), only if the account carried risk (a maintenance requirement or a
//!   borrow) at the first of them, and at most [`MAX_CREDIT_SECS`] per interval. An empty
//!   account that only ages earns nothing.
//! - A breach observed (maintenance health < 0) or a liquidation resets the credit and the peak.
//! - The multiplier falls linearly from 1 to `floor` over [`RAMP_SECS`] of credit.
//! - The discount is `(1 - multiplier) x IM factor x min(maintenance requirement, peak)`,
//!   where `peak` is the largest requirement carried cleanly across a whole observation
//!   interval (the smaller of the requirements at its two ends): a spare account aged on a
//!   small book earns a discount only as large as that book, and a larger book counts only
//!   once it has been carried across an interval without a breach. What is left: a book
//!   carried across one interval raises the peak at once (the ramp is not weighted by size).
//!
//! Unobserved breaches: a breach between two observations is not seen, so the credit of an
//! interval is capped at one day; keepers observe every account with risk at least daily
//! (the keeper scan calls `account_health`). An unobserved breach can therefore hide at most
//! one interval of credit: 1/90 of the ramp, 0.11% of the initial requirement at a floor of 0.9.

use maxwell_risk::fixed::{Fx, FX_FRAC};

use crate::error::{EngineError, Result};

/// Clean carrying time to reach the floor.
pub const RAMP_SECS: i64 = 90 * 86_400;
/// Largest credit per observation interval.
pub const MAX_CREDIT_SECS: i64 = 86_400;

/// What an account stores for its reputation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RepState {
    /// Credited seconds of clean risk carrying, `0..=RAMP_SECS`.
    pub clean_secs: i64,
    /// Unix seconds of the last observation while carrying risk (0 = none: no credit running).
    pub last_obs_ts: i64,
    /// Largest requirement carried cleanly across an interval, quote native.
    pub peak_req: i64,
    /// Maintenance requirement at the last observation while carrying risk, quote native.
    pub last_req: i64,
}

/// The state after an observation at `now` of an account with maintenance requirement
/// `maint_req`, carrying risk or not, in breach (maintenance health < 0) or not.
pub fn observe(s: RepState, now: i64, maint_req: i64, carrying: bool, breached: bool) -> RepState {
    let last_obs_ts = if carrying { now } else { 0 };
    let last_req = if carrying { maint_req.max(0) } else { 0 };
    if breached {
        return RepState { clean_secs: 0, last_obs_ts, peak_req: 0, last_req };
    }
    let (mut clean, mut peak) = (s.clean_secs, s.peak_req);
    if s.last_obs_ts > 0 {
        let dt = now.saturating_sub(s.last_obs_ts).clamp(0, MAX_CREDIT_SECS);
        clean = clean.saturating_add(dt).clamp(0, RAMP_SECS);
        if dt > 0 {
            peak = peak.max(s.last_req.min(maint_req.max(0)));
        }
    }
    RepState { clean_secs: clean, last_obs_ts, peak_req: peak, last_req }
}

/// After a liquidation: everything earned is lost.
pub fn reset() -> RepState {
    RepState::default()
}

/// The multiplier `1 - (1 - floor) x clean / RAMP`, rounded up (the discount never exceeds
/// what the history earned), Q52.
pub fn multiplier(clean_secs: i64, floor: i64) -> Fx {
    let clean = u128::from(clean_secs.clamp(0, RAMP_SECS) as u64);
    let span = u128::from(Fx::ONE.0.saturating_sub(floor).max(0) as u64);
    let discount = (span * clean / RAMP_SECS as u128) as i64;
    Fx(Fx::ONE.0 - discount)
}

/// The discount on the initial requirement, quote native, rounded down:
/// `floor(floor(min(maint_req, peak) x im_factor) x (1 - multiplier))`.
pub fn discount(s: &RepState, maint_req: i64, im_factor: i64, floor: i64) -> Result<i64> {
    let base = maint_req.min(s.peak_req).max(0) as u128;
    let off = (Fx::ONE.0 - multiplier(s.clean_secs, floor).0).max(0) as u128;
    let im = im_factor.max(0) as u128;
    let x = base.checked_mul(im).ok_or(EngineError::Overflow)? >> FX_FRAC;
    let d = x.checked_mul(off).ok_or(EngineError::Overflow)? >> FX_FRAC;
    i64::try_from(d).map_err(|_| EngineError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const FLOOR: i64 = (9 << FX_FRAC) / 10; // 0.9
    const IM: i64 = (3 << FX_FRAC) / 2; // 1.5

    #[test]
    fn credit_only_while_carrying_and_capped_per_interval() {
        let s0 = RepState::default();
        // An empty account observed twice, 30 days apart: nothing.
        let s = observe(observe(s0, 1_000, 0, false, false), 1_000 + 30 * DAY, 0, false, false);
        assert_eq!(s.clean_secs, 0);
        // Carrying, observed every 12 hours for 10 days: 10 days of credit.
        const T0: i64 = 1_000;
        let mut s = observe(s0, T0, 500, true, false);
        for k in 1..=20 {
            s = observe(s, T0 + k * DAY / 2, 500, true, false);
        }
        assert_eq!(s.clean_secs, 10 * DAY);
        assert_eq!(s.peak_req, 500);
        // One gap of 5 days counts 1 day (MAX_CREDIT_SECS); a larger book counts toward the
        // peak only once carried across an interval: min(500, 700) now, 700 at the next one.
        let s = observe(s, T0 + 15 * DAY, 700, true, false);
        assert_eq!((s.clean_secs, s.peak_req, s.last_req), (11 * DAY, 500, 700));
        let s = observe(s, T0 + 15 * DAY + 60, 700, true, false);
        assert_eq!((s.clean_secs, s.peak_req), (11 * DAY + 60, 700));
        // A breach resets everything; a liquidation too.
        let b = observe(s, T0 + 16 * DAY, 700, true, true);
        assert_eq!(b, RepState { clean_secs: 0, last_obs_ts: T0 + 16 * DAY, peak_req: 0, last_req: 700 });
        assert_eq!(reset(), RepState::default());
        // Closing the risk: the last interval is credited, then no clock runs.
        let c = observe(s, T0 + 15 * DAY + 3_660, 0, false, false);
        assert_eq!((c.clean_secs, c.last_obs_ts, c.last_req), (11 * DAY + 3_660, 0, 0));
        // The ramp is a cap.
        let full = observe(RepState { clean_secs: RAMP_SECS - 10, last_obs_ts: 1, peak_req: 1, last_req: 1 }, DAY, 1, true, false);
        assert_eq!(full.clean_secs, RAMP_SECS);
    }

    #[test]
    fn multiplier_and_discount_table() {
        // (clean, maint_req, peak, expected discount = formula)
        let half = RAMP_SECS / 2;
        let cases: &[(i64, i64, i64, i64)] = &[
            (0, 1_000_000, 1_000_000, 0),
            // half the ramp: multiplier 0.95 -> 5% of 1.5 x 1,000,000
            (half, 1_000_000, 1_000_000, 1_000_000 * 3 / 2 * 5 / 100),
            // full ramp: 10%
            (RAMP_SECS, 1_000_000, 1_000_000, 1_000_000 * 3 / 2 / 10),
            // a book twenty times the peak it earned on: the discount of the peak only
            (RAMP_SECS, 20_000_000, 1_000_000, 1_000_000 * 3 / 2 / 10),
            // smaller than its peak: its own size
            (RAMP_SECS, 400_000, 1_000_000, 400_000 * 3 / 2 / 10),
        ];
        for &(clean, req, peak, want) in cases {
            let s = RepState { clean_secs: clean, last_obs_ts: 1, peak_req: peak, last_req: peak };
            let d = discount(&s, req, IM, FLOOR).unwrap();
            // Q52 tenths and twentieths are not exact: at most one unit below the formula.
            assert!(d <= want && want - d <= 1, "clean {clean} req {req}: {d} vs {want}");
        }
        assert_eq!(multiplier(0, FLOOR), Fx::ONE);
        assert!(multiplier(RAMP_SECS, FLOOR).0 >= FLOOR);
        assert!(multiplier(RAMP_SECS, FLOOR).0 - FLOOR <= 1);
    }
}
