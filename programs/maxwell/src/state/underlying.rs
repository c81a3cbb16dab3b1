use anchor_lang::prelude::*;

use super::{ScenariosState, SeriesRiskState, SviState};

use crate::error::MaxwellError;

/// Live expiries per underlying (slots are recycled by `expiry_retire`).
pub const MAX_EXPIRIES: usize = 16;
/// Live series (strike x expiry x call/put) per underlying (slots recycled with their expiry).
pub const MAX_SERIES: usize = 512;
/// `Underlying::spot_bank_index` when no collateral bank holds this asset.
pub const NO_SPOT_BANK: u16 = u16::MAX;

/// One underlying asset (e.g. SOL) with every series listed on it. Large (about 157 KB):
/// the client creates the account with `create_account` and `underlying_create` initialises
/// it (`#[account(zero)]`). A transaction therefore needs one account per underlying, not
/// one per position.
///
/// Risk cache: `risk[i]` is the scenario P&L vector, mark and Greeks of series `i`, computed
/// by `risk_refresh` from the oracle spot and the surface. A margin check uses it only while
/// it is fresh: same surface version, younger than `risk_max_age_secs`, and the spot has not
/// moved more than `risk_spot_tolerance_bps` since (the drift left is charged as an add-on).
#[account(zero_copy)]
#[repr(C)]
pub struct Underlying {
    /// ABI: offset 8.
    pub exchange: Pubkey,
    /// Pyth `PriceUpdateV2` spot oracle.
    pub oracle: Pubkey,
    /// May update the volatility surface.
    pub vol_oracle: Pubkey,
    pub feed_id: [u8; 32],
    /// Grid of the last refresh.
    pub scen: ScenariosState,
    /// Bumped by every surface update; risk arrays remember the version they were built on.
    pub surface_seq: u64,
    pub surface_ts: i64,
    pub oracle_max_age_secs: u32,
    pub oracle_max_conf_bps: u32,
    pub surface_max_age_secs: u32,
    pub risk_max_age_secs: u32,
    pub risk_spot_tolerance_bps: u32,
    pub underlying_index: u16,
    /// Bank whose collateral is this asset (moves in the price scenarios), or `NO_SPOT_BANK`.
    pub spot_bank_index: u16,
    pub n_expiries: u8,
    pub _pad0: [u8; 1],
    pub n_series: u16,
    pub _pad1: [u8; 4],
    pub expiries: [ExpiryState; MAX_EXPIRIES],
    pub series: [SeriesInfo; MAX_SERIES],
    pub risk: [SeriesRiskState; MAX_SERIES],
    /// Realized volatility: EWMA of squared log returns of the oracle spot, annualized
    /// variance, Q52 (`realized_vol_update`). Widens the price shocks when above ATM vol.
    pub rv_variance: i64,
    /// Spot and time of the last realized-vol update (0 = none yet).
    pub rv_last_spot: u64,
    pub rv_last_ts: i64,
    pub rv_updates: u64,
    /// Volatility breaker and per-expiry update times (issue 13: from the reserved bytes).
    pub vol_guard: super::VolGuard,
    /// The admin's listing rule, executed by any keeper (`listing_execute`); from the reserved
    /// bytes (all zero = no schedule).
    pub schedule: ListingSchedule,
    pub reserved: [u8; 864],
}

/// An underlying's listing schedule (`maxwell_engine::plans::listing`): expiries every
/// `cadence_secs` from `anchor_ts`, the next `horizon` of them kept listed, each with a call and
/// a put at `2 * half_strikes + 1` strikes around the spot, `step_bps` apart, multiples of
/// `tick`, open-interest cap `oi_cap` per series.
#[zero_copy]
#[repr(C)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ListingSchedule {
    pub cadence_secs: i64,
    pub anchor_ts: i64,
    /// Quote native per contract.
    pub tick: u64,
    /// Contracts.
    pub oi_cap: u64,
    pub step_bps: u16,
    pub horizon: u8,
    pub half_strikes: u8,
    /// 1 = keepers may list by it; 0 = off (the rule is kept).
    pub enabled: u8,
    pub _pad: [u8; 3],
}

const _: () = assert!(core::mem::size_of::<ListingSchedule>() == 40);

impl ListingSchedule {
    /// The engine's rule.
    pub fn rule(&self) -> maxwell_engine::plans::listing::ListingRule {
        maxwell_engine::plans::listing::ListingRule {
            cadence_secs: self.cadence_secs,
            anchor_ts: self.anchor_ts,
            horizon: self.horizon,
            half_strikes: self.half_strikes,
            step_bps: self.step_bps,
            tick: self.tick,
        }
    }

    /// Off and never set: every byte zero. Set (on or off): a valid rule.
    pub fn invariant(&self) -> Result<()> {
        if *self == ListingSchedule::default() {
            return Ok(());
        }
        require!(self.enabled <= 1 && self._pad == [0; 3], MaxwellError::UnderlyingInvariant);
        self.rule().validate(MAX_EXPIRIES).map_err(MaxwellError::from)?;
        Ok(())
    }
}

/// One expiry slot: listed while `expiry > 0`; `expiry_retire` returns it to all zero.
#[zero_copy]
#[repr(C)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ExpiryState {
    /// Unix seconds.
    pub expiry: i64,
    pub svi: SviState,
    /// Set once by `expiry_settle_price`, quote native per contract.
    pub settlement_price: u64,
    /// Payoffs credited minus debited so far (quote native); back to 0 once every account
    /// holding the expiry is settled (positions sum to zero per series).
    pub settled_net: i64,
    pub settled: u8,
    /// 1 once a surface was set for this expiry.
    pub has_surface: u8,
    pub _pad: [u8; 6],
}

/// One listed series.
#[zero_copy]
#[repr(C)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeriesInfo {
    /// Quote native per contract.
    pub strike: u64,
    pub expiry: i64,
    /// Spot, time and surface version of the risk array.
    pub risk_spot: u64,
    pub risk_ts: i64,
    pub risk_surface_seq: u64,
    /// Long contracts outstanding (= short contracts).
    pub open_interest: u64,
    pub oi_cap: u64,
    /// 0 = call, 1 = put.
    pub kind: u8,
    pub expiry_index: u8,
    pub listed: u8,
    pub _pad0: u8,
    /// Bumped each time `expiry_retire` frees this slot; positions remember the generation they
    /// opened in, so a position is never read against a later series in the same slot.
    pub generation: u16,
    pub _pad: [u8; 2],
}

impl Underlying {
    /// The spot oracle's acceptance rules (feed, age, confidence).
    pub fn oracle_spec(&self) -> crate::oracle::OracleSpec<'_> {
        crate::oracle::OracleSpec { feed_id: &self.feed_id, max_age_secs: self.oracle_max_age_secs, max_conf_bps: self.oracle_max_conf_bps }
    }

    pub fn series_checked(&self, index: u16) -> Result<&SeriesInfo> {
        let s = self.series.get(usize::from(index)).ok_or(MaxwellError::SeriesNotListed)?;
        require!(s.listed == 1 && index < self.n_series, MaxwellError::SeriesNotListed);
        Ok(s)
    }

    pub fn expiry_index(&self, expiry: i64) -> Option<usize> {
        self.expiries[..usize::from(self.n_expiries)].iter().position(|e| e.expiry > 0 && e.expiry == expiry)
    }

    /// The listed expiry in slot `index` (`ExpiryIndexOutOfRange` beyond the slots ever used,
    /// `ExpirySlotFree` for a free slot).
    pub fn expiry_checked(&self, index: u8) -> Result<&ExpiryState> {
        require!(index < self.n_expiries, MaxwellError::ExpiryIndexOutOfRange);
        let e = &self.expiries[usize::from(index)];
        require!(e.expiry > 0, MaxwellError::ExpirySlotFree);
        Ok(e)
    }

    /// Whether the risk array of `index` may be used at `spot_now`, `now`.
    pub fn risk_fresh(&self, index: usize, spot_now: u64, now: i64) -> bool {
        let s = &self.series[index];
        let moved = spot_now.abs_diff(s.risk_spot) as u128 * 10_000;
        s.risk_ts > 0
            && s.risk_surface_seq == self.surface_seq
            && now.saturating_sub(s.risk_ts) <= i64::from(self.risk_max_age_secs)
            && moved <= u128::from(s.risk_spot) * u128::from(self.risk_spot_tolerance_bps)
    }

    pub fn invariant(&self) -> Result<()> {
        require!(usize::from(self.n_expiries) <= MAX_EXPIRIES, MaxwellError::TooManyExpiries);
        require!(usize::from(self.n_series) <= MAX_SERIES, MaxwellError::TooManySeries);
        let n_exp = usize::from(self.n_expiries);
        for (i, e) in self.expiries.iter().enumerate() {
            // A settled expiry has its price; a settlement price is only set by settling. A free
            // slot (never used, or retired) is all zero.
            require!((e.settled == 1) == (e.settlement_price > 0), MaxwellError::UnderlyingInvariant);
            if e.expiry == 0 || i >= n_exp {
                require!(*e == ExpiryState::default(), MaxwellError::UnderlyingInvariant);
            }
        }
        // Slots at or beyond the high-water mark `n_series` are written only by `series_list`,
        // which moves the mark over the slot it writes: the check walks the slots below the
        // mark, so its cost follows the listing, not the capacity.
        for s in &self.series[..usize::from(self.n_series)] {
            // A free slot (retired below the mark) holds nothing but its generation.
            if s.listed == 0 {
                require!(*s == SeriesInfo { generation: s.generation, ..SeriesInfo::default() }, MaxwellError::UnderlyingInvariant);
                continue;
            }
            let e = self.expiries.get(usize::from(s.expiry_index)).filter(|_| usize::from(s.expiry_index) < n_exp);
            require!(
                s.listed == 1 && s.kind <= 1 && e.is_some_and(|e| e.expiry > 0 && e.expiry == s.expiry),
                MaxwellError::UnderlyingInvariant
            );
        }
        self.schedule.invariant()
    }
}

impl Underlying {
    /// Realized volatility (annualized, Q52) from the EWMA variance; 0 before any update.
    pub fn realized_vol(&self) -> maxwell_risk::fixed::Fx {
        let v = self.rv_variance.max(0) as u128;
        maxwell_risk::fixed::Fx(maxwell_risk::math::sqrt::sqrt_u128(v << maxwell_risk::fixed::FX_FRAC) as i64)
    }
}
