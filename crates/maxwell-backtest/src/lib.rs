//! Margin backtest (issue 14): an outside risk reviewer's one-day dynamics of spot and the
//! volatility surface, its own f64 Black-76, books from reference trades, market-maker families
//! and random books, against the risk crate's maintenance requirement
//! ([`model::requirement`], the only place that reads the crate). Host only: floats, never on
//! chain. `main.rs` runs it and writes `docs/margin-backtest.md`.

pub mod b76;
pub mod books;
pub mod dynamics;
pub mod market;
pub mod model;
pub mod reference;
pub mod rng;
pub mod sim;
