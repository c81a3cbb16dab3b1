//! The reference books of `docs/margin-quality.md`: maintenance covers the independent stress
//! test, the hedged books need at most 40% of the isolated rule where that is compatible with
//! covering the stress, and the two goals provably conflict for the covered call and the
//! delta-hedged short straddle.

mod common;

use common::*;
use maxwell_risk::fixed::{Fx, FX_FRAC};
use maxwell_risk::margin::{portfolio_margin_from_arrays, FullPosition, MarginSummary};
use maxwell_risk::market::UnderlyingMarket;
use maxwell_risk::params::RiskParams;
use maxwell_risk::series::SeriesRisk;

const SOL: i64 = 1_000_000_000; // lamports

fn leg(strike_usd: u64, days: i64, kind: u8, size: i64) -> FullPosition {
    FullPosition { series: series(strike_usd * 1_000_000, days, kind), size }
}

struct Row {
    m: MarginSummary,
    risks: Vec<SeriesRisk>,
    stress: i64,
}

impl Row {
    /// IM - option marks: the collateral the book needs at IM.
    fn need(&self) -> i64 {
        self.m.initial - self.m.option_value
    }
    /// The same if maintenance were exactly the stress loss.
    fn need_at_stress(&self, p: &RiskParams) -> i64 {
        let im = (i128::from(self.stress) * i128::from(p.im_factor) + (1 << FX_FRAC) - 1) >> FX_FRAC;
        im as i64 - self.m.option_value
    }
}

fn row(m: &UnderlyingMarket, book: &[FullPosition], lamports: i64) -> Row {
    let p = RiskParams::DEFAULT;
    let (scen, risks, pos) = arrays(m, book, &p);
    let coll = [sol_lamports(lamports), usdc(0)];
    let summary = portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &coll, &p, Fx::ONE).unwrap();
    let stress = stress_loss(m, book, lamports, stress_width(m), &STRESS_VOL_BPS);
    Row { m: summary, risks, stress }
}

/// `a <= 40% of b`.
fn within_40(a: i64, b: i64) -> bool {
    5 * i128::from(a) <= 2 * i128::from(b)
}

fn straddle_hedge(m: &UnderlyingMarket) -> i64 {
    let book = [leg(150, 30, 0, -10), leg(150, 30, 1, -10)];
    let (_, risks, _) = arrays(m, &book, &RiskParams::DEFAULT);
    -book.iter().zip(&risks).map(|(b, r)| b.size * r.delta_e9).sum::<i64>()
}

#[test]
fn every_reference_book_is_covered_by_maintenance() {
    let exps = expiries(8_000);
    let m = market(&exps);
    let hedge = straddle_hedge(&m);
    let straddle = vec![leg(150, 30, 0, -10), leg(150, 30, 1, -10)];
    let cases: Vec<(&str, Vec<FullPosition>, i64)> = vec![
        ("naked call", vec![leg(165, 30, 0, -10)], 0),
        ("naked put", vec![leg(135, 30, 1, -10)], 0),
        ("SOL alone", vec![], 10 * SOL),
        ("covered call", vec![leg(165, 30, 0, -10)], 10 * SOL),
        ("call vertical", vec![leg(160, 30, 0, -10), leg(170, 30, 0, 10)], 0),
        ("put vertical", vec![leg(140, 30, 1, -10), leg(130, 30, 1, 10)], 0),
        ("condor", vec![leg(130, 30, 1, 10), leg(140, 30, 1, -10), leg(160, 30, 0, -10), leg(170, 30, 0, 10)], 0),
        ("calendar", vec![leg(150, 7, 0, -10), leg(150, 30, 0, 10)], 0),
        ("straddle", straddle.clone(), 0),
        ("hedged straddle", straddle, hedge),
        ("long straddle (vol halving)", vec![leg(150, 30, 0, 10), leg(150, 30, 1, 10)], 0),
    ];
    for (name, book, sol_l) in &cases {
        let r = row(&m, book, *sol_l);
        assert!(r.stress > 0, "{name}");
        assert!(r.m.maintenance >= r.stress, "{name}: MM {} < stress {}", r.m.maintenance, r.stress);
        assert!(r.m.initial >= r.stress, "{name}");
    }
}

#[test]
fn hedged_spreads_need_at_most_40_percent_of_the_isolated_rule() {
    let exps = expiries(8_000);
    let m = market(&exps);
    let books: Vec<(&str, Vec<FullPosition>)> = vec![
        ("call vertical", vec![leg(160, 30, 0, -10), leg(170, 30, 0, 10)]),
        ("put vertical", vec![leg(140, 30, 1, -10), leg(130, 30, 1, 10)]),
        ("condor", vec![leg(130, 30, 1, 10), leg(140, 30, 1, -10), leg(160, 30, 0, -10), leg(170, 30, 0, 10)]),
        ("calendar", vec![leg(150, 7, 0, -10), leg(150, 30, 0, 10)]),
    ];
    for (name, book) in &books {
        let r = row(&m, book, 0);
        let iso = isolated(book, &r.risks);
        assert!(within_40(r.need(), iso), "{name}: {} of {}", r.need(), iso);
    }
}

#[test]
fn goal_conflicts_covered_call_and_hedged_straddle() {
    let p = RiskParams::DEFAULT;
    let exps = expiries(8_000);
    let m = market(&exps);
    // Covered call over SOL alone: even with both maintenances exactly at their stress losses
    // the extra collateral exceeds 40% of the call's isolated rule (the call's mark is ~35% of
    // it and the covered call loses more than SOL alone in the stress: fall + vol x2).
    let call = vec![leg(165, 30, 0, -10)];
    let cc = row(&m, &call, 10 * SOL);
    let alone = row(&m, &[], 10 * SOL);
    let iso = isolated(&call, &cc.risks);
    assert!(cc.stress > alone.stress);
    assert!(!within_40(cc.need_at_stress(&p) - alone.need_at_stress(&p), iso));
    assert!(cc.need() - alone.need() <= (cc.need_at_stress(&p) - alone.need_at_stress(&p)) * 102 / 100);
    // Delta-hedged short straddle: the marks alone are > 37% of the isolated rule, so 40% would
    // need a maintenance of a few USD against a stress loss of ~340 USD.
    let book = vec![leg(150, 30, 0, -10), leg(150, 30, 1, -10)];
    let r = row(&m, &book, straddle_hedge(&m));
    let iso = isolated(&book, &r.risks);
    assert!(-r.m.option_value * 100 > 37 * iso);
    assert!(!within_40(r.need_at_stress(&p), iso));
    // The short minimum is a floor: nothing added above the scenario loss (formerly 225 USD, 107%
    // of the isolated rule); maintenance = worst loss + oracle-confidence add-on, below the
    // isolated rule and within 1% of the lowest ratio that covers the stress.
    let u = r.m.underlyings[0];
    assert_eq!(u.addon_short_min, 0);
    assert_eq!(r.m.maintenance, u.worst_loss + u.addon_confidence);
    assert!(r.need() < iso);
    assert!(r.need() * 100 <= r.need_at_stress(&p) * 101, "{} vs {}", r.need(), r.need_at_stress(&p));
}
