//! Lending on the real maxwell.so: borrowing through withdraw, interest by index from the
//! kinked curve (lazily and by the accrue_interest crank), caps and liquidity refusals, bank
//! parameters; conservation (vault = deposits - borrows, reserve included) after every step.

use maxwell::error::MaxwellError as E;
use maxwell::state::{BankParamsArgs, IxGate, RateCurveArgs};
use tests_litesvm::ix;
use tests_litesvm::world::*;
use tests_litesvm::*;

const YEAR: i64 = 31_536_000;

/// A lender with 10,000 USDC, a borrower with 100 SOL (15,000 USD) as collateral.
fn setup(cap: u64) -> (World, Trader, Trader) {
    let mut w = World::new();
    w.enable_quote_lending(cap);
    let lender = w.trader();
    let borrower = w.trader();
    let (usdc, sol) = (w.usdc, w.sol);
    w.deposit(&lender, &usdc, &lender.usdc_wallet, 10_000 * USDC);
    w.deposit(&borrower, &sol, &borrower.sol_wallet, 100 * SOL);
    w.assert_conservation();
    (w, lender, borrower)
}

fn borrow_ix(w: &World, t: &Trader, amount: u64) -> solana_instruction::Instruction {
    let usdc = w.usdc;
    let health = w.health_accounts_with(&t.account, &[usdc]);
    ix::withdraw(&t.key, &t.account, &usdc, &t.usdc_wallet, amount, &health)
}

#[test]
fn borrowing_accrues_interest_by_index_for_depositors_and_the_reserve() {
    let (mut w, lender, borrower) = setup(100_000 * USDC);
    let usdc = w.usdc;
    let wallet_before = w.env.token_amount(&borrower.usdc_wallet);
    w.env.ok(&[borrow_ix(&w, &borrower, 5_000 * USDC)], &[&borrower.kp]);
    assert_eq!(w.env.token_amount(&borrower.usdc_wallet) - wallet_before, 5_000 * USDC);
    assert_eq!(w.balance(&borrower.account, &usdc), -5_000 * USDC as i64);
    assert_eq!(w.bank(&usdc).index().utilization_bps(), 5_000);
    w.assert_conservation();

    // One year at 50% utilization: 2% + 8% x 50/80 = 7% a year. Borrowers owe 350 more;
    // depositors get 90% of it (315), the reserve 10% (35).
    w.env.advance(YEAR);
    w.env.ok(&[w.accrue_ix(&usdc)], &[]);
    let bank = w.bank(&usdc);
    let owed = -w.balance(&borrower.account, &usdc);
    assert!((5_350 * USDC as i64..=5_350 * USDC as i64 + 1).contains(&owed), "owed {owed}");
    let lent = w.balance(&lender.account, &usdc);
    assert!((10_315 * USDC as i64 - 2..=10_315 * USDC as i64).contains(&lent), "lender {lent}");
    let reserve = bank.index().deposit_value(bank.fee_shares).unwrap();
    assert!((35 * USDC - 2..=35 * USDC).contains(&reserve), "reserve {reserve}");
    assert_eq!(bank.last_accrual_ts, w.env.now());
    w.assert_conservation();

    // Lazily too: the next balance change accrues first (a second year, now at ~52% util).
    w.env.advance(YEAR);
    w.deposit(&lender, &usdc, &lender.usdc_wallet, USDC);
    assert_eq!(w.bank(&usdc).last_accrual_ts, w.env.now());
    assert!(-w.balance(&borrower.account, &usdc) > owed + 350 * USDC as i64);
    w.assert_conservation();

    // Repaying the debt in full (a deposit of what is owed) frees the slot.
    let owed = -w.balance(&borrower.account, &usdc) as u64;
    w.deposit(&borrower, &usdc, &borrower.usdc_wallet, owed);
    assert_eq!(w.shares(&borrower.account, &usdc), 0);
    assert_eq!(w.bank(&usdc).borrow_shares, 0);
    w.assert_conservation();
}

#[test]
fn interest_lowers_the_borrowers_health_as_time_passes() {
    let (mut w, _, borrower) = setup(100_000 * USDC);
    w.env.ok(&[borrow_ix(&w, &borrower, 5_000 * USDC)], &[&borrower.kp]);
    let (h0, _) = w.health_of(&borrower.account, None);
    w.env.advance(YEAR / 4);
    w.set_sol_price(SOL_PRICE); // a fresh oracle at the same price
    let (h1, _) = w.health_of(&borrower.account, None);
    // A quarter at 7% on 5,000: 87.5 USDC more owed (quote's liability weight is 1).
    let drop = h0.init_health - h1.init_health;
    assert!((87_500_000..=87_500_001).contains(&drop), "drop {drop}");
}

#[test]
fn lending_refusals_change_nothing() {
    let (mut w, lender, borrower) = setup(6_000 * USDC);
    let usdc = w.usdc;
    w.env.ok(&[borrow_ix(&w, &borrower, 5_000 * USDC)], &[&borrower.kp]);
    let watched = [lender.account, borrower.account, usdc.bank, usdc.vault];

    // Beyond the borrow cap (5,000 + 1,500 > 6,000).
    let i = borrow_ix(&w, &borrower, 1_500 * USDC);
    w.env.fails_with(&[i], &[&borrower.kp], code(E::BorrowCapExceeded), &watched);
    // The lender's 10,000 are half lent out: the vault holds 5,000.
    let i = ix::withdraw(&lender.key, &lender.account, &usdc, &lender.usdc_wallet, 6_000 * USDC, &w.health_accounts(&lender.account));
    w.env.fails_with(&[i], &[&lender.kp], code(E::InsufficientVaultLiquidity), &watched);
    // Borrowing beyond initial margin: 100 SOL at 80% = 12,000 < 5,000 + 7,500 owed.
    w.enable_quote_lending(100_000 * USDC);
    let other = w.trader();
    let (usdc_b, sol) = (w.usdc, w.sol);
    w.deposit(&other, &usdc_b, &other.usdc_wallet, 20_000 * USDC);
    let i = borrow_ix(&w, &borrower, 7_500 * USDC);
    w.env.fails_with(&[i], &[&borrower.kp], code(E::InitialMarginViolated), &watched);
    // Borrowing is off where the cap is 0 (the SOL bank): a plain insufficient balance.
    let h = w.health_accounts(&borrower.account);
    let i = ix::withdraw(&borrower.key, &borrower.account, &sol, &borrower.sol_wallet, 101 * SOL, &h);
    w.env.fails_with(&[i], &[&borrower.kp], code(E::InsufficientBalance), &watched);
    w.assert_conservation();
}

#[test]
fn rate_curves_out_of_bounds_are_refused_and_the_crank_is_gated() {
    let (mut w, _, _) = setup(6_000 * USDC);
    let usdc = w.usdc;
    let admin = w.admin_pk();
    let admin_kp = w.admin.insecure_clone();
    let base = BankParamsArgs { borrow_cap: 6_000 * USDC, rate: LENDING_CURVE, ..quote_bank_params() };
    let curve = |r: RateCurveArgs| BankParamsArgs { rate: r, ..base };
    let cases = [
        (curve(RateCurveArgs { kink_util_bps: 500, ..LENDING_CURVE }), E::RateKinkOutOfBounds),
        (curve(RateCurveArgs { kink_util_bps: 10_000, ..LENDING_CURVE }), E::RateKinkOutOfBounds),
        (curve(RateCurveArgs { base_rate_bps: 2_000, ..LENDING_CURVE }), E::RatesNotIncreasing),
        (curve(RateCurveArgs { max_rate_bps: 900, ..LENDING_CURVE }), E::RatesNotIncreasing),
        (curve(RateCurveArgs { kink_rate_bps: 60_000, max_rate_bps: 60_000, ..LENDING_CURVE }), E::RateTooHigh),
        (curve(RateCurveArgs { reserve_bps: 6_000, ..LENDING_CURVE }), E::RateReserveTooHigh),
        (BankParamsArgs { deposit_cap: 0, ..base }, E::DepositCapZero),
    ];
    for (params, err) in cases {
        let i = w.bank_set_params_ix(&admin, &usdc, params);
        w.env.fails_with(&[i], &[&admin_kp], code(err), &[usdc.bank]);
    }
    // Only the admin sets parameters.
    let stranger = w.trader();
    let i = w.bank_set_params_ix(&stranger.key, &usdc, base);
    w.env.fails_with(&[i], &[&stranger.kp], code(E::NotAdmin), &[usdc.bank]);
    // A SOL bank cannot switch feed.
    let sol = w.sol;
    let i = w.bank_set_params_ix(&admin, &sol, bank_params(tests_litesvm::pyth::feed(0x51)));
    w.env.fails_with(&[i], &[&admin_kp], code(E::BankFeedIdChanged), &[sol.bank]);
    // The interest crank obeys the kill switch.
    w.env.ok(&[ix::ix_gate_set(&admin, &w.exchange, 1 << IxGate::AccrueInterest as u8)], &[&admin_kp]);
    w.env.advance(60);
    w.env.fails_with(&[w.accrue_ix(&usdc)], &[], code(E::InstructionDisabled), &[usdc.bank]);
}
