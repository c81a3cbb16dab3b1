//! The kinked borrow-rate curve: linear from `base` at 0% utilization to `kink_rate` at
//! `kink_util`, then linear to `max_rate` at 100%. Annual rates in bps.

use crate::BPS;

pub const SECONDS_PER_YEAR: u64 = 31_536_000;
/// No rate above 500% a year.
pub const MAX_RATE_BPS: u32 = 50_000;
/// The kink sits between 10% and 99% utilization.
pub const KINK_MIN_BPS: u32 = 1_000;
pub const KINK_MAX_BPS: u32 = 9_900;
/// At most half of the interest goes to the protocol's reserve.
pub const RESERVE_MAX_BPS: u32 = 5_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct RateCurve {
    /// Utilization at the kink, bps.
    pub kink_util_bps: u32,
    /// Annual borrow rate at 0% utilization, bps.
    pub base_rate_bps: u32,
    /// At the kink.
    pub kink_rate_bps: u32,
    /// At 100% utilization.
    pub max_rate_bps: u32,
    /// Share of the interest kept as the protocol's reserve (insurance), bps.
    pub reserve_bps: u32,
    pub _pad: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateCurveError {
    KinkOutOfBounds,
    RatesNotIncreasing,
    RateTooHigh,
    ReserveTooHigh,
}

impl RateCurve {
    pub fn validate(&self) -> Result<(), RateCurveError> {
        if !(KINK_MIN_BPS..=KINK_MAX_BPS).contains(&self.kink_util_bps) {
            return Err(RateCurveError::KinkOutOfBounds);
        }
        if !(self.base_rate_bps <= self.kink_rate_bps && self.kink_rate_bps <= self.max_rate_bps) {
            return Err(RateCurveError::RatesNotIncreasing);
        }
        if self.max_rate_bps > MAX_RATE_BPS {
            return Err(RateCurveError::RateTooHigh);
        }
        if self.reserve_bps > RESERVE_MAX_BPS {
            return Err(RateCurveError::ReserveTooHigh);
        }
        Ok(())
    }

    /// Annual borrow rate at `util_bps` (clamped to 100%), bps, rounded up.
    pub fn borrow_rate_bps(&self, util_bps: u64) -> u64 {
        let u = util_bps.min(BPS);
        let (k, base, kr, max) =
            (u64::from(self.kink_util_bps), u64::from(self.base_rate_bps), u64::from(self.kink_rate_bps), u64::from(self.max_rate_bps));
        if u <= k {
            base + ((kr - base) * u).div_ceil(k)
        } else {
            kr + ((max - kr) * (u - k)).div_ceil(BPS - k)
        }
    }

    /// Annual rate depositors earn at `util_bps`: borrow rate x utilization x (1 - reserve),
    /// rounded down (a display number; accrual is exact in the index).
    pub fn deposit_rate_bps(&self, util_bps: u64) -> u64 {
        let u = util_bps.min(BPS);
        self.borrow_rate_bps(u) * u / BPS * (BPS - u64::from(self.reserve_bps)) / BPS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve() -> RateCurve {
        RateCurve { kink_util_bps: 8_000, base_rate_bps: 0, kink_rate_bps: 1_000, max_rate_bps: 10_000, reserve_bps: 1_000, _pad: 0 }
    }

    #[test]
    fn kinked_shape() {
        let c = curve();
        assert_eq!(c.borrow_rate_bps(0), 0);
        assert_eq!(c.borrow_rate_bps(4_000), 500);
        assert_eq!(c.borrow_rate_bps(8_000), 1_000);
        assert_eq!(c.borrow_rate_bps(9_000), 5_500);
        assert_eq!(c.borrow_rate_bps(10_000), 10_000);
        assert_eq!(c.borrow_rate_bps(20_000), 10_000);
        // 80% x 10% x 0.9
        assert_eq!(c.deposit_rate_bps(8_000), 720);
    }

    #[test]
    fn bounds() {
        let c = curve();
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(RateCurve { kink_util_bps: 500, ..c }.validate(), Err(RateCurveError::KinkOutOfBounds));
        assert_eq!(RateCurve { kink_util_bps: 10_000, ..c }.validate(), Err(RateCurveError::KinkOutOfBounds));
        assert_eq!(RateCurve { base_rate_bps: 2_000, ..c }.validate(), Err(RateCurveError::RatesNotIncreasing));
        assert_eq!(RateCurve { max_rate_bps: 900, ..c }.validate(), Err(RateCurveError::RatesNotIncreasing));
        assert_eq!(RateCurve { max_rate_bps: 60_000, ..c }.validate(), Err(RateCurveError::RateTooHigh));
        assert_eq!(RateCurve { reserve_bps: 6_000, ..c }.validate(), Err(RateCurveError::ReserveTooHigh));
    }

    #[test]
    fn monotone_in_utilization() {
        let c = curve();
        let mut last = 0;
        for u in (0..=10_000).step_by(50) {
            let r = c.borrow_rate_bps(u);
            assert!(r >= last);
            last = r;
        }
    }
}
