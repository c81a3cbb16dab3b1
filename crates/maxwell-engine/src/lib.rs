//! Maxwell's engine: account health and keeper decisions from plain snapshots.
//!
//! The program loads and validates accounts, builds a snapshot, asks this crate, applies the
//! answer and emits. The keeper and the WASM client call the same functions, so the three
//! agree to the unit. No Solana dependency; builds for the host, SBF and wasm32.
#![cfg_attr(not(test), no_std)]
extern crate alloc;

pub mod drift;
pub mod error;
pub mod governance;
pub mod health;
pub mod plans;
pub mod reputation;
pub mod valuation;

pub use error::EngineError;
