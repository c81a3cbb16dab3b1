//! Seeds, capacities and parameter bounds.

pub const EXCHANGE_SEED: &[u8] = b"exchange";
pub const BANK_SEED: &[u8] = b"bank";
pub const VAULT_SEED: &[u8] = b"vault";
pub const MARGIN_ACCOUNT_SEED: &[u8] = b"margin";
/// The insurance fund's margin account: `["insurance", exchange]`.
pub const INSURANCE_SEED: &[u8] = b"insurance";
/// Queued governance changes: `["proposal", exchange, id (u64 LE)]`.
pub const PROPOSAL_SEED: &[u8] = b"proposal";

/// Collateral slots per margin account.
pub const MAX_COLLATERAL_SLOTS: usize = 16;
/// The collateral slot only the quote bank may use (`MarginAccount::slot_index_or_open`).
pub const QUOTE_SLOT: usize = 0;
/// Option positions per margin account.
pub const MAX_POSITIONS: usize = 128;
/// Banks per exchange (bank_index is a u16; this caps the index space we hand out).
pub const MAX_BANKS: u16 = 1024;

/// The Pyth Solana Receiver program, which owns every `PriceUpdateV2` account.
pub const PYTH_RECEIVER_PROGRAM_ID: anchor_lang::prelude::Pubkey = anchor_lang::pubkey!("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");

/// 10_000 bps = 1.0
pub const BPS: u32 = 10_000;

// ---- parameter bounds (validated in `ExchangeParams::validate` / `BankParams::validate`) ----
/// Initial margin = im_factor x maintenance; DESIGN: >= 1.25.
pub const IM_FACTOR_MIN_BPS: u32 = 12_500;
pub const IM_FACTOR_MAX_BPS: u32 = 30_000;
/// Oracle staleness: between 1 s and 10 min.
pub const ORACLE_MAX_AGE_MIN_SECS: u32 = 1;
pub const ORACLE_MAX_AGE_MAX_SECS: u32 = 600;
/// Oracle confidence interval / price: at most 10%.
pub const ORACLE_MAX_CONF_MAX_BPS: u32 = 1_000;
/// Liquidation penalty bounds (used by `liquidate`): the max never exceeds 20%.
pub const LIQ_PENALTY_MAX_BPS: u32 = 2_000;

/// Reputation: clean history (since creation, the last liquidation or breach) that earns the
/// full discount of the initial requirement down to `RiskParams::reputation_floor`: 90 days.
pub const REPUTATION_RAMP_SECS: i64 = 90 * 86_400;

/// Rebalance: the keeper fee a policy may offer, at most 0.5% of the amount moved.
pub const KEEPER_FEE_MAX_BPS: u16 = 50;
/// Rebalance: the discount a conversion may give the keeper, at most 2% of the oracle price.
pub const CONVERSION_DISCOUNT_MAX_BPS: u16 = 200;
/// Rebalance policy: at most this many accounts of one owner.
pub const POLICY_MAX_ACCOUNTS: usize = 8;
/// Rebalance policy: the per-day limit counts over a rolling day of this many seconds from
/// `day_start_ts` (a move at or after its end starts a new day).
pub const POLICY_DAY_SECS: i64 = 86_400;
pub const POLICY_SEED: &[u8] = b"policy";

/// How far past the cluster clock an oracle's publish time may be (publisher and validator
/// clocks differ by a few seconds); beyond it the price is refused (`OraclePublishedInFuture`).
pub const ORACLE_MAX_FUTURE_SKEW_SECS: i64 = 10;

/// Bounds of the trade price band (`ExchangeParams::trade_band_*`): 1 to 20 volatility points of
/// vega, and a floor of 0.01% to 1% of spot.
pub const TRADE_BAND_VOL_MIN_BPS: u32 = 100;
pub const TRADE_BAND_VOL_MAX_BPS: u32 = 2_000;
pub const TRADE_BAND_MIN_MIN_BPS: u32 = 1;
pub const TRADE_BAND_MIN_MAX_BPS: u32 = 100;

/// Settlement window: an expiry settles on a Pyth price published within
/// `[expiry, expiry + SETTLE_WINDOW_SECS]` (any fully verified `PriceUpdateV2` of the feed, posted
/// by anyone). A caller's choice is one price among those published in this minute: at 80% vol
/// the spot's 99% range over 60 s is about +-0.28% (2.58 x 0.8 x sqrt(60 / 31,536,000)).
pub const SETTLE_WINDOW_SECS: i64 = 60;

/// A smile update stales every risk array of its underlying (not only its own expiry's) when
/// it moves the grid's price range by more than this, bps of the range.
pub const GRID_RESTALE_BPS: u32 = 500;
