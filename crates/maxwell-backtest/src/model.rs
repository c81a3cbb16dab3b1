//! The model under test: the risk crate's maintenance requirement of a book, computed exactly
//! as the program computes it (`series_risk` per series, then `portfolio_margin_from_arrays`
//! with `RiskParams::DEFAULT`, SOL collateral at weight 1 moving in the underlying's
//! scenarios), as `margin_quality.rs` does. This is the one function to adapt when the
//! crate's scenario model changes; the rest of the harness never reads the crate.

use crate::b76::Kind;
use crate::books::Book;
use crate::market::{Market, DAY_SECS, NOW, SPOT_MICRO};
use maxwell_risk::black76::OptionKind;
use maxwell_risk::collateral::TokenPrice;
use maxwell_risk::fixed::Fx;
use maxwell_risk::margin::{portfolio_margin_from_arrays, BookArrays, CollateralInput, Position, NO_UNDERLYING};
use maxwell_risk::market::UnderlyingMarket;
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::underlying_scenarios;
use maxwell_risk::series::{series_risk, Series, SeriesRisk};

/// What the harness needs from the model, in USD.
#[derive(Clone, Copy, Debug)]
pub struct Requirement {
    /// Maintenance requirement.
    pub maintenance: f64,
    /// The model's option marks (long positive, short negative), for the collateral view.
    pub option_value: f64,
}

/// The model's liquidation horizon (the backtest's day).
pub fn horizon_secs() -> i64 {
    RiskParams::DEFAULT.shock_horizon_secs
}

fn sol_price() -> TokenPrice {
    TokenPrice::from_oracle((SPOT_MICRO * 100) as i64, -8, 9, 6).unwrap()
}

/// Maintenance of `book` on `market` by the crate, exactly as the program computes it.
pub fn requirement(book: &Book, market: &Market) -> Requirement {
    let params = RiskParams::DEFAULT;
    let m = UnderlyingMarket { spot: SPOT_MICRO, conf: SPOT_MICRO / 2_000, now: NOW, expiries: &market.crate_expiries };
    let scen = underlying_scenarios(&m, &params).unwrap();
    let risks: Vec<SeriesRisk> = book
        .legs
        .iter()
        .map(|l| {
            let kind = match l.kind {
                Kind::Call => OptionKind::Call,
                Kind::Put => OptionKind::Put,
            };
            let s = Series { strike: l.strike, expiry: NOW + i64::from(l.days) * DAY_SECS, underlying: 0, kind: kind as u8, _pad: [0; 6] };
            series_risk(&s, &m, &scen, &params).unwrap_or_else(|e| panic!("series_risk {l:?}: {e:?}"))
        })
        .collect();
    let pos: Vec<Position> = book.legs.iter().enumerate().map(|(i, l)| Position { size: l.size, series: i as u16, _pad: [0; 6] }).collect();
    let books = [BookArrays { scen: &scen, series: &risks, positions: &pos }];
    let coll = [
        CollateralInput {
            amount: book.sol_lamports,
            price: sol_price(),
            asset_weight_bps: 10_000,
            liability_weight_bps: 10_000,
            underlying: 0,
        },
        CollateralInput {
            amount: 0,
            price: TokenPrice::ONE,
            asset_weight_bps: 10_000,
            liability_weight_bps: 10_000,
            underlying: NO_UNDERLYING,
        },
    ];
    let s = portfolio_margin_from_arrays(&books, &coll, &params, Fx::ONE).unwrap_or_else(|e| panic!("margin {}: {e:?}", book.name));
    Requirement { maintenance: s.maintenance as f64 / 1e6, option_value: s.option_value as f64 / 1e6 }
}
