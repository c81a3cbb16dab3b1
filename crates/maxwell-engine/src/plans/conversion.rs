//! Collateral conversion (`rebalance_collateral`): a keeper repays part of an account's quote
//! borrow and takes the account's collateral at the oracle price less a discount, the keeper's
//! fee. The policy bounds the discount (at most `max_discount_bps`, itself at most 2%); the
//! program checks the bound, the borrow and the balances before asking the plan.
//!
//! - Collateral ([`collateral_for_quote`]): `quote x 10^4 / ((10^4 - d) x price)` token native
//!   units, rounded **down** (for the account giving it up).
//! - Fee ([`ConversionPlan::fee`]): what the keeper gains at the oracle price, the collateral's
//!   value (rounded down) less the quote it repaid; at most `quote x d / (10^4 - d)`. Computed
//!   on demand: the program does not need it (computing it in the handler cost 321 compute
//!   units in the benchmark's rebalance_collateral).

use maxwell_risk::collateral::TokenPrice;
use maxwell_risk::math::wide::{div_rem_u128_u64, umul_wide};

use crate::error::{EngineError, Result};
use crate::plans::BPS;

/// A conversion of `quote_amount` quote native units of the account's borrow at `price`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConversionPlan {
    /// Token native units the account gives the keeper.
    pub collateral: u64,
    /// Quote native units the keeper repays.
    pub quote_amount: u64,
    /// The oracle price the conversion was planned at.
    pub price: TokenPrice,
}

impl ConversionPlan {
    /// The keeper's gain at the oracle price, quote native: `floor(collateral x price) -
    /// quote_amount`, 0 if the rounding of `collateral` leaves it below par.
    pub fn fee(&self) -> Result<u64> {
        // collateral x price <= quote x 10^4 / (10^4 - d) < 2^78: the value always fits.
        let value = value_down(self.collateral, self.price)?;
        u64::try_from(value.saturating_sub(u128::from(self.quote_amount))).map_err(|_| EngineError::Overflow)
    }
}

fn pow10(e: u32) -> Result<u128> {
    10u128.checked_pow(e).ok_or(EngineError::Overflow)
}

/// Token native units worth `quote` quote native units at `price` less `discount_bps`:
/// `quote x 10^4 / ((10^4 - d) x mantissa x 10^scale)`, rounded down. A discount of 100% or
/// more has no price: [`EngineError::Overflow`].
pub fn collateral_for_quote(quote: u64, price: TokenPrice, discount_bps: u16) -> Result<u64> {
    let keep = BPS.saturating_sub(u32::from(discount_bps)); // a discount beyond 100% counts as 100%
    let mut num = u128::from(quote) * u128::from(BPS);
    let mut den = u128::from(keep) * u128::from(price.mantissa);
    if price.scale_exp < 0 {
        num = num.checked_mul(pow10(price.scale_exp.unsigned_abs())?).ok_or(EngineError::Overflow)?;
    } else {
        den = den.checked_mul(pow10(price.scale_exp.unsigned_abs())?).ok_or(EngineError::Overflow)?;
    }
    if den == 0 {
        return Err(EngineError::Overflow);
    }
    u64::try_from(num / den).map_err(|_| EngineError::Overflow)
}

/// `floor(amount x mantissa x 10^scale)`: the value of `amount` token native units at `price`,
/// quote native, rounded down.
fn value_down(amount: u64, price: TokenPrice) -> Result<u128> {
    let (hi, lo) = umul_wide(amount, price.mantissa);
    let x = (u128::from(hi) << 64) | u128::from(lo);
    let p = pow10(price.scale_exp.unsigned_abs())?;
    if price.scale_exp < 0 {
        // A u64 divisor (|scale_exp| <= 19) divides with 64-bit hardware divides.
        Ok(match u64::try_from(p) {
            Ok(p64) => div_rem_u128_u64(x, p64).0,
            Err(_) => x / p,
        })
    } else {
        x.checked_mul(p).ok_or(EngineError::Overflow)
    }
}

/// The conversion of `quote_amount` at `price` less `discount_bps`: the collateral
/// ([`collateral_for_quote`]); the keeper's fee is [`ConversionPlan::fee`].
pub fn plan_conversion(quote_amount: u64, price: TokenPrice, discount_bps: u16) -> Result<ConversionPlan> {
    let collateral = collateral_for_quote(quote_amount, price, discount_bps)?;
    Ok(ConversionPlan { collateral, quote_amount, price })
}

#[cfg(test)]
mod tests {
    use super::*;

    const USDC: u64 = 1_000_000;

    /// SOL/USD 150.00 (Pyth 15_000_000_000 x 10^-8), SOL 9 decimals, USDC 6: 0.15 per lamport.
    fn sol() -> TokenPrice {
        TokenPrice::from_oracle(15_000_000_000, -8, 9, 6).unwrap()
    }

    #[test]
    fn collateral_table() {
        // (quote, price, discount, collateral = formula, rounded down)
        let cases: &[(u64, TokenPrice, u16, u64)] = &[
            // 150 USDC at 150, no discount: 1 SOL
            (150 * USDC, sol(), 0, 1_000_000_000),
            // 1,000 USDC at 150 x 0.995 (the LiteSVM test): 6,700,167,504.18 -> 6,700,167,504
            (1_000 * USDC, sol(), 50, (1_000 * USDC as u128 * 10_000 * 100_000_000_000 / (9_950 * 15_000_000_000)) as u64),
            // 150 USDC at 150 x 0.99: 1,010,101,010.1 -> 1,010,101,010
            (150 * USDC, sol(), 100, 150 * USDC * 10_000 * 100 / (9_900 * 15)),
            // 1 micro-USDC at a 2% discount: 1 / (0.98 x 0.15) = 6.8 -> 6
            (1, sol(), 200, 6),
            // a positive scale: 2.5e6 quote native per unit (25 x 10^5), 10 USDC -> 4 units
            (10 * USDC, TokenPrice { mantissa: 25, scale_exp: 5 }, 0, 10 * USDC / 2_500_000),
            // ... at 1%: 10e6 / (0.99 x 2.5e6) = 4.04 -> 4
            (10 * USDC, TokenPrice { mantissa: 25, scale_exp: 5 }, 100, 4),
            (0, sol(), 100, 0),
        ];
        for &(quote, price, d, want) in cases {
            assert_eq!(collateral_for_quote(quote, price, d), Ok(want), "quote {quote} d {d}");
        }
    }

    #[test]
    fn collateral_refusals() {
        // A 100% discount has no price; beyond it counts as 100%.
        assert_eq!(collateral_for_quote(USDC, sol(), 10_000), Err(EngineError::Overflow));
        assert_eq!(collateral_for_quote(USDC, sol(), u16::MAX), Err(EngineError::Overflow));
        // More token units than a u64 holds.
        assert_eq!(collateral_for_quote(u64::MAX, sol(), 0), Err(EngineError::Overflow));
        // A scale beyond u128's powers of ten.
        assert_eq!(collateral_for_quote(USDC, TokenPrice { mantissa: 1, scale_exp: -39 }, 0), Err(EngineError::Overflow));
        assert_eq!(collateral_for_quote(USDC, TokenPrice { mantissa: u64::MAX, scale_exp: 36 }, 0), Err(EngineError::Overflow));
    }

    #[test]
    fn fee_table() {
        // (quote, discount, fee = floor(collateral x 0.15) - quote)
        let cases: &[(u64, u16, u64)] = &[
            // 6,700,167,504 x 0.15 = 1,005,025,125.6 -> 5,025,125 over 1,000 USDC
            (1_000 * USDC, 50, 6_700_167_504 * 15 / 100 - 1_000 * USDC),
            // 1,010,101,010 x 0.15 = 151,515,151.5 -> 1,515,151 (quote x d / (1e4 - d) = 1,515,151.5)
            (150 * USDC, 100, 1_010_101_010 * 15 / 100 - 150 * USDC),
            // no discount: collateral rounded down is worth at most the quote -> 0
            (150 * USDC + 1, 0, 0),
            // 6 lamports are worth 0.9 < 1: below par by rounding -> 0
            (1, 200, 0),
        ];
        for &(quote, d, want) in cases {
            let plan = plan_conversion(quote, sol(), d).unwrap();
            assert_eq!(plan.collateral, collateral_for_quote(quote, sol(), d).unwrap());
            let fee = plan.fee().unwrap();
            assert_eq!(fee, want, "quote {quote} d {d}");
            // Never more than the discount itself: quote x d / (1e4 - d).
            assert!(u128::from(fee) <= u128::from(quote) * u128::from(d) / u128::from(10_000 - d));
        }
        let price = TokenPrice { mantissa: 25, scale_exp: 5 };
        let p = plan_conversion(10 * USDC, price, 100).unwrap();
        // 4 units x 2.5e6 = 10e6: exactly the quote, no gain (the discount was lost to rounding).
        assert_eq!(p, ConversionPlan { collateral: 4, quote_amount: 10 * USDC, price });
        assert_eq!(p.fee(), Ok(0));
    }
}
