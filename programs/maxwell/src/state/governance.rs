//! Governance state: the roles and bounded parameters kept in the exchange, the breaker state
//! kept in banks and underlyings, and the queued change (`Proposal`).
//!
//! Every change that can move an existing account's health or the protocol's risk is a
//! `Change`, proposed by a role, visible on-chain with its unlock time, executed by anyone
//! after the timelock, each execution bounded per step (`maxwell_engine::governance`), or
//! cancelled. Listing (banks, underlyings, series) stays immediate.

use anchor_lang::prelude::*;
use maxwell_engine::governance::{OutflowBounds, OutflowWindow, VolBounds, VolBreaker};

use super::{BankParamsArgs, ExchangeParamsArgs};
use crate::error::MaxwellError;

/// Roles and governance parameters, inside `Exchange` (from its reserved bytes).
#[zero_copy]
#[repr(C)]
#[derive(Debug, PartialEq, Eq)]
pub struct Governance {
    /// The admin's proposed successor (default = none); takes over by `admin_transfer_accept`.
    pub pending_admin: Pubkey,
    /// May disable instructions (kill switch), cancel queued changes, clear a volatility
    /// breaker. Cannot enable anything or move money. Default = the admin.
    pub guardian: Pubkey,
    /// May propose risk changes (parameters, caps, breakers) besides the admin.
    pub risk_admin: Pubkey,
    /// Delay between a proposal and its earliest execution, seconds.
    pub timelock_secs: u32,
    /// Withdrawal breaker: net outflow per window, bps of the bank's deposits at its start.
    pub outflow_cap_bps: u32,
    pub outflow_window_secs: u32,
    /// Volatility oracle bounds (see `maxwell_engine::governance::VolBounds`).
    pub vol_step_bps: u32,
    pub vol_rate_bps_per_hour: u32,
    pub vol_breaker_bps: u32,
    pub vol_window_secs: u32,
    pub _pad: u32,
    /// Proposals created so far; the next one gets this id.
    pub proposal_count: u64,
}
pub const GOVERNANCE_SIZE: usize = 3 * 32 + 8 * 4 + 8;
const _: () = assert!(core::mem::size_of::<Governance>() == GOVERNANCE_SIZE);

impl Governance {
    pub fn vol_bounds(&self) -> VolBounds {
        VolBounds {
            step_bps: self.vol_step_bps,
            rate_bps_per_hour: self.vol_rate_bps_per_hour,
            breaker_bps: self.vol_breaker_bps,
            window_secs: self.vol_window_secs,
        }
    }

    pub fn outflow_bounds(&self) -> OutflowBounds {
        OutflowBounds { cap_bps: self.outflow_cap_bps, window_secs: self.outflow_window_secs }
    }

    pub fn invariant(&self) -> Result<()> {
        let e = |_| MaxwellError::BreakerParamsOutOfBounds;
        self.vol_bounds().validate().map_err(e)?;
        self.outflow_bounds().validate().map_err(e)?;
        maxwell_engine::governance::check_timelock(self.timelock_secs, self.timelock_secs)
            .map_err(|_| MaxwellError::TimelockOutOfBounds)?;
        Ok(())
    }
}

/// A bank's withdrawal-breaker window, inside `CollateralBank` (from its reserved bytes).
#[zero_copy]
#[repr(C)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OutflowState {
    pub start: i64,
    pub net: i64,
    pub base: u64,
}

impl OutflowState {
    pub fn get(&self) -> OutflowWindow {
        OutflowWindow { start: self.start, net: self.net, base: self.base }
    }
    pub fn set(&mut self, w: OutflowWindow) {
        (self.start, self.net, self.base) = (w.start, w.net, w.base);
    }
}

/// An underlying's volatility breaker and per-expiry last update times, inside `Underlying`.
#[zero_copy]
#[repr(C)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct VolGuard {
    pub window_start: i64,
    pub window_move_bps: u64,
    /// When the breaker tripped; 0 = not tripped.
    pub tripped_ts: i64,
    /// Last smile update of each expiry slot, unix seconds.
    pub last_update: [i64; super::MAX_EXPIRIES],
}

impl VolGuard {
    pub fn breaker(&self) -> VolBreaker {
        VolBreaker { window_start: self.window_start, window_move_bps: self.window_move_bps, tripped_ts: self.tripped_ts }
    }
    pub fn set_breaker(&mut self, b: VolBreaker) {
        (self.window_start, self.window_move_bps, self.tripped_ts) = (b.window_start, b.window_move_bps, b.tripped_ts);
    }
}

/// The limits of an underlying's oracle and risk arrays (as in `underlying_create`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnderlyingLimitsArgs {
    pub oracle_max_age_secs: u32,
    pub oracle_max_conf_bps: u32,
    pub surface_max_age_secs: u32,
    pub risk_max_age_secs: u32,
    pub risk_spot_tolerance_bps: u32,
}

/// Breaker parameters (exchange-wide).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerArgs {
    pub outflow_cap_bps: u32,
    pub outflow_window_secs: u32,
    pub vol_step_bps: u32,
    pub vol_rate_bps_per_hour: u32,
    pub vol_breaker_bps: u32,
    pub vol_window_secs: u32,
}

/// One queued change. `bank`/`underlying` name the target where the change has one.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A bank's weights, caps, oracle limits and rate curve (feed id fixed). Per step: each
    /// weight at most 500 bps, each rate point at most 5,000 bps.
    BankParams { bank: Pubkey, params: BankParamsArgs },
    /// The exchange's margin, liquidation and band parameters. Per step: IM factor 2,500 bps,
    /// penalties 200 bps.
    ExchangeParams { params: ExchangeParamsArgs },
    /// An underlying's oracle and risk-array limits (bounded as at creation).
    UnderlyingLimits { underlying: Pubkey, limits: UnderlyingLimitsArgs },
    /// An underlying's spot oracle account (same feed id, checked at every read).
    UnderlyingOracle { underlying: Pubkey, oracle: Pubkey },
    /// An underlying's volatility oracle key.
    VolOracle { underlying: Pubkey, vol_oracle: Pubkey },
    /// One series' open-interest cap.
    OiCap { underlying: Pubkey, series_index: u16, oi_cap: u64 },
    /// The guardian and risk roles.
    Roles { guardian: Pubkey, risk_admin: Pubkey },
    /// The timelock itself (bounded; one change at most halves it).
    Timelock { secs: u32 },
    /// Withdrawal and volatility breaker parameters (bounded).
    Breakers { args: BreakerArgs },
    /// The oracle-outage fallback: the settlement price (quote native per contract) of an
    /// expiry no Pyth price of the settlement window can settle; only once the window has
    /// closed and while the expiry is unsettled. The admin's alone; public for the timelock, the
    /// guardian may cancel, and a keeper posting an in-window price first makes it fail.
    SettlementPrice { underlying: Pubkey, expiry_index: u8, price: u64 },
}

impl Change {
    /// Stable kind number for events and clients.
    pub fn kind(&self) -> u8 {
        match self {
            Change::BankParams { .. } => 0,
            Change::ExchangeParams { .. } => 1,
            Change::UnderlyingLimits { .. } => 2,
            Change::UnderlyingOracle { .. } => 3,
            Change::VolOracle { .. } => 4,
            Change::OiCap { .. } => 5,
            Change::Roles { .. } => 6,
            Change::Timelock { .. } => 7,
            Change::Breakers { .. } => 8,
            Change::SettlementPrice { .. } => 9,
        }
    }

    /// The risk role may propose parameter changes; keys and roles are the admin's alone.
    pub fn risk_role_may_propose(&self) -> bool {
        matches!(
            self,
            Change::BankParams { .. }
                | Change::ExchangeParams { .. }
                | Change::UnderlyingLimits { .. }
                | Change::OiCap { .. }
                | Change::Breakers { .. }
        )
    }

    pub fn target(&self) -> Option<Pubkey> {
        match self {
            Change::BankParams { bank, .. } => Some(*bank),
            Change::UnderlyingLimits { underlying, .. }
            | Change::UnderlyingOracle { underlying, .. }
            | Change::VolOracle { underlying, .. }
            | Change::OiCap { underlying, .. }
            | Change::SettlementPrice { underlying, .. } => Some(*underlying),
            _ => None,
        }
    }
}

pub const PROPOSAL_PENDING: u8 = 0;
pub const PROPOSAL_EXECUTED: u8 = 1;
pub const PROPOSAL_CANCELLED: u8 = 2;

/// A queued change (PDA `["proposal", exchange, id]`).
#[account]
#[derive(Debug)]
pub struct Proposal {
    pub exchange: Pubkey,
    pub id: u64,
    pub proposer: Pubkey,
    pub proposed_ts: i64,
    /// Earliest execution, unix seconds.
    pub unlock_ts: i64,
    /// `PROPOSAL_PENDING`, `PROPOSAL_EXECUTED` or `PROPOSAL_CANCELLED`.
    pub state: u8,
    pub bump: u8,
    pub change: Change,
}

impl Proposal {
    /// Borsh size bound: the largest change is `BankParams` (32 + its args).
    pub const SPACE: usize = 8 + 32 + 8 + 32 + 8 + 8 + 1 + 1 + 1 + 32 + 256;

    pub fn invariant(&self) -> Result<()> {
        require!(self.state <= PROPOSAL_CANCELLED && self.unlock_ts >= self.proposed_ts, MaxwellError::ProposalInvariant);
        Ok(())
    }
}
