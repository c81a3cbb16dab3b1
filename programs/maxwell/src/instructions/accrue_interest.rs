use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::InterestLog;
use crate::state::{CollateralBank, Exchange, IxGate};

#[derive(Accounts)]
pub struct AccrueInterest<'info> {
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub bank: AccountLoader<'info, CollateralBank>,
}

/// Keeper (anyone): brings the bank's interest indices up to now. Every balance change also
/// accrues first, and health values balances at indices accrued to the current second, so
/// this crank only keeps stored numbers (and metrics readers) current.
pub fn accrue_interest(ctx: Context<AccrueInterest>) -> Result<()> {
    ctx.accounts.exchange.load()?.require_enabled(IxGate::AccrueInterest)?;
    let mut bank = ctx.accounts.bank.load_mut()?;
    let a = bank.accrue(Clock::get()?.unix_timestamp)?;
    bank.invariant()?;
    emit!(InterestLog {
        bank: ctx.accounts.bank.key(),
        seconds: a.seconds,
        utilization_bps: a.utilization_bps,
        borrow_rate_bps: a.borrow_rate_bps,
        interest: a.interest,
        deposit_index: bank.deposit_index,
        borrow_index: bank.borrow_index,
    });
    Ok(())
}
