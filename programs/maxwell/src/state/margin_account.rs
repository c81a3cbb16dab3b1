use anchor_lang::prelude::*;

use crate::constants::*;
use crate::error::MaxwellError;

/// A cross-margin account (PDA `["margin", exchange, owner, id_le_u32]`).
/// Fixed capacity: 16 collateral slots, 128 option positions.
#[account(zero_copy)]
#[repr(C)]
pub struct MarginAccount {
    /// ABI: offset 8.
    pub exchange: Pubkey,
    /// ABI: offset 40.
    pub owner: Pubkey,
    /// May deposit and trade, never withdraw. Default = none.
    pub delegate: Pubkey,
    pub id: u32,
    pub bump: u8,
    pub _pad0: [u8; 3],
    /// Unix seconds at creation (reputation uses the account's age).
    pub created_ts: i64,
    /// Health cached by the last instruction that touched the account, quote native units.
    pub init_health: i64,
    pub maint_health: i64,
    /// Slot of that computation.
    pub health_slot: u64,
    pub collateral: [CollateralSlot; MAX_COLLATERAL_SLOTS],
    pub positions: [Position; MAX_POSITIONS],
    /// Unix seconds of the last liquidation of this account (0 = never): reputation.
    pub last_liquidation_ts: i64,
    /// Unix seconds an instruction last found maintenance health negative (0 = never).
    pub last_breach_ts: i64,
    /// Reputation (`maxwell_engine::reputation`): credited seconds of clean risk carrying,
    /// unix seconds of the last observation while carrying risk (0 = no clock running), and the
    /// largest requirement carried cleanly across an interval and the requirement at the last
    /// observation (quote native).
    pub rep_clean_secs: i64,
    pub rep_last_obs_ts: i64,
    pub rep_peak_req: i64,
    pub rep_last_req: i64,
    pub reserved: [u8; 464],
}
const _: () =
    assert!(core::mem::size_of::<MarginAccount>() == 3 * 32 + 8 + 4 * 8 + MAX_COLLATERAL_SLOTS * 16 + MAX_POSITIONS * 24 + 6 * 8 + 464);

/// A collateral balance in one bank, in that bank's shares (native units = shares x the
/// bank's deposit index, or borrow index when negative); negative = borrowed.
#[zero_copy]
#[repr(C)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CollateralSlot {
    pub balance: i64,
    pub bank_index: u16,
    /// 1 while the slot is used. An unused slot always has balance 0.
    pub in_use: u8,
    pub _pad: [u8; 5],
}

/// An option position (filled in by the markets instructions).
#[zero_copy]
#[repr(C)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// Contracts, signed: negative = short.
    pub size: i64,
    /// Premium paid (+) or received (-) for the open size, quote native units.
    pub cost_basis: i64,
    pub underlying_index: u16,
    pub series_index: u16,
    pub in_use: u8,
    pub _pad: u8,
    /// The series slot's generation when the position opened (`SeriesInfo::generation`): a
    /// position of another generation is a retired expiry's leftover (worth zero, see
    /// `expiry_retire`), never read against the series listed in the recycled slot.
    pub generation: u16,
}

impl MarginAccount {
    pub fn is_owner_or_delegate(&self, key: &Pubkey) -> bool {
        *key == self.owner || (self.delegate != Pubkey::default() && *key == self.delegate)
    }

    pub fn slot_index(&self, bank_index: u16) -> Option<usize> {
        self.collateral.iter().position(|s| s.in_use == 1 && s.bank_index == bank_index)
    }

    /// The slot for `bank_index`, taking a free one if the account has none yet. Slot 0 is
    /// reserved for the quote bank ([`QUOTE_SLOT`]): a liquidation, a settlement or the
    /// insurance fund's share always finds a place for quote, whatever the owner (or a dust
    /// depositor) put in the other fifteen.
    pub fn slot_index_or_open(&mut self, bank_index: u16, is_quote: bool) -> Result<usize> {
        if let Some(i) = self.slot_index(bank_index) {
            return Ok(i);
        }
        let first = if is_quote { QUOTE_SLOT } else { QUOTE_SLOT + 1 };
        let i = first + self.collateral[first..].iter().position(|s| s.in_use == 0).ok_or(MaxwellError::CollateralSlotsFull)?;
        self.collateral[i] = CollateralSlot { balance: 0, bank_index, in_use: 1, _pad: [0; 5] };
        Ok(i)
    }

    /// [`Self::move_balance`] for an action the owner chose that may borrow (a premium paid, a
    /// debt taken over): a balance that goes below zero or further below is a borrow, and the
    /// bank's borrow cap applies (a cap of 0 = the bank does not lend).
    pub fn move_balance_borrowing(&mut self, bank: &mut super::CollateralBank, delta: i64, now: i64) -> Result<i64> {
        let before = self.slot_index(bank.bank_index).map_or(0, |i| self.collateral[i].balance);
        let new = self.move_balance(bank, delta, now)?;
        if new < 0 && new < before {
            bank.require_borrow_cap()?;
        }
        Ok(new)
    }

    /// Adds `delta` native units to the account's balance in `bank` (negative = a borrow, or
    /// more of one), accruing the bank's interest to `now` first. Returns the new balance in
    /// shares. Opens the slot if needed; a slot back at zero stays in use until the health
    /// check is done (`release_empty_slots`, called by `health::finish_account`).
    pub fn move_balance(&mut self, bank: &mut super::CollateralBank, delta: i64, now: i64) -> Result<i64> {
        if delta == 0 {
            return Ok(self.slot_index(bank.bank_index).map_or(0, |i| self.collateral[i].balance));
        }
        let i = self.slot_index_or_open(bank.bank_index, bank.is_quote == 1)?;
        let new = bank.change_balance(self.collateral[i].balance, delta, now)?;
        self.collateral[i].balance = new;
        Ok(new)
    }

    /// Frees every slot whose balance is zero (after the instruction's health check).
    pub fn release_empty_slots(&mut self) {
        for i in 0..self.collateral.len() {
            self.release_if_empty(i);
        }
    }

    pub fn rep_state(&self) -> maxwell_engine::reputation::RepState {
        maxwell_engine::reputation::RepState {
            clean_secs: self.rep_clean_secs,
            last_obs_ts: self.rep_last_obs_ts,
            peak_req: self.rep_peak_req,
            last_req: self.rep_last_req,
        }
    }

    pub fn set_rep_state(&mut self, r: maxwell_engine::reputation::RepState) {
        self.rep_clean_secs = r.clean_secs;
        self.rep_last_obs_ts = r.last_obs_ts;
        self.rep_peak_req = r.peak_req;
        self.rep_last_req = r.last_req;
    }

    /// Frees a slot whose balance went to zero, so it needs no health accounts.
    pub fn release_if_empty(&mut self, i: usize) {
        if self.collateral[i].balance == 0 {
            self.collateral[i] = CollateralSlot::default();
        }
    }

    /// The position in (`underlying`, `series`), whatever its generation.
    pub fn position_in(&self, underlying: u16, series: u16) -> Option<&Position> {
        self.positions.iter().find(|p| p.in_use == 1 && p.underlying_index == underlying && p.series_index == series)
    }

    /// Adds `size` contracts (and `cost` quote native units of premium) to the position in
    /// (`underlying`, `series`, `generation`), opening or releasing its slot. Returns (size
    /// before, after). A leftover of an earlier generation in the same series slot is refused
    /// (`PositionSeriesRecycled`): `account_settle` removes it first.
    pub fn add_position(&mut self, underlying: u16, series: u16, generation: u16, size: i64, cost: i64) -> Result<(i64, i64)> {
        let found = self.positions.iter().position(|p| p.in_use == 1 && p.underlying_index == underlying && p.series_index == series);
        let i = match found {
            Some(i) => {
                require!(self.positions[i].generation == generation, MaxwellError::PositionSeriesRecycled);
                i
            }
            None => {
                let i = self.positions.iter().position(|p| p.in_use == 0).ok_or(MaxwellError::PositionsFull)?;
                self.positions[i] =
                    Position { underlying_index: underlying, series_index: series, in_use: 1, generation, ..Position::default() };
                i
            }
        };
        let p = &mut self.positions[i];
        let before = p.size;
        p.size = before.checked_add(size).ok_or(MaxwellError::MathOverflow)?;
        p.cost_basis = p.cost_basis.checked_add(cost).ok_or(MaxwellError::MathOverflow)?;
        let after = p.size;
        if after == 0 {
            self.positions[i] = Position::default();
        }
        Ok((before, after))
    }

    /// Bankrupt (`bankruptcy_resolve`'s precondition): no option position and no positive
    /// balance anywhere, so nothing is left to take; it owes every bank of [`Self::debts`].
    pub fn is_bankrupt(&self) -> bool {
        self.positions.iter().all(|p| p.in_use == 0) && self.collateral.iter().all(|s| s.balance <= 0)
    }

    /// The banks the account owes (slots with a negative balance), in slot order.
    pub fn debts(&self) -> impl Iterator<Item = u16> + '_ {
        self.collateral.iter().filter(|s| s.in_use == 1 && s.balance < 0).map(|s| s.bank_index)
    }

    pub fn is_empty(&self) -> bool {
        self.collateral.iter().all(|s| s.in_use == 0) && self.positions.iter().all(|p| p.in_use == 0)
    }

    pub fn invariant(&self) -> Result<()> {
        let ramp = maxwell_engine::reputation::RAMP_SECS;
        require!((0..=ramp).contains(&self.rep_clean_secs) && self.rep_peak_req >= 0, MaxwellError::MarginAccountInvariant);
        // On the hot path (every margin check): one branch per slot. A slot in use holds a
        // nonzero size; a free slot is all zero (size and cost basis checked; the indexes of a
        // free slot are never read).
        let ok = self.positions.iter().all(|p| match p.in_use {
            1 => p.size != 0,
            0 => p.size | p.cost_basis == 0,
            _ => false,
        });
        require!(ok, MaxwellError::MarginAccountInvariant);
        for (i, s) in self.collateral.iter().enumerate() {
            if s.in_use == 0 {
                require!(s.balance == 0, MaxwellError::MarginAccountInvariant);
                continue;
            }
            let dup = self.collateral[i + 1..].iter().any(|o| o.in_use == 1 && o.bank_index == s.bank_index);
            require!(!dup, MaxwellError::MarginAccountInvariant);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank(bank_index: u16, is_quote: bool) -> (u16, bool) {
        (bank_index, is_quote)
    }

    /// Fifteen tokens fill every slot but the quote's: a sixteenth token is refused, the quote
    /// still opens (slot 0), so no owner can block a liquidation or settlement paying quote.
    #[test]
    fn the_quote_slot_is_reserved() {
        let mut a: MarginAccount = bytemuck::Zeroable::zeroed();
        for k in 1..MAX_COLLATERAL_SLOTS as u16 {
            let (i, q) = bank(k, false);
            assert_eq!(a.slot_index_or_open(i, q).unwrap(), usize::from(k));
        }
        let (i, q) = bank(99, false);
        assert!(a.slot_index_or_open(i, q).is_err(), "a sixteenth token");
        let (i, q) = bank(0, true);
        assert_eq!(a.slot_index_or_open(i, q).unwrap(), QUOTE_SLOT);
        assert_eq!(a.slot_index_or_open(i, q).unwrap(), QUOTE_SLOT, "found, not opened twice");
        a.invariant().unwrap();
    }
}
