//! Errors of the pure risk engine. The program maps each to its own error code.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RiskError {
    /// An intermediate or result did not fit its type.
    Overflow,
    /// A price was zero or negative where a positive price is required.
    NonPositivePrice,
    /// A price exponent/decimals combination outside the supported range.
    ScaleOutOfRange,
}
