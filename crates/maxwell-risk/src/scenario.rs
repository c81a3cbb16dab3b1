//! The scenario grid: 7 price shocks symmetric in log returns x 5 volatility states = 35
//! scenarios.
//!
//! Scenario `s = p * N_VOL + v`, with price shock `p` in 0..7 being the log moves
//! `-S, -2S/3, -S/3, 0, +S/3, +2S/3, +S` of spot and every forward (relative moves
//! `e^(jS/3) - 1`: symmetric in log returns, [`log_shocks`]) and vol state `v` in 0..5 being
//! unchanged, up, down, twist (front up, back down), reverse twist ([`vol_shocks`]). Every scenario is valued one horizon later (`shock_horizon_secs`,
//! the liquidation horizon): options age, and those expiring inside it are worth their
//! intrinsic value at the shocked price ([`crate::series`]).
//! - `S = clamp(z * ATM vol * sqrt(horizon), floor, cap)`, ATM vol = the highest at-the-money
//!   vol among the underlying's live expiries, so shocks widen as volatility rises.
//! - Vol shocks multiply the whole smile of an expiry, `v(k) -> v(k) (1 + shock)`: the skew
//!   shifts with the level and is never flattened. The shock at tenor `t` is the reference
//!   shock scaled by `(ref / max(t, 1 day))^p` (p short below the reference tenor, long at or
//!   beyond), capped.
//! - The smile moves with the forward (sticky moneyness): after a price shock a strike is
//!   valued at the vol of its new log-moneyness.

use crate::fixed::{shr_round, to_i64, Fx, Rounding, FX_FRAC};
use crate::market::{ExpiryMarket, UnderlyingMarket};
use crate::math::exp::exp_q62;
use crate::math::ln::ln_ratio_q62;
use crate::math::wide::umul_wide;
use crate::params::RiskParams;
use crate::units::{Tenor, MAX_TENOR_SECS};
use crate::RiskError;

/// Price shocks per grid.
pub const N_PRICE: usize = 7;
/// Volatility states per grid: unchanged, up, down, and the two term-structure twists (front up
/// with back down, front down with back up; the front is every expiry inside the vol shocks'
/// reference tenor).
pub const N_VOL: usize = 5;
/// The parallel vol states (unchanged, up, down), the first of each price point's row. The two
/// twists after them are, per expiry, copies of its up and down columns (in an order set by its
/// term class), so they carry no valuation of their own.
pub const N_PARALLEL: usize = 3;
const _: () = assert!(N_VOL == N_PARALLEL + 2);
/// Scenarios per grid.
pub const N_SCEN: usize = N_PRICE * N_VOL;
/// Index of the unshocked price.
pub const MID_PRICE: usize = N_PRICE / 2;

/// Extended gap points per grid: far moves of every forward, valued in the up vol state and
/// charged at [`GAP_FRACTION`] of their loss (as Deribit's extended table charges a fraction
/// of its -66%..+500% moves), for the far out-of-the-money shorts whose loss the grid's range
/// barely sees.
pub const N_GAP: usize = 2;
/// The gap points' relative moves of every forward, Q52: -50% and +100% (a halving and a
/// doubling: beyond the grid's reach at any vol below its 60% cap, log-symmetric).
pub const GAP_SHOCKS: [i64; N_GAP] = [-(1i64 << (FX_FRAC - 1)), 1i64 << FX_FRAC];
/// The share of a gap point's loss the requirement covers, Q52: 1/10 (rounded up; the branch
/// measurements of 1/6 and 1/4 are in docs/margin-backtest.md).
pub const GAP_FRACTION: i64 = (1i64 << FX_FRAC) / 10 + 1;

/// The skew move: a tilt of every smile's log vol by `SKEW_TILT x y` at standardised
/// moneyness `y = ln(K/F) / (sigma sqrt T)` (clamped to +-4), scaled by the tenor factor of the
/// vol shocks, either way; Q52 (0.06, rounded up). Charged to first order, as an add-on
/// (`addon_skew`: `SKEW_TILT x |sum of size x vega x sigma x y x s(T)|`), not as more vol
/// states: two tilt states would cost the crank 14 more evaluations a strike (a third more);
/// the add-on costs one product per position. 0.06 is the skew move of a day at the grid's
/// edge (about 0.01 of log vol per unit `y` per standard deviation of the return, times 6.1);
/// `docs/margin-backtest.md` measures 0.01 to 0.11.
pub const SKEW_TILT: i64 = (6i64 << FX_FRAC) / 100 + 1;

/// The price side of an underlying's grid, computed once per underlying (plain integers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
#[cfg_attr(feature = "bytemuck", derive(bytemuck::Pod, bytemuck::Zeroable))]
pub struct UnderlyingScenarios {
    /// Spot, quote native per contract.
    pub spot: u64,
    /// Oracle confidence, quote native per contract.
    pub conf: u64,
    /// The range S, Q52.
    pub range: i64,
    /// Relative price shock of each price point, Q52.
    pub shock: [i64; N_PRICE],
}

/// `S = clamp(z * atm_vol * sqrt(horizon), floor, cap)`.
pub fn price_range(atm_vol: Fx, params: &RiskParams) -> Result<Fx, RiskError> {
    let h = Tenor::from_secs(params.shock_horizon_secs)?;
    let s = Fx(params.shock_z).mul(atm_vol, Rounding::Ceil)?.mul(h.sqrt_t, Rounding::Ceil)?;
    Ok(Fx(s.0.clamp(params.shock_floor, params.shock_cap)))
}

/// ATM vol of the live expiries' smiles (the highest), annualised, Q52: [`atm_vol_of`] the
/// expiry with the highest `w(0) / T`.
///
/// The expiry is found by comparing `w(0) / T` across expiries with word products (one SVI
/// variance each, no square roots or divisions) and only it gets the full evaluation: a
/// fraction of the cost of evaluating every expiry for an underlying with many (the crank
/// derives the grid in every transaction). Against the highest of every expiry's rounded vol
/// it differs only when two ratios tie within the rounding, by a few units of 2^-52 (tests).
pub fn atm_vol(market: &UnderlyingMarket) -> Result<Fx, RiskError> {
    // The expiry of the highest ratio so far and its (w(0) Q52, seconds).
    let mut top: Option<(&ExpiryMarket, u64, u64)> = None;
    for e in market.expiries {
        let secs = e.expiry.checked_sub(market.now).ok_or(RiskError::Overflow)?;
        if secs > MAX_TENOR_SECS {
            return Err(RiskError::TenorTooLong);
        }
        if secs <= 0 {
            continue;
        }
        let w = e.svi.total_variance(Fx::ZERO)?.0 as u64; // >= 0
        if top.is_none_or(|(_, wt, st)| wide(w, st) > wide(wt, secs as u64)) {
            top = Some((e, w, secs as u64));
        }
    }
    match top {
        Some((e, _, _)) => atm_vol_of(e, market.now),
        None => Ok(Fx::ZERO),
    }
}

/// `a * b` as `u128` from word halves (no `__multi3` on SBF).
fn wide(a: u64, b: u64) -> u128 {
    let (hi, lo) = umul_wide(a, b);
    (u128::from(hi) << 64) | u128::from(lo)
}

/// ATM vol of one expiry's smile, annualised, Q52 (0 once expired).
pub fn atm_vol_of(e: &ExpiryMarket, now: i64) -> Result<Fx, RiskError> {
    let tenor = Tenor::new(now, e.expiry)?;
    if tenor.expired() {
        return Ok(Fx::ZERO);
    }
    let v = e.svi.total_vol_q62(0, Fx::ZERO)?; // Q62
    let sigma = shr_round(v * i128::from(tenor.inv_sqrt_t.0), 62 + 40 - FX_FRAC, Rounding::Nearest);
    Ok(Fx(to_i64(sigma)?))
}

/// The price side of the grid for one underlying.
pub fn underlying_scenarios(market: &UnderlyingMarket, params: &RiskParams) -> Result<UnderlyingScenarios, RiskError> {
    let range = price_range(atm_vol(market)?, params)?;
    Ok(UnderlyingScenarios { spot: market.spot, conf: market.conf, range: range.0, shock: log_shocks(range)? })
}

/// The relative price shocks of a log range `S`: `e^(j S / 3) - 1` for `j = -3..=3`, so the
/// points are symmetric in log returns (an up move is larger than the down move of the same
/// probability, as under a lognormal or fat-tailed law). Each rounded away from zero (a
/// larger move either way is the conservative side); the middle point is exactly 0.
pub fn log_shocks(range: Fx) -> Result<[i64; N_PRICE], RiskError> {
    let mut shock = [0i64; N_PRICE];
    let steps = MID_PRICE as i64;
    for (i, s) in shock.iter_mut().enumerate() {
        let j = i as i64 - steps;
        if j == 0 {
            continue;
        }
        // j S / 3 in Q62 (unsigned division of the magnitude: the BPF backend has no signed division).
        let mag = (u128::from(range.0.unsigned_abs()) << (62 - FX_FRAC)) * u128::from(j.unsigned_abs()) / steps as u128;
        let x = if j < 0 { -(mag as i128) } else { mag as i128 };
        let e = exp_q62(x)? as i128 - (1i128 << 62); // e^x - 1, Q62
        let r = if e < 0 { Rounding::Floor } else { Rounding::Ceil };
        *s = to_i64(shr_round(e, 62 - FX_FRAC, r))?;
    }
    Ok(shock)
}

/// Vol shocks of one expiry in the five vol states: `[0, +up, -down, twist, reverse twist]`,
/// `up` and `down` scaled by `(ref / max(t, 1 day))^p` and capped. In the twist an expiry
/// shorter than the reference tenor (`vol_ref_secs`) takes `+up` and a longer one `-down`; in
/// the reverse twist the opposite: a calendar that is flat when every tenor moves together is
/// charged for the term structure turning either way. The cheapest set that covers both twists:
/// two states. A skew move would take two more states that are not copies; it is charged to
/// first order instead ([`SKEW_TILT`]).
pub fn vol_shocks(tenor: &Tenor, params: &RiskParams) -> Result<[Fx; N_VOL], RiskError> {
    let t = tenor.secs.max(86_400) as u64;
    let p = if (t as i64) < params.vol_ref_secs { params.vol_p_short } else { params.vol_p_long };
    let ln = ln_ratio_q62(params.vol_ref_secs as u64, t)?; // Q62
    let arg = shr_round(ln * i128::from(p), FX_FRAC, Rounding::Nearest);
    let factor = Fx(to_i64(shr_round(exp_q62(arg)? as i128, 62 - FX_FRAC, Rounding::Nearest))?);
    let up = Fx(params.vol_up).mul(factor, Rounding::Ceil)?.min(Fx(params.vol_up_cap));
    let down = Fx(params.vol_down).mul(factor, Rounding::Ceil)?.min(Fx(params.vol_down_cap));
    let front = tenor.secs < params.vol_ref_secs;
    let (twist, reverse) = if front { (up, Fx(-down.0)) } else { (Fx(-down.0), up) };
    Ok([Fx::ZERO, up, Fx(-down.0), twist, reverse])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::SviParams;

    #[test]
    fn atm_vol_equals_the_highest_of_every_expiry() {
        let mut r: u64 = 0x9B05_688C_2B3E_6C1F;
        let mut next = move || {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            r
        };
        let one = 1i64 << FX_FRAC;
        let now = 1_700_000_000i64;
        let (mut compared, mut exact) = (0, 0);
        for _ in 0..20_000 {
            let n = 1 + (next() % 16) as usize;
            let shared = SviParams {
                a: (next() % (one as u64 / 5)) as i64,
                b: (next() % (one as u64 / 2)) as i64,
                rho: -one / 3,
                m: 0,
                sigma: one / 8,
            };
            let expiries: Vec<ExpiryMarket> = (0..n)
                .map(|_| {
                    // Often the same smile at tenors a few seconds apart (ratios within the
                    // tolerance), sometimes expired or beyond the longest tenor.
                    let svi = if next() % 2 == 0 {
                        shared
                    } else {
                        SviParams {
                            a: (next() % (one as u64 / 5)) as i64,
                            b: (next() % (one as u64)) as i64 >> (next() % 6),
                            rho: (next() % (2 * one as u64 - 1)) as i64 - (one - 1),
                            m: (next() % (one as u64 / 2)) as i64 - one / 4,
                            sigma: 1 + (next() % (one as u64 / 2)) as i64,
                        }
                    };
                    let secs = match next() % 10 {
                        0 => -((next() % 1000) as i64),
                        1 if next() % 20 == 0 => MAX_TENOR_SECS + 1,
                        2..=5 => 7 * 86_400 + (next() % 4) as i64,
                        _ => 1 + (next() % (3 * 365 * 86_400)) as i64,
                    };
                    ExpiryMarket { expiry: now + secs, forward: 100, svi }
                })
                .collect();
            let market = UnderlyingMarket { spot: 100, conf: 0, now, expiries: &expiries };
            // Every expiry evaluated, in order: the former definition. The same refusal; the
            // same value but for ties within the rounding.
            let want = expiries.iter().try_fold(Fx::ZERO, |best, e| atm_vol_of(e, now).map(|v| best.max(v)));
            match (atm_vol(&market), want) {
                (Ok(got), Ok(want)) => {
                    assert!(got <= want && want.0 - got.0 <= 4, "{got:?} {want:?} {expiries:?}");
                    exact += u32::from(got == want);
                    compared += 1;
                }
                (got, want) => assert_eq!(got, want, "{expiries:?}"),
            }
        }
        assert!(compared > 10_000 && exact > compared * 9 / 10, "{compared} {exact}");
    }

    #[test]
    fn grid_shape() {
        let p = RiskParams::DEFAULT;
        // 80% vol, 1 day, z = 6.1: 6.1 * 0.8 * sqrt(1/365) = 0.25543087422... (between floor 0.16 and cap 0.6)
        let s = price_range(Fx::from_bps(8_000), &p).unwrap();
        let want = Fx::ratio(255_430_874_224, 1_000_000_000_000);
        assert!((s.0 - want.0).abs() < 1 << 24, "{s:?}");
        // Its log shocks e^(j S / 3) - 1: -22.542%, -15.658%, -8.162%, 0, +8.887%, +18.565%, +29.102%.
        let shocks = log_shocks(s).unwrap();
        let want = [-225_417_322i64, -156_577_491, -81_619_627, 0, 88_873_445, 185_645_378, 291_017_767];
        for (x, w) in shocks.iter().zip(want) {
            assert!((x - Fx::ratio(w, 1_000_000_000).0).abs() < 1 << 24, "{shocks:?}");
        }
        assert_eq!(shocks[3], 0);
        // The floor 16% in log terms: -14.786% / +17.351%.
        let f = log_shocks(Fx(p.shock_floor)).unwrap();
        assert!(
            (f[0] - Fx::ratio(-147_856_211, 1_000_000_000).0).abs() < 1 << 24
                && (f[6] - Fx::ratio(173_510_871, 1_000_000_000).0).abs() < 1 << 24
        );
        // z = 3 (floor 10%): 0.1256217414...
        let s3 = price_range(Fx::from_bps(8_000), &RiskParams { shock_z: 3 << FX_FRAC, shock_floor: Fx::from_bps(1_000).0, ..p }).unwrap();
        assert!((s3.0 - Fx::ratio(125_621_741_421, 1_000_000_000_000).0).abs() < 1 << 24, "{s3:?}");
        // Low vol hits the floor, extreme vol the cap.
        assert_eq!(price_range(Fx::from_bps(100), &p).unwrap(), Fx(p.shock_floor));
        assert_eq!(price_range(Fx::from_int(20).unwrap(), &p).unwrap(), Fx(p.shock_cap));
    }

    #[test]
    fn vol_shock_scaling() {
        // The scaling with the former shocks +0.5 / -0.27 and p = 0.3 / 0.13 (the defaults are checked below).
        let p = RiskParams {
            vol_up: Fx::from_bps(5_000).0,
            vol_down: Fx::from_bps(2_700).0,
            vol_p_long: Fx::from_bps(1_300).0,
            ..RiskParams::DEFAULT
        };
        // At the reference tenor the factor is 1: [0, +0.5, -0.27].
        let at_ref = vol_shocks(&Tenor::from_secs(30 * 86_400).unwrap(), &p).unwrap();
        assert!((at_ref[1].0 - p.vol_up).abs() < 1 << 12 && (at_ref[2].0 + p.vol_down).abs() < 1 << 12);
        // At 1 day: factor 30^0.3 = 2.77419...; up 0.5 * 30^0.3 = 1.38709555733..., down min(0.27 * 2.774, 0.6) = 0.6.
        let short = vol_shocks(&Tenor::from_secs(3_600).unwrap(), &p).unwrap();
        let want_up = Fx::ratio(1_387_095_557_336, 1_000_000_000_000);
        assert!((short[1].0 - want_up.0).abs() < 1 << 20, "{:?}", short[1]);
        assert_eq!(short[2], Fx(-p.vol_down_cap));
        // At 1 year: up 0.5 * (30/365)^0.13 = 0.361324736860...
        let long = vol_shocks(&Tenor::from_secs(365 * 86_400).unwrap(), &p).unwrap();
        assert!((long[1].0 - Fx::ratio(361_324_736_860, 1_000_000_000_000).0).abs() < 1 << 20, "{:?}", long[1]);
        // Defaults: x2 / x0.5 at 30 days and beyond (p = 0); capped at x2.5 / x0.4 at 1 day.
        let d = RiskParams::DEFAULT;
        let at_ref = vol_shocks(&Tenor::from_secs(30 * 86_400).unwrap(), &d).unwrap();
        assert!((at_ref[1].0 - Fx::ONE.0).abs() < 1 << 12 && (at_ref[2].0 + Fx::HALF.0).abs() < 1 << 12, "{at_ref:?}");
        let short = vol_shocks(&Tenor::from_secs(86_400).unwrap(), &d).unwrap();
        // A front expiry: the twist takes its up shock, the reverse twist its down shock.
        let (up, down) = (Fx(d.vol_up_cap), Fx(-d.vol_down_cap));
        assert_eq!(short, [Fx::ZERO, up, down, up, down]);
        let long = vol_shocks(&Tenor::from_secs(365 * 86_400).unwrap(), &d).unwrap();
        assert!((long[1].0 - Fx::ONE.0).abs() < 1 << 12 && (long[2].0 + Fx::HALF.0).abs() < 1 << 12, "{long:?}");
        // A back expiry (the reference tenor and beyond): the opposite.
        assert_eq!((long[3], long[4]), (long[2], long[1]));
        assert_eq!((at_ref[3], at_ref[4]), (at_ref[2], at_ref[1]));
    }
}
