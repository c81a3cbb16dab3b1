//! Rebalance between an owner's accounts (`rebalance_accounts`): what a move is worth, the
//! keeper's fee, and the policy's per-move and rolling per-day limits.
//!
//! - Value ([`move_value`]): `amount x price`, quote native, rounded **up** (the limits bind
//!   conservatively).
//! - Fee ([`keeper_fee`]): `floor(amount x keeper_fee_bps / 10_000)` token native units, paid
//!   to the keeper out of what the destination receives (`amount - fee`).
//! - Limits: the value at most `max_per_move`; the policy's day plus the value at most
//!   `max_per_day`.
//! - The policy's day ([`moved_today`], [`day_left`]): a rolling window of [`DAY_SECS`] that
//!   starts at the first move after the previous window ended. At `now`, the window that
//!   started at `day_start_ts` is over once `now >= day_start_ts + DAY_SECS`; then nothing has
//!   been moved "today", and a move at `now` opens a new window starting at `now`.
//!
//! The keeper plans its moves with [`day_left`] (the TypeScript keeper through WASM) and the
//! program applies [`plan_rebalance`]; both read the same rule.

use maxwell_risk::collateral::{raw_value, TokenPrice};
use maxwell_risk::math::wide::div_u128;

use crate::error::{EngineError, Result};
use crate::plans::BPS;

/// Length of a policy's rolling day, seconds.
pub const DAY_SECS: i64 = 86_400;

/// A policy's limits and the state of its day, as stored in the policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RebalanceLimits {
    /// Value per move, at most, quote native.
    pub max_per_move: u64,
    /// Value per rolling day, at most, quote native.
    pub max_per_day: u64,
    /// Unix seconds at which the current day started.
    pub day_start_ts: i64,
    /// Value moved since `day_start_ts`, quote native.
    pub moved_today: u64,
}

/// One move: the split of the amount and the policy's day after it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RebalancePlan {
    /// The keeper's fee, token native units.
    pub fee: u64,
    /// What the destination receives, `amount - fee`, token native units.
    pub net: u64,
    /// The policy's day after the move: `now` if a new day started, else unchanged.
    pub day_start_ts: i64,
    /// The value moved in that day, including this move, quote native.
    pub moved_today: u64,
}

/// Whether the policy day that started at `day_start_ts` is over at `now`
/// (`now >= day_start_ts + DAY_SECS`, saturating at the end of time).
pub fn day_over(day_start_ts: i64, now: i64) -> bool {
    now >= day_start_ts.saturating_add(DAY_SECS)
}

/// The policy day-window rule: the value (quote native) that counts as moved in the current
/// day at `now`, for a policy storing `day_start_ts` and `moved_today`: `moved_today`, or 0
/// once that day is over ([`day_over`]).
pub fn moved_today(day_start_ts: i64, moved_today: u64, now: i64) -> u64 {
    if day_over(day_start_ts, now) {
        0
    } else {
        moved_today
    }
}

/// What is left of the policy's day at `now`, quote native: `max_per_day` less
/// [`moved_today`], 0 if the day is used up.
pub fn day_left(max_per_day: u64, day_start_ts: i64, moved: u64, now: i64) -> u64 {
    max_per_day.saturating_sub(moved_today(day_start_ts, moved, now))
}

/// The value of moving `amount` token native units at `price`, quote native, rounded up.
pub fn move_value(amount: u64, price: TokenPrice) -> Result<u64> {
    let v = raw_value(amount, price, true)?;
    u64::try_from(v).map_err(|_| EngineError::Overflow)
}

/// `floor(amount x fee_bps / 10_000)`, token native units.
pub fn keeper_fee(amount: u64, fee_bps: u16) -> Result<u64> {
    match amount.checked_mul(u64::from(fee_bps)) {
        // The common case, with 64-bit operations only (cheaper on SBF).
        Some(x) => Ok(x / u64::from(BPS)),
        // u64 x u16 < 2^80: the u128 product fits; the quotient fits u64 for fees up to 100%.
        None => {
            let fee = div_u128(u128::from(amount) * u128::from(fee_bps), u128::from(BPS), false);
            u64::try_from(fee).map_err(|_| EngineError::Overflow)
        }
    }
}

/// A move of `amount` token native units worth `value` (quote native, [`move_value`]) under
/// a policy with `keeper_fee_bps` and limits `l`, at `now`. Refused when the value exceeds
/// the per-move limit ([`EngineError::MoveLimitExceeded`]) or what is left of the day
/// ([`EngineError::DayLimitExceeded`]).
pub fn plan_rebalance(amount: u64, value: u64, keeper_fee_bps: u16, l: &RebalanceLimits, now: i64) -> Result<RebalancePlan> {
    let fee = keeper_fee(amount, keeper_fee_bps)?;
    let net = amount.checked_sub(fee).ok_or(EngineError::Overflow)?;
    if value > l.max_per_move {
        return Err(EngineError::MoveLimitExceeded);
    }
    let (day_start_ts, before) = if day_over(l.day_start_ts, now) { (now, 0) } else { (l.day_start_ts, l.moved_today) };
    let total = before.checked_add(value).ok_or(EngineError::Overflow)?;
    if total > l.max_per_day {
        return Err(EngineError::DayLimitExceeded);
    }
    Ok(RebalancePlan { fee, net, day_start_ts, moved_today: total })
}

#[cfg(test)]
mod tests {
    use super::*;

    const USDC: u64 = 1_000_000;
    const DAY: i64 = DAY_SECS;

    #[test]
    fn day_window_table() {
        // (day start, moved, now, moved today, left of 2,500)
        let t0 = 1_000_000;
        let cases: &[(i64, u64, i64, u64, u64)] = &[
            (t0, 700 * USDC, t0, 700 * USDC, 2_500 * USDC - 700 * USDC),
            (t0, 700 * USDC, t0 + DAY - 1, 700 * USDC, 1_800 * USDC), // the day's last second
            (t0, 700 * USDC, t0 + DAY, 0, 2_500 * USDC),              // a day later: fresh
            (t0, 3_000 * USDC, t0, 3_000 * USDC, 0),                  // over the limit (lowered): 0 left
            (0, 5, 1_700_000_000, 0, 2_500 * USDC),                   // never started
            (i64::MAX, 5, i64::MAX - 1, 5, 2_500 * USDC - 5),         // saturates, never wraps
        ];
        for &(start, moved, now, today, left) in cases {
            assert_eq!(moved_today(start, moved, now), today, "start {start} now {now}");
            assert_eq!(day_left(2_500 * USDC, start, moved, now), left, "start {start} now {now}");
        }
    }

    #[test]
    fn fee_and_value_table() {
        // (amount, bps, fee = floor(amount x bps / 1e4))
        let cases: &[(u64, u16, Result<u64>)] = &[
            (1_000 * USDC, 10, Ok(1_000 * USDC * 10 / 10_000)),          // the LiteSVM test: 1 USDC
            (999, 10, Ok(0)),                                            // 0.999 -> 0
            (10_001, 50, Ok(50)),                                        // 50.005 -> 50
            (u64::MAX, 50, Ok((u64::MAX as u128 * 50 / 10_000) as u64)), // no u64 product overflow
            (u64::MAX, u16::MAX, Err(EngineError::Overflow)),            // a fee above 100% does not fit
        ];
        for &(amount, bps, want) in cases {
            assert_eq!(keeper_fee(amount, bps), want, "amount {amount} bps {bps}");
        }
        // Quote moves at its own price; SOL at 0.15 per lamport rounds up.
        assert_eq!(move_value(1_000 * USDC, TokenPrice::ONE), Ok(1_000 * USDC));
        let sol = TokenPrice::from_oracle(15_000_000_000, -8, 9, 6).unwrap();
        assert_eq!(move_value(1_000_000_001, sol), Ok(150_000_001)); // 150,000,000.15 -> up
        assert_eq!(move_value(1, sol), Ok(1));
        assert_eq!(move_value(u64::MAX, TokenPrice { mantissa: 2, scale_exp: 0 }), Err(EngineError::Overflow));
    }

    #[test]
    fn plan_table() {
        // The LiteSVM test's policy: 2,000 per move, 2,500 per day, fee 10 bps.
        let t0 = 1_000_000;
        let l = RebalanceLimits { max_per_move: 2_000 * USDC, max_per_day: 2_500 * USDC, day_start_ts: 0, moved_today: 0 };
        let fee = 1_000 * USDC * 10 / 10_000;
        // First move: a new day starts now.
        let p = plan_rebalance(1_000 * USDC, 1_000 * USDC, 10, &l, t0).unwrap();
        assert_eq!(p, RebalancePlan { fee, net: 1_000 * USDC - fee, day_start_ts: t0, moved_today: 1_000 * USDC });
        let l1 = RebalanceLimits { day_start_ts: p.day_start_ts, moved_today: p.moved_today, ..l };
        // Per move: 2,001 refused even with the day free.
        assert_eq!(plan_rebalance(1, 2_001 * USDC, 10, &l, t0), Err(EngineError::MoveLimitExceeded));
        // Per day: 1,000 + 1,501 > 2,500; 1,000 + 1,500 = 2,500 allowed.
        assert_eq!(plan_rebalance(1, 1_501 * USDC, 10, &l1, t0 + 60), Err(EngineError::DayLimitExceeded));
        let p2 = plan_rebalance(1_500 * USDC, 1_500 * USDC, 10, &l1, t0 + 60).unwrap();
        assert_eq!((p2.day_start_ts, p2.moved_today), (t0, 2_500 * USDC));
        // A day later the counter restarts at this move.
        let l2 = RebalanceLimits { moved_today: 2_500 * USDC, ..l1 };
        let p3 = plan_rebalance(2_000 * USDC, 2_000 * USDC, 10, &l2, t0 + DAY).unwrap();
        assert_eq!((p3.day_start_ts, p3.moved_today), (t0 + DAY, 2_000 * USDC));
        // The per-move limit is checked before the day's (a too-large move on a full day).
        assert_eq!(plan_rebalance(1, 2_001 * USDC, 10, &l2, t0 + 60), Err(EngineError::MoveLimitExceeded));
        // A counter that would wrap: an error.
        let huge = RebalanceLimits { max_per_move: u64::MAX, max_per_day: u64::MAX, day_start_ts: t0, moved_today: u64::MAX };
        assert_eq!(plan_rebalance(1, 1, 0, &huge, t0), Err(EngineError::Overflow));
    }
}
