use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::BalanceLiquidateLog;
use crate::health::{cache_health, HealthCache};
use crate::instructions::liquidate::liquidation_params;
use crate::oracle::Freshness;
use crate::state::{CollateralBank, Exchange, IxGate, MarginAccount};

#[derive(Accounts)]
pub struct BalanceLiquidate<'info> {
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub liquidatee: AccountLoader<'info, MarginAccount>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub liquidator: AccountLoader<'info, MarginAccount>,
    /// The liquidator account's owner or delegate.
    pub liquidator_signer: Signer<'info>,
    /// The bank whose positive balance the liquidatee gives up.
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub asset_bank: AccountLoader<'info, CollateralBank>,
    /// The bank the liquidatee owes; the liquidator takes the debt over.
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub liability_bank: AccountLoader<'info, CollateralBank>,
    /// The exchange's quote bank (the insurance share); may be one of the two banks above.
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub quote_bank: AccountLoader<'info, CollateralBank>,
    /// The exchange's insurance fund account (`Exchange::insurance_vault`).
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub insurance: AccountLoader<'info, MarginAccount>,
}

/// Keeper: takes over (repays) part of a liquidatable account's debt to `liability_bank` and
/// receives its balance in `asset_bank` at oracle prices plus a penalty that grows with the
/// depth of the shortfall, as far as maintenance health zero and no further
/// (`maxwell_engine::plans::balance_liquidation`: the take is the smaller of
/// `max_liability_amount`, the debt, what the asset covers and what restores the account).
/// Works with or without option positions. Strict: live, tight oracles and fresh risk arrays.
///
/// The liquidator's balances move the other way (it may borrow the liability token to take the
/// debt over: that moves a borrow between accounts, the bank's total does not grow) and it
/// pays the insurance fund its share of the penalty in quote; it must end with initial health
/// at or above zero. The liquidatee needs no free slot (both of its slots exist); the fund's quote slot
/// is reserved. Remaining accounts: health accounts covering both accounts and the two banks.
pub fn balance_liquidate<'info>(ctx: Context<'info, BalanceLiquidate<'info>>, max_liability_amount: u64) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::BalanceLiquidate)?;
    require_keys_eq!(ctx.accounts.insurance.key(), ex.insurance_vault, MaxwellError::WrongInsuranceAccount);
    let (liquidatee_key, liquidator_key) = (ctx.accounts.liquidatee.key(), ctx.accounts.liquidator.key());
    require_keys_neq!(liquidatee_key, liquidator_key, MaxwellError::LiquidatorIsLiquidatee);
    require_keys_neq!(liquidatee_key, ex.insurance_vault, MaxwellError::InsuranceIsLiquidatee);
    require!(ctx.accounts.liquidator.load()?.is_owner_or_delegate(ctx.accounts.liquidator_signer.key), MaxwellError::NotOwnerOrDelegate);
    require_keys_neq!(ctx.accounts.asset_bank.key(), ctx.accounts.liability_bank.key(), MaxwellError::BalanceSameBank);
    require!(ctx.accounts.quote_bank.load()?.is_quote == 1, MaxwellError::NotQuoteBank);
    let asset_index = ctx.accounts.asset_bank.load()?.bank_index;
    let liability_index = ctx.accounts.liability_bank.load()?.bank_index;
    let now = Clock::get()?.unix_timestamp;
    let exchange_key = ctx.accounts.exchange.key();

    // One snapshot serves the plan and the post check: the banks' indices are accrued to `now`
    // in it, and applying the plan accrues them to the same second, so balances value the same
    // way before and after (only share totals move, which health does not read); the
    // underlyings are not written here.
    let cache = HealthCache::load(&exchange_key, &ex, ctx.remaining_accounts, now, Freshness::Strict)?;
    let plan = cache.plan_balance_liquidation(
        &*ctx.accounts.liquidatee.load()?,
        asset_index,
        liability_index,
        max_liability_amount,
        &liquidation_params(&ex.params),
    )?;
    let as_i64 = |x: u64| i64::try_from(x).map_err(|_| MaxwellError::MathOverflow);
    let (liab, asset, to_insurance) = (as_i64(plan.liability_native)?, as_i64(plan.asset_native)?, as_i64(plan.to_insurance)?);

    // Apply, one bank at a time (the quote bank may also be the asset or the liability bank).
    {
        let mut a = ctx.accounts.liquidatee.load_mut()?;
        let mut l = ctx.accounts.liquidator.load_mut()?;
        {
            let mut b = ctx.accounts.asset_bank.load_mut()?;
            a.move_balance(&mut b, -asset, now)?;
            l.move_balance(&mut b, asset, now)?;
            b.invariant()?;
        }
        {
            let mut b = ctx.accounts.liability_bank.load_mut()?;
            a.move_balance(&mut b, liab, now)?;
            l.move_balance(&mut b, -liab, now)?;
            b.invariant()?;
        }
        if to_insurance > 0 {
            let mut q = ctx.accounts.quote_bank.load_mut()?;
            let mut ins = ctx.accounts.insurance.load_mut()?;
            l.move_balance(&mut q, -to_insurance, now)?;
            ins.move_balance(&mut q, to_insurance, now)?;
            ins.release_empty_slots();
            ins.invariant()?;
            q.invariant()?;
        }
    }

    // Post: the liquidatee improved; the liquidator ends within its initial margin.
    let clock = Clock::get()?;
    let mut a = ctx.accounts.liquidatee.load_mut()?;
    let mut l = ctx.accounts.liquidator.load_mut()?;
    let post = cache.health(&a)?;
    require!(post.maint > plan.maint_before, MaxwellError::LiquidationDidNotImprove);
    let post_l = cache.health(&l)?;
    require!(post_l.init >= 0, MaxwellError::InitialMarginViolated);
    cache_health(&mut a, &post, &clock);
    a.last_liquidation_ts = clock.unix_timestamp;
    a.set_rep_state(maxwell_engine::reputation::reset());
    cache_health(&mut l, &post_l, &clock);
    a.invariant()?;
    l.invariant()?;
    emit!(BalanceLiquidateLog {
        exchange: exchange_key,
        liquidatee: liquidatee_key,
        liquidator: liquidator_key,
        asset_bank: ctx.accounts.asset_bank.key(),
        liability_bank: ctx.accounts.liability_bank.key(),
        liability_amount: plan.liability_native,
        asset_amount: plan.asset_native,
        penalty_bps: plan.penalty_bps,
        penalty: plan.penalty,
        to_insurance: plan.to_insurance,
        maint_health_before: plan.maint_before,
        maint_health_after: post.maint,
        liquidator_init_health_after: post_l.init,
    });
    Ok(())
}
