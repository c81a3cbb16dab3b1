//! Collateral valuation: token amount x oracle price x weight, in quote native units,
//! always rounded against the account (assets down, liabilities up).
//!
//! Units:
//! - `amount`: token native units (e.g. lamports), signed: negative = borrowed.
//! - [`TokenPrice`]: `mantissa * 10^expo` quote *whole units* per token *whole unit*,
//!   exactly as Pyth publishes it (e.g. SOL/USD 150.00 = 15_000_000_000 x 10^-8).
//! - weights: basis points (10_000 = 1.0).
//! - result: quote native units (e.g. micro-USDC), `i64`.

use crate::math::wide::{div_u128, umul_wide};
use crate::RiskError;

/// One basis point scale: 10_000 bps = 1.0.
pub const BPS: u64 = 10_000;

/// A positive oracle price, converted to quote native units per token native unit:
/// `value_native = amount_native * mantissa * 10^scale_exp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenPrice {
    pub mantissa: u64,
    /// `expo + quote_decimals - token_decimals`.
    pub scale_exp: i32,
}

impl TokenPrice {
    /// The numeraire (quote token valued against itself): exactly 1.
    pub const ONE: TokenPrice = TokenPrice { mantissa: 1, scale_exp: 0 };

    /// Builds the native-unit price from a Pyth-style price and the two mints' decimals.
    pub fn from_oracle(mantissa: i64, expo: i32, token_decimals: u8, quote_decimals: u8) -> Result<TokenPrice, RiskError> {
        if mantissa <= 0 {
            return Err(RiskError::NonPositivePrice);
        }
        // Checked: `expo` comes from oracle bytes (any i32).
        let scale_exp = expo.checked_add(i32::from(quote_decimals) - i32::from(token_decimals)).ok_or(RiskError::ScaleOutOfRange)?;
        if !(-MAX_SCALE..=MAX_SCALE).contains(&scale_exp) {
            return Err(RiskError::ScaleOutOfRange);
        }
        Ok(TokenPrice { mantissa: mantissa as u64, scale_exp })
    }
}

/// |scale_exp| bound: 10^36 < 2^120 keeps every step inside `u128`.
const MAX_SCALE: i32 = 36;

/// `10^e` for `e <= 38` (every power of ten below 2^128), a table instead of a `u128` loop.
const POW10: [u128; 39] = {
    let mut t = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// `|amount| * price * weight_bps / 10_000` with ONE rounding at the end, down for an asset
/// (`round_up = false`) and up for a liability.
pub fn value_weighted_abs(amount: u64, price: TokenPrice, weight_bps: u16, round_up: bool) -> Result<u128, RiskError> {
    // amount * mantissa < 2^128 from one word product; * weight checked on the high word
    // (the same refusals as a checked u128 product).
    let (hi, lo) = umul_wide(amount, price.mantissa);
    let (lw_hi, lw_lo) = umul_wide(lo, u64::from(weight_bps));
    let top = hi.checked_mul(u64::from(weight_bps)).and_then(|t| t.checked_add(lw_hi)).ok_or(RiskError::Overflow)?;
    let mut num = (u128::from(top) << 64) | u128::from(lw_lo);
    let mut den = u128::from(BPS);
    if price.scale_exp >= 0 {
        let p10 = *POW10.get(price.scale_exp as usize).ok_or(RiskError::Overflow)?;
        num = num.checked_mul(p10).ok_or(RiskError::Overflow)?;
    } else {
        // 10^4 * 10^|e|: beyond 10^38 it would not fit in u128 (Overflow, as a checked product).
        den = *POW10.get(4 + price.scale_exp.unsigned_abs() as usize).ok_or(RiskError::Overflow)?;
        debug_assert_eq!(u128::from(BPS), POW10[4]);
    }
    // A u64 divisor (|scale_exp| <= 15) divides with hardware 64-bit divides.
    Ok(div_u128(num, den, round_up))
}

/// Unweighted value of `|amount|` at `price`, rounded down (`round_up = false`) or up.
pub fn raw_value(amount: u64, price: TokenPrice, round_up: bool) -> Result<u128, RiskError> {
    value_weighted_abs(amount, price, BPS as u16, round_up)
}

/// Weighted value of a signed balance, rounded against the account:
/// a deposit counts `floor(amount * price * asset_weight)`, a borrow counts
/// `-ceil(|amount| * price * liability_weight)`.
pub fn weighted_value(amount: i64, price: TokenPrice, asset_weight_bps: u16, liability_weight_bps: u16) -> Result<i64, RiskError> {
    let borrowed = amount < 0;
    let weight = if borrowed { liability_weight_bps } else { asset_weight_bps };
    let v = value_weighted_abs(amount.unsigned_abs(), price, weight, borrowed)?;
    let magnitude = i64::try_from(v).map_err(|_| RiskError::Overflow)?;
    Ok(if borrowed { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    // SOL: 9 decimals; USDC quote: 6 decimals; SOL/USD = 150.00 (Pyth: 15_000_000_000e-8).
    fn sol() -> TokenPrice {
        TokenPrice::from_oracle(15_000_000_000, -8, 9, 6).unwrap()
    }

    #[test]
    fn table() {
        // (amount, price, asset w, liab w, expected = the formula it comes from)
        let cases: &[(i64, TokenPrice, u16, u16, i64)] = &[
            // 1 SOL at $150, weight 0.8 -> 150e6 * 0.8 micro-USDC
            (1_000_000_000, sol(), 8_000, 12_000, 150_000_000 * 8 / 10),
            // borrowed 1 SOL, liability weight 1.2 -> -(150e6 * 1.2)
            (-1_000_000_000, sol(), 8_000, 12_000, -150_000_000 * 12 / 10),
            // 1 lamport = 0.15 micro-USDC: floor(0.15 * 0.8) = 0 for an asset
            (1, sol(), 8_000, 12_000, 0),
            // ... and ceil(0.15 * 1.2) = 1 for a liability
            (-1, sol(), 8_000, 12_000, -1),
            // quote token is the numeraire
            (123_456, TokenPrice::ONE, 10_000, 10_000, 123_456),
            (-123_456, TokenPrice::ONE, 10_000, 10_000, -123_456),
            (0, sol(), 8_000, 12_000, 0),
        ];
        for &(amount, price, aw, lw, want) in cases {
            assert_eq!(weighted_value(amount, price, aw, lw).unwrap(), want, "amount {amount}");
        }
    }

    #[test]
    fn rounding_is_against_the_account() {
        // 7 lamports at 0.15 micro-USDC = 1.05 -> asset 1 (weight 1), liability 2.
        assert_eq!(weighted_value(7, sol(), 10_000, 10_000).unwrap(), 1);
        assert_eq!(weighted_value(-7, sol(), 10_000, 10_000).unwrap(), -2);
    }

    #[test]
    fn positive_scale_exponent() {
        // A token with 0 decimals priced at 2.5 USD (25e-1) in a 6-decimals quote: 2.5e6 per unit.
        let p = TokenPrice::from_oracle(25, -1, 0, 6).unwrap();
        assert_eq!(p.scale_exp, 5);
        assert_eq!(weighted_value(4, p, 10_000, 10_000).unwrap(), 10_000_000);
    }

    #[test]
    fn refusals() {
        assert_eq!(TokenPrice::from_oracle(0, -8, 9, 6), Err(RiskError::NonPositivePrice));
        assert_eq!(TokenPrice::from_oracle(-5, -8, 9, 6), Err(RiskError::NonPositivePrice));
        assert_eq!(TokenPrice::from_oracle(1, -60, 9, 6), Err(RiskError::ScaleOutOfRange));
        assert_eq!(TokenPrice::from_oracle(1, i32::MAX, 0, 6), Err(RiskError::ScaleOutOfRange));
        assert_eq!(TokenPrice::from_oracle(1, i32::MIN, 9, 0), Err(RiskError::ScaleOutOfRange));
        let huge = TokenPrice { mantissa: u64::MAX, scale_exp: 10 };
        assert_eq!(weighted_value(i64::MAX, huge, 10_000, 10_000), Err(RiskError::Overflow));
    }
}
