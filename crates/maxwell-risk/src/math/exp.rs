//! Exponential without division: `x = n ln2/64 + r`, `e^x = 2^(n/64) e^r` with `2^(j/64)`
//! from a table and `e^r` (|r| <= ln2/128) a degree-7 series. Q62 in and out.

use super::tables::{EXP2, LN2_OVER_64_Q120, SIXTY_FOUR_OVER_LN2_Q56};
use super::wide::{mul_shr_round, mul_shr_round_hi, smul_shr_round};
use super::{ONE_Q62, Q62};
use crate::RiskError;

/// `ln2/64` in Q120 split as `C_HI * 2^58 + C_LO` (`0 <= C_LO < 2^58`).
const C_HI: i64 = (LN2_OVER_64_Q120 >> 58) as i64;
const C_LO: u64 = (LN2_OVER_64_Q120 & ((1 << 58) - 1)) as u64;

/// Largest argument accepted (e^40 * 2^62 < 2^120).
pub const EXP_MAX_ARG_Q62: i128 = 40 * ONE_Q62;
/// Below this the result is 0 in Q62 (e^-44 < 2^-63).
const EXP_MIN_ARG_Q62: i128 = -44 * ONE_Q62;

/// `1 / k!` in Q62, k = 1..7 (compile-time divisions).
const INV_FACT: [i64; 7] = {
    let mut c = [0i64; 7];
    let mut f: i128 = 1;
    let mut k = 1;
    while k <= 7 {
        f *= k as i128;
        c[k - 1] = ((ONE_Q62 + f / 2) / f) as i64;
        k += 1;
    }
    c
};

/// `e^r - 1` for `|r| <= 0.006`, Q62 (`i64`, exact 128-bit products; partial sums < 1.01).
fn expm1_small(r: i64) -> i64 {
    let mut p = INV_FACT[6];
    for &c in INV_FACT[..6].iter().rev() {
        p = c + smul_shr_round(p, r, Q62);
    }
    smul_shr_round(p, r, Q62)
}

/// `e^x` for `x` in Q62 (`x <= 40`), result in Q62 as `u128`, relative error ~1e-18.
pub fn exp_q62(x: i128) -> Result<u128, RiskError> {
    if x > EXP_MAX_ARG_Q62 {
        return Err(RiskError::Overflow);
    }
    if x < EXP_MIN_ARG_Q62 {
        return Ok(0);
    }
    // n = round(x * 64 / ln2): (Q42 * Q56) >> 98; |x >> 20| < 2^48.
    let n = mul_shr_round_hi((x >> 20) as i64, SIXTY_FOUR_OVER_LN2_Q56 as u64, 98);
    // r = round((x 2^58 - n ln2/64 (Q120)) / 2^58) = x - n C_HI + round(-n C_LO / 2^58),
    // computed modulo 2^64: r itself is below ln2/128 (< 2^56 in Q62), so it is exact.
    let r = (x as i64).wrapping_sub(n.wrapping_mul(C_HI)).wrapping_add(mul_shr_round(-n, C_LO, 58));
    let er = (1i64 << Q62) + expm1_small(r); // e^r in Q62, in (0.99, 1.01)
    let frac = EXP2[(n & 63) as usize]; // 2^((n mod 64)/64), Q62
    let m = mul_shr_round(er, frac, 62) as u64; // Q62, in [1, 2.02)
    let q = n >> 6; // floor(n / 64)
    if q >= 0 {
        Ok(u128::from(m) << q) // q <= 58: m < 2^64 so m << q < 2^122
    } else if q > -64 {
        let s = (-q) as u32;
        Ok(u128::from((m + (1 << (s - 1))) >> s)) // m < 2^63: no overflow
    } else {
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::ln::ln_u64_q62;

    #[test]
    fn table() {
        // (x in Q62, expected e^x in Q62 as the formula it comes from)
        let ln2 = i128::from(super::super::tables::LN2_Q62);
        let cases: &[(i128, u128)] = &[
            (0, 1 << 62),           // e^0 = 1
            (ln2, 2 << 62),         // e^ln2 = 2
            (-ln2, 1 << 61),        // e^-ln2 = 1/2
            (10 * ln2, 1024 << 62), // e^(10 ln2) = 1024
            (-50 * ONE_Q62, 0),     // underflows Q62
        ];
        for &(x, want) in cases {
            let got = exp_q62(x).unwrap();
            let tol = (want >> 58).max(4); // relative 2^-58 ~ 3.5e-18
            assert!(got.abs_diff(want) <= tol, "e^{x}: {got} vs {want}");
        }
        assert_eq!(exp_q62(41 * ONE_Q62), Err(RiskError::Overflow));
    }

    #[test]
    fn inverts_ln() {
        // e^(ln x) = x for integers, relative 1e-17.
        for &x in &[3u64, 7, 1000, 123_456_789, 150_000_000] {
            let got = exp_q62(ln_u64_q62(x).unwrap()).unwrap();
            let want = u128::from(x) << 62;
            assert!(got.abs_diff(want) <= want >> 56, "e^ln({x})");
        }
    }
}
