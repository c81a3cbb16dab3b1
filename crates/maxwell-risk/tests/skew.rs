//! The skew move, charged to first order: each array stores `vega x sigma x y x s(T)` (the
//! change of one long contract's value per unit tilt of the smile's log vol at standardised
//! moneyness `y`), and the margin check adds `SKEW_TILT x |sum of size x that|` (`addon_skew`).

mod common;

use common::*;
use maxwell_risk::black76::OptionKind;
use maxwell_risk::fixed::{Fx, FX_FRAC};
use maxwell_risk::margin::{portfolio_margin_from_arrays, portfolio_margin_full, FullPosition};
use maxwell_risk::market::ExpiryMarket;
use maxwell_risk::math::ln::ln_ratio_q62;
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{vol_shocks, SKEW_TILT};
use maxwell_risk::series::{scenario_eval, Series, TERM_SKEW};
use maxwell_risk::units::Tenor;

const USD: u64 = 1_000_000;

fn leg(strike_usd: u64, days: i64, kind: u8, size: i64) -> FullPosition {
    FullPosition { series: Series { strike: strike_usd * USD, expiry: NOW + days * DAY, underlying: 0, kind, _pad: [0; 6] }, size }
}

#[test]
fn the_sensitivity_is_the_value_change_of_a_small_tilt() {
    // Tilt the smile by delta = 0.002 in log vol per unit y: at strike K the vol moves by the
    // factor e^(delta y s), which `scenario_eval` applies as a vol shock. The stored
    // sensitivity times delta is that value change to first order.
    let p = RiskParams::DEFAULT;
    let exps = expiries(8_000);
    let m = market(&exps);
    let mut checked = 0;
    for (strike, days) in [(120u64, 30i64), (135, 30), (170, 30), (190, 91), (140, 7), (165, 7)] {
        for kind in [0u8, 1] {
            let book = [leg(strike, days, kind, 1)];
            let (_, risks, _) = arrays(&m, &book, &p);
            let r = &risks[0];
            assert!(r.term & TERM_SKEW != 0);
            let skew = r.skew().unwrap() as f64;
            let exp = m.expiry(NOW + days * DAY).unwrap();
            let tenor = Tenor::new(NOW, exp.expiry).unwrap();
            let k = ln_ratio_q62(strike * USD, exp.forward).unwrap() as f64 / 2f64.powi(62);
            let v = exp.svi.base_vol_q62(ln_ratio_q62(strike * USD, exp.forward).unwrap()).unwrap() as f64 / 2f64.powi(62);
            let y = (k / v).clamp(-4.0, 4.0);
            let s = vol_shocks(&tenor, &p).unwrap()[1].0 as f64 / p.vol_up as f64;
            let delta = 0.002;
            let shock = Fx((((delta * y * s).exp() - 1.0) * 2f64.powi(FX_FRAC as i32)) as i64);
            let kind_ = OptionKind::from_u8(kind).unwrap();
            let v0 = scenario_eval(strike * USD, exp, &tenor, Fx::ZERO, Fx::ZERO).unwrap().value_q20(kind_) as f64 / 2f64.powi(20);
            let v1 = scenario_eval(strike * USD, exp, &tenor, Fx::ZERO, shock).unwrap().value_q20(kind_) as f64 / 2f64.powi(20);
            let (want, got) = (v1 - v0, skew * delta);
            assert!((want - got).abs() <= 0.02 * want.abs() + 2.0, "K {strike} {days}d kind {kind}: {want} vs {got}");
            assert!(want.abs() > 100.0, "a tilt moves an out-of-the-money option: {want}");
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
}

#[test]
fn a_risk_reversal_pays_the_tilt_and_a_straddle_at_the_forward_does_not() {
    let p = RiskParams::DEFAULT;
    let exps = expiries(8_000);
    let m = market(&exps);
    let run = |book: &[FullPosition]| {
        let (scen, risks, pos) = arrays(&m, book, &p);
        let u = portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &[usdc(0)], &p, Fx::ONE).unwrap().underlyings[0];
        let sum: i128 = book.iter().zip(&risks).map(|(b, r)| i128::from(b.size) * i128::from(r.skew().unwrap())).sum();
        (u, sum)
    };
    // Long the 30-day 130 put, short the 170 call: long vol where y < 0, short where y > 0.
    let rr = [leg(130, 30, 1, 10), leg(170, 30, 0, -10)];
    let (u, sum) = run(&rr);
    assert!(sum < 0, "{sum}");
    let want = (sum.unsigned_abs() * SKEW_TILT as u128).div_ceil(1 << FX_FRAC) as i64;
    assert_eq!(u.addon_skew, want);
    assert!(u.addon_skew > 5 * USD as i64, "{u:?}");
    // The reverse position pays the same add-on (the tilt either way).
    let reverse: Vec<FullPosition> = rr.iter().map(|l| FullPosition { size: -l.size, ..*l }).collect();
    assert_eq!(run(&reverse).0.addon_skew, u.addon_skew);
    // At the forward y = 0: a straddle there has no first-order skew exposure.
    let (s, sum) = run(&[leg(150, 30, 0, -10), leg(150, 30, 1, -10)]);
    assert_eq!((sum, s.addon_skew), (0, 0));
    // An option expiring inside the horizon is worth its intrinsic value there: no exposure.
    let short = [ExpiryMarket { expiry: NOW + 12 * 3_600, forward: SPOT, svi: svi(8_000, 12 * 3_600) }];
    let ms = market(&short);
    let expiring = [FullPosition { series: Series { expiry: NOW + 12 * 3_600, ..leg(130, 0, 1, 10).series }, size: 10 }];
    let (_, risks, _) = arrays(&ms, &expiring, &p);
    assert_eq!(risks[0].skew(), Some(0));
    // The full-revaluation path charges the same add-on.
    let full = portfolio_margin_full(&[m], &rr, &[usdc(0)], &p, Fx::ONE).unwrap().underlyings[0];
    assert_eq!(full.addon_skew, u.addon_skew);
}
