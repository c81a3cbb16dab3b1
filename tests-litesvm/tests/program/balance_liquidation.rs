//! Balance liquidation on the real maxwell.so: a spot borrower (SOL deposit, USDC borrow, no
//! options) after a fall is taken back to maintenance health zero and not further; after a
//! crash to negative equity everything positive is taken, then bankruptcy pays from the
//! insurance fund and socializes the rest exactly. Every refusal has its own code and changes
//! nothing. Conservation after every step.

use maxwell::error::MaxwellError as E;
use maxwell::events::{BalanceLiquidateLog, BankruptcyLog};
use maxwell::state::IxGate;
use tests_litesvm::ix;
use tests_litesvm::world::*;
use tests_litesvm::*;

const SOL_AT: fn(i64) -> i64 = |dollars| dollars * 100_000_000;

struct Setup {
    w: World,
    borrower: Trader,
    liq: Trader,
    ins: Pk,
}

/// A lender (50,000 USDC), a borrower (100 SOL, borrows `borrow` USDC at $150), a liquidator
/// (50,000 USDC), an insurance fund holding `fund` USDC.
fn setup(borrow: u64, fund: u64) -> Setup {
    let mut w = World::new();
    w.enable_quote_lending(1_000_000 * USDC);
    let ins = w.insurance();
    let (lender, borrower, liq) = (w.trader(), w.trader(), w.trader());
    let (usdc, sol) = (w.usdc, w.sol);
    w.deposit(&lender, &usdc, &lender.usdc_wallet, 50_000 * USDC);
    w.deposit(&liq, &usdc, &liq.usdc_wallet, 50_000 * USDC);
    w.deposit(&borrower, &sol, &borrower.sol_wallet, 100 * SOL);
    if fund > 0 {
        let h = w.health_accounts_with(&ins, &[usdc]);
        w.env.ok(&[ix::deposit(&lender.key, &ins, &usdc, &lender.usdc_wallet, fund, &h)], &[&lender.kp]);
    }
    let i = w.withdraw_ix(&borrower, &usdc, &borrower.usdc_wallet, borrow);
    w.env.ok(&[i], &[&borrower.kp]);
    assert_eq!(w.balance(&borrower.account, &usdc), -(borrow as i64));
    w.assert_conservation();
    Setup { w, borrower, liq, ins }
}

fn set_sol(w: &mut World, dollars: i64) {
    w.set_sol_price(SOL_AT(dollars));
}

#[test]
fn spot_borrower_after_a_fall_is_taken_back_to_zero_and_no_further() {
    let Setup { mut w, borrower, liq, ins } = setup(8_500 * USDC, 0);
    let (usdc, sol) = (w.usdc, w.sol);
    set_sol(&mut w, 90); // -40%: 100 x 90 x 0.9 = 8,100 against 8,500
    let (pre, _) = w.health_of(&borrower.account, None);
    assert_eq!(pre.maint_health, 8_100 * USDC as i64 - 8_500 * USDC as i64);

    let (b_usdc, b_sol) = (w.balance(&borrower.account, &usdc), w.balance(&borrower.account, &sol));
    let (l_usdc, l_sol, i_usdc) = (w.balance(&liq.account, &usdc), w.balance(&liq.account, &sol), w.balance(&ins, &usdc));
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &sol, &usdc, &ins, u64::MAX);
    let r = w.env.ok_big(&[i], &[&liq.kp]);
    let log: BalanceLiquidateLog = r.event().expect("BalanceLiquidateLog");
    println!("balance_liquidate: {} CU, take {} debt for {} asset", r.cu, log.liability_amount, log.asset_amount);

    // Penalty within bounds: 100 + 400 x depth, depth = 400 / 8,500 (the debt is the scale).
    assert_eq!(log.penalty_bps, 100 + 400 * 400 / 8_500);
    assert_eq!(log.maint_health_before, pre.maint_health);
    // Every amount moved as logged; the liquidator paid the fund its share in quote.
    let (la, aa, ti) = (log.liability_amount as i64, log.asset_amount as i64, log.to_insurance as i64);
    assert_eq!(w.balance(&borrower.account, &usdc), b_usdc + la);
    assert_eq!(w.balance(&borrower.account, &sol), b_sol - aa);
    assert_eq!(w.balance(&liq.account, &usdc), l_usdc - la - ti);
    assert_eq!(w.balance(&liq.account, &sol), l_sol + aa);
    assert_eq!(w.balance(&ins, &usdc), i_usdc + ti);
    // asset = ceil(debt x (1 + rate) / price): SOL at $90 = 90e6 micro-USDC per 1e9 lamports.
    let want_asset = (la as u128 * (10_000 + log.penalty_bps as u128) * 1_000_000_000).div_ceil(10_000 * 90_000_000);
    assert_eq!(aa as u128, want_asset);
    assert_eq!(log.penalty, (la as u128 * log.penalty_bps as u128).div_ceil(10_000) as u64);
    assert_eq!(log.to_insurance, log.penalty * 2_000 / 10_000);

    // Back to zero and no further: zero plus the plan's 10-unit rounding slack.
    let (post, _) = w.health_of(&borrower.account, None);
    assert_eq!(post.maint_health, log.maint_health_after);
    assert!((0..=12).contains(&post.maint_health), "maint after {}", post.maint_health);
    // Per micro-USDC taken, health gains 1 - 0.9 x (1 + rate): the take is (10 - pre) / gain.
    let gain = 1.0 - 0.9 * (1.0 + log.penalty_bps as f64 / 1e4);
    let exact = (400e6 + 10.0) / gain;
    assert!((la as f64 - exact).abs() < 12.0, "took {la}, exact {exact}");
    w.assert_conservation();

    // Restored: a second liquidation is refused.
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &sol, &usdc, &ins, u64::MAX);
    w.env.fails_with(&[i], &[&liq.kp], code(E::NotLiquidatable), &[borrower.account, liq.account, usdc.bank, sol.bank]);
}

#[test]
fn negative_equity_everything_taken_then_insurance_then_socialized() {
    let Setup { mut w, borrower, liq, ins } = setup(8_500 * USDC, 1_000 * USDC);
    let (usdc, sol) = (w.usdc, w.sol);
    set_sol(&mut w, 60); // 100 x 60 = 6,000 against 8,500: equity -2,500
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &sol, &usdc, &ins, u64::MAX);
    let r = w.env.ok_big(&[i], &[&liq.kp]);
    let log: BalanceLiquidateLog = r.event().unwrap();
    // Maintenance 6,000 x 0.9 - 8,500 = -3,100 over the debt, 8,500.
    assert_eq!(log.penalty_bps, 100 + 400 * 3_100 / 8_500);
    assert_eq!(log.asset_amount, 100 * SOL, "every lamport taken (the remainder would be dust)");
    assert_eq!(w.shares(&borrower.account, &sol), 0);
    assert!(w.margin(&borrower.account).collateral.iter().filter(|s| s.in_use == 1).count() == 1, "the SOL slot is freed");
    // 100 SOL at $60 buys floor(6,000 / (1 + rate)) USDC of debt.
    assert_eq!(log.liability_amount, (6_000 * USDC as u128 * 10_000 / (10_000 + log.penalty_bps as u128)) as u64);
    w.assert_conservation();

    // Nothing positive is left: bankrupt. The fund pays, the rest is socialized exactly.
    let owed = -w.balance(&borrower.account, &usdc);
    let fund = w.balance(&ins, &usdc);
    let index0 = w.bank(&usdc).deposit_index;
    let r = w.env.ok(&[w.bankruptcy_ix(&liq.key, &borrower.account, &usdc, &ins)], &[&liq.kp]);
    let b: BankruptcyLog = r.event().unwrap();
    assert_eq!(b.owed as i64, owed);
    assert_eq!(b.covered_by_insurance as i64, fund);
    assert_eq!(b.socialized as i64, owed - fund);
    assert_eq!(b.owed, 8_500 * USDC - log.liability_amount, "shortfall = debt - what the SOL bought");
    assert!(w.bank(&usdc).deposit_index < index0);
    assert_eq!(w.shares(&borrower.account, &usdc), 0);
    w.assert_conservation();
}

#[test]
fn refusals_each_with_its_code_and_nothing_changed() {
    let Setup { mut w, borrower, liq, ins } = setup(8_500 * USDC, 0);
    let (usdc, sol) = (w.usdc, w.sol);
    let watched = [borrower.account, liq.account, usdc.bank, sol.bank, ins];
    let kp = liq.kp.insecure_clone();
    // A healthy account (SOL still $150).
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &sol, &usdc, &ins, u64::MAX);
    w.env.fails_with(&[i], &[&kp], code(E::NotLiquidatable), &watched);

    set_sol(&mut w, 90);
    // The same bank on both sides.
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &usdc, &usdc, &ins, u64::MAX);
    w.env.fails_with(&[i], &[&kp], code(E::BalanceSameBank), &watched);
    // An asset bank the liquidatee holds negative (USDC), and one it does not hold.
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &usdc, &sol, &ins, u64::MAX);
    w.env.fails_with(&[i], &[&kp], code(E::BalanceNotAsset), &watched);
    // A liability bank it owes nothing to (a third token it never touched).
    let eth_mint = w.env.create_mint(tests_litesvm::token::spl_token(), 8);
    let eth_oracle = Pk::new_unique();
    let now = w.env.now();
    let f = tests_litesvm::pyth::feed(0x77);
    w.env.write_price(&eth_oracle, tests_litesvm::pyth::Quote::new(f, 300_000_000_000, -8, now));
    let eth = w.add_bank(&eth_mint, Some(eth_oracle), bank_params(f));
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &sol, &eth, &ins, u64::MAX);
    w.env.fails_with(&[i], &[&kp], code(E::BalanceNotLiability), &watched);
    // A zero maximum.
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &sol, &usdc, &ins, 0);
    w.env.fails_with(&[i], &[&kp], code(E::BalanceTakeTooSmall), &watched);
    // The insurance fund as the liquidatee.
    let i = w.balance_liquidate_ix(None, &ins, &liq, &sol, &usdc, &ins, u64::MAX);
    w.env.fails_with(&[i], &[&kp], code(E::InsuranceIsLiquidatee), &watched);
    // The liquidator as the liquidatee.
    let mut self_liq = w.balance_liquidate_ix(None, &borrower.account, &liq, &sol, &usdc, &ins, u64::MAX);
    self_liq.accounts[2].pubkey = addr(&borrower.account);
    w.env.fails_with(&[self_liq], &[&kp], code(E::LiquidatorIsLiquidatee), &watched);
    // A liquidator that would break its own initial margin: 100 USDC against a 4,500 USDC take.
    let poor = w.trader();
    w.deposit(&poor, &usdc, &poor.usdc_wallet, 100 * USDC);
    let i = w.balance_liquidate_ix(None, &borrower.account, &poor, &sol, &usdc, &ins, u64::MAX);
    w.env.fails_with(&[i], &[&poor.kp], code(E::InitialMarginViolated), &[borrower.account, poor.account, usdc.bank, sol.bank]);
    // A stale oracle (two minutes without an update).
    w.env.advance(120);
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &sol, &usdc, &ins, u64::MAX);
    w.env.fails_with(&[i], &[&kp], code(E::OracleStale), &watched);
    set_sol(&mut w, 90);
    // The kill switch.
    let admin = w.admin.insecure_clone();
    w.env.ok(&[ix::ix_gate_set(&w.admin_pk(), &w.exchange, 1 << IxGate::BalanceLiquidate as u8)], &[&admin]);
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &sol, &usdc, &ins, u64::MAX);
    w.env.fails_with(&[i], &[&kp], code(E::InstructionDisabled), &watched);
    w.env.ok(&[ix::ix_gate_set(&w.admin_pk(), &w.exchange, 0)], &[&admin]);
    // Now it goes through.
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &sol, &usdc, &ins, u64::MAX);
    w.env.ok_big(&[i], &[&kp]);
    w.assert_conservation();
}

#[test]
fn the_insurance_fund_accepts_quote_only() {
    let Setup { mut w, borrower, ins, .. } = setup(1_000 * USDC, 0);
    let sol = w.sol;
    let h = w.health_accounts_with(&ins, &[sol]);
    let i = ix::deposit(&borrower.key, &ins, &sol, &borrower.sol_wallet, SOL, &h);
    w.env.fails_with(&[i], &[&borrower.kp], code(E::InsuranceQuoteOnly), &[ins, sol.bank]);
}

#[test]
fn a_premium_that_borrows_quote_obeys_the_borrow_cap() {
    use maxwell::instructions::TradeLeg;
    use tests_litesvm::market::*;
    let mut w = World::new(); // quote borrow cap 0: the bank does not lend
    let m = w.market(&[150 * D]);
    let (writer, buyer) = (w.trader(), w.trader());
    let (usdc, sol) = (w.usdc, w.sol);
    w.deposit(&writer, &usdc, &writer.usdc_wallet, 5_000 * USDC);
    w.deposit(&buyer, &sol, &buyer.sol_wallet, 100 * SOL); // SOL only: the premium would be a quote borrow
    let c = m.series(150 * D, 0);
    let i = w.trade_ix(&m, &writer, &buyer, vec![TradeLeg { series_index: c, size: 1, price: 14 * D }]);
    w.env.fails_with(&[i], &[&writer.kp, &buyer.kp], code(E::BorrowCapExceeded), &[writer.account, buyer.account, usdc.bank]);
    // With a borrow cap (through the queue: the bank has users), the same trade is a borrow
    // within the cap.
    w.bank_set_params(&usdc, maxwell::state::BankParamsArgs { borrow_cap: 1_000_000 * USDC, ..quote_bank_params() });
    w.refresh_all(&m);
    w.trade(&m, &writer, &buyer, vec![TradeLeg { series_index: c, size: 1, price: 14 * D }]);
    assert_eq!(w.balance(&buyer.account, &usdc), -14 * USDC as i64);
    let _ = sol;
    w.assert_conservation();
}

mod writer_with_a_borrow {
    use super::*;
    use maxwell::instructions::{LiquidateLeg, TradeLeg};
    use tests_litesvm::market::*;

    /// A put writer on 10 SOL that withdrew its premium and borrowed USDC up to half its
    /// initial health; then SOL falls from $150 to `dollars`.
    fn writer_after_fall(dollars: i64) -> (World, Market, Trader, Trader, Pk, u16) {
        let mut w = World::new();
        w.enable_quote_lending(1_000_000 * USDC);
        let m = w.market(&[150 * D]);
        let ins = w.insurance();
        let (writer, buyer, liq) = (w.trader(), w.trader(), w.trader());
        let (usdc, sol) = (w.usdc, w.sol);
        w.deposit(&writer, &sol, &writer.sol_wallet, 10 * SOL);
        w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 50_000 * USDC);
        w.deposit(&liq, &usdc, &liq.usdc_wallet, 50_000 * USDC);
        let put = m.series(150 * D, 1);
        w.trade(&m, &writer, &buyer, vec![TradeLeg { series_index: put, size: 10, price: 14 * D }]);
        let (h, _) = w.health_of(&writer.account, Some(&m));
        let take = w.balance(&writer.account, &usdc) as u64 + h.init_health as u64 / 2;
        let mut health = w.health_accounts_with(&writer.account, &[usdc]);
        health.extend([m.underlying, m.oracle]);
        let i = ix::withdraw(&writer.key, &writer.account, &usdc, &writer.usdc_wallet, take, &health);
        w.env.ok_big(&[i], &[&writer.kp]);
        assert!(w.balance(&writer.account, &usdc) < 0, "the writer borrows USDC");
        w.set_sol_price(SOL_AT(dollars));
        w.refresh_all(&m);
        let (h, _) = w.health_of(&writer.account, Some(&m));
        assert!(h.maint_health < 0, "under maintenance at ${dollars}: {}", h.maint_health);
        w.assert_conservation();
        (w, m, writer, liq, ins, put)
    }

    /// One contract at a time while the account is under maintenance (no over-liquidation).
    fn take_options(w: &mut World, m: &Market, writer: &Trader, liq: &Trader, ins: &Pk, put: u16) {
        while w.position(&writer.account, put) < 0 && w.health_of(&writer.account, Some(m)).0.maint_health < 0 {
            let i = w.liquidate_ix(m, &writer.account, liq, ins, vec![LiquidateLeg { series_index: put, size: -1 }]);
            w.env.ok_big(&[i], &[&liq.kp]);
            w.assert_conservation();
        }
    }

    fn take_balances(w: &mut World, m: &Market, writer: &Trader, liq: &Trader, ins: &Pk) {
        let (usdc, sol) = (w.usdc, w.sol);
        if w.health_of(&writer.account, Some(m)).0.maint_health < 0 && w.balance(&writer.account, &sol) > 0 {
            let i = w.balance_liquidate_ix(Some(m), &writer.account, liq, &sol, &usdc, ins, u64::MAX);
            w.env.ok_big(&[i], &[&liq.kp]);
            w.assert_conservation();
        }
    }

    /// Protected: maintenance health at or above zero, or nothing positive left and the
    /// bankruptcy resolved.
    fn assert_protected(w: &mut World, m: &Market, writer: &Trader, liq: &Trader, ins: &Pk, put: u16) {
        let (h, _) = w.health_of(&writer.account, Some(m));
        if h.maint_health >= 0 {
            return;
        }
        assert_eq!(w.position(&writer.account, put), 0, "under maintenance with options left to take");
        assert_eq!(w.balance(&writer.account, &w.sol.clone()), 0, "under maintenance with SOL left to take");
        let usdc = w.usdc;
        w.env.ok(&[w.bankruptcy_ix(&liq.key, &writer.account, &usdc, ins)], &[&liq.kp]);
        assert_eq!(w.shares(&writer.account, &usdc), 0);
        w.assert_conservation();
    }

    #[test]
    fn options_first_then_balances() {
        for dollars in [110, 70] {
            let (mut w, m, writer, liq, ins, put) = writer_after_fall(dollars);
            take_options(&mut w, &m, &writer, &liq, &ins, put);
            take_balances(&mut w, &m, &writer, &liq, &ins);
            take_options(&mut w, &m, &writer, &liq, &ins, put);
            assert_protected(&mut w, &m, &writer, &liq, &ins, put);
        }
    }

    #[test]
    fn balances_first_then_options() {
        for dollars in [110, 70] {
            let (mut w, m, writer, liq, ins, put) = writer_after_fall(dollars);
            take_balances(&mut w, &m, &writer, &liq, &ins);
            take_options(&mut w, &m, &writer, &liq, &ins, put);
            take_balances(&mut w, &m, &writer, &liq, &ins);
            assert_protected(&mut w, &m, &writer, &liq, &ins, put);
        }
    }
}
