//! One regime: simulate the days once (common to every book), value every series held by any
//! book on every day, then each book's one-day loss distribution against its requirement.
//!
//! Ordinary days are stratified on the spot move (half drawn in the 1% tails of the t(4), each
//! day weighted by its probability), so the 99.9% quantile rests on thousands of tail days.
//! Gap days are simulated apart and mixed in at probability [`GAP_PROB`].

use crate::b76::Kind;
use crate::books::{mark, Book};
use crate::dynamics::{expiry_weights, value_after, Day, Dynamics, TAIL};
use crate::market::Market;
use crate::model::{requirement, Requirement};
use crate::reference::{deribit, isolated};
use crate::rng::Rng;
use std::collections::HashMap;

/// Share of days that are gap days.
pub const GAP_PROB: f64 = 0.001;
/// The tail probability of the quantile (99.9%).
pub const ALPHA: f64 = 0.001;

#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Ordinary days per regime (even).
    pub ordinary_days: usize,
    pub gap_days: usize,
    pub random_books: usize,
    pub seed: u64,
}

#[derive(Clone, Debug)]
pub struct BookResult {
    pub family: String,
    pub name: String,
    pub legs: String,
    pub req: Requirement,
    pub isolated: f64,
    pub deribit: f64,
    /// Probability that the one-day loss exceeds maintenance, ordinary days only.
    pub breach_no_gap: f64,
    /// The same with gap days on `GAP_PROB` of days.
    pub breach_gap: f64,
    /// 99.9% one-day loss, ordinary days only / with gap days.
    pub q_no_gap: f64,
    pub q_gap: f64,
    pub worst_no_gap: f64,
    pub worst_gap_day: f64,
}

pub struct Days {
    pub days: Vec<Day>,
    /// Probability weight of each day among its kind (ordinary weights sum to 1, gap weights to 1).
    pub weight: Vec<f64>,
    pub n_ordinary: usize,
}

pub fn draw_days(market: &Market, d: &Dynamics, cfg: &Config) -> Days {
    let sd = market.atm * (d.horizon_days / 365.0).sqrt();
    let mut rng = Rng::new(cfg.seed);
    let half = cfg.ordinary_days / 2;
    let (w_tail, w_centre) = (2.0 * TAIL / half as f64, (1.0 - 2.0 * TAIL) / half as f64);
    let mut days = Vec::with_capacity(2 * half + cfg.gap_days);
    let mut weight = Vec::with_capacity(days.capacity());
    for i in 0..2 * half {
        let tail = i % 2 == 1;
        days.push(Day::ordinary(&mut rng, d, sd, tail));
        weight.push(if tail { w_tail } else { w_centre });
    }
    for _ in 0..cfg.gap_days {
        days.push(Day::gap(&mut rng, d, sd));
        weight.push(1.0 / cfg.gap_days as f64);
    }
    Days { days, weight, n_ordinary: 2 * half }
}

/// Upper `alpha` quantile of a weighted sample (weights sum to 1): the largest loss `L` such that
/// the weight of losses `>= L` reaches `alpha`.
pub fn upper_quantile(loss: &[f64], weight: &[f64], alpha: f64) -> f64 {
    let mut idx: Vec<u32> = (0..loss.len() as u32).collect();
    let by_loss_desc = |a: &u32, b: &u32| loss[*b as usize].total_cmp(&loss[*a as usize]);
    let top = 8_000.min(idx.len());
    if top < idx.len() {
        idx.select_nth_unstable_by(top, by_loss_desc);
    }
    let mut head: Vec<u32> = idx[..top].to_vec();
    head.sort_unstable_by(by_loss_desc);
    let mut cum = 0.0;
    for &i in &head {
        cum += weight[i as usize];
        if cum >= alpha {
            return loss[i as usize];
        }
    }
    // Not reached within the head: the full sort.
    idx.sort_unstable_by(by_loss_desc);
    cum = 0.0;
    for &i in &idx {
        cum += weight[i as usize];
        if cum >= alpha {
            return loss[i as usize];
        }
    }
    loss[*idx.last().unwrap() as usize]
}

pub fn run_regime(market: &Market, books: &[Book], d: &Dynamics, cfg: &Config) -> Vec<BookResult> {
    let days = draw_days(market, d, cfg);
    let n_days = days.days.len();
    // Every series any book holds.
    let mut index: HashMap<(u64, u32, Kind), usize> = HashMap::new();
    let mut series: Vec<(u64, u32, Kind)> = Vec::new();
    for b in books {
        for l in &b.legs {
            index.entry((l.strike, l.days, l.kind)).or_insert_with(|| {
                series.push((l.strike, l.days, l.kind));
                series.len() - 1
            });
        }
    }
    let w = expiry_weights(market, d);
    // P&L of one long contract of each series on each day (f32: USD to ~1e-7 relative).
    let mut pnl = vec![0f32; series.len() * n_days];
    let base: Vec<f64> =
        series.iter().map(|&(strike, days, kind)| mark(market, &crate::books::Leg { strike, days, kind, size: 1 })).collect();
    let exp_idx: Vec<usize> = series.iter().map(|s| market.expiry_index(s.1)).collect();
    let mut spot_pnl = vec![0f64; n_days];
    for (j, day) in days.days.iter().enumerate() {
        let f_new = day.forward(market);
        spot_pnl[j] = f_new - market.spot;
        for (s, &(strike, _, kind)) in series.iter().enumerate() {
            let v = value_after(market, d, &w, exp_idx[s], strike as f64 / 1e6, kind, day, f_new);
            pnl[s * n_days + j] = (v - base[s]) as f32;
        }
    }
    let n_ord = days.n_ordinary;
    let mix_weight: Vec<f64> =
        days.weight.iter().enumerate().map(|(j, &x)| if j < n_ord { (1.0 - GAP_PROB) * x } else { GAP_PROB * x }).collect();
    let mut loss = vec![0f64; n_days];
    books
        .iter()
        .map(|b| {
            let req = requirement(b, market);
            let sol = b.sol_lamports as f64 / 1e9;
            for (j, l) in loss.iter_mut().enumerate() {
                *l = -sol * spot_pnl[j];
            }
            for leg in &b.legs {
                let s = index[&(leg.strike, leg.days, leg.kind)];
                let row = &pnl[s * n_days..(s + 1) * n_days];
                let size = leg.size as f64;
                for (l, &p) in loss.iter_mut().zip(row) {
                    *l -= size * f64::from(p);
                }
            }
            let mm = req.maintenance;
            let breach_no_gap: f64 = (0..n_ord).filter(|&j| loss[j] > mm).map(|j| days.weight[j]).sum();
            let breach_gap_days: f64 = (n_ord..n_days).filter(|&j| loss[j] > mm).map(|j| days.weight[j]).sum();
            BookResult {
                family: b.family.clone(),
                name: b.name.clone(),
                legs: b.describe(),
                req,
                isolated: isolated(b, market),
                deribit: deribit(b, market),
                breach_no_gap,
                breach_gap: (1.0 - GAP_PROB) * breach_no_gap + GAP_PROB * breach_gap_days,
                q_no_gap: upper_quantile(&loss[..n_ord], &days.weight[..n_ord], ALPHA),
                q_gap: upper_quantile(&loss, &mix_weight, ALPHA),
                worst_no_gap: loss[..n_ord].iter().cloned().fold(f64::MIN, f64::max),
                worst_gap_day: loss[n_ord..].iter().cloned().fold(f64::MIN, f64::max),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_quantile() {
        // 1000 equal weights: the 0.1% upper quantile is the largest value.
        let loss: Vec<f64> = (0..1000).map(f64::from).collect();
        let w = vec![0.001; 1000];
        assert_eq!(upper_quantile(&loss, &w, 0.001), 999.0);
        assert_eq!(upper_quantile(&loss, &w, 0.0105), 989.0);
        // Stratified: the tail of a t(4) day's spot move lands on its quantile.
        let m = Market::new(8_000);
        let cfg = Config { ordinary_days: 40_000, gap_days: 0, random_books: 0, seed: 3 };
        let days = draw_days(&m, &Dynamics::DEFAULT, &cfg);
        let z: Vec<f64> = days.days.iter().map(|d| -d.z).collect();
        let q = upper_quantile(&z, &days.weight, 0.001);
        let want = -crate::rng::t4_unit_quantile(0.001);
        assert!((q - want).abs() < 0.1, "{q} {want}");
        let total: f64 = days.weight.iter().sum();
        assert!((total - 1.0).abs() < 1e-9);
    }
}
