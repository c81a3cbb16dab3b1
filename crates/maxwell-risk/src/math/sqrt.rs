//! Integer square root: `floor(sqrt(x))` for `x: u128`, exact.
//! A number in Q(2f) has its square root in Q(f): `sqrt_u128(t_q104)` is `sqrt(t)` in Q52.
//!
//! SBF has a 64-bit divide but every `u128` operation is several instructions, so the former
//! bit-by-bit loop (up to 64 iterations on `u128`) cost thousands of compute units. Here:
//! normalise `x` by an even shift to `xn` in [2^126, 2^128); Newton on the high word (64-bit
//! hardware divides, started above the root from the leading-zeros normalisation, so the
//! iteration decreases monotonically to `floor(sqrt(hi))`); one more step
//! `r = r32 2^32 + (hi - r32^2) 2^31 / r32` for the low half (within a few units of the root);
//! then exact correction with 64 x 64 -> 128 word squares. `floor(sqrt(x)) =
//! floor(floor(sqrt(xn)) / 2^s)`, so the result is the exact floor (tested against the
//! bit-by-bit version).

use super::wide::umul_wide;

/// `floor(sqrt(x))` for `x: u64` by Newton's method with hardware divides.
#[inline(always)]
fn sqrt_hi_word(hi: u64) -> u64 {
    // hi in [2^62, 2^64): with y = hi / 2^64 in [1/4, 1), the tangent of sqrt at 1/4,
    // y + 1/4, lies above sqrt(y): r0 = floor(2^32 (y + 1/4)) >= floor(sqrt(hi)).
    let mut r = (hi >> 32) + (1 << 30);
    loop {
        let next = (r + hi / r) >> 1;
        if next >= r {
            return r;
        }
        r = next;
    }
}

/// `(a, b) <= (c, d)` for 128-bit numbers as word pairs.
#[inline(always)]
fn le_words(a: u64, b: u64, c: u64, d: u64) -> bool {
    a < c || (a == c && b <= d)
}

/// `floor(sqrt(x))`.
pub fn sqrt_u128(x: u128) -> u64 {
    if x == 0 {
        return 0;
    }
    let sh = x.leading_zeros() & !1; // even: xn >= 2^126
    let xn = x << sh;
    let (hi, lo) = ((xn >> 64) as u64, xn as u64);
    let r32 = sqrt_hi_word(hi); // in [2^31, 2^32)
    let rem = hi - r32 * r32; // <= 2 r32 < 2^33: rem << 31 < 2^64
    let t = (rem << 31) / r32;
    let mut r = (r32 << 32).saturating_add(t);
    // Exact correction: r^2 <= xn < (r + 1)^2.
    loop {
        let (sh_, sl) = umul_wide(r, r);
        if le_words(sh_, sl, hi, lo) {
            break;
        }
        r -= 1;
    }
    while r < u64::MAX {
        let (sh_, sl) = umul_wide(r + 1, r + 1);
        if !le_words(sh_, sl, hi, lo) {
            break;
        }
        r += 1;
    }
    r >> (sh / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The former bit-by-bit square root: the reference.
    fn sqrt_bitwise(x: u128) -> u64 {
        if x == 0 {
            return 0;
        }
        let mut rem = x;
        let mut res: u128 = 0;
        let mut bit: u128 = 1u128 << ((127 - x.leading_zeros()) & !1);
        while bit != 0 {
            if rem >= res + bit {
                rem -= res + bit;
                res = (res >> 1) + bit;
            } else {
                res >>= 1;
            }
            bit >>= 2;
        }
        res as u64
    }

    #[test]
    fn table() {
        // (x, floor(sqrt(x)))
        let cases: &[(u128, u64)] = &[
            (0, 0),
            (1, 1),
            (2, 1),
            (3, 1),
            (4, 2),
            (99, 9),
            (100, 10),
            ((1u128 << 104) * 4, 2 << 52), // sqrt(4) in Q52
            (u128::MAX, u64::MAX),         // floor(sqrt(2^128 - 1)) = 2^64 - 1
            ((1u128 << 64) - 1, (1u64 << 32) - 1),
            (1u128 << 126, 1 << 63),
            ((1u128 << 126) - 1, (1 << 63) - 1),
        ];
        for &(x, want) in cases {
            assert_eq!(sqrt_u128(x), want, "sqrt({x})");
        }
    }

    #[test]
    fn equals_bitwise() {
        let mut s: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for i in 0..200_000u32 {
            let x = ((u128::from(next()) << 64) | u128::from(next())) >> (i % 128);
            assert_eq!(sqrt_u128(x), sqrt_bitwise(x), "sqrt({x})");
            // Around perfect squares, where a floor is easiest to get wrong.
            let r = u128::from(next() >> (i % 64));
            let sq = r * r;
            for x in [sq.wrapping_sub(1), sq, sq + 1, sq + 2 * r, sq.saturating_add(2 * r + 1)] {
                assert_eq!(sqrt_u128(x), sqrt_bitwise(x), "sqrt({x})");
            }
        }
        for x in 0..5_000u128 {
            assert_eq!(sqrt_u128(x), sqrt_bitwise(x), "sqrt({x})");
        }
        for x in [u128::MAX, u128::MAX - 1, (u128::from(u64::MAX)) * u128::from(u64::MAX), 1u128 << 127] {
            assert_eq!(sqrt_u128(x), sqrt_bitwise(x), "sqrt({x})");
        }
    }
}
