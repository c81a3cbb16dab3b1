use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::SettlementPriceLog;
use crate::health::spot_per_contract;
use crate::oracle::{read_price, Freshness};
use crate::state::{Exchange, IxGate, Underlying};

#[derive(Accounts)]
pub struct ExpirySettlePrice<'info> {
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange, has_one = oracle @ MaxwellError::WrongOracle)]
    pub underlying: AccountLoader<'info, Underlying>,
    /// CHECK: the underlying's Pyth spot oracle, validated by `oracle::read_price`.
    pub oracle: UncheckedAccount<'info>,
}

/// Keeper: sets the settlement price of an expiry, once, from a live and tight oracle price
/// published at or after the expiry.
pub fn expiry_settle_price(ctx: Context<ExpirySettlePrice>, expiry_index: u8) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::Settle)?;
    let now = Clock::get()?.unix_timestamp;
    let mut u = ctx.accounts.underlying.load_mut()?;
    require!(expiry_index < u.n_expiries, MaxwellError::ExpiryIndexOutOfRange);
    let expiry = u.expiries[usize::from(expiry_index)];
    require!(now >= expiry.expiry, MaxwellError::NotExpired);
    require!(expiry.settled == 0, MaxwellError::SettlementPriceAlreadySet);
    let p = read_price(&ctx.accounts.oracle, &u.oracle_spec(), now, Freshness::Strict)?;
    require!(p.publish_time >= expiry.expiry, MaxwellError::SettlementPriceBeforeExpiry);
    let settlement_price = spot_per_contract(p.price as u64, p.expo, ex.quote_decimals)?;
    let e = &mut u.expiries[usize::from(expiry_index)];
    e.settlement_price = settlement_price;
    e.settled = 1;
    u.invariant()?;
    emit!(SettlementPriceLog {
        exchange: ctx.accounts.exchange.key(),
        underlying: ctx.accounts.underlying.key(),
        expiry_index,
        expiry: expiry.expiry,
        settlement_price,
        publish_time: p.publish_time,
    });
    Ok(())
}
