//! What-if for traders, from the program's own code: the instruction's functions run over
//! account bytes the client fetched, so an answer is what the program would do with the same
//! accounts and clock.
//!
//! - `mx_health_detail(input, len, out)`: `input` as `mx_health`. `out` (DETAIL_LEN) = health
//!   (6 x i64: init, maint, initial_req, maintenance_req, option_value, oracles_fresh 0/1) |
//!   collateral_init, collateral_maint, initial_before_reputation, reputation_discount,
//!   addon_drift (i64) | n: u64 | MAX_UNDERLYINGS x row (18 x i64: underlying_index, drift_bps,
//!   addon_drift, worst_loss, addon_short_min, addon_delta, addon_vega, addon_confidence,
//!   option_value, delta_quote, delta_e9, gamma_quote, vega_quote, theta_quote,
//!   worst_scenario, addon_expiry, addon_gap, addon_skew); rows past n are zero. `HealthCache::health_detail`.
//! - `mx_scenario_table(input, len, out)`: `input` as `mx_health`. `out` (TABLE_LEN) = n: u64 |
//!   MAX_UNDERLYINGS x (underlying_index: u64 | N_SCEN x loss: i64), quote native, a gain
//!   negative (`HealthCache::scenario_table`: the grid the margin check takes its worst from).
//! - `mx_trade_whatif(input, len, out)`: `input` = exchange key (32) | now: i64 | n_legs: u8 |
//!   n_legs x (series_index: u16 | size: i64 (taker side, + = taker buys) | price: u64) |
//!   underlying key (32) | quote bank key (32) | n: u32 | n accounts (as `mx_health`: the
//!   exchange, the maker, the taker, then the health accounts covering both after the trade).
//!   `out` (TRADE_LEN) = code: u32 (0 = the program would accept the trade; otherwise the error
//!   it would return) | filled: u32 (1 = the fill itself went through, so the healths below are
//!   set; 0 = refused before, healths zero) | pre maker | pre taker | post maker | post taker
//!   (health, 6 x i64 each). Runs `trade::fill` then `trade::verdict`; the signers are not
//!   checked (the client signs).
//! - `mx_max_size(input, len, out)`: `input` as `mx_trade_whatif` with `side: u8` (0 = taker,
//!   1 = maker) right after `now`; the legs' sizes are the ratio of one unit. `out` (MAX_LEN) =
//!   k: u64 (the largest multiple of the unit that the program accepts as far as `side` is
//!   concerned: the fill goes through and `side` ends at or above initial margin or reduced its
//!   risk, `trade::require_margin`; the other side's margin is not asked) | code: u32 (what k + 1
//!   units get) | pad: u32 | side's health after k units (6 x i64; zero when k = 0). Doubling
//!   then bisection up to 2^40 units: k passes and k + 1 fails by construction.
//! - `mx_liquidation_spot(input, len, out)`: `input` = exchange key (32) | now: i64 |
//!   underlying key (32) | n: u32 | n accounts (as `mx_health`). `out` (LIQ_LEN) = 4 x u64/i64:
//!   spot now (quote native per contract) | maintenance health at the spot now | the highest spot
//!   below at which maintenance health is negative (0 = none down to 1% of the spot) | the lowest
//!   spot above (0 = none up to 10x). Holding volatility: the surface stays (sticky moneyness, the
//!   smile moves with the forward), the clock stays, every oracle of the underlying's feed moves
//!   (so spot collateral moves with it, its confidence in proportion), and the held series' risk
//!   arrays are rebuilt at each spot by the crank's own `risk_refresh::refresh_arrays`. Scan in
//!   5% steps, then bisection to 1 bp of the spot: a liquidation window narrower than a step can
//!   be missed (documented, not hidden).

use anchor_lang::prelude::*;
use maxwell::constants::PYTH_RECEIVER_PROGRAM_ID;
use maxwell::health::{spot_per_contract, Health, HealthCache};
use maxwell::instructions::risk_refresh::refresh_arrays;
use maxwell::instructions::trade::{fill, require_margin, verdict, TradeFill, TradeLeg, MAX_LEGS};
use maxwell::oracle::{Freshness, MESSAGE_OFFSET_FULL};
use maxwell::state::{CollateralBank, Exchange, MarginAccount, Underlying};
use maxwell_risk::margin::MAX_UNDERLYINGS;
use maxwell_risk::scenario::N_SCEN;

use crate::{call, code, load, Input, Raw};

type R<T> = core::result::Result<T, u32>;

pub const HEALTH_WORDS: usize = 6;
pub const DETAIL_ROW: usize = 18;
pub const DETAIL_LEN: usize = 8 * (HEALTH_WORDS + 5 + 1 + MAX_UNDERLYINGS * DETAIL_ROW);
pub const TABLE_LEN: usize = 8 * (1 + MAX_UNDERLYINGS * (1 + N_SCEN));
pub const TRADE_LEN: usize = 8 + 4 * 8 * HEALTH_WORDS;
pub const MAX_LEN: usize = 16 + 8 * HEALTH_WORDS;
pub const LIQ_LEN: usize = 32;
/// Upper bound of `mx_max_size`'s search, units.
pub const MAX_SIZE_UNITS: u64 = 1 << 40;

impl Input<'_> {
    fn key(&mut self) -> R<Pubkey> {
        Ok(Pubkey::new_from_array(self.take()?))
    }
    fn u16(&mut self) -> R<u16> {
        Ok(u16::from_le_bytes(self.take()?))
    }
    /// `n: u32 | n x (key | owner | data_len: u32 | data)`, and nothing after.
    fn accounts(mut self) -> R<Vec<Raw>> {
        let n = u32::from_le_bytes(self.take()?) as usize;
        let mut out = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            let (key, owner) = (self.key()?, self.key()?);
            let len = u32::from_le_bytes(self.take()?) as usize;
            if self.0.len() < len {
                return Err(1);
            }
            let (data, rest) = self.0.split_at(len);
            self.0 = rest;
            out.push(Raw { key, owner, lamports: 0, data: data.to_vec() });
        }
        self.end()?;
        Ok(out)
    }
}

/// Runs `f` over `AccountInfo`s of `raws`, their data in 8-aligned buffers (zero-copy loads
/// need the alignment the runtime gives). Writable, so the instruction's functions can apply.
fn with_infos<T>(raws: &mut [Raw], f: impl for<'a> FnOnce(&'a [AccountInfo<'a>]) -> T) -> T {
    let mut aligned: Vec<Vec<u64>> = raws.iter().map(|r| vec![0u64; r.data.len().div_ceil(8)]).collect();
    for (a, r) in aligned.iter_mut().zip(raws.iter()) {
        bytemuck::cast_slice_mut::<u64, u8>(a)[..r.data.len()].copy_from_slice(&r.data);
    }
    let lens: Vec<usize> = raws.iter().map(|r| r.data.len()).collect();
    let mut infos: Vec<AccountInfo> = Vec::with_capacity(raws.len());
    for ((r, a), len) in raws.iter_mut().zip(aligned.iter_mut()).zip(lens) {
        let data: &mut [u8] = &mut bytemuck::cast_slice_mut::<u64, u8>(a)[..len];
        infos.push(AccountInfo::new(&r.key, false, true, &mut r.lamports, data, &r.owner, false));
    }
    f(&infos)
}

fn find<'a>(infos: &'a [AccountInfo<'a>], key: &Pubkey) -> R<&'a AccountInfo<'a>> {
    infos.iter().find(|i| i.key == key).ok_or(1)
}

fn health_words(h: &Health) -> [i64; HEALTH_WORDS] {
    [h.init, h.maint, h.initial_req, h.maintenance_req, h.option_value, i64::from(h.oracles_fresh)]
}

fn push(out: &mut Vec<u8>, words: &[i64]) {
    out.extend(words.iter().flat_map(|w| w.to_le_bytes()));
}

/// The standard health input: exchange key | now | strict | accounts (exchange, account, health...).
fn health_input(input: &[u8]) -> R<(Pubkey, i64, Freshness, Vec<Raw>)> {
    let mut i = Input(input);
    let (exchange, now) = (i.key()?, i.i64()?);
    let mode = match i.u8()? {
        1 => Freshness::Strict,
        0 => Freshness::Lenient,
        _ => return Err(1),
    };
    let raws = i.accounts()?;
    if raws.len() < 2 {
        return Err(1);
    }
    Ok((exchange, now, mode, raws))
}

pub fn health_detail_bytes(input: &[u8]) -> R<Vec<u8>> {
    let (exchange_key, now, mode, mut raws) = health_input(input)?;
    let exchange: Exchange = load(&raws[0])?;
    let account: MarginAccount = load(&raws[1])?;
    let d = with_infos(&mut raws[2..], |infos| {
        HealthCache::load(&exchange_key, &exchange, infos, now, mode).and_then(|c| c.health_detail(&account)).map_err(code)
    })?;
    let mut out = Vec::with_capacity(DETAIL_LEN);
    push(&mut out, &health_words(&d.health));
    push(&mut out, &[d.collateral_init, d.collateral_maint, d.initial_before_reputation, d.reputation_discount, d.addon_drift]);
    push(&mut out, &[d.underlyings.len() as i64]);
    for u in &d.underlyings {
        let s = &u.summary;
        push(
            &mut out,
            &[
                i64::from(u.underlying_index),
                u.drift_bps as i64,
                u.addon_drift,
                s.worst_loss,
                s.addon_short_min,
                s.addon_delta,
                s.addon_vega,
                s.addon_confidence,
                s.option_value,
                s.delta_quote,
                s.delta_e9,
                s.gamma_quote,
                s.vega_quote,
                s.theta_quote,
                i64::from(s.worst_scenario),
                s.addon_expiry,
                s.addon_gap,
                s.addon_skew,
            ],
        );
    }
    out.resize(DETAIL_LEN, 0);
    Ok(out)
}

pub fn scenario_table_bytes(input: &[u8]) -> R<Vec<u8>> {
    let (exchange_key, now, mode, mut raws) = health_input(input)?;
    let exchange: Exchange = load(&raws[0])?;
    let account: MarginAccount = load(&raws[1])?;
    let rows = with_infos(&mut raws[2..], |infos| {
        HealthCache::load(&exchange_key, &exchange, infos, now, mode).and_then(|c| c.scenario_table(&account)).map_err(code)
    })?;
    let mut out = Vec::with_capacity(TABLE_LEN);
    push(&mut out, &[rows.len() as i64]);
    for r in &rows {
        push(&mut out, &[i64::from(r.underlying_index)]);
        push(&mut out, &r.loss);
    }
    out.resize(TABLE_LEN, 0);
    Ok(out)
}

/// A parsed trade what-if.
struct TradeInput {
    exchange_key: Pubkey,
    now: i64,
    side: u8,
    legs: Vec<TradeLeg>,
    underlying: Pubkey,
    quote_bank: Pubkey,
    raws: Vec<Raw>,
}

fn trade_input(input: &[u8], with_side: bool) -> R<TradeInput> {
    let mut i = Input(input);
    let (exchange_key, now) = (i.key()?, i.i64()?);
    let side = if with_side { i.u8()? } else { 0 };
    if side > 1 {
        return Err(1);
    }
    let n_legs = usize::from(i.u8()?);
    if n_legs > MAX_LEGS {
        return Err(1);
    }
    let mut legs = Vec::with_capacity(n_legs);
    for _ in 0..n_legs {
        legs.push(TradeLeg { series_index: i.u16()?, size: i.i64()?, price: i.u64()? });
    }
    let (underlying, quote_bank) = (i.key()?, i.key()?);
    let raws = i.accounts()?;
    if raws.len() < 3 {
        return Err(1);
    }
    Ok(TradeInput { exchange_key, now, side, legs, underlying, quote_bank, raws })
}

/// The program's answer to `legs` on fresh copies of the accounts: the fill (or its refusal
/// code) and the verdict on it.
fn eval_trade(t: &TradeInput, legs: &[TradeLeg]) -> R<(core::result::Result<TradeFill, u32>, u32)> {
    let exchange: Exchange = load(&t.raws[0])?;
    let mut raws = t.raws.clone();
    with_infos(&mut raws, |infos| {
        let maker = AccountLoader::<MarginAccount>::try_from(&infos[1]).map_err(code)?;
        let taker = AccountLoader::<MarginAccount>::try_from(&infos[2]).map_err(code)?;
        let health = &infos[3..];
        let underlying = AccountLoader::<Underlying>::try_from(find(health, &t.underlying)?).map_err(code)?;
        let quote = AccountLoader::<CollateralBank>::try_from(find(health, &t.quote_bank)?).map_err(code)?;
        match fill(&t.exchange_key, &exchange, &underlying, &maker, &taker, &quote, health, legs, t.now) {
            Err(e) => Ok((Err(code(e)), 0)),
            Ok(f) => {
                let u = underlying.load().map_err(code)?;
                let v = verdict(&exchange, &u, &f, t.now).err().map(code).unwrap_or(0);
                Ok((Ok(f), v))
            }
        }
    })
}

pub fn trade_whatif_bytes(input: &[u8]) -> R<Vec<u8>> {
    let t = trade_input(input, false)?;
    let (f, v) = eval_trade(&t, &t.legs)?;
    let mut out = Vec::with_capacity(TRADE_LEN);
    match f {
        Err(c) => {
            out.extend(c.to_le_bytes());
            out.extend(0u32.to_le_bytes());
        }
        Ok(f) => {
            out.extend(v.to_le_bytes());
            out.extend(1u32.to_le_bytes());
            for h in [&f.pre_maker, &f.pre_taker, &f.post_maker, &f.post_taker] {
                push(&mut out, &health_words(h));
            }
        }
    }
    out.resize(TRADE_LEN, 0);
    Ok(out)
}

/// `k` units for `side`: `Ok(health after)` when accepted as far as `side` is concerned,
/// otherwise the code the program would return.
fn eval_units(t: &TradeInput, k: u64) -> R<core::result::Result<Health, u32>> {
    let k = i64::try_from(k).map_err(|_| 1u32)?;
    let mut legs = t.legs.clone();
    for l in &mut legs {
        l.size = l.size.checked_mul(k).ok_or(1u32)?;
    }
    let (f, _) = eval_trade(t, &legs)?;
    Ok(f.and_then(|f| {
        let (pre, post) = if t.side == 0 { (f.pre_taker, f.post_taker) } else { (f.pre_maker, f.post_maker) };
        require_margin(&pre, &post).map(|_| post).map_err(code)
    }))
}

pub fn max_size_bytes(input: &[u8]) -> R<Vec<u8>> {
    let t = trade_input(input, true)?;
    if t.legs.is_empty() {
        return Err(1);
    }
    // Doubling: the first failing power of two (or the bound), then bisection on (lo, hi).
    let (mut lo, mut lo_health) = (0u64, None::<Health>);
    let mut hi = 1u64;
    let mut hi_code = loop {
        match eval_units(&t, hi)? {
            Ok(h) if hi < MAX_SIZE_UNITS => {
                (lo, lo_health) = (hi, Some(h));
                hi *= 2;
            }
            Ok(h) => {
                // Still passing at the bound: report the bound.
                (lo, lo_health) = (hi, Some(h));
                break 0;
            }
            Err(c) => break c,
        }
    };
    if lo < MAX_SIZE_UNITS {
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            match eval_units(&t, mid)? {
                Ok(h) => (lo, lo_health) = (mid, Some(h)),
                Err(c) => (hi, hi_code) = (mid, c),
            }
        }
    }
    let mut out = Vec::with_capacity(MAX_LEN);
    out.extend(lo.to_le_bytes());
    out.extend(hi_code.to_le_bytes());
    out.extend(0u32.to_le_bytes());
    push(&mut out, &lo_health.map(|h| health_words(&h)).unwrap_or_default());
    Ok(out)
}

/// A parsed liquidation-spot question.
struct LiqInput {
    exchange_key: Pubkey,
    now: i64,
    underlying: Pubkey,
    raws: Vec<Raw>,
}

fn price_at(d: &[u8], off: usize) -> i64 {
    i64::from_le_bytes(d[off..off + 8].try_into().unwrap())
}

/// Maintenance health and spot (quote native per contract) with every oracle of the
/// underlying's feed at `mantissa`, the held series' arrays rebuilt there.
fn eval_spot(l: &LiqInput, mantissa: i64) -> R<(i64, u64)> {
    let exchange: Exchange = load(&l.raws[0])?;
    let account: MarginAccount = load(&l.raws[1])?;
    let mut raws = l.raws.clone();
    let feed = load::<Underlying>(u_raw_of(&raws, &l.underlying)?)?.feed_id;
    let m = MESSAGE_OFFSET_FULL;
    let mut expo = None;
    for r in raws.iter_mut().skip(2) {
        if r.owner != PYTH_RECEIVER_PROGRAM_ID || r.data.len() < m + 52 || r.data[m..m + 32] != feed {
            continue;
        }
        let old = price_at(&r.data, m + 32);
        let conf = u64::from_le_bytes(r.data[m + 40..m + 48].try_into().unwrap());
        let new_conf = if old > 0 { (u128::from(conf) * mantissa as u128 / old as u128) as u64 } else { conf };
        r.data[m + 32..m + 40].copy_from_slice(&mantissa.to_le_bytes());
        r.data[m + 40..m + 48].copy_from_slice(&new_conf.to_le_bytes());
        expo = Some((i32::from_le_bytes(r.data[m + 48..m + 52].try_into().unwrap()), new_conf));
    }
    let (expo, conf) = expo.ok_or(1u32)?;
    let spot = spot_per_contract(mantissa as u64, expo, exchange.quote_decimals).map_err(code)?;
    let conf = spot_per_contract(conf, expo, exchange.quote_decimals).map_err(code)?;
    let u_index = load::<Underlying>(u_raw_of(&raws, &l.underlying)?)?.underlying_index;
    let held: Vec<u16> =
        account.positions.iter().filter(|p| p.in_use == 1 && p.underlying_index == u_index).map(|p| p.series_index).collect();
    let maint = with_infos(&mut raws[2..], |infos| -> R<i64> {
        {
            let loader = AccountLoader::<Underlying>::try_from(find(infos, &l.underlying)?).map_err(code)?;
            let mut u = loader.load_mut().map_err(code)?;
            for &s in &held {
                refresh_arrays(&mut u, &exchange, spot, conf, l.now, s, 1).map_err(code)?;
            }
        }
        let cache = HealthCache::load(&l.exchange_key, &exchange, infos, l.now, Freshness::Strict).map_err(code)?;
        Ok(cache.health(&account).map_err(code)?.maint)
    })?;
    Ok((maint, spot))
}

fn u_raw_of<'r>(raws: &'r [Raw], key: &Pubkey) -> R<&'r Raw> {
    raws.iter().skip(2).find(|r| r.key == *key).ok_or(1)
}

/// Bisection between a mantissa with non-negative maintenance health (`ok`) and one below zero
/// (`bad`), to 1 bp of `ok`: the spot of the unhealthy end.
fn bisect(l: &LiqInput, mut ok: i64, mut bad: i64) -> R<u64> {
    while ok.abs_diff(bad) > (ok as u64 / 10_000).max(1) {
        let mid = ok + (bad - ok) / 2;
        if eval_spot(l, mid)?.0 < 0 {
            bad = mid;
        } else {
            ok = mid;
        }
    }
    Ok(eval_spot(l, bad)?.1)
}

pub fn liquidation_spot_bytes(input: &[u8]) -> R<Vec<u8>> {
    let mut i = Input(input);
    let (exchange_key, now, underlying) = (i.key()?, i.i64()?, i.key()?);
    let raws = i.accounts()?;
    if raws.len() < 2 {
        return Err(1);
    }
    let l = LiqInput { exchange_key, now, underlying, raws };
    let u = load::<Underlying>(u_raw_of(&l.raws, &l.underlying)?)?;
    let oracle = l.raws.iter().skip(2).find(|r| r.key == u.oracle).ok_or(1u32)?;
    if oracle.data.len() < MESSAGE_OFFSET_FULL + 40 {
        return Err(1);
    }
    let p0 = price_at(&oracle.data, MESSAGE_OFFSET_FULL + 32);
    let (maint0, spot0) = eval_spot(&l, p0)?;
    let (mut down, mut up) = (0u64, 0u64);
    if maint0 < 0 {
        (down, up) = (spot0, spot0);
    } else {
        // Down in 5% steps to 1% of the spot, up in 5% steps to 10x.
        let mut prev = p0;
        let mut p = p0 - p0 / 20;
        while p >= p0 / 100 && p > 0 {
            if eval_spot(&l, p)?.0 < 0 {
                down = bisect(&l, prev, p)?;
                break;
            }
            prev = p;
            p -= p / 20;
        }
        prev = p0;
        let mut p = p0.checked_add(p0 / 20).ok_or(1u32)?;
        while p <= p0.saturating_mul(10) {
            if eval_spot(&l, p)?.0 < 0 {
                up = bisect(&l, prev, p)?;
                break;
            }
            prev = p;
            p = p.checked_add(p / 20).ok_or(1u32)?;
        }
    }
    let mut out = Vec::with_capacity(LIQ_LEN);
    push(&mut out, &[spot0 as i64, maint0, down as i64, up as i64]);
    Ok(out)
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (DETAIL_LEN).
#[no_mangle]
pub unsafe extern "C" fn mx_health_detail(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, health_detail_bytes)
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (TABLE_LEN).
#[no_mangle]
pub unsafe extern "C" fn mx_scenario_table(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, scenario_table_bytes)
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (TRADE_LEN).
#[no_mangle]
pub unsafe extern "C" fn mx_trade_whatif(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, trade_whatif_bytes)
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (MAX_LEN).
#[no_mangle]
pub unsafe extern "C" fn mx_max_size(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, max_size_bytes)
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (LIQ_LEN).
#[no_mangle]
pub unsafe extern "C" fn mx_liquidation_spot(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, liquidation_spot_bytes)
}
