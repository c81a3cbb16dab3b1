//! Risk-array freshness and the spot-drift add-on.
//!
//! A series' stored risk array (scenario P&L, mark, Greeks) was computed at some spot, time
//! and surface version. A margin check uses it only while it is fresh ([`risk_fresh`]); within
//! the spot tolerance, the move since the array was built is charged on the delta and gamma
//! exposure of the underlying ([`drift_charge`]).

/// When and on what a series' risk array was computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RiskStamp {
    /// Series expiry, unix seconds.
    pub expiry: i64,
    /// Spot the array was built at, quote native per contract (0 = never built).
    pub risk_spot: u64,
    /// Unix seconds of the build (0 = never).
    pub risk_ts: i64,
    /// Surface version the array was built on.
    pub risk_surface_seq: u64,
}

/// An underlying's freshness limits and current surface version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RiskLimits {
    pub surface_seq: u64,
    pub max_age_secs: u32,
    pub spot_tolerance_bps: u32,
}

/// Whether an array stamped `s` may be used at `spot_now`, `now`: built, on the current
/// surface, at most `max_age_secs` old ([`stamp_current`]), and the spot moved at most
/// `spot_tolerance_bps` ([`spot_within`]).
pub fn risk_fresh(s: &RiskStamp, l: &RiskLimits, spot_now: u64, now: i64) -> bool {
    stamp_current(s, l, now) && spot_within(l, spot_now, s.risk_spot)
}

/// The time and surface part of [`risk_fresh`]: built, on the current surface, not too old.
pub fn stamp_current(s: &RiskStamp, l: &RiskLimits, now: i64) -> bool {
    s.risk_ts > 0 && s.risk_surface_seq == l.surface_seq && now.saturating_sub(s.risk_ts) <= i64::from(l.max_age_secs)
}

/// The spot part of [`risk_fresh`]: `|spot_now - risk_spot| x 10_000 <= risk_spot x tolerance`.
pub fn spot_within(l: &RiskLimits, spot_now: u64, risk_spot: u64) -> bool {
    let moved = u128::from(spot_now.abs_diff(risk_spot)) * 10_000;
    moved <= u128::from(risk_spot) * u128::from(l.spot_tolerance_bps)
}

/// The spot's move since the array was built, bps of the build spot, rounded up.
pub fn drift_bps(spot_now: u64, risk_spot: u64) -> u64 {
    let moved = u128::from(spot_now.abs_diff(risk_spot)) * 10_000;
    let d = moved.div_ceil(u128::from(risk_spot.max(1)));
    u64::try_from(d).unwrap_or(u64::MAX)
}

/// `ceil((|delta_quote| + |gamma_quote|) x bps / 10_000)`, quote native.
pub fn drift_charge(delta_quote: i64, gamma_quote: i64, bps: u64) -> Option<i64> {
    let exposure = delta_quote.unsigned_abs().saturating_add(gamma_quote.unsigned_abs());
    let c = (u128::from(exposure) * u128::from(bps)).div_ceil(10_000);
    i64::try_from(c).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_table() {
        let l = RiskLimits { surface_seq: 3, max_age_secs: 60, spot_tolerance_bps: 100 };
        let s = RiskStamp { expiry: 1_000_000, risk_spot: 150_000_000, risk_ts: 1_000, risk_surface_seq: 3 };
        // (stamp, spot now, now, fresh)
        let cases = [
            (s, 150_000_000, 1_000, true),
            (s, 150_000_000, 1_060, true),              // age = max
            (s, 150_000_000, 1_061, false),             // too old
            (s, 150_000_000 + 1_500_000, 1_000, true),  // moved exactly 1% = tolerance
            (s, 150_000_000 + 1_500_001, 1_000, false), // beyond
            (s, 150_000_000 - 1_500_001, 1_000, false),
            (RiskStamp { risk_surface_seq: 2, ..s }, 150_000_000, 1_000, false), // old surface
            (RiskStamp { risk_ts: 0, ..s }, 150_000_000, 1_000, false),          // never built
        ];
        for (st, spot, now, want) in cases {
            assert_eq!(risk_fresh(&st, &l, spot, now), want, "{st:?} {spot} {now}");
        }
    }

    #[test]
    fn drift_table() {
        // 150 -> 151.5: 1% = 100 bps exactly; 150 -> 150.000001: ceil(1e-6/150 x 1e4) = 1 bp
        assert_eq!(drift_bps(151_500_000, 150_000_000), 100);
        assert_eq!(drift_bps(150_000_001, 150_000_000), 1);
        assert_eq!(drift_bps(150_000_000, 150_000_000), 0);
        assert_eq!(drift_bps(5, 0), 50_000); // a never-built array: treated as spot 1
                                             // (|delta| + |gamma|) x bps / 1e4, up: (1,000 + 250) x 100 / 1e4 = 12.5 -> 13
        assert_eq!(drift_charge(-1_000, 250, 100), Some(13));
        assert_eq!(drift_charge(0, 0, 100), Some(0));
        assert_eq!(drift_charge(i64::MIN, i64::MIN, u64::MAX), None);
    }
}
