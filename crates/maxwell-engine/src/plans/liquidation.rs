//! Liquidation: a keeper takes over part of a liquidatable account's option positions at mark,
//! made worse for the liquidatee by a penalty that grows with the depth of its shortfall.
//!
//! - Penalty rate ([`penalty_rate`]): `min + (max - min) x depth`, depth = shortfall /
//!   maintenance requirement, capped at 1; bps, the extra part rounded down.
//! - Per leg ([`leg_value`]): value `size x mark` (signed: a short taken is negative) and
//!   penalty base `|size| x mark`, for a short `|size| x max(mark, short minimum)`; a negative
//!   mark counts as 0.
//! - Penalty ([`penalty`]): `base x rate / 10_000`, rounded **up** (against the liquidatee);
//!   the insurance fund's share ([`insurance_share`]) `penalty x share / 10_000`, rounded
//!   **down**; the liquidator keeps the rest.
//! - Quote moves ([`QuoteMoves`]): liquidatee `value - penalty`, liquidator
//!   `-value + penalty - to_insurance`, insurance `to_insurance`; they sum to zero.
//! - No over-liquidation ([`check_no_over_liquidation`]): a liquidation that leaves
//!   maintenance health above zero must need its last contract, i.e. without it the
//!   maintenance health would still be negative.
//!
//! [`plan_liquidation`] puts these together from plain inputs; the program applies the
//! position moves (`-size` to the liquidatee, `+size` to the liquidator) and the quote moves.

use crate::error::{EngineError, Result};
use crate::plans::BPS;

/// Exchange parameters of a liquidation, bps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiquidationParams {
    pub penalty_min_bps: u32,
    pub penalty_max_bps: u32,
    /// The insurance fund's share of the penalty.
    pub insurance_share_bps: u32,
}

/// One leg of a liquidation as the plan needs it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LegInput {
    pub series_index: u16,
    /// Contracts taken over, with the position's sign (a short is taken as a negative size).
    pub size: i64,
    /// The liquidatee's position in the series before the liquidation (0 = none). Legs on
    /// the same series carry the same `held`; each takes from what the earlier ones left.
    pub held: i64,
    /// Mark of one contract, quote native (the series' risk array).
    pub mark: i64,
    /// Short-option minimum of one contract, quote native (the series' risk array).
    pub short_min: i64,
}

/// The quote balance changes of a liquidation, quote native (signed; they sum to zero).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuoteMoves {
    pub liquidatee: i64,
    pub liquidator: i64,
    pub insurance: i64,
}

/// What a liquidation does besides moving the legs' positions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiquidationPlan {
    /// Penalty rate from the shortfall's depth, bps.
    pub penalty_bps: u32,
    /// `sum size x mark`, quote native (negative when shorts are taken over).
    pub value: i128,
    /// `sum |size| x (mark, or max(mark, short minimum) for a short)`, quote native.
    pub base: u128,
    /// `ceil(base x penalty_bps / 10_000)`, quote native.
    pub penalty: i64,
    /// `floor(penalty x insurance_share_bps / 10_000)`, quote native.
    pub to_insurance: i64,
    pub moves: QuoteMoves,
}

/// `min + (max - min) x min(shortfall / maint_req, 1)`, bps, the extra part rounded down;
/// shortfall = `max(-maint_health, 0)`, a requirement below 1 counts as 1.
pub fn penalty_rate(maint_health: i64, maint_req: i64, p: &LiquidationParams) -> Result<u32> {
    let shortfall = u128::from(maint_health.min(0).unsigned_abs());
    let req = u128::from(maint_req.max(1).unsigned_abs());
    let span = p.penalty_max_bps.checked_sub(p.penalty_min_bps).ok_or(EngineError::Overflow)?;
    let span128 = u128::from(span);
    let extra = (span128.checked_mul(shortfall).ok_or(EngineError::Overflow)? / req).min(span128);
    // extra <= span: min + extra <= max.
    p.penalty_min_bps.checked_add(extra as u32).ok_or(EngineError::Overflow)
}

/// A leg's value `size x mark` and penalty base `|size| x mark`, for a short (size < 0)
/// `|size| x max(mark, short_min)`; a negative mark counts as 0.
pub fn leg_value(size: i64, mark: i64, short_min: i64) -> (i128, u128) {
    let mark = mark.max(0);
    let per = if size < 0 { mark.max(short_min) } else { mark };
    // |i64| x |i64| < 2^126: neither product can overflow.
    let value = i128::from(size) * i128::from(mark);
    let base = u128::from(size.unsigned_abs()) * u128::from(per.unsigned_abs());
    (value, base)
}

/// `ceil(base x rate_bps / 10_000)`: the penalty rounds against the liquidatee.
pub fn penalty(base: u128, rate_bps: u32) -> Result<u128> {
    let x = base.checked_mul(u128::from(rate_bps)).ok_or(EngineError::Overflow)?;
    Ok(x.div_ceil(u128::from(BPS)))
}

/// `floor(penalty x share_bps / 10_000)`: the insurance fund's share rounds down.
pub fn insurance_share(penalty: u128, share_bps: u32) -> Result<u128> {
    let x = penalty.checked_mul(u128::from(share_bps)).ok_or(EngineError::Overflow)?;
    Ok(x / u128::from(BPS))
}

/// Validates one leg against what is left of the position: non-zero, the position's sign,
/// at most the position.
pub fn check_leg(size: i64, left: i64) -> Result<()> {
    if size == 0 {
        return Err(EngineError::LiquidationLegInvalid);
    }
    let same_sign = (left > 0 && size > 0) || (left < 0 && size < 0);
    if !same_sign || size.unsigned_abs() > left.unsigned_abs() {
        return Err(EngineError::LiquidationLegInvalid);
    }
    Ok(())
}

/// The liquidation of `legs` from an account whose maintenance health is `pre_maint` (< 0 for
/// a liquidatable account; the caller checks) against a maintenance requirement
/// `pre_maint_req`. Legs are validated in order ([`check_leg`] against the position less the
/// earlier legs on the same series), then priced. Refusals: [`EngineError::LiquidationLegInvalid`] (a zero leg
/// too: it reduces nothing), [`EngineError::Overflow`].
pub fn plan_liquidation(legs: &[LegInput], pre_maint: i64, pre_maint_req: i64, p: &LiquidationParams) -> Result<LiquidationPlan> {
    let penalty_bps = penalty_rate(pre_maint, pre_maint_req, p)?;
    let (mut value, mut base) = (0i128, 0u128);
    for (k, leg) in legs.iter().enumerate() {
        let mut left = leg.held;
        for earlier in legs[..k].iter().filter(|e| e.series_index == leg.series_index) {
            left = left.checked_sub(earlier.size).ok_or(EngineError::Overflow)?;
        }
        check_leg(leg.size, left)?;
        let (v, b) = leg_value(leg.size, leg.mark, leg.short_min);
        value = value.checked_add(v).ok_or(EngineError::Overflow)?;
        base = base.checked_add(b).ok_or(EngineError::Overflow)?;
    }
    let pen = penalty(base, penalty_bps)?;
    let ins = insurance_share(pen, p.insurance_share_bps)?;
    let i64_of = |x: i128| i64::try_from(x).map_err(|_| EngineError::Overflow);
    let pen_i = i128::try_from(pen).map_err(|_| EngineError::Overflow)?;
    let ins_i = i128::try_from(ins).map_err(|_| EngineError::Overflow)?;
    let liquidatee = value.checked_sub(pen_i).ok_or(EngineError::Overflow)?;
    let liquidator = pen_i.checked_sub(value).and_then(|x| x.checked_sub(ins_i)).ok_or(EngineError::Overflow)?;
    let moves = QuoteMoves { liquidatee: i64_of(liquidatee)?, liquidator: i64_of(liquidator)?, insurance: i64_of(ins_i)? };
    Ok(LiquidationPlan { penalty_bps, value, base, penalty: i64_of(pen_i)?, to_insurance: moves.insurance, moves })
}

/// Whether the no-over-liquidation probe (the maintenance health without the last contract
/// of the last leg) is needed: only when the liquidation left maintenance health above zero.
pub fn needs_over_liquidation_probe(post_maint: i64) -> bool {
    post_maint > 0
}

/// No over-liquidation: a liquidation leaving maintenance health `post_maint > 0` is refused
/// ([`EngineError::OverLiquidation`]) unless the account would still be under maintenance
/// (`maint_without_last < 0`) without the last contract taken.
pub fn check_no_over_liquidation(post_maint: i64, maint_without_last: i64) -> Result<()> {
    if needs_over_liquidation_probe(post_maint) && maint_without_last >= 0 {
        return Err(EngineError::OverLiquidation);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: LiquidationParams = LiquidationParams { penalty_min_bps: 100, penalty_max_bps: 500, insurance_share_bps: 2_000 };

    #[test]
    fn penalty_rate_table() {
        // (maint health, maint requirement, rate = formula)
        let cases: &[(i64, i64, u32)] = &[
            (-1, 1_000_000, 100),                                   // 400 x 1e-6 -> 0: the minimum
            (-250_000, 1_000_000, 100 + 400 * 250_000 / 1_000_000), // a quarter deep: 200
            (-333_333, 1_000_000, 100 + 400 * 333_333 / 1_000_000), // 133.33 -> 133 (down)
            (-1_000_000, 1_000_000, 500),                           // depth 1: the maximum
            (-5_000_000, 1_000_000, 500),                           // deeper: capped
            (-10, 0, 500),                                          // no requirement: as 1, capped
            (0, 1_000_000, 100),                                    // no shortfall
            (7, 1_000_000, 100),                                    // healthy: the minimum
            (i64::MIN, i64::MAX, 100 + 400),                        // |MIN| > MAX: capped
        ];
        for &(maint, req, want) in cases {
            assert_eq!(penalty_rate(maint, req, &P), Ok(want), "maint {maint} req {req}");
        }
        let flat = LiquidationParams { penalty_min_bps: 300, penalty_max_bps: 300, ..P };
        assert_eq!(penalty_rate(-1_000, 1_000, &flat), Ok(300));
        let inverted = LiquidationParams { penalty_min_bps: 500, penalty_max_bps: 100, ..P };
        assert_eq!(penalty_rate(-1_000, 1_000, &inverted), Err(EngineError::Overflow));
    }

    #[test]
    fn leg_value_table() {
        // (size, mark, short_min, (value = size x mark, base = |size| x per))
        let cases: &[(i64, i64, i64, (i128, u128))] = &[
            (3, 14_000_000, 9_000_000, (3 * 14_000_000, 3 * 14_000_000)),   // a long: mark
            (-3, 14_000_000, 9_000_000, (-3 * 14_000_000, 3 * 14_000_000)), // a short above its minimum
            (-3, 2_000_000, 9_000_000, (-3 * 2_000_000, 3 * 9_000_000)),    // a short under it: the minimum
            (3, 2_000_000, 9_000_000, (3 * 2_000_000, 3 * 2_000_000)),      // a long never uses it
            (-2, -5, 7, (0, 2 * 7)),                                        // negative mark counts 0
            (2, -5, 7, (0, 0)),
        ];
        for &(size, mark, min, want) in cases {
            assert_eq!(leg_value(size, mark, min), want, "{size} {mark} {min}");
        }
        // The extremes fit: |i64::MIN| x i64::MAX < 2^127.
        let (v, b) = leg_value(i64::MIN, i64::MAX, 0);
        assert_eq!((v, b), (i128::from(i64::MIN) * i128::from(i64::MAX), (1u128 << 63) * (i64::MAX as u128)));
    }

    #[test]
    fn penalty_and_insurance_rounding() {
        // (base, rate, penalty = ceil(base x rate / 1e4), share 20% = floor(penalty / 5))
        let cases: &[(u128, u32, u128, u128)] = &[
            (10_000, 100, 10_000 * 100 / 10_000, 100 / 5),
            (10_001, 100, 101, 101 * 2_000 / 10_000), // 100.01 -> 101; 20.2 -> 20
            (1, 100, 1, 0),                           // 0.01 -> 1; 0.2 -> 0
            (0, 500, 0, 0),
            (42_000_000, 250, 42_000_000 * 250 / 10_000, 42_000_000 * 250 / 10_000 / 5),
        ];
        for &(base, rate, pen, ins) in cases {
            assert_eq!(penalty(base, rate), Ok(pen), "base {base} rate {rate}");
            assert_eq!(insurance_share(pen, 2_000), Ok(ins), "penalty {pen}");
        }
        assert_eq!(penalty(u128::MAX, 2), Err(EngineError::Overflow));
        assert_eq!(insurance_share(u128::MAX, 2), Err(EngineError::Overflow));
    }

    #[test]
    fn legs_are_checked_against_what_is_left() {
        // (size, left, result)
        let cases: &[(i64, i64, Result<()>)] = &[
            (-1, -10, Ok(())),
            (-10, -10, Ok(())),
            (-11, -10, Err(EngineError::LiquidationLegInvalid)), // more than held
            (1, -10, Err(EngineError::LiquidationLegInvalid)),   // flips the sign
            (-1, 0, Err(EngineError::LiquidationLegInvalid)),    // not held
            (0, -10, Err(EngineError::LiquidationLegInvalid)),
            (0, 0, Err(EngineError::LiquidationLegInvalid)),
            (5, 5, Ok(())),
            (i64::MIN, i64::MIN, Ok(())),
        ];
        for &(size, left, want) in cases {
            assert_eq!(check_leg(size, left), want, "size {size} left {left}");
        }
    }

    fn short(series: u16, size: i64, held: i64) -> LegInput {
        LegInput { series_index: series, size, held, mark: 14_000_000, short_min: 9_000_000 }
    }

    #[test]
    fn plan_table() {
        // A writer short 10 calls at mark 14, a quarter deep: rate 200 bps.
        let plan = plan_liquidation(&[short(0, -3, -10)], -250_000, 1_000_000, &P).unwrap();
        let value = -3 * 14_000_000i64;
        let base = 3 * 14_000_000i64;
        let pen = (base * 200 + 9_999) / 10_000; // up
        let ins = pen * 2_000 / 10_000;
        assert_eq!(
            plan,
            LiquidationPlan {
                penalty_bps: 200,
                value: value.into(),
                base: base as u128,
                penalty: pen,
                to_insurance: ins,
                moves: QuoteMoves { liquidatee: value - pen, liquidator: -value + pen - ins, insurance: ins },
            }
        );
        // Two legs on one series take from what the first left: -4 then -6 of -10 is all;
        // -4 then -7 is one too many.
        assert!(plan_liquidation(&[short(0, -4, -10), short(0, -6, -10)], -1, 1, &P).is_ok());
        assert_eq!(plan_liquidation(&[short(0, -4, -10), short(0, -7, -10)], -1, 1, &P), Err(EngineError::LiquidationLegInvalid));
        // Other series do not count against each other.
        assert!(plan_liquidation(&[short(0, -4, -4), short(1, -7, -7)], -1, 1, &P).is_ok());
        // Legs validated in order: the first fault is reported.
        assert_eq!(plan_liquidation(&[short(0, 0, -10), short(1, 1, -10)], -1, 1, &P), Err(EngineError::LiquidationLegInvalid));
        // A long and a short under its minimum, depth 1 (500 bps), odd amounts: rounding.
        let legs = [
            LegInput { series_index: 2, size: 7, held: 9, mark: 1_234_567, short_min: 0 },
            LegInput { series_index: 3, size: -5, held: -5, mark: 333, short_min: 1_001 },
        ];
        let plan = plan_liquidation(&legs, -2_000, 1_000, &P).unwrap();
        let value = 7 * 1_234_567 - 5 * 333;
        let base = 7 * 1_234_567 + 5 * 1_001;
        let pen = (base * 500 + 9_999) / 10_000; // up
        let ins = pen * 2_000 / 10_000;
        assert_eq!((plan.penalty_bps, plan.value, plan.base), (500, value.into(), base as u128));
        assert_eq!((plan.penalty, plan.to_insurance), (pen, ins));
        assert_eq!(plan.moves, QuoteMoves { liquidatee: value - pen, liquidator: -value + pen - ins, insurance: ins });
    }

    #[test]
    fn moves_sum_to_zero_and_extremes_are_errors() {
        for rate in [100, 337, 500] {
            for (size, mark) in [(-1, 1), (-9, 123_456_789), (4, 77), (1, 0)] {
                let p = LiquidationParams { penalty_min_bps: rate, penalty_max_bps: rate, insurance_share_bps: 3_333 };
                let leg = LegInput { series_index: 0, size, held: size * 2, mark, short_min: 5 };
                let m = plan_liquidation(&[leg], -1, 1, &p).unwrap().moves;
                assert_eq!(i128::from(m.liquidatee) + i128::from(m.liquidator) + i128::from(m.insurance), 0);
            }
        }
        // Four maximal legs: the base does not fit u128 -> Overflow, not a panic.
        let big = LegInput { series_index: 0, size: i64::MIN, held: i64::MIN, mark: i64::MAX, short_min: 0 };
        let legs = [big, LegInput { series_index: 1, ..big }, LegInput { series_index: 2, ..big }, LegInput { series_index: 3, ..big }];
        assert_eq!(plan_liquidation(&legs, -1, 1, &P), Err(EngineError::Overflow));
        // One maximal leg: the base fits, the moves do not fit i64.
        assert_eq!(plan_liquidation(&legs[..1], -1, 1, &P), Err(EngineError::Overflow));
    }

    #[test]
    fn over_liquidation_table() {
        // (post maint, maint without the last contract, result)
        let cases: &[(i64, i64, Result<()>)] = &[
            (-5, 0, Ok(())),                            // still under: never over-liquidated (the improvement rule is separate)
            (0, 0, Ok(())),                             // exactly restored: no probe
            (10, -1, Ok(())),                           // the last contract was needed
            (10, 0, Err(EngineError::OverLiquidation)), // zero without it: not needed
            (10, 3, Err(EngineError::OverLiquidation)),
        ];
        for &(post, without, want) in cases {
            assert_eq!(check_no_over_liquidation(post, without), want, "post {post} without {without}");
        }
        assert!(!needs_over_liquidation_probe(0));
        assert!(needs_over_liquidation_probe(1));
    }
}
