//! The one error enum of the program. APPEND ONLY: codes are part of the ABI
//! (clients and tests match on them). Never reorder, never remove, never reuse.

use anchor_lang::prelude::*;

#[error_code]
pub enum MaxwellError {
    // 6000
    #[msg("The instruction is disabled by the exchange's instruction gate")]
    InstructionDisabled,
    #[msg("The signer is not the exchange admin")]
    NotAdmin,
    #[msg("The signer is not the margin account's owner")]
    NotOwner,
    #[msg("The signer is neither the margin account's owner nor its delegate")]
    NotOwnerOrDelegate,
    #[msg("The account belongs to another exchange")]
    WrongExchange,
    // 6005
    #[msg("The mint does not match the bank's mint")]
    WrongMint,
    #[msg("The vault does not match the bank's vault")]
    WrongVault,
    #[msg("The token program does not own this mint")]
    WrongTokenProgram,
    #[msg("The oracle account is not the bank's oracle")]
    WrongOracle,
    #[msg("The oracle account is not owned by the Pyth receiver program")]
    OracleWrongOwner,
    // 6010
    #[msg("The oracle account is not a PriceUpdateV2 account")]
    OracleMalformed,
    #[msg("The oracle's feed id does not match the bank's feed id")]
    OracleFeedMismatch,
    #[msg("The oracle update is only partially verified")]
    OracleNotFullyVerified,
    #[msg("The oracle price is older than the allowed age")]
    OracleStale,
    #[msg("The oracle confidence interval is too wide relative to the price")]
    OracleConfidenceTooWide,
    // 6015
    #[msg("The oracle price is zero or negative")]
    OracleNonPositivePrice,
    #[msg("The amount must be greater than zero")]
    ZeroAmount,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("The withdrawal exceeds the account's balance in this bank")]
    InsufficientBalance,
    #[msg("The vault does not hold enough tokens for this withdrawal")]
    InsufficientVaultLiquidity,
    // 6020
    #[msg("The deposit would exceed the bank's deposit cap")]
    DepositCapExceeded,
    #[msg("Initial-margin health would be negative after this action")]
    InitialMarginViolated,
    #[msg("The margin account has no free collateral slot")]
    CollateralSlotsFull,
    #[msg("The margin account still holds collateral or positions")]
    AccountNotEmpty,
    #[msg("The health accounts passed do not match the margin account's collateral slots")]
    HealthAccountsMismatch,
    // 6025
    #[msg("IM factor is outside its bounds")]
    ImFactorOutOfBounds,
    #[msg("Oracle max age is outside its bounds")]
    OracleMaxAgeOutOfBounds,
    #[msg("Oracle max confidence is outside its bounds")]
    OracleMaxConfOutOfBounds,
    #[msg("Asset weights must satisfy 0 <= initial <= maintenance <= 1")]
    AssetWeightsInvalid,
    #[msg("Liability weights must satisfy 1 <= maintenance <= initial <= 3")]
    LiabilityWeightsInvalid,
    // 6030
    #[msg("Liquidation penalty bounds are invalid")]
    LiquidationPenaltyOutOfBounds,
    #[msg("The quote bank must use the exchange's quote mint and no oracle")]
    QuoteBankInvalid,
    #[msg("A non-quote bank needs a Pyth oracle and feed id")]
    OracleRequired,
    #[msg("The exchange has reached its maximum number of banks")]
    TooManyBanks,
    #[msg("Token-2022 mints with extensions are not supported")]
    MintExtensionNotSupported,
    // 6035
    #[msg("Oracle price exponent and decimals give an unsupported scale")]
    PriceScaleOutOfRange,
    #[msg("The margin account is not the one derived from owner and id")]
    WrongMarginAccount,
    #[msg("The deposit cap must be greater than zero")]
    DepositCapZero,
    #[msg("The margin account's collateral slots are inconsistent (invariant broken)")]
    MarginAccountInvariant,
}

impl From<maxwell_risk::RiskError> for MaxwellError {
    fn from(e: maxwell_risk::RiskError) -> Self {
        use maxwell_risk::RiskError as R;
        match e {
            R::NonPositivePrice => MaxwellError::OracleNonPositivePrice,
            R::ScaleOutOfRange => MaxwellError::PriceScaleOutOfRange,
            _ => MaxwellError::MathOverflow,
        }
    }
}
