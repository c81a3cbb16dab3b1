//! The engine's errors: its own, or those of the risk and lending crates it calls.

use maxwell_lending::LendingError;
use maxwell_risk::RiskError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineError {
    Risk(RiskError),
    Lending(LendingError),
    /// An account's slot or position needs a bank or underlying the snapshot does not hold.
    MissingHealthAccount,
    /// A position refers to a series index the underlying does not list.
    SeriesNotListed,
    /// A position in an expired series must be settled before anything else.
    ExpiredPositionUnsettled,
    /// A risk array is too old, from another surface version or too far from the live spot.
    RiskCacheStale,
    /// More underlyings with positions than one margin computation takes.
    TooManyUnderlyings,
    /// A product or sum does not fit.
    Overflow,
    /// A liquidation leg whose sign differs from the liquidatee's position in the series, or
    /// that takes more contracts than the position has left.
    LiquidationLegInvalid,
    /// A liquidation that leaves maintenance health at or above zero even without its last
    /// contract: it took more than restoring the account needed.
    OverLiquidation,
    /// A realized-vol update less than `RV_MIN_INTERVAL_SECS` after the previous one.
    RealizedVolTooSoon,
    /// A realized-vol sample outside its grid boundary's window, or from a price published
    /// before the boundary.
    RealizedVolOffSchedule,
    /// A rebalance move worth more than the policy's per-move limit.
    MoveLimitExceeded,
    /// A rebalance move worth more than what is left of the policy's rolling day.
    DayLimitExceeded,
    /// The account's maintenance health is not negative: nothing to liquidate.
    NotLiquidatable,
    /// A liquidation that would not raise the liquidatee's maintenance health.
    LiquidationDidNotImprove,
    /// A balance liquidation's asset bank is its liability bank.
    BalanceSameBank,
    /// The liquidatee holds no positive balance in the asset bank.
    BalanceNotAsset,
    /// The liquidatee owes nothing to the liability bank.
    BalanceNotLiability,
    /// The take rounds to nothing (no debt, no asset, or a zero maximum).
    BalanceTakeTooSmall,
    /// A trade price outside the band around the series' mark.
    TradePriceOutsideBand,
    /// A governance change moves a parameter further than one execution may.
    StepTooLarge,
    /// A timelock outside its bounds.
    TimelockOutOfBounds,
    /// Breaker parameters (volatility or withdrawal) outside their bounds.
    BreakerParamsOutOfBounds,
    /// A smile update moves ATM (or wing) volatility further than the rate bound allows.
    VolMoveTooLarge,
    /// An outflow beyond the bank's withdrawal breaker for the current window.
    WithdrawalBreaker,
    /// A listing schedule outside its bounds (`plans::listing::ListingRule::validate`).
    ListingRuleInvalid,
}

impl From<RiskError> for EngineError {
    fn from(e: RiskError) -> Self {
        EngineError::Risk(e)
    }
}

impl From<LendingError> for EngineError {
    fn from(e: LendingError) -> Self {
        EngineError::Lending(e)
    }
}

pub type Result<T> = core::result::Result<T, EngineError>;
