//! Standard normal CDF `N(x)` and pdf `phi(x)` from a table over [0, 9] with step 1/32 and
//! quintic Hermite interpolation (value, first and second derivative at both nodes).
//! No exp, no division: one table lookup and two degree-5 Horner evaluations.
//!
//! The table holds the upper tail `Q(x) = 1 - N(x) = N(-x)` rather than `N`, so small
//! probabilities keep their absolute accuracy. Beyond 9 the tail (< 1.2e-19) and the pdf
//! (< 1.1e-18) are 0. Measured interpolation error (tools/gen_tables.py, exact rationals):
//! tail 4.7e-14, pdf 1.2e-13.

use super::tables::{NORMAL, NORMAL_NODES, NORMAL_ROWS, NORMAL_STEPS};
use super::wide::mul_shr_round;
use super::Q62;
use crate::fixed::{Fx, FX_FRAC};

/// 1.0 in Q62 as `i64`.
const ONE_Q62: i64 = 1 << Q62;

/// Bits of `x` (Q52) below the node index: step 1/32 = 2^-5.
const T_BITS: u32 = FX_FRAC - NORMAL_STEPS.trailing_zeros();
/// log2(step) for the derivative scaling h = 2^-5.
const H_SHIFT: u32 = NORMAL_STEPS.trailing_zeros();

/// `Q(x)` and `phi(x)` at one point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TailPdf {
    /// `1 - N(|x|)`, Q62.
    pub tail: i64,
    /// `phi(x)`, Q62.
    pub pdf: i64,
}

/// Quintic Hermite on [0, 1] from `f`, `h f'`, `h^2 f''` at both ends, evaluated at `t` (Q62).
///
/// All in `i64` (no `i128`: each `i128` product is a `__multi3` call on SBF). The operands are
/// table values (< 2^62) and their differences; `coefficients_fit_i64` checks on every
/// interval of the table that each step equals the `i128` computation and that the Horner
/// partial sums stay below 2^63, so the wrapping operations below never wrap.
#[inline(always)]
fn hermite(f0: i64, g1: i64, g2: i64, f1: i64, e1: i64, e2: i64, t: u64) -> i64 {
    let [c5, c4, c3, c2, g1, f0] = hermite_coefficients(f0, g1, g2, f1, e1, e2);
    let mut p = c5;
    for coeff in [c4, c3, c2, g1, f0] {
        p = coeff.wrapping_add(mul_shr_round(p, t, Q62));
    }
    p
}

/// Node index and position `t` (Q62) of `|x|`, or `None` beyond the table (tail and pdf 0).
#[inline(always)]
fn locate(x: Fx) -> Option<(usize, u64)> {
    let ax = x.0.unsigned_abs();
    let i = (ax >> T_BITS) as usize;
    if i + 1 >= NORMAL_NODES {
        return None;
    }
    Some((i, (ax & ((1u64 << T_BITS) - 1)) << (Q62 - T_BITS)))
}

/// The coefficients `[c5, c4, c3, c2, c1, c0]` [`hermite`] derives from its six inputs, by
/// the same wrapping operations (a `const fn`, so tables of them are built at compile time).
const fn hermite_coefficients(f0: i64, g1: i64, g2: i64, f1: i64, e1: i64, e2: i64) -> [i64; 6] {
    let c2 = g2 >> 1;
    let a = f1.wrapping_sub(f0).wrapping_sub(g1).wrapping_sub(c2);
    let b = e1.wrapping_sub(g1).wrapping_sub(c2 << 1);
    let c = e2.wrapping_sub(c2 << 1);
    let c3 = (a.wrapping_mul(10)).wrapping_sub(b << 2).wrapping_add(c >> 1);
    let c4 = (b.wrapping_mul(7)).wrapping_sub(a.wrapping_mul(15)).wrapping_sub(c);
    let c5 = (a.wrapping_mul(6)).wrapping_sub(b.wrapping_mul(3)).wrapping_add(c >> 1);
    [c5, c4, c3, c2, g1, f0]
}

/// The inputs of the tail's interpolation on interval `i` (Q' = -phi, Q'' = -phi').
const fn tail_inputs(rows: &[[i64; 4]; NORMAL_NODES], i: usize) -> [i64; 6] {
    let [q0, p0, d0, _] = rows[i];
    let [q1, p1, d1, _] = rows[i + 1];
    let (h1, h2) = (H_SHIFT, 2 * H_SHIFT);
    [q0, -(p0 >> h1), -(d0 >> h2), q1, -(p1 >> h1), -(d1 >> h2)]
}

/// Per interval, the tail's polynomial coefficients: [`tail_at`] then costs the Horner
/// evaluation alone (the crank evaluates the tail twice per scenario).
static TAIL_POLY: [[i64; 6]; NORMAL_NODES - 1] = {
    let mut out = [[0i64; 6]; NORMAL_NODES - 1];
    let mut i = 0;
    while i < NORMAL_NODES - 1 {
        let [f0, g1, g2, f1, e1, e2] = tail_inputs(&NORMAL_ROWS, i);
        out[i] = hermite_coefficients(f0, g1, g2, f1, e1, e2);
        i += 1;
    }
    out
};

/// `Q(|x|) = 1 - N(|x|)` alone, Q62: the same value as [`hermite`] on the interval's inputs.
#[inline(always)]
fn tail_at(i: usize, t: u64) -> i64 {
    let [c5, c4, c3, c2, c1, c0] = TAIL_POLY[i];
    let mut p = c5;
    for coeff in [c4, c3, c2, c1, c0] {
        p = coeff.wrapping_add(mul_shr_round(p, t, Q62));
    }
    p.max(0)
}

/// Tail and pdf at `|x|` (`x` in Q52).
pub fn tail_pdf(x: Fx) -> TailPdf {
    let Some((i, t)) = locate(x) else {
        return TailPdf { tail: 0, pdf: 0 };
    };
    let [_, p0, d0, s0] = NORMAL[i];
    let [_, p1, d1, s1] = NORMAL[i + 1];
    let (h1, h2) = (H_SHIFT, 2 * H_SHIFT);
    // phi' and phi'' come straight from the table.
    let pdf = hermite(p0, d0 >> h1, s0 >> h2, p1, d1 >> h1, s1 >> h2, t);
    TailPdf { tail: tail_at(i, t), pdf: pdf.max(0) }
}

/// `Q(|x|)`, Q62 (the pdf is not computed).
pub fn tail_q62(x: Fx) -> i64 {
    match locate(x) {
        Some((i, t)) => tail_at(i, t),
        None => 0,
    }
}

/// `(N(x), N(-x), phi(x))` in Q62 from one table evaluation.
pub fn cdf_pair_q62(x: Fx) -> (i64, i64, i64) {
    let tp = tail_pdf(x);
    if x.0 >= 0 {
        (ONE_Q62 - tp.tail, tp.tail, tp.pdf)
    } else {
        (tp.tail, ONE_Q62 - tp.tail, tp.pdf)
    }
}

/// `(N(x), N(-x))` in Q62 (no pdf).
pub fn cdf_only_pair_q62(x: Fx) -> (i64, i64) {
    let tail = tail_q62(x);
    if x.0 >= 0 {
        (ONE_Q62 - tail, tail)
    } else {
        (tail, ONE_Q62 - tail)
    }
}

/// Narrows Q62 to Q52, to nearest.
#[inline(always)]
pub fn q62_to_fx(x: i64) -> Fx {
    // (x + 2^9) >> 10 without overflow for x near i64::MAX: x >> 10 plus the rounding bit.
    Fx((x >> (Q62 - FX_FRAC)) + ((x >> (Q62 - FX_FRAC - 1)) & 1))
}

/// Standard normal CDF `N(x)`, Q52. Absolute error < 1e-13.
pub fn normal_cdf(x: Fx) -> Fx {
    q62_to_fx(cdf_only_pair_q62(x).0)
}

/// Standard normal pdf `phi(x)`, Q52. Absolute error < 2e-13.
pub fn normal_pdf(x: Fx) -> Fx {
    q62_to_fx(tail_pdf(x).pdf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        // (x, expected as the formula it comes from, tolerance)
        let tol = 1e-13 * (1u64 << 52) as f64;
        let cases: &[(Fx, Fx)] = &[
            (Fx::ZERO, Fx::HALF),                                                                 // N(0) = 1/2
            (Fx::from_int(10).unwrap(), Fx::ONE),                                                 // N(10) = 1 - 7.6e-24
            (Fx::from_int(-10).unwrap(), Fx::ZERO),                                               // N(-10) = 7.6e-24
            (Fx::from_int(1).unwrap(), Fx::ratio(8_413_447_460_685_429, 10_000_000_000_000_000)), // N(1) = 0.8413447460685429...
        ];
        for &(x, want) in cases {
            let got = normal_cdf(x);
            assert!(((got.0 - want.0) as f64).abs() <= tol, "N({x:?}) = {got:?}, want {want:?}");
        }
        // phi(0) = 1/sqrt(2 pi) = 0.3989422804014327
        let phi0 = Fx::ratio(3_989_422_804_014_327, 10_000_000_000_000_000);
        assert!(((normal_pdf(Fx::ZERO).0 - phi0.0) as f64).abs() <= tol);
        assert_eq!(normal_pdf(Fx::from_int(9).unwrap()), Fx::ZERO); // phi(9) = 1.03e-18 -> 0
    }

    #[test]
    fn symmetry_is_exact() {
        // N(x) + N(-x) = 1 to the last bit of Q62 (one table value serves both).
        for raw in [1i64, 12345, 1 << 50, 3 << 52, 77 << 48] {
            let (a, b, _) = cdf_pair_q62(Fx(raw));
            let (c, d, _) = cdf_pair_q62(Fx(-raw));
            assert_eq!(a + b, ONE_Q62);
            assert_eq!((a, b), (d, c));
        }
    }

    /// The former all-`i128` Hermite evaluation (the reference the `i64` one must equal).
    fn hermite_i128(f0: i128, g1: i128, g2: i128, f1: i128, e1: i128, e2: i128, t: i128) -> (i128, [i128; 6], i128) {
        use crate::fixed::{shr_round, Rounding};
        let c2 = g2 >> 1;
        let a = f1 - f0 - g1 - c2;
        let b = e1 - g1 - 2 * c2;
        let c = e2 - 2 * c2;
        let c3 = 10 * a - 4 * b + (c >> 1);
        let c4 = -15 * a + 7 * b - c;
        let c5 = 6 * a - 3 * b + (c >> 1);
        let mut p = c5;
        let mut bound = c5.abs();
        for coeff in [c4, c3, c2, g1, f0] {
            p = coeff + shr_round(p * t, Q62, Rounding::Nearest);
            bound += coeff.abs();
        }
        (p, [c5, c4, c3, c2, g1, f0], bound)
    }

    fn reference(x: Fx) -> (i128, i128) {
        let Some((i, t)) = locate(x) else { return (0, 0) };
        let [q0, p0, d0, s0] = NORMAL[i].map(i128::from);
        let [q1, p1, d1, s1] = NORMAL[i + 1].map(i128::from);
        let t = i128::from(t);
        let (h1, h2) = (H_SHIFT, 2 * H_SHIFT);
        let tail = hermite_i128(q0, -(p0 >> h1), -(d0 >> h2), q1, -(p1 >> h1), -(d1 >> h2), t).0;
        let pdf = hermite_i128(p0, d0 >> h1, s0 >> h2, p1, d1 >> h1, s1 >> h2, t).0;
        (tail.max(0), pdf.max(0))
    }

    #[test]
    fn coefficients_fit_i64() {
        // Every interval: the Horner partial sums are bounded by the sum of |coefficients|,
        // which must stay below 2^63 for the wrapping i64 arithmetic to be exact.
        for i in 0..NORMAL_NODES - 1 {
            let [q0, p0, d0, s0] = NORMAL[i].map(i128::from);
            let [q1, p1, d1, s1] = NORMAL[i + 1].map(i128::from);
            let (h1, h2) = (H_SHIFT, 2 * H_SHIFT);
            for args in [(q0, -(p0 >> h1), -(d0 >> h2), q1, -(p1 >> h1), -(d1 >> h2)), (p0, d0 >> h1, s0 >> h2, p1, d1 >> h1, s1 >> h2)] {
                let (_, coeffs, bound) = hermite_i128(args.0, args.1, args.2, args.3, args.4, args.5, 0);
                assert!(bound < 1 << 63, "interval {i}");
                for c in coeffs {
                    assert!(i64::try_from(c).is_ok(), "interval {i}");
                }
            }
        }
    }

    #[test]
    fn equals_i128_reference() {
        // Bit-identical to the former i128 evaluation: every node, both ends of every
        // interval and pseudo-random points in [-9.5, 9.5].
        let mut pts: Vec<i64> = (0..NORMAL_NODES as i64 + 2).map(|i| i << T_BITS).collect();
        pts.extend((0..NORMAL_NODES as i64).map(|i| ((i + 1) << T_BITS) - 1));
        let mut r: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..100_000 {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            pts.push((r % (19u64 << FX_FRAC)) as i64 - (19i64 << (FX_FRAC - 1)));
        }
        for &raw in &pts {
            for x in [Fx(raw), Fx(-raw)] {
                let (tail, pdf) = reference(x);
                let got = tail_pdf(x);
                assert_eq!((i128::from(got.tail), i128::from(got.pdf)), (tail, pdf), "x = {x:?}");
                assert_eq!(i128::from(tail_q62(x)), tail);
                let n = if x.0 >= 0 { (1i128 << Q62) - tail } else { tail };
                let want = crate::fixed::shr_round(n, Q62 - FX_FRAC, crate::fixed::Rounding::Nearest);
                assert_eq!(i128::from(normal_cdf(x).0), want);
            }
        }
    }
}
