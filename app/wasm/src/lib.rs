//! The program's health computation, for clients and keepers, compiled to WASM.
//!
//! Not a port: it links the program crate and calls the very `HealthCache::load` /
//! `HealthCache::health` every margin-checking instruction calls, over `AccountInfo`s built
//! from account bytes the client fetched. So the keeper's health equals the program's to the
//! last unit (given the same accounts and clock).
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
//! In lenient mode `oracles_fresh = 0` says a stale oracle or risk array was tolerated.

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
/// `input` must point to `len` readable bytes and `out` to 41 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn mx_health(input: *const u8, len: usize, out: *mut u8) -> u32 {
    let bytes = core::slice::from_raw_parts(input, len);
    match health_from_bytes(bytes) {
        Ok(h) => {
            core::slice::from_raw_parts_mut(out, HEALTH_LEN).copy_from_slice(&encode(&h));
            0
        }
        Err(code) => code,
    }
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

struct Raw {
    key: Pubkey,
    owner: Pubkey,
    lamports: u64,
    data: Vec<u8>,
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

fn code(e: anchor_lang::error::Error) -> u32 {
    match e {
        anchor_lang::error::Error::AnchorError(a) => a.error_code_number,
        anchor_lang::error::Error::ProgramError(_) => 2,
    }
}

/// Loads a zero-copy account from its bytes (discriminator checked, copied out aligned).
fn load<T: anchor_lang::ZeroCopy + anchor_lang::Owner>(r: &Raw) -> core::result::Result<T, u32> {
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
