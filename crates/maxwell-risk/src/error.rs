//! Errors of the pure risk engine. The program maps each to its own error code.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RiskError {
    /// An intermediate or result did not fit its type.
    Overflow,
    /// A price was zero or negative where a positive price is required.
    NonPositivePrice,
    /// A price exponent/decimals combination outside the supported range.
    ScaleOutOfRange,
    /// `ln` of zero: a price or strike of zero reached the logarithm.
    LogOfNonPositive,
    /// Time to expiry beyond the supported 10 years.
    TenorTooLong,
    /// A volatility input is negative or above the supported maximum.
    VolOutOfRange,
    /// SVI: the minimum total variance `a + b s sqrt(1 - rho^2)` is negative.
    NegativeTotalVariance,
    /// SVI: `b < 0`.
    SviNegativeB,
    /// SVI: `|rho| >= 1`.
    SviRhoOutOfRange,
    /// SVI: the smoothing parameter `sigma` is not positive.
    SviSigmaNonPositive,
    /// SVI: `a`, `b`, `m` or `sigma` outside its sanity bound.
    SviParamOutOfBounds,
    /// SVI: a wing steeper than Lee's moment bound, `b (1 + |rho|) > 2`.
    SviWingTooSteep,
    /// SVI: the at-the-money total variance is above the total-volatility cap squared.
    SviAtmVarianceTooLarge,
    /// A series' expiry is not among the market's expiries.
    ExpiryNotListed,
    /// A position refers to a series index outside the series array.
    SeriesIndexOutOfRange,
    /// A series or collateral refers to an underlying outside the market list.
    UnderlyingIndexOutOfRange,
    /// More underlyings than [`crate::margin::MAX_UNDERLYINGS`].
    TooManyUnderlyings,
    /// An option kind byte other than 0 (call) or 1 (put).
    InvalidOptionKind,
    /// Price-shock parameters (z, horizon, floor, cap) outside their bounds.
    PriceShockParamsOutOfBounds,
    /// Volatility-shock parameters (up, down, exponents, caps) outside their bounds.
    VolShockParamsOutOfBounds,
    /// Short-option minimum parameters outside their bounds.
    ShortMinParamsOutOfBounds,
    /// Delta/vega concentration parameters outside their bounds.
    ConcentrationParamsOutOfBounds,
    /// Oracle-confidence add-on multiplier outside its bounds.
    ConfidenceParamsOutOfBounds,
    /// Initial-margin factor outside [1.25, 3].
    ImFactorOutOfBounds,
    /// Reputation floor outside [0.9, 1], or IM factor x floor below 1.
    ReputationFloorOutOfBounds,
}
