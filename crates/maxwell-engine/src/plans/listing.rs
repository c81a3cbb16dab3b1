//! The listing schedule: which expiry a keeper lists next and at which strikes, so that an
//! underlying lists by itself (issue 12), from a rule the admin sets.
//!
//! Expiries fall on a fixed grid `anchor + k * cadence` (e.g. every Friday 08:00 UTC); the
//! schedule keeps the next `horizon` of them listed. Strikes are a ladder around the oracle
//! spot at the time of listing: `spot * (1 + i * step)` for `i = -half..=half`, each rounded to
//! the nearest multiple of `tick` (quote native per contract), duplicates and non-positive
//! strikes dropped. A call and a put are listed at each strike (`series_list`'s rule).
//!
//! The plan is deterministic in its inputs (rule, listed expiries, clock, spot): any keeper
//! computes the same listing, and the one that lands first lists it; the others find it
//! listed ([`next_listing`] then returns the following one or nothing).

use crate::error::EngineError;
use crate::plans::BPS;
use alloc::vec::Vec;

/// Shortest cadence: one hour.
pub const CADENCE_MIN_SECS: i64 = 3_600;
/// Longest cadence: 91 days.
pub const CADENCE_MAX_SECS: i64 = 91 * 86_400;
/// Strikes per side of the spot at most (`2 * half + 1` strikes <= 15 <= one `series_list`).
pub const HALF_STRIKES_MAX: u8 = 7;

/// The admin's rule (all integers; bps = 1/10,000).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListingRule {
    /// Seconds between expiries.
    pub cadence_secs: i64,
    /// One expiry of the grid, unix seconds (any; the grid extends both ways).
    pub anchor_ts: i64,
    /// Expiries of the grid kept listed ahead of the clock, 1..=`max_expiries`.
    pub horizon: u8,
    /// Strikes on each side of the spot, 0..=[`HALF_STRIKES_MAX`].
    pub half_strikes: u8,
    /// Strike spacing, bps of the spot, 1..=5,000.
    pub step_bps: u16,
    /// Strikes are multiples of this, quote native per contract, > 0.
    pub tick: u64,
}

/// What to list now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub expiry: i64,
    /// Ascending, distinct, positive.
    pub strikes: Vec<u64>,
}

impl ListingRule {
    /// Every bound of the rule; `max_expiries` is the underlying's expiry capacity.
    pub fn validate(&self, max_expiries: usize) -> Result<(), EngineError> {
        let ok = (CADENCE_MIN_SECS..=CADENCE_MAX_SECS).contains(&self.cadence_secs)
            && self.anchor_ts > 0
            && self.horizon >= 1
            && usize::from(self.horizon) <= max_expiries
            && self.half_strikes <= HALF_STRIKES_MAX
            && (1..=5_000).contains(&self.step_bps)
            && self.tick > 0;
        if ok {
            Ok(())
        } else {
            Err(EngineError::ListingRuleInvalid)
        }
    }

    /// The grid's expiries after `now` within the horizon, earliest first.
    pub fn due_expiries(&self, now: i64) -> Result<Vec<i64>, EngineError> {
        let c = self.cadence_secs;
        // The first grid point strictly after now: anchor + k c with k = floor((now - anchor) / c) + 1
        // (unsigned divisions: the BPF backend has no signed one).
        let d = now.checked_sub(self.anchor_ts).ok_or(EngineError::Overflow)?;
        let cu = c.unsigned_abs(); // c > 0 (validated; 0 would be refused below)
        if cu == 0 {
            return Err(EngineError::ListingRuleInvalid);
        }
        let k = if d >= 0 { (d.unsigned_abs() / cu) as i64 + 1 } else { 1 - d.unsigned_abs().div_ceil(cu) as i64 };
        let first = k.checked_mul(c).and_then(|x| x.checked_add(self.anchor_ts)).ok_or(EngineError::Overflow)?;
        (0..i64::from(self.horizon)).map(|j| j.checked_mul(c).and_then(|x| x.checked_add(first)).ok_or(EngineError::Overflow)).collect()
    }

    /// The strike ladder around `spot` (quote native per contract).
    pub fn strikes(&self, spot: u64) -> Result<Vec<u64>, EngineError> {
        let half = i128::from(self.half_strikes);
        let (spot, tick) = (i128::from(spot), i128::from(self.tick));
        let mut out: Vec<u64> = Vec::new();
        for i in -half..=half {
            // spot (1 + i step), to the nearest tick (ties up); only positive prices matter
            // (unsigned division: the BPF backend has no signed one).
            let raw = spot * (i128::from(BPS) + i * i128::from(self.step_bps));
            if raw <= 0 {
                continue;
            }
            let unit = (tick * i128::from(BPS)) as u128;
            let ticks = (raw as u128 + unit / 2) / unit;
            let k = ticks as i128 * tick;
            if k > 0 {
                let k = u64::try_from(k).map_err(|_| EngineError::Overflow)?;
                if out.last() != Some(&k) {
                    out.push(k);
                }
            }
        }
        Ok(out)
    }
}

/// The next listing the rule asks for: the earliest expiry of the horizon not in `listed`,
/// at strikes around `spot`; `None` when every expiry of the horizon is listed (or the
/// ladder is empty).
pub fn next_listing(rule: &ListingRule, listed: &[i64], now: i64, spot: u64) -> Result<Option<Listing>, EngineError> {
    let Some(expiry) = rule.due_expiries(now)?.into_iter().find(|e| !listed.contains(e)) else {
        return Ok(None);
    };
    let strikes = rule.strikes(spot)?;
    if strikes.is_empty() {
        return Ok(None);
    }
    Ok(Some(Listing { expiry, strikes }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEEK: i64 = 7 * 86_400;
    /// Friday 2026-12-04 08:00 UTC.
    const FRIDAY: i64 = 1_796_371_200;

    fn weekly() -> ListingRule {
        ListingRule { cadence_secs: WEEK, anchor_ts: FRIDAY, horizon: 4, half_strikes: 3, step_bps: 500, tick: 1_000_000 }
    }

    #[test]
    fn expiries_follow_the_grid() {
        let r = weekly();
        // Between two Fridays: the next four.
        let now = FRIDAY + 3 * 86_400;
        assert_eq!(r.due_expiries(now).unwrap(), vec![FRIDAY + WEEK, FRIDAY + 2 * WEEK, FRIDAY + 3 * WEEK, FRIDAY + 4 * WEEK]);
        // On the expiry itself it is no longer ahead; long before the anchor the grid extends back.
        assert_eq!(r.due_expiries(FRIDAY).unwrap()[0], FRIDAY + WEEK);
        assert_eq!(r.due_expiries(FRIDAY - 1).unwrap()[0], FRIDAY);
        assert_eq!(r.due_expiries(FRIDAY - 10 * WEEK - 1).unwrap()[0], FRIDAY - 10 * WEEK);
        // The earliest unlisted one, then nothing once all are listed.
        let due = r.due_expiries(now).unwrap();
        let l = next_listing(&r, &due[..2], now, 150_000_000).unwrap().unwrap();
        assert_eq!(l.expiry, due[2]);
        assert_eq!(next_listing(&r, &due, now, 150_000_000).unwrap(), None);
    }

    #[test]
    fn strike_ladder() {
        let r = weekly();
        // Spot 150 USD, 5% steps, whole dollars: 127.5 -> 128 (ties up), 135, 142.5 -> 143, 150, ...
        assert_eq!(
            r.strikes(150_000_000).unwrap(),
            vec![128_000_000, 135_000_000, 143_000_000, 150_000_000, 158_000_000, 165_000_000, 173_000_000]
        );
        // A coarse tick merges neighbours (into one here); a tiny spot drops the zero strikes.
        let coarse = ListingRule { tick: 50_000_000, ..r };
        assert_eq!(coarse.strikes(150_000_000).unwrap(), vec![150_000_000]); // 127.5 .. 172.5 all round to 150
        let tiny = ListingRule { half_strikes: 7, step_bps: 2_000, tick: 1, ..r };
        assert_eq!(tiny.strikes(1).unwrap(), vec![1, 2]);
        assert!(next_listing(&ListingRule { tick: 1_000_000_000, ..r }, &[], FRIDAY, 100).unwrap().is_none());
    }

    #[test]
    fn bounds() {
        assert_eq!(weekly().validate(16), Ok(()));
        for bad in [
            ListingRule { cadence_secs: CADENCE_MIN_SECS - 1, ..weekly() },
            ListingRule { cadence_secs: CADENCE_MAX_SECS + 1, ..weekly() },
            ListingRule { anchor_ts: 0, ..weekly() },
            ListingRule { horizon: 0, ..weekly() },
            ListingRule { horizon: 17, ..weekly() },
            ListingRule { half_strikes: HALF_STRIKES_MAX + 1, ..weekly() },
            ListingRule { step_bps: 0, ..weekly() },
            ListingRule { step_bps: 5_001, ..weekly() },
            ListingRule { tick: 0, ..weekly() },
        ] {
            assert_eq!(bad.validate(16), Err(EngineError::ListingRuleInvalid), "{bad:?}");
        }
        // Extreme but valid inputs never panic: the largest spot and clock values.
        let r = ListingRule { half_strikes: HALF_STRIKES_MAX, step_bps: 5_000, tick: 1, ..weekly() };
        assert_eq!(r.strikes(u64::MAX), Err(EngineError::Overflow));
        assert_eq!(r.due_expiries(i64::MAX - 1), Err(EngineError::Overflow));
        assert_eq!(r.due_expiries(i64::MIN), Err(EngineError::Overflow));
    }
}
