//! Today's market at one volatility regime: SOL spot = forward = 150 USD, expiries at 1, 7, 30
//! and 91 days, SVI smiles with a put skew built exactly as `margin_quality.rs` builds them (in
//! the crate's fixed point), and the same parameters read back as f64 for the backtest's own
//! pricing.

use maxwell_risk::fixed::{Fx, FX_FRAC};
use maxwell_risk::market::ExpiryMarket;
use maxwell_risk::surface::SviParams;

pub const DAY_SECS: i64 = 86_400;
pub const YEAR_SECS: f64 = 31_536_000.0;
/// Crate time "now" (any fixed timestamp).
pub const NOW: i64 = 1_800_000_000;
/// Spot in micro-USDC per SOL.
pub const SPOT_MICRO: u64 = 150_000_000;
pub const SPOT: f64 = 150.0;
/// Listed expiries, days from now.
pub const EXPIRY_DAYS: [u32; 4] = [1, 7, 30, 91];

/// The SVI smile of `margin_quality.rs`: ATM total variance `atm^2 T`, `b = 0.1 max(T, 0.005)`,
/// `sigma = 0.1`, `rho = -0.4`, `m = 0`, `a = w0 - b sigma` (so `w(0) = w0`).
pub fn svi_fx(atm_bps: i64, secs: i64) -> SviParams {
    let t = Fx::ratio(secs, 31_536_000);
    let atm = Fx::from_bps(atm_bps);
    let w0 = atm.mul_round(atm).unwrap().mul_round(t).unwrap();
    let b = Fx::from_bps(1_000).mul_round(t.max(Fx::from_bps(50))).unwrap();
    let sigma = Fx::from_bps(1_000);
    SviParams { a: w0.0 - b.mul_round(sigma).unwrap().0, b: b.0, rho: Fx::from_bps(-4_000).0, m: 0, sigma: sigma.0 }
}

fn f(x: i64) -> f64 {
    x as f64 / (1u64 << FX_FRAC) as f64
}

/// One expiry in f64.
#[derive(Clone, Copy, Debug)]
pub struct Expiry {
    pub days: u32,
    /// Years (365-day year).
    pub t: f64,
    pub a: f64,
    pub b: f64,
    pub rho: f64,
    pub m: f64,
    pub sigma: f64,
}

impl Expiry {
    /// Today's implied vol at log-moneyness `k = ln(K/F)` (SVI total variance over `t`).
    pub fn vol(&self, k: f64) -> f64 {
        let x = k - self.m;
        let w = self.a + self.b * (self.rho * x + (x * x + self.sigma * self.sigma).sqrt());
        (w.max(1e-12) / self.t).sqrt()
    }
}

/// Today's market at one regime.
#[derive(Clone, Debug)]
pub struct Market {
    /// ATM vol of every expiry (the regime), annualised.
    pub atm: f64,
    pub atm_bps: i64,
    pub spot: f64,
    pub expiries: Vec<Expiry>,
    /// The same smiles in the crate's types (what the program's `Underlying` would hold).
    pub crate_expiries: Vec<ExpiryMarket>,
}

impl Market {
    pub fn new(atm_bps: i64) -> Market {
        let mut expiries = Vec::new();
        let mut crate_expiries = Vec::new();
        for days in EXPIRY_DAYS {
            let secs = i64::from(days) * DAY_SECS;
            let s = svi_fx(atm_bps, secs);
            crate_expiries.push(ExpiryMarket { expiry: NOW + secs, forward: SPOT_MICRO, svi: s });
            expiries.push(Expiry { days, t: secs as f64 / YEAR_SECS, a: f(s.a), b: f(s.b), rho: f(s.rho), m: f(s.m), sigma: f(s.sigma) });
        }
        Market { atm: atm_bps as f64 / 10_000.0, atm_bps, spot: SPOT, expiries, crate_expiries }
    }

    pub fn expiry(&self, days: u32) -> &Expiry {
        self.expiries.iter().find(|e| e.days == days).expect("listed expiry")
    }

    pub fn expiry_index(&self, days: u32) -> usize {
        self.expiries.iter().position(|e| e.days == days).expect("listed expiry")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smiles_have_the_regime_atm_vol_and_a_put_skew() {
        for bps in [4_000, 8_000, 15_000] {
            let m = Market::new(bps);
            for e in &m.expiries {
                assert!((e.vol(0.0) - m.atm).abs() < 1e-9, "{} {}", e.days, e.vol(0.0));
                assert!(e.vol(-0.2) > e.vol(0.2));
            }
        }
    }
}
