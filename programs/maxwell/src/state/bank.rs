use anchor_lang::prelude::*;

use crate::constants::*;
use crate::error::MaxwellError;

/// One per collateral mint (PDA `["bank", exchange, mint]`). Owns its vault
/// (PDA token account `["vault", bank]`, authority = the bank).
///
/// Conservation (checked by the tests after every step):
/// `vault.amount == total_deposits - total_borrows` (+ fees and insurance, later).
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
    /// Sum of positive account balances, native units.
    pub total_deposits: u64,
    /// Sum of borrowed (negative) account balances, native units.
    pub total_borrows: u64,
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
    pub reserved: [u8; 256],
}
const _: () = assert!(core::mem::size_of::<CollateralBank>() == 6 * 32 + 3 * 8 + 2 * 4 + 5 * 2 + 6 + 256);

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
}

impl BankParamsArgs {
    pub fn validate(&self) -> Result<()> {
        require!(
            (ORACLE_MAX_AGE_MIN_SECS..=ORACLE_MAX_AGE_MAX_SECS).contains(&self.oracle_max_age_secs),
            MaxwellError::OracleMaxAgeOutOfBounds
        );
        require!(
            self.oracle_max_conf_bps <= ORACLE_MAX_CONF_MAX_BPS,
            MaxwellError::OracleMaxConfOutOfBounds
        );
        require!(
            self.init_asset_weight_bps <= self.maint_asset_weight_bps
                && u32::from(self.maint_asset_weight_bps) <= BPS,
            MaxwellError::AssetWeightsInvalid
        );
        require!(
            u32::from(self.maint_liab_weight_bps) >= BPS
                && self.maint_liab_weight_bps <= self.init_liab_weight_bps
                && u32::from(self.init_liab_weight_bps) <= 3 * BPS,
            MaxwellError::LiabilityWeightsInvalid
        );
        require!(self.deposit_cap > 0, MaxwellError::DepositCapZero);
        Ok(())
    }
}

impl CollateralBank {
    pub fn apply_params(&mut self, p: &BankParamsArgs) {
        self.feed_id = p.feed_id;
        self.oracle_max_age_secs = p.oracle_max_age_secs;
        self.oracle_max_conf_bps = p.oracle_max_conf_bps;
        self.init_asset_weight_bps = p.init_asset_weight_bps;
        self.maint_asset_weight_bps = p.maint_asset_weight_bps;
        self.init_liab_weight_bps = p.init_liab_weight_bps;
        self.maint_liab_weight_bps = p.maint_liab_weight_bps;
        self.deposit_cap = p.deposit_cap;
    }

    /// Moves a balance from `old` to `new` (native units) and keeps the bank totals equal to
    /// the sums of the positive and of the negative balances.
    pub fn apply_balance_change(&mut self, old: i64, new: i64) -> Result<()> {
        let pos = |x: i64| x.max(0).unsigned_abs();
        let neg = |x: i64| x.min(0).unsigned_abs();
        self.total_deposits = (self.total_deposits + pos(new))
            .checked_sub(pos(old))
            .ok_or(MaxwellError::MathOverflow)?;
        self.total_borrows = (self.total_borrows + neg(new))
            .checked_sub(neg(old))
            .ok_or(MaxwellError::MathOverflow)?;
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.init_asset_weight_bps <= self.maint_asset_weight_bps
                && u32::from(self.maint_asset_weight_bps) <= BPS,
            MaxwellError::AssetWeightsInvalid
        );
        require!(
            (self.is_quote == 1) == (self.oracle == Pubkey::default()),
            MaxwellError::QuoteBankInvalid
        );
        Ok(())
    }
}
