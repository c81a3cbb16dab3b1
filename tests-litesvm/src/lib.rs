//! Test harness: the real `target/deploy/maxwell.so` in LiteSVM, with the real SPL Token and
//! Token-2022 programs, real signatures and real `PriceUpdateV2` accounts.
//!
//! One builder per instruction (`ix`), token helpers (`token`), oracle accounts (`pyth`),
//! and `World`, a ready exchange with a quote bank and a SOL bank (`world`).

pub mod capacity;
pub mod env;
pub mod fuzz;
pub mod governance;
pub mod ix;
pub mod lending;
pub mod market;
pub mod pyth;
pub mod rebalance;
pub mod token;
pub mod world;

pub use env::*;
