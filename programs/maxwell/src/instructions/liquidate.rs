use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::LiquidateLog;
use crate::health::{cache_health, Health, HealthCache};
use crate::instructions::trade::{require_margin, MAX_LEGS};
use crate::oracle::Freshness;
use crate::state::{CollateralBank, Exchange, IxGate, MarginAccount, Underlying};

/// One position taken over: `size` contracts of the liquidatee's position in `series_index`,
/// with the position's sign (a short is taken as a negative size), at most the position.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidateLeg {
    pub series_index: u16,
    pub size: i64,
}

#[derive(Accounts)]
pub struct Liquidate<'info> {
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub liquidatee: AccountLoader<'info, MarginAccount>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub liquidator: AccountLoader<'info, MarginAccount>,
    /// The liquidator account's owner or delegate.
    pub liquidator_signer: Signer<'info>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub underlying: AccountLoader<'info, Underlying>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub quote_bank: AccountLoader<'info, CollateralBank>,
    /// The exchange's insurance fund account (`Exchange::insurance_vault`).
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub insurance: AccountLoader<'info, MarginAccount>,
}

/// Keeper: takes over part of a liquidatable account's option positions (maintenance health
/// < 0, live oracle, fresh risk arrays) at mark made worse by a penalty that grows with the
/// depth of the shortfall, from `liq_penalty_min_bps` to `liq_penalty_max_bps`. The penalty
/// is charged on `|size| x mark` (for a short, `|size| x max(mark, short minimum)`); the
/// insurance fund gets `insurance_share_bps` of it, the liquidator the rest.
///
/// Refused if it does not improve the liquidatee's maintenance health, if it goes beyond
/// restoring it (maintenance health above zero even without the last contract taken: no
/// over-liquidation), or if the liquidator would break its own initial margin.
/// Remaining accounts: health accounts covering both accounts after the liquidation.
pub fn liquidate<'info>(ctx: Context<'info, Liquidate<'info>>, legs: Vec<LiquidateLeg>) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::Liquidate)?;
    require!(!legs.is_empty() && legs.len() <= MAX_LEGS, MaxwellError::LiquidationLegsOutOfRange);
    require_keys_eq!(ctx.accounts.insurance.key(), ex.insurance_vault, MaxwellError::WrongInsuranceAccount);
    require_keys_neq!(ctx.accounts.liquidatee.key(), ctx.accounts.liquidator.key(), MaxwellError::LiquidatorIsLiquidatee);
    require!(
        ctx.accounts.liquidator.load()?.is_owner_or_delegate(ctx.accounts.liquidator_signer.key),
        MaxwellError::NotOwnerOrDelegate
    );
    require!(ctx.accounts.quote_bank.load()?.is_quote == 1, MaxwellError::NotQuoteBank);
    let now = Clock::get()?.unix_timestamp;
    let exchange_key = ctx.accounts.exchange.key();

    // Pre: the liquidatee must be under maintenance; the penalty rate follows the depth.
    let (pre, pre_liquidator, rate_bps) = {
        let cache = HealthCache::load(&exchange_key, &ex, ctx.remaining_accounts, now, Freshness::Strict)?;
        let pre = cache.health(&*ctx.accounts.liquidatee.load()?)?;
        require!(pre.maint < 0, MaxwellError::NotLiquidatable);
        let pre_l = cache.health(&*ctx.accounts.liquidator.load()?)?;
        (pre, pre_l, penalty_rate(&pre, &ex.params))
    };

    // Apply: positions move, quote moves at penalised mark, the insurance fund takes its share.
    let (penalty, to_insurance) = {
        let mut u = ctx.accounts.underlying.load_mut()?;
        let mut a = ctx.accounts.liquidatee.load_mut()?;
        let mut l = ctx.accounts.liquidator.load_mut()?;
        let mut ins = ctx.accounts.insurance.load_mut()?;
        let mut q = ctx.accounts.quote_bank.load_mut()?;
        let u_index = u.underlying_index;
        let (mut value, mut base) = (0i128, 0i128);
        // Sizes come from the instruction: every product and sum is checked.
        let ovf = || MaxwellError::MathOverflow;
        for leg in &legs {
            // A zero leg reduces nothing: LiquidationLegInvalid below (not ZeroSize, a trade's code).
            let held = a
                .positions
                .iter()
                .find(|p| p.in_use == 1 && p.underlying_index == u_index && p.series_index == leg.series_index)
                .map_or(0, |p| p.size);
            let same_sign = (held > 0 && leg.size > 0) || (held < 0 && leg.size < 0);
            require!(same_sign && leg.size.unsigned_abs() <= held.unsigned_abs(), MaxwellError::LiquidationLegInvalid);
            let s = u.series_checked(leg.series_index)?;
            require!(now < s.expiry, MaxwellError::SeriesExpired);
            let r = &u.risk[usize::from(leg.series_index)];
            let mark = i128::from(r.mark.max(0));
            let per = if leg.size < 0 { mark.max(i128::from(r.short_min)) } else { mark };
            value = i128::from(leg.size).checked_mul(mark).and_then(|v| value.checked_add(v)).ok_or_else(ovf)?;
            base = i128::from(leg.size.unsigned_abs()).checked_mul(per).and_then(|v| base.checked_add(v)).ok_or_else(ovf)?;
            let (a0, a1) = a.add_position(u_index, leg.series_index, leg.size.checked_neg().ok_or_else(ovf)?, 0)?;
            let (l0, l1) = l.add_position(u_index, leg.series_index, leg.size, 0)?;
            let long = |x: i64| x.max(0) as i128;
            let si = &mut u.series[usize::from(leg.series_index)];
            let oi = i128::from(si.open_interest) + long(a1) - long(a0) + long(l1) - long(l0);
            si.open_interest = u64::try_from(oi).map_err(|_| MaxwellError::MathOverflow)?;
        }
        // Penalty rounds up (against the liquidatee); the insurance share rounds down.
        let penalty = base.checked_mul(i128::from(rate_bps)).and_then(|x| x.checked_add(9_999)).ok_or_else(ovf)? / 10_000;
        let to_insurance = penalty.checked_mul(i128::from(ex.params.insurance_share_bps)).ok_or_else(ovf)? / 10_000;
        let to_liquidator = penalty.checked_sub(value).and_then(|x| x.checked_sub(to_insurance)).ok_or_else(ovf)?;
        let i64_of = |x: i128| i64::try_from(x).map_err(|_| MaxwellError::MathOverflow);
        a.move_balance(&mut q, i64_of(value.checked_sub(penalty).ok_or_else(ovf)?)?, now)?;
        l.move_balance(&mut q, i64_of(to_liquidator)?, now)?;
        ins.move_balance(&mut q, i64_of(to_insurance)?, now)?;
        ins.release_empty_slots();
        ins.invariant()?;
        q.invariant()?;
        u.invariant()?;
        (i64_of(penalty)?, i64_of(to_insurance)?)
    };

    // Post: improvement, no over-liquidation, the liquidator's own initial margin.
    let clock = Clock::get()?;
    let cache = HealthCache::load(&exchange_key, &ex, ctx.remaining_accounts, now, Freshness::Strict)?;
    let mut a = ctx.accounts.liquidatee.load_mut()?;
    let mut l = ctx.accounts.liquidator.load_mut()?;
    let post = cache.health(&a)?;
    require!(post.maint > pre.maint, MaxwellError::LiquidationDidNotImprove);
    if post.maint > 0 {
        // Without the last contract of the last leg, would it still be at or above zero?
        // Checked in place (one contract handed back, then taken again): no 4 KB copy.
        let last = legs[legs.len() - 1];
        let u_index = ctx.accounts.underlying.load()?.underlying_index;
        a.add_position(u_index, last.series_index, last.size.signum(), 0)?;
        let without_last = cache.health(&a)?;
        a.add_position(u_index, last.series_index, -last.size.signum(), 0)?;
        require!(without_last.maint < 0, MaxwellError::OverLiquidation);
    }
    let post_l = cache.health(&l)?;
    require_margin(&pre_liquidator, &post_l)?;
    cache_health(&mut a, &post, &clock);
    // A liquidation ends the clean history: the reputation discount starts over.
    a.last_liquidation_ts = clock.unix_timestamp;
    a.set_rep_state(maxwell_engine::reputation::reset());
    cache_health(&mut l, &post_l, &clock);
    a.invariant()?;
    l.invariant()?;
    emit!(LiquidateLog {
        exchange: exchange_key,
        liquidatee: ctx.accounts.liquidatee.key(),
        liquidator: ctx.accounts.liquidator.key(),
        penalty_bps: rate_bps,
        penalty,
        to_insurance,
        maint_health_before: pre.maint,
        maint_health_after: post.maint,
    });
    Ok(())
}

/// `min + (max - min) x depth`, depth = shortfall / maintenance requirement, capped at 1.
fn penalty_rate(pre: &Health, p: &crate::state::ExchangeParams) -> u32 {
    let shortfall = u128::from(pre.maint.unsigned_abs());
    let req = u128::from(pre.maintenance_req.max(1).unsigned_abs());
    let span = u128::from(p.liq_penalty_max_bps - p.liq_penalty_min_bps);
    let extra = (span * shortfall / req).min(span);
    p.liq_penalty_min_bps + extra as u32
}
