use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::BankruptcyLog;
use crate::health::{cache_health, compute_health};
use crate::oracle::Freshness;
use crate::state::{CollateralBank, Exchange, IxGate, MarginAccount};

#[derive(Accounts)]
pub struct BankruptcyResolve<'info> {
    pub keeper: Signer<'info>,
    pub exchange: AccountLoader<'info, Exchange>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub account: AccountLoader<'info, MarginAccount>,
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub bank: AccountLoader<'info, CollateralBank>,
    /// The exchange's insurance fund account (`Exchange::insurance_vault`).
    #[account(mut, has_one = exchange @ MaxwellError::WrongExchange)]
    pub insurance: AccountLoader<'info, MarginAccount>,
}

/// Keeper (anyone): closes the hole of a bankrupt account in one bank. Bankrupt = no option
/// positions left (liquidated or settled) and no positive balance anywhere: nothing is left to
/// take, and it still owes this bank. The insurance fund pays first (quote bank: from its
/// quote deposit); what remains is written off and socialized over the bank's depositors by
/// lowering the deposit index. Value is conserved: the vault is untouched, the debt and the
/// depositors' claims fall by the same amount; owed = covered + socialized to the unit.
/// Remaining accounts: the account's health accounts (its remaining slots), for its health.
pub fn bankruptcy_resolve<'info>(ctx: Context<'info, BankruptcyResolve<'info>>) -> Result<()> {
    let ex = ctx.accounts.exchange.load()?;
    ex.require_enabled(IxGate::Bankruptcy)?;
    require_keys_eq!(ctx.accounts.insurance.key(), ex.insurance_vault, MaxwellError::WrongInsuranceAccount);
    require_keys_neq!(ctx.accounts.insurance.key(), ctx.accounts.account.key(), MaxwellError::InsuranceIsTarget);
    let now = Clock::get()?.unix_timestamp;

    let mut acc = ctx.accounts.account.load_mut()?;
    require!(acc.is_bankrupt(), MaxwellError::NotBankrupt);
    let (owed, covered, socialized, index_before, index_after) = {
        let mut bank = ctx.accounts.bank.load_mut()?;
        bank.accrue(now)?;
        let i = acc.slot_index(bank.bank_index).ok_or(MaxwellError::NotBankrupt)?;
        let owed = bank.value(acc.collateral[i].balance)?.unsigned_abs();
        require!(owed > 0, MaxwellError::NotBankrupt);
        let index_before = bank.deposit_index;

        // 1. The insurance fund (quote only) pays what it can: its deposit shares are burned
        // (rounded against the fund).
        let mut covered = 0u64;
        if bank.is_quote == 1 {
            let mut ins = ctx.accounts.insurance.load_mut()?;
            let fund = ins.slot_index(bank.bank_index).map_or(Ok(0), |j| bank.value(ins.collateral[j].balance))?;
            covered = owed.min(fund.max(0).unsigned_abs());
            let c = i64::try_from(covered).map_err(|_| MaxwellError::MathOverflow)?;
            ins.move_balance(&mut bank, -c, now)?;
            // The fund has no health check: an emptied slot is freed now.
            ins.release_empty_slots();
            ins.invariant()?;
        }

        // 2. The whole debt is written off in one step; what the fund did not pay is socialized
        // over the depositors. owed = covered + socialized to the unit (repaying through the
        // account's shares first would round the remainder up by a unit: found by
        // scripts/crash-sim.ts).
        let (written, socialized) = bank.write_off_borrow(acc.collateral[i].balance, covered)?;
        require!(written == owed, MaxwellError::BankInvariant);
        acc.collateral[i].balance = 0;
        bank.invariant()?;
        (owed, covered, socialized, index_before, bank.deposit_index)
    };

    let clock = Clock::get()?;
    let h = compute_health(&ctx.accounts.exchange.key(), &ex, &acc, ctx.remaining_accounts, now, Freshness::Lenient)?;
    cache_health(&mut acc, &h, &clock);
    acc.invariant()?;
    emit!(BankruptcyLog {
        exchange: ctx.accounts.exchange.key(),
        account: ctx.accounts.account.key(),
        bank: ctx.accounts.bank.key(),
        keeper: ctx.accounts.keeper.key(),
        owed,
        covered_by_insurance: covered,
        socialized,
        deposit_index_before: index_before,
        deposit_index_after: index_after,
    });
    Ok(())
}
