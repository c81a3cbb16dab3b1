use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::SettleLog;
use crate::health::{cache_health, compute_health};
use crate::oracle::Freshness;
use crate::state::{CollateralBank, Exchange, IxGate, MarginAccount, Underlying};

#[derive(Accounts)]
pub struct AccountSettle<'info> {
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub account: AccountLoader<'info, MarginAccount>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub underlying: AccountLoader<'info, Underlying>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub quote_bank: AccountLoader<'info, CollateralBank>,
}

/// Keeper (anyone): cash-settles the account's positions in every settled expiry of this
/// underlying into quote: a long receives `size x intrinsic`, a short pays it. A position left
/// in a retired expiry (another generation than its series slot) is removed with payoff 0. Remaining
/// accounts: the account's health accounts after settlement (its health is recomputed).
///
/// Conservation while accounts settle one by one: `Σ expiries settled_net` is what longs were
/// credited minus what shorts paid so far; it returns to 0 once every holder is settled.
pub fn account_settle<'info>(ctx: Context<'info, AccountSettle<'info>>) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::Settle)?;
    require!(ctx.accounts.quote_bank.load()?.is_quote == 1, MaxwellError::NotQuoteBank);
    let now = Clock::get()?.unix_timestamp;
    let account_key = ctx.accounts.account.key();
    let underlying_key = ctx.accounts.underlying.key();
    {
        let mut u = ctx.accounts.underlying.load_mut()?;
        let mut acc = ctx.accounts.account.load_mut()?;
        let mut q = ctx.accounts.quote_bank.load_mut()?;
        let mut total: i64 = 0;
        for i in 0..acc.positions.len() {
            let p = acc.positions[i];
            if p.in_use == 0 || p.underlying_index != u.underlying_index {
                continue;
            }
            let s = u.series[usize::from(p.series_index)];
            if s.generation != p.generation {
                // A retired expiry's leftover: worth exactly zero (`expiry_retire`), removed.
                acc.positions[i] = Default::default();
                emit!(SettleLog {
                    account: account_key,
                    underlying: underlying_key,
                    series_index: p.series_index,
                    size: p.size,
                    settlement_price: 0,
                    payoff: 0
                });
                continue;
            }
            let e = usize::from(s.expiry_index);
            if u.expiries[e].settled == 0 {
                continue;
            }
            let price = u.expiries[e].settlement_price;
            let intrinsic = if s.kind == 0 { price.saturating_sub(s.strike) } else { s.strike.saturating_sub(price) };
            let payoff = i64::try_from(i128::from(p.size) * i128::from(intrinsic)).map_err(|_| MaxwellError::MathOverflow)?;
            u.expiries[e].settled_net = u.expiries[e].settled_net.checked_add(payoff).ok_or(MaxwellError::MathOverflow)?;
            if p.size > 0 {
                let si = &mut u.series[usize::from(p.series_index)];
                si.open_interest = si.open_interest.saturating_sub(p.size as u64);
            }
            total = total.checked_add(payoff).ok_or(MaxwellError::MathOverflow)?;
            acc.positions[i] = Default::default();
            emit!(SettleLog {
                account: account_key,
                underlying: underlying_key,
                series_index: p.series_index,
                size: p.size,
                settlement_price: price,
                payoff,
            });
        }
        acc.move_balance(&mut q, total, now)?;
        q.invariant()?;
        u.invariant()?;
    }
    let clock = Clock::get()?;
    let mut acc = ctx.accounts.account.load_mut()?;
    let h = compute_health(&ctx.accounts.exchange.key(), &ex, &acc, ctx.remaining_accounts, clock.unix_timestamp, Freshness::Lenient)?;
    cache_health(&mut acc, &h, &clock);
    acc.invariant()
}
