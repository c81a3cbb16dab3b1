//! Black-76 on the forward in f64 (undiscounted), the backtest's own pricer: it never calls the
//! risk crate's. The normal CDF is Hart's double-precision algorithm 5666 as given by West (2005),
//! absolute error about 1e-15.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Call,
    Put,
}

/// Standard normal CDF (Hart 5666 / West 2005).
pub fn norm_cdf(x: f64) -> f64 {
    let xa = x.abs();
    let c = if xa > 37.0 {
        0.0
    } else {
        let e = (-xa * xa / 2.0).exp();
        if xa < 7.071_067_811_865_47 {
            let mut n = 3.526_249_659_989_11e-2 * xa + 0.700_383_064_443_688;
            n = n * xa + 6.373_962_203_531_65;
            n = n * xa + 33.912_866_078_383;
            n = n * xa + 112.079_291_497_871;
            n = n * xa + 221.213_596_169_931;
            n = n * xa + 220.206_867_912_376;
            let mut d = 8.838_834_764_831_84e-2 * xa + 1.755_667_163_182_64;
            d = d * xa + 16.064_177_579_207;
            d = d * xa + 86.780_732_202_946_1;
            d = d * xa + 296.564_248_779_674;
            d = d * xa + 637.333_633_378_831;
            d = d * xa + 793.826_512_519_948;
            d = d * xa + 440.413_735_824_752;
            e * n / d
        } else {
            let mut b = xa + 0.65;
            b = xa + 4.0 / b;
            b = xa + 3.0 / b;
            b = xa + 2.0 / b;
            b = xa + 1.0 / b;
            e / b / 2.506_628_274_631
        }
    };
    if x > 0.0 {
        1.0 - c
    } else {
        c
    }
}

/// Standard normal density.
pub fn norm_pdf(x: f64) -> f64 {
    (-x * x / 2.0).exp() * 0.398_942_280_401_432_7
}

pub fn intrinsic(kind: Kind, f: f64, k: f64) -> f64 {
    match kind {
        Kind::Call => (f - k).max(0.0),
        Kind::Put => (k - f).max(0.0),
    }
}

fn d1_v(f: f64, k: f64, sigma: f64, t: f64) -> Option<(f64, f64)> {
    let v = sigma * t.max(0.0).sqrt();
    if v < 1e-12 {
        return None;
    }
    Some((((f / k).ln() + 0.5 * v * v) / v, v))
}

/// Value of one option on forward `f`, strike `k`, vol `sigma` (annual), `t` years; intrinsic at
/// or after expiry.
pub fn price(kind: Kind, f: f64, k: f64, sigma: f64, t: f64) -> f64 {
    let Some((d1, v)) = d1_v(f, k, sigma, t) else {
        return intrinsic(kind, f, k);
    };
    let d2 = d1 - v;
    let p = match kind {
        Kind::Call => f * norm_cdf(d1) - k * norm_cdf(d2),
        Kind::Put => k * norm_cdf(-d2) - f * norm_cdf(-d1),
    };
    p.max(intrinsic(kind, f, k))
}

/// dV/dF.
pub fn delta(kind: Kind, f: f64, k: f64, sigma: f64, t: f64) -> f64 {
    match (d1_v(f, k, sigma, t), kind) {
        (Some((d1, _)), Kind::Call) => norm_cdf(d1),
        (Some((d1, _)), Kind::Put) => norm_cdf(d1) - 1.0,
        (None, Kind::Call) => f64::from(u8::from(f > k)),
        (None, Kind::Put) => -f64::from(u8::from(f < k)),
    }
}

/// dV/dsigma per 1.00 of vol (the same for calls and puts).
pub fn vega(f: f64, k: f64, sigma: f64, t: f64) -> f64 {
    d1_v(f, k, sigma, t).map_or(0.0, |(d1, _)| f * norm_pdf(d1) * t.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_known_values() {
        // Reference values: 1 - erfc(x / sqrt 2) / 2 (Python math.erfc).
        let cases = [
            (0.0, 0.5),
            (1.0, 0.841_344_746_068_542_9),
            (-2.0, 0.022_750_131_948_179_22),
            (-3.0, 0.001_349_898_031_630_095_7),
            (0.1, 0.539_827_837_277_029),
            (-6.0, 9.865_876_450_377_012e-10),
            (-8.5, 9.479_534_822_203_355e-18),
        ];
        for (x, want) in cases {
            let got = norm_cdf(x);
            assert!((got - want).abs() <= 1e-15 + 1e-12 * want, "N({x}) = {got}, want {want}");
        }
        for i in -400..=400 {
            let x = f64::from(i) / 40.0;
            assert!((norm_cdf(x) + norm_cdf(-x) - 1.0).abs() < 2e-16, "{x}");
        }
    }

    #[test]
    fn black76_known_values_and_parity() {
        // ATM: F (2 N(v/2) - 1); F = K = 100, sigma = 20%, T = 1: 100 (2 N(0.1) - 1) = 7.965567455405804.
        assert!((price(Kind::Call, 100.0, 100.0, 0.2, 1.0) - 7.965_567_455_405_804).abs() < 1e-12);
        assert!((price(Kind::Put, 100.0, 100.0, 0.2, 1.0) - 7.965_567_455_405_804).abs() < 1e-12);
        // F = 100, K = 110, sigma = 30%, T = 0.5: d1 = -0.343230, d2 = -0.555363,
        // F N(d1) - K N(d2) = 4.745683813458079 (Python math.erfc).
        let c = price(Kind::Call, 100.0, 110.0, 0.3, 0.5);
        assert!((c - 4.745_683_813_458_079).abs() < 1e-11, "{c}");
        // Put-call parity C - P = F - K over a grid, and price bounds.
        for &f in &[50.0, 150.0, 1_000.0] {
            for &m in &[-1.5, -0.3, 0.0, 0.2, 1.0] {
                for &s in &[0.05, 0.8, 3.0] {
                    for &t in &[1.0 / 365.0, 30.0 / 365.0, 2.0] {
                        let k = f * f64::exp(m);
                        let (c, p) = (price(Kind::Call, f, k, s, t), price(Kind::Put, f, k, s, t));
                        assert!((c - p - (f - k)).abs() < 1e-9 * f, "{f} {k} {s} {t}");
                        assert!(c >= intrinsic(Kind::Call, f, k) && c <= f);
                        assert!(p >= intrinsic(Kind::Put, f, k) && p <= k);
                    }
                }
            }
        }
        // Expired: intrinsic.
        assert_eq!(price(Kind::Put, 90.0, 100.0, 0.8, 0.0), 10.0);
        assert_eq!(price(Kind::Call, 90.0, 100.0, 0.8, -1.0), 0.0);
    }

    #[test]
    fn greeks_match_finite_differences() {
        let (f, k, s, t) = (150.0, 165.0, 0.8, 30.0 / 365.0);
        for kind in [Kind::Call, Kind::Put] {
            let h = 1e-4;
            let fd = (price(kind, f + h, k, s, t) - price(kind, f - h, k, s, t)) / (2.0 * h);
            assert!((delta(kind, f, k, s, t) - fd).abs() < 1e-7);
            let fv = (price(kind, f, k, s + h, t) - price(kind, f, k, s - h, t)) / (2.0 * h);
            assert!((vega(f, k, s, t) - fv).abs() < 1e-6);
        }
    }
}
