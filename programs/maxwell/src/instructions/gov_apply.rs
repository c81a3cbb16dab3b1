//! Validation and application of a queued `Change` (shared by `gov_propose`, which validates
//! against the values of the day, and `gov_execute`, which validates again and applies).
//! Per-step bounds come from `maxwell_engine::governance`.

use anchor_lang::prelude::*;
use maxwell_engine::governance::{
    check_timelock, within_step, OutflowBounds, VolBounds, IM_FACTOR_STEP_MAX_BPS, PENALTY_STEP_MAX_BPS, RATE_STEP_MAX_BPS,
    WEIGHT_STEP_MAX_BPS,
};

use crate::constants::SETTLE_WINDOW_SECS;
use crate::error::MaxwellError;
use crate::instructions::UnderlyingCreateArgs;
use crate::state::{Change, CollateralBank, Exchange, Underlying};

fn step(old: impl Into<u64>, new: impl Into<u64>, max: u64) -> Result<()> {
    within_step(old.into(), new.into(), max).map_err(|e| MaxwellError::from(e).into())
}

/// The change's target account: passed, and the one the change names.
fn target<'a, 'info, T: anchor_lang::ZeroCopy + anchor_lang::Owner>(
    loader: Option<&'a AccountLoader<'info, T>>,
    want: &Pubkey,
) -> Result<&'a AccountLoader<'info, T>> {
    let l = loader.ok_or(MaxwellError::ProposalTargetMismatch)?;
    require_keys_eq!(l.key(), *want, MaxwellError::ProposalTargetMismatch);
    Ok(l)
}

/// Bounds of the change in itself and per step against the current values.
pub fn validate_change(
    ex: &Exchange,
    change: &Change,
    bank: Option<&AccountLoader<CollateralBank>>,
    underlying: Option<&AccountLoader<Underlying>>,
    now: i64,
) -> Result<()> {
    match change {
        Change::BankParams { bank: key, params } => {
            params.validate()?;
            let b = target(bank, key)?.load()?;
            require!(b.is_quote == 1 || params.feed_id == b.feed_id, MaxwellError::BankFeedIdChanged);
            step(b.init_asset_weight_bps, params.init_asset_weight_bps, WEIGHT_STEP_MAX_BPS)?;
            step(b.maint_asset_weight_bps, params.maint_asset_weight_bps, WEIGHT_STEP_MAX_BPS)?;
            step(b.init_liab_weight_bps, params.init_liab_weight_bps, WEIGHT_STEP_MAX_BPS)?;
            step(b.maint_liab_weight_bps, params.maint_liab_weight_bps, WEIGHT_STEP_MAX_BPS)?;
            let (r, n) = (&b.rate, &params.rate);
            for (o, x) in [(r.base_rate_bps, n.base_rate_bps), (r.kink_rate_bps, n.kink_rate_bps), (r.max_rate_bps, n.max_rate_bps)] {
                step(o, x, RATE_STEP_MAX_BPS)?;
            }
        }
        Change::ExchangeParams { params } => {
            params.validate()?;
            let p = &ex.params;
            step(p.im_factor_bps, params.im_factor_bps, IM_FACTOR_STEP_MAX_BPS)?;
            step(p.liq_penalty_min_bps, params.liq_penalty_min_bps, PENALTY_STEP_MAX_BPS)?;
            step(p.liq_penalty_max_bps, params.liq_penalty_max_bps, PENALTY_STEP_MAX_BPS)?;
        }
        Change::UnderlyingLimits { underlying: key, limits } => {
            target(underlying, key)?;
            let l = limits;
            UnderlyingCreateArgs {
                feed_id: [0; 32],
                vol_oracle: Pubkey::default(),
                oracle_max_age_secs: l.oracle_max_age_secs,
                oracle_max_conf_bps: l.oracle_max_conf_bps,
                surface_max_age_secs: l.surface_max_age_secs,
                risk_max_age_secs: l.risk_max_age_secs,
                risk_spot_tolerance_bps: l.risk_spot_tolerance_bps,
            }
            .validate()?;
        }
        Change::UnderlyingOracle { underlying: key, .. } | Change::VolOracle { underlying: key, .. } => {
            target(underlying, key)?;
        }
        Change::OiCap { underlying: key, series_index, .. } => {
            target(underlying, key)?.load()?.series_checked(*series_index)?;
        }
        Change::SettlementPrice { underlying: key, expiry_index, price } => {
            let u = target(underlying, key)?.load()?;
            let e = u.expiry_checked(*expiry_index)?;
            let window_end = e.expiry.checked_add(SETTLE_WINDOW_SECS).ok_or(MaxwellError::MathOverflow)?;
            require!(now > window_end, MaxwellError::SettlementWindowOpen);
            require!(e.settled == 0, MaxwellError::SettlementPriceAlreadySet);
            require!(*price > 0, MaxwellError::SettlementPriceZero);
        }
        Change::Roles { .. } => {}
        Change::Timelock { secs } => {
            check_timelock(ex.gov.timelock_secs, *secs).map_err(MaxwellError::from)?;
        }
        Change::Breakers { args } => {
            let e = MaxwellError::from;
            OutflowBounds { cap_bps: args.outflow_cap_bps, window_secs: args.outflow_window_secs }.validate().map_err(e)?;
            VolBounds {
                step_bps: args.vol_step_bps,
                rate_bps_per_hour: args.vol_rate_bps_per_hour,
                breaker_bps: args.vol_breaker_bps,
                window_secs: args.vol_window_secs,
            }
            .validate()
            .map_err(e)?;
        }
    }
    Ok(())
}

/// Applies a validated change. The bank accrues interest under its old curve first.
pub fn apply_change(
    ex: &mut Exchange,
    change: &Change,
    bank: Option<&AccountLoader<CollateralBank>>,
    underlying: Option<&AccountLoader<Underlying>>,
    now: i64,
) -> Result<()> {
    match change {
        Change::BankParams { bank: key, params } => {
            let mut b = target(bank, key)?.load_mut()?;
            let feed = b.feed_id;
            b.accrue(now)?;
            b.apply_params(params);
            b.feed_id = feed;
            b.invariant()?;
        }
        Change::ExchangeParams { params } => {
            ex.params = params.to_state();
            let mut risk = *ex.risk.engine();
            risk.im_factor = maxwell_risk::fixed::Fx::from_bps(i64::from(params.im_factor_bps)).0;
            risk.validate().map_err(MaxwellError::from)?;
            ex.risk = risk.into();
        }
        Change::UnderlyingLimits { underlying: key, limits: l } => {
            let mut u = target(underlying, key)?.load_mut()?;
            u.oracle_max_age_secs = l.oracle_max_age_secs;
            u.oracle_max_conf_bps = l.oracle_max_conf_bps;
            u.surface_max_age_secs = l.surface_max_age_secs;
            u.risk_max_age_secs = l.risk_max_age_secs;
            u.risk_spot_tolerance_bps = l.risk_spot_tolerance_bps;
            u.invariant()?;
        }
        Change::UnderlyingOracle { underlying: key, oracle } => {
            let mut u = target(underlying, key)?.load_mut()?;
            u.oracle = *oracle;
            u.invariant()?;
        }
        Change::VolOracle { underlying: key, vol_oracle } => {
            let mut u = target(underlying, key)?.load_mut()?;
            u.vol_oracle = *vol_oracle;
            u.invariant()?;
        }
        Change::OiCap { underlying: key, series_index, oi_cap } => {
            let mut u = target(underlying, key)?.load_mut()?;
            u.series[usize::from(*series_index)].oi_cap = *oi_cap;
            u.invariant()?;
        }
        Change::SettlementPrice { underlying: key, expiry_index, price } => {
            let loader = target(underlying, key)?;
            let mut u = loader.load_mut()?;
            let e = &mut u.expiries[usize::from(*expiry_index)];
            (e.settlement_price, e.settled) = (*price, 1);
            let expiry = e.expiry;
            u.invariant()?;
            emit!(crate::events::SettlementPriceLog {
                exchange: u.exchange,
                underlying: *key,
                expiry_index: *expiry_index,
                expiry,
                settlement_price: *price,
                publish_time: 0,
                source: Pubkey::default(),
            });
        }
        Change::Roles { guardian, risk_admin } => {
            ex.gov.guardian = *guardian;
            ex.gov.risk_admin = *risk_admin;
        }
        Change::Timelock { secs } => ex.gov.timelock_secs = *secs,
        Change::Breakers { args } => {
            ex.gov.outflow_cap_bps = args.outflow_cap_bps;
            ex.gov.outflow_window_secs = args.outflow_window_secs;
            ex.gov.vol_step_bps = args.vol_step_bps;
            ex.gov.vol_rate_bps_per_hour = args.vol_rate_bps_per_hour;
            ex.gov.vol_breaker_bps = args.vol_breaker_bps;
            ex.gov.vol_window_secs = args.vol_window_secs;
        }
    }
    Ok(())
}
