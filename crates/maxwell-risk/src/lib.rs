//! Maxwell's risk engine.
//!
//! Pure integer/fixed-point code with no Solana dependency: the on-chain program, the keeper
//! and the WASM client all call these functions, so the three always agree to the last unit.
//! No floats anywhere; every operation is checked and rounds in a stated direction.
//! See `README.md` for the number formats, units and accuracy.
#![cfg_attr(not(any(test, feature = "std")), no_std)]

pub mod black76;
pub mod collateral;
pub mod error;
pub mod fixed;
pub mod margin;
pub mod market;
pub mod math;
pub mod params;
pub mod scenario;
pub mod series;
pub mod surface;
pub mod units;

pub use error::RiskError;
pub use math::normal::{normal_cdf, normal_pdf};
