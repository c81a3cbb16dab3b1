use anchor_lang::prelude::*;

use crate::constants::SETTLE_WINDOW_SECS;
use crate::error::MaxwellError;
use crate::events::SettlementPriceLog;
use crate::health::spot_per_contract;
use crate::oracle::{read_price, Freshness};
use crate::state::{Exchange, IxGate, Underlying};

#[derive(Accounts)]
pub struct ExpirySettlePrice<'info> {
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub underlying: AccountLoader<'info, Underlying>,
    /// CHECK: any fully verified Pyth `PriceUpdateV2` account of the underlying's feed (the
    /// underlying's own oracle account or one a keeper posted the historical update into);
    /// validated by `oracle::read_price` (owner, layout, verification, feed id, confidence).
    pub price_update: UncheckedAccount<'info>,
}

/// Keeper (anyone): sets the settlement price of an expiry, once, from a Pyth price published
/// within `[expiry, expiry + SETTLE_WINDOW_SECS]`. The price account need not be the
/// underlying's live oracle: once that account has moved past the window, a keeper posts the
/// in-window historical update (Hermes serves it by publish time) into an account of its own.
/// The caller's whole choice is which price of that minute to use (documented in
/// `SETTLE_WINDOW_SECS`); if no price of the feed was published in the window, the settlement
/// price comes through the governance queue (`Change::SettlementPrice`, after the window).
pub fn expiry_settle_price(ctx: Context<ExpirySettlePrice>, expiry_index: u8) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::Settle)?;
    let now = Clock::get()?.unix_timestamp;
    let mut u = ctx.accounts.underlying.load_mut()?;
    let expiry = *u.expiry_checked(expiry_index)?;
    require!(now >= expiry.expiry, MaxwellError::NotExpired);
    require!(expiry.settled == 0, MaxwellError::SettlementPriceAlreadySet);
    // The age rule is the window, not the clock: a historical price of the window is the right
    // one however late it is posted. Confidence is still the underlying's bound.
    let p = read_price(&ctx.accounts.price_update, &u.oracle_spec(), now, Freshness::Lenient)?;
    require!(p.publish_time >= expiry.expiry, MaxwellError::SettlementPriceBeforeExpiry);
    let window_end = expiry.expiry.checked_add(SETTLE_WINDOW_SECS).ok_or(MaxwellError::MathOverflow)?;
    require!(p.publish_time <= window_end, MaxwellError::SettlementPriceAfterWindow);
    require!(p.tight, MaxwellError::OracleConfidenceTooWide);
    let settlement_price = spot_per_contract(p.price as u64, p.expo, ex.quote_decimals)?;
    require!(settlement_price > 0, MaxwellError::OracleNonPositivePrice);
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
        source: ctx.accounts.price_update.key(),
    });
    Ok(())
}
