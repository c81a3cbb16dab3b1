//! Unit newtypes. Only meaningful products exist (contracts x quote-per-contract = quote).
//!
//! - [`Price`]: quote native units (e.g. micro-USDC) per **1 contract**; one contract is one
//!   whole underlying token. SOL at 150.25 USD with a 6-decimal quote is `Price(150_250_000)`.
//! - [`Quote`]: an amount in quote native units, signed.
//! - [`Contracts`]: a signed number of whole contracts (positive = long).
//! - Time: unix timestamps in seconds (`i64`); a year is [`YEAR_SECS`] = 31,536,000 s
//!   (365 days), so `T = seconds / 31_536_000`. [`Tenor`] holds the per-expiry numbers.
//! - Volatility: annualised, as [`Fx`] (1.0 = 100%).

use crate::fixed::{shr_round, to_i64, Fx, Rounding, FX_FRAC};
use crate::math::sqrt::sqrt_u128;
use crate::math::wide::div_rem_u128_u64;
use crate::RiskError;

/// Seconds in the pricing year (365 days).
pub const YEAR_SECS: i64 = 31_536_000;
/// Longest supported time to expiry (10 years).
pub const MAX_TENOR_SECS: i64 = 10 * YEAR_SECS;

/// Quote native units per contract (per 1 whole underlying token).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Price(pub u64);

/// Quote native units, signed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Quote(pub i64);

/// Whole contracts, signed (positive = long).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Contracts(pub i64);

impl Contracts {
    /// `contracts * quote-per-contract = quote` (checked).
    pub fn times(self, per_contract: Quote) -> Result<Quote, RiskError> {
        self.0.checked_mul(per_contract.0).map(Quote).ok_or(RiskError::Overflow)
    }
}

impl Price {
    /// A positive price, or [`RiskError::NonPositivePrice`].
    pub fn positive(self) -> Result<Price, RiskError> {
        if self.0 == 0 || self.0 > i64::MAX as u64 {
            return Err(RiskError::NonPositivePrice);
        }
        Ok(self)
    }

    /// `self * (1 + shock)` rounded to nearest; refuses a result that is not positive.
    pub fn shocked(self, shock: Fx) -> Result<Price, RiskError> {
        let factor = Fx::ONE.checked_add(shock)?;
        if factor.0 <= 0 {
            return Err(RiskError::NonPositivePrice);
        }
        let p = factor.scale_u64(self.0, Rounding::Nearest)?;
        Price(u64::try_from(p).map_err(|_| RiskError::Overflow)?).positive()
    }
}

/// Time to one expiry, prepared once per expiry: `sqrt(T)` and `1/sqrt(T)` cost one square
/// root and one division here instead of one per option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tenor {
    /// Seconds to expiry; `<= 0` means expired (options are worth their intrinsic value).
    pub secs: i64,
    /// `sqrt(secs / YEAR_SECS)`, Q52, rounded down (0 when expired).
    pub sqrt_t: Fx,
    /// `sqrt(T)` in Q62 (rounded down): the precise value the pricer uses.
    pub sqrt_t_q62: u64,
    /// `1 / sqrt(T)`, Q40, rounded to nearest (0 when expired).
    pub inv_sqrt_t: crate::fixed::Wide,
}

impl Tenor {
    /// From `now` and the expiry timestamp (seconds).
    pub fn new(now: i64, expiry: i64) -> Result<Tenor, RiskError> {
        let secs = expiry.checked_sub(now).ok_or(RiskError::Overflow)?;
        Tenor::from_secs(secs)
    }

    /// From seconds to expiry.
    pub fn from_secs(secs: i64) -> Result<Tenor, RiskError> {
        if secs > MAX_TENOR_SECS {
            return Err(RiskError::TenorTooLong);
        }
        if secs <= 0 {
            let zero = crate::fixed::Wide::ZERO;
            return Ok(Tenor { secs, sqrt_t: Fx::ZERO, sqrt_t_q62: 0, inv_sqrt_t: zero });
        }
        // T in Q124 = secs * 2^124 / YEAR, exact floor in two steps (secs * 2^124 needs
        // 153 bits), then sqrt -> Q62. Divisions here are once per expiry.
        // (u128 / u64 by hardware divides: the same quotients as the u128 division.)
        let year = YEAR_SECS as u64;
        let num = (secs as u128) << 96; // < 2^125
        let (q, r) = div_rem_u128_u64(num, year);
        let t_q124 = (q << 28) + div_rem_u128_u64(u128::from(r) << 28, year).0; // T <= 10 < 2^3.4
        let sqrt_t_q62 = sqrt_u128(t_q124);
        let sqrt_t = (sqrt_t_q62 >> (62 - FX_FRAC)) as i64;
        // 1/sqrt(T) in Q40 = 2^102 / sqrt_t(Q62), nearest.
        let num: u128 = 1u128 << (62 + 40);
        let inv = div_rem_u128_u64(num + u128::from(sqrt_t_q62 / 2), sqrt_t_q62).0;
        Ok(Tenor { secs, sqrt_t: Fx(sqrt_t), sqrt_t_q62, inv_sqrt_t: crate::fixed::Wide(to_i64(inv as i128)?) })
    }

    /// `true` when the options of this expiry are expired.
    pub fn expired(&self) -> bool {
        self.secs <= 0
    }

    /// `T` in years as Q52 (rounded down): `sqrt_t^2`.
    pub fn years(&self) -> Fx {
        let p = i128::from(self.sqrt_t.0) * i128::from(self.sqrt_t.0);
        Fx(shr_round(p, FX_FRAC, Rounding::Floor) as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenor_table() {
        // (seconds, expected sqrt(T) = sqrt(secs / 31_536_000) in Q52)
        let year = Tenor::from_secs(YEAR_SECS).unwrap();
        assert_eq!(year.sqrt_t, Fx::ONE); // sqrt(1) = 1 exactly
        assert_eq!(year.inv_sqrt_t.0, 1 << 40); // 1/sqrt(1)
        let quarter = Tenor::from_secs(YEAR_SECS / 4).unwrap();
        assert_eq!(quarter.sqrt_t, Fx::HALF); // sqrt(1/4)
        assert_eq!(quarter.inv_sqrt_t.0, 2 << 40); // 1/sqrt(1/4)
        let four = Tenor::from_secs(4 * YEAR_SECS).unwrap();
        assert_eq!(four.sqrt_t, Fx::from_int(2).unwrap()); // sqrt(4)
        assert!(Tenor::from_secs(0).unwrap().expired());
        assert_eq!(Tenor::from_secs(11 * YEAR_SECS), Err(RiskError::TenorTooLong));
    }

    #[test]
    fn shocked_prices() {
        // 150 USD * (1 - 0.1) = 135 USD
        assert_eq!(Price(150_000_000).shocked(Fx::from_bps(-1_000)).unwrap(), Price(135_000_000));
        assert_eq!(Price(1).shocked(Fx::from_bps(-10_000)), Err(RiskError::NonPositivePrice));
        assert_eq!(Contracts(-3).times(Quote(7)).unwrap(), Quote(-21));
    }
}
