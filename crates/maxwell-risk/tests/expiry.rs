//! Options that expire inside the horizon: the grid values them at intrinsic at its price
//! points, and their payoff bends at the strike between two points. The requirement must cover
//! the book's loss at those strikes (`addon_expiry`), exactly for books of such options and spot.

mod common;

use common::*;
use maxwell_risk::black76::OptionKind;
use maxwell_risk::fixed::{Fx, FX_FRAC};
use maxwell_risk::margin::{portfolio_margin_from_arrays, portfolio_margin_full, FullPosition, MAX_KINKS};
use maxwell_risk::market::ExpiryMarket;
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{UnderlyingScenarios, N_PRICE};
use maxwell_risk::series::{scenario_eval, Series, TERM_KINK};
use maxwell_risk::units::{Price, Tenor};
use proptest::prelude::*;

const HOUR: i64 = 3_600;
const USD: u64 = 1_000_000;

/// A market with expiries in 12 hours and 20 hours (inside the 1-day horizon; the second's
/// forward 0.4 USD above the spot, so its shocked forwards differ) and 30 days.
fn short_dated(atm_bps: i64) -> [ExpiryMarket; 3] {
    [(12 * HOUR, SPOT), (20 * HOUR, SPOT + 400_000), (30 * DAY, SPOT)].map(|(secs, forward)| ExpiryMarket {
        expiry: NOW + secs,
        forward,
        svi: svi(atm_bps, secs),
    })
}

fn at(strike_usd: u64, secs: i64, kind: u8, size: i64) -> FullPosition {
    FullPosition { series: Series { strike: strike_usd * USD, expiry: NOW + secs, underlying: 0, kind, _pad: [0; 6] }, size }
}

/// The exact worst loss of a book of options expiring inside the horizon and `sol` lamports,
/// over every price in the grid's range: the loss is linear between strikes, so the grid's
/// ends and every strike inside them are all the prices to try. Marks in Q20, as the arrays.
fn exact_worst(exps: &[ExpiryMarket], scen: &UnderlyingScenarios, book: &[FullPosition], sol_lamports: i64) -> i128 {
    let m = market(exps);
    let (lo, hi) = (scen.shock[0], scen.shock[N_PRICE - 1]);
    let mut xs: Vec<i64> = vec![lo, hi];
    for p in book {
        // The relative move of the forward that puts it at the strike, and the moves beside it.
        let f = i128::from(m.expiry(p.series.expiry).unwrap().forward);
        let x = ((i128::from(p.series.strike) << FX_FRAC) / f - (1i128 << FX_FRAC)) as i64;
        for dx in [-2, -1, 0, 1, 2] {
            xs.push((x + dx).clamp(lo, hi));
        }
    }
    let sol_value = i128::from(sol_lamports) * i128::from(SPOT) / 1_000_000_000; // quote native
    let mut worst = i128::MIN;
    for &x in &xs {
        let mut pnl_q20 = (sol_value * i128::from(x)) >> (FX_FRAC - 20);
        for p in book {
            let exp = m.expiry(p.series.expiry).unwrap();
            let price = Price(exp.forward).shocked(Fx(x)).unwrap().0;
            let kind = OptionKind::from_u8(p.series.kind).unwrap();
            let v0 =
                scenario_eval(p.series.strike, exp, &Tenor::new(NOW, exp.expiry).unwrap(), Fx::ZERO, Fx::ZERO).unwrap().value_q20(kind);
            let k = i128::from(p.series.strike);
            let intrinsic = if kind == OptionKind::Call { (i128::from(price) - k).max(0) } else { (k - i128::from(price)).max(0) };
            pnl_q20 += i128::from(p.size) * ((intrinsic << 20) - v0);
        }
        worst = worst.max(-pnl_q20 >> 20);
    }
    worst
}

#[test]
fn a_short_butterfly_between_two_points_pays_its_width() {
    let p = RiskParams::DEFAULT;
    let exps = short_dated(8_000);
    let m = market(&exps);
    // 80% vol: the price points nearest the spot are -6.87% (139.69) and 0 (150). Ten short
    // 140/145/150 call butterflies expiring in 12 hours: nothing at either point, 5 USD each
    // at 145.
    let book: Vec<FullPosition> = [(140, -10), (145, 20), (150, -10)].iter().map(|&(k, n)| at(k, 12 * HOUR, 0, n)).collect();
    let (scen, risks, pos) = arrays(&m, &book, &p);
    // 140 and 145 lie between the points; 150 is the spot's own point (no bend between).
    let kinks: Vec<bool> = risks.iter().map(|r| r.term & TERM_KINK != 0 && r.kink().is_some()).collect();
    assert_eq!(kinks, [true, true, false]);
    let arr = portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &[], &p, Fx::ONE).unwrap();
    let u = arr.underlyings[0];
    let premium = -u.option_value; // received, quote native
    let width_loss = 50 * USD as i64 - premium;
    assert!(premium > 0 && premium < 20 * USD as i64, "{premium}");
    // The grid alone sees a gain at every point; the strike 145 carries the whole loss.
    assert!(u.worst_loss < width_loss / 10, "{u:?}");
    assert!(u.worst_loss + u.addon_expiry >= width_loss, "{u:?} vs {width_loss}");
    assert!(u.worst_loss + u.addon_expiry <= width_loss + 200, "{u:?} vs {width_loss}");
    assert!(i128::from(u.worst_loss + u.addon_expiry) >= exact_worst(&exps, &scen, &book, 0));
    // The long butterfly (the same legs bought) gets no add-on but rounding (a unit a
    // contract): its payoff is >= 0 and its worst loss, the premium, is already at the points
    // (and at 140, where the payoff is 0 too).
    let long: Vec<FullPosition> = book.iter().map(|b| FullPosition { size: -b.size, ..*b }).collect();
    let (scen, risks, pos) = arrays(&m, &long, &p);
    let l = portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &[], &p, Fx::ONE).unwrap().underlyings[0];
    assert!(l.addon_expiry <= 40, "{l:?}");
    // The full-revaluation path prices the same strikes.
    let full = portfolio_margin_full(&[m], &book, &[], &p, Fx::ONE).unwrap().underlyings[0];
    assert!(full.worst_loss + full.addon_expiry >= width_loss && full.worst_loss + full.addon_expiry <= u.worst_loss + u.addon_expiry);
}

#[test]
fn options_beyond_the_horizon_and_outside_the_grid_have_no_kink() {
    let p = RiskParams::DEFAULT;
    let exps = short_dated(8_000);
    let m = market(&exps);
    // 30 days out: valued by Black-76 in every scenario. 12 hours out at 100 (below the lowest
    // point, 121.15) or at the spot itself (a price point): no strike strictly between points.
    let book = [at(145, 30 * DAY, 0, 1), at(100, 12 * HOUR, 1, 1), at(150, 12 * HOUR, 0, 1), at(145, 12 * HOUR, 1, 1)];
    let (_, risks, _) = arrays(&m, &book, &p);
    let kinks: Vec<bool> = risks.iter().map(|r| r.kink().is_some()).collect();
    assert_eq!(kinks, [false, false, false, true]);
}

#[test]
fn many_kinks_take_the_bound() {
    // 12 long and 12 short legs on the 12-hour expiry: 24 kinks, past MAX_KINKS: the bound,
    // still never below the exact worst.
    let p = RiskParams::DEFAULT;
    let exps = short_dated(8_000);
    let m = market(&exps);
    let book: Vec<FullPosition> = (0..24u64).map(|i| at(131 + i, 12 * HOUR, (i / 2 % 2) as u8, if i % 2 == 0 { 2 } else { -1 })).collect();
    assert!(book.len() > MAX_KINKS);
    let (scen, risks, pos) = arrays(&m, &book, &p);
    let u = portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &[], &p, Fx::ONE).unwrap().underlyings[0];
    let exact = exact_worst(&exps, &scen, &book, 0);
    assert!(i128::from(u.worst_loss + u.addon_expiry) >= exact, "{u:?} {exact}");
    // The first 8 legs alone (pairs within the limit): exact up to rounding.
    let few = &book[..8];
    let (scen, risks, pos) = arrays(&m, few, &p);
    let f = portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &[], &p, Fx::ONE).unwrap().underlyings[0];
    let exact = exact_worst(&exps, &scen, few, 0).max(0);
    let covered = i128::from(f.worst_loss + f.addon_expiry);
    assert!(covered >= exact && covered <= exact + 100, "{f:?} {exact}");
}

prop_compose! {
    /// 1 to 6 legs on the two short expiries, strikes 100..200 USD, and SOL collateral.
    fn expiring_book()(legs in prop::collection::vec((100u64..200, 0usize..2, 0u8..2, -10i64..=10), 1..7), sol_n in -10i64..=10)
        -> (Vec<FullPosition>, i64) {
        let book = legs.into_iter().filter(|l| l.3 != 0)
            .map(|(k, e, kind, size)| at(k, [12 * HOUR, 20 * HOUR][e], kind, size)).collect();
        (book, sol_n)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn the_requirement_covers_the_worst_strike((book, sol_n) in expiring_book(), atm in 3_000i64..20_000) {
        prop_assume!(!book.is_empty());
        let p = RiskParams::DEFAULT;
        let exps = short_dated(atm);
        let m = market(&exps);
        let coll = [sol(sol_n)];
        let (scen, risks, pos) = arrays(&m, &book, &p);
        let arr = portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &coll, &p, Fx::ONE).unwrap();
        let u = arr.underlyings[0];
        let covered = i128::from(u.worst_loss + u.addon_expiry);
        let exact = exact_worst(&exps, &scen, &book, sol_n * 1_000_000_000).max(0);
        // Never below the exact worst over every price of the range ...
        prop_assert!(covered >= exact, "covered {covered} < exact {exact}: {u:?}");
        // ... and above it by at most the arrays' rounding (slack and a unit per contract, the
        // spot's rounding), when the strikes are priced exactly (not the bound).
        let contracts: i64 = book.iter().map(|b| b.size.abs()).sum();
        let slack: i64 = book.iter().zip(&risks).map(|(b, r)| b.size.abs() * (r.slack + 2)).sum();
        // (A book on both short expiries prices the other expiry's longs at their full
        // height: conservative, not exact.)
        let one_expiry = book.iter().all(|b| b.series.expiry == book[0].series.expiry);
        if one_expiry {
            prop_assert!(covered <= exact + i128::from(slack) + 4, "covered {covered} > exact {exact} + {slack} ({contracts} contracts): {u:?}");
        }
        // The full-revaluation path is never above the arrays.
        let full = portfolio_margin_full(&[m], &book, &coll, &p, Fx::ONE).unwrap();
        prop_assert!(arr.maintenance >= full.maintenance);
    }
}
