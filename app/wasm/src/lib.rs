//! The program's rules, for clients and keepers, compiled to WASM.
//!
//! Not a port: it links the program crate and calls the very `HealthCache::load` /
//! `HealthCache::health` every margin-checking instruction calls, over `AccountInfo`s built
//! from account bytes the client fetched. So the keeper's health equals the program's to the
//! last unit (given the same accounts and clock). Every other rule a client needs (share
//! values, the rate curve, the policy's day window and keeper fee, quote values, realized
//! volatility, bankruptcy, constants) is likewise the program's own method or constant,
//! called over the account bytes: the TypeScript client re-implements none of them.
//!
//! ABI (little-endian), no wasm-bindgen:
//! - `mx_alloc(len) -> ptr`, `mx_free(ptr, len)`: buffers in the module's memory.
//! - `mx_health(input, len, out) -> code`: `input` = exchange key (32) | now: i64 |
//!   strict: u8 (1 = as `account_health`, `liquidate` and every risk-increasing action: stale
//!   oracles or risk arrays are errors; 0 = as `deposit`: tolerated and reported) | n: u32 | n x (key (32) | owner (32) | data_len: u32 | data). Account 0 is the exchange,
//!   account 1 the margin account, the rest the health accounts in the program's order. On
//!   code 0, `out` (41 bytes) = init, maint, initial_req, maintenance_req, option_value (i64
//!   each) | oracles_fresh (u8). Otherwise the code is the program's error code (6000+), 1 for a
//!   malformed input, 2 for another program error.
//! - Every export that answers takes `out_len`, the size of the buffer at `out`, after `out`: an
//!   answer longer than that is refused with code 3 (`CODE_OUT_TOO_SHORT`) and nothing is
//!   written, so a client built against other sizes fails cleanly instead of writing past its
//!   buffer into the module's heap.
//!
//! In lenient mode `oracles_fresh = 0` says a stale oracle or risk array was tolerated.
//!
//! The what-if exports (health detail with Greeks, scenario table, trade what-if, maximum size,
//! liquidation spot) are documented in [`whatif`].
//!
//! The rule exports: same codes (0 ok; 6000+ the program's error; 1 malformed input: short,
//! trailing bytes, or account data that is not the expected account's discriminator and size).
//! The bank exports refuse a bank whose rate curve fails `RateCurve::validate` (the program's
//! rate-curve codes): no bank on chain has one, and it would divide by zero.
//! `data` below is an account's full data as fetched (8-byte discriminator first).
//! - `mx_constants(out) -> code`: `out` (CONSTANTS_LEN = 28 x i64) = the constants in
//!   [`CONSTANTS`] order: index one (Q24.40), bps, seconds per year (interest), max collateral
//!   slots, max positions, max banks, max expiries, max series, policy max accounts, policy day
//!   seconds, keeper fee max bps, conversion discount max bps, reputation ramp seconds,
//!   realized-vol min interval seconds, liquidation penalty max bps, IM factor min / max bps,
//!   oracle max age min / max seconds, oracle max confidence bps, rate max bps, rate kink min /
//!   max bps, reserve max bps, Fx one (Q52), scenarios per underlying (the margin check's grid:
//!   price shocks x vol states), vol states, the settlement window (seconds after expiry).
//! - `mx_bank(input, len, out)`: `input` = now: i64 | bank data (`CollateralBank`). `out`
//!   (BANK_LEN = 12 x 8) = the bank's indices accrued to `now` with its own curve
//!   (`CollateralBank::index_at`; `now` at or before `last_accrual_ts` = the stored ones):
//!   deposit_index, borrow_index, deposit_shares, borrow_shares, fee_shares (u64),
//!   last_accrual_ts (i64), then utilization_bps, borrow_rate_bps, deposit_rate_bps at that
//!   utilization, total deposits (floor), total borrows (ceil), reserve = value of fee_shares
//!   (floor), native units (u64 each).
//! - `mx_share_value(input, len, out)`: `input` = now: i64 | balance: i64 (shares, negative =
//!   borrow) | bank data. `out` (8) = signed native value at the indices accrued to `now`
//!   (`BankIndex::value`: deposits down, borrows up in magnitude).
//! - `mx_rate_curve(input, len, out)`: `input` = utilization_bps: u64 | bank data. `out` (16) =
//!   borrow_rate_bps, deposit_rate_bps (u64 each) of the bank's curve at that utilization.
//! - `mx_policy_day(input, len, out)`: `input` = now: i64 | policy data (`RebalancePolicy`).
//!   `out` (24) = day_start_ts (i64), moved_today, day_left (u64) as of `now`
//!   (`RebalancePolicy::day_at` / `day_left`, what `spend` counts against).
//! - `mx_keeper_fee(input, len, out)`: `input` = amount: u64 | policy data. `out` (8) = the fee
//!   `rebalance_accounts` takes on `amount` (`RebalancePolicy::keeper_fee`).
//! - `mx_quote_value(input, len, out)`: `input` = amount: u64 | mantissa: i64 | expo: i32 |
//!   token_decimals: u8 | quote_decimals: u8 | round_up: u8. `out` (16) = u128 quote native
//!   value of `amount` token native units at a Pyth price (`TokenPrice::from_oracle` +
//!   `collateral::raw_value`, unweighted; one contract's spot = amount 1, token decimals 0).
//! - `mx_realized_vol(input, len, out)`: `input` = underlying data. `out` (8) = the annualized
//!   realized volatility, Q52 (`Underlying::realized_vol`, what `risk_refresh` sizes shocks with).
//! - `mx_bankrupt(input, len, out)`: `input` = margin account data. `out` (BANKRUPT_LEN = 4 + 16
//!   x 2) = n: u32 | n bank indexes (u16) the account is bankrupt in
//!   (`MarginAccount::is_bankrupt` then `debts`; n = 0 when it is not bankrupt).

pub mod whatif;

use anchor_lang::prelude::*;
use maxwell::health::{Health, HealthCache};
use maxwell::oracle::Freshness;
use maxwell::state::{Exchange, MarginAccount};

#[no_mangle]
pub extern "C" fn mx_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    core::mem::forget(v);
    p
}

/// # Safety
/// `ptr` must come from `mx_alloc(len)`.
#[no_mangle]
pub unsafe extern "C" fn mx_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (41).
#[no_mangle]
pub unsafe extern "C" fn mx_health(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, |bytes| health_from_bytes(bytes).map(|h| encode(&h).to_vec()))
}

pub const HEALTH_LEN: usize = 41;

pub fn encode(h: &Health) -> [u8; HEALTH_LEN] {
    let mut o = [0u8; HEALTH_LEN];
    for (i, v) in [h.init, h.maint, h.initial_req, h.maintenance_req, h.option_value].iter().enumerate() {
        o[8 * i..8 * i + 8].copy_from_slice(&v.to_le_bytes());
    }
    o[40] = u8::from(h.oracles_fresh);
    o
}

#[derive(Clone)]
pub(crate) struct Raw {
    pub(crate) key: Pubkey,
    pub(crate) owner: Pubkey,
    pub(crate) lamports: u64,
    pub(crate) data: Vec<u8>,
}

fn parse(mut b: &[u8]) -> Option<(Pubkey, i64, Freshness, Vec<Raw>)> {
    fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        if b.len() < n {
            return None;
        }
        let (h, t) = b.split_at(n);
        *b = t;
        Some(h)
    }
    let exchange = Pubkey::new_from_array(take(&mut b, 32)?.try_into().ok()?);
    let now = i64::from_le_bytes(take(&mut b, 8)?.try_into().ok()?);
    let mode = match take(&mut b, 1)?[0] {
        1 => Freshness::Strict,
        0 => Freshness::Lenient,
        _ => return None,
    };
    let n = u32::from_le_bytes(take(&mut b, 4)?.try_into().ok()?) as usize;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let key = Pubkey::new_from_array(take(&mut b, 32)?.try_into().ok()?);
        let owner = Pubkey::new_from_array(take(&mut b, 32)?.try_into().ok()?);
        let dl = u32::from_le_bytes(take(&mut b, 4)?.try_into().ok()?) as usize;
        let data = take(&mut b, dl)?.to_vec();
        out.push(Raw { key, owner, lamports: 0, data });
    }
    b.is_empty().then_some((exchange, now, mode, out))
}

pub(crate) fn code(e: anchor_lang::error::Error) -> u32 {
    match e {
        anchor_lang::error::Error::AnchorError(a) => a.error_code_number,
        anchor_lang::error::Error::ProgramError(_) => 2,
    }
}

/// Loads a zero-copy account from its bytes (discriminator checked, copied out aligned).
pub(crate) fn load<T: anchor_lang::ZeroCopy + anchor_lang::Owner>(r: &Raw) -> core::result::Result<T, u32> {
    let size = core::mem::size_of::<T>();
    if r.owner != maxwell::ID || r.data.len() < 8 + size || r.data[..8] != *T::DISCRIMINATOR {
        return Err(1);
    }
    Ok(bytemuck::pod_read_unaligned::<T>(&r.data[8..8 + size]))
}

pub fn health_from_bytes(bytes: &[u8]) -> core::result::Result<Health, u32> {
    let (exchange_key, now, mode, mut raws) = parse(bytes).ok_or(1u32)?;
    if raws.len() < 2 {
        return Err(1);
    }
    let exchange: Exchange = load(&raws[0])?;
    let account: MarginAccount = load(&raws[1])?;
    let health_raws = &mut raws[2..];
    // AccountInfo borrows key/owner/lamports/data from the parsed accounts; account data is
    // re-aligned by copying into 8-aligned buffers (zero-copy loads need alignment).
    let mut aligned: Vec<Vec<u64>> = health_raws.iter().map(|r| vec![0u64; r.data.len().div_ceil(8)]).collect();
    for (a, r) in aligned.iter_mut().zip(health_raws.iter()) {
        bytemuck::cast_slice_mut::<u64, u8>(a)[..r.data.len()].copy_from_slice(&r.data);
    }
    let lens: Vec<usize> = health_raws.iter().map(|r| r.data.len()).collect();
    let mut infos: Vec<AccountInfo> = Vec::with_capacity(health_raws.len());
    for ((r, a), len) in health_raws.iter_mut().zip(aligned.iter_mut()).zip(lens) {
        let data: &mut [u8] = &mut bytemuck::cast_slice_mut::<u64, u8>(a)[..len];
        infos.push(AccountInfo::new(&r.key, false, false, &mut r.lamports, data, &r.owner, false));
    }
    let cache = HealthCache::load(&exchange_key, &exchange, &infos, now, mode).map_err(code)?;
    cache.health(&account).map_err(code)
}

// ---- the program's other rules, over account bytes ----

use maxwell::constants as c;
use maxwell::error::MaxwellError;
use maxwell::state::{CollateralBank, RebalancePolicy, Underlying};

fn error_code(e: MaxwellError) -> u32 {
    code(e.into())
}

/// A zero-copy account from its full data (discriminator and size checked; copied out aligned).
pub fn account_from<T: anchor_lang::ZeroCopy>(data: &[u8]) -> core::result::Result<T, u32> {
    let size = core::mem::size_of::<T>();
    if data.len() < 8 + size || data[..8] != *T::DISCRIMINATOR {
        return Err(1);
    }
    Ok(bytemuck::pod_read_unaligned::<T>(&data[8..8 + size]))
}

/// Fixed-size little-endian fields off the front of an input.
pub(crate) struct Input<'a>(pub(crate) &'a [u8]);

impl<'a> Input<'a> {
    pub(crate) fn take<const N: usize>(&mut self) -> core::result::Result<[u8; N], u32> {
        if self.0.len() < N {
            return Err(1);
        }
        let (h, t) = self.0.split_at(N);
        self.0 = t;
        Ok(h.try_into().unwrap())
    }
    pub(crate) fn i64(&mut self) -> core::result::Result<i64, u32> {
        Ok(i64::from_le_bytes(self.take()?))
    }
    pub(crate) fn u64(&mut self) -> core::result::Result<u64, u32> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    pub(crate) fn i32(&mut self) -> core::result::Result<i32, u32> {
        Ok(i32::from_le_bytes(self.take()?))
    }
    pub(crate) fn u8(&mut self) -> core::result::Result<u8, u32> {
        Ok(self.take::<1>()?[0])
    }
    /// The rest, which must be the whole account data of `T`.
    fn account<T: anchor_lang::ZeroCopy>(self) -> core::result::Result<T, u32> {
        if self.0.len() != 8 + core::mem::size_of::<T>() {
            return Err(1);
        }
        account_from(self.0)
    }
    pub(crate) fn end(self) -> core::result::Result<(), u32> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(1)
        }
    }
}

fn words<const N: usize>(xs: [u64; N]) -> Vec<u8> {
    xs.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Runs `f` over the input and copies its (fixed-size) output to `out`.
///
/// # Safety
/// `input` must point to `len` readable bytes and `out` to as many writable bytes as `f` returns.
/// Code of an output buffer shorter than the answer: nothing is written.
pub const CODE_OUT_TOO_SHORT: u32 = 3;

pub(crate) unsafe fn call(
    input: *const u8,
    len: usize,
    out: *mut u8,
    out_len: usize,
    f: impl FnOnce(&[u8]) -> core::result::Result<Vec<u8>, u32>,
) -> u32 {
    let bytes = if len == 0 { &[][..] } else { core::slice::from_raw_parts(input, len) };
    match f(bytes) {
        Ok(o) if o.len() > out_len => CODE_OUT_TOO_SHORT,
        Ok(o) => {
            core::slice::from_raw_parts_mut(out, o.len()).copy_from_slice(&o);
            0
        }
        Err(code) => code,
    }
}

/// The constants of `mx_constants`, in output order.
pub const CONSTANTS: [(&str, i64); 28] = [
    ("indexOne", maxwell_lending::ONE as i64),
    ("bps", c::BPS as i64),
    ("secondsPerYear", maxwell_lending::SECONDS_PER_YEAR as i64),
    ("maxCollateralSlots", c::MAX_COLLATERAL_SLOTS as i64),
    ("maxPositions", c::MAX_POSITIONS as i64),
    ("maxBanks", c::MAX_BANKS as i64),
    ("maxExpiries", maxwell::state::MAX_EXPIRIES as i64),
    ("maxSeries", maxwell::state::MAX_SERIES as i64),
    ("policyMaxAccounts", c::POLICY_MAX_ACCOUNTS as i64),
    ("policyDaySecs", c::POLICY_DAY_SECS),
    ("keeperFeeMaxBps", c::KEEPER_FEE_MAX_BPS as i64),
    ("conversionDiscountMaxBps", c::CONVERSION_DISCOUNT_MAX_BPS as i64),
    ("reputationRampSecs", c::REPUTATION_RAMP_SECS),
    ("realizedVolMinIntervalSecs", maxwell::instructions::realized_vol_update::RV_MIN_INTERVAL_SECS),
    ("liqPenaltyMaxBps", c::LIQ_PENALTY_MAX_BPS as i64),
    ("imFactorMinBps", c::IM_FACTOR_MIN_BPS as i64),
    ("imFactorMaxBps", c::IM_FACTOR_MAX_BPS as i64),
    ("oracleMaxAgeMinSecs", c::ORACLE_MAX_AGE_MIN_SECS as i64),
    ("oracleMaxAgeMaxSecs", c::ORACLE_MAX_AGE_MAX_SECS as i64),
    ("oracleMaxConfMaxBps", c::ORACLE_MAX_CONF_MAX_BPS as i64),
    ("rateMaxBps", maxwell_lending::curve::MAX_RATE_BPS as i64),
    ("rateKinkMinBps", maxwell_lending::curve::KINK_MIN_BPS as i64),
    ("rateKinkMaxBps", maxwell_lending::curve::KINK_MAX_BPS as i64),
    ("reserveMaxBps", maxwell_lending::curve::RESERVE_MAX_BPS as i64),
    ("fxOne", maxwell_risk::fixed::Fx::ONE.0),
    ("scenarios", maxwell_risk::scenario::N_SCEN as i64),
    ("volStates", maxwell_risk::scenario::N_VOL as i64),
    ("settleWindowSecs", c::SETTLE_WINDOW_SECS),
];
pub const CONSTANTS_LEN: usize = 8 * CONSTANTS.len();

pub fn constants_bytes() -> Vec<u8> {
    CONSTANTS.iter().flat_map(|(_, v)| v.to_le_bytes()).collect()
}

/// # Safety
/// `out` must point to `out_len` writable bytes (CONSTANTS_LEN).
#[no_mangle]
pub unsafe extern "C" fn mx_constants(out: *mut u8, out_len: usize) -> u32 {
    call(core::ptr::null(), 0, out, out_len, |_| Ok(constants_bytes()))
}

pub const BANK_LEN: usize = 96;

/// A bank as of a time: its indices accrued with its own curve, utilization, rates, totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankView {
    pub index: maxwell_lending::BankIndex,
    pub utilization_bps: u64,
    pub borrow_rate_bps: u64,
    pub deposit_rate_bps: u64,
    pub deposits: u64,
    pub borrows: u64,
    pub reserve: u64,
}

/// The bank's curve, validated as `bank_create` / `bank_set_params` do: every bank on chain
/// carries a valid one; anything else (e.g. a zeroed curve, whose kink is 0) is refused with the
/// program's code rather than reaching a division by zero.
fn curve_of(bank: &CollateralBank) -> core::result::Result<maxwell_lending::RateCurve, u32> {
    let curve = bank.rate.engine();
    curve.validate().map_err(|e| error_code(e.into()))?;
    Ok(curve)
}

pub fn bank_view(bank: &CollateralBank, now: i64) -> core::result::Result<BankView, u32> {
    let lend = |e: maxwell_lending::LendingError| error_code(e.into());
    let curve = curve_of(bank)?;
    let index = bank.index_at(now).map_err(code)?;
    let utilization_bps = index.utilization_bps();
    Ok(BankView {
        index,
        utilization_bps,
        borrow_rate_bps: curve.borrow_rate_bps(utilization_bps),
        deposit_rate_bps: curve.deposit_rate_bps(utilization_bps),
        deposits: index.total_deposits().map_err(lend)?,
        borrows: index.total_borrows().map_err(lend)?,
        reserve: index.deposit_value(index.fee_shares).map_err(lend)?,
    })
}

pub fn bank_bytes(input: &[u8]) -> core::result::Result<Vec<u8>, u32> {
    let mut i = Input(input);
    let now = i.i64()?;
    let v = bank_view(&i.account::<CollateralBank>()?, now)?;
    let x = v.index;
    Ok(words([
        x.deposit_index,
        x.borrow_index,
        x.deposit_shares,
        x.borrow_shares,
        x.fee_shares,
        x.last_accrual_ts as u64,
        v.utilization_bps,
        v.borrow_rate_bps,
        v.deposit_rate_bps,
        v.deposits,
        v.borrows,
        v.reserve,
    ]))
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (BANK_LEN).
#[no_mangle]
pub unsafe extern "C" fn mx_bank(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, bank_bytes)
}

/// Signed native value of `balance` shares at the bank's indices accrued to `now`.
pub fn share_value(bank: &CollateralBank, balance: i64, now: i64) -> core::result::Result<i64, u32> {
    curve_of(bank)?;
    bank.index_at(now).map_err(code)?.value(balance).map_err(|e| error_code(e.into()))
}

pub fn share_value_bytes(input: &[u8]) -> core::result::Result<Vec<u8>, u32> {
    let mut i = Input(input);
    let (now, balance) = (i.i64()?, i.i64()?);
    Ok(share_value(&i.account::<CollateralBank>()?, balance, now)?.to_le_bytes().to_vec())
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (8).
#[no_mangle]
pub unsafe extern "C" fn mx_share_value(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, share_value_bytes)
}

pub fn rate_curve_bytes(input: &[u8]) -> core::result::Result<Vec<u8>, u32> {
    let mut i = Input(input);
    let util = i.u64()?;
    let curve = curve_of(&i.account::<CollateralBank>()?)?;
    Ok(words([curve.borrow_rate_bps(util), curve.deposit_rate_bps(util)]))
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (16).
#[no_mangle]
pub unsafe extern "C" fn mx_rate_curve(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, rate_curve_bytes)
}

pub fn policy_day_bytes(input: &[u8]) -> core::result::Result<Vec<u8>, u32> {
    let mut i = Input(input);
    let now = i.i64()?;
    let p = i.account::<RebalancePolicy>()?;
    let (start, moved) = p.day_at(now);
    Ok(words([start as u64, moved, p.day_left(now)]))
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (24).
#[no_mangle]
pub unsafe extern "C" fn mx_policy_day(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, policy_day_bytes)
}

pub fn keeper_fee_bytes(input: &[u8]) -> core::result::Result<Vec<u8>, u32> {
    let mut i = Input(input);
    let amount = i.u64()?;
    let fee = i.account::<RebalancePolicy>()?.keeper_fee(amount).map_err(code)?;
    Ok(fee.to_le_bytes().to_vec())
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (8).
#[no_mangle]
pub unsafe extern "C" fn mx_keeper_fee(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, keeper_fee_bytes)
}

pub fn quote_value_bytes(input: &[u8]) -> core::result::Result<Vec<u8>, u32> {
    use maxwell_risk::collateral::{raw_value, TokenPrice};
    let mut i = Input(input);
    let (amount, mantissa, expo) = (i.u64()?, i.i64()?, i.i32()?);
    let (token_decimals, quote_decimals, round_up) = (i.u8()?, i.u8()?, i.u8()?);
    i.end()?;
    let risk = |e: maxwell_risk::RiskError| error_code(e.into());
    let price = TokenPrice::from_oracle(mantissa, expo, token_decimals, quote_decimals).map_err(risk)?;
    Ok(raw_value(amount, price, round_up == 1).map_err(risk)?.to_le_bytes().to_vec())
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (16).
#[no_mangle]
pub unsafe extern "C" fn mx_quote_value(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, quote_value_bytes)
}

pub fn realized_vol_bytes(input: &[u8]) -> core::result::Result<Vec<u8>, u32> {
    let u = Input(input).account::<Underlying>()?;
    Ok(u.realized_vol().0.to_le_bytes().to_vec())
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (8).
#[no_mangle]
pub unsafe extern "C" fn mx_realized_vol(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, realized_vol_bytes)
}

/// Input: last sampled boundary (i64), now (i64). Output: 1 when a realized-vol sample would
/// be taken now (`maxwell_engine::plans::realized_vol::sample_open`), else 0; then the seconds
/// until the next boundary (i64).
pub fn rv_schedule_bytes(input: &[u8]) -> core::result::Result<Vec<u8>, u32> {
    use maxwell_engine::plans::realized_vol::{boundary, sample_open, RV_MIN_INTERVAL_SECS};
    let mut i = Input(input);
    let (last, now) = (i.i64()?, i.i64()?);
    let next = boundary(now) + RV_MIN_INTERVAL_SECS - now;
    let mut out = vec![u8::from(sample_open(last, now))];
    out.extend_from_slice(&next.to_le_bytes());
    Ok(out)
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (9).
#[no_mangle]
pub unsafe extern "C" fn mx_rv_schedule(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, rv_schedule_bytes)
}

pub const BANKRUPT_LEN: usize = 4 + 2 * c::MAX_COLLATERAL_SLOTS;

pub fn bankrupt_bytes(input: &[u8]) -> core::result::Result<Vec<u8>, u32> {
    let acc = Input(input).account::<MarginAccount>()?;
    let banks: Vec<u16> = if acc.is_bankrupt() { acc.debts().collect() } else { Vec::new() };
    let mut o = vec![0u8; BANKRUPT_LEN];
    o[..4].copy_from_slice(&(banks.len() as u32).to_le_bytes());
    for (k, b) in banks.iter().enumerate() {
        o[4 + 2 * k..6 + 2 * k].copy_from_slice(&b.to_le_bytes());
    }
    Ok(o)
}

/// # Safety
/// `input` must point to `len` readable bytes and `out` to `out_len` writable bytes (BANKRUPT_LEN).
#[no_mangle]
pub unsafe extern "C" fn mx_bankrupt(input: *const u8, len: usize, out: *mut u8, out_len: usize) -> u32 {
    call(input, len, out, out_len, bankrupt_bytes)
}

#[cfg(test)]
mod tests {
    //! The numbers `tests/lending-unit.test.ts` and `tests/keeper-unit.test.ts` assert through
    //! the WASM module, from the same functions on the host; expected values written as the
    //! formula they come from.
    use super::*;
    use anchor_lang::Discriminator;
    use bytemuck::Zeroable;
    use maxwell::state::{CollateralSlot, RateCurveState};
    use maxwell_lending::{ONE, SECONDS_PER_YEAR};

    fn data<T: anchor_lang::ZeroCopy + Discriminator>(t: &T) -> Vec<u8> {
        [T::DISCRIMINATOR, bytemuck::bytes_of(t)].concat()
    }
    fn with(head: &[u8], t: &[u8]) -> Vec<u8> {
        [head, t].concat()
    }
    fn le(words: &[u8], k: usize) -> u64 {
        u64::from_le_bytes(words[8 * k..8 * k + 8].try_into().unwrap())
    }

    fn flat() -> RateCurveState {
        RateCurveState { kink_util_bps: 8_000, ..RateCurveState::default() }
    }
    fn bank(di: u64, bi: u64, dep: u64, bor: u64, fee: u64, curve: RateCurveState) -> CollateralBank {
        let mut b = CollateralBank::zeroed();
        (b.deposit_index, b.borrow_index, b.deposit_shares, b.borrow_shares, b.fee_shares) = (di, bi, dep, bor, fee);
        b.last_accrual_ts = 1_000;
        b.rate = curve;
        b
    }
    fn kinked() -> RateCurveState {
        RateCurveState { kink_util_bps: 8_000, base_rate_bps: 0, kink_rate_bps: 1_000, max_rate_bps: 10_000, reserve_bps: 1_000, _pad: 0 }
    }
    fn value_bytes(b: &CollateralBank, balance: i64, now: i64) -> i64 {
        let out = share_value_bytes(&with(&[now.to_le_bytes(), balance.to_le_bytes()].concat(), &data(b))).unwrap();
        i64::from_le_bytes(out.try_into().unwrap())
    }

    #[test]
    fn share_values_at_stored_indices() {
        let at1 = bank(ONE, ONE, 0, 0, 0, kinked());
        // A zeroed curve (kink 0) is refused with the program's code, not a division by zero.
        let bad = bank(ONE, ONE, 0, 0, 0, RateCurveState::default());
        assert_eq!(share_value(&bad, 1, 0), Err(6000 + MaxwellError::RateKinkOutOfBounds as u32));
        assert_eq!(bank_view(&bad, 0).unwrap_err(), 6000 + MaxwellError::RateKinkOutOfBounds as u32);
        assert_eq!(share_value(&bank(ONE, ONE, 0, 0, 0, flat()), -7, 10_000), Ok(-7), "a flat curve accrues nothing");
        // (bank, balance, expected)
        let idx = bank(ONE + ONE / 2, ONE + ONE / 4, 0, 0, 0, kinked()); // 1.5 / 1.25
        let tiny = bank(ONE + 1, ONE + 1, 0, 0, 0, kinked());
        let cases: &[(&CollateralBank, i64, i64)] = &[
            (&at1, 1_000, 1_000),
            (&at1, -1_000, -1_000),
            (&at1, 0, 0),
            (&idx, 3, 3 * 3 / 2),           // floor(4.5)
            (&idx, -3, -((3 * 5 + 3) / 4)), // -ceil(3 x 5/4 = 3.75)
            (&idx, -4, -(4 * 5 / 4)),       // exact 5
            (&tiny, ONE as i64, ONE as i64 + 1),
            (&tiny, -1, -2), // ceil(1 + 2^-40)
            (&tiny, 1, 1),
        ];
        for &(b, balance, want) in cases {
            // `now` at or before the last accrual: the stored indices.
            assert_eq!(value_bytes(b, balance, 0), want, "balance {balance}");
            assert_eq!(share_value(b, balance, b.last_accrual_ts).unwrap(), want);
        }
    }

    #[test]
    fn share_values_accrue_to_now_with_the_bank_curve() {
        // 1_000 deposited, 500 borrowed at 1.0: utilization 50%, borrow rate 50/80 of 10%
        // = 625 bps; one year later the borrow index is 1 + 6.25%.
        let b = bank(ONE, ONE, 1_000_000, 500_000, 0, kinked());
        let year = b.last_accrual_ts + SECONDS_PER_YEAR as i64;
        let dbi = ONE as u128 * 625 * SECONDS_PER_YEAR as u128 / (10_000 * SECONDS_PER_YEAR as u128);
        let owed = (500_000u128 * (ONE as u128 + dbi)).div_ceil(ONE as u128) as i64;
        assert_eq!(value_bytes(&b, -500_000, year), -owed);
        assert_eq!(owed, 500_000 + 31_250);
        // Depositors get the interest less the 10% reserve: the deposit index becomes
        // floor((1_000_000 + 31_250 x 0.9) x 2^40 / 1_000_000), the deposit's value its floor.
        let v = bank_view(&b, year).unwrap();
        let di = (1_000_000u128 + 31_250 * 9 / 10) * ONE as u128 / 1_000_000;
        assert_eq!(v.index.deposit_index as u128, di);
        assert_eq!(value_bytes(&b, 1_000_000, year), (1_000_000 * di / ONE as u128) as i64);
        assert_eq!(value_bytes(&b, 1_000_000, year), 1_000_000 + 31_250 * 9 / 10 - 1, "one unit of index rounding");
        assert_eq!(v.borrows, owed as u64);
        assert_eq!(v.index.last_accrual_ts, year);
        // The reserve became fee shares worth ~3_125 (rounded down twice).
        assert!((3_123..=3_125).contains(&v.reserve), "reserve {}", v.reserve);
        assert_eq!(v.deposits, ((1_000_000 + v.index.fee_shares as u128) * di / ONE as u128) as u64);
    }

    #[test]
    fn rate_curve_and_utilization() {
        let b = bank(ONE, ONE, 0, 0, 0, kinked());
        let rates = |u: u64| {
            let o = rate_curve_bytes(&with(&u.to_le_bytes(), &data(&b))).unwrap();
            (le(&o, 0), le(&o, 1))
        };
        // maxwell-lending's kinked_shape: linear 0 -> 10% at 80%, then -> 100% at 100%.
        assert_eq!(rates(0).0, 0);
        assert_eq!(rates(4_000).0, 1_000 * 4_000 / 8_000);
        assert_eq!(rates(8_000).0, 1_000);
        assert_eq!(rates(9_000).0, 1_000 + 9_000 * 1_000 / 2_000);
        assert_eq!(rates(10_000).0, 10_000);
        assert_eq!(rates(20_000).0, 10_000);
        assert_eq!(rates(8_000).1, 1_000 * 8_000 / 10_000 * 9_000 / 10_000); // 80% x 10% x 0.9
        let d = bank(
            ONE,
            ONE,
            0,
            0,
            0,
            RateCurveState {
                kink_util_bps: 7_000,
                base_rate_bps: 100,
                kink_rate_bps: 700,
                max_rate_bps: 15_000,
                reserve_bps: 1_000,
                _pad: 0,
            },
        );
        let o = rate_curve_bytes(&with(&1u64.to_le_bytes(), &data(&d))).unwrap();
        assert_eq!((le(&o, 0), le(&o, 1)), (100 + 600u64.div_ceil(7_000), 0));

        let util = |dep: u64, bor: u64, bi: u64| {
            let o = bank_bytes(&with(&0i64.to_le_bytes(), &data(&bank(ONE, bi, dep, bor, 0, kinked())))).unwrap();
            le(&o, 6)
        };
        assert_eq!(util(1_000, 0, ONE), 0);
        assert_eq!(util(1_000, 250, ONE), 250 * 10_000 / 1_000);
        assert_eq!(util(1_000, 250, 2 * ONE), 2 * 250 * 10_000 / 1_000);
        assert_eq!(util(0, 1, ONE), 10_000);
        assert_eq!(util(10, 20, ONE), 10_000);
        // Totals: deposits floor(10 x 1.5), borrows ceil(3 x 1.25), reserve floor(2 x 1.5).
        let o = bank_bytes(&with(&0i64.to_le_bytes(), &data(&bank(ONE + ONE / 2, ONE + ONE / 4, 10, 3, 2, kinked())))).unwrap();
        assert_eq!((le(&o, 9), le(&o, 10), le(&o, 11)), (15, 4, 3));
    }

    fn policy(max_per_day: u64, moved_today: u64, day_start_ts: i64, keeper_fee_bps: u16) -> RebalancePolicy {
        let mut p = RebalancePolicy::zeroed();
        (p.max_per_day, p.moved_today, p.day_start_ts, p.keeper_fee_bps) = (max_per_day, moved_today, day_start_ts, keeper_fee_bps);
        p
    }

    #[test]
    fn policy_day_window_and_keeper_fee() {
        let day = |p: &RebalancePolicy, now: i64| {
            let o = policy_day_bytes(&with(&now.to_le_bytes(), &data(p))).unwrap();
            (le(&o, 0) as i64, le(&o, 1), le(&o, 2))
        };
        let p = policy(2_500, 2_000, 1_000, 10);
        assert_eq!(day(&p, 2_000), (1_000, 2_000, 2_500 - 2_000));
        assert_eq!(day(&policy(2_500, 2_500, 1_000, 10), 2_000), (1_000, 2_500, 0));
        assert_eq!(day(&p, 1_000 + c::POLICY_DAY_SECS - 1), (1_000, 2_000, 500), "the last second of the day");
        assert_eq!(day(&p, 1_000 + c::POLICY_DAY_SECS), (1_000 + c::POLICY_DAY_SECS, 0, 2_500), "a new day");
        // What a move counts against that window is the engine's `plan_rebalance` (tested there).

        let fee = |p: &RebalancePolicy, amount: u64| keeper_fee_bytes(&with(&amount.to_le_bytes(), &data(p)));
        let f = |amount: u64| u64::from_le_bytes(fee(&p, amount).unwrap().try_into().unwrap());
        assert_eq!(f(1_000_000), 1_000_000 * 10 / 10_000);
        assert_eq!(f(999), 0, "rounded down");
        assert_eq!(f(1_000), 1);
        // The largest amount: the u128 path, no overflow (the fee is at most 100%).
        assert_eq!(f(u64::MAX), (u128::from(u64::MAX) * 10 / 10_000) as u64);
    }

    #[test]
    fn quote_values_and_realized_vol() {
        let q = |amount: u64, mantissa: i64, expo: i32, td: u8, qd: u8, up: bool| {
            let mut i = [amount.to_le_bytes(), mantissa.to_le_bytes()].concat();
            i.extend(expo.to_le_bytes());
            i.extend([td, qd, u8::from(up)]);
            quote_value_bytes(&i).map(|o| u128::from_le_bytes(o.try_into().unwrap()))
        };
        // SOL/USD 150.00 (15_000_000_000e-8), SOL 9 decimals, USDC 6.
        assert_eq!(q(1_000_000_000, 15_000_000_000, -8, 9, 6, false), Ok(150_000_000));
        assert_eq!(q(1, 15_000_000_000, -8, 9, 6, false), Ok(0), "0.15 floored");
        assert_eq!(q(1, 15_000_000_000, -8, 9, 6, true), Ok(1), "0.15 rounded up");
        assert_eq!(q(1, 15_000_000_000, -8, 0, 6, false), Ok(150_000_000), "one contract");
        assert_eq!(q(1, 0, -8, 0, 6, false), Err(6000 + MaxwellError::from(maxwell_risk::RiskError::NonPositivePrice) as u32));

        let mut u = Underlying::zeroed();
        u.rv_variance = (64i64 << 52) / 100; // 0.64 = 80% squared
        let o = realized_vol_bytes(&data(&u)).unwrap();
        let vol = i64::from_le_bytes(o.try_into().unwrap());
        assert!((vol - (8i64 << 52) / 10).abs() <= 1, "vol {vol}");
    }

    #[test]
    fn bankruptcy_and_constants() {
        let bankrupt = |slots: &[(u16, i64)], position: bool| {
            let mut a = MarginAccount::zeroed();
            for (k, &(bank_index, balance)) in slots.iter().enumerate() {
                a.collateral[k] = CollateralSlot { balance, bank_index, in_use: 1, _pad: [0; 5] };
            }
            a.positions[0].in_use = u8::from(position);
            let o = bankrupt_bytes(&data(&a)).unwrap();
            let n = u32::from_le_bytes(o[..4].try_into().unwrap()) as usize;
            (0..n).map(|k| u16::from_le_bytes(o[4 + 2 * k..6 + 2 * k].try_into().unwrap())).collect::<Vec<_>>()
        };
        assert_eq!(bankrupt(&[(0, -5)], false), vec![0]);
        assert_eq!(bankrupt(&[(0, -5), (1, -1)], false), vec![0, 1]);
        assert_eq!(bankrupt(&[(0, -5), (1, 1)], false), Vec::<u16>::new());
        assert_eq!(bankrupt(&[(0, -5)], true), Vec::<u16>::new());
        assert_eq!(bankrupt(&[], false), Vec::<u16>::new());

        let k = constants_bytes();
        assert_eq!(k.len(), CONSTANTS_LEN);
        let at = |name: &str| le(&k, CONSTANTS.iter().position(|(n, _)| *n == name).unwrap()) as i64;
        assert_eq!(at("indexOne"), 1 << 40);
        assert_eq!(at("bps"), 10_000);
        assert_eq!(at("policyDaySecs"), 86_400);
        assert_eq!(at("reputationRampSecs"), 90 * 86_400);
        assert_eq!(at("fxOne"), 1 << 52);
        assert_eq!(at("scenarios"), maxwell_risk::scenario::N_SCEN as i64);
        assert_eq!(at("settleWindowSecs"), 60);
        assert_eq!(at("scenarios"), at("volStates") * maxwell_risk::scenario::N_PRICE as i64);
        // Account bytes of the wrong type are refused.
        assert_eq!(bankrupt_bytes(&data(&RebalancePolicy::zeroed())), Err(1));
    }
    #[test]
    fn an_answer_longer_than_the_buffer_is_refused_and_nothing_written() {
        let k = constants_bytes();
        let mut buf = vec![0xAAu8; CONSTANTS_LEN + 8];
        // One byte short: code 3, the buffer untouched (not even its first bytes).
        let code = unsafe { mx_constants(buf.as_mut_ptr(), CONSTANTS_LEN - 1) };
        assert_eq!(code, CODE_OUT_TOO_SHORT);
        assert!(buf.iter().all(|&b| b == 0xAA));
        // The exact size: the answer, and not a byte past it.
        assert_eq!(unsafe { mx_constants(buf.as_mut_ptr(), CONSTANTS_LEN) }, 0);
        assert_eq!(&buf[..CONSTANTS_LEN], &k[..]);
        assert!(buf[CONSTANTS_LEN..].iter().all(|&b| b == 0xAA));
    }
}
