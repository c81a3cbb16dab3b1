//! The backtest's own one-day dynamics of spot and the volatility surface (documented and
//! defended in the generated report's header, which prints these constants).
//!
//! One day = the liquidation horizon. Per day, with `sigma` the regime's ATM vol and
//! `sd = sigma / sqrt(365)` the daily standard deviation:
//! - spot (and every forward: no rates) moves by the log return `r = sd z - sd^2 / 2`, `z` a
//!   unit-variance Student-t(4); on a gap day instead by a jump of -40%..-20% or +25%..+60%;
//! - the log of each implied vol moves by
//!   `w(T) L + P + g(T) W + s(T) (S y + C (sqrt(1 + y^2) - 1))` at standardised moneyness
//!   `y = clamp(ln(K/F') / (sigma sqrt T), -4, 4)` (the smile moves with the forward), where
//!   `L = -a z + c (|z| - E|z|) + s_L e_L` is the level (vol up on down moves and on large
//!   moves), `w(T) = (30 d / T)^p_L` (short tenors move more), `P = s_P e_P` a parallel shift,
//!   `W = s_W e_W` a twist with loading `g(T) = ln(30 d / T) / ln 30` (front up / back down and
//!   the reverse), `S = b_S z + s_S e_S` the skew (steepens on down moves), `C = c_C max(|z| - 1, 0)
//!   + s_C e_C` the wings, `s(T) = (30 d / T)^p_S`; every `e` an independent unit-variance t(4);
//! - every option ages one day: one expiring within the day is worth its intrinsic value.

use crate::b76::{self, Kind};
use crate::market::Market;
use crate::rng::{t4_unit_quantile, Rng};

/// Parameters of the dynamics (the defended values are [`Dynamics::DEFAULT`]).
#[derive(Clone, Copy, Debug)]
pub struct Dynamics {
    /// Horizon, days.
    pub horizon_days: f64,
    /// Options age by the horizon (off only in the `--no-decay` diagnostic).
    pub decay: bool,
    /// Vol level: response to the standardised return (`-a z`).
    pub level_return: f64,
    /// Vol level: response to the size of the move (`c (|z| - E|z|)`).
    pub level_abs: f64,
    /// Vol level: own noise.
    pub level_noise: f64,
    /// Tenor exponent of the level factor, `(30 / T)^p`.
    pub level_tenor_p: f64,
    /// Cap of the tenor weight of the level factor.
    pub level_tenor_cap: f64,
    /// Parallel shift noise (every tenor alike).
    pub parallel_noise: f64,
    /// Twist noise (front vs back).
    pub twist_noise: f64,
    /// Skew: response to the standardised return (negative moves steepen the put skew).
    pub skew_return: f64,
    pub skew_noise: f64,
    /// Wings: response to the size of the move beyond one sd.
    pub wing_abs: f64,
    pub wing_noise: f64,
    /// Tenor exponent of the skew and wing factors.
    pub smile_tenor_p: f64,
    /// Gap days: down jump range (simple returns) and up jump range.
    pub gap_down: (f64, f64),
    pub gap_up: (f64, f64),
    /// Probability that a gap is down.
    pub gap_down_prob: f64,
    /// Extra vol level jump on a gap day (added to `L`).
    pub gap_level: f64,
    /// Cap of |z| in the vol response on a gap day.
    pub gap_z_cap: f64,
    /// Vol bounds after a move.
    pub vol_floor: f64,
    pub vol_cap: f64,
}

/// E|z| of the unit-variance t(4): `E|t_4| = 2 sqrt(4) Gamma(5/2) / (sqrt(pi) 3 Gamma(2)) = 1`, over `sqrt 2`.
pub const E_ABS_Z: f64 = std::f64::consts::FRAC_1_SQRT_2;

impl Dynamics {
    pub const DEFAULT: Dynamics = Dynamics {
        horizon_days: 1.0,
        decay: true,
        level_return: 0.035,
        level_abs: 0.02,
        level_noise: 0.05,
        level_tenor_p: 0.35,
        level_tenor_cap: 4.0,
        parallel_noise: 0.02,
        twist_noise: 0.04,
        skew_return: 0.01,
        skew_noise: 0.015,
        wing_abs: 0.01,
        wing_noise: 0.01,
        smile_tenor_p: 0.2,
        gap_down: (-0.40, -0.20),
        gap_up: (0.25, 0.60),
        gap_down_prob: 0.5,
        gap_level: 0.25,
        gap_z_cap: 8.0,
        vol_floor: 0.05,
        vol_cap: 5.0,
    };

    /// The diagnostic without any volatility move (spot moves and decay only).
    pub fn without_vol_moves(self) -> Dynamics {
        Dynamics {
            level_return: 0.0,
            level_abs: 0.0,
            level_noise: 0.0,
            parallel_noise: 0.0,
            twist_noise: 0.0,
            skew_return: 0.0,
            skew_noise: 0.0,
            wing_abs: 0.0,
            wing_noise: 0.0,
            gap_level: 0.0,
            ..self
        }
    }

    pub fn level_weight(&self, days: f64) -> f64 {
        (30.0 / days).powf(self.level_tenor_p).min(self.level_tenor_cap)
    }

    pub fn twist_loading(&self, days: f64) -> f64 {
        ((30.0 / days).ln() / 30f64.ln()).clamp(-1.0, 1.0)
    }

    pub fn smile_weight(&self, days: f64) -> f64 {
        (30.0 / days).powf(self.smile_tenor_p)
    }
}

/// One simulated day.
#[derive(Clone, Copy, Debug)]
pub struct Day {
    /// Log return of spot and every forward.
    pub r: f64,
    /// Standardised move driving the vol response.
    pub z: f64,
    pub level: f64,
    pub parallel: f64,
    pub twist: f64,
    pub skew: f64,
    pub wing: f64,
    pub gap: bool,
}

/// Strata of ordinary days: the spot's uniform is drawn alternately from the centre
/// `(TAIL, 1 - TAIL)` and from the two tails, so half the ordinary days fall in the `2 TAIL`
/// tails; each day carries its probability weight.
pub const TAIL: f64 = 0.005;

/// Ordinary moves are capped at this many standard deviations (the t(4) mass beyond, 1.7e-4 a
/// side, sits at the cap: the 99.9% quantile is unchanged, and larger moves are the gap days').
pub const Z_CAP: f64 = 8.0;

impl Day {
    /// An ordinary day whose spot quantile is drawn in the tails (`tail`) or the centre.
    pub fn ordinary(rng: &mut Rng, dynamics: &Dynamics, sd: f64, tail: bool) -> Day {
        let u = rng.uniform();
        let p = if tail {
            if u < 0.5 {
                u * 2.0 * TAIL
            } else {
                1.0 - (u - 0.5) * 2.0 * TAIL
            }
        } else {
            TAIL + u * (1.0 - 2.0 * TAIL)
        };
        let z = t4_unit_quantile(p).clamp(-Z_CAP, Z_CAP);
        Day::with_move(rng, dynamics, sd * z - sd * sd / 2.0, z, 0.0, false)
    }

    /// A gap day: a jump instead of the ordinary move, and a vol level jump.
    pub fn gap(rng: &mut Rng, dynamics: &Dynamics, sd: f64) -> Day {
        let jump = if rng.uniform() < dynamics.gap_down_prob {
            rng.range(dynamics.gap_down.0, dynamics.gap_down.1)
        } else {
            rng.range(dynamics.gap_up.0, dynamics.gap_up.1)
        };
        let r = (1.0 + jump).ln();
        let z = (r / sd).clamp(-dynamics.gap_z_cap, dynamics.gap_z_cap);
        Day::with_move(rng, dynamics, r, z, dynamics.gap_level, true)
    }

    fn with_move(rng: &mut Rng, d: &Dynamics, r: f64, z: f64, extra_level: f64, gap: bool) -> Day {
        let level = -d.level_return * z + d.level_abs * (z.abs() - E_ABS_Z) + d.level_noise * rng.t4() + extra_level;
        Day {
            r,
            z,
            level,
            parallel: d.parallel_noise * rng.t4(),
            twist: d.twist_noise * rng.t4(),
            skew: d.skew_return * z + d.skew_noise * rng.t4(),
            wing: d.wing_abs * (z.abs() - 1.0).max(0.0) + d.wing_noise * rng.t4(),
            gap,
        }
    }

    /// The forward after the day.
    pub fn forward(&self, market: &Market) -> f64 {
        market.spot * self.r.exp()
    }
}

/// Per-expiry weights of the factors, prepared once per market.
#[derive(Clone, Copy, Debug)]
pub struct ExpiryWeights {
    pub level: f64,
    pub twist: f64,
    pub smile: f64,
}

pub fn expiry_weights(market: &Market, d: &Dynamics) -> Vec<ExpiryWeights> {
    market
        .expiries
        .iter()
        .map(|e| {
            let days = f64::from(e.days);
            ExpiryWeights { level: d.level_weight(days), twist: d.twist_loading(days), smile: d.smile_weight(days) }
        })
        .collect()
}

/// Value of one option of expiry index `e` after `day` (aged by the horizon; intrinsic if it
/// expires within it).
#[allow(clippy::too_many_arguments)]
pub fn value_after(market: &Market, d: &Dynamics, w: &[ExpiryWeights], e: usize, strike: f64, kind: Kind, day: &Day, f_new: f64) -> f64 {
    let exp = &market.expiries[e];
    let t_new = if d.decay { exp.t - d.horizon_days / 365.0 } else { exp.t };
    if t_new <= 1e-9 {
        return b76::intrinsic(kind, f_new, strike);
    }
    let k = (strike / f_new).ln();
    let y = (k / (market.atm * exp.t.sqrt())).clamp(-4.0, 4.0);
    let ew = &w[e];
    let shift =
        ew.level * day.level + day.parallel + ew.twist * day.twist + ew.smile * (day.skew * y + day.wing * ((1.0 + y * y).sqrt() - 1.0));
    let vol = (exp.vol(k) * shift.exp()).clamp(d.vol_floor, d.vol_cap);
    b76::price(kind, f_new, strike, vol, t_new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_abs_of_unit_t4() {
        // E|z| of the unit-variance t(4), by quadrature of the quantile function.
        let n = 2_000_000;
        let s: f64 = (0..n).map(|i| t4_unit_quantile((f64::from(i) + 0.5) / f64::from(n)).abs()).sum();
        let e = s / f64::from(n);
        assert!((e - E_ABS_Z).abs() < 1e-3, "{e}");
    }
}
