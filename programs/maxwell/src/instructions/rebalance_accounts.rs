use anchor_lang::prelude::*;
use maxwell_engine::plans::rebalance::{move_value, plan_rebalance, RebalanceLimits};

use crate::error::MaxwellError;
use crate::events::RebalanceAccountsLog;
use crate::health::{cache_health, HealthCache};
use crate::oracle::Freshness;
use crate::state::{CollateralBank, Exchange, IxGate, MarginAccount, RebalancePolicy};

#[derive(Accounts)]
pub struct RebalanceAccounts<'info> {
    pub keeper: Signer<'info>,
    /// Receives the keeper fee (any margin account on this exchange, not source or destination).
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub keeper_account: AccountLoader<'info, MarginAccount>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub policy: AccountLoader<'info, RebalancePolicy>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub source: AccountLoader<'info, MarginAccount>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub destination: AccountLoader<'info, MarginAccount>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub bank: AccountLoader<'info, CollateralBank>,
}

/// Keeper (anyone): moves `amount` native units of `bank`'s token from `source` to
/// `destination`, two accounts of one owner, as the owner's policy allows: the destination's
/// maintenance health is under the policy trigger, the source may feed it, the value is within
/// the per-move and per-day limits, and afterwards the source keeps maintenance health at or
/// above the policy target and its initial margin. The keeper earns `keeper_fee_bps` of the
/// amount, paid out of what the destination receives. Internal transfer: vaults unchanged.
/// Remaining accounts: health accounts covering source, destination and the keeper account.
pub fn rebalance_accounts<'info>(ctx: Context<'info, RebalanceAccounts<'info>>, amount: u64) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::Rebalance)?;
    require!(amount > 0, MaxwellError::ZeroAmount);
    let (src_key, dst_key, k_key) = (ctx.accounts.source.key(), ctx.accounts.destination.key(), ctx.accounts.keeper_account.key());
    require_keys_neq!(src_key, dst_key, MaxwellError::RebalanceSourceIsDestination);
    require!(k_key != src_key && k_key != dst_key, MaxwellError::KeeperIsTarget);
    let now = Clock::get()?.unix_timestamp;
    let exchange_key = ctx.accounts.exchange.key();

    // Policy: both accounts listed (hence the owner's), source may feed destination.
    let mut policy = ctx.accounts.policy.load_mut()?;
    let (si, di) = (policy.index_of(&src_key)?, policy.index_of(&dst_key)?);
    require!(policy.feeds[di] & (1u8 << si) != 0, MaxwellError::RebalanceNotAllowed);
    let mut src = ctx.accounts.source.load_mut()?;
    let mut dst = ctx.accounts.destination.load_mut()?;
    let mut kacc = ctx.accounts.keeper_account.load_mut()?;
    require!(src.owner == policy.owner && dst.owner == policy.owner, MaxwellError::PolicyAccountNotListed);

    let cache = HealthCache::load(&exchange_key, &ex, ctx.remaining_accounts, now, Freshness::Strict)?;
    let pre_dst = cache.health(&dst)?;
    require!(pre_dst.maint < policy.trigger_health, MaxwellError::RebalanceNotTriggered);

    // Value of the move in quote (rounded up: limits bind conservatively).
    let value = {
        let bank = ctx.accounts.bank.load()?;
        let v = move_value(amount, cache.price(bank.bank_index)?).map_err(MaxwellError::from)?;
        // Moves free collateral only: the source may not borrow to feed another account.
        let held = src.slot_index(bank.bank_index).map_or(Ok(0), |i| bank.value(src.collateral[i].balance))?;
        require!(held >= 0 && held.unsigned_abs() >= amount, MaxwellError::InsufficientBalance);
        v
    };
    // Keeper fee, per-move and rolling per-day limits (maxwell_engine::plans::rebalance).
    let limits = RebalanceLimits {
        max_per_move: policy.max_per_move,
        max_per_day: policy.max_per_day,
        day_start_ts: policy.day_start_ts,
        moved_today: policy.moved_today,
    };
    let plan = plan_rebalance(amount, value, policy.keeper_fee_bps, &limits, now).map_err(MaxwellError::from)?;
    policy.day_start_ts = plan.day_start_ts;
    policy.moved_today = plan.moved_today;
    let fee = plan.fee;

    let i64_of = |x: u64| i64::try_from(x).map_err(|_| MaxwellError::MathOverflow);
    {
        let mut bank = ctx.accounts.bank.load_mut()?;
        src.move_balance(&mut bank, -i64_of(amount)?, now)?;
        dst.move_balance(&mut bank, i64_of(plan.net)?, now)?;
        kacc.move_balance(&mut bank, i64_of(fee)?, now)?;
        bank.invariant()?;
    }
    policy.invariant()?;

    // Health after: the source stays at or above its target and its initial margin.
    let clock = Clock::get()?;
    let cache = HealthCache::load(&exchange_key, &ex, ctx.remaining_accounts, now, Freshness::Strict)?;
    let post_src = cache.health(&src)?;
    require!(post_src.maint >= policy.target_health && post_src.init >= 0, MaxwellError::RebalanceSourceBelowTarget);
    let post_dst = cache.health(&dst)?;
    let post_k = cache.health(&kacc)?;
    cache_health(&mut src, &post_src, &clock);
    cache_health(&mut dst, &post_dst, &clock);
    cache_health(&mut kacc, &post_k, &clock);
    src.invariant()?;
    dst.invariant()?;
    kacc.invariant()?;
    emit!(RebalanceAccountsLog {
        policy: ctx.accounts.policy.key(),
        source: src_key,
        destination: dst_key,
        keeper: ctx.accounts.keeper.key(),
        bank: ctx.accounts.bank.key(),
        amount,
        fee,
        value,
        destination_maint_before: pre_dst.maint,
        destination_maint_after: post_dst.maint,
        source_maint_after: post_src.maint,
    });
    Ok(())
}
