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
    // Risk-engine refusals, one code each (maxwell_risk::RiskError).
    #[msg("The risk engine was asked for the log of a non-positive number")]
    LogOfNonPositive,
    #[msg("The time to expiry exceeds the supported maximum")]
    TenorTooLong,
    #[msg("The volatility is outside the supported range")]
    VolOutOfRange,
    #[msg("The volatility surface gives a negative total variance")]
    NegativeTotalVariance,
    #[msg("SVI parameter b must not be negative")]
    SviNegativeB,
    #[msg("SVI parameter rho must be strictly between -1 and 1")]
    SviRhoOutOfRange,
    #[msg("SVI parameter sigma must be positive")]
    SviSigmaNonPositive,
    #[msg("An SVI parameter is outside its bounds")]
    SviParamOutOfBounds,
    #[msg("The SVI wings are steeper than allowed")]
    SviWingTooSteep,
    #[msg("The SVI at-the-money variance is too large")]
    SviAtmVarianceTooLarge,
    #[msg("The expiry is not listed for this underlying")]
    ExpiryNotListed,
    #[msg("The series index is out of range")]
    SeriesIndexOutOfRange,
    #[msg("The underlying index is out of range")]
    UnderlyingIndexOutOfRange,
    #[msg("Too many underlyings in one margin computation")]
    TooManyUnderlyings,
    #[msg("The option kind must be 0 (call) or 1 (put)")]
    InvalidOptionKind,
    #[msg("Price shock parameters are outside their bounds")]
    PriceShockParamsOutOfBounds,
    #[msg("Volatility shock parameters are outside their bounds")]
    VolShockParamsOutOfBounds,
    #[msg("Short-option minimum parameters are outside their bounds")]
    ShortMinParamsOutOfBounds,
    #[msg("Concentration add-on parameters are outside their bounds")]
    ConcentrationParamsOutOfBounds,
    #[msg("Oracle-confidence add-on parameters are outside their bounds")]
    ConfidenceParamsOutOfBounds,
    #[msg("The reputation floor is outside its bounds")]
    ReputationFloorOutOfBounds,
    // Markets and trading.
    #[msg("The series is not listed on this underlying")]
    SeriesNotListed,
    #[msg("The underlying has no room for another expiry")]
    TooManyExpiries,
    #[msg("The underlying has no room for more series")]
    TooManySeries,
    #[msg("The series has expired and no longer trades")]
    SeriesExpired,
    #[msg("A trade leg must have a non-zero size")]
    ZeroSize,
    #[msg("Maker and taker must be different accounts of different owners")]
    SelfTrade,
    #[msg("The signer is not the underlying's volatility oracle")]
    NotVolOracle,
    #[msg("The volatility surface is older than allowed")]
    SurfaceStale,
    #[msg("The series' risk array is stale: refresh it (risk_refresh) in the same transaction")]
    RiskCacheStale,
    #[msg("The trade would exceed the series' open-interest cap")]
    OpenInterestCapExceeded,
    #[msg("The margin account has no free position slot")]
    PositionsFull,
    #[msg("The trade price is outside the option's no-arbitrage bounds")]
    PriceOutOfBounds,
    #[msg("The expiry has not been reached yet")]
    NotExpired,
    #[msg("The settlement price of this expiry is already set")]
    SettlementPriceAlreadySet,
    #[msg("The account holds an expired position that must be settled first")]
    ExpiredPositionUnsettled,
    #[msg("The underlying does not match")]
    WrongUnderlying,
    #[msg("A trade needs between 1 and 4 legs")]
    TradeLegsOutOfRange,
    #[msg("The expiry must be in the future")]
    ExpiryInPast,
    #[msg("Strikes must be greater than zero")]
    StrikeZero,
    #[msg("The series is already listed")]
    SeriesAlreadyListed,
    #[msg("The oracle price was published before the expiry")]
    SettlementPriceBeforeExpiry,
    #[msg("Underlying parameters are outside their bounds")]
    UnderlyingParamsOutOfBounds,
    #[msg("The expiry index is out of range")]
    ExpiryIndexOutOfRange,
    #[msg("The spot bank must be an existing non-quote bank of this exchange")]
    SpotBankInvalid,
    // Liquidation.
    #[msg("The account's maintenance health is not negative: it cannot be liquidated")]
    NotLiquidatable,
    #[msg("The liquidation does not improve the account's maintenance health")]
    LiquidationDidNotImprove,
    #[msg("The liquidation takes more than needed to restore maintenance health")]
    OverLiquidation,
    #[msg("A liquidation leg must reduce an existing position of the liquidatee, without flipping it")]
    LiquidationLegInvalid,
    #[msg("The account is not the exchange's insurance fund")]
    WrongInsuranceAccount,
    #[msg("The exchange already has an insurance fund")]
    InsuranceAlreadyCreated,
    // Lending and bankruptcy.
    #[msg("The rate curve's kink utilization is outside [10%, 99%]")]
    RateKinkOutOfBounds,
    #[msg("The rate curve's rates must not decrease: base <= kink rate <= max rate")]
    RatesNotIncreasing,
    #[msg("The rate curve's max rate is above 500% a year")]
    RateTooHigh,
    #[msg("The reserve share of interest is above 50%")]
    RateReserveTooHigh,
    #[msg("The bank's borrow cap would be exceeded (or borrowing is off: cap 0)")]
    BorrowCapExceeded,
    #[msg("A socialized loss larger than the bank's deposits")]
    LossExceedsDeposits,
    #[msg("The account is not bankrupt: it still holds positions or assets, or owes nothing to this bank")]
    NotBankrupt,
    // Rebalance.
    #[msg("Rebalance policy bands invalid: need 0 <= trigger < target, and limits > 0")]
    PolicyInvalid,
    #[msg("The account is not the policy's owner's, or not listed in the policy")]
    PolicyAccountNotListed,
    #[msg("The policy does not allow this source to feed this destination")]
    RebalanceNotAllowed,
    #[msg("The destination's health is not under its policy trigger")]
    RebalanceNotTriggered,
    #[msg("The move would leave the source below its policy target")]
    RebalanceSourceBelowTarget,
    #[msg("The move exceeds the policy's per-move or per-day limit")]
    RebalanceLimitExceeded,
    #[msg("The keeper fee is above its bound")]
    KeeperFeeTooHigh,
    #[msg("The conversion would lower the account's health")]
    ConversionLowersHealth,
    #[msg("The conversion discount is above its bound")]
    ConversionDiscountTooHigh,
    #[msg("The account's quote balance is not borrowed beyond its threshold")]
    ConversionNotNeeded,
    #[msg("A conversion must take a non-quote collateral the account holds")]
    ConversionBankInvalid,
    #[msg("The realized-volatility update came too soon after the last one")]
    RealizedVolTooSoon,
    // 6109
    #[msg("Collateral bank invariant violated (weights, indices or share totals)")]
    BankInvariant,
    #[msg("Underlying invariant violated (expiries, series or open interest)")]
    UnderlyingInvariant,
    #[msg("Rebalance policy invariant violated (accounts, limits or counters)")]
    PolicyInvariant,
    // One meaning per code (issue 10): causes that shared a code above get their own.
    // 6112
    #[msg("The keeper's margin account is one of the accounts being rebalanced")]
    KeeperIsTarget,
    #[msg("The repayment is larger than the account's quote borrow")]
    RepayExceedsBorrow,
    #[msg("A liquidation needs between 1 and 4 legs")]
    LiquidationLegsOutOfRange,
    #[msg("A listing needs at least one strike")]
    NoStrikes,
    #[msg("The insurance fund cannot be resolved as a bankrupt account")]
    InsuranceIsTarget,
    // 6117
    #[msg("The liquidator account must differ from the liquidatee")]
    LiquidatorIsLiquidatee,
    #[msg("A listing takes at most 16 strikes per call")]
    TooManyStrikes,
    #[msg("A rebalance needs two different accounts: the source is the destination")]
    RebalanceSourceIsDestination,
    #[msg("The policy lists an account twice")]
    PolicyDuplicateAccount,
    #[msg("The remaining accounts must be the policy's accounts, in the order listed")]
    PolicyAccountsMismatch,
    // 6122
    #[msg("A policy lists 1 to 8 accounts and one feed mask per account")]
    PolicyListInvalid,
    #[msg("A bank's feed id cannot change: a different asset needs a different bank")]
    BankFeedIdChanged,
    #[msg("The bank passed as the quote bank is not the exchange's quote bank")]
    NotQuoteBank,
    #[msg("The repayment buys less than one native unit of the collateral")]
    ConversionTooSmall,
    #[msg("The series' expiry has no volatility surface yet")]
    SurfaceMissing,
    // 6127
    #[msg("A balance liquidation needs two different banks: the asset bank is the liability bank")]
    BalanceSameBank,
    #[msg("The liquidatee holds no positive balance in the asset bank")]
    BalanceNotAsset,
    #[msg("The liquidatee owes nothing to the liability bank")]
    BalanceNotLiability,
    #[msg("The balance liquidation rounds to nothing (a zero maximum)")]
    BalanceTakeTooSmall,
    // 6131
    #[msg("The insurance fund holds the quote token only")]
    InsuranceQuoteOnly,
    #[msg("The insurance fund cannot be liquidated")]
    InsuranceIsLiquidatee,
    #[msg("The oracle price is published more than 10 s after the cluster clock")]
    OraclePublishedInFuture,
    #[msg("The trade price is outside the band around the series' mark")]
    TradePriceOutsideBand,
    // 6135
    #[msg("The trade band takes 100 to 2,000 bps of vega and 1 to 100 bps of spot")]
    TradeBandParamsOutOfBounds,
    #[msg("Only the guardian or the admin may do this")]
    NotGuardian,
    #[msg("The guardian may only disable instructions, never enable them")]
    GuardianCannotEnable,
    #[msg("Only the proposed admin may accept the transfer")]
    NotPendingAdmin,
    #[msg("This signer may not propose this change (keys and roles: admin; parameters: admin or risk role)")]
    NotProposer,
    #[msg("The change is still under its timelock")]
    ProposalLocked,
    // 6141
    #[msg("The change was already executed or cancelled")]
    ProposalNotPending,
    #[msg("The change moves a parameter further than one execution may")]
    ProposalStepTooLarge,
    #[msg("The account passed is not the change's target")]
    ProposalTargetMismatch,
    #[msg("The timelock is outside [10 s, 30 days]")]
    TimelockOutOfBounds,
    #[msg("Breaker parameters outside their bounds")]
    BreakerParamsOutOfBounds,
    // 6146
    #[msg("The smile moves ATM or wing volatility further than the rate bound allows")]
    VolMoveTooLarge,
    #[msg("The underlying's volatility breaker is tripped: only risk-reducing trades")]
    VolBreakerTripped,
    #[msg("The bank's withdrawal breaker is reached for this window: withdrawals and borrows wait")]
    WithdrawalBreakerTripped,
    #[msg("The bank has users: its parameters change through the timelocked queue")]
    BankInUse,
    #[msg("A proposal's state is inconsistent")]
    ProposalInvariant,
    #[msg("A new proposal must take the exchange's next id (gov.proposal_count)")]
    ProposalIdNotNext,
    #[msg("Realized-volatility samples are taken within 10 s after each minute boundary, from a price published after it")]
    RealizedVolOffSchedule,
    // 6153
    #[msg("A settlement price published more than SETTLE_WINDOW_SECS after the expiry")]
    SettlementPriceAfterWindow,
    #[msg("Retiring an expiry whose settlement price is not set")]
    ExpiryNotSettled,
    #[msg("Retiring an expiry with long open interest left: some longs are not settled")]
    ExpiryOpenInterestLeft,
    #[msg("Retiring an expiry while settlement is in progress (settled_net is not zero)")]
    ExpirySettlementInProgress,
    #[msg("The position's series slot was recycled for another series (its expiry was retired)")]
    PositionSeriesRecycled,
    #[msg("The expiry slot is free: it holds no listed expiry (retired or never used)")]
    ExpirySlotFree,
    #[msg("A settlement-price fallback before the settlement window has closed")]
    SettlementWindowOpen,
    #[msg("A governance settlement price of zero")]
    SettlementPriceZero,
    // 6161
    #[msg("A listing schedule outside its bounds (cadence, horizon, strikes, step or tick)")]
    ListingScheduleInvalid,
    #[msg("The underlying has no listing schedule (or it is switched off)")]
    ListingScheduleOff,
    #[msg("Nothing to list: every expiry of the schedule's horizon is listed")]
    ListingNotDue,
}

impl From<maxwell_risk::RiskError> for MaxwellError {
    /// Exhaustive on purpose: a new engine error must get its own code here.
    fn from(e: maxwell_risk::RiskError) -> Self {
        use maxwell_risk::RiskError as R;
        use MaxwellError as M;
        match e {
            R::Overflow => M::MathOverflow,
            R::NonPositivePrice => M::OracleNonPositivePrice,
            R::ScaleOutOfRange => M::PriceScaleOutOfRange,
            R::ImFactorOutOfBounds => M::ImFactorOutOfBounds,
            R::LogOfNonPositive => M::LogOfNonPositive,
            R::TenorTooLong => M::TenorTooLong,
            R::VolOutOfRange => M::VolOutOfRange,
            R::NegativeTotalVariance => M::NegativeTotalVariance,
            R::SviNegativeB => M::SviNegativeB,
            R::SviRhoOutOfRange => M::SviRhoOutOfRange,
            R::SviSigmaNonPositive => M::SviSigmaNonPositive,
            R::SviParamOutOfBounds => M::SviParamOutOfBounds,
            R::SviWingTooSteep => M::SviWingTooSteep,
            R::SviAtmVarianceTooLarge => M::SviAtmVarianceTooLarge,
            R::ExpiryNotListed => M::ExpiryNotListed,
            R::SeriesIndexOutOfRange => M::SeriesIndexOutOfRange,
            R::UnderlyingIndexOutOfRange => M::UnderlyingIndexOutOfRange,
            R::TooManyUnderlyings => M::TooManyUnderlyings,
            R::InvalidOptionKind => M::InvalidOptionKind,
            R::PriceShockParamsOutOfBounds => M::PriceShockParamsOutOfBounds,
            R::VolShockParamsOutOfBounds => M::VolShockParamsOutOfBounds,
            R::ShortMinParamsOutOfBounds => M::ShortMinParamsOutOfBounds,
            R::ConcentrationParamsOutOfBounds => M::ConcentrationParamsOutOfBounds,
            R::ConfidenceParamsOutOfBounds => M::ConfidenceParamsOutOfBounds,
            R::ReputationFloorOutOfBounds => M::ReputationFloorOutOfBounds,
        }
    }
}

impl From<maxwell_engine::EngineError> for MaxwellError {
    /// Exhaustive on purpose: a new engine error must get its code here (same meaning).
    fn from(e: maxwell_engine::EngineError) -> Self {
        use maxwell_engine::EngineError as G;
        use MaxwellError as M;
        match e {
            G::Risk(e) => M::from(e),
            G::Lending(e) => M::from(e),
            G::MissingHealthAccount => M::HealthAccountsMismatch,
            G::SeriesNotListed => M::SeriesNotListed,
            G::ExpiredPositionUnsettled => M::ExpiredPositionUnsettled,
            G::RiskCacheStale => M::RiskCacheStale,
            G::TooManyUnderlyings => M::TooManyUnderlyings,
            G::Overflow => M::MathOverflow,
            G::LiquidationLegInvalid => M::LiquidationLegInvalid,
            G::OverLiquidation => M::OverLiquidation,
            G::RealizedVolTooSoon => M::RealizedVolTooSoon,
            G::RealizedVolOffSchedule => M::RealizedVolOffSchedule,
            // The program's code covers both limits (per move and per rolling day).
            G::MoveLimitExceeded | G::DayLimitExceeded => M::RebalanceLimitExceeded,
            G::NotLiquidatable => M::NotLiquidatable,
            G::LiquidationDidNotImprove => M::LiquidationDidNotImprove,
            G::BalanceSameBank => M::BalanceSameBank,
            G::BalanceNotAsset => M::BalanceNotAsset,
            G::BalanceNotLiability => M::BalanceNotLiability,
            G::BalanceTakeTooSmall => M::BalanceTakeTooSmall,
            G::TradePriceOutsideBand => M::TradePriceOutsideBand,
            G::StepTooLarge => M::ProposalStepTooLarge,
            G::TimelockOutOfBounds => M::TimelockOutOfBounds,
            G::BreakerParamsOutOfBounds => M::BreakerParamsOutOfBounds,
            G::VolMoveTooLarge => M::VolMoveTooLarge,
            G::WithdrawalBreaker => M::WithdrawalBreakerTripped,
            G::ListingRuleInvalid => M::ListingScheduleInvalid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MaxwellError;

    /// `docs/errors.md` lists every variant with its code, in order (6000 + position), and the
    /// codes issue 10 added stay where they are.
    #[test]
    fn docs_table_matches_the_enum() {
        let src = include_str!("error.rs");
        let body = src.split("pub enum MaxwellError {").nth(1).unwrap().split("\n}\n").next().unwrap();
        let names: Vec<&str> = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("#["))
            .map(|l| l.trim_end_matches(','))
            .collect();
        let doc = include_str!("../../../docs/errors.md");
        let rows: Vec<(u32, &str)> = doc
            .lines()
            .filter_map(|l| {
                let mut cells = l.split('|').map(str::trim).skip(1);
                let code = cells.next()?.parse().ok()?;
                Some((code, cells.next()?))
            })
            .collect();
        assert_eq!(rows.len(), names.len(), "docs/errors.md rows vs enum variants");
        for (i, ((code, name), variant)) in rows.iter().zip(&names).enumerate() {
            assert_eq!((*code, *name), (6000 + i as u32, *variant), "docs/errors.md row {i}");
        }
        let code = |e: MaxwellError| anchor_lang::error::ERROR_CODE_OFFSET + e as u32;
        assert_eq!(code(MaxwellError::RealizedVolTooSoon), 6108);
        assert_eq!(code(MaxwellError::KeeperIsTarget), 6112);
        assert_eq!(code(MaxwellError::SurfaceMissing), 6126);
    }
}
