//! Collateral valuation: the one rule, used by every margin check, the keeper and the client.
//!
//! A slot's balance (shares) is first turned into native units by the bank's index at the
//! current second (`maxwell_lending::BankIndex::value`: what the account could withdraw,
//! rounded down, or must repay, rounded up). Then its weighted value is
//! `native x price x weight / 10_000` in quote native units, rounded **once**, against the
//! account: an asset down, a borrow up (and negative). This equals
//! `maxwell_risk::collateral::weighted_value` to the unit (property-tested below).
//!
//! Cost: both weight sets (initial, maintenance) come from one exact division of
//! `native x mantissa x 10^scale` by the price's power of ten, kept as quotient and
//! remainder ([`CollateralValue`]); each weight then needs only 64-bit operations.

use maxwell_risk::collateral::TokenPrice;
use maxwell_risk::math::wide::{div_rem_u128_u64, umul_wide};
use maxwell_risk::RiskError;

use crate::error::{EngineError, Result};

/// Full weight, bps.
pub const BPS: u16 = 10_000;

/// Weights of one bank, bps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Weights {
    pub init_asset: u16,
    pub maint_asset: u16,
    pub init_liab: u16,
    pub maint_liab: u16,
}

impl Weights {
    /// Full weight everywhere: a token whose price risk the scenarios already charge.
    pub const FULL: Weights = Weights { init_asset: BPS, maint_asset: BPS, init_liab: BPS, maint_liab: BPS };
}

/// `|native| x price` as an exact fraction `q + r / d` quote native units (`d` a power of ten).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CollateralValue {
    q: u128,
    r: u128,
    d: u128,
    borrowed: bool,
}

/// `10^e`, `e <= 38`.
fn pow10(e: u32) -> Result<u128> {
    10u128.checked_pow(e).ok_or(EngineError::Overflow)
}

impl CollateralValue {
    /// The exact value of `native` (signed: negative = borrowed) at `price`.
    pub fn new(native: i64, price: TokenPrice) -> Result<CollateralValue> {
        let (hi, lo) = umul_wide(native.unsigned_abs(), price.mantissa);
        let num = (u128::from(hi) << 64) | u128::from(lo);
        let borrowed = native < 0;
        if price.scale_exp >= 0 {
            let p = pow10(price.scale_exp.unsigned_abs())?;
            let q = num.checked_mul(p).ok_or(EngineError::Risk(RiskError::Overflow))?;
            return Ok(CollateralValue { q, r: 0, d: 1, borrowed });
        }
        let d = pow10(price.scale_exp.unsigned_abs())?;
        let (q, r) = match u64::try_from(d) {
            Ok(d64) => {
                let (q, r) = div_rem_u128_u64(num, d64);
                (q, u128::from(r))
            }
            Err(_) => (num / d, num % d),
        };
        Ok(CollateralValue { q, r, d, borrowed })
    }

    pub fn is_borrow(&self) -> bool {
        self.borrowed
    }

    /// `value x weight_bps / 10_000`, rounded once: down for an asset, up for a borrow, which
    /// is returned negative. `asset_bps` applies to a deposit, `liab_bps` to a borrow.
    pub fn weighted(&self, asset_bps: u16, liab_bps: u16) -> Result<i64> {
        let w = u128::from(if self.borrowed { liab_bps } else { asset_bps });
        // value x w = q w + r w / d = a + f / d with a = q w + floor(r w / d), f = (r w) mod d.
        // r < d: r w < d 2^16 fits unless d > 2^112 (|scale_exp| >= 34, a price under 10^-34
        // quote per native unit): refused as the risk crate refuses it.
        let rw = self.r.checked_mul(w).ok_or(EngineError::Overflow)?;
        let (a_frac, f) = match (u64::try_from(rw), u64::try_from(self.d)) {
            (Ok(rw64), Ok(d64)) => (u128::from(rw64 / d64), rw64 % d64 != 0),
            _ => (rw / self.d, !rw.is_multiple_of(self.d)),
        };
        let a = self.q.checked_mul(w).and_then(|x| x.checked_add(a_frac)).ok_or(EngineError::Overflow)?;
        let bps = u64::from(BPS);
        let (n, up) = if self.borrowed { (a + u128::from(f), true) } else { (a, false) };
        // floor((a + f/d) / 1e4) = floor(a / 1e4); ceil((a + f/d) / 1e4) = ceil((a + [f > 0]) / 1e4).
        let (qq, rr) = div_rem_u128_u64(n, bps);
        let v = qq + u128::from(up && rr != 0);
        let v = i64::try_from(v).map_err(|_| EngineError::Overflow)?;
        Ok(if self.borrowed { -v } else { v })
    }

    /// Unweighted value, rounded against the account (down for an asset, up for a borrow).
    pub fn full(&self) -> Result<i64> {
        self.weighted(BPS, BPS)
    }
}

/// A slot's weighted value at both weight sets: `(initial, maintenance)`.
pub fn weighted_pair(native: i64, price: TokenPrice, w: &Weights) -> Result<(i64, i64)> {
    if native == 0 {
        return Ok((0, 0));
    }
    let v = CollateralValue::new(native, price)?;
    Ok((v.weighted(w.init_asset, w.init_liab)?, v.weighted(w.maint_asset, w.maint_liab)?))
}

/// Price (or confidence) of one whole token, `mantissa x 10^expo` quote whole units, in quote
/// native units, rounded down: an underlying's spot per contract. 0 for a zero mantissa.
pub fn spot_per_contract(mantissa: u64, expo: i32, quote_decimals: u8) -> Result<u64> {
    if mantissa == 0 {
        return Ok(0);
    }
    let m = i64::try_from(mantissa).map_err(|_| EngineError::Overflow)?;
    let p = TokenPrice::from_oracle(m, expo, 0, quote_decimals)?;
    let v = CollateralValue::new(1, p)?.full()?;
    u64::try_from(v).map_err(|_| EngineError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use maxwell_risk::collateral::weighted_value;
    use proptest::prelude::*;

    fn sol() -> TokenPrice {
        TokenPrice::from_oracle(15_000_000_000, -8, 9, 6).unwrap()
    }

    #[test]
    fn table() {
        let w = Weights { init_asset: 8_000, maint_asset: 9_000, init_liab: 12_000, maint_liab: 11_000 };
        // (native, price, (initial, maintenance) = the formula it comes from)
        let cases: &[(i64, TokenPrice, (i64, i64))] = &[
            // 1 SOL at $150: 150e6 x 0.8, 150e6 x 0.9
            (1_000_000_000, sol(), (150_000_000 * 8 / 10, 150_000_000 * 9 / 10)),
            // borrowed: -(150e6 x 1.2), -(150e6 x 1.1)
            (-1_000_000_000, sol(), (-150_000_000 * 12 / 10, -150_000_000 * 11 / 10)),
            // the review's case: 1,000,000,013 lamports x 0.15 x 0.8 = 120,000,001.56 -> 120,000,001
            // (two roundings gave 120,000,000); x 0.9 = 135,000,001.755 -> 135,000,001
            (1_000_000_013, sol(), (120_000_001, 135_000_001)),
            // 1 lamport: 0.12 and 0.135 round down to 0 for an asset ...
            (1, sol(), (0, 0)),
            // ... and 0.18 / 0.165 up to 1 for a borrow
            (-1, sol(), (-1, -1)),
            (0, sol(), (0, 0)),
            // quote at weight 1: itself
            (123_456, TokenPrice::ONE, (123_456 * 8 / 10, 123_456 * 9 / 10)),
        ];
        for &(native, price, want) in cases {
            assert_eq!(weighted_pair(native, price, &w).unwrap(), want, "native {native}");
        }
    }

    #[test]
    fn positive_scale_and_overflow() {
        let p = TokenPrice::from_oracle(25, -1, 0, 6).unwrap(); // 2.5e6 per unit
        assert_eq!(weighted_pair(4, p, &Weights::FULL).unwrap(), (10_000_000, 10_000_000));
        let huge = TokenPrice { mantissa: u64::MAX, scale_exp: 10 };
        assert!(weighted_pair(i64::MAX, huge, &Weights::FULL).is_err());
        let deep = TokenPrice { mantissa: u64::MAX, scale_exp: -36 }; // divisor beyond u64
        assert_eq!(weighted_pair(i64::MAX, deep, &Weights::FULL), Err(EngineError::Overflow));
        let small = TokenPrice { mantissa: u64::MAX, scale_exp: -30 }; // divisor beyond u64, fits
                                                                       // (2^63 - 1)(2^64 - 1) / 10^30 = 170,141,183.46...: down for an asset, up for a borrow
        assert_eq!(weighted_pair(i64::MAX, small, &Weights::FULL).unwrap(), (170_141_183, 170_141_183));
        assert_eq!(weighted_pair(-i64::MAX, small, &Weights::FULL).unwrap(), (-170_141_184, -170_141_184));
    }

    #[test]
    fn spot_per_contract_table() {
        // SOL/USD 150.00 = 15_000_000_000e-8 -> 150 x 10^6 micro-USDC per SOL
        assert_eq!(spot_per_contract(15_000_000_000, -8, 6).unwrap(), 150_000_000);
        // 1.23456789e-8 x 10^6 = 0.0123... -> 0 (down)
        assert_eq!(spot_per_contract(123_456_789, -16, 6).unwrap(), 0);
        assert_eq!(spot_per_contract(0, -8, 6).unwrap(), 0);
        // extreme exponents: errors, never a panic
        assert!(spot_per_contract(u64::MAX, -8, 6).is_err());
        assert!(spot_per_contract(1, i32::MIN, 6).is_err());
        assert!(spot_per_contract(1, i32::MAX, 6).is_err());
        assert!(spot_per_contract(i64::MAX as u64, 20, 6).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// The program's valuation equals the risk crate's single-rounding rule to the unit,
        /// on random balances, prices, decimals and weights.
        #[test]
        fn equals_the_risk_crate(
            native in any::<i64>(),
            mantissa in 1i64..i64::MAX,
            expo in -12i32..=4,
            token_dec in 0u8..=12,
            quote_dec in 0u8..=9,
            ia in 0u16..=10_000, ma in 0u16..=10_000,
            il in 10_000u16..=20_000, ml in 10_000u16..=20_000,
        ) {
            let price = TokenPrice::from_oracle(mantissa, expo, token_dec, quote_dec).unwrap();
            let w = Weights { init_asset: ia, maint_asset: ma, init_liab: il, maint_liab: ml };
            let ours = weighted_pair(native, price, &w);
            let init = weighted_value(native, price, ia, il);
            let maint = weighted_value(native, price, ma, ml);
            match (ours, init, maint) {
                (Ok((a, b)), Ok(x), Ok(y)) => { prop_assert_eq!(a, x); prop_assert_eq!(b, y); }
                (Err(_), _, _) => prop_assert!(init.is_err() || maint.is_err()),
                // Ours divides before weighting: it may fit where the risk crate's product did not.
                (Ok(_), _, _) => {}
            }
        }
    }
}
