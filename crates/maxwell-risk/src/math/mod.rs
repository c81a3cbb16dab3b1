//! Division-free (or one-division) elementary functions for SBF: ln, exp, sqrt and the
//! standard normal CDF/pdf. Internal precision is Q62 with `i128`/`u128` intermediates.

pub mod exp;
pub mod ln;
pub mod normal;
pub mod sqrt;
#[rustfmt::skip]
pub mod tables;
pub mod wide;

/// Fractional bits of the internal Q62 format.
pub const Q62: u32 = 62;
/// 1.0 in Q62.
pub const ONE_Q62: i128 = 1 << Q62;

/// The former all-`i128` ln and exp, kept as the reference the `i64` versions must equal.
#[cfg(test)]
#[allow(dead_code)]
pub(crate) mod reference {
    use crate::fixed::{shr_round, Rounding};
    use crate::math::tables::{EXP2, LN2_OVER_64_Q120, LN2_Q62, LN_INV, LN_NEG_LN_INV, SIXTY_FOUR_OVER_LN2_Q56};
    use crate::math::{ONE_Q62, Q62};
    use crate::RiskError;
    /// `(-1)^(n+1) / n` in Q62 for n = 1..9 (compile-time divisions).
    const SERIES: [i128; 9] = {
        let mut c = [0i128; 9];
        let mut n = 1;
        while n <= 9 {
            let v = (ONE_Q62 + n as i128 / 2) / n as i128;
            c[n - 1] = if n % 2 == 1 { v } else { -v };
            n += 1;
        }
        c
    };

    /// `ln(1 + u)` for `|u| <= 1/64`, `u` in Q62.
    fn ln1p_small(u: i128) -> i128 {
        let mut p = SERIES[8];
        for &c in SERIES[..8].iter().rev() {
            p = c + shr_round(p * u, Q62, Rounding::Nearest);
        }
        shr_round(p * u, Q62, Rounding::Nearest)
    }

    /// `ln(x)` for an integer `x > 0`, in Q62.
    pub fn ln_u64_q62(x: u64) -> Result<i128, RiskError> {
        if x == 0 {
            return Err(RiskError::LogOfNonPositive);
        }
        let lz = x.leading_zeros();
        let e = 63 - lz as i128; // x = 2^e * y
        let y_q63 = x << lz; // y in [1, 2) as Q63
        let j = ((y_q63 >> 57) & 63) as usize;
        // u = y * inv_j - 1: Q63 * Q62 = Q125.
        let prod = u128::from(y_q63) * u128::from(LN_INV[j]);
        let u = shr_round(prod as i128 - (1i128 << 125), 63, Rounding::Nearest);
        Ok(e * i128::from(LN2_Q62) + i128::from(LN_NEG_LN_INV[j]) + ln1p_small(u))
    }

    /// Largest argument accepted (e^40 * 2^62 < 2^120).
    pub const EXP_MAX_ARG_Q62: i128 = 40 * ONE_Q62;
    /// Below this the result is 0 in Q62 (e^-44 < 2^-63).
    const EXP_MIN_ARG_Q62: i128 = -44 * ONE_Q62;

    /// `1 / k!` in Q62, k = 1..7 (compile-time divisions).
    const INV_FACT: [i128; 7] = {
        let mut c = [0i128; 7];
        let mut f: i128 = 1;
        let mut k = 1;
        while k <= 7 {
            f *= k as i128;
            c[k - 1] = (ONE_Q62 + f / 2) / f;
            k += 1;
        }
        c
    };

    /// `e^r - 1` for `|r| <= 0.006`, Q62.
    fn expm1_small(r: i128) -> i128 {
        let mut p = INV_FACT[6];
        for &c in INV_FACT[..6].iter().rev() {
            p = c + shr_round(p * r, Q62, Rounding::Nearest);
        }
        shr_round(p * r, Q62, Rounding::Nearest)
    }

    /// `e^x` for `x` in Q62 (`x <= 40`), result in Q62 as `u128`, relative error ~1e-18.
    pub fn exp_q62(x: i128) -> Result<u128, RiskError> {
        if x > EXP_MAX_ARG_Q62 {
            return Err(RiskError::Overflow);
        }
        if x < EXP_MIN_ARG_Q62 {
            return Ok(0);
        }
        // n = round(x * 64 / ln2): (Q42 * Q56) >> 98.
        let n = shr_round((x >> 20) * i128::from(SIXTY_FOUR_OVER_LN2_Q56), 98, Rounding::Nearest);
        // r = x - n ln2/64 in Q120, then Q62.
        let r = shr_round((x << 58) - n * LN2_OVER_64_Q120, 58, Rounding::Nearest);
        let er = ONE_Q62 + expm1_small(r); // e^r in Q62, in (0.99, 1.01)
        let frac = u128::from(EXP2[(n & 63) as usize]); // 2^((n mod 64)/64), Q62
        let m = (frac * er as u128 + (1u128 << 61)) >> 62; // Q62, in [1, 2.02)
        let q = n >> 6; // floor(n / 64)
        if q >= 0 {
            Ok(m << q) // q <= 58: m < 2^64 so m << q < 2^122
        } else {
            Ok(shr_round(m as i128, (-q) as u32, Rounding::Nearest) as u128)
        }
    }

    #[test]
    fn i64_versions_are_bit_identical() {
        let mut r: u64 = 0xD1B5_4A32_D192_ED03;
        let mut next = move || {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            r
        };
        for i in 0..200_000u32 {
            let x = next() >> (i % 64);
            if x > 0 {
                assert_eq!(crate::math::ln::ln_u64_q62(x), ln_u64_q62(x), "ln {x}");
            }
            let y = ((next() as i64) >> (next() % 60)) as i128 * (1 + (next() % 64) as i128);
            for arg in [y, y.clamp(-EXP_MAX_ARG_Q62, EXP_MAX_ARG_Q62), -(y.abs() % (45 * ONE_Q62))] {
                assert_eq!(crate::math::exp::exp_q62(arg), exp_q62(arg), "exp {arg}");
            }
        }
    }
}
