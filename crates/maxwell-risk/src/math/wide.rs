//! Exact 64 x 64 -> 128-bit products on `u64` halves, for SBF.
//!
//! SBF (upstream BPF) has a 64-bit multiply but no widening or high multiply: every `i128` or
//! `u128` product is a call to `__multi3`, and with `overflow-checks` a checked `i128` product
//! is two such calls plus compares. These helpers build the 128-bit product from four 32 x 32
//! products in registers. They are exact: `mul_shr_round(a, b, s)` equals
//! `shr_round(a as i128 * b as i128, s, Nearest)` bit for bit (see the tests), so switching a
//! formula to them changes no result.

const LO32: u64 = 0xffff_ffff;

/// `a * b` as `(high, low)` 64-bit words.
#[inline(always)]
pub fn umul_wide(a: u64, b: u64) -> (u64, u64) {
    let (a0, a1) = (a & LO32, a >> 32);
    let (b0, b1) = (b & LO32, b >> 32);
    // Each factor is < 2^32, so each partial product is < 2^64 (wrapping never wraps).
    let p00 = a0.wrapping_mul(b0);
    let p01 = a0.wrapping_mul(b1);
    let p10 = a1.wrapping_mul(b0);
    let p11 = a1.wrapping_mul(b1);
    // < 3 * 2^32: no overflow.
    let mid = (p00 >> 32).wrapping_add(p01 & LO32).wrapping_add(p10 & LO32);
    // The high word of a 128-bit product of two 64-bit numbers is < 2^64: no overflow.
    let hi = p11
        .wrapping_add(p01 >> 32)
        .wrapping_add(p10 >> 32)
        .wrapping_add(mid >> 32);
    let lo = (mid << 32) | (p00 & LO32);
    (hi, lo)
}

/// `floor(a * b / 2^s)` for `0 < s < 64`, exact when the result fits in `i64` (callers keep
/// their operands in range; tests check every call site's bounds).
#[inline(always)]
pub fn mul_shr_floor(a: i64, b: u64, s: u32) -> i64 {
    let (hi, lo) = signed_wide(a, b);
    shr_words(hi, lo, s)
}

/// `round(a * b / 2^s)` to nearest, ties toward plus infinity, for `0 < s < 64`; exact when
/// the result fits in `i64`. Equals `shr_round(a as i128 * b as i128, s, Rounding::Nearest)`.
#[inline(always)]
pub fn mul_shr_round(a: i64, b: u64, s: u32) -> i64 {
    let (hi, lo) = signed_wide(a, b);
    let half = 1u64 << (s - 1);
    let lo2 = lo.wrapping_add(half);
    let hi2 = hi.wrapping_add(u64::from(lo2 < lo));
    shr_words(hi2, lo2, s)
}

/// Two's complement 128-bit `a * b` as words.
#[inline(always)]
fn signed_wide(a: i64, b: u64) -> (u64, u64) {
    let (hi, lo) = umul_wide(a.unsigned_abs(), b);
    if a < 0 {
        let nlo = lo.wrapping_neg();
        let nhi = (!hi).wrapping_add(u64::from(lo == 0));
        (nhi, nlo)
    } else {
        (hi, lo)
    }
}

/// Arithmetic shift right by `0 < s < 64` of the 128-bit word pair, low 64 bits.
#[inline(always)]
fn shr_words(hi: u64, lo: u64, s: u32) -> i64 {
    ((hi << (64 - s)) | (lo >> s)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixed::{shr_round, Rounding};

    #[test]
    fn exact_against_i128() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let edge = [0u64, 1, 2, LO32, LO32 + 1, 1 << 62, (1 << 63) - 1, 1 << 63, u64::MAX];
        for &a in &edge {
            for &b in &edge {
                let (hi, lo) = umul_wide(a, b);
                assert_eq!((u128::from(hi) << 64) | u128::from(lo), u128::from(a) * u128::from(b));
            }
        }
        for _ in 0..200_000 {
            let (a, b) = (next(), next());
            let (hi, lo) = umul_wide(a, b);
            assert_eq!((u128::from(hi) << 64) | u128::from(lo), u128::from(a) * u128::from(b));
            let sa = (a as i64) >> (next() % 40);
            let sb = b >> (next() % 64);
            for s in [1u32, 20, 40, 52, 58, 62, 63] {
                let p = i128::from(sa) * i128::from(sb);
                let want_r = shr_round(p, s, Rounding::Nearest);
                if let Ok(w) = i64::try_from(want_r) {
                    assert_eq!(mul_shr_round(sa, sb, s), w, "{sa} * {sb} >> {s}");
                }
                if let Ok(w) = i64::try_from(p >> s) {
                    assert_eq!(mul_shr_floor(sa, sb, s), w, "{sa} * {sb} >> {s} floor");
                }
            }
        }
    }
}
