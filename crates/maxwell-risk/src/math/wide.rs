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
    let hi = p11.wrapping_add(p01 >> 32).wrapping_add(p10 >> 32).wrapping_add(mid >> 32);
    let lo = (mid << 32) | (p00 & LO32);
    (hi, lo)
}

/// `floor(a * b / 2^s)` for `0 < s < 64`, exact when the result fits in `i64` (callers keep
/// their operands in range; tests check every call site's bounds).
#[inline(always)]
pub fn mul_shr_floor(a: i64, b: u64, s: u32) -> i64 {
    debug_assert!(b < 1 << 63);
    let (hi, lo) = smul_wide(a, b as i64);
    shr_words(hi as u64, lo, s)
}

/// `round(a * b / 2^s)` to nearest, ties toward plus infinity, for `2 <= s < 64` and
/// `b < 2^63`; exact when the result fits in `i64`. Equals
/// `shr_round(a as i128 * b as i128, s, Rounding::Nearest)`.
#[inline(always)]
pub fn mul_shr_round(a: i64, b: u64, s: u32) -> i64 {
    debug_assert!(b < 1 << 63);
    smul_shr_round(a, b as i64, s)
}

/// `floor(a * b / 2^64)` and the low word of `a * b`, signed, from signed 32-bit halves (no
/// absolute values or negation: `a = a1 2^32 + a0` with `a1` signed, `a0` unsigned).
#[inline(always)]
pub fn smul_wide(a: i64, b: i64) -> (i64, u64) {
    let (a1, a0) = (a >> 32, a as u32 as i64);
    let (b1, b0) = (b >> 32, b as u32 as i64);
    // |a1|, |b1| <= 2^31 and a0, b0 < 2^32: each partial product is below 2^63 in magnitude
    // (p00 < 2^64 as u64), so the wrapping operations never wrap.
    let p00 = (a0 as u64).wrapping_mul(b0 as u64);
    let p10 = a1.wrapping_mul(b0);
    let p01 = a0.wrapping_mul(b1);
    let p11 = a1.wrapping_mul(b1);
    // < 3 * 2^32
    let mid = (p00 >> 32).wrapping_add(p10 as u32 as u64).wrapping_add(p01 as u32 as u64);
    // floor(a b / 2^64): fits in i64 for |a|, |b| <= 2^63.
    let hi = p11.wrapping_add(p10 >> 32).wrapping_add(p01 >> 32).wrapping_add((mid >> 32) as i64);
    (hi, (mid << 32) | (p00 & LO32))
}

/// [`mul_shr_round`] with a signed `b` (`2 <= s < 64`).
#[inline(always)]
pub fn smul_shr_round(a: i64, b: i64, s: u32) -> i64 {
    debug_assert!((2..64).contains(&s));
    let (hi, lo) = smul_wide(a, b);
    // floor((hi 2^64 + lo + 2^(s-1)) / 2^s) = hi 2^(64-s) + floor(((lo >> (s-1)) + 1) / 2)
    hi.wrapping_shl(64 - s).wrapping_add((((lo >> (s - 1)) + 1) >> 1) as i64)
}

/// `round(a * b / 2^s)` (ties up) for `64 <= s < 128`, exact when the result fits in `i64`.
#[inline(always)]
pub fn mul_shr_round_hi(a: i64, b: u64, s: u32) -> i64 {
    debug_assert!(b < 1 << 63);
    let (hi, lo) = smul_wide(a, b as i64);
    let hi = if s == 64 { hi.wrapping_add((lo >> 63) as i64) } else { hi.wrapping_add(1 << (s - 65)) };
    hi >> (s - 64)
}

/// `round(a * b / 2^s)` (ties up) for unsigned operands and `0 < s < 64`, full width.
#[inline(always)]
pub fn umul_shr_round_u128(a: u64, b: u64, s: u32) -> u128 {
    let (hi, lo) = umul_wide(a, b);
    let lo2 = lo.wrapping_add(1u64 << (s - 1));
    let hi2 = hi.wrapping_add(u64::from(lo2 < lo));
    (u128::from(hi2 >> s) << 64) | u128::from((hi2 << (64 - s)) | (lo2 >> s))
}

/// `floor((u1 * 2^64 + u0) / v)` for `v >= 2^63` and `u1 < v` (the quotient fits in `u64`),
/// with two hardware 64-bit divisions (Hacker's Delight `divlu`, 32-bit digits).
pub fn div_128_by_64(u1: u64, u0: u64, v: u64) -> u64 {
    const B: u64 = 1 << 32;
    let (vn1, vn0) = (v >> 32, v & LO32);
    let (un1, un0) = (u0 >> 32, u0 & LO32);
    // Every estimate below is < 2^33 and every product < 2^64 (Knuth D bounds): wrapping
    // operations never wrap except where the algorithm works modulo 2^64 (the remainders).
    let mut q1 = u1 / vn1;
    let mut rhat = u1.wrapping_sub(q1.wrapping_mul(vn1));
    while q1 >= B || q1.wrapping_mul(vn0) > (rhat << 32) | un1 {
        q1 -= 1;
        rhat += vn1;
        if rhat >= B {
            break;
        }
    }
    let un21 = (u1 << 32).wrapping_add(un1).wrapping_sub(q1.wrapping_mul(v));
    let mut q0 = un21 / vn1;
    let mut rhat = un21.wrapping_sub(q0.wrapping_mul(vn1));
    while q0 >= B || q0.wrapping_mul(vn0) > (rhat << 32) | un0 {
        q0 -= 1;
        rhat += vn1;
        if rhat >= B {
            break;
        }
    }
    (q1 << 32) | q0
}

/// `(n / d, n % d)` for a `u128` numerator and a nonzero `u64` divisor: one hardware divide
/// for the high word and one [`div_128_by_64`] for the rest, instead of the `u128` division
/// routine. Exact.
pub fn div_rem_u128_u64(n: u128, d: u64) -> (u128, u64) {
    let (n1, n0) = ((n >> 64) as u64, n as u64);
    let (q1, r1) = (n1 / d, n1 % d);
    let s = d.leading_zeros();
    let dn = d << s;
    let (u1, u0) = if s == 0 { (r1, n0) } else { ((r1 << s) | (n0 >> (64 - s)), n0 << s) };
    let q0 = div_128_by_64(u1, u0, dn); // u1 < dn since r1 < d
    let r = u0.wrapping_sub(q0.wrapping_mul(dn)) >> s; // the remainder is < dn: exact mod 2^64
    ((u128::from(q1) << 64) | u128::from(q0), r)
}

/// `n / d` rounded down (`ceil = false`) or up, for `d > 0`; the `u64` divisor fast path of
/// [`div_rem_u128_u64`] when `d` fits, the `u128` division otherwise.
pub fn div_u128(n: u128, d: u128, ceil: bool) -> u128 {
    let (q, rem_nonzero) = match u64::try_from(d) {
        Ok(d64) => {
            let (q, r) = div_rem_u128_u64(n, d64);
            (q, r != 0)
        }
        Err(_) => (n / d, !n.is_multiple_of(d)),
    };
    q + u128::from(ceil && rem_nonzero)
}

/// `round((hi, lo) / 2^s)`, ties up, low 64 bits, `0 < s < 64`.
#[inline(always)]
pub fn round_words(hi: u64, lo: u64, s: u32) -> i64 {
    let lo2 = lo.wrapping_add(1u64 << (s - 1));
    let hi2 = hi.wrapping_add(u64::from(lo2 < lo));
    shr_words(hi2, lo2, s)
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

    fn sb2_of(b: u64) -> i64 {
        (b as i64).wrapping_neg()
    }

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
            let sb = b >> (1 + next() % 63);
            for s in [2u32, 20, 40, 52, 58, 62, 63] {
                let p = i128::from(sa) * i128::from(sb);
                let want_r = shr_round(p, s, Rounding::Nearest);
                if let Ok(w) = i64::try_from(want_r) {
                    assert_eq!(mul_shr_round(sa, sb, s), w, "{sa} * {sb} >> {s}");
                }
                if let Ok(w) = i64::try_from(p >> s) {
                    assert_eq!(mul_shr_floor(sa, sb, s), w, "{sa} * {sb} >> {s} floor");
                }
                let sb2 = (next() as i64) >> (next() % 64);
                let p2 = i128::from(sa) * i128::from(sb2);
                if let Ok(w) = i64::try_from(shr_round(p2, s, Rounding::Nearest)) {
                    assert_eq!(smul_shr_round(sa, sb2, s), w, "{sa} * {sb2} >> {s} signed");
                }
                let u = u128::from(a) * u128::from(b);
                assert_eq!(umul_shr_round_u128(a, b, s), (u >> s) + ((u >> (s - 1)) & 1));
            }
            let (h, l) = smul_wide(sa, sb2_of(sb));
            assert_eq!((i128::from(h) << 64) | i128::from(l), i128::from(sa) * i128::from(sb2_of(sb)));
            for s in [64u32, 65, 70, 74, 98, 110, 120] {
                let p = i128::from(sa) * i128::from(sb);
                if let Ok(w) = i64::try_from(shr_round(p, s, Rounding::Nearest)) {
                    assert_eq!(mul_shr_round_hi(sa, sb, s), w, "{sa} * {sb} >> {s} hi");
                }
            }
            let v = next() | (1 << 63);
            let u1 = next() % v;
            let u0 = next();
            let want = ((u128::from(u1) << 64) | u128::from(u0)) / u128::from(v);
            assert_eq!(u128::from(div_128_by_64(u1, u0, v)), want, "{u1}:{u0} / {v}");
            let n = (u128::from(next()) << 64 | u128::from(next())) >> (next() % 128);
            let d = (next() >> (next() % 64)).max(1);
            assert_eq!(div_rem_u128_u64(n, d), (n / u128::from(d), (n % u128::from(d)) as u64), "{n} / {d}");
            let d2 = (u128::from(next()) << (next() % 64)).max(1);
            assert_eq!(div_u128(n, d2, false), n / d2);
            assert_eq!(div_u128(n, d2, true), n.div_ceil(d2));
        }
    }
}
