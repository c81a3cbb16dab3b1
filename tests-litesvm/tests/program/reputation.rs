//! Reputation on the real maxwell.so (rule: `maxwell_engine::reputation`): the initial
//! requirement falls only for clean time spent carrying risk, observed at least daily, and
//! by at most the discount of the largest book carried cleanly; maintenance never changes;
//! a breach or a liquidation resets it.

use maxwell::instructions::TradeLeg;
use maxwell_engine::reputation::RAMP_SECS;
use tests_litesvm::market::*;
use tests_litesvm::world::*;

/// Half a day later: fresh oracle, surface and arrays, then `account_health` on each account
/// (a keeper's observation).
fn observe(w: &mut World, m: &Market, accounts: &[&Trader], price: i64) {
    w.env.advance(DAY / 2);
    w.set_sol_price(price);
    let admin = w.admin.insecure_clone();
    let vol = w.vol_update_ix(m, 0, svi_for(0.8, 30.0));
    w.env.ok(&[vol], &[&admin]);
    w.refresh_all(m);
    for t in accounts {
        w.health_of(&t.account, Some(m));
    }
}

#[test]
fn earned_only_while_carrying_risk_bounded_by_the_book_reset_by_a_breach() {
    let mut w = World::new();
    let usdc = w.usdc;
    // An account that only ages earns nothing.
    let aged = w.trader();
    w.env.advance(45 * DAY);
    w.set_sol_price(SOL_PRICE);
    let m = w.market(&[150 * D]);
    let carrier = w.trader();
    let spare = w.trader();
    let young = w.trader();
    let buyer = w.trader();
    for t in [&aged, &carrier, &spare, &young] {
        w.deposit(t, &usdc, &t.usdc_wallet, 1_500 * USDC);
    }
    w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 500_000 * USDC);
    let c150 = m.series(150 * D, 0);
    let leg = |size| vec![TradeLeg { series_index: c150, size, price: 14 * D }];
    // The carrier writes 10 calls, the spare 1: both carry risk for 14 days, observed twice a day.
    w.trade(&m, &carrier, &buyer, leg(10));
    w.trade(&m, &spare, &buyer, leg(1));
    for _ in 0..28 {
        observe(&mut w, &m, &[&carrier, &spare], SOL_PRICE);
    }
    let clean = w.margin(&carrier.account).rep_clean_secs;
    assert_eq!(clean, 14 * DAY);
    assert_eq!(w.margin(&aged.account).rep_clean_secs, 0);
    // Now the aged, the young and the spare write 9 more calls to reach 10.
    w.trade(&m, &aged, &buyer, leg(10));
    w.trade(&m, &young, &buyer, leg(10));
    w.trade(&m, &spare, &buyer, leg(9));
    let (hc, _) = w.health_of(&carrier.account, Some(&m));
    let (ha, _) = w.health_of(&aged.account, Some(&m));
    let (hy, _) = w.health_of(&young.account, Some(&m));
    let (hs, _) = w.health_of(&spare.account, Some(&m));
    let _ = clean;
    // Same book, same maintenance requirement.
    for h in [&ha, &hy, &hs] {
        assert_eq!(h.maintenance_requirement, hc.maintenance_requirement);
    }
    // Aged but never carrying: no discount.
    assert_eq!(ha.initial_requirement, hy.initial_requirement);
    // The carrier: the engine's discount on its stored history, exactly; its peak is this book
    // (carried across intervals), so the discount is close to 0.1 x 14/90 of the whole IM.
    let risk = *w.env.zc::<maxwell::state::Exchange>(&w.exchange).risk.engine();
    let disc = |acc: &maxwell::state::MarginAccount, req: i64| {
        maxwell_engine::reputation::discount(&acc.rep_state(), req, risk.im_factor, risk.reputation_floor).unwrap()
    };
    let (acc_c, acc_s) = (w.margin(&carrier.account), w.margin(&spare.account));
    let carrier_disc = hy.initial_requirement - hc.initial_requirement;
    assert_eq!(carrier_disc, disc(&acc_c, hc.maintenance_requirement));
    let full = hy.initial_requirement as i128 * (14 * DAY) as i128 / (10 * RAMP_SECS) as i128;
    assert!(carrier_disc as i128 * 100 >= full * 95 && carrier_disc as i128 <= full + 1, "{carrier_disc} vs {full}");
    // The spare earned its discount on 1 contract: applied to that peak only.
    let spare_disc = hy.initial_requirement - hs.initial_requirement;
    assert_eq!(spare_disc, disc(&acc_s, hs.maintenance_requirement));
    assert!(spare_disc > 0 && spare_disc * 5 < carrier_disc, "spare {spare_disc} carrier {carrier_disc}");

    // A shock (SOL 150 -> 300) puts the carrier under maintenance; the observation records the breach.
    w.set_sol_price(30_000_000_000);
    w.refresh_all(&m);
    let (h, _) = w.health_of(&carrier.account, Some(&m));
    assert!(h.maint_health < 0);
    let acc = w.margin(&carrier.account);
    assert_eq!((acc.last_breach_ts, acc.rep_clean_secs, acc.rep_peak_req), (w.env.now(), 0, 0));
    // Back to 150: the carrier has lost its discount.
    w.set_sol_price(SOL_PRICE);
    w.refresh_all(&m);
    let (hc, _) = w.health_of(&carrier.account, Some(&m));
    let (hy, _) = w.health_of(&young.account, Some(&m));
    assert_eq!(hc.initial_requirement, hy.initial_requirement);
}
