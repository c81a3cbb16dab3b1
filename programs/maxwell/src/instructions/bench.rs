//! Benchmark instructions (feature `bench`, never deployed): each runs one risk-engine call on
//! inputs it builds itself, between two `sol_log_compute_units` syscalls. The runner reads the
//! two "Program consumption: N units remaining" lines and subtracts the overhead measured by
//! `bench_noop`, leaving the compute units of the call alone.

use anchor_lang::prelude::*;
use core::hint::black_box;
use maxwell_risk::black76::price_and_greeks;
use maxwell_risk::collateral::TokenPrice;
use maxwell_risk::fixed::{Fx, FX_FRAC};
use maxwell_risk::margin::{portfolio_margin_from_arrays, BookArrays, CollateralInput, Position, NO_UNDERLYING};
use maxwell_risk::normal_cdf;
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{UnderlyingScenarios, N_PRICE, N_SCEN};
use maxwell_risk::series::{ExpiryKink, SeriesRisk, TERM_FRONT};
use maxwell_risk::units::{Price, Tenor};

use crate::error::MaxwellError;

#[derive(Accounts)]
pub struct Bench {}

fn log_cu() {
    #[cfg(target_os = "solana")]
    // SAFETY: a syscall with no arguments; it only writes to the program log.
    unsafe {
        solana_define_syscall::definitions::sol_log_compute_units_()
    }
}

fn measure<T>(f: impl FnOnce() -> T) -> T {
    log_cu();
    let out = black_box(f());
    log_cu();
    out
}

fn risk(e: maxwell_risk::RiskError) -> Error {
    MaxwellError::from(e).into()
}

/// The cost of measuring itself (subtracted by nothing: reported as its own row).
pub fn bench_noop() -> Result<()> {
    measure(|| ());
    Ok(())
}

pub fn bench_normal_cdf(x: i64) -> Result<()> {
    measure(|| normal_cdf(Fx(black_box(x))));
    Ok(())
}

/// Black-76 price and the four Greeks of one series.
pub fn bench_black76(forward: u64, strike: u64, vol: i64, secs: i64) -> Result<()> {
    let tenor = Tenor::from_secs(secs).map_err(risk)?;
    measure(|| price_and_greeks(Price(forward), Price(strike), Fx(vol), &tenor)).map_err(risk)?;
    Ok(())
}

/// One part of the crank's work on one strike of a 30-day expiry (spot $150, a skewed
/// 80%-vol smile, default parameters): 0 the expiry grid (once per expiry and transaction),
/// 1 the smile's total vol at one price point (once per price point), 2 one scenario's prices
/// (both kinds), 3 one series' array, 4 the call/put pair's arrays.
pub fn bench_crank_part(part: u8, strike: u64) -> Result<()> {
    use maxwell_risk::black76::{prices_total, MinMaxRatio};
    use maxwell_risk::market::{ExpiryMarket, UnderlyingMarket};
    use maxwell_risk::scenario::underlying_scenarios;
    use maxwell_risk::series::{series_risk_on, strike_risk_on, ExpiryGrid, Series};
    use maxwell_risk::surface::SviParams;
    let one = 1i64 << FX_FRAC;
    let now = 1_700_000_000i64;
    let expiry = now + 30 * 86_400;
    let spot = 150_000_000u64;
    // 80% ATM over 30 days: w = 0.64 * 30/365 = 0.0526.
    let svi = SviParams { a: one / 25, b: one / 10, rho: -one / 3, m: 0, sigma: one / 8 };
    let expiries = [ExpiryMarket { expiry, forward: spot, svi }];
    let market = UnderlyingMarket { spot, conf: spot / 1000, now, expiries: &expiries };
    let params = RiskParams::DEFAULT;
    let scen = underlying_scenarios(&market, &params).map_err(risk)?;
    let grid = ExpiryGrid::new(&market, expiry, &scen, &params).map_err(risk)?;
    let series = Series { strike, expiry, underlying: 0, kind: 0, _pad: [0; 6] };
    let k = maxwell_risk::math::ln::ln_ratio_q62(strike, spot).map_err(risk)?;
    let tenor = Tenor::from_secs(30 * 86_400).map_err(risk)?;
    match part {
        0 => _ = measure(|| ExpiryGrid::new(&market, black_box(expiry), &scen, &params)).map_err(risk)?,
        1 => _ = measure(|| svi.base_vol_q62(black_box(k))).map_err(risk)?,
        2 => {
            let ratio = MinMaxRatio::of(strike, spot);
            let v = (svi.base_vol_q62(k).map_err(risk)?) as i128;
            _ = measure(|| prices_total(Price(spot), Price(black_box(strike)), k, &ratio, v, &tenor)).map_err(risk)?;
        }
        3 => _ = measure(|| series_risk_on(&black_box(series), &grid, &scen, &params)).map_err(risk)?,
        _ => _ = measure(|| strike_risk_on(black_box(strike), expiry, &grid, &scen, &params)).map_err(risk)?,
    }
    Ok(())
}

/// The stored array of bench series `i`: distinct scenario P&L, twist columns as the crank
/// stores them (a front expiry's copy of up, then down, the gap points and the skew), calls and puts
/// alternating.
fn bench_series(i: usize) -> SeriesRisk {
    let mut pnl = [0i64; N_SCEN];
    for (s, p) in pnl.iter_mut().enumerate() {
        *p = (s as i64 - 10) * 1_000_000 + i as i64;
    }
    for row in pnl.as_chunks_mut::<{ maxwell_risk::scenario::N_VOL }>().0.iter_mut() {
        (row[3], row[4]) = (row[1], row[2]);
    }
    let mut r = SeriesRisk {
        pnl,
        mark: 5_000_000,
        slack: 2,
        delta_e9: 500_000_000,
        delta_quote: 75_000_000,
        gamma_quote: 10_000_000,
        vega_quote: 20_000_000,
        theta_quote: -30_000_000,
        short_min: 15_000_000,
        kind: (i % 2) as u8,
        term: TERM_FRONT,
        bits: 0,
        _pad: [0; 5],
    };
    r.set_gaps(&[-40_000_000 + i as i64, 30_000_000 - i as i64]);
    r.set_skew(-3_000_000 + i as i64);
    r.seal();
    r
}

/// Portfolio margin from stored risk arrays: `n_positions` spread over `n_underlyings`,
/// with `n_tokens` collateral balances (the first in the quote, the others spot tokens).
pub fn bench_margin(n_positions: u16, n_underlyings: u8, n_tokens: u8) -> Result<()> {
    const SERIES_PER_UNDERLYING: usize = 16;
    let u_count = usize::from(n_underlyings.max(1));
    let scen: Vec<UnderlyingScenarios> = (0..u_count)
        .map(|u| {
            let range = (13i64 << FX_FRAC) / 100;
            let mut shock = [0i64; N_PRICE];
            for (p, s) in shock.iter_mut().enumerate() {
                *s = range * (p as i64 - 3) / 3;
            }
            UnderlyingScenarios { spot: 150_000_000 * (u as u64 + 1), conf: 50_000, range, shock }
        })
        .collect();
    let series: Vec<SeriesRisk> = (0..SERIES_PER_UNDERLYING * u_count).map(bench_series).collect();
    let per_u = usize::from(n_positions).div_ceil(u_count);
    let positions: Vec<Position> = (0..usize::from(n_positions))
        .map(|i| Position { size: if i % 3 == 0 { -2 } else { 1 }, series: (i % SERIES_PER_UNDERLYING) as u16, _pad: [0; 6] })
        .collect();
    let books: Vec<BookArrays> = (0..u_count)
        .map(|u| BookArrays {
            scen: &scen[u],
            series: &series[u * SERIES_PER_UNDERLYING..(u + 1) * SERIES_PER_UNDERLYING],
            positions: &positions[(u * per_u).min(positions.len())..((u + 1) * per_u).min(positions.len())],
        })
        .collect();
    let collateral: Vec<CollateralInput> = (0..usize::from(n_tokens))
        .map(|t| CollateralInput {
            amount: 1_000_000_000,
            price: if t == 0 { TokenPrice::ONE } else { TokenPrice { mantissa: 15_000_000_000, scale_exp: -11 } },
            asset_weight_bps: 10_000,
            liability_weight_bps: 10_000,
            underlying: if t == 0 || t > u_count { NO_UNDERLYING } else { (t - 1) as u8 },
        })
        .collect();
    measure(|| portfolio_margin_from_arrays(&books, &collateral, &RiskParams::DEFAULT, Fx::ONE)).map_err(risk)?;
    Ok(())
}

/// Portfolio margin of one underlying holding 4 ordinary positions and `n_long` long and
/// `n_short` short options that expire inside the horizon, every strike between the same two
/// price points (the kink pass's worst case: every kink a pair of every long's).
pub fn bench_margin_kinks(n_long: u16, n_short: u16) -> Result<()> {
    let range = (13i64 << FX_FRAC) / 100;
    let mut shock = [0i64; N_PRICE];
    for (p, s) in shock.iter_mut().enumerate() {
        *s = range * (p as i64 - 3) / 3;
    }
    let scen = UnderlyingScenarios { spot: 150_000_000, conf: 50_000, range, shock };
    let (lo, hi) = (150_000_000u64, 156_500_000u64);
    let n = usize::from(n_long) + usize::from(n_short);
    let series: Vec<SeriesRisk> = (0..4 + n)
        .map(|i| {
            let mut r = bench_series(i);
            if i >= 4 {
                let strike = lo + (hi - lo) * (i as u64 - 3) / (n as u64 + 1);
                r.set_kink(&ExpiryKink { interval: 3, strike, lo, hi });
            }
            r
        })
        .collect();
    let positions: Vec<Position> = (0..4 + n)
        .map(|i| {
            let size = if i < 4 || i - 4 < usize::from(n_long) { 1 } else { -1 };
            Position { size, series: i as u16, _pad: [0; 6] }
        })
        .collect();
    let books = [BookArrays { scen: &scen, series: &series, positions: &positions }];
    let collateral = [CollateralInput {
        amount: 1_000_000_000,
        price: TokenPrice::ONE,
        asset_weight_bps: 10_000,
        liability_weight_bps: 10_000,
        underlying: NO_UNDERLYING,
    }];
    measure(|| portfolio_margin_from_arrays(&books, &collateral, &RiskParams::DEFAULT, Fx::ONE)).map_err(risk)?;
    Ok(())
}
