//! Maxwell's risk engine.
//!
//! Pure integer/fixed-point code with no Solana dependency: the on-chain program, the keeper
//! and the WASM client all call these functions, so the three always agree to the last unit.
//! No floats anywhere; every operation is checked and rounds in a stated direction.
#![cfg_attr(not(any(test, feature = "std")), no_std)]

pub mod collateral;
pub mod error;

pub use error::RiskError;
