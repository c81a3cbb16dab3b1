//! The skew move on the real maxwell.so: the crank stores each series' skew sensitivity
//! (`TERM_SKEW`), and the margin check charges a risk reversal the smile tilting either way
//! (`addon_skew`), to the unit of the risk crate's own computation on the stored arrays.

use maxwell::instructions::TradeLeg;
use maxwell::state::{series_risk_slice, Exchange};
use maxwell_risk::fixed::Fx;
use maxwell_risk::margin::{portfolio_margin_from_arrays, BookArrays, Position};
use maxwell_risk::series::TERM_SKEW;
use tests_litesvm::market::*;
use tests_litesvm::world::*;
use tests_litesvm::*;

fn leg(series: u16, size: i64, price: u64) -> TradeLeg {
    TradeLeg { series_index: series, size, price }
}

#[test]
fn a_risk_reversal_is_charged_the_skew_tilt() {
    let mut w = World::new();
    // 30 days, an 80%-vol smile with a put skew.
    let m = w.market(&[120 * D, 180 * D]);
    let (writer, buyer) = (w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&writer, &usdc, &writer.usdc_wallet, 2_000 * USDC);
    w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 20_000 * USDC);
    let (p120, c180) = (m.series(120 * D, 1), m.series(180 * D, 0));
    let u = w.underlying(&m);
    let skew = |s: u16| {
        let r = u.risk[usize::from(s)].engine();
        assert!(r.term & TERM_SKEW != 0, "{r:?}");
        r.skew().unwrap()
    };
    // Below the forward y < 0, above y > 0: a long put there gains when the skew flattens,
    // a long call when it steepens the other way.
    assert!(skew(p120) < 0 && skew(c180) > 0, "{} {}", skew(p120), skew(c180));
    // The writer buys ten 120 puts and sells ten 180 calls (the buyer takes the other side):
    // long vol where y < 0, short where y > 0.
    let legs = vec![leg(p120, -10, w.at_mark(&m, p120)), leg(c180, 10, w.at_mark(&m, c180))];
    let i = w.trade_ix(&m, &writer, &buyer, legs);
    w.env.ok(&[compute_budget_ix(1_400_000), i], &[&writer.kp, &buyer.kp]);
    assert_eq!((w.position(&writer.account, p120), w.position(&writer.account, c180)), (10, -10));
    // The program's requirement for the underlying is the crate's on the stored arrays, and
    // it includes the tilt: 0.06 x |10 x skew(P120) - 10 x skew(C180)|.
    let (h, _) = w.health_of(&writer.account, Some(&m));
    let u = w.underlying(&m);
    let params = *w.env.zc::<Exchange>(&w.exchange).risk.engine();
    let pos = [Position { size: 10, series: p120, _pad: [0; 6] }, Position { size: -10, series: c180, _pad: [0; 6] }];
    let book = BookArrays { scen: u.scen.engine(), series: series_risk_slice(&u.risk), positions: &pos };
    let s = portfolio_margin_from_arrays(&[book], &[], &params, Fx::ONE).unwrap().underlyings[0];
    let sum = 10 * i128::from(skew(p120)) - 10 * i128::from(skew(c180));
    let want = (sum.unsigned_abs() * maxwell_risk::scenario::SKEW_TILT as u128).div_ceil(1 << maxwell_risk::fixed::FX_FRAC);
    assert_eq!(i128::from(s.addon_skew), want as i128);
    assert!(s.addon_skew > D as i64, "{s:?}");
    let r = h.underlyings[0];
    assert_eq!(r.drift_bps, 0);
    assert_eq!(r.maintenance_requirement, s.requirement().unwrap(), "{h:?} {s:?}");
    w.assert_conservation();
}
