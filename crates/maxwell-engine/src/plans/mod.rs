//! Keeper and crank decisions as plans: pure functions from plain inputs (sizes, marks,
//! prices, balances, policy numbers) to what the program must do. The handler loads and
//! validates the accounts, asks the plan, applies it (balance moves, positions, stored state),
//! emits and checks health; the keeper and the client call the same functions.
//!
//! - [`liquidation`]: penalty rate, per-leg value and penalty base, the quote moves between
//!   liquidatee, liquidator and insurance fund, the no-over-liquidation rule.
//! - [`balance_liquidation`]: how much debt a keeper takes over against which asset, at what
//!   penalty, never beyond maintenance health zero.
//! - [`conversion`]: collateral for a quote repayment at the oracle price less a discount.
//! - [`realized_vol`]: the EWMA of oracle log returns.
//! - [`shock_range`]: the price-shock range widened to realized volatility.
//! - [`trade_band`]: the price band around the mark every trade must respect.
//! - [`listing`]: the listing schedule's next expiry and its strike ladder around the spot.
//! - [`rebalance`]: keeper fee, per-move and rolling per-day limits, the policy's day window.
//!
//! Units: quote native units unless stated; bps = 1/10,000. Every operation is checked and
//! every rounding is stated (against the account that is acted on).

pub mod balance_liquidation;
pub mod conversion;
pub mod liquidation;
pub mod listing;
pub mod realized_vol;
pub mod rebalance;
pub mod shock_range;
pub mod trade_band;

/// Full scale of a basis-point rate.
pub const BPS: u32 = 10_000;
