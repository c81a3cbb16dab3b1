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

/// Admin: sets a new bank's weights, caps, oracle limits and rate curve (validated like
/// `bank_create`) while nobody uses it (listing). Once it holds deposits or borrows, its
/// parameters change only through the timelocked queue (`gov_propose` `BankParams`). The
/// feed id cannot change (a different asset needs a different bank).
pub fn bank_set_params(ctx: Context<BankSetParams>, params: BankParamsArgs) -> Result<()> {
    params.validate()?;
    let mut bank = ctx.accounts.bank.load_mut()?;
    // The feed stays (the quote bank has none and ignores the argument's).
    let feed = bank.feed_id;
    require!(bank.is_quote == 1 || params.feed_id == feed, MaxwellError::BankFeedIdChanged);
    require!(bank.deposit_shares == 0 && bank.borrow_shares == 0, MaxwellError::BankInUse);
    bank.accrue(Clock::get()?.unix_timestamp)?;
    bank.apply_params(&params);
    bank.feed_id = feed;
    bank.invariant()?;
    emit!(BankSetParamsLog { exchange: bank.exchange, bank: ctx.accounts.bank.key(), params });
    Ok(())
}
