use anchor_lang::prelude::*;

use crate::constants::*;
use crate::error::MaxwellError;

/// An owner's rebalance policy (PDA `["policy", exchange, owner]`), opt-in: which of its
/// accounts may feed which, the health band that triggers a top-up, how much may move, and
/// what a keeper earns for doing it.
#[account(zero_copy)]
#[repr(C)]
pub struct RebalancePolicy {
    /// ABI: offset 8.
    pub exchange: Pubkey,
    /// ABI: offset 40.
    pub owner: Pubkey,
    /// The owner's margin accounts the policy covers (default key = unused).
    pub accounts: [Pubkey; POLICY_MAX_ACCOUNTS],
    /// `feeds[i]` bit `j` set: `accounts[j]` may feed `accounts[i]`.
    pub feeds: [u8; POLICY_MAX_ACCOUNTS],
    /// A destination may be topped up while its maintenance health is below this, quote native.
    pub trigger_health: i64,
    /// A source must keep at least this maintenance health after a move, quote native.
    pub target_health: i64,
    /// Value moved per `rebalance_accounts`, at most, quote native.
    pub max_per_move: u64,
    /// Value moved per rolling day (from `day_start_ts`), at most, quote native.
    pub max_per_day: u64,
    pub day_start_ts: i64,
    pub moved_today: u64,
    /// `rebalance_collateral` may run while an account's quote balance is below
    /// `-quote_borrow_limit` (quote native).
    pub quote_borrow_limit: u64,
    /// Keeper fee on `rebalance_accounts`, bps of the amount moved (<= KEEPER_FEE_MAX_BPS).
    pub keeper_fee_bps: u16,
    /// Discount on the oracle price a conversion may give the keeper (<= CONVERSION_DISCOUNT_MAX_BPS).
    pub max_discount_bps: u16,
    pub bump: u8,
    pub _pad: [u8; 3],
    pub reserved: [u8; 64],
}
const _: () = assert!(core::mem::size_of::<RebalancePolicy>() == 2 * 32 + POLICY_MAX_ACCOUNTS * 33 + 2 * 8 + 5 * 8 + 8 + 64);

/// `policy_set` arguments.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct PolicyArgs {
    pub accounts: Vec<Pubkey>,
    pub feeds: Vec<u8>,
    pub trigger_health: i64,
    pub target_health: i64,
    pub max_per_move: u64,
    pub max_per_day: u64,
    pub quote_borrow_limit: u64,
    pub keeper_fee_bps: u16,
    pub max_discount_bps: u16,
}

impl PolicyArgs {
    pub fn validate(&self) -> Result<()> {
        require!(
            !self.accounts.is_empty() && self.accounts.len() <= POLICY_MAX_ACCOUNTS && self.feeds.len() == self.accounts.len(),
            MaxwellError::PolicyListInvalid
        );
        require!(
            0 <= self.trigger_health
                && self.trigger_health < self.target_health
                && self.max_per_move > 0
                && self.max_per_move <= self.max_per_day,
            MaxwellError::PolicyInvalid
        );
        require!(self.keeper_fee_bps <= KEEPER_FEE_MAX_BPS, MaxwellError::KeeperFeeTooHigh);
        require!(self.max_discount_bps <= CONVERSION_DISCOUNT_MAX_BPS, MaxwellError::ConversionDiscountTooHigh);
        Ok(())
    }
}

impl RebalancePolicy {
    /// Listed accounts first then defaults, feeds only between listed accounts, limits as
    /// `policy_set` validated them, the day's counter within its limit.
    pub fn invariant(&self) -> Result<()> {
        let n = self.accounts.iter().position(|a| *a == Pubkey::default()).unwrap_or(POLICY_MAX_ACCOUNTS);
        require!(n > 0 && self.accounts[n..].iter().all(|a| *a == Pubkey::default()), MaxwellError::PolicyInvariant);
        let mask = if n >= 8 { u8::MAX } else { (1u8 << n) - 1 };
        require!(self.feeds.iter().enumerate().all(|(i, f)| f & !mask == 0 && (i < n || *f == 0)), MaxwellError::PolicyInvariant);
        require!(
            0 <= self.trigger_health
                && self.trigger_health < self.target_health
                && self.max_per_move > 0
                && self.max_per_move <= self.max_per_day
                && self.moved_today <= self.max_per_day
                && self.keeper_fee_bps <= KEEPER_FEE_MAX_BPS
                && self.max_discount_bps <= CONVERSION_DISCOUNT_MAX_BPS,
            MaxwellError::PolicyInvariant
        );
        Ok(())
    }

    /// The account's index in the policy.
    pub fn index_of(&self, account: &Pubkey) -> Result<usize> {
        require_keys_neq!(*account, Pubkey::default(), MaxwellError::PolicyAccountNotListed);
        Ok(self.accounts.iter().position(|a| a == account).ok_or(MaxwellError::PolicyAccountNotListed)?)
    }

    /// The rolling day as of `now`: (`day_start_ts`, `moved_today`) by the engine's rule
    /// (`maxwell_engine::plans::rebalance`); for the WASM client.
    pub fn day_at(&self, now: i64) -> (i64, u64) {
        if maxwell_engine::plans::rebalance::day_over(self.day_start_ts, now) {
            (now, 0)
        } else {
            (self.day_start_ts, self.moved_today)
        }
    }

    /// Value that may still move today at `now` (quote native; the per-move limit aside).
    pub fn day_left(&self, now: i64) -> u64 {
        maxwell_engine::plans::rebalance::day_left(self.max_per_day, self.day_start_ts, self.moved_today, now)
    }

    /// The keeper's fee on a `rebalance_accounts` of `amount` native units (engine rule).
    pub fn keeper_fee(&self, amount: u64) -> Result<u64> {
        Ok(maxwell_engine::plans::rebalance::keeper_fee(amount, self.keeper_fee_bps).map_err(MaxwellError::from)?)
    }
}
