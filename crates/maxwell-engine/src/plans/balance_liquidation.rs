//! Balance liquidation: a keeper takes over (repays) part of a liability balance of an account
//! under maintenance and receives one of its asset balances, at oracle prices plus a penalty
//! that grows with the depth of the shortfall; only as far as maintenance health zero.
//!
//! For an account with a liability `L_bank` and an asset `A_bank` (any two different banks,
//! options or not), a take of `l` liability native units:
//! - the liquidatee's liability balance rises by `l` (the debt shrinks), its asset balance
//!   falls by `asset_for(l) = ceil(l x P_liab x (10^4 + rate) / (10^4 x P_asset))` (rounded
//!   **against** the liquidatee);
//! - the liquidator's balances move the other way (it takes over the debt and receives the
//!   asset), and it pays the insurance fund `to_insurance = floor(penalty x share / 10^4)` in
//!   quote, `penalty = ceil(floor(l x P_liab) x rate / 10^4)`;
//! - the rate ([`penalty_rate`]) is the option liquidation's: `min + (max - min) x depth`,
//!   where the depth is the shortfall over the account's scale, its maintenance requirement plus
//!   the value of the debt taken (a spot borrower has no requirement: its debt is its scale).
//!
//! How much ([`plan_balance_liquidation`]): the largest take the caller allows, the debt and the
//! asset permit (`cap`); if the account's maintenance health after `cap` (the health rule over
//! the account with the two balances moved, [`BalanceOverlay`]) is above [`TARGET_SLACK`]
//! (10 quote native units), the take shrinks to `ceil(cap x (TARGET_SLACK - pre) / (post_cap -
//! pre))`: maintenance health zero plus the slack that absorbs the two balances' roundings. Health is linear in the take for balances (up to
//! rounding) and concave when the asset also moves an options grid (the grid's worst case is a
//! maximum of linear losses), so the interpolated take reaches zero and overshoots the exact
//! minimum by at most the concavity: a liquidation never goes beyond the target it states.
//! The caller never asks for "too much": it gives a maximum and the plan takes what is needed.

use maxwell_lending::BankIndex;
use maxwell_risk::collateral::{raw_value, TokenPrice};

use crate::error::{EngineError, Result};
use crate::health::{self, AccountView, BankSnap, SeriesMeta, Snapshot};
use crate::plans::liquidation::{insurance_share, penalty, penalty_rate, LiquidationParams};
use crate::plans::BPS;
use crate::reputation::RepState;
use crate::valuation::weighted_pair;

/// The maintenance health a balance liquidation aims for, quote native units: zero plus a few
/// units of rounding slack.
pub const TARGET_SLACK: i64 = 10;

/// What the program applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BalanceLiquidationPlan {
    /// Penalty rate, bps.
    pub penalty_bps: u32,
    /// Liability native units the liquidator takes over (the liquidatee's debt falls by it).
    pub liability_native: u64,
    /// Asset native units the liquidatee gives the liquidator (rounded up).
    pub asset_native: u64,
    /// `floor(liability_native x P_liab)`, quote native.
    pub liability_value: u64,
    /// `ceil(liability_value x rate / 10^4)`, quote native.
    pub penalty: u64,
    /// The insurance fund's share of the penalty, paid by the liquidator in quote (rounded down).
    pub to_insurance: u64,
    /// The liquidatee's maintenance health before, and after the largest allowed take (`cap`).
    pub maint_before: i64,
    pub maint_at_cap: i64,
}

/// An account seen with two balances moved by native amounts (the take being planned).
pub struct BalanceOverlay<'a, A> {
    pub inner: &'a A,
    /// `(bank_index, new balance in shares)`.
    pub moved: [(u16, i64); 2],
}

impl<A: AccountView> AccountView for BalanceOverlay<'_, A> {
    fn balances(&self) -> impl Iterator<Item = (u16, i64)> + '_ {
        self.inner.balances().map(|(b, s)| (b, self.moved.iter().find(|m| m.0 == b).map_or(s, |m| m.1)))
    }
    fn positions(&self) -> impl Iterator<Item = (u16, u16, u16, i64)> + '_ {
        self.inner.positions()
    }
    fn reputation(&self) -> RepState {
        self.inner.reputation()
    }
}

fn pow10(e: u32) -> Result<u128> {
    10u128.checked_pow(e).ok_or(EngineError::Overflow)
}

/// `num x 10^e / den` split so both sides stay integers: `e >= 0` scales the numerator.
fn scaled(num: u128, den: u128, e: i32) -> Result<(u128, u128)> {
    if e >= 0 {
        Ok((num.checked_mul(pow10(e.unsigned_abs())?).ok_or(EngineError::Overflow)?, den))
    } else {
        Ok((num, den.checked_mul(pow10(e.unsigned_abs())?).ok_or(EngineError::Overflow)?))
    }
}

/// Asset native units owed for `liab` liability native units at `rate_bps` over par:
/// `ceil(liab x P_liab x (10^4 + rate) / (10^4 x P_asset))`.
pub fn asset_for(liab: u64, p_liab: TokenPrice, p_asset: TokenPrice, rate_bps: u32) -> Result<u64> {
    let k = u128::from(BPS) + u128::from(rate_bps);
    let num = u128::from(liab).checked_mul(u128::from(p_liab.mantissa)).and_then(|x| x.checked_mul(k)).ok_or(EngineError::Overflow)?;
    let den = u128::from(BPS) * u128::from(p_asset.mantissa);
    let (num, den) = scaled(num, den, p_liab.scale_exp - p_asset.scale_exp)?;
    if den == 0 {
        return Err(EngineError::Overflow);
    }
    u64::try_from(num.div_ceil(den)).map_err(|_| EngineError::Overflow)
}

/// The largest `liab` with `asset_for(liab) <= asset`:
/// `floor(asset x 10^4 x P_asset / ((10^4 + rate) x P_liab))`.
pub fn liability_for_asset(asset: u64, p_liab: TokenPrice, p_asset: TokenPrice, rate_bps: u32) -> Result<u64> {
    let k = u128::from(BPS) + u128::from(rate_bps);
    let num = u128::from(asset)
        .checked_mul(u128::from(p_asset.mantissa))
        .and_then(|x| x.checked_mul(u128::from(BPS)))
        .ok_or(EngineError::Overflow)?;
    let den = k.checked_mul(u128::from(p_liab.mantissa)).ok_or(EngineError::Overflow)?;
    let (num, den) = scaled(num, den, p_asset.scale_exp - p_liab.scale_exp)?;
    if den == 0 {
        return Err(EngineError::Overflow);
    }
    Ok(u64::try_from(num / den).unwrap_or(u64::MAX))
}

fn find<'s, S>(snap: &'s Snapshot<'_, S>, bank: u16) -> Result<&'s BankSnap> {
    snap.banks.iter().find(|b| b.bank_index == bank).ok_or(EngineError::MissingHealthAccount)
}

fn moved_shares(index: &BankIndex, shares: i64, delta: i64) -> Result<i64> {
    let mut i = *index;
    Ok(i.change(shares, delta)?)
}

/// Plans a balance liquidation of `account` taking over at most `max_liability_native` of its
/// debt to `liability_bank` against its asset in `asset_bank`. Refusals, in order:
/// [`EngineError::BalanceSameBank`], [`EngineError::NotLiquidatable`] (maintenance health >= 0),
/// [`EngineError::BalanceNotAsset`] (no positive balance in the asset bank),
/// [`EngineError::BalanceNotLiability`] (no debt to the liability bank),
/// [`EngineError::BalanceTakeTooSmall`] (the take rounds to nothing),
/// [`EngineError::LiquidationDidNotImprove`] (the largest take would not raise maintenance
/// health), and the health rule's own errors (stale arrays, missing accounts).
pub fn plan_balance_liquidation<S: SeriesMeta, A: AccountView>(
    snap: &Snapshot<'_, S>,
    account: &A,
    asset_bank: u16,
    liability_bank: u16,
    max_liability_native: u64,
    p: &LiquidationParams,
) -> Result<BalanceLiquidationPlan> {
    if asset_bank == liability_bank {
        return Err(EngineError::BalanceSameBank);
    }
    let pre = health::health(snap, account)?;
    if pre.maint >= 0 {
        return Err(EngineError::NotLiquidatable);
    }
    let shares_of = |bank: u16| account.balances().find(|b| b.0 == bank).map_or(0, |b| b.1);
    let (asset_shares, liab_shares) = (shares_of(asset_bank), shares_of(liability_bank));
    if asset_shares <= 0 {
        return Err(EngineError::BalanceNotAsset);
    }
    if liab_shares >= 0 {
        return Err(EngineError::BalanceNotLiability);
    }
    let (ab, lb) = (find(snap, asset_bank)?, find(snap, liability_bank)?);
    let asset_held = ab.index.value(asset_shares)?.unsigned_abs();
    let owed = lb.index.value(liab_shares)?.unsigned_abs();

    let owed_value = i64::try_from(raw_value(owed, lb.price, true)?).map_err(|_| EngineError::Overflow)?;
    let scale = pre.maintenance_req.checked_add(owed_value).ok_or(EngineError::Overflow)?;
    let rate = penalty_rate(pre.maint, scale, p)?;

    // The asset side of a take: rounded up against the liquidatee, at most what it holds, and
    // a remainder worth less than one native unit of the debt goes too (dust that nothing
    // could take later would keep the account out of bankruptcy resolution forever).
    let asset_taken = |liab: u64| -> Result<u64> {
        let a = asset_for(liab, lb.price, ab.price, rate)?.min(asset_held);
        Ok(if liability_for_asset(asset_held - a, lb.price, ab.price, rate)? == 0 { asset_held } else { a })
    };
    // The whole asset buys `full` of the debt; an asset worth less than one unit of the debt
    // (dust) is taken whole against one unit.
    let full = liability_for_asset(asset_held, lb.price, ab.price, rate)?;
    let cap = max_liability_native.min(owed).min(full.max(1));
    // Neither bank the spot of an underlying the account holds options on: health is the sum
    // of the balances' weighted values plus option terms the take does not touch, so the
    // health after a take is the health before plus the two balances' changes, each valued by
    // the health rule's own valuation (exact, and one full evaluation cheaper on-chain).
    let in_a_book = |bank: u16| {
        account.positions().any(|(u, _, _, _)| snap.unders.iter().any(|e| e.underlying_index == u && e.spot_bank_index == bank))
    };
    let linear = !in_a_book(asset_bank) && !in_a_book(liability_bank);
    let maint_of = |b: &BankSnap, shares: i64| -> Result<i64> { Ok(weighted_pair(b.index.value(shares)?, b.price, &b.weights)?.1) };
    let health_after = |liab: u64| -> Result<i64> {
        let asset = asset_taken(liab)?;
        let to_i64 = |x: u64| i64::try_from(x).map_err(|_| EngineError::Overflow);
        let moved = [
            (asset_bank, moved_shares(&ab.index, asset_shares, -to_i64(asset)?)?),
            (liability_bank, moved_shares(&lb.index, liab_shares, to_i64(liab)?)?),
        ];
        if linear {
            let d_asset = maint_of(ab, moved[0].1)?.checked_sub(maint_of(ab, asset_shares)?);
            let d_liab = maint_of(lb, moved[1].1)?.checked_sub(maint_of(lb, liab_shares)?);
            let sum = d_asset.zip(d_liab).and_then(|(x, y)| pre.maint.checked_add(x)?.checked_add(y));
            return sum.ok_or(EngineError::Overflow);
        }
        Ok(health::health(snap, &BalanceOverlay { inner: account, moved })?.maint)
    };
    if cap == 0 {
        return Err(EngineError::BalanceTakeTooSmall);
    }
    let at_cap = health_after(cap)?;
    if at_cap <= pre.maint {
        return Err(EngineError::LiquidationDidNotImprove);
    }
    let liab = if at_cap <= TARGET_SLACK {
        cap
    } else {
        // ceil(cap x (TARGET_SLACK - pre) / (at_cap - pre)): 0 < result <= cap. Aiming a few
        // units above zero absorbs the roundings of the two balances (each valued once, shares
        // rounded against the account): aiming at zero exactly left accounts at -1, where no
        // take of one unit could improve them any more (found by scripts/crash-sim.ts).
        let gain = u128::from(at_cap.abs_diff(pre.maint));
        let want = u128::from(pre.maint.unsigned_abs()) + TARGET_SLACK as u128;
        let need = (u128::from(cap) * want).div_ceil(gain);
        u64::try_from(need).map_err(|_| EngineError::Overflow)?.clamp(1, cap)
    };
    let asset_native = asset_taken(liab)?;
    let liability_value = u64::try_from(raw_value(liab, lb.price, false)?).map_err(|_| EngineError::Overflow)?;
    let pen = penalty(u128::from(liability_value), rate)?;
    let ins = insurance_share(pen, p.insurance_share_bps)?;
    let u = |x: u128| u64::try_from(x).map_err(|_| EngineError::Overflow);
    if asset_native == 0 {
        return Err(EngineError::BalanceTakeTooSmall);
    }
    Ok(BalanceLiquidationPlan {
        penalty_bps: rate,
        liability_native: liab,
        asset_native,
        liability_value,
        penalty: u(pen)?,
        to_insurance: u(ins)?,
        maint_before: pre.maint,
        maint_at_cap: at_cap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // SOL: 9 decimals at $150 (Pyth 15_000_000_000e-8); USDC quote: 6 decimals.
    const SOL: TokenPrice = TokenPrice { mantissa: 15_000_000_000, scale_exp: -8 + 6 - 9 };
    const USDC: TokenPrice = TokenPrice::ONE;

    #[test]
    fn asset_for_table() {
        // 100 USDC of debt at 2% over par: 102 USDC of SOL = 0.68 SOL.
        assert_eq!(asset_for(100_000_000, USDC, SOL, 200), Ok(680_000_000));
        // Rounded up against the liquidatee: 1 micro-USDC buys 6.67 lamports -> 7.
        assert_eq!(asset_for(1, USDC, SOL, 0), Ok(7));
        // The other way: SOL debt repaid with USDC. 1 SOL at 1% over par: 151.5 USDC.
        assert_eq!(asset_for(1_000_000_000, SOL, USDC, 100), Ok(151_500_000));
    }

    #[test]
    fn liability_for_asset_is_the_inverse() {
        for &(asset, rate) in &[(680_000_000u64, 200u32), (7, 0), (1, 500), (123_456_789_012, 333)] {
            let l = liability_for_asset(asset, USDC, SOL, rate).unwrap();
            assert!(asset_for(l, USDC, SOL, rate).unwrap() <= asset, "asset {asset} rate {rate}");
            assert!(asset_for(l + 1, USDC, SOL, rate).unwrap() > asset, "asset {asset} rate {rate}: not the largest");
        }
        assert_eq!(liability_for_asset(680_000_000, USDC, SOL, 200), Ok(100_000_000));
    }
}
