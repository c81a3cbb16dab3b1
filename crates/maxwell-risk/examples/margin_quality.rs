//! Margin-quality report: writes `docs/margin-quality.md` at the repository root.
//!
//!     cargo +1.99.1 run -p maxwell-risk --release --example margin_quality --features std
//!
//! For each reference book: maintenance (MM) and initial (IM) requirement from the array path,
//! the collateral the book needs at IM (`IM - option marks`, so a short's mark counts as in
//! the isolated rule), the standard isolated rule (per short option:
//! `max(0.15 - OTM/S, 0.10) * S + mark`, hedges ignored) and the worst loss over a wider,
//! independent stress grid (price -1.5S..+1.5S in 61 steps x vol x {0.5, 0.75, 1, 1.5, 2},
//! full revaluation of options and of collateral in the underlying). Integer arithmetic only.

use maxwell_risk::black76::OptionKind;
use maxwell_risk::collateral::{raw_value, TokenPrice};
use maxwell_risk::fixed::{Fx, FX_FRAC};
use maxwell_risk::margin::{
    portfolio_margin_from_arrays, BookArrays, CollateralInput, MarginSummary, Position, NO_UNDERLYING,
};
use maxwell_risk::market::{ExpiryMarket, UnderlyingMarket};
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{underlying_scenarios, UnderlyingScenarios};
use maxwell_risk::series::{scenario_eval, series_risk, Series, SeriesRisk};
use maxwell_risk::surface::SviParams;
use maxwell_risk::units::Tenor;
use std::fmt::Write as _;

const NOW: i64 = 1_800_000_000;
const DAY: i64 = 86_400;
const SPOT: u64 = 150_000_000; // SOL at 150 USD, micro-USDC
const USD: i64 = 1_000_000;

fn svi(atm_bps: i64, secs: i64) -> SviParams {
    let t = Fx::ratio(secs, 31_536_000);
    let atm = Fx::from_bps(atm_bps);
    let w0 = atm.mul_round(atm).unwrap().mul_round(t).unwrap();
    let b = Fx::from_bps(1_000).mul_round(t.max(Fx::from_bps(50))).unwrap();
    let sigma = Fx::from_bps(1_000);
    SviParams { a: w0.0 - b.mul_round(sigma).unwrap().0, b: b.0, rho: Fx::from_bps(-4_000).0, m: 0, sigma: sigma.0 }
}

fn sol_price() -> TokenPrice {
    TokenPrice::from_oracle((SPOT * 100) as i64, -8, 9, 6).unwrap()
}

fn sol(lamports: i64) -> CollateralInput {
    CollateralInput { amount: lamports, price: sol_price(), asset_weight_bps: 10_000, liability_weight_bps: 10_000, underlying: 0 }
}

fn usdc(micro: i64) -> CollateralInput {
    CollateralInput { amount: micro, price: TokenPrice::ONE, asset_weight_bps: 10_000, liability_weight_bps: 10_000, underlying: NO_UNDERLYING }
}

struct Leg {
    strike_usd: u64,
    days: i64,
    kind: OptionKind,
    size: i64,
}

fn leg(strike_usd: u64, days: i64, kind: OptionKind, size: i64) -> Leg {
    Leg { strike_usd, days, kind, size }
}

fn series_of(l: &Leg) -> Series {
    Series { strike: l.strike_usd * USD as u64, expiry: NOW + l.days * DAY, underlying: 0, kind: l.kind as u8, _pad: [0; 6] }
}

struct Ctx<'a> {
    market: UnderlyingMarket<'a>,
    scen: UnderlyingScenarios,
    params: RiskParams,
}

fn margin(ctx: &Ctx, legs: &[Leg], sol_lamports: i64) -> (MarginSummary, Vec<SeriesRisk>) {
    let risks: Vec<SeriesRisk> =
        legs.iter().map(|l| series_risk(&series_of(l), &ctx.market, &ctx.scen, &ctx.params).unwrap()).collect();
    let pos: Vec<Position> =
        legs.iter().enumerate().map(|(i, l)| Position { size: l.size, series: i as u16, _pad: [0; 6] }).collect();
    let books = [BookArrays { scen: &ctx.scen, series: &risks, positions: &pos }];
    let coll = [sol(sol_lamports), usdc(0)];
    (portfolio_margin_from_arrays(&books, &coll, &ctx.params, Fx::ONE).unwrap(), risks)
}

/// Standard isolated rule: per short contract max(0.15 - OTM/S, 0.10) * S + mark.
fn isolated(legs: &[Leg], risks: &[SeriesRisk]) -> i64 {
    let s = SPOT as i128;
    let mut total = 0i128;
    for (l, r) in legs.iter().zip(risks) {
        if l.size >= 0 {
            continue;
        }
        let k = (l.strike_usd * USD as u64) as i128;
        let otm = match l.kind {
            OptionKind::Call => (k - s).max(0),
            OptionKind::Put => (s - k).max(0),
        };
        // max(0.15 S - OTM, 0.10 S) + mark, per contract
        let per = (s * 15 / 100 - otm).max(s / 10) + i128::from(r.mark + r.slack);
        total += i128::from(-l.size) * per;
    }
    total as i64
}

/// Worst loss over a grid of 61 price points over `-width..+width` (x S / 2) x vol multipliers,
/// options and SOL collateral, full revaluation.
fn stress(ctx: &Ctx, legs: &[Leg], sol_lamports: i64, half_widths: i128, mults: &[i64]) -> i64 {
    let range = i128::from(ctx.scen.range) * half_widths / 2;
    let sol_value = raw_value(sol_lamports.unsigned_abs(), sol_price(), false).unwrap() as i128 * sol_lamports.signum() as i128;
    let mut worst = 0i128;
    for step in -30i64..=30 {
        let x = Fx((range * i128::from(step) / 30) as i64);
        for &m in mults {
            let mut pnl = (i128::from(x.0) * sol_value) >> FX_FRAC;
            for l in legs {
                let s = series_of(l);
                let exp = ctx.market.expiry(s.expiry).unwrap();
                let tenor = Tenor::new(NOW, exp.expiry).unwrap();
                let v0 = scenario_eval(s.strike, exp, &tenor, Fx::ZERO, Fx::ZERO).unwrap().value_q20(l.kind);
                let vs = scenario_eval(s.strike, exp, &tenor, x, Fx::from_bps(m - 10_000)).unwrap().value_q20(l.kind);
                pnl += (i128::from(l.size) * (vs - v0)) >> 20;
            }
            worst = worst.max(-pnl);
        }
    }
    worst as i64
}

fn usd(x: i64) -> String {
    format!("{:.2}", x as f64 / USD as f64) // display only
}

fn pct(a: i64, b: i64) -> String {
    if b == 0 {
        return "n/a".into();
    }
    format!("{}%", (i128::from(a) * 100 + i128::from(b) / 2) / i128::from(b))
}

fn main() {
    let params = RiskParams::DEFAULT;
    let exps: Vec<ExpiryMarket> = [7 * DAY, 30 * DAY, 91 * DAY]
        .iter()
        .map(|&secs| ExpiryMarket { expiry: NOW + secs, forward: SPOT, svi: svi(8_000, secs) })
        .collect();
    let market = UnderlyingMarket { spot: SPOT, conf: SPOT / 2_000, now: NOW, expiries: &exps };
    let scen = underlying_scenarios(&market, &params).unwrap();
    let ctx = Ctx { market, scen, params };
    use OptionKind::{Call, Put};
    let sol1 = 1_000_000_000i64;
    // Delta of a 10-lot short 30d straddle at 150, hedged with SOL.
    let straddle = [leg(150, 30, Call, -10), leg(150, 30, Put, -10)];
    let (_, r) = margin(&ctx, &straddle, 0);
    let delta_e9: i64 = straddle.iter().zip(&r).map(|(l, r)| l.size * r.delta_e9).sum();
    let hedge = -delta_e9; // lamports: delta in tokens x 1e9
    let books: Vec<(&str, Vec<Leg>, i64, bool)> = vec![
        ("naked short call 165 (30d) x10", vec![leg(165, 30, Call, -10)], 0, false),
        ("naked short put 135 (30d) x10", vec![leg(135, 30, Put, -10)], 0, false),
        ("SOL x10 alone (reference for the covered call)", vec![], 10 * sol1, false),
        ("covered call: SOL x10 + short call 165 x10", vec![leg(165, 30, Call, -10)], 10 * sol1, true),
        ("call vertical: short 160 / long 170 x10", vec![leg(160, 30, Call, -10), leg(170, 30, Call, 10)], 0, true),
        ("put vertical: short 140 / long 130 x10", vec![leg(140, 30, Put, -10), leg(130, 30, Put, 10)], 0, true),
        (
            "iron condor 130/140/160/170 x10",
            vec![leg(130, 30, Put, 10), leg(140, 30, Put, -10), leg(160, 30, Call, -10), leg(170, 30, Call, 10)],
            0,
            true,
        ),
        ("calendar: short 7d / long 30d call 150 x10", vec![leg(150, 7, Call, -10), leg(150, 30, Call, 10)], 0, true),
        ("short straddle 150 (30d) x10", straddle.iter().map(|l| leg(l.strike_usd, l.days, l.kind, l.size)).collect(), 0, false),
        (
            "delta-hedged short straddle 150 x10",
            straddle.iter().map(|l| leg(l.strike_usd, l.days, l.kind, l.size)).collect(),
            hedge,
            true,
        ),
    ];
    let mut out = String::new();
    let w = &mut out;
    writeln!(w, "# Margin quality").unwrap();
    writeln!(w).unwrap();
    writeln!(w, "Generated by `cargo +1.99.1 run -p maxwell-risk --release --example margin_quality --features std`; do not edit by hand.").unwrap();
    writeln!(w).unwrap();
    writeln!(w, "Market: SOL spot = forward = 150 USD, SVI smiles with 80% ATM vol and a put skew (rho = -0.4) at 7, 30 and 91 days; default `RiskParams` (z = 3, horizon 1 day, range floor 10%, cap 40%; vol +50%/-27% at 30 days scaled by (30d/T)^p; short minimum max(0.10, 0.15 - OTM/S) x S x 0.5 for MM; IM = 1.25 x MM; reputation 1).").unwrap();
    writeln!(w, "Price range S = {}. Amounts in USD. SOL collateral has weight 1: its price risk is in the grid.", pct(ctx.scen.range >> 20, 1 << 32)).unwrap();
    writeln!(w).unwrap();
    writeln!(w, "- **MM / IM**: maintenance / initial requirement (array path: worst loss + add-ons).").unwrap();
    writeln!(w, "- **IM collateral**: IM - option marks (a short's mark is a liability), the collateral the book needs at IM, comparable to the isolated rule which includes the mark.").unwrap();
    writeln!(w, "- **Isolated**: per short option max(0.15 - OTM/S, 0.10) x S + mark, hedges ignored (Deribit/Aevo style).").unwrap();
    writeln!(w, "- **Stress loss**: worst loss over an independent, wider grid (price -1.5S..+1.5S in 61 steps x vol x 0.5, 0.75, 1, 1.5, 2; full revaluation, options and SOL collateral).").unwrap();
    writeln!(w, "- **Fine grid loss**: the model's own range -S..+S in 61 steps x vol x 0.73, 1, 1.5 (the 30-day vol shocks): checks that MM covers what the 7 x 3 grid can miss between its points and beyond its vol shocks.
- Goals: hedged books IM collateral <= 40% of isolated; no book's requirement below its stress loss.").unwrap();
    writeln!(w).unwrap();
    writeln!(w, "| book | MM | IM | IM collateral | isolated | IM coll./isolated | fine grid loss (S) | MM >= fine | stress loss (1.5S) | MM >= stress | IM >= stress | add-ons (short min, delta, vega, conf) |").unwrap();
    writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---|---:|---|---|---|").unwrap();
    let mut sol_alone_need = 0i64;
    let mut notes: Vec<String> = Vec::new();
    for (name, legs, sol_l, hedged) in &books {
        let (m, risks) = margin(&ctx, legs, *sol_l);
        let u = m.underlyings[0];
        let need = m.initial - m.option_value;
        let iso = isolated(legs, &risks);
        let fine = stress(&ctx, legs, *sol_l, 2, &[7_300, 10_000, 15_000]);
        let st = stress(&ctx, legs, *sol_l, 3, &[5_000, 7_500, 10_000, 15_000, 20_000]);
        if *name == "SOL x10 alone (reference for the covered call)" {
            sol_alone_need = need;
        }
        if name.starts_with("covered call") {
            notes.push(format!(
                "- Covered call over SOL alone: IM collateral {} - {} = {} USD = {} of the isolated rule for the call.",
                usd(need), usd(sol_alone_need), usd(need - sol_alone_need), pct(need - sol_alone_need, iso)
            ));
        }
        let ratio = pct(need, iso);
        let tag = if *hedged { " (hedged)" } else { "" };
        writeln!(
            w,
            "| {name}{tag} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {}, {}, {}, {} |",
            usd(m.maintenance),
            usd(m.initial),
            usd(need),
            usd(iso),
            ratio,
            usd(fine),
            if m.maintenance >= fine { "yes" } else { "**no**" },
            usd(st),
            if m.maintenance >= st { "yes" } else { "**no**" },
            if m.initial >= st { "yes" } else { "**no**" },
            usd(u.addon_short_min),
            usd(u.addon_delta),
            usd(u.addon_vega),
            usd(u.addon_confidence),
        )
        .unwrap();
    }
    writeln!(w).unwrap();
    for n in &notes {
        writeln!(w, "{n}").unwrap();
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/margin-quality.md");
    std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs")).unwrap();
    std::fs::write(path, &out).unwrap();
    print!("{out}");
}
