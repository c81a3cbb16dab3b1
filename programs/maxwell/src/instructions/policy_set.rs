use anchor_lang::prelude::*;

use crate::constants::*;
use crate::error::MaxwellError;
use crate::events::PolicySetLog;
use crate::state::{Exchange, IxGate, MarginAccount, PolicyArgs, RebalancePolicy};

#[derive(Accounts)]
pub struct PolicySet<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(
        init_if_needed,
        payer = owner,
        space = 8 + core::mem::size_of::<RebalancePolicy>(),
        seeds = [POLICY_SEED, exchange.key().as_ref(), owner.key().as_ref()],
        bump,
    )]
    pub policy: AccountLoader<'info, RebalancePolicy>,
    pub system_program: Program<'info, System>,
}

/// Owner: creates or replaces its rebalance policy. Remaining accounts: the margin accounts
/// the policy lists, in order (each must be this owner's, on this exchange). The daily
/// counter carries over a replacement, so a new policy cannot reset the day's limit.
pub fn policy_set<'info>(ctx: Context<'info, PolicySet<'info>>, args: PolicyArgs) -> Result<()> {
    ctx.accounts.exchange.load()?.require_enabled(IxGate::PolicySet)?;
    args.validate()?;
    require!(ctx.remaining_accounts.len() == args.accounts.len(), MaxwellError::PolicyAccountsMismatch);
    let exchange = ctx.accounts.exchange.key();
    let owner = ctx.accounts.owner.key();
    for (i, (key, ai)) in args.accounts.iter().zip(ctx.remaining_accounts.iter()).enumerate() {
        require_keys_eq!(*key, *ai.key, MaxwellError::PolicyAccountsMismatch);
        let acc = AccountLoader::<MarginAccount>::try_from(ai)?;
        let acc = acc.load()?;
        require!(acc.owner == owner && acc.exchange == exchange, MaxwellError::PolicyAccountNotListed);
        require!(!args.accounts[..i].contains(key), MaxwellError::PolicyDuplicateAccount);
    }
    let mut p = match ctx.accounts.policy.load_mut() {
        Ok(p) => p,
        Err(_) => ctx.accounts.policy.load_init()?,
    };
    p.exchange = exchange;
    p.owner = owner;
    p.accounts = [Pubkey::default(); POLICY_MAX_ACCOUNTS];
    p.feeds = [0; POLICY_MAX_ACCOUNTS];
    for (i, key) in args.accounts.iter().enumerate() {
        p.accounts[i] = *key;
        // Only listed accounts may feed, and never themselves.
        let listed = (1u16 << args.accounts.len()) - 1;
        p.feeds[i] = args.feeds[i] & (listed as u8) & !(1u8 << i);
    }
    p.trigger_health = args.trigger_health;
    p.target_health = args.target_health;
    p.max_per_move = args.max_per_move;
    p.max_per_day = args.max_per_day;
    p.quote_borrow_limit = args.quote_borrow_limit;
    p.keeper_fee_bps = args.keeper_fee_bps;
    p.max_discount_bps = args.max_discount_bps;
    p.bump = ctx.bumps.policy;
    p.invariant()?;
    emit!(PolicySetLog { exchange, owner, policy: ctx.accounts.policy.key(), args });
    Ok(())
}
