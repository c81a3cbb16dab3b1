use anchor_lang::prelude::*;
use maxwell_engine::plans::conversion::plan_conversion;

use crate::error::MaxwellError;
use crate::events::RebalanceCollateralLog;
use crate::health::{cache_health, HealthCache};
use crate::instructions::trade::require_margin;
use crate::oracle::Freshness;
use crate::state::{CollateralBank, Exchange, IxGate, MarginAccount, RebalancePolicy};

#[derive(Accounts)]
pub struct RebalanceCollateral<'info> {
    pub keeper: Signer<'info>,
    /// The keeper's margin account: delivers quote, receives the collateral.
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub keeper_account: AccountLoader<'info, MarginAccount>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(has_one = exchange @ MaxwellError::WrongExchange)]
    pub policy: AccountLoader<'info, RebalancePolicy>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub account: AccountLoader<'info, MarginAccount>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub quote_bank: AccountLoader<'info, CollateralBank>,
    /// The collateral the account gives up.
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub bank: AccountLoader<'info, CollateralBank>,
}

/// Keeper (anyone with a margin account): when `account`'s quote balance is borrowed beyond
/// its policy's `quote_borrow_limit`, the keeper repays `quote_amount` of it and receives the
/// account's collateral in `bank` at the oracle price less `discount_bps` (at most the
/// policy's bound): `collateral = quote_amount / (price x (1 - discount))`, rounded down
/// (`maxwell_engine::plans::conversion`).
/// Refused if the account's initial or maintenance health would fall, if the repayment would
/// turn the quote balance positive, or if the keeper breaks its own initial margin. The
/// discount is the keeper's fee. Internal transfers: vaults unchanged.
/// Remaining accounts: health accounts covering the account and the keeper account.
pub fn rebalance_collateral<'info>(ctx: Context<'info, RebalanceCollateral<'info>>, quote_amount: u64, discount_bps: u16) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::Rebalance)?;
    require!(quote_amount > 0, MaxwellError::ZeroAmount);
    let (acc_key, k_key) = (ctx.accounts.account.key(), ctx.accounts.keeper_account.key());
    require_keys_neq!(acc_key, k_key, MaxwellError::KeeperIsTarget);
    require!(ctx.accounts.quote_bank.load()?.is_quote == 1, MaxwellError::NotQuoteBank);
    require!(ctx.accounts.bank.load()?.is_quote == 0, MaxwellError::ConversionBankInvalid);
    let policy = ctx.accounts.policy.load()?;
    policy.index_of(&acc_key)?;
    require!(discount_bps <= policy.max_discount_bps, MaxwellError::ConversionDiscountTooHigh);
    let mut acc = ctx.accounts.account.load_mut()?;
    let mut kacc = ctx.accounts.keeper_account.load_mut()?;
    require!(acc.owner == policy.owner, MaxwellError::PolicyAccountNotListed);
    require!(kacc.is_owner_or_delegate(ctx.accounts.keeper.key), MaxwellError::NotOwnerOrDelegate);
    let now = Clock::get()?.unix_timestamp;
    let exchange_key = ctx.accounts.exchange.key();

    let cache = HealthCache::load(&exchange_key, &ex, ctx.remaining_accounts, now, Freshness::Strict)?;
    let pre = cache.health(&acc)?;
    let pre_k = cache.health(&kacc)?;
    let mut q = ctx.accounts.quote_bank.load_mut()?;
    let mut b = ctx.accounts.bank.load_mut()?;
    q.accrue(now)?;
    b.accrue(now)?;
    let quote = acc.slot_index(q.bank_index).map_or(Ok(0), |i| q.value(acc.collateral[i].balance))?;
    let limit = i64::try_from(policy.quote_borrow_limit).map_err(|_| MaxwellError::MathOverflow)?;
    require!(quote < -limit, MaxwellError::ConversionNotNeeded);
    require!(quote_amount <= quote.unsigned_abs(), MaxwellError::RepayExceedsBorrow);
    let collateral = plan_conversion(quote_amount, cache.price(b.bank_index)?, discount_bps).map_err(MaxwellError::from)?.collateral;
    require!(collateral > 0, MaxwellError::ConversionTooSmall);
    let held = acc.slot_index(b.bank_index).map_or(Ok(0), |i| b.value(acc.collateral[i].balance))?;
    require!(held >= 0 && held.unsigned_abs() >= collateral, MaxwellError::InsufficientBalance);

    let i64_of = |x: u64| i64::try_from(x).map_err(|_| MaxwellError::MathOverflow);
    kacc.move_balance(&mut q, -i64_of(quote_amount)?, now)?;
    acc.move_balance(&mut q, i64_of(quote_amount)?, now)?;
    acc.move_balance(&mut b, -i64_of(collateral)?, now)?;
    kacc.move_balance(&mut b, i64_of(collateral)?, now)?;
    q.invariant()?;
    b.invariant()?;
    drop(q);
    drop(b);

    let clock = Clock::get()?;
    let cache = HealthCache::load(&exchange_key, &ex, ctx.remaining_accounts, now, Freshness::Strict)?;
    let post = cache.health(&acc)?;
    require!(post.maint >= pre.maint && post.init >= pre.init, MaxwellError::ConversionLowersHealth);
    let post_k = cache.health(&kacc)?;
    require_margin(&pre_k, &post_k)?;
    cache_health(&mut acc, &post, &clock);
    cache_health(&mut kacc, &post_k, &clock);
    acc.invariant()?;
    kacc.invariant()?;
    emit!(RebalanceCollateralLog {
        account: acc_key,
        keeper_account: k_key,
        bank: ctx.accounts.bank.key(),
        quote_amount,
        collateral,
        discount_bps,
        maint_health_before: pre.maint,
        maint_health_after: post.maint,
    });
    Ok(())
}
