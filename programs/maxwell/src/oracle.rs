//! Reads Pyth `PriceUpdateV2` accounts (the Pyth Solana Receiver's layout) without the SDK:
//! fewer dependencies, fewer CU, and one specific error per failure.
//!
//! Layout (borsh, after the 8-byte Anchor discriminator):
//! `write_authority: Pubkey`, `verification_level: enum { Partial { num_signatures: u8 }, Full }`
//! (1 byte for `Full`, 2 for `Partial`), then `PriceFeedMessage { feed_id: [u8;32], price: i64,
//! conf: u64, exponent: i32, publish_time: i64, prev_publish_time: i64, ema_price: i64,
//! ema_conf: u64 }`, then `posted_slot: u64`.

use anchor_lang::prelude::*;

use crate::constants::{BPS, ORACLE_MAX_FUTURE_SKEW_SECS, PYTH_RECEIVER_PROGRAM_ID};
use crate::error::MaxwellError;

/// `sha256("account:PriceUpdateV2")[..8]`.
pub const PRICE_UPDATE_V2_DISCRIMINATOR: [u8; 8] = [34, 241, 35, 99, 157, 126, 244, 205];
const VERIFICATION_OFFSET: usize = 8 + 32;
/// Offset of the price message when the verification level is `Full` (1-byte enum): its feed id,
/// then `price: i64` at +32 and `conf: u64` at +40.
pub const MESSAGE_OFFSET_FULL: usize = VERIFICATION_OFFSET + 1;
const MESSAGE_LEN: usize = 32 + 8 + 8 + 4 + 8 + 8 + 8 + 8;
const VERIFICATION_FULL: u8 = 1;

/// A validated oracle price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OraclePrice {
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
    /// False when the price is older than the bank allows or its confidence is too wide;
    /// only returned so in `Freshness::Lenient` mode (deposits), never used to gate risk.
    pub fresh: bool,
    /// Confidence within the bound (whatever the age): the settlement window's rule.
    pub tight: bool,
}

/// Whether a stale or wide price is an error (risk-increasing actions) or only reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    Strict,
    Lenient,
}

/// Oracle requirements of one bank.
pub struct OracleSpec<'a> {
    pub feed_id: &'a [u8; 32],
    pub max_age_secs: u32,
    pub max_conf_bps: u32,
}

fn read_i64(d: &[u8], at: usize) -> i64 {
    i64::from_le_bytes(d[at..at + 8].try_into().unwrap())
}

/// Validates and reads a `PriceUpdateV2` account. Order of checks: owner, layout,
/// verification level, feed id, sign of the price, a publish time in the future, then
/// staleness and confidence.
pub fn read_price(ai: &AccountInfo, spec: &OracleSpec, now: i64, mode: Freshness) -> Result<OraclePrice> {
    require_keys_eq!(*ai.owner, PYTH_RECEIVER_PROGRAM_ID, MaxwellError::OracleWrongOwner);
    let data = ai.try_borrow_data()?;
    require!(data.len() >= MESSAGE_OFFSET_FULL + MESSAGE_LEN && data[..8] == PRICE_UPDATE_V2_DISCRIMINATOR, MaxwellError::OracleMalformed);
    require!(data[VERIFICATION_OFFSET] == VERIFICATION_FULL, MaxwellError::OracleNotFullyVerified);
    let m = MESSAGE_OFFSET_FULL;
    require!(data[m..m + 32] == spec.feed_id[..], MaxwellError::OracleFeedMismatch);
    let price = read_i64(&data, m + 32);
    let conf = read_i64(&data, m + 40) as u64;
    let expo = i32::from_le_bytes(data[m + 48..m + 52].try_into().unwrap());
    let publish_time = read_i64(&data, m + 52);
    require!(price > 0, MaxwellError::OracleNonPositivePrice);
    // A price stamped beyond the clock (plus a small skew between publishers and validators)
    // is refused in every mode: otherwise it would count as fresh until its own time comes.
    require!(publish_time <= now.saturating_add(ORACLE_MAX_FUTURE_SKEW_SECS), MaxwellError::OraclePublishedInFuture);

    let age = now.saturating_sub(publish_time);
    let fresh_in_time = age <= i64::from(spec.max_age_secs);
    // conf / price <= max_conf_bps / 10_000, cross-multiplied in u128 (no division).
    let tight = u128::from(conf) * u128::from(BPS) <= u128::from(price as u64) * u128::from(spec.max_conf_bps);
    if mode == Freshness::Strict {
        require!(fresh_in_time, MaxwellError::OracleStale);
        require!(tight, MaxwellError::OracleConfidenceTooWide);
    }
    Ok(OraclePrice { price, conf, expo, publish_time, fresh: fresh_in_time && tight, tight })
}
