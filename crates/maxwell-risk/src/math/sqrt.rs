//! Integer square root: `floor(sqrt(x))` for `x: u128`, bit by bit (no division, no
//! recursion, at most 64 iterations of shifts, compares and subtractions).
//! A number in Q(2f) has its square root in Q(f): `sqrt_u128(t_q104)` is `sqrt(t)` in Q52.

/// `floor(sqrt(x))`.
pub fn sqrt_u128(x: u128) -> u64 {
    if x == 0 {
        return 0;
    }
    let mut rem = x;
    let mut res: u128 = 0;
    // Highest power of four <= x.
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
    res as u64 // sqrt(2^128) = 2^64: fits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        // (x, floor(sqrt(x)))
        let cases: &[(u128, u64)] = &[
            (0, 0),
            (1, 1),
            (3, 1),
            (4, 2),
            (99, 9),
            (100, 10),
            ((1u128 << 104) * 4, 2 << 52), // sqrt(4) in Q52
            (u128::MAX, u64::MAX),         // floor(sqrt(2^128 - 1)) = 2^64 - 1
            ((1u128 << 64) - 1, (1u64 << 32) - 1),
        ];
        for &(x, want) in cases {
            assert_eq!(sqrt_u128(x), want, "sqrt({x})");
        }
    }

    #[test]
    fn floor_property() {
        let mut x: u128 = 12345;
        for _ in 0..200 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = u128::from(sqrt_u128(x));
            assert!(r * r <= x && (r + 1).checked_mul(r + 1).is_none_or(|s| s > x));
        }
    }
}
