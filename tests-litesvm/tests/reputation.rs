//! Reputation on the real maxwell.so: clean history lowers the initial requirement toward the
//! floor (0.9 over 90 days), never the maintenance requirement; a breach resets it.

use maxwell::instructions::TradeLeg;
use tests_litesvm::market::*;
use tests_litesvm::world::*;

#[test]
fn history_lowers_initial_never_maintenance_and_a_breach_resets_it() {
    let mut w = World::new();
    let usdc = w.usdc;
    let old = w.trader();
    w.env.advance(45 * DAY); // half the 90-day ramp: multiplier 0.95
    w.set_sol_price(SOL_PRICE);
    let m = w.market(&[150 * D]);
    let young = w.trader();
    let buyer = w.trader();
    for t in [&old, &young] {
        w.deposit(t, &usdc, &t.usdc_wallet, 500 * USDC);
    }
    w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 50_000 * USDC);
    let c150 = m.series(150 * D, 0);
    for t in [&old, &young] {
        w.trade(&m, t, &buyer, vec![TradeLeg { series_index: c150, size: 10, price: 14 * D }]);
    }
    let (ho, _) = w.health_of(&old.account, Some(&m));
    let (hy, _) = w.health_of(&young.account, Some(&m));
    assert_eq!(ho.maintenance_requirement, hy.maintenance_requirement);
    // 0.95 of the young account's initial requirement, to a unit of rounding.
    let expect = hy.initial_requirement as i128 * 95 / 100;
    assert!((ho.initial_requirement as i128 - expect).abs() <= 2, "{} vs {}", ho.initial_requirement, expect);

    // A shock puts both under maintenance; the health check records the breach.
    w.set_sol_price(18_750_000_000);
    w.refresh_all(&m);
    let (h, _) = w.health_of(&old.account, Some(&m));
    assert!(h.maint_health < 0);
    assert_eq!(w.margin(&old.account).last_breach_ts, w.env.now());
    // Back to 150: the old account has lost its discount.
    w.set_sol_price(SOL_PRICE);
    w.refresh_all(&m);
    let (ho, _) = w.health_of(&old.account, Some(&m));
    let (hy, _) = w.health_of(&young.account, Some(&m));
    assert_eq!(ho.initial_requirement, hy.initial_requirement);
}
