//! The two yardsticks, in f64 with the backtest's own pricer:
//! - the isolated rule of `margin_quality.rs`: per short option
//!   `max(0.15 S - OTM, 0.10 S) + mark`, hedges ignored;
//! - a Deribit-style portfolio margin: the worst loss over 9 price moves of the forward,
//!   -16%..+16% in 4% steps, x 3 vol states (unchanged; up `x (1 + 0.5 f)`; down
//!   `x max(1 - 0.25 f, 0.05)`; `f = (30 / days)^p`, `p = 0.3` below 30 days and `0.13` from 30
//!   days on), every option revalued at its unchanged time to expiry at today's vol at its
//!   strike (sticky strike) times the vol state, SOL collateral moving with the price. No
//!   extended table, no contingency add-ons (both would raise it).

use crate::b76;
use crate::books::{mark, Book};
use crate::market::Market;

pub const DERIBIT_RANGE: f64 = 0.16;
pub const DERIBIT_STEPS: i32 = 4;
pub const DERIBIT_VOL_UP: f64 = 0.5;
pub const DERIBIT_VOL_DOWN: f64 = 0.25;
pub const DERIBIT_P_SHORT: f64 = 0.3;
pub const DERIBIT_P_LONG: f64 = 0.13;

pub fn isolated(book: &Book, market: &Market) -> f64 {
    let s = market.spot;
    book.legs
        .iter()
        .filter(|l| l.size < 0)
        .map(|l| {
            let k = l.strike_usd();
            let otm = match l.kind {
                b76::Kind::Call => (k - s).max(0.0),
                b76::Kind::Put => (s - k).max(0.0),
            };
            (-l.size) as f64 * ((0.15 * s - otm).max(0.10 * s) + mark(market, l))
        })
        .sum()
}

pub fn deribit(book: &Book, market: &Market) -> f64 {
    let sol = book.sol_lamports as f64 / 1e9;
    let base: Vec<(f64, f64, f64)> = book
        .legs
        .iter()
        .map(|l| {
            let e = market.expiry(l.days);
            let k = l.strike_usd();
            (e.vol((k / market.spot).ln()), e.t, mark(market, l))
        })
        .collect();
    let mut worst = 0.0f64;
    for i in -DERIBIT_STEPS..=DERIBIT_STEPS {
        let x = DERIBIT_RANGE * f64::from(i) / f64::from(DERIBIT_STEPS);
        let f = market.spot * (1.0 + x);
        for state in 0..3 {
            let mut pnl = sol * market.spot * x;
            for (l, &(vol, t, v0)) in book.legs.iter().zip(&base) {
                let days = f64::from(l.days);
                let scale = (30.0 / days).powf(if days < 30.0 { DERIBIT_P_SHORT } else { DERIBIT_P_LONG });
                let v = match state {
                    0 => vol,
                    1 => vol * (1.0 + DERIBIT_VOL_UP * scale),
                    _ => vol * (1.0 - DERIBIT_VOL_DOWN * scale).max(0.05),
                };
                pnl += l.size as f64 * (b76::price(l.kind, f, l.strike_usd(), v, t) - v0);
            }
            worst = worst.max(-pnl);
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::b76::Kind;
    use crate::books::Leg;

    #[test]
    fn references_of_simple_books() {
        let m = Market::new(8_000);
        // SOL x10 alone: the -16% point, 10 x 150 x 0.16 = 240 USD.
        let sol = Book { family: String::new(), name: String::new(), legs: vec![], sol_lamports: 10_000_000_000 };
        assert!((deribit(&sol, &m) - 240.0).abs() < 1e-9);
        assert_eq!(isolated(&sol, &m), 0.0);
        // Naked short call 165 x10: isolated = 10 x (max(22.5 - 15, 15) + mark) = 150 + 10 x mark.
        let leg = Leg { strike: 165_000_000, days: 30, kind: Kind::Call, size: -10 };
        let call = Book { family: String::new(), name: String::new(), legs: vec![leg], sol_lamports: 0 };
        assert!((isolated(&call, &m) - 150.0 - 10.0 * mark(&m, &leg)).abs() < 1e-9);
        // Its Deribit-style loss is at +16% with vol up, and at least the +16% intrinsic gain less the mark.
        let d = deribit(&call, &m);
        assert!(d >= 10.0 * (174.0 - 165.0) - 10.0 * mark(&m, &leg) && d < 10.0 * 174.0, "{d}");
    }
}
