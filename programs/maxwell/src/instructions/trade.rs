use anchor_lang::prelude::*;
use maxwell_engine::governance::vol_breaker_active;
use maxwell_engine::plans::trade_band::{self, BandParams};

use crate::error::MaxwellError;
use crate::events::TradeLog;
use crate::health::{cache_health, Health, HealthCache};
use crate::oracle::Freshness;
use crate::state::{CollateralBank, Exchange, IxGate, MarginAccount, Underlying};

pub const MAX_LEGS: usize = 4;

/// One leg, from the taker's side: `size > 0` = the taker buys `size` contracts.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeLeg {
    pub series_index: u16,
    pub size: i64,
    /// Premium per contract, quote native units.
    pub price: u64,
}

#[derive(Accounts)]
pub struct Trade<'info> {
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub maker: AccountLoader<'info, MarginAccount>,
    /// The maker's owner or trading delegate (signs first, as in an RFQ).
    pub maker_signer: Signer<'info>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub taker: AccountLoader<'info, MarginAccount>,
    /// The taker's owner or trading delegate.
    pub taker_signer: Signer<'info>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub underlying: AccountLoader<'info, Underlying>,
    /// The quote bank: premiums move between the two accounts' quote balances.
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub quote_bank: AccountLoader<'info, CollateralBank>,
}

/// A bilateral fill of 1 to 4 series of one underlying. Remaining accounts: the health
/// accounts covering both accounts after the trade. Each account must end with initial
/// health >= 0, unless the trade strictly lowers its requirement without lowering its
/// initial health (a risk-reducing trade stays allowed below initial margin).
pub fn trade<'info>(ctx: Context<'info, Trade<'info>>, legs: Vec<TradeLeg>) -> Result<()> {
    // Load and validate.
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::Trade)?;
    require!(!legs.is_empty() && legs.len() <= MAX_LEGS, MaxwellError::TradeLegsOutOfRange);
    require_keys_neq!(ctx.accounts.maker.key(), ctx.accounts.taker.key(), MaxwellError::SelfTrade);
    {
        let m = ctx.accounts.maker.load()?;
        let t = ctx.accounts.taker.load()?;
        require_keys_neq!(m.owner, t.owner, MaxwellError::SelfTrade);
        require!(m.is_owner_or_delegate(ctx.accounts.maker_signer.key), MaxwellError::NotOwnerOrDelegate);
        require!(t.is_owner_or_delegate(ctx.accounts.taker_signer.key), MaxwellError::NotOwnerOrDelegate);
    }
    require!(ctx.accounts.quote_bank.load()?.is_quote == 1, MaxwellError::NotQuoteBank);
    let now = Clock::get()?.unix_timestamp;
    let (u_index, premium) = {
        let u = ctx.accounts.underlying.load()?;
        let mut premium: i128 = 0;
        for leg in &legs {
            require!(leg.size != 0, MaxwellError::ZeroSize);
            let s = u.series_checked(leg.series_index)?;
            require!(now < s.expiry, MaxwellError::SeriesExpired);
            // Four i64 x u64 products can exceed i128: checked, like the i64 total.
            let cost = i128::from(leg.size).checked_mul(i128::from(leg.price));
            premium = cost.and_then(|c| premium.checked_add(c)).ok_or(MaxwellError::MathOverflow)?;
        }
        (u.underlying_index, i64::try_from(premium).map_err(|_| MaxwellError::MathOverflow)?)
    };

    // Pre-trade health of both accounts (the risk-reducing exception compares against it).
    let exchange_key = ctx.accounts.exchange.key();
    let (pre_m, pre_t, spot) = {
        let cache = HealthCache::load(&exchange_key, &ex, ctx.remaining_accounts, now, Freshness::Strict)?;
        let spot = cache.spot(u_index)?;
        check_price_bounds(&*ctx.accounts.underlying.load()?, &legs, spot)?;
        (cache.health(&*ctx.accounts.maker.load()?)?, cache.health(&*ctx.accounts.taker.load()?)?, spot)
    };

    // Apply: positions, open interest, premiums (quote balances and the quote bank's totals).
    {
        let mut u = ctx.accounts.underlying.load_mut()?;
        let mut m = ctx.accounts.maker.load_mut()?;
        let mut t = ctx.accounts.taker.load_mut()?;
        let mut q = ctx.accounts.quote_bank.load_mut()?;
        for leg in &legs {
            let cost = leg
                .size
                .checked_mul(i64::try_from(leg.price).map_err(|_| MaxwellError::MathOverflow)?)
                .ok_or(MaxwellError::MathOverflow)?;
            let neg = |x: i64| x.checked_neg().ok_or(MaxwellError::MathOverflow);
            let (tm0, tm1) = t.add_position(u_index, leg.series_index, leg.size, cost)?;
            let (mk0, mk1) = m.add_position(u_index, leg.series_index, neg(leg.size)?, neg(cost)?)?;
            let long = |x: i64| x.max(0) as i128;
            let s = &mut u.series[usize::from(leg.series_index)];
            let oi = i128::from(s.open_interest) + long(tm1) - long(tm0) + long(mk1) - long(mk0);
            let oi = u64::try_from(oi).map_err(|_| MaxwellError::MathOverflow)?;
            require!(oi <= s.open_interest || oi <= s.oi_cap, MaxwellError::OpenInterestCapExceeded);
            s.open_interest = oi;
        }
        // A premium that takes a quote balance below zero is a borrow: the bank's cap applies.
        t.move_balance_borrowing(&mut q, premium.checked_neg().ok_or(MaxwellError::MathOverflow)?, now)?;
        m.move_balance_borrowing(&mut q, premium, now)?;
        q.invariant()?;
        u.invariant()?;
    }

    // Prices within the band around the marks (after the apply's own refusals: sizes, open
    // interest, borrow cap), then the margin check at the choke point, cache, invariants, event.
    let band = BandParams { vol_bps: ex.params.trade_band_vol_bps, min_bps: ex.params.trade_band_min_bps };
    check_price_band(&*ctx.accounts.underlying.load()?, &legs, spot, &band)?;

    let clock = Clock::get()?;
    let cache = HealthCache::load(&exchange_key, &ex, ctx.remaining_accounts, now, Freshness::Strict)?;
    let mut m = ctx.accounts.maker.load_mut()?;
    let mut t = ctx.accounts.taker.load_mut()?;
    let post_m = cache.health(&m)?;
    let post_t = cache.health(&t)?;
    require_margin(&pre_m, &post_m)?;
    require_margin(&pre_t, &post_t)?;
    // While the underlying's volatility breaker holds, only trades that reduce both sides'
    // requirements go through (closing out, hedging down).
    let guard = ctx.accounts.underlying.load()?.vol_guard.breaker();
    if vol_breaker_active(&guard, now, ex.gov.timelock_secs) {
        let reduces = |pre: &Health, post: &Health| post.initial_req <= pre.initial_req;
        require!(reduces(&pre_m, &post_m) && reduces(&pre_t, &post_t), MaxwellError::VolBreakerTripped);
    }
    cache_health(&mut m, &post_m, &clock);
    cache_health(&mut t, &post_t, &clock);
    m.invariant()?;
    t.invariant()?;
    for leg in &legs {
        emit!(TradeLog {
            exchange: exchange_key,
            underlying: ctx.accounts.underlying.key(),
            maker: ctx.accounts.maker.key(),
            taker: ctx.accounts.taker.key(),
            series_index: leg.series_index,
            size: leg.size,
            price: leg.price,
            maker_init_health: post_m.init,
            taker_init_health: post_t.init,
        });
    }
    Ok(())
}

/// No-arbitrage bounds: 0 < call price < spot, 0 < put price < strike.
fn check_price_bounds(u: &Underlying, legs: &[TradeLeg], spot: u64) -> Result<()> {
    for leg in legs {
        let s = &u.series[usize::from(leg.series_index)];
        let cap = if s.kind == 0 { spot } else { s.strike };
        require!(leg.price > 0 && leg.price < cap, MaxwellError::PriceOutOfBounds);
    }
    Ok(())
}

/// The band around each series' mark (`maxwell_engine::plans::trade_band`): no signer moves
/// value between accounts through the price.
fn check_price_band(u: &Underlying, legs: &[TradeLeg], spot: u64, band: &BandParams) -> Result<()> {
    for leg in legs {
        let r = &u.risk[usize::from(leg.series_index)];
        trade_band::check_price(leg.price, r.mark, r.vega_quote, spot, band).map_err(MaxwellError::from)?;
    }
    Ok(())
}

/// Initial health must hold after the trade, unless the trade strictly lowers the
/// requirement and does not lower initial health.
pub fn require_margin(pre: &Health, post: &Health) -> Result<()> {
    let reduces = post.initial_req < pre.initial_req && post.init >= pre.init;
    require!(post.init >= 0 || reduces, MaxwellError::InitialMarginViolated);
    Ok(())
}
