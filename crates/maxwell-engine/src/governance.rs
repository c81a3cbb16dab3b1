//! Governance rules from plain numbers: how far one executed change may move a parameter,
//! the timelock's own bounds, the volatility oracle's rate bound and circuit breaker, and the
//! withdrawal circuit breaker of a bank. The program loads, asks, applies and emits.
//!
//! Units: bps of 1.00 (weights, factors, rates, volatility points: 100 bps = 1 vol point);
//! seconds; native units of the bank for outflows.

use maxwell_risk::fixed::FX_FRAC;
use maxwell_risk::surface::SviParams;
use maxwell_risk::units::Tenor;

use crate::EngineError;

/// Largest move of one asset or liability weight per executed change.
pub const WEIGHT_STEP_MAX_BPS: u64 = 500;
/// Largest move of the initial-margin factor per executed change (0.25x).
pub const IM_FACTOR_STEP_MAX_BPS: u64 = 2_500;
/// Largest move of a liquidation-penalty bound per executed change.
pub const PENALTY_STEP_MAX_BPS: u64 = 200;
/// Largest move of a rate-curve point per executed change (50 points of APR).
pub const RATE_STEP_MAX_BPS: u64 = 5_000;
/// Timelock bounds: 10 s (test deployments) to 30 days; one change at most halves it.
pub const TIMELOCK_MIN_SECS: u32 = 10;
pub const TIMELOCK_MAX_SECS: u32 = 30 * 86_400;
pub const TIMELOCK_DEFAULT_SECS: u32 = 86_400;

/// `|new - old| <= max`.
pub fn within_step(old: u64, new: u64, max: u64) -> Result<(), EngineError> {
    if old.abs_diff(new) > max {
        return Err(EngineError::StepTooLarge);
    }
    Ok(())
}

/// A new timelock: within the bounds, and not below half the current one (shortening takes
/// several changes, each waiting the current delay).
pub fn check_timelock(old: u32, new: u32) -> Result<(), EngineError> {
    if !(TIMELOCK_MIN_SECS..=TIMELOCK_MAX_SECS).contains(&new) {
        return Err(EngineError::TimelockOutOfBounds);
    }
    if new < old / 2 {
        return Err(EngineError::StepTooLarge);
    }
    Ok(())
}

/// The volatility oracle's bounds and breaker (exchange-wide parameters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VolBounds {
    /// Largest ATM move of one update, vol bps (1,000 = 10 vol points).
    pub step_bps: u32,
    /// ATM move allowed per hour since the expiry's last update, vol bps; the allowance is
    /// `min(step, max(tick, rate x elapsed))`.
    pub rate_bps_per_hour: u32,
    /// Cumulative ATM move within `window_secs` that trips the breaker, vol bps.
    pub breaker_bps: u32,
    pub window_secs: u32,
}

/// Smallest ATM move always allowed (1 vol point): quotes keep ticking.
pub const VOL_TICK_BPS: u64 = 100;
/// The wings (k = +-0.5) may move this many times the ATM allowance.
pub const VOL_WING_MULT: u64 = 2;
/// Defaults: 10 points per update, 20 points per hour, the breaker at 50 points within six
/// hours (the rate bound alone lets one expiry move 120 points in that window).
pub const VOL_BOUNDS_DEFAULT: VolBounds = VolBounds { step_bps: 1_000, rate_bps_per_hour: 2_000, breaker_bps: 5_000, window_secs: 21_600 };

impl VolBounds {
    pub fn validate(&self) -> Result<(), EngineError> {
        let ok = (100..=5_000).contains(&self.step_bps)
            && (100..=20_000).contains(&self.rate_bps_per_hour)
            && (self.step_bps..=50_000).contains(&self.breaker_bps)
            && (60..=86_400).contains(&self.window_secs);
        if !ok {
            return Err(EngineError::BreakerParamsOutOfBounds);
        }
        Ok(())
    }
}

/// The breaker's state on an underlying.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VolBreaker {
    pub window_start: i64,
    /// Sum of |ATM moves| in the window, vol bps.
    pub window_move_bps: u64,
    /// When it tripped; 0 = not tripped.
    pub tripped_ts: i64,
}

/// What an accepted update does to the breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VolUpdateOutcome {
    pub breaker: VolBreaker,
    pub atm_old_bps: u64,
    pub atm_new_bps: u64,
    /// The breaker tripped with this update.
    pub tripped_now: bool,
}

/// Annualised volatility at log-moneyness `k` (Q52), bps, rounded down.
pub fn vol_bps(svi: &SviParams, k: i64, tenor: &Tenor) -> Result<u64, EngineError> {
    let v = svi.total_vol_q62(i128::from(k) << (62 - FX_FRAC), maxwell_risk::fixed::Fx::ZERO)?; // Q62
    let v40 = (v.max(0) as u128) >> 22; // Q40, < 2^42
    let inv = tenor.inv_sqrt_t.0.max(0) as u128; // Q40
    let q80 = v40.checked_mul(inv).and_then(|x| x.checked_mul(10_000)).ok_or(EngineError::Overflow)?;
    u64::try_from(q80 >> 80).map_err(|_| EngineError::Overflow)
}

/// Checks one smile update of an expiry against the bounds and advances the breaker.
/// `last_update` is the expiry's previous update time; a first smile (`old` None) or an
/// expired expiry is not bounded.
pub fn check_vol_update(
    old: Option<&SviParams>,
    new: &SviParams,
    now: i64,
    expiry: i64,
    last_update: i64,
    bounds: &VolBounds,
    breaker: VolBreaker,
) -> Result<VolUpdateOutcome, EngineError> {
    let tenor = Tenor::new(now, expiry)?;
    let Some(old) = old.filter(|_| tenor.secs > 0) else {
        return Ok(VolUpdateOutcome { breaker, atm_old_bps: 0, atm_new_bps: 0, tripped_now: false });
    };
    let elapsed = now.saturating_sub(last_update).max(0) as u64;
    let by_time = u64::from(bounds.rate_bps_per_hour).saturating_mul(elapsed) / 3_600;
    let allowed = u64::from(bounds.step_bps).min(VOL_TICK_BPS.max(by_time));
    let (atm_old, atm_new) = (vol_bps(old, 0, &tenor)?, vol_bps(new, 0, &tenor)?);
    if atm_old.abs_diff(atm_new) > allowed {
        return Err(EngineError::VolMoveTooLarge);
    }
    const HALF: i64 = 1 << (FX_FRAC - 1);
    for k in [-HALF, HALF] {
        if vol_bps(old, k, &tenor)?.abs_diff(vol_bps(new, k, &tenor)?) > allowed * VOL_WING_MULT {
            return Err(EngineError::VolMoveTooLarge);
        }
    }
    let mut b = breaker;
    if now.saturating_sub(b.window_start) >= i64::from(bounds.window_secs) {
        b.window_start = now;
        b.window_move_bps = 0;
    }
    b.window_move_bps = b.window_move_bps.saturating_add(atm_old.abs_diff(atm_new));
    let tripped_now = b.tripped_ts == 0 && b.window_move_bps > u64::from(bounds.breaker_bps);
    if tripped_now {
        b.tripped_ts = now;
    }
    Ok(VolUpdateOutcome { breaker: b, atm_old_bps: atm_old, atm_new_bps: atm_new, tripped_now })
}

/// A tripped breaker holds until the guardian clears it or `cooldown` seconds pass.
pub fn vol_breaker_active(b: &VolBreaker, now: i64, cooldown: u32) -> bool {
    b.tripped_ts != 0 && now < b.tripped_ts.saturating_add(i64::from(cooldown))
}

/// The withdrawal breaker's parameters (exchange-wide, per-bank state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutflowBounds {
    /// Net outflow allowed per window, bps of the bank's deposits at the window's start.
    pub cap_bps: u32,
    pub window_secs: u32,
}

pub const OUTFLOW_BOUNDS_DEFAULT: OutflowBounds = OutflowBounds { cap_bps: 5_000, window_secs: 86_400 };

impl OutflowBounds {
    pub fn validate(&self) -> Result<(), EngineError> {
        if !(500..=10_000).contains(&self.cap_bps) || !(3_600..=7 * 86_400).contains(&self.window_secs) {
            return Err(EngineError::BreakerParamsOutOfBounds);
        }
        Ok(())
    }
}

/// A bank's rolling outflow window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutflowWindow {
    pub start: i64,
    /// Withdrawn minus deposited in the window, native units (negative after net inflows).
    pub net: i64,
    /// The bank's total deposits when the window opened, native units.
    pub base: u64,
}

fn roll(w: OutflowWindow, now: i64, deposits: u64, b: &OutflowBounds) -> OutflowWindow {
    if w.start == 0 || now.saturating_sub(w.start) >= i64::from(b.window_secs) {
        OutflowWindow { start: now, net: 0, base: deposits }
    } else {
        w
    }
}

/// `amount` leaving the vault (withdrawal or borrow): refused beyond the window's cap.
/// `deposits` is the bank's total deposits now (opens a new window's base).
pub fn admit_outflow(w: OutflowWindow, b: &OutflowBounds, now: i64, deposits: u64, amount: u64) -> Result<OutflowWindow, EngineError> {
    let mut w = roll(w, now, deposits, b);
    let cap = u128::from(w.base) * u128::from(b.cap_bps) / 10_000;
    let amount_i = i64::try_from(amount).map_err(|_| EngineError::Overflow)?;
    let net = w.net.checked_add(amount_i).ok_or(EngineError::Overflow)?;
    if net > 0 && net as u128 > cap {
        return Err(EngineError::WithdrawalBreaker);
    }
    w.net = net;
    Ok(w)
}

/// `amount` entering the vault (deposit or repayment): always admitted; frees room.
pub fn record_inflow(w: OutflowWindow, b: &OutflowBounds, now: i64, deposits: u64, amount: u64) -> OutflowWindow {
    let mut w = roll(w, now, deposits, b);
    w.net = w.net.saturating_sub(i64::try_from(amount).unwrap_or(i64::MAX));
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use maxwell_risk::fixed::Fx;

    fn flat(vol: f64, days: f64) -> SviParams {
        let w = vol * vol * days / 365.0;
        let q = |x: f64| (x * (1u64 << FX_FRAC) as f64).round() as i64;
        SviParams { a: q(w), b: 0, rho: 0, m: 0, sigma: Fx::from_bps(1_000).0 }
    }

    const NOW: i64 = 1_800_000_000;
    const EXP: i64 = NOW + 30 * 86_400;

    #[test]
    fn vol_bps_reads_the_atm_vol() {
        let t = Tenor::new(NOW, EXP).unwrap();
        let v = vol_bps(&flat(0.8, 30.0), 0, &t).unwrap();
        assert!((7_990..=8_000).contains(&v), "{v}");
    }

    #[test]
    fn an_80_to_350_jump_is_refused_and_small_steps_over_time_pass() {
        let b = VOL_BOUNDS_DEFAULT;
        let old = flat(0.8, 30.0);
        let e = check_vol_update(Some(&old), &flat(3.5, 30.0), NOW, EXP, NOW - 86_400, &b, VolBreaker::default());
        assert_eq!(e, Err(EngineError::VolMoveTooLarge));
        // Same second: only the tick (1 point).
        let e = check_vol_update(Some(&old), &flat(0.85, 30.0), NOW, EXP, NOW, &b, VolBreaker::default());
        assert_eq!(e, Err(EngineError::VolMoveTooLarge));
        let ok = check_vol_update(Some(&old), &flat(0.805, 30.0), NOW, EXP, NOW, &b, VolBreaker::default()).unwrap();
        assert!(!ok.tripped_now);
        // After an hour: up to 10 points.
        let ok = check_vol_update(Some(&old), &flat(0.89, 30.0), NOW, EXP, NOW - 3_600, &b, VolBreaker::default()).unwrap();
        assert!(ok.atm_new_bps > ok.atm_old_bps + 800);
        // First smile: free.
        assert!(check_vol_update(None, &flat(3.5, 30.0), NOW, EXP, 0, &b, VolBreaker::default()).is_ok());
    }

    #[test]
    fn the_breaker_trips_on_cumulative_moves_within_the_window() {
        let b = VOL_BOUNDS_DEFAULT;
        let mut br = VolBreaker::default();
        let mut vol = 0.8;
        let mut t = NOW;
        let mut tripped = None;
        for i in 0..8 {
            let next = vol + 0.095;
            let o = check_vol_update(Some(&flat(vol, 30.0)), &flat(next, 30.0), t, EXP, t - 3_600, &b, br).unwrap();
            br = o.breaker;
            if o.tripped_now {
                tripped = Some(i);
            }
            vol = next;
            t += 60;
        }
        assert_eq!(tripped, Some(5), "six moves of 9.5 points > 50 points in the hour");
        assert!(vol_breaker_active(&br, t, 86_400));
        assert!(!vol_breaker_active(&br, br.tripped_ts + 86_400, 86_400));
    }

    #[test]
    fn outflows_are_capped_per_window_and_inflows_free_room() {
        let b = OutflowBounds { cap_bps: 2_000, window_secs: 86_400 };
        let w = admit_outflow(OutflowWindow::default(), &b, NOW, 1_000, 150).unwrap();
        assert_eq!(w, OutflowWindow { start: NOW, net: 150, base: 1_000 });
        assert_eq!(admit_outflow(w, &b, NOW + 1, 850, 51), Err(EngineError::WithdrawalBreaker));
        let w = record_inflow(w, &b, NOW + 2, 850, 100);
        let w = admit_outflow(w, &b, NOW + 3, 950, 150).unwrap();
        assert_eq!(w.net, 200);
        // A new window opens on the deposits of its start.
        let w = admit_outflow(w, &b, NOW + 86_400, 800, 160).unwrap();
        assert_eq!(w, OutflowWindow { start: NOW + 86_400, net: 160, base: 800 });
    }

    #[test]
    fn steps_and_timelock_bounds() {
        assert!(within_step(8_000, 8_500, WEIGHT_STEP_MAX_BPS).is_ok());
        assert_eq!(within_step(8_000, 7_499, WEIGHT_STEP_MAX_BPS), Err(EngineError::StepTooLarge));
        assert!(check_timelock(86_400, 43_200).is_ok());
        assert_eq!(check_timelock(86_400, 43_199), Err(EngineError::StepTooLarge));
        assert_eq!(check_timelock(86_400, 9), Err(EngineError::TimelockOutOfBounds));
        assert_eq!(check_timelock(20, TIMELOCK_MAX_SECS + 1), Err(EngineError::TimelockOutOfBounds));
    }
}
