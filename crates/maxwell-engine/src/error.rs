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
