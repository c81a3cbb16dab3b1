//! Trade prices within a band around the mark: no signer (an owner, a delegate, two accounts
//! of one owner) can move value between accounts through an off-market price.
//!
//! Half-width ([`half_width`]): `max(ceil(|vega| x vol_bps / 10^4), ceil(spot x min_bps /
//! 10^4))` quote native per contract, where `vega` is the series' vega (quote per 1.00 of
//! volatility) from its risk array: `vol_bps = 500` lets a quote sit five volatility points
//! off the mark; the spot floor is the minimum tick for deep out-of-the-money series whose vega
//! is nearly zero. A price is accepted in `[max(mark - w, 1), mark + w]` ([`check_price`]).

use crate::error::{EngineError, Result};
use crate::plans::BPS;

/// Exchange parameters of the band, bps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BandParams {
    /// Volatility points of vega, bps of 1.00 volatility (500 = 5 points).
    pub vol_bps: u32,
    /// Floor, bps of spot.
    pub min_bps: u32,
}

fn ceil_bps(x: u64, bps: u32) -> u64 {
    // x < 2^64, bps < 2^32: the product fits u128; the quotient is at most x x bps / 10^4.
    let v = (u128::from(x) * u128::from(bps)).div_ceil(u128::from(BPS));
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// The band's half-width, quote native per contract.
pub fn half_width(vega_quote: i64, spot: u64, p: &BandParams) -> u64 {
    ceil_bps(vega_quote.unsigned_abs(), p.vol_bps).max(ceil_bps(spot, p.min_bps))
}

/// `price` (quote native per contract) within `[max(mark - w, 1), mark + w]`; a negative mark
/// counts as 0. Refusal: [`EngineError::TradePriceOutsideBand`].
pub fn check_price(price: u64, mark: i64, vega_quote: i64, spot: u64, p: &BandParams) -> Result<()> {
    let w = half_width(vega_quote, spot, p);
    let mark = mark.max(0).unsigned_abs();
    let lo = mark.saturating_sub(w).max(1);
    let hi = mark.saturating_add(w);
    if price < lo || price > hi {
        return Err(EngineError::TradePriceOutsideBand);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: BandParams = BandParams { vol_bps: 500, min_bps: 10 };
    const SPOT: u64 = 150_000_000; // $150

    #[test]
    fn band_table() {
        // An ATM call: mark 13.70, vega 17.00 per vol: +-0.85 (5 points of vega).
        assert_eq!(half_width(17_000_000, SPOT, &P), 850_000);
        assert_eq!(check_price(14_000_000, 13_700_000, 17_000_000, SPOT, &P), Ok(()));
        assert_eq!(check_price(14_550_000, 13_700_000, 17_000_000, SPOT, &P), Ok(()), "the upper edge");
        assert_eq!(check_price(14_550_001, 13_700_000, 17_000_000, SPOT, &P), Err(EngineError::TradePriceOutsideBand));
        assert_eq!(check_price(12_849_999, 13_700_000, 17_000_000, SPOT, &P), Err(EngineError::TradePriceOutsideBand));
        // A deep OTM call: mark 0.28, vega 0.01: the spot floor, 0.15 (0.1% of 150).
        assert_eq!(half_width(10_000, SPOT, &P), 150_000);
        assert_eq!(check_price(149_000_000, 280_000, 10_000, SPOT, &P), Err(EngineError::TradePriceOutsideBand), "the delegate drain");
        assert_eq!(check_price(1, 280_000, 10_000, SPOT, &P), Err(EngineError::TradePriceOutsideBand), "sold back at one unit");
        assert_eq!(check_price(130_000, 280_000, 10_000, SPOT, &P), Ok(()));
        // Worthless: a mark of 0 (or negative) trades at 1 to w, never 0.
        assert_eq!(check_price(1, -5, 0, SPOT, &P), Ok(()));
        assert_eq!(check_price(0, 0, 0, SPOT, &P), Err(EngineError::TradePriceOutsideBand));
        // Extremes saturate instead of overflowing.
        assert_eq!(half_width(i64::MIN, u64::MAX, &BandParams { vol_bps: u32::MAX, min_bps: u32::MAX }), u64::MAX);
        assert_eq!(check_price(i64::MAX as u64, i64::MAX, i64::MAX, u64::MAX, &P), Ok(()));
    }
}
