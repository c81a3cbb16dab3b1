//! Options expiring inside the margin horizon on the real maxwell.so: the crank stores where
//! their payoff bends, and the margin check prices the book there (`addon_expiry`). A short
//! butterfly centred between two price points was charged nothing by the grid and loses its
//! width at the centre.

use maxwell::error::MaxwellError as E;
use maxwell::instructions::TradeLeg;
use maxwell_risk::series::TERM_KINK;
use tests_litesvm::market::*;
use tests_litesvm::world::*;
use tests_litesvm::*;

fn leg(series: u16, size: i64, price: u64) -> TradeLeg {
    TradeLeg { series_index: series, size, price }
}

#[test]
fn a_short_butterfly_between_two_price_points_is_charged_its_width() {
    let mut w = World::new();
    // Twelve hours before expiry.
    let m = w.market_with(12 * 3_600, 0.8, &[140 * D, 145 * D, 150 * D]);
    let (poor, writer, buyer) = (w.trader(), w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&poor, &usdc, &poor.usdc_wallet, 20 * USDC);
    w.deposit(&writer, &usdc, &writer.usdc_wallet, 200 * USDC);
    w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 20_000 * USDC);
    let (c140, c145, c150) = (m.series(140 * D, 0), m.series(145 * D, 0), m.series(150 * D, 0));
    // At 80% vol the price points nearest the spot are 139.69 and 150: 140 and 145 bend
    // between them, 150 is the spot's own point.
    let u = w.underlying(&m);
    let kink = |s: u16| {
        let r = &u.risk[usize::from(s)];
        r.term & TERM_KINK != 0
    };
    assert_eq!((kink(c140), kink(c145), kink(c150)), (true, true, false));
    let k = u.risk[usize::from(c145)].engine().kink().expect("kink of 145");
    assert_eq!((k.interval, k.strike), (2, 145 * D));
    assert!(k.lo < 140 * D && k.hi == 150 * D, "{k:?}");
    // Ten short 140/145/150 butterflies (the taker buys the wings and sells the body): the
    // premium received is about 12 USD, the loss at 145 at expiry 50 USD less it.
    let fly = |w: &World| vec![leg(c140, 10, w.at_mark(&m, c140)), leg(c145, -20, w.at_mark(&m, c145)), leg(c150, 10, w.at_mark(&m, c150))];
    // 20 USDC cannot carry it: refused, nothing changed.
    let i = w.trade_ix(&m, &poor, &buyer, fly(&w));
    let watched = [poor.account, buyer.account, m.underlying, w.usdc.bank];
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&poor.kp, &buyer.kp], code(E::InitialMarginViolated), &watched);
    // 200 USDC can, and the maintenance requirement covers the loss at 145.
    let legs = fly(&w);
    let i = w.trade_ix(&m, &writer, &buyer, legs.clone());
    w.env.ok(&[compute_budget_ix(1_400_000), i], &[&writer.kp, &buyer.kp]);
    assert_eq!(w.position(&writer.account, c145), 20);
    let (h, _) = w.health_of(&writer.account, Some(&m));
    let premium = legs.iter().map(|l| l.size * l.price as i64).sum::<i64>(); // the writer receives what the taker pays
    let loss_at_145 = 50 * D as i64 - premium;
    assert!(premium > 5 * D as i64 && premium < 20 * D as i64, "{premium}");
    assert!(h.maintenance_requirement >= loss_at_145, "{h:?} vs {loss_at_145}");
    assert!(h.underlyings[0].worst_loss < loss_at_145 / 10, "the grid alone: {h:?}");
    w.assert_conservation();
}
