//! Standard normal CDF `N(x)` and pdf `phi(x)` from a table over [0, 9] with step 1/32 and
//! quintic Hermite interpolation (value, first and second derivative at both nodes).
//! No exp, no division: one table lookup and two degree-5 Horner evaluations.
//!
//! The table holds the upper tail `Q(x) = 1 - N(x) = N(-x)` rather than `N`, so small
//! probabilities keep their absolute accuracy. Beyond 9 the tail (< 1.2e-19) and the pdf
//! (< 1.1e-18) are 0. Measured interpolation error (tools/gen_tables.py, exact rationals):
//! tail 4.7e-14, pdf 1.2e-13.

use super::tables::{NORMAL, NORMAL_NODES, NORMAL_STEPS};
use super::{ONE_Q62, Q62};
use crate::fixed::{shr_round, Fx, Rounding, FX_FRAC};

/// Bits of `x` (Q52) below the node index: step 1/32 = 2^-5.
const T_BITS: u32 = FX_FRAC - NORMAL_STEPS.trailing_zeros();
/// log2(step) for the derivative scaling h = 2^-5.
const H_SHIFT: u32 = NORMAL_STEPS.trailing_zeros();

/// `Q(x)` and `phi(x)` at one point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TailPdf {
    /// `1 - N(|x|)`, Q62.
    pub tail: i128,
    /// `phi(x)`, Q62.
    pub pdf: i128,
}

/// Quintic Hermite on [0, 1] from `f`, `h f'`, `h^2 f''` at both ends, evaluated at `t` (Q62).
fn hermite(f0: i128, g1: i128, g2: i128, f1: i128, e1: i128, e2: i128, t: i128) -> i128 {
    let c2 = g2 >> 1;
    let a = f1 - f0 - g1 - c2;
    let b = e1 - g1 - 2 * c2;
    let c = e2 - 2 * c2;
    let c3 = 10 * a - 4 * b + (c >> 1);
    let c4 = -15 * a + 7 * b - c;
    let c5 = 6 * a - 3 * b + (c >> 1);
    let mut p = c5;
    for coeff in [c4, c3, c2, g1, f0] {
        p = coeff + shr_round(p * t, Q62, Rounding::Nearest);
    }
    p
}

/// Tail and pdf at `|x|` (`x` in Q52).
pub fn tail_pdf(x: Fx) -> TailPdf {
    let ax = x.0.unsigned_abs();
    let i = (ax >> T_BITS) as usize;
    if i + 1 >= NORMAL_NODES {
        return TailPdf { tail: 0, pdf: 0 };
    }
    let t = i128::from(ax & ((1u64 << T_BITS) - 1)) << (Q62 - T_BITS);
    let [q0, p0, d0, s0] = NORMAL[i].map(i128::from);
    let [q1, p1, d1, s1] = NORMAL[i + 1].map(i128::from);
    let h1 = H_SHIFT;
    let h2 = 2 * H_SHIFT;
    // Q' = -phi, Q'' = -phi'; phi' and phi'' come straight from the table.
    let tail = hermite(
        q0,
        -(p0 >> h1),
        -(d0 >> h2),
        q1,
        -(p1 >> h1),
        -(d1 >> h2),
        t,
    );
    let pdf = hermite(p0, d0 >> h1, s0 >> h2, p1, d1 >> h1, s1 >> h2, t);
    TailPdf {
        tail: tail.max(0),
        pdf: pdf.max(0),
    }
}

/// `(N(x), N(-x))` in Q62 from one table evaluation.
pub fn cdf_pair_q62(x: Fx) -> (i128, i128, i128) {
    let tp = tail_pdf(x);
    if x.0 >= 0 {
        (ONE_Q62 - tp.tail, tp.tail, tp.pdf)
    } else {
        (tp.tail, ONE_Q62 - tp.tail, tp.pdf)
    }
}

/// Narrows Q62 to Q52, to nearest.
pub fn q62_to_fx(x: i128) -> Fx {
    Fx(shr_round(x, Q62 - FX_FRAC, Rounding::Nearest) as i64)
}

/// Standard normal CDF `N(x)`, Q52. Absolute error < 1e-13.
pub fn normal_cdf(x: Fx) -> Fx {
    q62_to_fx(cdf_pair_q62(x).0)
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
            (Fx::ZERO, Fx::HALF),                   // N(0) = 1/2
            (Fx::from_int(10).unwrap(), Fx::ONE),   // N(10) = 1 - 7.6e-24
            (Fx::from_int(-10).unwrap(), Fx::ZERO), // N(-10) = 7.6e-24
            (
                Fx::from_int(1).unwrap(),
                Fx::ratio(8_413_447_460_685_429, 10_000_000_000_000_000),
            ), // N(1) = 0.8413447460685429...
        ];
        for &(x, want) in cases {
            let got = normal_cdf(x);
            assert!(
                ((got.0 - want.0) as f64).abs() <= tol,
                "N({x:?}) = {got:?}, want {want:?}"
            );
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
}
