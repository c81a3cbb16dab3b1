//! The margin check: the one choke point every risk-changing instruction ends with.
//!
//! Health accounts (the instruction's remaining accounts), in the margin account's
//! collateral-slot order, for each slot in use: the slot's bank, then, unless it is the
//! quote bank, that bank's oracle. A client derives this list from the account itself
//! (`app/src/health-accounts.ts`).
//!
//! The program turns the loaded accounts into a plain snapshot, then calls the pure risk
//! engine (`maxwell_risk`), so the client's WASM build computes the very same numbers.

use anchor_lang::prelude::*;
use maxwell_risk::collateral::{weighted_value, TokenPrice};

use crate::error::MaxwellError;
use crate::oracle::{read_price, Freshness, OracleSpec};
use crate::state::{CollateralBank, Exchange, MarginAccount};

/// Health in quote native units; rounded against the account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// Weighted collateral minus the initial requirement: gates risk-increasing actions.
    pub init: i64,
    /// Weighted collateral minus the maintenance requirement: decides liquidation.
    pub maint: i64,
    /// False if some oracle was stale or wide (only possible in `Freshness::Lenient`).
    pub oracles_fresh: bool,
}

/// Computes the account's health from its health accounts. Returns the health and
/// the number of remaining accounts consumed.
pub fn compute_health<'info>(
    exchange_key: &Pubkey,
    exchange: &Exchange,
    account: &MarginAccount,
    health_accounts: &'info [AccountInfo<'info>],
    now: i64,
    mode: Freshness,
) -> Result<(Health, usize)> {
    let mut cursor = 0usize;
    let mut next = || -> Result<&'info AccountInfo<'info>> {
        let ai = health_accounts.get(cursor).ok_or(MaxwellError::HealthAccountsMismatch)?;
        cursor += 1;
        Ok(ai)
    };
    let mut h = Health { init: 0, maint: 0, oracles_fresh: true };
    for slot in account.collateral.iter().filter(|s| s.in_use == 1) {
        let bank_ai = next()?;
        let loader = AccountLoader::<CollateralBank>::try_from(bank_ai)
            .map_err(|_| MaxwellError::HealthAccountsMismatch)?;
        let bank = loader.load()?;
        require_keys_eq!(bank.exchange, *exchange_key, MaxwellError::WrongExchange);
        require!(bank.bank_index == slot.bank_index, MaxwellError::HealthAccountsMismatch);
        let price = if bank.is_quote == 1 {
            TokenPrice::ONE
        } else {
            let oracle_ai = next()?;
            require_keys_eq!(*oracle_ai.key, bank.oracle, MaxwellError::WrongOracle);
            let spec = OracleSpec {
                feed_id: &bank.feed_id,
                max_age_secs: bank.oracle_max_age_secs,
                max_conf_bps: bank.oracle_max_conf_bps,
            };
            let p = read_price(oracle_ai, &spec, now, mode)?;
            h.oracles_fresh &= p.fresh;
            TokenPrice::from_oracle(p.price, p.expo, bank.decimals, exchange.quote_decimals)
                .map_err(MaxwellError::from)?
        };
        let init = weighted_value(slot.balance, price, bank.init_asset_weight_bps, bank.init_liab_weight_bps)
            .map_err(MaxwellError::from)?;
        let maint = weighted_value(slot.balance, price, bank.maint_asset_weight_bps, bank.maint_liab_weight_bps)
            .map_err(MaxwellError::from)?;
        h.init = h.init.checked_add(init).ok_or(MaxwellError::MathOverflow)?;
        h.maint = h.maint.checked_add(maint).ok_or(MaxwellError::MathOverflow)?;
    }
    Ok((h, cursor))
}

/// Caches the health on the account (clients read it; keepers pre-filter on it).
pub fn cache_health(account: &mut MarginAccount, h: &Health, slot: u64) {
    account.init_health = h.init;
    account.maint_health = h.maint;
    account.health_slot = slot;
}
