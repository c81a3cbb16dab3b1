//! Predictive margin on the real maxwell.so: the realized-volatility crank (EWMA of oracle log
//! returns, bounded) widens the price shocks once realized vol runs above ATM vol.

use maxwell::error::MaxwellError as E;
use maxwell::events::{RealizedVolLog, RiskRefreshLog};
use maxwell_risk::fixed::FX_FRAC;
use tests_litesvm::market::*;
use tests_litesvm::world::*;
use tests_litesvm::*;

#[test]
fn realized_vol_above_implied_widens_the_price_shocks() {
    let mut w = World::new();
    let m = w.market(&[150 * D]);
    let admin_kp = w.admin.insecure_clone();
    let range0 = w.underlying(&m).scen.range;

    // Samples sit on the minute grid: within 10 s after a boundary, from a price published
    // after it. The first records the spot; the same boundary again is refused.
    assert_eq!(w.env.now() % 60, 0, "the test clock starts on a boundary");
    w.env.advance(5);
    w.set_sol_price(SOL_PRICE);
    w.env.ok(&[w.realized_vol_ix(&m)], &[]);
    w.env.advance(3);
    w.set_sol_price(SOL_PRICE);
    w.env.fails_with(&[w.realized_vol_ix(&m)], &[], code(E::RealizedVolTooSoon), &[m.underlying]);

    // A calm market: a tiny move an hour keeps the estimate far below the 80% ATM vol.
    w.env.advance(3_600 - 3);
    w.set_sol_price(SOL_PRICE + 10_000_000); // +0.07%
    let r = w.env.ok(&[w.realized_vol_ix(&m)], &[]);
    let log: RealizedVolLog = r.event().unwrap();
    assert!(log.realized_vol < 1 << (FX_FRAC - 2), "calm: {}", log.realized_vol);

    // Off the schedule: 25 s after the boundary (the caller cannot pick its moment), or at the
    // next boundary with a price published before it.
    w.env.advance(20);
    w.set_sol_price(SOL_PRICE);
    w.env.fails_with(&[w.realized_vol_ix(&m)], &[], code(E::RealizedVolOffSchedule), &[m.underlying]);
    w.env.advance(39); // 4 s after the next boundary, the price still from 39 s earlier
    w.env.fails_with(&[w.realized_vol_ix(&m)], &[], code(E::RealizedVolOffSchedule), &[m.underlying]);

    // A wild one: +-6% every ten minutes.
    let mut up = true;
    for _ in 0..12 {
        w.env.advance(600);
        w.set_sol_price(if up { 15_900_000_000 } else { 15_000_000_000 });
        up = !up;
        w.env.ok(&[w.realized_vol_ix(&m)], &[]);
    }
    let u = w.underlying(&m);
    assert_eq!(u.rv_updates, 13);
    assert!(u.realized_vol().0 > 1 << FX_FRAC, "realized vol above 100%: {}", u.realized_vol().0);

    // The next refresh sizes the grid from realized vol: wider than from the surface alone.
    w.set_sol_price(SOL_PRICE);
    let vol = w.vol_update_ix(&m, 0, svi_for(0.8, 30.0));
    w.env.ok(&[vol], &[&admin_kp]);
    w.refresh_all(&m);
    let range1 = w.underlying(&m).scen.range;
    assert!(range1 > range0, "range {range0} -> {range1}");
    // The refresh says so: the range it used came from realized vol.
    let r = w.env.ok_big(&[w.refresh_ix(&m, 0, 2)], &[]);
    let log: RiskRefreshLog = r.event().expect("RiskRefreshLog");
    assert!(log.widened);
    assert_eq!((log.range, log.realized_vol), (range1, w.underlying(&m).realized_vol().0));
}
