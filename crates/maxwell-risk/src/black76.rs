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
use crate::math::ln::{ln2_times, ln_mantissa_q62};
use crate::math::normal::{cdf_only_pair_q62, cdf_pair_q62, q62_to_fx};
use crate::math::wide::{div_128_by_64, mul_shr_round, mul_shr_round_hi, umul_shr_round_u128, umul_wide};

/// 1.0 in Q62 as `i64`.
const ONE_Q62: i64 = 1 << Q62;
use crate::math::Q62;
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
const D_MAX: i64 = 16 << FX_FRAC;

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
        value_q20_of(self.scale, self.price(kind)) // < 2^63 * 2^53 >> 32
    }

    /// Value of one contract in quote native units, rounded as asked.
    pub fn value_quote(&self, kind: OptionKind, r: Rounding) -> Result<i64, RiskError> {
        self.price(kind).scale_u64(self.scale, r)
    }
}

/// Black-76 from an annualised volatility `vol` (Q52, 1.0 = 100%): the benchmark entry point.
pub fn price_and_greeks(forward: Price, strike: Price, vol: Fx, tenor: &Tenor) -> Result<Black76, RiskError> {
    if vol.0 < 0 || vol > SIGMA_MAX {
        return Err(RiskError::VolOutOfRange);
    }
    let r = MinMaxRatio::of(strike.positive()?.0, forward.positive()?.0);
    let k = r.ln_k_over_f();
    // v in Q62: Q52 * Q62 >> 52.
    let v = umul_shr_round_u128(vol.0 as u64, tenor.sqrt_t_q62, FX_FRAC) as i128;
    evaluate(forward.0, strike.0, k, r.m_q62(), v, vol, tenor)
}

/// Black-76 from a total volatility `v = sigma sqrt(T)` (Q62, as `i128`) and a precomputed
/// `k = ln(K/F)` (Q62), as the surface supplies them; sigma (for theta) is `v / sqrt(T)`.
/// Q62 keeps `d1 = -k/v + v/2` accurate when `v` is small (a 1%-vol, 1-minute option has
/// v = 1.4e-5: one Q52 ulp of `v` would move delta by 6e-12).
pub fn price_and_greeks_total(forward: Price, strike: Price, k_q62: i128, v: i128, tenor: &Tenor) -> Result<Black76, RiskError> {
    if v < 0 {
        return Err(RiskError::VolOutOfRange);
    }
    forward.positive()?;
    strike.positive()?;
    let sigma = sigma_of(v, tenor)?;
    let m = MinMaxRatio::of(strike.0, forward.0).m_q62();
    evaluate(forward.0, strike.0, k_q62, m, v, sigma, tenor)
}

/// Prices alone (no Greeks) of one (forward, strike, total vol): what a scenario of the risk
/// array needs. Equal bit for bit to the `call`, `put` and `scale` of
/// [`price_and_greeks_total`] with the same inputs (the same refusals too), at about half
/// the cost: no pdf, gamma, vega or theta, and `m` comes precomputed (one [`MinMaxRatio`]
/// serves the three vol states of a price shock).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prices {
    /// `max(F, K)`: the unit of `call` and `put`.
    pub scale: u64,
    /// Call value / scale, Q52.
    pub call: Fx,
    /// Put value / scale, Q52.
    pub put: Fx,
}

impl Prices {
    /// Value of one contract in quote native units with 20 fractional bits, to nearest.
    pub fn value_q20(&self, kind: OptionKind) -> i128 {
        let price = match kind {
            OptionKind::Call => self.call,
            OptionKind::Put => self.put,
        };
        value_q20_of(self.scale, price)
    }
}

/// `round(scale * price / 2^32)`: one word product for the (always non-negative) prices.
fn value_q20_of(scale: u64, price: Fx) -> i128 {
    if price.0 >= 0 {
        return umul_shr_round_u128(scale, price.0 as u64, FX_FRAC - 20) as i128;
    }
    shr_round(i128::from(scale) * i128::from(price.0), FX_FRAC - 20, Rounding::Nearest)
}

/// See [`Prices`]. `ratio` must be `MinMaxRatio::of(strike, forward)`.
pub fn prices_total(forward: Price, strike: Price, k_q62: i128, ratio: &MinMaxRatio, v: i128, tenor: &Tenor) -> Result<Prices, RiskError> {
    if v < 0 {
        return Err(RiskError::VolOutOfRange);
    }
    forward.positive()?;
    strike.positive()?;
    sigma_of(v, tenor)?; // the same refusal as the full evaluation (sigma beyond Q52)
    let mo = moneyness(forward.0, strike.0, ratio.m_q62());
    if tenor.expired() || v < V_MIN_Q62 {
        let b = intrinsic(&mo, forward.0.cmp(&strike.0));
        return Ok(Prices { scale: b.scale, call: b.call, put: b.put });
    }
    let v = v.min(V_MAX_Q62);
    let inv_v = recip_q114(v as u128);
    let d1 = d1_of(k_q62, inv_v, v);
    let d2 = (d1 - shr_round(v, Q62 - FX_FRAC, Rounding::Nearest) as i64).clamp(-D_MAX, D_MAX);
    let (n1, nm1) = cdf_only_pair_q62(Fx(d1));
    let (n2, nm2) = cdf_only_pair_q62(Fx(d2));
    let (call, put) = prices(&mo, n1, nm1, n2, nm2);
    Ok(Prices { scale: mo.scale, call: q62_to_fx(call), put: q62_to_fx(put) })
}

/// `v / sqrt(T)` = `v * inv_sqrt_t` (v in Q62), Q52. One word product when `v` fits in a
/// word (total vol below 4), the checked `i128` product otherwise; the same value.
fn sigma_of(v: i128, tenor: &Tenor) -> Result<Fx, RiskError> {
    let inv = tenor.inv_sqrt_t.0;
    if let (Ok(v64), true) = (u64::try_from(v), inv >= 0) {
        let p = umul_shr_round_u128(v64, inv as u64, Q62 + WIDE_FRAC - FX_FRAC);
        return to_i64(p as i128).map(Fx);
    }
    let p = mul_i128(v, i128::from(inv))?;
    to_i64(shr_round(p, Q62 + WIDE_FRAC - FX_FRAC, Rounding::Nearest)).map(Fx)
}

/// `a * b` for Q62 operands (`a` any sign, `b >= 0`), Q62 result, exact word products.
fn mul62(a: i64, b: i64) -> i64 {
    mul_shr_round(a, b as u64, Q62)
}

/// `min(F, K) / max(F, K) = ratio / 2^e` with `ratio` in [2^63, 2^64): one long division
/// (two hardware 64-bit divides) instead of `exp(-|k|)`, and `|k| = e ln2 - ln(ratio)` from one
/// logarithm of a mantissa instead of two integer logarithms.
#[derive(Clone, Copy, Debug)]
pub struct MinMaxRatio {
    ratio: u64,
    e: u32,
    strike_above: bool,
}

impl MinMaxRatio {
    /// For positive `strike` and `forward` below 2^63.
    pub fn of(strike: u64, forward: u64) -> MinMaxRatio {
        let strike_above = strike > forward;
        let (a, b) = if strike_above { (forward, strike) } else { (strike, forward) };
        let (la, lb) = (a.leading_zeros(), b.leading_zeros());
        let (an, bn) = (a << la, b << lb); // both in [2^63, 2^64)
                                           // a / b = (an / bn) 2^(lb - la); an / bn in (1/2, 2).
        let (ratio, e) = if an < bn {
            (div_128_by_64(an, 0, bn), 64 + la - lb) // floor(an 2^64 / bn)
        } else {
            (div_128_by_64(an >> 1, an << 63, bn), 63 + la - lb) // floor(an 2^63 / bn)
        };
        MinMaxRatio { ratio, e, strike_above }
    }

    /// `m = min/max` in Q62, rounded down (0 below 2^-62).
    pub fn m_q62(&self) -> i64 {
        let s = self.e - 62; // e >= 63 since min/max <= 1
        if s >= 64 {
            0
        } else {
            (self.ratio >> s) as i64
        }
    }

    /// `k = ln(K / F)` in Q62 (exactly 0 at the money).
    pub fn ln_k_over_f(&self) -> i128 {
        if self.e == 63 && self.ratio == 1 << 63 {
            return 0;
        }
        let abs_k = ln2_times(self.e) - i128::from(ln_mantissa_q62(self.ratio)) - ln2_times(63);
        if self.strike_above {
            abs_k
        } else {
            -abs_k
        }
    }
}

/// Forward, strike and `m = e^-|k|` with the scale they imply.
struct Moneyness {
    forward: u64,
    scale: u64,
    strike_above: bool,
    m: i64,
}

fn moneyness(forward: u64, strike: u64, m: i64) -> Moneyness {
    Moneyness { forward, scale: forward.max(strike), strike_above: strike > forward, m }
}

/// `floor(2^114 / v)` (`1/v` in Q52 for `v` in Q62), `2^22 <= v <= V_MAX_Q62`.
///
/// For `v < 2^64` (total vol below 4, every realistic case): long division of the power of
/// two by the normalised `v` with two [`div_128_by_64`] steps (hardware 64-bit divisions)
/// instead of the `u128` division routine. Exact: the same quotient as the `u128` division.
pub fn recip_q114(v: u128) -> u128 {
    let Ok(v64) = u64::try_from(v) else {
        return (1u128 << (Q62 + FX_FRAC)) / v; // v >= 4: rare, quotient < 2^50
    };
    let sh = v64.leading_zeros();
    let vn = v64 << sh; // >= 2^63
                        // Numerator 2^(114 + sh) as three words (u2, u1, 0).
    let p = Q62 + FX_FRAC + sh;
    let (u2, u1) = if p >= 128 { (1u64 << (p - 128), 0) } else { (0, 1u64 << (p - 64)) };
    let q1 = div_128_by_64(u2, u1, vn);
    let r1 = u1.wrapping_sub(q1.wrapping_mul(vn)); // the remainder, < vn
    let q0 = div_128_by_64(r1, 0, vn);
    (u128::from(q1) << 64) | u128::from(q0)
}

/// `d1 = -k/v + v/2` in Q52 from `k` (Q62), `1/v` (Q52) and `v` (Q62), clamped to +-16.
fn d1_of(k: i128, inv_v: u128, v: i128) -> i64 {
    let half_v = shr_round(v, Q62 - FX_FRAC + 1, Rounding::Nearest) as i64; // <= 5 in Q52
                                                                            // |k inv_v| >= 2^(bits - 2): beyond 2^119 the quotient (> 2^57 in Q52) is far past the
                                                                            // clamp. Below, the i128 product cannot overflow (one unchecked multiply).
    let bits = 256 - k.unsigned_abs().leading_zeros() - inv_v.leading_zeros();
    if k == 0 || bits <= 121 {
        let p = k.wrapping_mul(inv_v as i128);
        let q = shr_round(p, Q62, Rounding::Nearest) as i64; // |q| < 2^59
        (half_v - q).clamp(-D_MAX, D_MAX)
    } else if k > 0 {
        -D_MAX
    } else {
        D_MAX
    }
}

/// `round(pdf52 * inv_v / 2^64)` saturated at `i64::MAX` (gamma in Q40), exact.
fn gamma_of(pdf52: u64, inv_v: u128) -> Wide {
    let (ih, il) = ((inv_v >> 64) as u64, inv_v as u64);
    let (hh, hl) = umul_wide(pdf52, ih); // pdf52 * ih * 2^64: contributes (hh, hl) to p >> 64
    let (lh, ll) = umul_wide(pdf52, il);
    let (sum, carry) = hl.overflowing_add(lh);
    let (sum, carry2) = sum.overflowing_add(ll >> 63); // rounding bit
    if hh != 0 || carry || carry2 || sum > i64::MAX as u64 {
        return Wide::MAX;
    }
    Wide(sum as i64)
}

fn evaluate(forward: u64, strike: u64, k: i128, m: i64, v: i128, sigma: Fx, tenor: &Tenor) -> Result<Black76, RiskError> {
    let mo = moneyness(forward, strike, m);
    if tenor.expired() || v < V_MIN_Q62 {
        return Ok(intrinsic(&mo, forward.cmp(&strike)));
    }
    let (v, sigma) = if v > V_MAX_Q62 { (V_MAX_Q62, sigma_of(V_MAX_Q62, tenor)?) } else { (v, sigma) };
    // The one division: 1/v in Q52 (v >= 2^-40 so 1/v < 2^92).
    let inv_v = recip_q114(v as u128);
    let d1 = d1_of(k, inv_v, v);
    let d2 = (d1 - shr_round(v, Q62 - FX_FRAC, Rounding::Nearest) as i64).clamp(-D_MAX, D_MAX);
    let (n1, nm1, pdf1) = cdf_pair_q62(Fx(d1));
    let (n2, nm2) = cdf_only_pair_q62(Fx(d2));
    let (call, put) = prices(&mo, n1, nm1, n2, nm2);
    let gamma = gamma_of((pdf1 >> (Q62 - FX_FRAC)) as u64, inv_v);
    // pdf (Q62) * sqrt(T) (Q52) >> 74 -> Q40; every factor >= 0 and every result < 2^58.
    let vega = Wide(mul_shr_round_hi(pdf1, tenor.sqrt_t.0 as u64, Q62 + FX_FRAC - WIDE_FRAC));
    let phi_sigma = mul_shr_round(pdf1, sigma.0 as u64, Q62); // Q52
    let theta = Wide(-mul_shr_round(phi_sigma, tenor.inv_sqrt_t.0 as u64, FX_FRAC + 1));
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
fn prices(mo: &Moneyness, n1: i64, nm1: i64, n2: i64, nm2: i64) -> (i64, i64) {
    let m = mo.m;
    let itm = (ONE_Q62 - m).max(0);
    if mo.strike_above {
        // scale K: C/K in [0, m], P/K in [1 - m, 1]
        let call = (mul62(n1, m) - n2).clamp(0, m);
        let put = (nm2 - mul62(nm1, m)).clamp(itm, ONE_Q62);
        (call, put)
    } else {
        // scale F: C/F in [1 - m, 1], P/F in [0, m]
        let call = (n1 - mul62(n2, m)).clamp(itm, ONE_Q62);
        let put = (mul62(nm2, m) - nm1).clamp(0, m);
        (call, put)
    }
}

/// Intrinsic values and step deltas (expired or zero volatility).
fn intrinsic(mo: &Moneyness, f_vs_k: core::cmp::Ordering) -> Black76 {
    let itm = q62_to_fx((ONE_Q62 - mo.m).max(0));
    let (call, put) = if mo.strike_above { (Fx::ZERO, itm) } else { (itm, Fx::ZERO) };
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
        let atm = price_and_greeks(Price(100_000_000), Price(100_000_000), Fx::from_bps(2_000), &year()).unwrap();
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
    fn reciprocal_is_the_exact_quotient() {
        // recip_q114 equals the u128 division over the whole range of v (2^22 ..= 10 in Q62).
        let mut r: u64 = 0x94D0_49BB_1331_11EB;
        let mut vs: Vec<u128> = vec![V_MIN_Q62 as u128, V_MAX_Q62 as u128, 1 << 63, (1 << 64) - 1, 1 << 64, 3 << 62];
        for _ in 0..100_000 {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            let v = u128::from(r) >> (r % 43);
            vs.push(v.clamp(V_MIN_Q62 as u128, V_MAX_Q62 as u128));
            vs.push((u128::from(r) << 2).clamp(V_MIN_Q62 as u128, V_MAX_Q62 as u128));
        }
        for v in vs {
            assert_eq!(recip_q114(v), (1u128 << 114) / v, "v = {v}");
        }
    }

    #[test]
    fn moneyness_from_one_division() {
        // k from one division and one mantissa log agrees with ln K - ln F, and m with
        // exp(-|k|), to a few Q62 ulps (the old route's own rounding) over the whole u63 range.
        use crate::math::exp::exp_q62;
        use crate::math::ln::ln_ratio_q62;
        let mut r: u64 = 0xA076_1D64_78BD_642F;
        let mut next = move || {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            r
        };
        let mut pairs = vec![(1u64, 1u64), (1, (1 << 63) - 1), ((1 << 63) - 1, 1), (150_000_000, 150_000_000), (3, 4)];
        for _ in 0..50_000 {
            let a = (next() >> 1 >> (next() % 63)).max(1);
            let b = (next() >> 1 >> (next() % 63)).max(1);
            pairs.push((a, b));
            pairs.push((a, a.saturating_add(next() % 3).min((1 << 63) - 1)));
        }
        for (strike, forward) in pairs {
            let mr = MinMaxRatio::of(strike, forward);
            let k_old = ln_ratio_q62(strike, forward).unwrap();
            let k = mr.ln_k_over_f();
            assert!((k - k_old).abs() <= 256, "k({strike}, {forward}): {k} vs {k_old}");
            let m_old = exp_q62(-k_old.abs()).unwrap() as i64;
            let m = mr.m_q62();
            // both within 2^-56 relative of the exact min/max
            assert!((m - m_old).abs() <= (m_old >> 56) + 2, "m({strike}, {forward}): {m} vs {m_old}");
        }
        assert_eq!(MinMaxRatio::of(7, 7).ln_k_over_f(), 0);
        assert_eq!(MinMaxRatio::of(7, 7).m_q62(), 1 << 62);
    }

    #[test]
    fn prices_alone_equal_the_full_evaluation() {
        let mut r: u64 = 0x3C6E_F372_FE94_F82B;
        let mut next = move || {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            r
        };
        for i in 0..100_000u32 {
            let forward = (next() >> (1 + next() % 50)).max(1);
            let strike = match i % 3 {
                0 => forward,
                1 => (forward as u128 * u128::from(next() % 4000 + 1) / 1000).clamp(1, i64::MAX as u128) as u64,
                _ => (next() >> (1 + next() % 50)).max(1),
            };
            let tenor =
                Tenor::from_secs([0, 1, 60, 86_400, 30 * 86_400, YEAR_SECS, 10 * YEAR_SECS][(next() % 7) as usize] - (next() % 2) as i64)
                    .unwrap();
            let v = (i128::from(next()) >> (next() % 64)) << (next() % 3);
            let k = MinMaxRatio::of(strike, forward).ln_k_over_f() + (next() % 5) as i128 - 2;
            let ratio = MinMaxRatio::of(strike, forward);
            let sigma_i128 = mul_i128(v, i128::from(tenor.inv_sqrt_t.0))
                .and_then(|p| to_i64(shr_round(p, Q62 + WIDE_FRAC - FX_FRAC, Rounding::Nearest)).map(Fx));
            assert_eq!(sigma_of(v, &tenor), sigma_i128, "sigma of v {v}");
            let full = price_and_greeks_total(Price(forward), Price(strike), k, v, &tenor);
            let alone = prices_total(Price(forward), Price(strike), k, &ratio, v, &tenor);
            match (full, alone) {
                (Ok(b), Ok(p)) => {
                    assert_eq!((b.scale, b.call, b.put), (p.scale, p.call, p.put), "F {forward} K {strike} v {v}");
                    for kind in [OptionKind::Call, OptionKind::Put] {
                        let exact = shr_round(i128::from(b.scale) * i128::from(b.price(kind).0), FX_FRAC - 20, Rounding::Nearest);
                        assert_eq!((b.value_q20(kind), p.value_q20(kind)), (exact, exact));
                    }
                }
                (Err(a), Err(b)) => assert_eq!(a, b),
                (a, b) => panic!("F {forward} K {strike} v {v}: {a:?} vs {b:?}"),
            }
        }
    }

    #[test]
    fn edges() {
        let expired = Tenor::from_secs(0).unwrap();
        // Expired ITM call: (F - K)/F = 0.2; put 0; delta step.
        let b = price_and_greeks(Price(100), Price(80), Fx::from_bps(5_000), &expired).unwrap();
        assert!(close(b.call, Fx::from_bps(2_000), 4));
        assert_eq!((b.put, b.delta_call, b.gamma), (Fx::ZERO, Fx::ONE, Wide::ZERO));
        // Zero vol at the money: worth 0, delta 1/2.
        let z = price_and_greeks(Price(100), Price(100), Fx::ZERO, &year()).unwrap();
        assert_eq!((z.call, z.delta_call), (Fx::ZERO, Fx::HALF));
        // Huge vol is capped at v = 10: C/F = N(5) - N(-5) = 0.99999942669...
        let h = price_and_greeks(Price(100), Price(100), Fx::from_int(50).unwrap(), &year()).unwrap();
        assert!(close(h.call, Fx::ratio(999_999_426_696_856, 1_000_000_000_000_000), 1 << 14));
        // Deep OTM call is 0, deep ITM put is (K - F)/K.
        let d = price_and_greeks(Price(1), Price(1 << 40), Fx::from_bps(1_000), &year()).unwrap();
        assert_eq!(d.call, Fx::ZERO);
        assert!(close(d.put, Fx::ONE, 8192));
        assert_eq!(price_and_greeks(Price(0), Price(1), Fx::ONE, &year()), Err(RiskError::NonPositivePrice));
        assert_eq!(price_and_greeks(Price(1), Price(1), Fx(-1), &year()), Err(RiskError::VolOutOfRange));
    }
}
