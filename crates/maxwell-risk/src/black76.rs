//! Black-76 on the forward, undiscounted (premiums are exchanged at trade and settlement is
//! against the expiry price, so values are forward values; a rate would enter through `F`).
//!
//! With `k = ln(K/F)`, total volatility `v = sigma sqrt(T)`, `d1 = -k/v + v/2`, `d2 = d1 - v`:
//! `C = F N(d1) - K N(d2)`, `P = K N(-d2) - F N(-d1)`.
//!
//! Prices are computed normalised by `scale = max(F, K)` with `m = min(F,K)/max(F,K) = e^-|k|`,
//! so every normalised quantity lies in [0, 1] whatever the moneyness:
//! - `K <= F`: `C/F = N(d1) - m N(d2)`, `P/F = m N(-d2) - N(-d1)`;
//! - `K > F`: `C/K = m N(d1) - N(d2)`, `P/K = N(-d2) - m N(-d1)`.
//!
//! Greek units (all per one contract, normalised by the forward `F`):
//! - `delta_call = N(d1)`, `delta_put = -N(-d1)`: dV/dF, dimensionless, Q52.
//! - `gamma = F d2V/dF2 = phi(d1) / v`: change of delta per unit relative move of F, Q40.
//! - `vega = (dV/dsigma) / F = phi(d1) sqrt(T)`: per 1.00 (100 vol points), Q40.
//! - `theta = (dV/dt) / F = -phi(d1) sigma / (2 sqrt(T))`: per year of calendar time, Q40.
//!
//! Cost: one `ln` per option (two integer logarithms, division-free), one `exp` (division-free),
//! one division (`1/v`), two table CDF evaluations sharing the pdf. `sqrt(T)` and `1/sqrt(T)`
//! come precomputed per expiry in [`Tenor`].
//!
//! Edge cases, explicitly:
//! - expired (`T <= 0`) or `v < V_MIN` (2^-40): intrinsic value, delta a step (1/2 at the money),
//!   gamma/vega/theta 0;
//! - `v > V_MAX` (10): total volatility is capped at 10 (a 1000%-vol 1-year option), sigma with it;
//! - deep in/out of the money: `d1`, `d2` clamp at +-16 where N is exactly 0 or 1; `m` underflows to 0;
//! - gamma saturates at the Q40 maximum (8.4e6) when `phi(d1)/v` exceeds it (only for v < ~5e-8);
//! - rounding can put a computed price one ulp outside the no-arbitrage bounds: prices are
//!   clamped to [intrinsic, upper bound] (`C <= F`, `P <= K`).

use crate::fixed::{mul_i128, shr_round, to_i64, Fx, Rounding, Wide, FX_FRAC, WIDE_FRAC};
use crate::math::exp::exp_q62;
use crate::math::ln::ln_ratio_q62;
use crate::math::normal::{cdf_only_pair_q62, cdf_pair_q62};

fn q62_to_fx(x: i128) -> Fx {
    Fx(shr_round(x, Q62 - FX_FRAC, Rounding::Nearest) as i64)
}
use crate::math::{ONE_Q62, Q62};
use crate::units::{Price, Tenor};
use crate::RiskError;

/// Below this total volatility (2^-40) an option is valued at intrinsic.
pub const V_MIN: Fx = Fx(1 << (FX_FRAC - 40));
/// Cap on total volatility `sigma sqrt(T)`.
pub const V_MAX: Fx = Fx(10 << FX_FRAC);
/// Largest accepted annualised volatility input (100 = 10,000%).
pub const SIGMA_MAX: Fx = Fx(100 << FX_FRAC);
const V_MIN_Q62: i128 = (V_MIN.0 as i128) << (Q62 - FX_FRAC);
const V_MAX_Q62: i128 = (V_MAX.0 as i128) << (Q62 - FX_FRAC);
/// `|d1|, |d2|` clamp: N(16) = 1 and phi(16) = 0 in Q62.
const D_MAX: i128 = 16 << FX_FRAC;

/// Call or put; stored as `u8` (0 = call, 1 = put).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum OptionKind {
    Call = 0,
    Put = 1,
}

impl OptionKind {
    /// From the stored byte.
    pub fn from_u8(b: u8) -> Result<OptionKind, RiskError> {
        match b {
            0 => Ok(OptionKind::Call),
            1 => Ok(OptionKind::Put),
            _ => Err(RiskError::InvalidOptionKind),
        }
    }
}

/// Price and Greeks of one (forward, strike, vol, expiry), both kinds at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Black76 {
    /// Forward, quote native per contract.
    pub forward: u64,
    /// `max(F, K)`: the unit of `call` and `put`.
    pub scale: u64,
    /// Call value / scale, Q52.
    pub call: Fx,
    /// Put value / scale, Q52.
    pub put: Fx,
    pub delta_call: Fx,
    pub delta_put: Fx,
    pub gamma: Wide,
    pub vega: Wide,
    pub theta: Wide,
}

impl Black76 {
    /// Value / scale of one kind.
    pub fn price(&self, kind: OptionKind) -> Fx {
        match kind {
            OptionKind::Call => self.call,
            OptionKind::Put => self.put,
        }
    }

    /// Delta of one kind.
    pub fn delta(&self, kind: OptionKind) -> Fx {
        match kind {
            OptionKind::Call => self.delta_call,
            OptionKind::Put => self.delta_put,
        }
    }

    /// Value of one contract in quote native units with 20 fractional bits, to nearest.
    pub fn value_q20(&self, kind: OptionKind) -> i128 {
        let p = i128::from(self.scale) * i128::from(self.price(kind).0); // < 2^63 * 2^53
        shr_round(p, FX_FRAC - 20, Rounding::Nearest)
    }

    /// Value of one contract in quote native units, rounded as asked.
    pub fn value_quote(&self, kind: OptionKind, r: Rounding) -> Result<i64, RiskError> {
        self.price(kind).scale_u64(self.scale, r)
    }
}

/// Black-76 from an annualised volatility `vol` (Q52, 1.0 = 100%): the benchmark entry point.
pub fn price_and_greeks(
    forward: Price,
    strike: Price,
    vol: Fx,
    tenor: &Tenor,
) -> Result<Black76, RiskError> {
    if vol.0 < 0 || vol > SIGMA_MAX {
        return Err(RiskError::VolOutOfRange);
    }
    let k = ln_ratio_q62(strike.positive()?.0, forward.positive()?.0)?;
    // v in Q62: Q52 * Q62 >> 52.
    let v = shr_round(
        i128::from(vol.0) * i128::from(tenor.sqrt_t_q62),
        FX_FRAC,
        Rounding::Nearest,
    );
    evaluate(forward.0, strike.0, k, v, vol, tenor)
}

/// Black-76 from a total volatility `v = sigma sqrt(T)` (Q62, as `i128`) and a precomputed
/// `k = ln(K/F)` (Q62), as the surface supplies them; sigma (for theta) is `v / sqrt(T)`.
/// Q62 keeps `d1 = -k/v + v/2` accurate when `v` is small (a 1%-vol, 1-minute option has
/// v = 1.4e-5: one Q52 ulp of `v` would move delta by 6e-12).
pub fn price_and_greeks_total(
    forward: Price,
    strike: Price,
    k_q62: i128,
    v: i128,
    tenor: &Tenor,
) -> Result<Black76, RiskError> {
    if v < 0 {
        return Err(RiskError::VolOutOfRange);
    }
    forward.positive()?;
    strike.positive()?;
    let sigma = sigma_of(v, tenor)?;
    evaluate(forward.0, strike.0, k_q62, v, sigma, tenor)
}

/// `v / sqrt(T)` = `v * inv_sqrt_t` (v in Q62), Q52.
fn sigma_of(v: i128, tenor: &Tenor) -> Result<Fx, RiskError> {
    let p = mul_i128(v, i128::from(tenor.inv_sqrt_t.0))?;
    to_i64(shr_round(p, Q62 + WIDE_FRAC - FX_FRAC, Rounding::Nearest)).map(Fx)
}

/// `a * b` for Q62 operands, Q62 result.
fn mul62(a: i128, b: i128) -> i128 {
    shr_round(a * b, Q62, Rounding::Nearest)
}

/// Forward, strike and `m = e^-|k|` with the scale they imply.
struct Moneyness {
    forward: u64,
    scale: u64,
    strike_above: bool,
    m: i128,
}

fn moneyness(forward: u64, strike: u64, k: i128) -> Result<Moneyness, RiskError> {
    let m = exp_q62(-k.abs())? as i128; // <= 1 in Q62
    let strike_above = strike > forward;
    let scale = forward.max(strike);
    Ok(Moneyness {
        forward,
        scale,
        strike_above,
        m,
    })
}

/// `d1 = -k/v + v/2` in Q52 from `k` (Q62), `1/v` (Q52) and `v` (Q62), clamped to +-16.
fn d1_of(k: i128, inv_v: i128, v: i128) -> i128 {
    let half_v = shr_round(v, Q62 - FX_FRAC + 1, Rounding::Nearest);
    match k.checked_mul(inv_v) {
        Some(p) => (half_v - shr_round(p, Q62, Rounding::Nearest)).clamp(-D_MAX, D_MAX),
        // |k/v| > 2^13: far beyond the clamp either way.
        None => {
            if k > 0 {
                -D_MAX
            } else {
                D_MAX
            }
        }
    }
}

fn evaluate(
    forward: u64,
    strike: u64,
    k: i128,
    v: i128,
    sigma: Fx,
    tenor: &Tenor,
) -> Result<Black76, RiskError> {
    let mo = moneyness(forward, strike, k)?;
    if tenor.expired() || v < V_MIN_Q62 {
        return Ok(intrinsic(&mo, forward.cmp(&strike)));
    }
    let (v, sigma) = if v > V_MAX_Q62 {
        (V_MAX_Q62, sigma_of(V_MAX_Q62, tenor)?)
    } else {
        (v, sigma)
    };
    // The one division: 1/v in Q52 (v >= 2^-40 so 1/v < 2^92).
    let inv_v = ((1u128 << (Q62 + FX_FRAC)) / v as u128) as i128;
    let d1 = d1_of(k, inv_v, v);
    let d2 = (d1 - shr_round(v, Q62 - FX_FRAC, Rounding::Nearest)).clamp(-D_MAX, D_MAX);
    let (n1, nm1, pdf1) = cdf_pair_q62(Fx(d1 as i64));
    let (n2, nm2) = cdf_only_pair_q62(Fx(d2 as i64));
    let (n1, nm1, pdf1, n2, nm2) = (i128::from(n1), i128::from(nm1), i128::from(pdf1), i128::from(n2), i128::from(nm2));
    let (call, put) = prices(&mo, n1, nm1, n2, nm2);
    let gamma = match (pdf1 >> (Q62 - FX_FRAC)).checked_mul(inv_v) {
        Some(p) => Wide::saturate(shr_round(p, 2 * FX_FRAC - WIDE_FRAC, Rounding::Nearest)),
        None => Wide::MAX,
    };
    let vega_q114 = pdf1 * i128::from(tenor.sqrt_t.0);
    let vega = Wide::saturate(shr_round(
        vega_q114,
        Q62 + FX_FRAC - WIDE_FRAC,
        Rounding::Nearest,
    ));
    let phi_sigma = shr_round(pdf1 * i128::from(sigma.0), Q62, Rounding::Nearest); // Q52
    let theta_q92 = phi_sigma * i128::from(tenor.inv_sqrt_t.0);
    let theta = Wide::saturate(-shr_round(theta_q92, FX_FRAC + 1, Rounding::Nearest));
    Ok(Black76 {
        forward: mo.forward,
        scale: mo.scale,
        call: q62_to_fx(call),
        put: q62_to_fx(put),
        delta_call: q62_to_fx(n1),
        delta_put: q62_to_fx(-nm1),
        gamma,
        vega,
        theta,
    })
}

/// Normalised call and put, clamped to [intrinsic, upper bound].
fn prices(mo: &Moneyness, n1: i128, nm1: i128, n2: i128, nm2: i128) -> (i128, i128) {
    let m = mo.m;
    let itm = (ONE_Q62 - m).max(0);
    if mo.strike_above {
        // scale K: C/K in [0, m], P/K in [1 - m, 1]
        let call = (mul62(m, n1) - n2).clamp(0, m);
        let put = (nm2 - mul62(m, nm1)).clamp(itm, ONE_Q62);
        (call, put)
    } else {
        // scale F: C/F in [1 - m, 1], P/F in [0, m]
        let call = (n1 - mul62(m, n2)).clamp(itm, ONE_Q62);
        let put = (mul62(m, nm2) - nm1).clamp(0, m);
        (call, put)
    }
}

/// Intrinsic values and step deltas (expired or zero volatility).
fn intrinsic(mo: &Moneyness, f_vs_k: core::cmp::Ordering) -> Black76 {
    let itm = q62_to_fx((ONE_Q62 - mo.m).max(0));
    let (call, put) = if mo.strike_above {
        (Fx::ZERO, itm)
    } else {
        (itm, Fx::ZERO)
    };
    let delta_call = match f_vs_k {
        core::cmp::Ordering::Greater => Fx::ONE,
        core::cmp::Ordering::Less => Fx::ZERO,
        core::cmp::Ordering::Equal => Fx::HALF,
    };
    Black76 {
        forward: mo.forward,
        scale: mo.scale,
        call,
        put,
        delta_call,
        delta_put: Fx(delta_call.0 - Fx::ONE.0),
        gamma: Wide::ZERO,
        vega: Wide::ZERO,
        theta: Wide::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::YEAR_SECS;

    fn year() -> Tenor {
        Tenor::from_secs(YEAR_SECS).unwrap()
    }

    fn close(a: Fx, b: Fx, tol: i64) -> bool {
        (a.0 - b.0).abs() <= tol
    }

    #[test]
    fn table() {
        // (F, K, sigma, expected call/scale, expected put/scale) from the closed forms:
        // ATM, T = 1, sigma = 0.2: C/F = N(0.1) - N(-0.1) = 2 N(0.1) - 1 = 0.0796556745540...
        // K = 0: refused; expired: intrinsic.
        let tol = 1 << 13; // 2^-39 ~ 1.8e-12
        let atm = price_and_greeks(
            Price(100_000_000),
            Price(100_000_000),
            Fx::from_bps(2_000),
            &year(),
        )
        .unwrap();
        let want = Fx::ratio(7_965_567_455_406, 100_000_000_000_000);
        assert!(close(atm.call, want, tol), "{:?} vs {:?}", atm.call, want);
        assert_eq!(atm.call, atm.put); // ATM: C = P by parity
        assert!(close(Fx(atm.delta_call.0 - atm.delta_put.0), Fx::ONE, 2)); // N(d1) + N(-d1) = 1
                                                                            // vega/F = phi(0.1) sqrt(1) = 0.396952547477012 (Q40)
        let vega_want = Fx::ratio(396_952_547_477_012, 1_000_000_000_000_000).to_wide();
        assert!((atm.vega.0 - vega_want.0).abs() <= 4);
        // gamma = phi(0.1) / 0.2 ; theta = -phi(0.1) * 0.2 / 2
        assert!((atm.gamma.0 - vega_want.0 * 5).abs() <= 8);
        assert!((atm.theta.0 + vega_want.0 / 10).abs() <= 4);
    }

    #[test]
    fn edges() {
        let expired = Tenor::from_secs(0).unwrap();
        // Expired ITM call: (F - K)/F = 0.2; put 0; delta step.
        let b = price_and_greeks(Price(100), Price(80), Fx::from_bps(5_000), &expired).unwrap();
        assert!(close(b.call, Fx::from_bps(2_000), 4));
        assert_eq!(
            (b.put, b.delta_call, b.gamma),
            (Fx::ZERO, Fx::ONE, Wide::ZERO)
        );
        // Zero vol at the money: worth 0, delta 1/2.
        let z = price_and_greeks(Price(100), Price(100), Fx::ZERO, &year()).unwrap();
        assert_eq!((z.call, z.delta_call), (Fx::ZERO, Fx::HALF));
        // Huge vol is capped at v = 10: C/F = N(5) - N(-5) = 0.99999942669...
        let h =
            price_and_greeks(Price(100), Price(100), Fx::from_int(50).unwrap(), &year()).unwrap();
        assert!(close(
            h.call,
            Fx::ratio(999_999_426_696_856, 1_000_000_000_000_000),
            1 << 14
        ));
        // Deep OTM call is 0, deep ITM put is (K - F)/K.
        let d = price_and_greeks(Price(1), Price(1 << 40), Fx::from_bps(1_000), &year()).unwrap();
        assert_eq!(d.call, Fx::ZERO);
        assert!(close(d.put, Fx::ONE, 8192));
        assert_eq!(
            price_and_greeks(Price(0), Price(1), Fx::ONE, &year()),
            Err(RiskError::NonPositivePrice)
        );
        assert_eq!(
            price_and_greeks(Price(1), Price(1), Fx(-1), &year()),
            Err(RiskError::VolOutOfRange)
        );
    }
}
