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
    let exchange_key = ctx.accounts.exchange.key();
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let f = fill(&exchange_key, &ex, &a.underlying, &a.maker, &a.taker, &a.quote_bank, ctx.remaining_accounts, &legs, now)?;
    verdict(&ex, &*a.underlying.load()?, &f, now)?;

    // Cache, invariants, event.
    let clock = Clock::get()?;
    let mut m = a.maker.load_mut()?;
    let mut t = a.taker.load_mut()?;
    cache_health(&mut m, &f.post_maker, &clock);
    cache_health(&mut t, &f.post_taker, &clock);
    m.invariant()?;
    t.invariant()?;
    for leg in &legs {
        emit!(TradeLog {
            exchange: exchange_key,
            underlying: a.underlying.key(),
            maker: a.maker.key(),
            taker: a.taker.key(),
            series_index: leg.series_index,
            size: leg.size,
            price: leg.price,
            maker_init_health: f.post_maker.init,
            taker_init_health: f.post_taker.init,
        });
    }
    Ok(())
}

/// Both accounts' health before and after a fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeFill {
    pub pre_maker: Health,
    pub pre_taker: Health,
    pub post_maker: Health,
    pub post_taker: Health,
}

/// The trade's work on loaded accounts, everything but the signers and the margin verdict:
/// the legs' checks, both accounts' health before, the price bounds, the apply (positions,
/// open interest and its cap, premiums through the quote bank and its borrow cap), the price
/// band and both accounts' health after. The instruction and the client's what-if (WASM) run
/// it; the instruction then asks [`verdict`].
#[allow(clippy::too_many_arguments)]
pub fn fill<'info>(
    exchange_key: &Pubkey,
    ex: &Exchange,
    underlying: &AccountLoader<'info, Underlying>,
    maker: &AccountLoader<'info, MarginAccount>,
    taker: &AccountLoader<'info, MarginAccount>,
    quote_bank: &AccountLoader<'info, CollateralBank>,
    health_accounts: &'info [AccountInfo<'info>],
    legs: &[TradeLeg],
    now: i64,
) -> Result<TradeFill> {
    require!(!legs.is_empty() && legs.len() <= MAX_LEGS, MaxwellError::TradeLegsOutOfRange);
    require_keys_neq!(maker.key(), taker.key(), MaxwellError::SelfTrade);
    require_keys_neq!(maker.load()?.owner, taker.load()?.owner, MaxwellError::SelfTrade);
    require!(quote_bank.load()?.is_quote == 1, MaxwellError::NotQuoteBank);
    let (u_index, premium) = {
        let u = underlying.load()?;
        let mut premium: i128 = 0;
        for leg in legs {
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
    let (pre_maker, pre_taker, spot) = {
        let cache = HealthCache::load(exchange_key, ex, health_accounts, now, Freshness::Strict)?;
        let spot = cache.spot(u_index)?;
        check_price_bounds(&*underlying.load()?, legs, spot)?;
        (cache.health(&*maker.load()?)?, cache.health(&*taker.load()?)?, spot)
    };

    // Apply: positions, open interest, premiums (quote balances and the quote bank's totals).
    {
        let mut u = underlying.load_mut()?;
        let mut m = maker.load_mut()?;
        let mut t = taker.load_mut()?;
        let mut q = quote_bank.load_mut()?;
        for leg in legs {
            let cost = leg
                .size
                .checked_mul(i64::try_from(leg.price).map_err(|_| MaxwellError::MathOverflow)?)
                .ok_or(MaxwellError::MathOverflow)?;
            let neg = |x: i64| x.checked_neg().ok_or(MaxwellError::MathOverflow);
            let g = u.series[usize::from(leg.series_index)].generation;
            let (tm0, tm1) = t.add_position(u_index, leg.series_index, g, leg.size, cost)?;
            let (mk0, mk1) = m.add_position(u_index, leg.series_index, g, neg(leg.size)?, neg(cost)?)?;
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
    // interest, borrow cap), then both accounts' health after.
    let band = BandParams { vol_bps: ex.params.trade_band_vol_bps, min_bps: ex.params.trade_band_min_bps };
    check_price_band(&*underlying.load()?, legs, spot, &band)?;
    let cache = HealthCache::load(exchange_key, ex, health_accounts, now, Freshness::Strict)?;
    let post_maker = cache.health(&*maker.load()?)?;
    let post_taker = cache.health(&*taker.load()?)?;
    Ok(TradeFill { pre_maker, pre_taker, post_maker, post_taker })
}

/// The margin verdict on a fill: each account ends at or above initial margin, or the trade
/// reduces its risk ([`require_margin`]); while the underlying's volatility breaker holds, only
/// trades that reduce both sides' requirements go through (closing out, hedging down).
pub fn verdict(ex: &Exchange, underlying: &Underlying, f: &TradeFill, now: i64) -> Result<()> {
    require_margin(&f.pre_maker, &f.post_maker)?;
    require_margin(&f.pre_taker, &f.post_taker)?;
    if vol_breaker_active(&underlying.vol_guard.breaker(), now, ex.gov.timelock_secs) {
        let reduces = |pre: &Health, post: &Health| post.initial_req <= pre.initial_req;
        require!(reduces(&f.pre_maker, &f.post_maker) && reduces(&f.pre_taker, &f.post_taker), MaxwellError::VolBreakerTripped);
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
