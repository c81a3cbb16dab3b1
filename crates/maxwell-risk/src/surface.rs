//! Volatility surface per expiry: raw SVI (Gatheral) in total variance,
//! `w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2))`, `k = ln(K/F)`, `w = vol^2 T`.
//! Parameters are [`Fx`] raw values (Q52). Validation refuses each kind of bad surface with
//! its own error.

use crate::black76::V_MAX;
use crate::fixed::{shr_round, Fx, Rounding, FX_FRAC};
use crate::math::sqrt::sqrt_u128;
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
        let x = i128::from(k.0) - i128::from(self.m);
        let x2 = x.checked_mul(x).ok_or(RiskError::Overflow)?;
        let s2 = i128::from(self.sigma) * i128::from(self.sigma);
        let root = i128::from(sqrt_u128((x2 + s2) as u128)); // Q52
        let inner = shr_round(i128::from(self.rho) * x, FX_FRAC, Rounding::Nearest) + root;
        let w = (i128::from(self.a) << FX_FRAC) + i128::from(self.b) * inner;
        let w = shr_round(w, FX_FRAC, Rounding::Nearest).max(0);
        i64::try_from(w).map(Fx).map_err(|_| RiskError::Overflow)
    }

    /// Total volatility `sqrt(w(k)) * (1 + shock)` in Q62 for `k` in Q62.
    pub fn total_vol_q62(&self, k_q62: i128, shock: Fx) -> Result<i128, RiskError> {
        let k = shr_round(k_q62, 62 - FX_FRAC, Rounding::Nearest);
        let k = Fx(k.clamp(-(64i128 << FX_FRAC), 64i128 << FX_FRAC) as i64);
        let w = self.total_variance(k)?;
        // w (Q52, <= 2^11) -> Q120 -> sqrt Q60 -> Q62.
        let v = i128::from(sqrt_u128((w.0 as u128) << (120 - FX_FRAC))) << 2;
        let factor = i128::from(Fx::ONE.checked_add(shock)?.0.max(0));
        let p = v.checked_mul(factor).ok_or(RiskError::Overflow)?;
        Ok(shr_round(p, FX_FRAC, Rounding::Nearest))
    }
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
            a: Fx::from_bps(100).0,    // 0.01
            b: Fx::from_bps(1_000).0,  // 0.1
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
        let p = SviParams { a: Fx::from_bps(100).0, b: Fx::from_bps(1_000).0, rho: Fx::from_bps(-5_000).0, m: 0, sigma: Fx::from_bps(2_000).0 };
        let k = 1i128 << 60; // 0.25
        let base = p.total_vol_q62(k, Fx::ZERO).unwrap();
        let up = p.total_vol_q62(k, Fx::HALF).unwrap();
        assert!((up - base * 3 / 2).abs() <= 4); // v(k) * 1.5 at every strike
    }
}
