//! Maxwell's bank math, shared by the program, the keeper and the client.
//!
//! A bank's balances are **shares**: an account with `s > 0` deposit shares owns
//! `floor(s x deposit_index)` native units, one with `s < 0` owes `ceil(|s| x borrow_index)`.
//! Indices are unsigned Q24.40 (`ONE = 2^40`), so every value is one 64x64 product and a
//! shift: no division on the read path. Interest raises the borrow index; depositors'
//! index rises by what borrowers pay minus the reserve share (which becomes deposit shares
//! owned by the protocol). A socialized loss lowers the deposit index.
//!
//! Rounding is always against the account and for the bank: the vault never holds less
//! than what depositors are owed minus what borrowers owe (tested by property).
#![no_std]

pub mod curve;
pub mod index;

pub use curve::{RateCurve, RateCurveError, SECONDS_PER_YEAR};
pub use index::{Accrual, BankIndex, LendingError, ONE, ONE_SHIFT};

/// Basis points: 10_000 = 1.0.
pub const BPS: u64 = 10_000;
