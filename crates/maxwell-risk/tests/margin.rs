//! Margin add-ons and refusals, table-driven, on the shared SOL fixture.

mod common;

use common::*;
use maxwell_risk::black76::OptionKind;
use maxwell_risk::fixed::Fx;
use maxwell_risk::margin::{portfolio_margin_from_arrays, BookArrays, FullPosition, Position};
use maxwell_risk::params::RiskParams;
use maxwell_risk::series::short_minimum;
use maxwell_risk::RiskError;

fn run(book: &[FullPosition], sol_n: i64) -> maxwell_risk::margin::MarginSummary {
    run_with(book, sol_n, &RiskParams::DEFAULT)
}

fn run_with(book: &[FullPosition], sol_n: i64, p: &RiskParams) -> maxwell_risk::margin::MarginSummary {
    let exps = expiries(8_000);
    let m = market(&exps);
    let (scen, risks, pos) = arrays(&m, book, p);
    portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &[sol(sol_n), usdc(0)], p, Fx::ONE).unwrap()
}

#[test]
fn short_minimum_floors_the_loss_of_naked_shorts_only() {
    // A minimum far above every grid loss (base 1.0, scale 1.0: 0.9 x S for the 165 call) so that
    // the floor binds and the naked count shows: worst + excess = naked x minimum.
    let p = RiskParams { short_min_base: Fx::ONE.0, short_min_mm_scale: Fx::ONE.0, ..RiskParams::DEFAULT };
    p.validate().unwrap();
    let call165 = series(165_000_000, 30, 0);
    let call175 = series(175_000_000, 30, 0);
    let put135 = series(135_000_000, 30, 1);
    let min_call = short_minimum(OptionKind::Call, 165_000_000, SPOT, &p).unwrap();
    let min_put = short_minimum(OptionKind::Put, 135_000_000, SPOT, &p).unwrap();
    // (book, SOL held, floor = naked contracts x the per-contract minimum)
    let cases: Vec<(Vec<FullPosition>, i64, i64)> = vec![
        (vec![FullPosition { series: call165, size: -10 }], 0, 10 * min_call),
        (vec![FullPosition { series: call165, size: -10 }], 10, 0), // covered by 10 SOL
        (vec![FullPosition { series: call165, size: -10 }], 4, 6 * min_call), // 6 naked
        (vec![FullPosition { series: call165, size: -10 }, FullPosition { series: call175, size: 10 }], 0, 0), // spread
        (vec![FullPosition { series: put135, size: -10 }], 10, 10 * min_put), // long SOL does not cover puts
        (vec![FullPosition { series: put135, size: -10 }], -10, 0), // borrowed SOL covers puts
    ];
    for (i, (book, sol_n, floor)) in cases.iter().enumerate() {
        let u = run_with(book, *sol_n, &p).underlyings[0];
        // The minimum is a floor, never added on top of the loss (with the gap points' share).
        let loss = u.worst_loss + u.addon_expiry + u.addon_gap;
        assert_eq!(loss + u.addon_short_min, loss.max(*floor), "case {i}: {u:?}");
        if *floor > 0 {
            assert!(u.addon_short_min > 0 && loss < *floor, "case {i}: the floor binds");
        }
    }
    // Default parameters: the 10-lot 165 call's minimum (75 USD) is far below its worst loss, so
    // nothing is added; a 7-day call at 250 (67% out of the money) has a smaller loss than its
    // minimum (0.10 x 150 x 0.5 = 7.5 USD a contract): the requirement is the minimum.
    let d = RiskParams::DEFAULT;
    let naked = run(&[FullPosition { series: call165, size: -10 }], 0).underlyings[0];
    assert!(naked.worst_loss > 10 * short_minimum(OptionKind::Call, 165_000_000, SPOT, &d).unwrap());
    assert_eq!(naked.addon_short_min, 0);
    let far = run(&[FullPosition { series: series(250_000_000, 7, 0), size: -10 }], 0).underlyings[0];
    let far_min = 10 * short_minimum(OptionKind::Call, 250_000_000, SPOT, &d).unwrap();
    assert!((75_000_000..=75_000_010).contains(&far_min), "{far_min}");
    let far_loss = far.worst_loss + far.addon_gap;
    assert!(far.worst_loss < far_min && far_loss.max(far_min) == far_loss + far.addon_short_min, "{far:?}");
}

#[test]
fn itemised_requirement_and_im() {
    let m = run(&[FullPosition { series: series(165_000_000, 30, 0), size: -10 }], 0);
    let u = m.underlyings[0];
    // maintenance = worst loss + every add-on; initial = ceil(1.25 x maintenance)
    assert_eq!(
        m.maintenance,
        u.worst_loss + u.addon_expiry + u.addon_gap + u.addon_skew + u.addon_short_min + u.addon_delta + u.addon_vega + u.addon_confidence
    );
    assert_eq!(m.initial, (m.maintenance * 5 + 3) / 4);
    assert_eq!(m.health_maintenance, m.equity - m.maintenance);
    assert!(u.worst_scenario as usize >= 18, "a short call loses most at +S: {}", u.worst_scenario);
}

#[test]
fn refusals() {
    let p = RiskParams::DEFAULT;
    let exps = expiries(8_000);
    let m = market(&exps);
    let book = [FullPosition { series: series(165_000_000, 30, 0), size: -1 }];
    let (scen, risks, _) = arrays(&m, &book, &p);
    let bad = [Position { size: 1, series: 7, _pad: [0; 6] }];
    let b = [BookArrays { scen: &scen, series: &risks, positions: &bad }];
    assert_eq!(portfolio_margin_from_arrays(&b, &[], &p, Fx::ONE), Err(RiskError::SeriesIndexOutOfRange));
    let mut stray = sol(1);
    stray.underlying = 3;
    let ok = [BookArrays { scen: &scen, series: &risks, positions: &[] }];
    assert_eq!(portfolio_margin_from_arrays(&ok, &[stray], &p, Fx::ONE), Err(RiskError::UnderlyingIndexOutOfRange));
    let unlisted = series(165_000_000, 12, 0);
    assert_eq!(maxwell_risk::series::series_risk(&unlisted, &m, &scen, &p), Err(RiskError::ExpiryNotListed));
}
