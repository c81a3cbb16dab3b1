//! Golden vectors from mpmath (golden/gen.py): N(x), pdf, Black-76 prices and Greeks.
//! Comparisons are in integer space (reference values are Q80 integers); f64 appears only to
//! print the worst error. Targets (DESIGN.md section 3):
//! - N(x): <= 1e-13 absolute;
//! - price and delta: <= 1e-12 x forward, absolute;
//! - gamma, vega, theta (forward-normalised, see black76.rs): <= 1e-9 x max(1, |reference|).

use maxwell_risk::black76::price_and_greeks;
use maxwell_risk::fixed::{Fx, FX_FRAC, WIDE_FRAC};
use maxwell_risk::units::{Price, Tenor};
use maxwell_risk::{normal_cdf, normal_pdf};

const Q80: f64 = 1_208_925_819_614_629_174_706_176.0; // 2^80, for printing only

fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().filter(|l| !l.starts_with('#')).skip(1).map(|l| l.split(',').collect())
}

fn int(s: &str) -> i128 {
    s.parse().unwrap()
}

/// `1e-N * 2^80` as an integer tolerance, from the decimal exponent.
fn tol_q80(neg_exp10: u32) -> i128 {
    (1i128 << 80) / 10i128.pow(neg_exp10)
}

/// Worst error seen for one quantity: (error in units of the tolerance's base, where).
struct Worst {
    name: &'static str,
    err: f64,
    at: String,
}

impl Worst {
    fn new(name: &'static str) -> Self {
        Worst { name, err: 0.0, at: String::new() }
    }
    fn see(&mut self, err: f64, at: impl FnOnce() -> String) {
        if err > self.err {
            self.err = err;
            self.at = at();
        }
    }
    fn report(&self) {
        println!("worst {:<11} error {:.3e} at {}", self.name, self.err, self.at);
    }
}

#[test]
fn normal_cdf_and_pdf_against_mpmath() {
    let text = include_str!("../golden/normal.csv");
    let tol = tol_q80(13);
    let (mut wc, mut wp) = (Worst::new("N(x)"), Worst::new("pdf(x)"));
    let mut n = 0;
    for r in rows(text) {
        let x = int(r[0]) as i64;
        let cdf = i128::from(normal_cdf(Fx(x)).0) << (80 - FX_FRAC);
        let pdf = i128::from(normal_pdf(Fx(x)).0) << (80 - FX_FRAC);
        let (ec, ep) = ((cdf - int(r[1])).abs(), (pdf - int(r[2])).abs());
        let xf = x as f64 / (1u64 << FX_FRAC) as f64;
        wc.see(ec as f64 / Q80, || format!("x = {xf}"));
        wp.see(ep as f64 / Q80, || format!("x = {xf}"));
        assert!(ec <= tol, "N({xf}) error {} > 1e-13", ec as f64 / Q80);
        assert!(ep <= 2 * tol, "pdf({xf}) error {} > 2e-13", ep as f64 / Q80);
        n += 1;
    }
    println!("{n} points");
    wc.report();
    wp.report();
}

#[test]
fn black76_against_mpmath() {
    let text = include_str!("../golden/black76.csv");
    let price_tol = tol_q80(12);
    let mut worst = [
        Worst::new("call/F"),
        Worst::new("put/F"),
        Worst::new("delta_call"),
        Worst::new("delta_put"),
        Worst::new("gamma"),
        Worst::new("vega"),
        Worst::new("theta"),
    ];
    let mut n = 0;
    for r in rows(text) {
        let (f, k, secs, sigma) = (int(r[1]) as u64, int(r[2]) as u64, int(r[3]) as i64, int(r[4]) as i64);
        let tenor = Tenor::from_secs(secs).unwrap();
        let b = price_and_greeks(Price(f), Price(k), Fx(sigma), &tenor).unwrap();
        let want: Vec<i128> = r[5..12].iter().map(|s| int(s)).collect();
        let at = || {
            let s = sigma as f64 / (1u64 << FX_FRAC) as f64;
            format!("{} F={f} K={k} ln(K/F)={:.3} T={secs}s sigma={s:.3}", r[0], (k as f64 / f as f64).ln())
        };
        // Prices: mine = p * scale / F. Compare in Q60 multiplied by F (F can be 2^62):
        // p * scale * 2^8 against (ref >> 20) * F.
        for (i, p) in [b.call, b.put].into_iter().enumerate() {
            let lhs = (i128::from(p.0) * i128::from(b.scale)) << (60 - FX_FRAC);
            let reference = (want[i] + (1 << 19)) >> 20;
            let err_f = (lhs - reference * i128::from(f)).abs();
            worst[i].see(err_f as f64 / f as f64 / (Q80 / 1_048_576.0), at);
            assert!(err_f <= (price_tol >> 20) * i128::from(f), "{} {}", worst[i].name, at());
        }
        for (i, d) in [b.delta_call, b.delta_put].into_iter().enumerate() {
            let err = ((i128::from(d.0) << (80 - FX_FRAC)) - want[2 + i]).abs();
            worst[2 + i].see(err as f64 / Q80, at);
            assert!(err <= price_tol, "{} {}", worst[2 + i].name, at());
        }
        for (i, g) in [b.gamma, b.vega, b.theta].into_iter().enumerate() {
            let reference = want[4 + i];
            let err = ((i128::from(g.0) << (80 - WIDE_FRAC)) - reference).abs();
            let unit = reference.abs().max(1i128 << 80);
            worst[4 + i].see(err as f64 / unit as f64, at);
            assert!(err * 1_000_000_000 <= unit, "{} {} err {}", worst[4 + i].name, at(), err as f64 / unit as f64);
        }
        n += 1;
    }
    println!("{n} cases (prices/deltas: absolute per unit forward; gamma/vega/theta: relative to max(1, |ref|))");
    for w in &worst {
        w.report();
    }
}
