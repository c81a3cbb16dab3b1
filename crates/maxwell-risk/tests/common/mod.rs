//! Shared fixtures: a SOL-like market with a 7-day and a 30-day expiry and a skewed smile.
#![allow(dead_code)]

use maxwell_risk::black76::OptionKind;
use maxwell_risk::collateral::{raw_value, TokenPrice};
use maxwell_risk::fixed::{Fx, FX_FRAC};
use maxwell_risk::margin::{BookArrays, CollateralInput, FullPosition, Position, NO_UNDERLYING};
use maxwell_risk::market::{ExpiryMarket, UnderlyingMarket};
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{atm_vol, underlying_scenarios, UnderlyingScenarios};
use maxwell_risk::series::{scenario_eval, scenario_eval_after, series_risk, Series, SeriesRisk};
use maxwell_risk::surface::SviParams;
use maxwell_risk::units::Tenor;

pub const NOW: i64 = 1_800_000_000;
pub const DAY: i64 = 86_400;
pub const SPOT: u64 = 150_000_000; // 150 USD in micro-USDC

/// SVI for an ATM vol `atm` (bps) at tenor `secs` with a put skew.
pub fn svi(atm_bps: i64, secs: i64) -> SviParams {
    // w(0) = a + b sigma (m = 0): choose b, rho, sigma in total-variance units of T.
    let t = Fx::ratio(secs, 31_536_000);
    let atm = Fx::from_bps(atm_bps);
    let w0 = atm.mul_round(atm).unwrap().mul_round(t).unwrap();
    let b = Fx::from_bps(1_000).mul_round(t.max(Fx::from_bps(50))).unwrap();
    let sigma = Fx::from_bps(1_000);
    SviParams { a: w0.0 - b.mul_round(sigma).unwrap().0, b: b.0, rho: Fx::from_bps(-4_000).0, m: 0, sigma: sigma.0 }
}

pub fn expiries(atm_bps: i64) -> [ExpiryMarket; 3] {
    [7 * DAY, 30 * DAY, 91 * DAY].map(|secs| ExpiryMarket { expiry: NOW + secs, forward: SPOT, svi: svi(atm_bps, secs) })
}

pub fn market(exps: &[ExpiryMarket]) -> UnderlyingMarket<'_> {
    UnderlyingMarket { spot: SPOT, conf: SPOT / 2_000, now: NOW, expiries: exps }
}

pub fn series(strike: u64, days: i64, kind: u8) -> Series {
    Series { strike, expiry: NOW + days * DAY, underlying: 0, kind, _pad: [0; 6] }
}

/// `n` whole SOL (9 decimals) at the spot, in underlying 0, weight 1.
pub fn sol(n: i64) -> CollateralInput {
    sol_lamports(n * 1_000_000_000)
}

/// SOL in lamports (negative = borrowed) at the spot, in underlying 0, weight 1.
pub fn sol_lamports(amount: i64) -> CollateralInput {
    CollateralInput {
        amount,
        price: TokenPrice::from_oracle((SPOT * 100) as i64, -8, 9, 6).unwrap(),
        asset_weight_bps: 10_000,
        liability_weight_bps: 10_000,
        underlying: 0,
    }
}

/// USDC in micro-USDC.
pub fn usdc(micro: i64) -> CollateralInput {
    CollateralInput {
        amount: micro,
        price: TokenPrice::ONE,
        asset_weight_bps: 10_000,
        liability_weight_bps: 10_000,
        underlying: NO_UNDERLYING,
    }
}

/// Risk arrays of the positions' series (one per position) and the positions indexing them.
pub fn arrays(m: &UnderlyingMarket, book: &[FullPosition], p: &RiskParams) -> (UnderlyingScenarios, Vec<SeriesRisk>, Vec<Position>) {
    let scen = underlying_scenarios(m, p).unwrap();
    let risks = book.iter().map(|f| series_risk(&f.series, m, &scen, p).unwrap()).collect();
    let pos = book.iter().enumerate().map(|(i, f)| Position { size: f.size, series: i as u16, _pad: [0; 6] }).collect();
    (scen, risks, pos)
}

pub fn books<'a>(scen: &'a UnderlyingScenarios, risks: &'a [SeriesRisk], pos: &'a [Position]) -> [BookArrays<'a>; 1] {
    [BookArrays { scen, series: risks, positions: pos }]
}

/// The independent stress test of `docs/margin-quality.md` (it reads no `RiskParams`): half-width
/// `W = 4.5 x highest ATM vol x sqrt(1 day)`, Q52.
pub fn stress_width(m: &UnderlyingMarket) -> i64 {
    let sd = atm_vol(m).unwrap().mul_round(Tenor::from_secs(DAY).unwrap().sqrt_t).unwrap();
    (i128::from(sd.0) * 45 / 10) as i64
}

/// Vol multipliers of the stress test (bps, the same on every expiry).
pub const STRESS_VOL_BPS: [i64; 5] = [5_000, 7_500, 10_000, 15_000, 20_000];

/// Worst loss over 61 price moves in `-width..=width` (Q52) x `vol_bps` multipliers, full
/// revaluation one day later of the options and of the SOL (lamports) held, quote native units.
pub fn stress_loss(m: &UnderlyingMarket, book: &[FullPosition], sol_lamports: i64, width: i64, vol_bps: &[i64]) -> i64 {
    let price = TokenPrice::from_oracle((SPOT * 100) as i64, -8, 9, 6).unwrap();
    let sol_value = raw_value(sol_lamports.unsigned_abs(), price, false).unwrap() as i128 * i128::from(sol_lamports.signum());
    let mut worst = 0i128;
    for step in -30i64..=30 {
        let x = Fx((i128::from(width) * i128::from(step) / 30) as i64);
        for &mult in vol_bps {
            let mut pnl = (i128::from(x.0) * sol_value) >> FX_FRAC;
            for p in book {
                let exp = m.expiry(p.series.expiry).unwrap();
                let t = Tenor::new(m.now, exp.expiry).unwrap();
                let k = OptionKind::from_u8(p.series.kind).unwrap();
                let v0 = scenario_eval(p.series.strike, exp, &t, Fx::ZERO, Fx::ZERO).unwrap().value_q20(k);
                // One day later (the liquidation horizon the requirement covers): decay included.
                let vs = scenario_eval_after(p.series.strike, exp, &t, DAY, x, Fx::from_bps(mult - 10_000)).unwrap().value_q20(k);
                pnl += (i128::from(p.size) * (vs - v0)) >> 20;
            }
            worst = worst.max(-pnl);
        }
    }
    worst as i64
}

/// The standard isolated rule: per short contract `max(0.15 S - OTM, 0.10 S) + mark` (the
/// short's mark, `mark + slack`), hedges ignored.
pub fn isolated(book: &[FullPosition], risks: &[SeriesRisk]) -> i64 {
    let s = i128::from(SPOT);
    let mut total = 0i128;
    for (b, r) in book.iter().zip(risks) {
        if b.size >= 0 {
            continue;
        }
        let k = i128::from(b.series.strike);
        let otm = if b.series.kind == 0 { (k - s).max(0) } else { (s - k).max(0) };
        total += i128::from(-b.size) * ((s * 15 / 100 - otm).max(s / 10) + i128::from(r.mark + r.slack));
    }
    total as i64
}
