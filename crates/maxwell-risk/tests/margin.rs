//! Margin add-ons and refusals, table-driven, on the shared SOL fixture.

mod common;

use common::*;
use maxwell_risk::fixed::Fx;
use maxwell_risk::margin::{portfolio_margin_from_arrays, BookArrays, FullPosition, Position};
use maxwell_risk::params::RiskParams;
use maxwell_risk::series::short_minimum;
use maxwell_risk::black76::OptionKind;
use maxwell_risk::RiskError;

fn run(book: &[FullPosition], sol_n: i64) -> maxwell_risk::margin::MarginSummary {
    let p = RiskParams::DEFAULT;
    let exps = expiries(8_000);
    let m = market(&exps);
    let (scen, risks, pos) = arrays(&m, book, &p);
    portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &[sol(sol_n), usdc(0)], &p, Fx::ONE).unwrap()
}

#[test]
fn short_minimum_applies_to_naked_shorts_only() {
    let p = RiskParams::DEFAULT;
    let call165 = series(165_000_000, 30, 0);
    let call175 = series(175_000_000, 30, 0);
    let put135 = series(135_000_000, 30, 1);
    let min_call = short_minimum(OptionKind::Call, 165_000_000, SPOT, &p).unwrap();
    let min_put = short_minimum(OptionKind::Put, 135_000_000, SPOT, &p).unwrap();
    // (book, SOL held, expected add-on = naked contracts x the per-contract minimum)
    let cases: Vec<(Vec<FullPosition>, i64, i64)> = vec![
        (vec![FullPosition { series: call165, size: -10 }], 0, 10 * min_call),
        (vec![FullPosition { series: call165, size: -10 }], 10, 0), // covered by 10 SOL
        (vec![FullPosition { series: call165, size: -10 }], 4, 6 * min_call), // 6 naked
        (vec![FullPosition { series: call165, size: -10 }, FullPosition { series: call175, size: 10 }], 0, 0), // spread
        (vec![FullPosition { series: put135, size: -10 }], 10, 10 * min_put), // long SOL does not cover puts
        (vec![FullPosition { series: put135, size: -10 }], -10, 0), // borrowed SOL covers puts
    ];
    for (i, (book, sol_n, want)) in cases.iter().enumerate() {
        let got = run(book, *sol_n).underlyings[0].addon_short_min;
        assert_eq!(got, *want, "case {i}");
    }
}

#[test]
fn itemised_requirement_and_im() {
    let m = run(&[FullPosition { series: series(165_000_000, 30, 0), size: -10 }], 0);
    let u = m.underlyings[0];
    // maintenance = worst loss + every add-on; initial = ceil(1.25 x maintenance)
    assert_eq!(m.maintenance, u.worst_loss + u.addon_short_min + u.addon_delta + u.addon_vega + u.addon_confidence);
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
    assert_eq!(
        maxwell_risk::series::series_risk(&unlisted, &m, &scen, &p),
        Err(RiskError::ExpiryNotListed)
    );
}
