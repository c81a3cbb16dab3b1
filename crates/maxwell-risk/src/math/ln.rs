//! Natural logarithm without division: `x = 2^e * y` with `y` in [1, 2); a 64-entry table
//! gives `inv_j ~ 1/y` and `-ln(inv_j)` exactly; `u = y * inv_j - 1` is below 1/128 in
//! magnitude and `ln(1 + u)` is a degree-9 series. Result in Q62 (`i128`), error ~1e-18.

use super::tables::{LN2_Q62, LN_INV, LN_NEG_LN_INV};
use super::wide::{round_words, smul_shr_round, umul_wide};
use super::{ONE_Q62, Q62};
use crate::RiskError;

/// `(-1)^(n+1) / n` in Q62 for n = 1..9 (compile-time divisions; all fit in `i64`).
const SERIES: [i64; 9] = {
    let mut c = [0i64; 9];
    let mut n = 1;
    while n <= 9 {
        let v = ((ONE_Q62 + n as i128 / 2) / n as i128) as i64;
        c[n - 1] = if n % 2 == 1 { v } else { -v };
        n += 1;
    }
    c
};

/// `ln(1 + u)` for `|u| <= 1/64`, `u` in Q62. `i64` with exact 128-bit products (the partial
/// sums stay below 1.1 in Q62), bit-identical to the former `i128` Horner.
fn ln1p_small(u: i64) -> i64 {
    let mut p = SERIES[8];
    for &c in SERIES[..8].iter().rev() {
        p = c + smul_shr_round(p, u, Q62);
    }
    smul_shr_round(p, u, Q62)
}

/// `ln(y)` for `y = y_q63 / 2^63` in [1, 2) (`y_q63 >= 2^63`), in Q62 (`< ln 2`).
pub fn ln_mantissa_q62(y_q63: u64) -> i64 {
    debug_assert!(y_q63 >= 1 << 63);
    let j = ((y_q63 >> 57) & 63) as usize;
    // u = y * inv_j - 1: Q63 * Q62 = Q125 (< 2^126), minus 2^125 = 2^61 in the high word,
    // rounded to Q62; |u| < 1/64 fits in i64.
    let (hi, lo) = umul_wide(y_q63, LN_INV[j]);
    let u = round_words(hi.wrapping_sub(1 << 61), lo, 63);
    LN_NEG_LN_INV[j] + ln1p_small(u)
}

/// `e * ln 2` in Q62 (`e <= 127`, result < 2^69), from one word product.
pub fn ln2_times(e: u32) -> i128 {
    let (h, l) = umul_wide(u64::from(e), LN2_Q62 as u64);
    ((u128::from(h) << 64) | u128::from(l)) as i128
}

/// `ln(x)` for an integer `x > 0`, in Q62.
pub fn ln_u64_q62(x: u64) -> Result<i128, RiskError> {
    if x == 0 {
        return Err(RiskError::LogOfNonPositive);
    }
    let lz = x.leading_zeros();
    // x = 2^e * y, y in [1, 2) as Q63
    Ok(ln2_times(63 - lz) + i128::from(ln_mantissa_q62(x << lz)))
}

/// `ln(a / b)` for integers `a, b > 0`, in Q62: two logarithms, no division.
pub fn ln_ratio_q62(a: u64, b: u64) -> Result<i128, RiskError> {
    Ok(ln_u64_q62(a)? - ln_u64_q62(b)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q62_to_f(x: i128) -> f64 {
        x as f64 / ONE_Q62 as f64
    }

    #[test]
    fn table() {
        // (x, expected ln(x) as the formula it comes from, checked to 1e-17 absolute)
        let ln2 = i128::from(LN2_Q62);
        let exact: &[(u64, i128)] = &[(1, 0), (2, ln2), (1024, 10 * ln2), (1 << 63, 63 * ln2)];
        for &(x, want) in exact {
            let got = ln_u64_q62(x).unwrap();
            assert!((got - want).abs() <= 64, "ln({x}): {got} vs {want}"); // 64 ulp = 1.4e-17
        }
        // ln(3) = 1.0986122886681098, ln(10) = 2.302585092994046 (f64 display only)
        assert!((q62_to_f(ln_u64_q62(3).unwrap()) - 1.098_612_288_668_109_8).abs() < 1e-15);
        assert!((q62_to_f(ln_ratio_q62(10, 1).unwrap()) - core::f64::consts::LN_10).abs() < 1e-15);
        assert_eq!(ln_u64_q62(0), Err(RiskError::LogOfNonPositive));
    }

    #[test]
    fn additive() {
        // ln(a b) = ln a + ln b, exactly up to a few ulp of Q62.
        let pairs: &[(u64, u64)] = &[(3, 7), (150_000_000, 3), (99_991, 100_003), (5, 1 << 40)];
        for &(a, b) in pairs {
            let lhs = ln_u64_q62(a * b).unwrap();
            let rhs = ln_u64_q62(a).unwrap() + ln_u64_q62(b).unwrap();
            assert!((lhs - rhs).abs() <= 256, "ln({a}*{b}): {}", lhs - rhs);
        }
    }
}
