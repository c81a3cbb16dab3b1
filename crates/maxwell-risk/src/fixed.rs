//! Binary fixed point on `i64` with `i128` intermediates.
//!
//! - [`Fx`]: Q11.52 (`raw / 2^52`), range +-2048, resolution 2.2e-16. Dimensionless model
//!   quantities: log-moneyness, total volatility, d1/d2, N(x), prices normalised by a
//!   forward or strike, deltas, SVI parameters, shock sizes.
//! - [`Wide`]: Q23.40 (`raw / 2^40`), range +-8.4e6, resolution 9.1e-13. Normalised gamma,
//!   vega and theta, which grow like 1/(sigma sqrt T) or 1/sqrt(T) when T or sigma is small.
//!
//! Every operation is checked and states its rounding: `*_floor`, `*_ceil` or `*_round`
//! (to nearest, ties up). Shifts replace divisions wherever the scale is a power of two.

use crate::RiskError;

/// Fractional bits of [`Fx`].
pub const FX_FRAC: u32 = 52;
/// Fractional bits of [`Wide`].
pub const WIDE_FRAC: u32 = 40;

/// Q11.52 fixed point (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Fx(pub i64);

/// Q23.40 fixed point for the normalised gamma, vega and theta.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Wide(pub i64);

/// Rounding direction of a narrowing step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Toward minus infinity.
    Floor,
    /// Toward plus infinity.
    Ceil,
    /// To nearest, ties toward plus infinity.
    Nearest,
}

/// `x / 2^s` rounded as asked (`s < 127`).
pub fn shr_round(x: i128, s: u32, r: Rounding) -> i128 {
    if s == 0 {
        return x;
    }
    match r {
        Rounding::Floor => x >> s,
        Rounding::Ceil => -((-x) >> s),
        Rounding::Nearest => (x + (1i128 << (s - 1))) >> s,
    }
}

/// Narrows to `i64` or reports [`RiskError::Overflow`].
pub fn to_i64(x: i128) -> Result<i64, RiskError> {
    i64::try_from(x).map_err(|_| RiskError::Overflow)
}

/// `a * b` in `i128`, checked.
pub fn mul_i128(a: i128, b: i128) -> Result<i128, RiskError> {
    a.checked_mul(b).ok_or(RiskError::Overflow)
}

impl Fx {
    pub const ZERO: Fx = Fx(0);
    pub const ONE: Fx = Fx(1 << FX_FRAC);
    pub const HALF: Fx = Fx(1 << (FX_FRAC - 1));
    pub const MAX: Fx = Fx(i64::MAX);

    /// `n` as a fixed-point number (checked).
    pub fn from_int(n: i64) -> Result<Fx, RiskError> {
        n.checked_mul(1 << FX_FRAC).map(Fx).ok_or(RiskError::Overflow)
    }

    /// `num / den` rounded to nearest (a compile-time or setup helper, not for hot paths).
    pub const fn ratio(num: i64, den: i64) -> Fx {
        let n = (num as i128) << FX_FRAC;
        let d = den as i128;
        Fx(((2 * n + d) / (2 * d)) as i64)
    }

    /// `bps / 10_000` exactly rounded to nearest (setup helper).
    pub const fn from_bps(bps: i64) -> Fx {
        Fx::ratio(bps, 10_000)
    }

    pub fn checked_add(self, o: Fx) -> Result<Fx, RiskError> {
        self.0.checked_add(o.0).map(Fx).ok_or(RiskError::Overflow)
    }

    pub fn checked_sub(self, o: Fx) -> Result<Fx, RiskError> {
        self.0.checked_sub(o.0).map(Fx).ok_or(RiskError::Overflow)
    }

    /// `self * o` rounded as asked.
    pub fn mul(self, o: Fx, r: Rounding) -> Result<Fx, RiskError> {
        let p = i128::from(self.0) * i128::from(o.0); // |p| < 2^126: no overflow
        to_i64(shr_round(p, FX_FRAC, r)).map(Fx)
    }

    /// `self * o` rounded to nearest.
    pub fn mul_round(self, o: Fx) -> Result<Fx, RiskError> {
        self.mul(o, Rounding::Nearest)
    }

    /// Absolute value (checked: `i64::MIN` has none).
    pub fn abs(self) -> Result<Fx, RiskError> {
        self.0.checked_abs().map(Fx).ok_or(RiskError::Overflow)
    }

    /// `u64 * self` in quote units, rounded as asked: `amount * raw / 2^52`.
    pub fn scale_u64(self, amount: u64, r: Rounding) -> Result<i64, RiskError> {
        let p = i128::from(amount) * i128::from(self.0); // < 2^127
        to_i64(shr_round(p, FX_FRAC, r))
    }

    /// Conversion to [`Wide`], rounded to nearest.
    pub fn to_wide(self) -> Wide {
        Wide(shr_round(i128::from(self.0), FX_FRAC - WIDE_FRAC, Rounding::Nearest) as i64)
    }
}

impl Wide {
    pub const ZERO: Wide = Wide(0);
    pub const MAX: Wide = Wide(i64::MAX);
    pub const MIN: Wide = Wide(i64::MIN);

    /// Saturating narrowing of an `i128` already in Q40.
    pub fn saturate(x: i128) -> Wide {
        Wide(x.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }

    /// `u64 * self` rounded as asked: `amount * raw / 2^40`.
    pub fn scale_u64(self, amount: u64, r: Rounding) -> Result<i64, RiskError> {
        let p = i128::from(amount) * i128::from(self.0);
        to_i64(shr_round(p, WIDE_FRAC, r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_table() {
        // (x, shift, rounding, expected = the exact quotient rounded as named)
        let cases: &[(i128, u32, Rounding, i128)] = &[
            (7, 1, Rounding::Floor, 3),     // 3.5 -> 3
            (7, 1, Rounding::Ceil, 4),      // 3.5 -> 4
            (7, 1, Rounding::Nearest, 4),   // 3.5 -> 4 (ties up)
            (-7, 1, Rounding::Floor, -4),   // -3.5 -> -4
            (-7, 1, Rounding::Ceil, -3),    // -3.5 -> -3
            (-7, 1, Rounding::Nearest, -3), // -3.5 -> -3 (ties up)
            (5, 2, Rounding::Nearest, 1),   // 1.25 -> 1
            (8, 2, Rounding::Ceil, 2),      // exact
        ];
        for &(x, s, r, want) in cases {
            assert_eq!(shr_round(x, s, r), want, "{x} >> {s} {r:?}");
        }
    }

    #[test]
    fn products() {
        let three_halves = Fx::ratio(3, 2);
        assert_eq!(three_halves.mul_round(three_halves).unwrap(), Fx::ratio(9, 4)); // 1.5^2
        assert_eq!(Fx::from_bps(5_000), Fx::HALF);
        assert_eq!(Fx::HALF.scale_u64(3, Rounding::Floor).unwrap(), 1); // floor(1.5)
        assert_eq!(Fx::HALF.scale_u64(3, Rounding::Ceil).unwrap(), 2); // ceil(1.5)
        assert_eq!(Fx::ONE.to_wide(), Wide(1 << WIDE_FRAC));
        assert_eq!(Fx::from_int(4096), Err(RiskError::Overflow)); // beyond +-2048
    }
}
