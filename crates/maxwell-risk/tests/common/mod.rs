//! Shared fixtures: a SOL-like market with a 7-day and a 30-day expiry and a skewed smile.
#![allow(dead_code)]

use maxwell_risk::collateral::TokenPrice;
use maxwell_risk::fixed::Fx;
use maxwell_risk::margin::{BookArrays, CollateralInput, FullPosition, Position, NO_UNDERLYING};
use maxwell_risk::market::{ExpiryMarket, UnderlyingMarket};
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{underlying_scenarios, UnderlyingScenarios};
use maxwell_risk::series::{series_risk, Series, SeriesRisk};
use maxwell_risk::surface::SviParams;

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
    [7 * DAY, 30 * DAY, 91 * DAY].map(|secs| ExpiryMarket {
        expiry: NOW + secs,
        forward: SPOT,
        svi: svi(atm_bps, secs),
    })
}

pub fn market(exps: &[ExpiryMarket]) -> UnderlyingMarket<'_> {
    UnderlyingMarket { spot: SPOT, conf: SPOT / 2_000, now: NOW, expiries: exps }
}

pub fn series(strike: u64, days: i64, kind: u8) -> Series {
    Series { strike, expiry: NOW + days * DAY, underlying: 0, kind, _pad: [0; 6] }
}

/// `n` whole SOL (9 decimals) at the spot, in underlying 0, weight 1.
pub fn sol(n: i64) -> CollateralInput {
    CollateralInput {
        amount: n * 1_000_000_000,
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
pub fn arrays(
    m: &UnderlyingMarket,
    book: &[FullPosition],
    p: &RiskParams,
) -> (UnderlyingScenarios, Vec<SeriesRisk>, Vec<Position>) {
    let scen = underlying_scenarios(m, p).unwrap();
    let risks = book.iter().map(|f| series_risk(&f.series, m, &scen, p).unwrap()).collect();
    let pos = book.iter().enumerate().map(|(i, f)| Position { size: f.size, series: i as u16, _pad: [0; 6] }).collect();
    (scen, risks, pos)
}

pub fn books<'a>(scen: &'a UnderlyingScenarios, risks: &'a [SeriesRisk], pos: &'a [Position]) -> [BookArrays<'a>; 1] {
    [BookArrays { scen, series: risks, positions: pos }]
}
