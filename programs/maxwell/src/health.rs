//! The margin check's loader: validates the health accounts and builds the engine's snapshot.
//! Every formula (collateral valuation, requirements, add-ons, drift, reputation) lives in
//! `maxwell_engine::health`; this file only loads and validates.
//!
//! Health accounts (the instruction's remaining accounts), in any order, each entry being
//! - a `CollateralBank`, followed by its Pyth oracle unless it is the quote bank, or
//! - an `Underlying`, followed by its Pyth spot oracle.
//!
//! Together they cover the banks of the collateral slots in use now plus the banks the instruction
//! touches, and the underlyings with positions now plus the underlying it touches. An emptied
//! slot is freed only after the health check (`cache_health`), so the client never
//! predicts the account's layout. Extra entries are allowed.

use anchor_lang::prelude::*;
use core::cell::Ref;
use maxwell_engine::drift::{RiskLimits, RiskStamp};
use maxwell_engine::health::{self as engine, AccountView, BankSnap, HealthDetail, SeriesMeta, Snapshot, UnderlyingSnap};
use maxwell_engine::plans::balance_liquidation::{self, BalanceLiquidationPlan};
use maxwell_engine::plans::liquidation::LiquidationParams;
use maxwell_engine::reputation::{self, RepState};
use maxwell_engine::valuation::Weights;
use maxwell_risk::collateral::TokenPrice;
use maxwell_risk::params::RiskParams;

use crate::error::MaxwellError;
use crate::oracle::{read_price, Freshness};
use crate::state::{series_risk_slice, CollateralBank, Exchange, MarginAccount, SeriesInfo, Underlying};

pub use maxwell_engine::health::Health;

/// Spot (or confidence) of one whole token in quote native units (the engine's rule).
pub fn spot_per_contract(mantissa: u64, expo: i32, quote_decimals: u8) -> Result<u64> {
    Ok(maxwell_engine::valuation::spot_per_contract(mantissa, expo, quote_decimals).map_err(MaxwellError::from)?)
}

impl SeriesMeta for SeriesInfo {
    fn stamp(&self) -> RiskStamp {
        RiskStamp { expiry: self.expiry, risk_spot: self.risk_spot, risk_ts: self.risk_ts, risk_surface_seq: self.risk_surface_seq }
    }
    fn generation(&self) -> u16 {
        self.generation
    }
}

impl AccountView for MarginAccount {
    fn balances(&self) -> impl Iterator<Item = (u16, i64)> + '_ {
        self.collateral.iter().filter(|s| s.in_use == 1).map(|s| (s.bank_index, s.balance))
    }
    fn positions(&self) -> impl Iterator<Item = (u16, u16, u16, i64)> + '_ {
        self.positions.iter().filter(|p| p.in_use == 1).map(|p| (p.underlying_index, p.series_index, p.generation, p.size))
    }
    fn reputation(&self) -> RepState {
        self.rep_state()
    }
}

struct UnderlyingEntry<'info> {
    data: Ref<'info, Underlying>,
    /// Oracle spot, quote native per contract (one whole token).
    spot: u64,
}

/// The validated health accounts.
pub struct HealthCache<'info> {
    banks: Vec<BankSnap>,
    unders: Vec<UnderlyingEntry<'info>>,
    risk: RiskParams,
    now: i64,
    mode: Freshness,
    oracles_fresh: bool,
}

impl<'info> HealthCache<'info> {
    pub fn load(
        exchange_key: &Pubkey,
        exchange: &Exchange,
        health_accounts: &'info [AccountInfo<'info>],
        now: i64,
        mode: Freshness,
    ) -> Result<HealthCache<'info>> {
        let mut cache =
            HealthCache { banks: Vec::new(), unders: Vec::new(), risk: *exchange.risk.engine(), now, mode, oracles_fresh: true };
        let mut it = health_accounts.iter();
        while let Some(ai) = it.next() {
            let disc = {
                let d = ai.try_borrow_data().map_err(|_| MaxwellError::HealthAccountsMismatch)?;
                require!(ai.owner == &crate::ID && d.len() >= 8, MaxwellError::HealthAccountsMismatch);
                let mut disc = [0u8; 8];
                disc.copy_from_slice(&d[..8]);
                disc
            };
            if disc == *CollateralBank::DISCRIMINATOR {
                // Owner and discriminator checked above: read the bytes in place (no second
                // discriminator check through an AccountLoader).
                let raw = ai.try_borrow_data().map_err(|_| MaxwellError::HealthAccountsMismatch)?;
                let size = core::mem::size_of::<CollateralBank>();
                require!(raw.len() >= 8 + size, MaxwellError::HealthAccountsMismatch);
                let bank: &CollateralBank = bytemuck::from_bytes(&raw[8..8 + size]);
                require_keys_eq!(bank.exchange, *exchange_key, MaxwellError::WrongExchange);
                let price = if bank.is_quote == 1 {
                    TokenPrice::ONE
                } else {
                    let oracle = it.next().ok_or(MaxwellError::HealthAccountsMismatch)?;
                    require_keys_eq!(*oracle.key, bank.oracle, MaxwellError::WrongOracle);
                    let p = read_price(oracle, &bank.oracle_spec(), now, mode)?;
                    cache.oracles_fresh &= p.fresh;
                    TokenPrice::from_oracle(p.price, p.expo, bank.decimals, exchange.quote_decimals).map_err(MaxwellError::from)?
                };
                cache.banks.push(BankSnap {
                    bank_index: bank.bank_index,
                    index: bank.index_at(now)?,
                    price,
                    weights: Weights {
                        init_asset: bank.init_asset_weight_bps,
                        maint_asset: bank.maint_asset_weight_bps,
                        init_liab: bank.init_liab_weight_bps,
                        maint_liab: bank.maint_liab_weight_bps,
                    },
                });
            } else if disc == *Underlying::DISCRIMINATOR {
                // Owner and discriminator checked above; borrow the data for the cache's lifetime.
                let raw = ai.try_borrow_data().map_err(|_| MaxwellError::HealthAccountsMismatch)?;
                let size = core::mem::size_of::<Underlying>();
                require!(raw.len() >= 8 + size, MaxwellError::HealthAccountsMismatch);
                let data = Ref::map(raw, |d| bytemuck::from_bytes::<Underlying>(&d[8..8 + size]));
                require_keys_eq!(data.exchange, *exchange_key, MaxwellError::WrongExchange);
                let oracle = it.next().ok_or(MaxwellError::HealthAccountsMismatch)?;
                require_keys_eq!(*oracle.key, data.oracle, MaxwellError::WrongOracle);
                let p = read_price(oracle, &data.oracle_spec(), now, mode)?;
                cache.oracles_fresh &= p.fresh;
                let spot = spot_per_contract(p.price as u64, p.expo, exchange.quote_decimals)?;
                cache.unders.push(UnderlyingEntry { data, spot });
            } else {
                return err!(MaxwellError::HealthAccountsMismatch);
            }
        }
        Ok(cache)
    }

    /// A bank's price in the cache (quote native per token native).
    pub fn price(&self, bank_index: u16) -> Result<TokenPrice> {
        let b = self.banks.iter().find(|b| b.bank_index == bank_index);
        Ok(b.ok_or(MaxwellError::HealthAccountsMismatch)?.price)
    }

    /// Oracle spot of an underlying in the cache, quote native per contract.
    pub fn spot(&self, underlying_index: u16) -> Result<u64> {
        let u = self.unders.iter().find(|u| u.data.underlying_index == underlying_index);
        Ok(u.ok_or(MaxwellError::HealthAccountsMismatch)?.spot)
    }

    /// The engine's snapshot, borrowing the underlyings' arrays (no copy).
    fn snapshot(&self) -> Snapshot<'_, SeriesInfo> {
        let unders = self
            .unders
            .iter()
            .map(|e| UnderlyingSnap {
                underlying_index: e.data.underlying_index,
                spot: e.spot,
                spot_bank_index: e.data.spot_bank_index,
                limits: RiskLimits {
                    surface_seq: e.data.surface_seq,
                    max_age_secs: e.data.risk_max_age_secs,
                    spot_tolerance_bps: e.data.risk_spot_tolerance_bps,
                },
                scen: e.data.scen.engine(),
                risk: series_risk_slice(&e.data.risk[..usize::from(e.data.n_series)]),
                series: &e.data.series[..usize::from(e.data.n_series)],
            })
            .collect();
        Snapshot {
            banks: &self.banks,
            unders,
            risk: self.risk,
            now: self.now,
            lenient: self.mode == Freshness::Lenient,
            oracles_fresh: self.oracles_fresh,
        }
    }

    /// Health of `account` (the engine's rule over the snapshot).
    pub fn health(&self, account: &MarginAccount) -> Result<Health> {
        Ok(engine::health(&self.snapshot(), account).map_err(MaxwellError::from)?)
    }

    /// The balance liquidation of `account` (the engine's plan over this snapshot).
    pub fn plan_balance_liquidation(
        &self,
        account: &MarginAccount,
        asset_bank: u16,
        liability_bank: u16,
        max_liability_native: u64,
        params: &LiquidationParams,
    ) -> Result<BalanceLiquidationPlan> {
        let plan = balance_liquidation::plan_balance_liquidation(
            &self.snapshot(),
            account,
            asset_bank,
            liability_bank,
            max_liability_native,
            params,
        );
        Ok(plan.map_err(MaxwellError::from)?)
    }

    /// Health with every part itemised (per-underlying Greeks, worst scenario, add-ons).
    pub fn health_detail(&self, account: &MarginAccount) -> Result<HealthDetail> {
        Ok(engine::health_detail(&self.snapshot(), account).map_err(MaxwellError::from)?)
    }

    /// The account's scenario losses per underlying (clients' scenario tables).
    pub fn scenario_table(&self, account: &MarginAccount) -> Result<Vec<engine::ScenarioRow>> {
        Ok(engine::scenario_table(&self.snapshot(), account).map_err(MaxwellError::from)?)
    }
}

/// Loads the health accounts and computes the health of one account (deposit, withdraw...).
pub fn compute_health<'info>(
    exchange_key: &Pubkey,
    exchange: &Exchange,
    account: &MarginAccount,
    health_accounts: &'info [AccountInfo<'info>],
    now: i64,
    mode: Freshness,
) -> Result<Health> {
    HealthCache::load(exchange_key, exchange, health_accounts, now, mode)?.health(account)
}

/// After the final health check of a mutated account: caches the health (clients read it;
/// keepers pre-filter on it), records an observed breach, lets the reputation rule observe the
/// account, and frees the slots the instruction emptied (only now, so the health accounts
/// never depend on the layout after the operation).
pub fn cache_health(account: &mut MarginAccount, h: &Health, clock: &Clock) {
    account.init_health = h.init;
    account.maint_health = h.maint;
    account.health_slot = clock.slot;
    let breached = h.maint < 0;
    if breached {
        account.last_breach_ts = clock.unix_timestamp;
    }
    let rep = reputation::observe(account.rep_state(), clock.unix_timestamp, h.maintenance_req, h.carrying_risk, breached);
    account.set_rep_state(rep);
    account.release_empty_slots();
}
