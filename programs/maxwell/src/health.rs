//! The margin check: the one choke point every risk-changing instruction ends with.
//!
//! Health accounts (the instruction's remaining accounts), in any order, each entry being
//! - a `CollateralBank`, followed by its Pyth oracle unless it is the quote bank, or
//! - an `Underlying`, followed by its Pyth spot oracle,
//! covering every collateral slot and every underlying with positions of the margin
//! account(s) the instruction touches. `app/src/health-accounts.ts` builds the list.
//!
//! `HealthCache::load` validates and reads them once into a snapshot (prices, weights, the
//! underlyings' risk arrays); `HealthCache::health` then computes any account's health from
//! plain data through the pure risk engine, so the WASM client gets the very same numbers.

use anchor_lang::prelude::*;
use core::cell::Ref;
use maxwell_risk::collateral::{raw_value, TokenPrice};
use maxwell_risk::fixed::Fx;
use maxwell_risk::margin::{self, portfolio_margin_from_arrays, BookArrays, CollateralInput, MarginSummary, NO_UNDERLYING};
use maxwell_risk::params::RiskParams;

use crate::constants::REPUTATION_RAMP_SECS;
use crate::error::MaxwellError;
use crate::oracle::{read_price, Freshness};
use crate::state::{series_risk_slice, CollateralBank, Exchange, MarginAccount, Underlying, MAX_SERIES};

/// Full weight, bps.
const BPS: u16 = 10_000;

/// Health in quote native units; rounded against the account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// Equity at initial weights minus the initial requirement: gates risk-increasing actions.
    pub init: i64,
    /// Equity at maintenance weights minus the maintenance requirement: decides liquidation.
    pub maint: i64,
    /// Requirements (options), including the risk-cache drift add-on.
    pub initial_req: i64,
    pub maintenance_req: i64,
    /// Mark value of the option positions (long floor, short ceil).
    pub option_value: i64,
    /// False if a stale or wide oracle was tolerated (only in `Freshness::Lenient`).
    pub oracles_fresh: bool,
}

struct BankEntry {
    bank_index: u16,
    /// Indices accrued to `now` (not written back): balances are valued with today's interest.
    index: maxwell_lending::BankIndex,
    price: TokenPrice,
    init_asset: u16,
    maint_asset: u16,
    init_liab: u16,
    maint_liab: u16,
}

struct UnderlyingEntry<'info> {
    index: u16,
    data: Ref<'info, Underlying>,
    /// Oracle spot and confidence, quote native per contract (one whole token).
    spot: u64,
}

/// Snapshot of the health accounts.
pub struct HealthCache<'info> {
    banks: Vec<BankEntry>,
    unders: Vec<UnderlyingEntry<'info>>,
    risk: RiskParams,
    now: i64,
    mode: Freshness,
    oracles_fresh: bool,
}

/// Spot (or confidence) of one whole token in quote native units.
pub fn spot_per_contract(mantissa: u64, expo: i32, quote_decimals: u8) -> Result<u64> {
    if mantissa == 0 {
        return Ok(0);
    }
    let p = TokenPrice::from_oracle(mantissa as i64, expo, 0, quote_decimals).map_err(MaxwellError::from)?;
    let v = raw_value(1, p, false).map_err(MaxwellError::from)?;
    u64::try_from(v).map_err(|_| MaxwellError::MathOverflow.into())
}

impl<'info> HealthCache<'info> {
    pub fn load(
        exchange_key: &Pubkey,
        exchange: &Exchange,
        health_accounts: &'info [AccountInfo<'info>],
        now: i64,
        mode: Freshness,
    ) -> Result<HealthCache<'info>> {
        let mut cache = HealthCache {
            banks: Vec::new(),
            unders: Vec::new(),
            risk: *exchange.risk.engine(),
            now,
            mode,
            oracles_fresh: true,
        };
        let mut it = health_accounts.iter();
        while let Some(ai) = it.next() {
            let disc = {
                let d = ai.try_borrow_data().map_err(|_| MaxwellError::HealthAccountsMismatch)?;
                require!(ai.owner == &crate::ID && d.len() >= 8, MaxwellError::HealthAccountsMismatch);
                <[u8; 8]>::try_from(&d[..8]).unwrap()
            };
            if disc == *CollateralBank::DISCRIMINATOR {
                let loader = AccountLoader::<CollateralBank>::try_from(ai)?;
                let bank = loader.load()?;
                require_keys_eq!(bank.exchange, *exchange_key, MaxwellError::WrongExchange);
                let price = if bank.is_quote == 1 {
                    TokenPrice::ONE
                } else {
                    let oracle = it.next().ok_or(MaxwellError::HealthAccountsMismatch)?;
                    require_keys_eq!(*oracle.key, bank.oracle, MaxwellError::WrongOracle);
                    let p = read_price(oracle, &bank.oracle_spec(), now, mode)?;
                    cache.oracles_fresh &= p.fresh;
                    TokenPrice::from_oracle(p.price, p.expo, bank.decimals, exchange.quote_decimals)
                        .map_err(MaxwellError::from)?
                };
                cache.banks.push(BankEntry {
                    bank_index: bank.bank_index,
                    index: bank.index_at(now)?,
                    price,
                    init_asset: bank.init_asset_weight_bps,
                    maint_asset: bank.maint_asset_weight_bps,
                    init_liab: bank.init_liab_weight_bps,
                    maint_liab: bank.maint_liab_weight_bps,
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
                cache.unders.push(UnderlyingEntry { index: data.underlying_index, data, spot });
            } else {
                return err!(MaxwellError::HealthAccountsMismatch);
            }
        }
        Ok(cache)
    }

    fn bank(&self, index: u16) -> Result<&BankEntry> {
        Ok(self.banks.iter().find(|b| b.bank_index == index).ok_or(MaxwellError::HealthAccountsMismatch)?)
    }

    fn under(&self, index: u16) -> Result<&UnderlyingEntry<'info>> {
        Ok(self.unders.iter().find(|u| u.index == index).ok_or(MaxwellError::HealthAccountsMismatch)?)
    }

    /// A bank's price in the cache (quote native per token native).
    pub fn price(&self, bank_index: u16) -> Result<TokenPrice> {
        Ok(self.bank(bank_index)?.price)
    }

    /// Oracle spot of an underlying in the cache, quote native per contract.
    pub fn spot(&self, underlying_index: u16) -> Result<u64> {
        Ok(self.under(underlying_index)?.spot)
    }

    /// Health of `account` from the snapshot.
    pub fn health(&self, account: &MarginAccount) -> Result<Health> {
        // Collateral at both weight sets (the engine sees the maintenance one).
        let mut coll_init = 0i64;
        let mut coll_maint = 0i64;
        let mut inputs: Vec<CollateralInput> = Vec::new();
        // Underlyings with positions, in first-seen order (the engine's book indexes).
        let mut books_idx: Vec<u16> = Vec::new();
        for p in account.positions.iter().filter(|p| p.in_use == 1) {
            if !books_idx.contains(&p.underlying_index) {
                books_idx.push(p.underlying_index);
            }
        }
        for slot in account.collateral.iter().filter(|s| s.in_use == 1) {
            let b = self.bank(slot.bank_index)?;
            // Spot collateral of an underlying the account holds options on moves in that
            // underlying's price scenarios (SOL + a short SOL call is a covered call): the grid
            // charges its price risk, so it counts at full weight instead of its haircut.
            let book = books_idx
                .iter()
                .position(|&u| self.under(u).map(|e| e.data.spot_bank_index == slot.bank_index).unwrap_or(false));
            let (ia, ma, il, ml) = match book {
                Some(_) => (BPS, BPS, BPS, BPS),
                None => (b.init_asset, b.maint_asset, b.init_liab, b.maint_liab),
            };
            // One (128-bit, slow on SBF) division per slot: the unweighted value, rounded
            // against the account; each weight is then a cheap multiply and divide by 10_000.
            let amount = b.index.value(slot.balance).map_err(MaxwellError::from)?;
            let borrowed = amount < 0;
            let full = raw_value(amount.unsigned_abs(), b.price, borrowed).map_err(MaxwellError::from)?;
            coll_init = coll_init.checked_add(weigh(full, borrowed, ia, il)?).ok_or(MaxwellError::MathOverflow)?;
            coll_maint = coll_maint.checked_add(weigh(full, borrowed, ma, ml)?).ok_or(MaxwellError::MathOverflow)?;
            // The engine only needs the spot collateral that moves in its scenarios: the
            // collateral value itself is computed above.
            if book.is_some() {
                inputs.push(CollateralInput {
                    amount,
                    price: b.price,
                    asset_weight_bps: ma,
                    liability_weight_bps: ml,
                    underlying: book.map_or(NO_UNDERLYING, |i| i as u8),
                });
            }
        }
        if books_idx.is_empty() {
            return Ok(Health {
                init: coll_init,
                maint: coll_maint,
                oracles_fresh: self.oracles_fresh,
                ..Health::default()
            });
        }

        // Positions per underlying, checking that every risk array used is fresh.
        let mut fresh = self.oracles_fresh;
        let mut positions: Vec<Vec<margin::Position>> = Vec::with_capacity(books_idx.len());
        let mut drift_bps: Vec<u64> = Vec::with_capacity(books_idx.len());
        for &u in &books_idx {
            let e = self.under(u)?;
            let mut ps = Vec::new();
            let mut drift = 0u64;
            for p in account.positions.iter().filter(|p| p.in_use == 1 && p.underlying_index == u) {
                let i = usize::from(p.series_index);
                require!(i < MAX_SERIES, MaxwellError::SeriesNotListed);
                let info = &e.data.series[i];
                require!(self.now < info.expiry, MaxwellError::ExpiredPositionUnsettled);
                if !e.data.risk_fresh(i, e.spot, self.now) {
                    require!(self.mode == Freshness::Lenient, MaxwellError::RiskCacheStale);
                    fresh = false;
                }
                let moved = u128::from(e.spot.abs_diff(info.risk_spot)) * 10_000;
                drift = drift.max(moved.div_ceil(u128::from(info.risk_spot.max(1))) as u64);
                ps.push(margin::Position { size: p.size, series: p.series_index, _pad: [0; 6] });
            }
            positions.push(ps);
            drift_bps.push(drift);
        }
        let books: Vec<BookArrays> = books_idx
            .iter()
            .zip(positions.iter())
            .map(|(&u, ps)| {
                let e = self.under(u).expect("looked up above");
                BookArrays { scen: e.data.scen.engine(), series: series_risk_slice(&e.data.risk[..]), positions: ps }
            })
            .collect();
        let rep = reputation(account, self.now, self.risk.reputation_floor);
        let s = run_engine(&books, &inputs, &self.risk, rep)?;

        // Spot drift since the arrays were built (within tolerance): charge the delta and gamma
        // exposure over that move, rounded up.
        let mut drift_charge = 0i64;
        for (u, bps) in s.underlyings.iter().zip(drift_bps.iter()) {
            let exposure = u.delta_quote.unsigned_abs().saturating_add(u.gamma_quote.unsigned_abs());
            let c = (u128::from(exposure) * u128::from(*bps)).div_ceil(10_000);
            let c = i64::try_from(c).map_err(|_| MaxwellError::MathOverflow)?;
            drift_charge = drift_charge.checked_add(c).ok_or(MaxwellError::MathOverflow)?;
        }
        let maintenance_req = s.maintenance.checked_add(drift_charge).ok_or(MaxwellError::MathOverflow)?;
        let initial_req = s.initial.checked_add(drift_charge).ok_or(MaxwellError::MathOverflow)?;
        let equity = |coll: i64| coll.checked_add(s.option_value).ok_or(MaxwellError::MathOverflow);
        Ok(Health {
            init: equity(coll_init)?.checked_sub(initial_req).ok_or(MaxwellError::MathOverflow)?,
            maint: equity(coll_maint)?.checked_sub(maintenance_req).ok_or(MaxwellError::MathOverflow)?,
            initial_req,
            maintenance_req,
            option_value: s.option_value,
            oracles_fresh: fresh,
        })
    }
}

/// `value x weight / 10_000`, down for an asset, up for a borrow (returned negative).
/// In 64-bit arithmetic whenever the value fits (divisions by a constant are then a multiply).
fn weigh(full: u128, borrowed: bool, asset_bps: u16, liab_bps: u16) -> Result<i64> {
    let w = u64::from(if borrowed { liab_bps } else { asset_bps });
    let v: u128 = match u64::try_from(full) {
        Ok(f) => {
            // f * w / 1e4 = (f / 1e4) * w + (f % 1e4) * w / 1e4, exactly, without 128 bits.
            let (q, r) = (f / 10_000, f % 10_000);
            let rw = r * w;
            let (lo, rem) = (rw / 10_000, rw % 10_000);
            u128::from(q) * u128::from(w) + u128::from(lo) + u128::from(borrowed && rem != 0)
        }
        Err(_) => {
            let x = full.checked_mul(u128::from(w)).ok_or(MaxwellError::MathOverflow)?;
            if borrowed { x.div_ceil(10_000) } else { x / 10_000 }
        }
    };
    let v = i64::try_from(v).map_err(|_| MaxwellError::MathOverflow)?;
    Ok(if borrowed { -v } else { v })
}

/// The engine's summary is about 1 KB: kept on the heap and out of the caller's frame
/// (SBF frames are limited to 4 KB).
#[inline(never)]
fn run_engine(books: &[BookArrays], inputs: &[CollateralInput], risk: &RiskParams, rep: Fx) -> Result<Box<MarginSummary>> {
    let s = portfolio_margin_from_arrays(books, inputs, risk, rep).map_err(MaxwellError::from)?;
    Ok(Box::new(s))
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

/// Caches the health on the account (clients read it; keepers pre-filter on it) and records
/// a maintenance breach in the account's history (reputation).
pub fn cache_health(account: &mut MarginAccount, h: &Health, clock: &Clock) {
    account.init_health = h.init;
    account.maint_health = h.maint;
    account.health_slot = clock.slot;
    if h.maint < 0 {
        account.last_breach_ts = clock.unix_timestamp;
    }
}

/// The account's reputation multiplier on its initial requirement: 1 for a new account or one
/// just liquidated or under maintenance, falling linearly to `floor` over
/// `REPUTATION_RAMP_SECS` of clean history (age since creation, the last liquidation and the
/// last breach, whichever is latest). Maintenance never uses it.
pub fn reputation(account: &MarginAccount, now: i64, floor: i64) -> Fx {
    let since = account.created_ts.max(account.last_liquidation_ts).max(account.last_breach_ts);
    let clean = u128::from(now.saturating_sub(since).clamp(0, REPUTATION_RAMP_SECS) as u64);
    let span = u128::from(Fx::ONE.0.saturating_sub(floor).max(0) as u64);
    // Rounded down: the discount is never more than the history earns.
    let discount = (span * clean / REPUTATION_RAMP_SECS as u128) as i64;
    Fx(Fx::ONE.0 - discount)
}
