//! Bankruptcy on the real maxwell.so: a crash leaves a writer with negative equity once its
//! positions are taken over; the insurance fund covers the hole, then the rest is socialized
//! over the quote depositors by the deposit index. Conservation after every step.

use maxwell::error::MaxwellError as E;
use maxwell::instructions::{LiquidateLeg, TradeLeg};
use tests_litesvm::ix;
use tests_litesvm::market::*;
use tests_litesvm::world::*;
use tests_litesvm::*;

/// A writer short 10 ATM calls on 500 USDC, a buyer, a liquidator, an insurance fund holding
/// `fund` USDC. SOL then doubles and the liquidator takes every contract: the writer is left
/// with no positions and a negative quote balance.
fn crash(fund: u64) -> (World, Trader, Trader, Trader, Pk) {
    let mut w = World::new();
    let m = w.market(&[150 * D]);
    let ins = w.insurance();
    let (writer, buyer, liq) = (w.trader(), w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&writer, &usdc, &writer.usdc_wallet, 690 * USDC);
    w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 50_000 * USDC);
    w.deposit(&liq, &usdc, &liq.usdc_wallet, 50_000 * USDC);
    if fund > 0 {
        let h = w.health_accounts_with(&ins, &[usdc]);
        w.env.ok(&[ix::deposit(&buyer.key, &ins, &usdc, &buyer.usdc_wallet, fund, &h)], &[&buyer.kp]);
    }
    let c150 = m.series(150 * D, 0);
    w.trade(&m, &writer, &buyer, vec![TradeLeg { series_index: c150, size: 10, price: 14 * D }]);

    // Positions are not "nothing left to take": not bankrupt yet.
    let i = w.bankruptcy_ix(&liq.key, &writer.account, &usdc, &ins);
    w.env.fails_with(&[i], &[&liq.kp], code(E::NotBankrupt), &[writer.account, usdc.bank, ins]);

    w.set_sol_price(30_000_000_000); // SOL 150 -> 300
    w.refresh_all(&m);
    let i = w.liquidate_ix(&m, &writer.account, &liq, &ins, vec![LiquidateLeg { series_index: c150, size: -10 }]);
    w.env.ok_big(&[i], &[&liq.kp]);
    w.assert_conservation();
    assert_eq!(w.position(&writer.account, c150), 0);
    assert!(w.balance(&writer.account, &usdc) < 0);
    (w, writer, buyer, liq, ins)
}

#[test]
fn insurance_covers_then_the_rest_is_socialized() {
    let (mut w, writer, buyer, liq, ins) = crash(300 * USDC);
    let usdc = w.usdc;
    let owed = -w.balance(&writer.account, &usdc);
    let fund = w.balance(&ins, &usdc);
    assert!(owed > fund && fund >= 300 * USDC as i64, "owed {owed}, fund {fund}");
    let (b0, l0) = (w.balance(&buyer.account, &usdc), w.balance(&liq.account, &usdc));
    let index0 = w.bank(&usdc).deposit_index;

    let r = w.env.ok(&[w.bankruptcy_ix(&liq.key, &writer.account, &usdc, &ins)], &[&liq.kp]);
    let log: maxwell::events::BankruptcyLog = r.event().expect("BankruptcyLog");
    assert_eq!(log.owed, owed as u64);
    assert_eq!(log.covered_by_insurance, fund as u64);
    assert_eq!(log.socialized, (owed - fund) as u64);
    assert_eq!(log.deposit_index_before, index0);

    // The writer owes nothing, the fund is empty, and the depositors share the rest pro rata.
    assert_eq!(w.shares(&writer.account, &usdc), 0);
    assert_eq!(w.balance(&ins, &usdc), 0);
    let bank = w.bank(&usdc);
    assert!(bank.deposit_index < index0);
    assert_eq!(bank.socialized_total, log.socialized);
    let (b1, l1) = (w.balance(&buyer.account, &usdc), w.balance(&liq.account, &usdc));
    let lost = (b0 - b1) + (l0 - l1);
    // Each depositor's balance rounds down: together they absorb the loss plus at most a unit each.
    assert!(lost >= log.socialized as i64 && lost <= log.socialized as i64 + 2, "lost {lost} of {}", log.socialized);
    // Pro rata: each depositor lost the same fraction (to a unit).
    assert!(((b0 - b1) as i128 * l0 as i128 - (l0 - l1) as i128 * b0 as i128).abs() <= (b0 + l0) as i128);
    w.assert_conservation();

    // Once resolved, there is nothing left to resolve.
    let i = w.bankruptcy_ix(&liq.key, &writer.account, &usdc, &ins);
    w.env.fails_with(&[i], &[&liq.kp], code(E::NotBankrupt), &[writer.account, usdc.bank, ins]);
}

#[test]
fn a_large_insurance_fund_covers_the_whole_hole() {
    let (mut w, writer, _, liq, ins) = crash(5_000 * USDC);
    let usdc = w.usdc;
    let owed = -w.balance(&writer.account, &usdc);
    let fund = w.balance(&ins, &usdc);
    let index0 = w.bank(&usdc).deposit_index;
    let r = w.env.ok(&[w.bankruptcy_ix(&liq.key, &writer.account, &usdc, &ins)], &[&liq.kp]);
    let log: maxwell::events::BankruptcyLog = r.event().expect("BankruptcyLog");
    assert_eq!((log.covered_by_insurance, log.socialized), (owed as u64, 0));
    assert_eq!(w.bank(&usdc).deposit_index, index0);
    assert_eq!(w.balance(&ins, &usdc), fund - owed);
    assert_eq!(w.shares(&writer.account, &usdc), 0);
    w.assert_conservation();
}

#[test]
fn bankruptcy_refusals_change_nothing() {
    let (mut w, writer, buyer, liq, ins) = crash(300 * USDC);
    let usdc = w.usdc;
    let watched = [writer.account, buyer.account, usdc.bank, ins];
    // An account with a positive balance has something left to take.
    let i = w.bankruptcy_ix(&liq.key, &buyer.account, &usdc, &ins);
    w.env.fails_with(&[i], &[&liq.kp], code(E::NotBankrupt), &watched);
    // Only the exchange's insurance fund pays.
    let i = w.bankruptcy_ix(&liq.key, &writer.account, &usdc, &buyer.account);
    w.env.fails_with(&[i], &[&liq.kp], code(E::WrongInsuranceAccount), &watched);
    // The fund itself is never resolved as a bankrupt account.
    let i = w.bankruptcy_ix(&liq.key, &ins, &usdc, &ins);
    w.env.fails_with(&[i], &[&liq.kp], code(E::InsuranceIsTarget), &watched);
    // A bank the account owes nothing to.
    let sol = w.sol;
    let i = w.bankruptcy_ix(&liq.key, &writer.account, &sol, &ins);
    w.env.fails_with(&[i], &[&liq.kp], code(E::NotBankrupt), &watched);
    // The kill switch.
    let admin = w.admin_pk();
    let admin_kp = w.admin.insecure_clone();
    w.env.ok(&[ix::ix_gate_set(&admin, &w.exchange, 1 << maxwell::state::IxGate::Bankruptcy as u8)], &[&admin_kp]);
    let i = w.bankruptcy_ix(&liq.key, &writer.account, &usdc, &ins);
    w.env.fails_with(&[i], &[&liq.kp], code(E::InstructionDisabled), &watched);
    w.assert_conservation();
}
