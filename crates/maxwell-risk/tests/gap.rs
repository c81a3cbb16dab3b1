//! The extended gap points: every forward halved and doubled, the up vol state (the smile read
//! at the grid's nearer edge), one horizon on,
//! each option at its Black-76 value there (a value, not a bound: a spread's legs net), charged
//! at a tenth of the loss (`addon_gap`, the excess over the worst loss of the grid).

mod common;

use common::*;
use maxwell_risk::black76::OptionKind;
use maxwell_risk::fixed::{Fx, FX_FRAC};
use maxwell_risk::margin::{portfolio_margin_from_arrays, portfolio_margin_full, FullPosition, UnderlyingSummary};
use maxwell_risk::market::ExpiryMarket;
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{underlying_scenarios, N_PRICE};
use maxwell_risk::scenario::{vol_shocks, GAP_SHOCKS};
use maxwell_risk::series::{gap_eval_after, scenario_eval, Series};
use maxwell_risk::units::Tenor;
use proptest::prelude::*;

const USD: u64 = 1_000_000;

fn leg(strike_usd: u64, days: i64, kind: u8, size: i64) -> FullPosition {
    FullPosition { series: Series { strike: strike_usd * USD, expiry: NOW + days * DAY, underlying: 0, kind, _pad: [0; 6] }, size }
}

/// The worst loss over the two gap points, by an evaluation of its own per option
/// ([`gap_eval_after`]: the gap move, the up state's vol at the grid's nearer edge) and the SOL
/// held at the spot,
/// quote native (a gain is negative).
fn exact_gap_loss(exps: &[ExpiryMarket], book: &[FullPosition], sol_n: i64, p: &RiskParams) -> i128 {
    let m = market(exps);
    let sol_value = i128::from(sol_n) * i128::from(SPOT); // quote native
    let scen = underlying_scenarios(&m, p).unwrap();
    GAP_SHOCKS
        .iter()
        .zip([scen.shock[0], scen.shock[N_PRICE - 1]])
        .map(|(&x, edge)| {
            let mut pnl_q20 = (sol_value * i128::from(x)) >> (FX_FRAC - 20);
            for b in book {
                let exp = m.expiry(b.series.expiry).unwrap();
                let tenor = Tenor::new(NOW, exp.expiry).unwrap();
                let kind = OptionKind::from_u8(b.series.kind).unwrap();
                let v0 = scenario_eval(b.series.strike, exp, &tenor, Fx::ZERO, Fx::ZERO).unwrap().value_q20(kind);
                let up = vol_shocks(&tenor, p).unwrap()[1];
                let vg = gap_eval_after(b.series.strike, exp, &tenor, p.shock_horizon_secs, Fx(x), Fx(edge), up).unwrap().value_q20(kind);
                pnl_q20 += i128::from(b.size) * (vg - v0);
            }
            -(pnl_q20 >> 20)
        })
        .max()
        .unwrap()
}

fn summary(exps: &[ExpiryMarket], book: &[FullPosition], sol_n: i64) -> UnderlyingSummary {
    let p = RiskParams::DEFAULT;
    let m = market(exps);
    let (scen, risks, pos) = arrays(&m, book, &p);
    portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &[sol(sol_n)], &p, Fx::ONE).unwrap().underlyings[0]
}

/// The loss the requirement covers before the floors and Greek add-ons.
fn covered(u: &UnderlyingSummary) -> i128 {
    i128::from(u.worst_loss + u.addon_expiry + u.addon_gap)
}

#[test]
fn a_far_put_short_pays_a_tenth_of_the_halving_and_its_spread_nets() {
    let p = RiskParams::DEFAULT;
    let exps = expiries(4_000);
    // Ten short 30-day puts at 90 (40% out of the money; the grid at 40% vol reaches 127.8):
    // the grid sees almost nothing, the halving (75) costs 15 USD a contract of intrinsic.
    let naked = [leg(90, 30, 1, -10)];
    let u = summary(&exps, &naked, 0);
    let gap = exact_gap_loss(&exps, &naked, 0, &p);
    assert!(gap > 150 * i128::from(USD), "{gap}");
    assert!(u.addon_gap > 0 && i128::from(u.worst_loss) < gap / 10, "{u:?}");
    assert!(covered(&u) * 10 >= gap && covered(&u) * 10 <= gap + 10 * 40, "{u:?} vs {gap}");
    // The 90/85 put spread: the long 85 put's value at the gap nets the short's; the loss is
    // at most the width (5 USD a contract), so the gap share is at most 5 USD.
    let spread = [leg(90, 30, 1, -10), leg(85, 30, 1, 10)];
    let s = summary(&exps, &spread, 0);
    let gap_s = exact_gap_loss(&exps, &spread, 0, &p);
    assert!(gap_s < 50 * i128::from(USD) && gap_s > 0, "{gap_s}");
    assert!(covered(&s) * 10 >= gap_s && covered(&s) <= covered(&u) / 2, "{s:?} vs {u:?}");
    // Long the puts instead: the gap is a gain, nothing to charge.
    let long = [leg(90, 30, 1, 10)];
    assert_eq!(summary(&exps, &long, 0).addon_gap, 0);
}

#[test]
fn a_far_call_short_pays_at_the_doubling_and_sol_covers_it() {
    let exps = expiries(4_000);
    // Ten short 30-day calls at 220: the doubling (300) costs 80 USD a contract.
    let naked = [leg(220, 30, 0, -10)];
    let u = summary(&exps, &naked, 0);
    assert!(u.addon_gap > 0 && covered(&u) >= 80 * 10 * i128::from(USD) / 10, "{u:?}");
    // Ten SOL held cover the calls at the doubling (a 150 USD gain each): no gap add-on.
    let covered_calls = summary(&exps, &naked, 10);
    assert_eq!(covered_calls.addon_gap, 0, "{covered_calls:?}");
}

#[test]
fn the_full_path_prices_the_same_gap_points() {
    let p = RiskParams::DEFAULT;
    let exps = expiries(4_000);
    let m = market(&exps);
    let book = [leg(90, 30, 1, -10), leg(80, 91, 1, 3), leg(240, 7, 0, -4), leg(150, 30, 0, 2)];
    let arr = summary(&exps, &book, -1);
    let full = portfolio_margin_full(&[m], &book, &[sol(-1)], &p, Fx::ONE).unwrap().underlyings[0];
    // The full path's worst loss is its own (exact revaluation), the gap share the same: each
    // covers a tenth of the gap loss, the full path never above the arrays.
    let gap = exact_gap_loss(&exps, &book, -1, &p);
    assert!(arr.addon_gap > 0 && full.addon_gap > 0, "{arr:?} {full:?}");
    assert!(covered(&full) * 10 >= gap && covered(&arr) * 10 >= gap && covered(&full) <= covered(&arr), "{full:?} {arr:?}");
}

prop_compose! {
    /// 1 to 6 legs over the 7-, 30- and 91-day expiries, strikes 40..400 USD, and SOL.
    fn gap_book()(legs in prop::collection::vec((40u64..400, 0usize..3, 0u8..2, -10i64..=10), 1..7), sol_n in -10i64..=10)
        -> (Vec<FullPosition>, i64) {
        let book = legs.into_iter().filter(|l| l.3 != 0)
            .map(|(k, e, kind, size)| leg(k, [7, 30, 91][e], kind, size)).collect();
        (book, sol_n)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_requirement_covers_a_tenth_of_the_gap_loss((book, sol_n) in gap_book(), atm in 3_000i64..20_000) {
        prop_assume!(!book.is_empty());
        let p = RiskParams::DEFAULT;
        let exps = expiries(atm);
        let u = summary(&exps, &book, sol_n);
        let gap = exact_gap_loss(&exps, &book, sol_n, &p).max(0);
        // Never below a tenth of the exact gap loss ...
        prop_assert!(covered(&u) * 10 >= gap, "covered {} x 10 < gap {gap}: {u:?}", covered(&u));
        // ... and when the gap share binds, above it by at most the arrays' rounding (slack and
        // a unit per contract, the spot's rounding, the fraction's ulp).
        if u.addon_gap > 0 {
            let m = market(&exps);
            let (_, risks, _) = arrays(&m, &book, &p);
            let slack: i128 = book.iter().zip(&risks).map(|(b, r)| i128::from(b.size.abs() * (r.slack + 2))).sum();
            prop_assert!(covered(&u) <= (gap + slack + 4) / 10 + 2, "covered {} > (gap {gap} + {slack}) / 10: {u:?}", covered(&u));
        }
    }
}
