//! Property tests: normal symmetry, put-call parity, price bounds, monotonicity, and the margin
//! invariants (requirement >= its own grid's full-revaluation loss; rounding against the account).

mod common;

use common::*;
use maxwell_risk::black76::{price_and_greeks, Black76, OptionKind};
use maxwell_risk::fixed::{Fx, FX_FRAC};
use maxwell_risk::margin::{portfolio_margin_from_arrays, portfolio_margin_full, FullPosition};
use maxwell_risk::normal_cdf;
use maxwell_risk::params::RiskParams;
use maxwell_risk::units::{Price, Tenor, YEAR_SECS};
use proptest::prelude::*;

fn eval(f: u64, k: u64, vol: i64, secs: i64) -> Black76 {
    price_and_greeks(Price(f), Price(k), Fx(vol), &Tenor::from_secs(secs).unwrap()).unwrap()
}

/// Value in Q20 quote and the stated error bound `scale * 2^-40` (in Q20: scale >> 20) + 2.
fn val(b: &Black76, kind: OptionKind) -> (i128, i128) {
    (b.value_q20(kind), (i128::from(b.scale) >> 20) + 2)
}

prop_compose! {
    fn option_inputs()(f in 1_000u64..1_000_000_000_000, lk in -3000i64..3000, vol_bps in 100i64..50_000, secs in 60i64..3 * YEAR_SECS)
        -> (u64, u64, i64, i64) {
        let k = ((f as f64) * (lk as f64 / 1000.0).exp()).max(1.0) as u64; // test-only input generation
        (f, k, Fx::from_bps(vol_bps).0, secs)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn normal_symmetry(x in -(12i64 << FX_FRAC)..(12i64 << FX_FRAC)) {
        let s = normal_cdf(Fx(x)).0 + normal_cdf(Fx(-x)).0;
        prop_assert!((s - Fx::ONE.0).abs() <= 1, "N(x) + N(-x) - 1 = {} ulp", s - Fx::ONE.0);
    }

    #[test]
    fn put_call_parity_and_bounds((f, k, vol, secs) in option_inputs()) {
        let b = eval(f, k, vol, secs);
        let (c, e) = val(&b, OptionKind::Call);
        let (p, _) = val(&b, OptionKind::Put);
        let fwd_minus_k = (i128::from(f) - i128::from(k)) << 20;
        // C - P = F - K
        prop_assert!((c - p - fwd_minus_k).abs() <= 2 * e, "parity off by {}", c - p - fwd_minus_k);
        // max(F - K, 0) <= C <= F and max(K - F, 0) <= P <= K (exact: clamped)
        prop_assert!(b.call.0 >= 0 && b.put.0 >= 0);
        prop_assert!(c <= (i128::from(f) << 20) + e && p <= (i128::from(k) << 20) + e);
        prop_assert!(c >= fwd_minus_k.max(0) - e && p >= (-fwd_minus_k).max(0) - e);
        prop_assert!(b.delta_call.0 >= 0 && b.delta_call <= Fx::ONE && b.delta_put.0 <= 0);
    }

    #[test]
    fn monotone_in_strike_vol_time((f, k, vol, secs) in option_inputs(), dk in 1u64..1_000_000, dv in 1i64..(1 << 50), dt in 1i64..YEAR_SECS) {
        let base = eval(f, k, vol, secs);
        let (c0, e) = val(&base, OptionKind::Call);
        let (p0, _) = val(&base, OptionKind::Put);
        let hk = eval(f, k + dk, vol, secs);
        prop_assert!(val(&hk, OptionKind::Call).0 <= c0 + 2 * e, "call rises with strike");
        prop_assert!(val(&hk, OptionKind::Put).0 + 2 * val(&hk, OptionKind::Put).1 >= p0, "put falls with strike");
        let hv = eval(f, k, vol + dv, secs);
        prop_assert!(val(&hv, OptionKind::Call).0 + 2 * e >= c0, "call falls with vol");
        prop_assert!(val(&hv, OptionKind::Put).0 + 2 * e >= p0, "put falls with vol");
        let ht = eval(f, k, vol, secs + dt);
        prop_assert!(val(&ht, OptionKind::Call).0 + 2 * e >= c0, "call falls with time");
        prop_assert!(val(&ht, OptionKind::Put).0 + 2 * e >= p0, "put falls with time");
    }
}

prop_compose! {
    fn book()(legs in prop::collection::vec((0usize..3, -400i64..400, 0u8..2, -40i64..40), 1..8), sol_n in -20i64..40, usd in 0i64..100_000)
        -> (Vec<FullPosition>, i64, i64) {
        let days = [7, 30, 91];
        let book = legs.into_iter().filter(|l| l.3 != 0).map(|(e, dk, kind, size)| {
            let strike = (SPOT as i64 + dk * 250_000) as u64; // +-100 USD around 150
            FullPosition { series: series(strike, days[e], kind), size }
        }).collect();
        (book, sol_n, usd)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn requirement_bounds_its_own_full_revaluation((book, sol_n, usd) in book(), atm in 3_000i64..20_000, rep_bps in 8_000i64..10_500) {
        let p = RiskParams::DEFAULT;
        let exps = expiries(atm);
        let m = market(&exps);
        let coll = [sol(sol_n), usdc(usd * 1_000_000)];
        let rep = Fx::from_bps(rep_bps);
        let full = portfolio_margin_full(&[m], &book, &coll, &p, rep).unwrap();
        let (scen, risks, pos) = arrays(&m, &book, &p);
        let arr = portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &coll, &p, rep).unwrap();
        let (a, f) = (arr.underlyings[0], full.underlyings[0]);
        // The array path never understates the loss, the liabilities or the requirement ...
        prop_assert!(a.worst_loss >= f.worst_loss, "array loss {} < full {}", a.worst_loss, f.worst_loss);
        prop_assert!(arr.maintenance >= full.maintenance && arr.initial >= full.initial);
        prop_assert!(arr.equity <= full.equity && arr.health_maintenance <= full.health_maintenance);
        // ... and overstates it by at most slack per contract.
        let slack: i64 = book.iter().zip(&risks).map(|(b, r)| b.size.abs() * r.slack).sum();
        prop_assert!(a.worst_loss <= f.worst_loss + slack, "array loss {} > full {} + {}", a.worst_loss, f.worst_loss, slack);
        // Maintenance >= worst loss of its own grid; initial >= 1.25 x 0.9 x maintenance >= maintenance.
        prop_assert!(arr.maintenance >= f.worst_loss);
        prop_assert!(arr.initial >= arr.maintenance);
        let im_floor = (i128::from(arr.maintenance) * 1_125 + 999) / 1_000;
        prop_assert!(i128::from(arr.initial) >= im_floor);
        // Reputation changes only the initial requirement.
        let neutral = portfolio_margin_from_arrays(&books(&scen, &risks, &pos), &coll, &p, Fx::ONE).unwrap();
        prop_assert_eq!(neutral.maintenance, arr.maintenance);
        prop_assert!(neutral.initial >= arr.initial);
    }
}
