use anchor_lang::prelude::*;

use maxwell_lending::{BankIndex, LendingError, RateCurve, RateCurveError};

use crate::constants::*;
use crate::error::MaxwellError;

/// One per collateral mint (PDA `["bank", exchange, mint]`). Owns its vault
/// (PDA token account `["vault", bank]`, authority = the bank).
///
/// Balances are shares (`maxwell-lending`): an account's native balance is
/// `shares x deposit_index` (or `x borrow_index` for a borrow). Conservation (checked by the
/// tests after every step): `vault.amount >= deposits - borrows` in native units (the reserve
/// is part of the deposits), equal while both indices are 1.0, otherwise above by rounding
/// dust only (every rounding favours the bank).
#[account(zero_copy)]
#[repr(C)]
pub struct CollateralBank {
    /// ABI: offset 8.
    pub exchange: Pubkey,
    /// ABI: offset 40.
    pub mint: Pubkey,
    pub vault: Pubkey,
    /// Pyth `PriceUpdateV2` account; default for the quote bank (priced at exactly 1).
    pub oracle: Pubkey,
    /// SPL Token or Token-2022.
    pub token_program: Pubkey,
    /// Pyth feed id the oracle account must carry.
    pub feed_id: [u8; 32],
    /// Native units; deposits beyond it are refused.
    pub deposit_cap: u64,
    /// Sum of positive account balances plus `fee_shares`, deposit shares.
    pub deposit_shares: u64,
    /// Sum of |negative account balances|, borrow shares.
    pub borrow_shares: u64,
    pub oracle_max_age_secs: u32,
    /// Maximum confidence / price, bps.
    pub oracle_max_conf_bps: u32,
    /// Asset weights (haircuts) for positive balances, bps: 0 <= init <= maint <= 10_000.
    pub init_asset_weight_bps: u16,
    pub maint_asset_weight_bps: u16,
    /// Liability weights for borrows, bps: 10_000 <= maint <= init <= 30_000.
    pub init_liab_weight_bps: u16,
    pub maint_liab_weight_bps: u16,
    /// Index of this bank in its exchange; margin accounts refer to banks by it.
    pub bank_index: u16,
    pub decimals: u8,
    /// 1 for the exchange's quote-mint bank.
    pub is_quote: u8,
    pub bump: u8,
    pub vault_bump: u8,
    pub _pad: [u8; 2],
    /// Native units per deposit share, Q24.40 (1.0 = 2^40).
    pub deposit_index: u64,
    /// Native units per borrow share, Q24.40.
    pub borrow_index: u64,
    /// Deposit shares owned by the protocol: the reserve share of interest (insurance).
    pub fee_shares: u64,
    /// Unix seconds of the last interest accrual.
    pub last_accrual_ts: i64,
    /// Native units; borrows beyond it are refused. 0 = borrowing through `withdraw` off.
    pub borrow_cap: u64,
    /// Native units socialized over the depositors so far (bankruptcies).
    pub socialized_total: u64,
    pub rate: RateCurveState,
    /// Withdrawal breaker window (issue 13: from the reserved bytes).
    pub outflow: super::OutflowState,
    pub reserved: [u8; 160],
}
const _: () = assert!(core::mem::size_of::<CollateralBank>() == 6 * 32 + 3 * 8 + 2 * 4 + 5 * 2 + 6 + 6 * 8 + 24 + 24 + 160);

/// The borrow-rate curve (`maxwell_lending::RateCurve`), annual rates in bps.
#[zero_copy]
#[repr(C)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RateCurveState {
    /// Utilization at the kink, bps, in [1_000, 9_900].
    pub kink_util_bps: u32,
    /// Rate at 0% utilization.
    pub base_rate_bps: u32,
    /// Rate at the kink.
    pub kink_rate_bps: u32,
    /// Rate at 100% utilization, at most 50_000 (500% a year).
    pub max_rate_bps: u32,
    /// Share of interest kept as the reserve, at most 5_000.
    pub reserve_bps: u32,
    pub _pad: u32,
}

/// Instruction-argument form of [`RateCurveState`] (borsh).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RateCurveArgs {
    pub kink_util_bps: u32,
    pub base_rate_bps: u32,
    pub kink_rate_bps: u32,
    pub max_rate_bps: u32,
    pub reserve_bps: u32,
}

impl RateCurveArgs {
    pub fn to_state(self) -> RateCurveState {
        RateCurveState {
            kink_util_bps: self.kink_util_bps,
            base_rate_bps: self.base_rate_bps,
            kink_rate_bps: self.kink_rate_bps,
            max_rate_bps: self.max_rate_bps,
            reserve_bps: self.reserve_bps,
            _pad: 0,
        }
    }
}

impl RateCurveState {
    pub fn engine(&self) -> RateCurve {
        RateCurve {
            kink_util_bps: self.kink_util_bps,
            base_rate_bps: self.base_rate_bps,
            kink_rate_bps: self.kink_rate_bps,
            max_rate_bps: self.max_rate_bps,
            reserve_bps: self.reserve_bps,
            _pad: 0,
        }
    }
}

impl From<RateCurveError> for MaxwellError {
    fn from(e: RateCurveError) -> Self {
        match e {
            RateCurveError::KinkOutOfBounds => MaxwellError::RateKinkOutOfBounds,
            RateCurveError::RatesNotIncreasing => MaxwellError::RatesNotIncreasing,
            RateCurveError::RateTooHigh => MaxwellError::RateTooHigh,
            RateCurveError::ReserveTooHigh => MaxwellError::RateReserveTooHigh,
        }
    }
}

impl From<LendingError> for MaxwellError {
    fn from(e: LendingError) -> Self {
        match e {
            LendingError::Overflow => MaxwellError::MathOverflow,
            LendingError::LossExceedsDeposits => MaxwellError::LossExceedsDeposits,
            LendingError::NotABorrow => MaxwellError::NotBankrupt,
        }
    }
}

/// Risk and oracle parameters of a bank (instruction argument).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankParamsArgs {
    pub feed_id: [u8; 32],
    pub oracle_max_age_secs: u32,
    pub oracle_max_conf_bps: u32,
    pub init_asset_weight_bps: u16,
    pub maint_asset_weight_bps: u16,
    pub init_liab_weight_bps: u16,
    pub maint_liab_weight_bps: u16,
    pub deposit_cap: u64,
    /// Native units; 0 disables borrowing through `withdraw` (premiums may still leave a
    /// quote balance negative within margin).
    pub borrow_cap: u64,
    pub rate: RateCurveArgs,
}

impl BankParamsArgs {
    pub fn validate(&self) -> Result<()> {
        require!(
            (ORACLE_MAX_AGE_MIN_SECS..=ORACLE_MAX_AGE_MAX_SECS).contains(&self.oracle_max_age_secs),
            MaxwellError::OracleMaxAgeOutOfBounds
        );
        require!(self.oracle_max_conf_bps <= ORACLE_MAX_CONF_MAX_BPS, MaxwellError::OracleMaxConfOutOfBounds);
        require!(
            self.init_asset_weight_bps <= self.maint_asset_weight_bps && u32::from(self.maint_asset_weight_bps) <= BPS,
            MaxwellError::AssetWeightsInvalid
        );
        require!(
            u32::from(self.maint_liab_weight_bps) >= BPS
                && self.maint_liab_weight_bps <= self.init_liab_weight_bps
                && u32::from(self.init_liab_weight_bps) <= 3 * BPS,
            MaxwellError::LiabilityWeightsInvalid
        );
        require!(self.deposit_cap > 0, MaxwellError::DepositCapZero);
        self.rate.to_state().engine().validate().map_err(MaxwellError::from)?;
        Ok(())
    }
}

impl CollateralBank {
    /// The oracle's acceptance rules (feed, age, confidence).
    pub fn oracle_spec(&self) -> crate::oracle::OracleSpec<'_> {
        crate::oracle::OracleSpec { feed_id: &self.feed_id, max_age_secs: self.oracle_max_age_secs, max_conf_bps: self.oracle_max_conf_bps }
    }

    pub fn apply_params(&mut self, p: &BankParamsArgs) {
        self.feed_id = p.feed_id;
        self.oracle_max_age_secs = p.oracle_max_age_secs;
        self.oracle_max_conf_bps = p.oracle_max_conf_bps;
        self.init_asset_weight_bps = p.init_asset_weight_bps;
        self.maint_asset_weight_bps = p.maint_asset_weight_bps;
        self.init_liab_weight_bps = p.init_liab_weight_bps;
        self.maint_liab_weight_bps = p.maint_liab_weight_bps;
        self.deposit_cap = p.deposit_cap;
        self.borrow_cap = p.borrow_cap;
        self.rate = p.rate.to_state();
    }

    pub fn index(&self) -> BankIndex {
        BankIndex {
            deposit_index: self.deposit_index,
            borrow_index: self.borrow_index,
            deposit_shares: self.deposit_shares,
            borrow_shares: self.borrow_shares,
            fee_shares: self.fee_shares,
            last_accrual_ts: self.last_accrual_ts,
        }
    }

    fn set_index(&mut self, i: &BankIndex) {
        self.deposit_index = i.deposit_index;
        self.borrow_index = i.borrow_index;
        self.deposit_shares = i.deposit_shares;
        self.borrow_shares = i.borrow_shares;
        self.fee_shares = i.fee_shares;
        self.last_accrual_ts = i.last_accrual_ts;
    }

    /// Brings interest up to `now` (lazily from every balance change, or by `accrue_interest`).
    pub fn accrue(&mut self, now: i64) -> Result<maxwell_lending::Accrual> {
        let mut i = self.index();
        let a = i.accrue(&self.rate.engine(), now).map_err(MaxwellError::from)?;
        self.set_index(&i);
        Ok(a)
    }

    /// The indices as of `now` without writing: what health values balances at.
    pub fn index_at(&self, now: i64) -> Result<BankIndex> {
        Ok(self.index().at(&self.rate.engine(), now).map_err(MaxwellError::from)?)
    }

    /// Adds `delta` native units to an account balance (shares) after accruing interest to
    /// `now`; returns the new balance in shares. The share totals follow.
    pub fn change_balance(&mut self, balance: i64, delta: i64, now: i64) -> Result<i64> {
        self.accrue(now)?;
        let mut i = self.index();
        let new = i.change(balance, delta).map_err(MaxwellError::from)?;
        self.set_index(&i);
        Ok(new)
    }

    /// Writes off a borrow of `balance` (< 0) shares, of which `paid` native units were covered
    /// (the insurance fund burned deposits worth at least that), and socializes the rest over
    /// the depositors (deposit index lowered). Returns `(owed, socialized)`, native units, with
    /// `owed = paid + socialized` exactly.
    pub fn write_off_borrow(&mut self, balance: i64, paid: u64) -> Result<(u64, u64)> {
        let mut i = self.index();
        let owed = i.write_off(balance).map_err(MaxwellError::from)?;
        let loss = owed.checked_sub(paid).ok_or(MaxwellError::MathOverflow)?;
        i.socialize(loss).map_err(MaxwellError::from)?;
        self.set_index(&i);
        self.socialized_total = self.socialized_total.checked_add(loss).ok_or(MaxwellError::MathOverflow)?;
        Ok((owed, loss))
    }

    /// Signed native value of a balance at the stored indices (rounded against the account).
    pub fn value(&self, balance: i64) -> Result<i64> {
        Ok(self.index().value(balance).map_err(MaxwellError::from)?)
    }

    /// Deposits within the deposit cap (checked when deposits grow).
    pub fn require_deposit_cap(&self) -> Result<()> {
        let d = self.index().total_deposits().map_err(MaxwellError::from)?;
        require!(d <= self.deposit_cap, MaxwellError::DepositCapExceeded);
        Ok(())
    }

    /// Borrows within the borrow cap (checked when an action borrows more).
    pub fn require_borrow_cap(&self) -> Result<()> {
        let b = self.index().total_borrows().map_err(MaxwellError::from)?;
        require!(b <= self.borrow_cap, MaxwellError::BorrowCapExceeded);
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.init_asset_weight_bps <= self.maint_asset_weight_bps && u32::from(self.maint_asset_weight_bps) <= BPS,
            MaxwellError::AssetWeightsInvalid
        );
        require!((self.is_quote == 1) == (self.oracle == Pubkey::default()), MaxwellError::QuoteBankInvalid);
        // Lending: the borrow index never falls below 1; the deposit index stays positive
        // (a socialized loss lowers it); the reserve's shares are deposit shares.
        require!(
            self.borrow_index >= maxwell_lending::ONE
                && self.deposit_index > 0
                && self.fee_shares <= self.deposit_shares
                && self.init_liab_weight_bps >= self.maint_liab_weight_bps
                && u32::from(self.maint_liab_weight_bps) >= BPS,
            MaxwellError::BankInvariant
        );
        Ok(())
    }
}
