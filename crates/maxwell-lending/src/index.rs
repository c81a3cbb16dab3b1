//! Share accounting by index: values, balance changes, accrual, socialized loss.

use crate::curve::{RateCurve, SECONDS_PER_YEAR};
use crate::BPS;

/// Index fraction bits: `ONE = 2^40` is an index of 1.0 (room for 2^24 of growth in a u64).
pub const ONE_SHIFT: u32 = 40;
pub const ONE: u64 = 1 << ONE_SHIFT;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LendingError {
    Overflow,
    /// A socialized loss larger than what depositors hold (cannot happen while the vault
    /// holds deposits minus borrows; refused rather than wrapped).
    LossExceedsDeposits,
    /// `write_off` of a balance that is not a borrow.
    NotABorrow,
}

/// A bank's indices and share totals. The program stores these fields in `CollateralBank`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankIndex {
    /// Native units per deposit share, Q24.40. Starts at `ONE`; rises with interest, falls
    /// with a socialized loss.
    pub deposit_index: u64,
    /// Native units per borrow share, Q24.40. Starts at `ONE`; only rises.
    pub borrow_index: u64,
    /// Sum of positive account balances plus `fee_shares`.
    pub deposit_shares: u64,
    /// Sum of |negative account balances|.
    pub borrow_shares: u64,
    /// Deposit shares the protocol owns (the interest reserve); part of `deposit_shares`.
    pub fee_shares: u64,
    /// Unix seconds of the last accrual.
    pub last_accrual_ts: i64,
}

/// What one accrual did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accrual {
    pub seconds: u64,
    pub utilization_bps: u64,
    pub borrow_rate_bps: u64,
    /// Interest borrowers now owe in addition, native units (floor).
    pub interest: u64,
}

fn mul_q(shares: u64, index: u64) -> u128 {
    u128::from(shares) * u128::from(index)
}

/// `floor(native x ONE / index)`; exact identity at index `ONE` (no 128-bit division).
fn shares_floor(native: u64, index: u64) -> Result<u64, LendingError> {
    if index == ONE {
        return Ok(native);
    }
    u64::try_from((u128::from(native) << ONE_SHIFT) / u128::from(index)).map_err(|_| LendingError::Overflow)
}

/// `ceil(native x ONE / index)`.
fn shares_ceil(native: u64, index: u64) -> Result<u64, LendingError> {
    if index == ONE {
        return Ok(native);
    }
    u64::try_from((u128::from(native) << ONE_SHIFT).div_ceil(u128::from(index))).map_err(|_| LendingError::Overflow)
}

fn to_i64(x: u64) -> Result<i64, LendingError> {
    i64::try_from(x).map_err(|_| LendingError::Overflow)
}

impl BankIndex {
    pub fn new(now: i64) -> Self {
        BankIndex { deposit_index: ONE, borrow_index: ONE, deposit_shares: 0, borrow_shares: 0, fee_shares: 0, last_accrual_ts: now }
    }

    /// Native units `shares` deposit shares own, rounded down.
    pub fn deposit_value(&self, shares: u64) -> Result<u64, LendingError> {
        u64::try_from(mul_q(shares, self.deposit_index) >> ONE_SHIFT).map_err(|_| LendingError::Overflow)
    }

    /// Native units `shares` borrow shares owe, rounded up.
    pub fn borrow_value(&self, shares: u64) -> Result<u64, LendingError> {
        u64::try_from(mul_q(shares, self.borrow_index).div_ceil(u128::from(ONE))).map_err(|_| LendingError::Overflow)
    }

    /// Signed native value of an account balance (shares; negative = borrow), against the
    /// account: deposits rounded down, borrows rounded up in magnitude.
    pub fn value(&self, balance: i64) -> Result<i64, LendingError> {
        if balance >= 0 {
            to_i64(self.deposit_value(balance.unsigned_abs())?)
        } else {
            Ok(-to_i64(self.borrow_value(balance.unsigned_abs())?)?)
        }
    }

    /// What depositors (accounts and the reserve) are owed, native, rounded down.
    pub fn total_deposits(&self) -> Result<u64, LendingError> {
        self.deposit_value(self.deposit_shares)
    }

    /// What borrowers owe, native, rounded up.
    pub fn total_borrows(&self) -> Result<u64, LendingError> {
        self.borrow_value(self.borrow_shares)
    }

    /// Borrows / deposits in bps, at most 10_000.
    pub fn utilization_bps(&self) -> u64 {
        let b = mul_q(self.borrow_shares, self.borrow_index);
        let d = mul_q(self.deposit_shares, self.deposit_index);
        if b == 0 {
            return 0;
        }
        if d == 0 {
            return BPS;
        }
        (b.saturating_mul(u128::from(BPS)) / d).min(u128::from(BPS)) as u64
    }

    /// Adds `delta` native units to an account balance of `balance` shares and returns the
    /// new balance in shares; the share totals follow. Rounding is against the account:
    /// value added buys shares rounded down, value taken burns shares rounded up, a new borrow
    /// is rounded up.
    pub fn change(&mut self, balance: i64, delta: i64) -> Result<i64, LendingError> {
        if delta == 0 {
            return Ok(balance);
        }
        let (di, bi) = (self.deposit_index, self.borrow_index);
        let d = delta.unsigned_abs();
        let old_value = self.value(balance)?;
        let new_value = old_value.checked_add(delta).ok_or(LendingError::Overflow)?;
        let new = if balance >= 0 && new_value >= 0 {
            if delta > 0 { balance.checked_add(to_i64(shares_floor(d, di)?)?) } else { balance.checked_sub(to_i64(shares_ceil(d, di)?)?) }
                .ok_or(LendingError::Overflow)?
                .max(0)
        } else if balance <= 0 && new_value <= 0 {
            if delta < 0 { balance.checked_sub(to_i64(shares_ceil(d, bi)?)?) } else { balance.checked_add(to_i64(shares_floor(d, bi)?)?) }
                .ok_or(LendingError::Overflow)?
                .min(0)
        } else if new_value > 0 {
            // Crosses zero: the whole balance is re-shared at the other side's index.
            to_i64(shares_floor(new_value.unsigned_abs(), di)?)?
        } else {
            -to_i64(shares_ceil(new_value.unsigned_abs(), bi)?)?
        };
        self.move_shares(balance, new)?;
        Ok(new)
    }

    /// Keeps the share totals equal to the sums of the balances when one goes `old -> new`.
    fn move_shares(&mut self, old: i64, new: i64) -> Result<(), LendingError> {
        let pos = |x: i64| x.max(0).unsigned_abs();
        let neg = |x: i64| x.min(0).unsigned_abs();
        // Checked both ways: share totals come from caller-sized balances.
        self.deposit_shares =
            self.deposit_shares.checked_add(pos(new)).and_then(|t| t.checked_sub(pos(old))).ok_or(LendingError::Overflow)?;
        self.borrow_shares =
            self.borrow_shares.checked_add(neg(new)).and_then(|t| t.checked_sub(neg(old))).ok_or(LendingError::Overflow)?;
        Ok(())
    }

    /// Brings the indices to `now` (at most one year per step: a bank untouched for longer
    /// accrues one year). Headroom: the Q24.40 index grows 2^24-fold before it overflows
    /// (then every instruction on the bank fails with an overflow, nothing wraps): about 3
    /// years at 100% utilization and the highest allowed rate (500%), decades at normal rates. Borrowers pay `rate x dt` on the borrow index (rounded up);
    /// depositors receive it less the reserve share, which becomes `fee_shares`.
    pub fn accrue(&mut self, curve: &RateCurve, now: i64) -> Result<Accrual, LendingError> {
        if now <= self.last_accrual_ts {
            return Ok(Accrual::default());
        }
        let dt = ((now - self.last_accrual_ts) as u64).min(SECONDS_PER_YEAR);
        self.last_accrual_ts = now;
        let util = self.utilization_bps();
        let rate = curve.borrow_rate_bps(util);
        let mut out = Accrual { seconds: dt, utilization_bps: util, borrow_rate_bps: rate, interest: 0 };
        if self.borrow_shares == 0 || rate == 0 {
            return Ok(out);
        }
        // Rounded down: depositors are credited exactly what borrowers are charged below, so
        // the rounding moves no value; a step too small to move the index keeps its time.
        let dbi = (u128::from(self.borrow_index) * u128::from(rate) * u128::from(dt)) / (u128::from(BPS) * u128::from(SECONDS_PER_YEAR));
        let dbi = u64::try_from(dbi).map_err(|_| LendingError::Overflow)?;
        if dbi == 0 {
            self.last_accrual_ts -= dt as i64;
            return Ok(Accrual { seconds: 0, ..out });
        }
        self.borrow_index = self.borrow_index.checked_add(dbi).ok_or(LendingError::Overflow)?;
        // What borrowers owe in addition, Q40 native units (exact).
        let interest_q = mul_q(self.borrow_shares, dbi);
        out.interest = u64::try_from(interest_q >> ONE_SHIFT).map_err(|_| LendingError::Overflow)?;
        if self.deposit_shares == 0 {
            return Ok(out);
        }
        // Depositors' index takes the interest less the reserve; the reserve becomes deposit
        // shares at the new index (both rounded down).
        let fee_q = interest_q * u128::from(curve.reserve_bps) / u128::from(BPS);
        let value_q = mul_q(self.deposit_shares, self.deposit_index) + interest_q - fee_q;
        self.deposit_index = u64::try_from(value_q / u128::from(self.deposit_shares)).map_err(|_| LendingError::Overflow)?;
        let fee_shares = u64::try_from(fee_q / u128::from(self.deposit_index)).map_err(|_| LendingError::Overflow)?;
        self.deposit_shares = self.deposit_shares.checked_add(fee_shares).ok_or(LendingError::Overflow)?;
        self.fee_shares = self.fee_shares.checked_add(fee_shares).ok_or(LendingError::Overflow)?;
        Ok(out)
    }

    /// The indices `accrue` would produce at `now`, without writing (health reads this).
    pub fn at(&self, curve: &RateCurve, now: i64) -> Result<BankIndex, LendingError> {
        let mut copy = *self;
        copy.accrue(curve, now)?;
        Ok(copy)
    }

    /// Removes a borrow of `balance` (< 0) shares from the books and returns what it owed
    /// (native, rounded up): the caller socializes it or has covered it.
    pub fn write_off(&mut self, balance: i64) -> Result<u64, LendingError> {
        if balance >= 0 {
            return Err(LendingError::NotABorrow);
        }
        let owed = self.borrow_value(balance.unsigned_abs())?;
        self.move_shares(balance, 0)?;
        Ok(owed)
    }

    /// Spreads a loss of `loss` native units over every depositor by lowering the deposit
    /// index (rounded down: depositors absorb at least `loss`).
    pub fn socialize(&mut self, loss: u64) -> Result<(), LendingError> {
        if loss == 0 {
            return Ok(());
        }
        let value_q = mul_q(self.deposit_shares, self.deposit_index);
        let loss_q = u128::from(loss) << ONE_SHIFT;
        if self.deposit_shares == 0 || loss_q > value_q {
            return Err(LendingError::LossExceedsDeposits);
        }
        self.deposit_index = ((value_q - loss_q) / u128::from(self.deposit_shares)) as u64;
        Ok(())
    }
}
