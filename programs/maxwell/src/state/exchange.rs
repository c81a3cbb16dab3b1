use anchor_lang::prelude::*;

use maxwell_risk::params::RiskParams;

use super::{Governance, RiskParamsState, GOVERNANCE_SIZE};

use crate::constants::*;
use crate::error::MaxwellError;

/// One per deployment (PDA `["exchange", creator]`).
#[account(zero_copy)]
#[repr(C)]
pub struct Exchange {
    /// May change parameters, create banks, flip the instruction gate.
    pub admin: Pubkey,
    /// The key the PDA was derived from; never changes (admin may).
    pub creator: Pubkey,
    /// The numeraire: every requirement and health is in this mint's native units.
    pub quote_mint: Pubkey,
    /// The insurance fund's margin account (owner = this exchange PDA); default until
    /// `insurance_create`.
    pub insurance_vault: Pubkey,
    /// Bit `i` set = instruction `IxGate(i)` disabled (kill switch).
    pub ix_gate: u64,
    pub params: ExchangeParams,
    /// Banks created so far; the next bank gets this as its `bank_index`.
    pub bank_count: u16,
    pub underlying_count: u16,
    pub quote_decimals: u8,
    pub bump: u8,
    pub _pad: [u8; 2],
    /// Portfolio-margin parameters of every underlying (validated by the risk engine).
    pub risk: RiskParamsState,
    /// Roles, timelock and breaker parameters (issue 13: from the reserved bytes).
    pub gov: Governance,
    pub reserved: [u8; 256 - GOVERNANCE_SIZE],
}
const _: () = assert!(core::mem::size_of::<Exchange>() == 4 * 32 + 8 + 32 + 8 + core::mem::size_of::<RiskParams>() + 256);

/// Exchange-wide risk parameters, all in basis points (10_000 = 1.0).
#[zero_copy]
#[repr(C)]
#[derive(Debug, PartialEq, Eq)]
pub struct ExchangeParams {
    /// Initial requirement = im_factor x maintenance requirement. Bounds [1.25, 3.0].
    pub im_factor_bps: u32,
    /// Liquidation penalty grows from min to max with the depth of the shortfall.
    pub liq_penalty_min_bps: u32,
    pub liq_penalty_max_bps: u32,
    /// Share of each liquidation penalty that goes to the insurance fund.
    pub insurance_share_bps: u32,
    /// Trade price band around the mark (`maxwell_engine::plans::trade_band`): volatility
    /// points of vega (bps of 1.00 vol; 500 = 5 points) and a floor in bps of spot.
    pub trade_band_vol_bps: u32,
    pub trade_band_min_bps: u32,
    pub reserved: [u32; 2],
}

/// Instruction argument form of [`ExchangeParams`] (borsh).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExchangeParamsArgs {
    pub im_factor_bps: u32,
    pub liq_penalty_min_bps: u32,
    pub liq_penalty_max_bps: u32,
    pub insurance_share_bps: u32,
    pub trade_band_vol_bps: u32,
    pub trade_band_min_bps: u32,
}

impl ExchangeParamsArgs {
    pub fn validate(&self) -> Result<()> {
        require!((IM_FACTOR_MIN_BPS..=IM_FACTOR_MAX_BPS).contains(&self.im_factor_bps), MaxwellError::ImFactorOutOfBounds);
        require!(
            self.liq_penalty_min_bps <= self.liq_penalty_max_bps
                && self.liq_penalty_max_bps <= LIQ_PENALTY_MAX_BPS
                && self.insurance_share_bps <= BPS,
            MaxwellError::LiquidationPenaltyOutOfBounds
        );
        require!(
            (TRADE_BAND_VOL_MIN_BPS..=TRADE_BAND_VOL_MAX_BPS).contains(&self.trade_band_vol_bps)
                && (TRADE_BAND_MIN_MIN_BPS..=TRADE_BAND_MIN_MAX_BPS).contains(&self.trade_band_min_bps),
            MaxwellError::TradeBandParamsOutOfBounds
        );
        Ok(())
    }

    pub fn to_state(self) -> ExchangeParams {
        ExchangeParams {
            im_factor_bps: self.im_factor_bps,
            liq_penalty_min_bps: self.liq_penalty_min_bps,
            liq_penalty_max_bps: self.liq_penalty_max_bps,
            insurance_share_bps: self.insurance_share_bps,
            trade_band_vol_bps: self.trade_band_vol_bps,
            trade_band_min_bps: self.trade_band_min_bps,
            reserved: [0; 2],
        }
    }
}

/// Bit positions in `Exchange::ix_gate`. APPEND ONLY. `ix_gate_set` itself is never gated.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IxGate {
    BankCreate = 0,
    AccountCreate = 1,
    AccountClose = 2,
    Deposit = 3,
    Withdraw = 4,
    Trade = 5,
    UnderlyingCreate = 6,
    SeriesList = 7,
    VolSurfaceUpdate = 8,
    RiskRefresh = 9,
    Settle = 10,
    DelegateSet = 11,
    Liquidate = 12,
    Bankruptcy = 13,
    AccrueInterest = 14,
    PolicySet = 15,
    Rebalance = 16,
    RealizedVol = 17,
    BalanceLiquidate = 18,
    ListingExecute = 19,
}

impl Exchange {
    pub fn require_enabled(&self, ix: IxGate) -> Result<()> {
        require!(self.ix_gate & (1u64 << ix as u8) == 0, MaxwellError::InstructionDisabled);
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        self.gov.invariant()?;
        require!(self.params.im_factor_bps >= IM_FACTOR_MIN_BPS, MaxwellError::ImFactorOutOfBounds);
        require!(self.bank_count <= MAX_BANKS, MaxwellError::TooManyBanks);
        Ok(())
    }
}
