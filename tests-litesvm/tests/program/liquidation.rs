//! Liquidation on the real maxwell.so: a price shock makes a writer liquidatable; partial
//! take-over at a bounded penalty, insurance share, no over-liquidation, the liquidator's own
//! initial margin, conservation after every step.

use maxwell::error::MaxwellError as E;
use maxwell::instructions::{LiquidateLeg, TradeLeg};
use tests_litesvm::market::*;
use tests_litesvm::world::*;
use tests_litesvm::*;

fn leg(series: u16, size: i64) -> LiquidateLeg {
    LiquidateLeg { series_index: series, size }
}

/// A writer short `n` ATM calls with little margin, a buyer, a rich liquidator, an insurance fund.
fn setup(n: i64) -> (World, Market, Trader, Trader, Trader, Pk, u16) {
    let mut w = World::new();
    let m = w.market(&[150 * D, 180 * D]);
    let ins = w.insurance();
    let writer = w.trader();
    let buyer = w.trader();
    let liq = w.trader();
    let usdc = w.usdc;
    w.deposit(&writer, &usdc, &writer.usdc_wallet, 690 * USDC);
    w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 50_000 * USDC);
    w.deposit(&liq, &usdc, &liq.usdc_wallet, 50_000 * USDC);
    let c150 = m.series(150 * D, 0);
    w.trade(&m, &writer, &buyer, vec![TradeLeg { series_index: c150, size: n, price: 14 * D }]);
    (w, m, writer, buyer, liq, ins, c150)
}

#[test]
fn healthy_accounts_cannot_be_liquidated() {
    let (mut w, m, writer, _, liq, ins, c150) = setup(10);
    let i = w.liquidate_ix(&m, &writer.account, &liq, &ins, vec![leg(c150, -1)]);
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&liq.kp], code(E::NotLiquidatable), &[writer.account, liq.account, ins]);
}

#[test]
fn a_price_shock_then_partial_liquidation_within_bounds() {
    let (mut w, m, writer, _, liq, ins, c150) = setup(10);
    w.assert_conservation();
    // SOL +25%: the short calls lose far more than the writer's margin.
    w.set_sol_price(18_750_000_000);
    w.refresh_all(&m);
    let (h, _) = w.health_of(&writer.account, Some(&m));
    assert!(h.maint_health < 0, "{h:?}");

    // Taking everything at once would over-liquidate: refused.
    let all = w.liquidate_ix(&m, &writer.account, &liq, &ins, vec![leg(c150, -10)]);
    let watched = [writer.account, liq.account, ins, m.underlying];
    let r = w.env.send(&[compute_budget_ix(1_400_000), all.clone()], &[&liq.kp]);
    // Find the smallest take that restores maintenance health, one contract at a time.
    let usdc = w.usdc;
    let quote = |w: &World, a: &Pk| w.balance(a, &usdc);
    let mut taken = 0;
    let ins_before = quote(&w, &ins);
    let mut penalties = 0i64;
    let mut values = 0i64;
    let mut bases = 0i64;
    if r.is_ok() {
        panic!("taking all 10 contracts should over-liquidate");
    }
    loop {
        let (h, _) = w.health_of(&writer.account, Some(&m));
        if h.maint_health >= 0 {
            break;
        }
        let u = w.underlying(&m);
        let risk = u.risk[usize::from(c150)];
        let before = quote(&w, &writer.account);
        let i = w.liquidate_ix(&m, &writer.account, &liq, &ins, vec![leg(c150, -1)]);
        w.env.ok_big(&[i], &[&liq.kp]);
        w.assert_conservation();
        taken += 1;
        let paid = before - quote(&w, &writer.account); // |value| + penalty for a short
        let mark = risk.mark.max(0);
        values += mark;
        penalties += paid - mark;
        bases += mark.max(risk.short_min);
        let (after, _) = w.health_of(&writer.account, Some(&m));
        assert!(after.maint_health > h.maint_health, "health must improve");
        assert!(taken <= 10);
    }
    assert!(taken >= 1 && taken < 10, "took {taken}");
    assert_eq!(w.position(&writer.account, c150), -(10 - taken));
    assert_eq!(w.position(&liq.account, c150), -taken);
    // Penalty between the bounds (100 and 500 bps of the base), the fund got its 20% share.
    assert!(penalties * 10_000 >= bases * 100 && penalties * 10_000 <= bases * 500 + 10_000 * taken, "penalty {penalties} base {bases}");
    let to_fund = quote(&w, &ins) - ins_before;
    assert!(to_fund > 0 && to_fund <= penalties / 5 && to_fund >= penalties / 5 - taken, "fund {to_fund} of {penalties}");
    let _ = values;
    // Once restored, it is no longer liquidatable.
    let i = w.liquidate_ix(&m, &writer.account, &liq, &ins, vec![leg(c150, -1)]);
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&liq.kp], code(E::NotLiquidatable), &watched);
}

#[test]
fn over_liquidation_and_bad_legs_are_refused() {
    let (mut w, m, writer, _, liq, ins, c150) = setup(10);
    w.set_sol_price(17_250_000_000); // +15%: a small shortfall
    w.refresh_all(&m);
    let (h, _) = w.health_of(&writer.account, Some(&m));
    assert!(h.maint_health < 0, "{h:?}");
    let watched = [writer.account, liq.account, ins, m.underlying];
    let refuse = |w: &mut World, legs: Vec<LiquidateLeg>, err: E| {
        let i = w.liquidate_ix(&m, &writer.account, &liq, &ins, legs);
        w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&liq.kp], code(err), &watched);
    };
    refuse(&mut w, vec![leg(c150, -10)], E::OverLiquidation);
    refuse(&mut w, vec![leg(c150, 1)], E::LiquidationLegInvalid); // flips the sign
    refuse(&mut w, vec![leg(c150, -11)], E::LiquidationLegInvalid); // more than held
    refuse(&mut w, vec![leg(m.series(180 * D, 0), -1)], E::LiquidationLegInvalid); // not held
    refuse(&mut w, vec![leg(c150, 0)], E::LiquidationLegInvalid); // reduces nothing
    refuse(&mut w, vec![], E::LiquidationLegsOutOfRange);
    refuse(&mut w, vec![leg(c150, -1); 5], E::LiquidationLegsOutOfRange);
    // The liquidator's account cannot be the liquidatee.
    let i = w.liquidate_ix(&m, &liq.account, &liq, &ins, vec![leg(c150, -1)]);
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&liq.kp], code(E::LiquidatorIsLiquidatee), &watched);
    // The quote bank must be the quote bank.
    let mut i = w.liquidate_ix(&m, &writer.account, &liq, &ins, vec![leg(c150, -1)]);
    i.accounts[5].pubkey = addr(&w.sol.bank);
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&liq.kp], code(E::NotQuoteBank), &watched);
    let fake_ins = writer.account;
    let i = w.liquidate_ix(&m, &writer.account, &liq, &fake_ins, vec![leg(c150, -1)]);
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&liq.kp], code(E::WrongInsuranceAccount), &watched);
}

#[test]
fn a_liquidator_that_would_break_its_initial_margin_is_refused() {
    let (mut w, m, writer, _, _, ins, c150) = setup(10);
    let poor = w.trader();
    let usdc = w.usdc;
    w.deposit(&poor, &usdc, &poor.usdc_wallet, 5 * USDC);
    w.set_sol_price(18_750_000_000);
    w.refresh_all(&m);
    let i = w.liquidate_ix(&m, &writer.account, &poor, &ins, vec![leg(c150, -3)]);
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&poor.kp], code(E::InitialMarginViolated), &[writer.account, poor.account]);
    w.assert_conservation();
}

/// The volatility oracle went silent an hour ago and the spot doubled: the crank still builds
/// the arrays (on the last surface with widened shocks) and the writer is liquidated.
#[test]
fn liquidation_does_not_wait_for_the_volatility_oracle() {
    let (mut w, m, writer, _, liq, ins, c150) = setup(10);
    w.env.advance(3_601); // surface_max_age_secs = 3,600
    w.set_sol_price(30_000_000_000); // SOL 150 -> 300
    w.refresh_all(&m);
    let (h, _) = w.health_of(&writer.account, Some(&m));
    assert!(h.maint_health < 0, "{h:?}");
    let i = w.liquidate_ix(&m, &writer.account, &liq, &ins, vec![leg(c150, -1)]);
    let r = w.env.ok_big(&[i], &[&liq.kp]);
    let log: maxwell::events::LiquidateLog = r.event().unwrap();
    assert!(log.maint_health_after > log.maint_health_before);
    w.assert_conservation();
}
