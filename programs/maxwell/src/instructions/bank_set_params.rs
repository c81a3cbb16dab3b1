use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::BankSetParamsLog;
use crate::state::{BankParamsArgs, CollateralBank, Exchange};

#[derive(Accounts)]
pub struct BankSetParams<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ MaxwellError::NotAdmin)]
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub bank: AccountLoader<'info, CollateralBank>,
}

/// Admin: changes a bank's weights, caps, oracle limits and rate curve (validated like
/// `bank_create`). Interest accrues to now under the old curve first. The feed id cannot
/// change (a different asset needs a different bank).
pub fn bank_set_params(ctx: Context<BankSetParams>, params: BankParamsArgs) -> Result<()> {
    params.validate()?;
    let mut bank = ctx.accounts.bank.load_mut()?;
    // The feed stays (the quote bank has none and ignores the argument's).
    let feed = bank.feed_id;
    require!(bank.is_quote == 1 || params.feed_id == feed, MaxwellError::BankFeedIdChanged);
    bank.accrue(Clock::get()?.unix_timestamp)?;
    bank.apply_params(&params);
    bank.feed_id = feed;
    bank.invariant()?;
    emit!(BankSetParamsLog { exchange: bank.exchange, bank: ctx.accounts.bank.key(), params });
    Ok(())
}
