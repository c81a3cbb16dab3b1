//! The extended gap points on the real maxwell.so: the crank stores each array's P&L with every
//! forward halved and doubled (`TERM_GAP`), and the margin check charges a tenth of the book's
//! loss there. A far out-of-the-money call spread two days out is beyond the grid's reach (its
//! highest price point is 176 at 40% vol) and loses its width if the price doubles.

use maxwell::error::MaxwellError as E;
use maxwell::instructions::TradeLeg;
use maxwell_risk::series::TERM_GAP;
use tests_litesvm::market::*;
use tests_litesvm::world::*;
use tests_litesvm::*;

fn leg(series: u16, size: i64, price: u64) -> TradeLeg {
    TradeLeg { series_index: series, size, price }
}

#[test]
fn a_far_call_spread_is_charged_a_tenth_of_its_width() {
    let mut w = World::new();
    let m = w.market_with(2 * 86_400, 0.4, &[200 * D, 260 * D]);
    let (poor, writer, buyer) = (w.trader(), w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&poor, &usdc, &poor.usdc_wallet, 20 * USDC);
    w.deposit(&writer, &usdc, &writer.usdc_wallet, 100 * USDC);
    w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 20_000 * USDC);
    let (c200, c260) = (m.series(200 * D, 0), m.series(260 * D, 0));
    // Every stored array carries its gap points and the bound of its values the margin check
    // sizes its sums by; at the doubling (300) the 200 call is worth about its 100 USD of
    // intrinsic value more than now, the 260 call about 40.
    let u = w.underlying(&m);
    for s in [c200, c260] {
        let r = u.risk[usize::from(s)].engine();
        assert!(r.term & TERM_GAP != 0, "{r:?}");
        assert!(r.bits > 0 && r.bits == r.value_bits(), "{r:?}");
        // And its skew sensitivity (here 0: so far out of the money, two days out, its vega
        // rounds to nothing).
        assert_eq!(r.skew(), Some(0), "{r:?}");
    }
    let gap_pnl = |s: u16| u.risk[usize::from(s)].engine().gaps().expect("gap points");
    let [down200, up200] = gap_pnl(c200);
    let [_, up260] = gap_pnl(c260);
    assert!((99 * D as i64..101 * D as i64).contains(&up200), "{up200}");
    assert!((39 * D as i64..44 * D as i64).contains(&up260), "{up260}");
    assert!(down200 <= 0, "a long call loses at most its mark at the halving: {down200}");
    // Ten short 200/260 call spreads: the grid sees almost nothing, the doubling costs
    // 10 x (up200 - up260) ~ 600 USD, a tenth of it 60 USD; initial margin 1.25 x that.
    let spread = |w: &World| vec![leg(c200, 10, w.at_mark(&m, c200)), leg(c260, -10, w.at_mark(&m, c260))];
    let i = w.trade_ix(&m, &poor, &buyer, spread(&w));
    let watched = [poor.account, buyer.account, m.underlying, w.usdc.bank];
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&poor.kp, &buyer.kp], code(E::InitialMarginViolated), &watched);
    let i = w.trade_ix(&m, &writer, &buyer, spread(&w));
    w.env.ok(&[compute_budget_ix(1_400_000), i], &[&writer.kp, &buyer.kp]);
    assert_eq!(w.position(&writer.account, c200), -10);
    let (h, _) = w.health_of(&writer.account, Some(&m));
    let gap_share = 10 * (up200 - up260) / 10;
    assert!(h.maintenance_requirement >= gap_share, "{h:?} vs {gap_share}");
    assert!(h.underlyings[0].worst_loss < gap_share / 5, "the grid alone: {h:?}");
    w.assert_conservation();
}
