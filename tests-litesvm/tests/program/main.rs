//! The LiteSVM integration tests on the real `target/deploy/maxwell.so`, one test binary (one
//! link instead of one per file). Each module is one area of the program; `cargo test -p tests-litesvm
//! --test program <module>::` runs one of them.
mod balance_liquidation;
mod bankruptcy;
mod events;
mod expiry_kink;
mod extremes;
mod foundation;
mod fuzz_checks;
mod gap_points;
mod governance;
mod lending;
mod lifecycle;
mod liquidation;
mod listing;
mod markets;
mod realized_vol;
mod rebalance;
mod refusals;
mod reputation;
mod security;
mod skew_tilt;
mod trade_band;
mod valuation;
mod whatif;
