use anchor_lang::prelude::*;
use maxwell_engine::plans::liquidation::{self, LegInput, LiquidationParams};

use crate::error::MaxwellError;
use crate::events::LiquidateLog;
use crate::health::{cache_health, HealthCache};
use crate::instructions::trade::{require_margin, MAX_LEGS};
use crate::oracle::Freshness;
use crate::state::{CollateralBank, Exchange, ExchangeParams, IxGate, MarginAccount, Underlying};

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
    require_keys_neq!(ctx.accounts.liquidatee.key(), ex.insurance_vault, MaxwellError::InsuranceIsLiquidatee);
    require!(ctx.accounts.liquidator.load()?.is_owner_or_delegate(ctx.accounts.liquidator_signer.key), MaxwellError::NotOwnerOrDelegate);
    require!(ctx.accounts.quote_bank.load()?.is_quote == 1, MaxwellError::NotQuoteBank);
    let now = Clock::get()?.unix_timestamp;
    let exchange_key = ctx.accounts.exchange.key();

    // Pre: the liquidatee must be under maintenance.
    let (pre, pre_liquidator) = {
        let cache = HealthCache::load(&exchange_key, &ex, ctx.remaining_accounts, now, Freshness::Strict)?;
        let pre = cache.health(&*ctx.accounts.liquidatee.load()?)?;
        require!(pre.maint < 0, MaxwellError::NotLiquidatable);
        let pre_l = cache.health(&*ctx.accounts.liquidator.load()?)?;
        (pre, pre_l)
    };

    // Plan: the legs as the liquidatee holds them, priced at the series' marks; the penalty
    // rate follows the depth of the shortfall (maxwell_engine::plans::liquidation).
    let plan = {
        let u = ctx.accounts.underlying.load()?;
        let a = ctx.accounts.liquidatee.load()?;
        let mut inputs = [LegInput::default(); 4];
        for (leg, input) in legs.iter().zip(inputs.iter_mut()) {
            let s = u.series_checked(leg.series_index)?;
            let held = match a.position_in(u.underlying_index, leg.series_index) {
                Some(p) => {
                    require!(p.generation == s.generation, MaxwellError::PositionSeriesRecycled);
                    p.size
                }
                None => 0,
            };
            require!(now < s.expiry, MaxwellError::SeriesExpired);
            let r = &u.risk[usize::from(leg.series_index)];
            *input = LegInput { series_index: leg.series_index, size: leg.size, held, mark: r.mark, short_min: r.short_min };
        }
        let params = liquidation_params(&ex.params);
        liquidation::plan_liquidation(&inputs[..legs.len()], pre.maint, pre.maintenance_req, &params).map_err(MaxwellError::from)?
    };
    let rate_bps = plan.penalty_bps;

    // Apply: positions move, quote moves at penalised mark, the insurance fund takes its share.
    let (penalty, to_insurance) = {
        let mut u = ctx.accounts.underlying.load_mut()?;
        let mut a = ctx.accounts.liquidatee.load_mut()?;
        let mut l = ctx.accounts.liquidator.load_mut()?;
        let mut ins = ctx.accounts.insurance.load_mut()?;
        let mut q = ctx.accounts.quote_bank.load_mut()?;
        let u_index = u.underlying_index;
        for leg in &legs {
            let g = u.series[usize::from(leg.series_index)].generation;
            let (a0, a1) = a.add_position(u_index, leg.series_index, g, -leg.size, 0)?;
            let (l0, l1) = l.add_position(u_index, leg.series_index, g, leg.size, 0)?;
            let long = |x: i64| x.max(0) as i128;
            let si = &mut u.series[usize::from(leg.series_index)];
            let oi = i128::from(si.open_interest) + long(a1) - long(a0) + long(l1) - long(l0);
            si.open_interest = u64::try_from(oi).map_err(|_| MaxwellError::MathOverflow)?;
        }
        // Penalty rounded up (against the liquidatee); the insurance share rounded down.
        a.move_balance(&mut q, plan.moves.liquidatee, now)?;
        l.move_balance(&mut q, plan.moves.liquidator, now)?;
        ins.move_balance(&mut q, plan.moves.insurance, now)?;
        ins.release_empty_slots();
        ins.invariant()?;
        q.invariant()?;
        u.invariant()?;
        (plan.penalty, plan.to_insurance)
    };

    // Post: improvement, no over-liquidation, the liquidator's own initial margin.
    let clock = Clock::get()?;
    let cache = HealthCache::load(&exchange_key, &ex, ctx.remaining_accounts, now, Freshness::Strict)?;
    let mut a = ctx.accounts.liquidatee.load_mut()?;
    let mut l = ctx.accounts.liquidator.load_mut()?;
    let post = cache.health(&a)?;
    require!(post.maint > pre.maint, MaxwellError::LiquidationDidNotImprove);
    if liquidation::needs_over_liquidation_probe(post.maint) {
        // Without the last contract of the last leg, would it still be at or above zero?
        // Checked in place (one contract handed back, then taken again): no 4 KB copy.
        let last = legs[legs.len() - 1];
        let (u_index, g) = {
            let u = ctx.accounts.underlying.load()?;
            (u.underlying_index, u.series[usize::from(last.series_index)].generation)
        };
        a.add_position(u_index, last.series_index, g, last.size.signum(), 0)?;
        let without_last = cache.health(&a)?;
        a.add_position(u_index, last.series_index, g, -last.size.signum(), 0)?;
        liquidation::check_no_over_liquidation(post.maint, without_last.maint).map_err(MaxwellError::from)?;
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

/// The exchange's liquidation parameters as the plan takes them.
pub(crate) fn liquidation_params(p: &ExchangeParams) -> LiquidationParams {
    LiquidationParams {
        penalty_min_bps: p.liq_penalty_min_bps,
        penalty_max_bps: p.liq_penalty_max_bps,
        insurance_share_bps: p.insurance_share_bps,
    }
}
