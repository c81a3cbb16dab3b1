//! Volatility surface per expiry: raw SVI (Gatheral) in total variance,
//! `w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2))`, `k = ln(K/F)`, `w = vol^2 T`.
//! Parameters are [`Fx`] raw values (Q52). Validation refuses each kind of bad surface with
//! its own error.

use crate::black76::V_MAX;
use crate::fixed::{shr_round, Fx, Rounding, FX_FRAC};
use crate::math::sqrt::sqrt_u128;
use crate::math::wide::{smul_shr_round, umul_shr_round_u128, umul_wide};
use crate::RiskError;

/// |a| bound (total variance; 4 = 200% vol over one year).
pub const SVI_A_MAX: Fx = Fx(4 << FX_FRAC);
/// |m| bound (log-moneyness of the smile's vertex).
pub const SVI_M_MAX: Fx = Fx(2 << FX_FRAC);
/// sigma (smoothing) bound.
pub const SVI_SIGMA_MAX: Fx = Fx(4 << FX_FRAC);

/// Raw SVI parameters, Q52 raw values (stored as plain `i64`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
#[cfg_attr(feature = "bytemuck", derive(bytemuck::Pod, bytemuck::Zeroable))]
pub struct SviParams {
    pub a: i64,
    pub b: i64,
    pub rho: i64,
    pub m: i64,
    pub sigma: i64,
}

impl SviParams {
    /// Checks every parameter; the first failing rule decides the error.
    pub fn validate(&self) -> Result<(), RiskError> {
        if self.b < 0 {
            return Err(RiskError::SviNegativeB);
        }
        if self.rho.unsigned_abs() >= Fx::ONE.0 as u64 {
            return Err(RiskError::SviRhoOutOfRange);
        }
        if self.sigma <= 0 {
            return Err(RiskError::SviSigmaNonPositive);
        }
        let out = |x: i64, max: Fx| x.unsigned_abs() > max.0 as u64;
        if out(self.a, SVI_A_MAX) || out(self.m, SVI_M_MAX) || out(self.sigma, SVI_SIGMA_MAX) {
            return Err(RiskError::SviParamOutOfBounds);
        }
        // Lee's moment bound on the wings: b (1 + |rho|) <= 2.
        let wing = i128::from(self.b) * (i128::from(Fx::ONE.0) + i128::from(self.rho.abs()));
        if wing > 2i128 << (2 * FX_FRAC) {
            return Err(RiskError::SviWingTooSteep);
        }
        if self.min_variance_q104() < 0 {
            return Err(RiskError::NegativeTotalVariance);
        }
        let v_max = i128::from(V_MAX.0);
        if i128::from(self.total_variance(Fx::ZERO)?.0) << FX_FRAC > v_max * v_max {
            return Err(RiskError::SviAtmVarianceTooLarge);
        }
        Ok(())
    }

    /// Minimum of `w`: `a + b sigma sqrt(1 - rho^2)`, Q104, rounded down.
    fn min_variance_q104(&self) -> i128 {
        let one = 1u128 << (2 * FX_FRAC);
        let rho2 = (i128::from(self.rho) * i128::from(self.rho)) as u128;
        let root = i128::from(sqrt_u128(one - rho2)); // Q52, floor
        let bs = shr_round(i128::from(self.b) * i128::from(self.sigma), FX_FRAC, Rounding::Floor);
        (i128::from(self.a) << FX_FRAC) + bs * root
    }

    /// Total variance `w(k)`, Q52, to nearest (and never below 0).
    pub fn total_variance(&self, k: Fx) -> Result<Fx, RiskError> {
        match self.total_variance_words(k) {
            Some(w) => Ok(w),
            None => self.total_variance_wide(k),
        }
    }

    /// `w(k)` in `i64` words for parameters within the validation bounds and `|k| <= 64`
    /// (every stored surface, every clamped `k`): the same value as [`Self::total_variance_wide`]
    /// bit for bit (`x^2` exact as a word product, `(a 2^52 + b inner + 2^51) >> 52 =
    /// a + round(b inner / 2^52)`), without `i128` products. `None` outside those bounds.
    #[inline(always)]
    fn total_variance_words(&self, k: Fx) -> Option<Fx> {
        const K_MAX: u64 = 64 << FX_FRAC;
        // b (1 + |rho|) <= 2 gives b <= 2; |rho| < 1; |a| <= 4; |m| <= 2; 0 < sigma <= 4.
        let in_bounds = k.0.unsigned_abs() <= K_MAX
            && (0..=2 << FX_FRAC).contains(&self.b)
            && self.rho.unsigned_abs() < 1 << FX_FRAC
            && self.a.unsigned_abs() <= SVI_A_MAX.0 as u64
            && self.m.unsigned_abs() <= SVI_M_MAX.0 as u64
            && self.sigma > 0
            && self.sigma <= SVI_SIGMA_MAX.0;
        if !in_bounds {
            return None;
        }
        let x = k.0 - self.m; // |x| <= 66 in Q52 < 2^59
        let ax = x.unsigned_abs();
        let (xh, xl) = umul_wide(ax, ax); // < 2^118
        let (sh, sl) = umul_wide(self.sigma as u64, self.sigma as u64); // <= 2^108
        let (lo, carry) = xl.overflowing_add(sl);
        let sum = (u128::from(xh + sh + u64::from(carry)) << 64) | u128::from(lo);
        let root = sqrt_u128(sum) as i64; // Q52, < 2^60
                                          // |rho x| < 2^111 >> 52; inner < 2^61; |b inner| < 2^114 >> 52 < 2^62.
        let inner = smul_shr_round(self.rho, x, FX_FRAC) + root;
        let w = self.a + smul_shr_round(self.b, inner, FX_FRAC);
        Some(Fx(w.max(0)))
    }

    /// `w(k)` with `i128` intermediates: any parameters (unvalidated ones included).
    fn total_variance_wide(&self, k: Fx) -> Result<Fx, RiskError> {
        let x = i128::from(k.0) - i128::from(self.m);
        let x2 = x.checked_mul(x).ok_or(RiskError::Overflow)?;
        let s2 = i128::from(self.sigma) * i128::from(self.sigma);
        let root = i128::from(sqrt_u128((x2 + s2) as u128)); // Q52
        let inner = shr_round(i128::from(self.rho) * x, FX_FRAC, Rounding::Nearest) + root;
        let w = (i128::from(self.a) << FX_FRAC) + i128::from(self.b) * inner;
        let w = shr_round(w, FX_FRAC, Rounding::Nearest).max(0);
        i64::try_from(w).map(Fx).map_err(|_| RiskError::Overflow)
    }

    /// Unshocked total volatility `sqrt(w(k))` in Q62 for `k` in Q62 (`k` clamped to +-64).
    pub fn base_vol_q62(&self, k_q62: i128) -> Result<u128, RiskError> {
        let k = shr_round(k_q62, 62 - FX_FRAC, Rounding::Nearest);
        let k = Fx(k.clamp(-(64i128 << FX_FRAC), 64i128 << FX_FRAC) as i64);
        let w = self.total_variance(k)?;
        // w (Q52, >= 0, < 2^60 for validated parameters) -> Q120 -> sqrt Q60 -> Q62.
        Ok(u128::from(sqrt_u128((w.0 as u128) << (120 - FX_FRAC))) << 2)
    }

    /// Total volatility `sqrt(w(k)) * (1 + shock)` in Q62 for `k` in Q62.
    pub fn total_vol_q62(&self, k_q62: i128, shock: Fx) -> Result<i128, RiskError> {
        shock_vol_q62(self.base_vol_q62(k_q62)?, shock)
    }
}

/// `v (1 + shock)`, Q62, to nearest (the factor floors at 0): one word product when `v`
/// fits in a word (total vol below 4), the `i128` product otherwise; the same value.
pub fn shock_vol_q62(v: u128, shock: Fx) -> Result<i128, RiskError> {
    let factor = Fx::ONE.checked_add(shock)?.0.max(0) as u64;
    if let Ok(v64) = u64::try_from(v) {
        // round(v factor / 2^52), ties up, as the i128 shr_round of a non-negative product.
        return Ok(umul_shr_round_u128(v64, factor, FX_FRAC) as i128);
    }
    let p = (v as i128).checked_mul(i128::from(factor)).ok_or(RiskError::Overflow)?;
    Ok(shr_round(p, FX_FRAC, Rounding::Nearest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(w: Fx) -> SviParams {
        // b = 0: w(k) = a everywhere
        SviParams { a: w.0, b: 0, rho: 0, m: 0, sigma: Fx::from_bps(1_000).0 }
    }

    #[test]
    fn variance_table() {
        // (params, k, expected w = the SVI formula evaluated by hand)
        let skew = SviParams {
            a: Fx::from_bps(100).0,      // 0.01
            b: Fx::from_bps(1_000).0,    // 0.1
            rho: Fx::from_bps(-5_000).0, // -0.5
            m: 0,
            sigma: Fx::from_bps(2_000).0, // 0.2
        };
        let cases: &[(SviParams, Fx, Fx)] = &[
            (flat(Fx::from_bps(400)), Fx::ONE, Fx::from_bps(400)), // flat 0.04
            // k = 0: 0.01 + 0.1 * (0 + 0.2) = 0.03
            (skew, Fx::ZERO, Fx::from_bps(300)),
            // k = 0.2: sqrt(0.04 + 0.04) = 0.28284271247461906; 0.01 + 0.1*(-0.1 + 0.2828427...) = 0.028284271247461906
            (skew, Fx::from_bps(2_000), Fx::ratio(28_284_271_247_461_906, 1_000_000_000_000_000_000)),
        ];
        for &(p, k, want) in cases {
            p.validate().unwrap();
            let got = p.total_variance(k).unwrap();
            assert!((got.0 - want.0).abs() <= 64, "w({k:?}) = {got:?} want {want:?}");
        }
    }

    #[test]
    fn refusals() {
        let ok = SviParams { a: Fx::from_bps(100).0, b: Fx::from_bps(1_000).0, rho: 0, m: 0, sigma: Fx::from_bps(1_000).0 };
        ok.validate().unwrap();
        let cases: &[(SviParams, RiskError)] = &[
            (SviParams { b: -1, ..ok }, RiskError::SviNegativeB),
            (SviParams { rho: Fx::ONE.0, ..ok }, RiskError::SviRhoOutOfRange),
            (SviParams { rho: -Fx::ONE.0, ..ok }, RiskError::SviRhoOutOfRange),
            (SviParams { sigma: 0, ..ok }, RiskError::SviSigmaNonPositive),
            (SviParams { a: 5 << FX_FRAC, ..ok }, RiskError::SviParamOutOfBounds),
            (SviParams { m: 3 << FX_FRAC, ..ok }, RiskError::SviParamOutOfBounds),
            (SviParams { b: Fx::from_bps(15_000).0, rho: Fx::from_bps(5_000).0, ..ok }, RiskError::SviWingTooSteep),
            // a + b sigma sqrt(1 - rho^2) = -0.1 + 0.1 * 0.1 < 0
            (SviParams { a: Fx::from_bps(-1_000).0, ..ok }, RiskError::NegativeTotalVariance),
        ];
        for (p, want) in cases {
            assert_eq!(p.validate(), Err(*want), "{p:?}");
        }
        // ATM variance above V_MAX^2 = 100 cannot be built from bounded a and b: a <= 4, b sigma <= 8.
        assert!(flat(Fx(4 << FX_FRAC)).validate().is_ok());
    }

    #[test]
    fn vol_shock_keeps_the_skew_shape() {
        let p =
            SviParams { a: Fx::from_bps(100).0, b: Fx::from_bps(1_000).0, rho: Fx::from_bps(-5_000).0, m: 0, sigma: Fx::from_bps(2_000).0 };
        let k = 1i128 << 60; // 0.25
        let base = p.total_vol_q62(k, Fx::ZERO).unwrap();
        let up = p.total_vol_q62(k, Fx::HALF).unwrap();
        assert!((up - base * 3 / 2).abs() <= 4); // v(k) * 1.5 at every strike
    }

    #[test]
    fn word_path_equals_i128_path() {
        // Random parameters within the validation bounds and k over [-64, 64] (and beyond,
        // where the word path declines): the same w bit for bit.
        let mut s: u64 = 0x6A09_E667_F3BC_C909;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let one = 1i64 << FX_FRAC;
        let mut words = 0;
        for i in 0..200_000u32 {
            let signed = |r: u64, max: i64| (r % (2 * max as u64 + 1)) as i64 - max;
            let rho = signed(next(), one - 1);
            let b_max = ((2i128 << (2 * FX_FRAC)) / (i128::from(one) + i128::from(rho.abs()))) as i64;
            let p = SviParams {
                a: signed(next(), SVI_A_MAX.0),
                b: (next() % (b_max as u64 + 1)) as i64 >> (next() % 50),
                rho,
                m: signed(next(), SVI_M_MAX.0),
                sigma: 1 + ((next() % SVI_SIGMA_MAX.0 as u64) as i64 >> (next() % 50)),
            };
            let k = match i % 4 {
                0 => signed(next(), 64 << FX_FRAC),
                1 => signed(next(), one) >> (next() % 40),
                2 => [64 << FX_FRAC, -(64 << FX_FRAC), 0, p.m][(next() % 4) as usize],
                _ => signed(next(), 100 << FX_FRAC),
            };
            let fast = p.total_variance_words(Fx(k));
            if let Some(w) = fast {
                words += 1;
                assert_eq!(Ok(w), p.total_variance_wide(Fx(k)), "{p:?} k = {k}");
            }
            assert_eq!(p.total_variance(Fx(k)), p.total_variance_wide(Fx(k)));
            let v = (next() as u128) >> (next() % 64) << (next() % 4);
            let shock = signed(next(), 2 * one);
            let factor = i128::from((one + shock).max(0));
            assert_eq!(shock_vol_q62(v, Fx(shock)), Ok(shr_round(v as i128 * factor, FX_FRAC, Rounding::Nearest)));
        }
        assert!(words > 150_000, "{words}");
    }
}
