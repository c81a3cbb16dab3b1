//! `maxwell_engine::health` on plain snapshots: each part of the rule, with the expected value
//! written as the formula it comes from.

use maxwell_engine::drift::{RiskLimits, RiskStamp};
use maxwell_engine::health::{health, health_detail, scenario_table, AccountView, BankSnap, Snapshot, UnderlyingSnap};
use maxwell_engine::reputation::RepState;
use maxwell_engine::valuation::Weights;
use maxwell_engine::EngineError;
use maxwell_lending::BankIndex;
use maxwell_risk::collateral::TokenPrice;
use maxwell_risk::fixed::FX_FRAC;
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{UnderlyingScenarios, N_SCEN};
use maxwell_risk::series::SeriesRisk;

const NOW: i64 = 1_000_000;
const SPOT: u64 = 150_000_000; // $150 in micro-USDC per contract

struct Acc {
    balances: Vec<(u16, i64)>,
    positions: Vec<(u16, u16, i64)>,
    rep: RepState,
}

impl AccountView for Acc {
    fn balances(&self) -> impl Iterator<Item = (u16, i64)> + '_ {
        self.balances.iter().copied()
    }
    fn positions(&self) -> impl Iterator<Item = (u16, u16, u16, i64)> + '_ {
        self.positions.iter().map(|&(u, s, size)| (u, s, 0, size))
    }
    fn reputation(&self) -> RepState {
        self.rep
    }
}

fn banks() -> Vec<BankSnap> {
    let w = Weights { init_asset: 8_000, maint_asset: 9_000, init_liab: 12_000, maint_liab: 11_000 };
    vec![
        BankSnap { bank_index: 0, index: BankIndex::new(0), price: TokenPrice::ONE, weights: Weights::FULL },
        BankSnap { bank_index: 1, index: BankIndex::new(0), price: TokenPrice::from_oracle(15_000_000_000, -8, 9, 6).unwrap(), weights: w },
    ]
}

/// A call whose array loses 2 USDC per contract held long in every scenario but the worst
/// (10 USDC), mark 5 USDC, delta 0.5 ($75 per contract), gamma $1.
fn call() -> SeriesRisk {
    let mut pnl = [-2_000_000i64; N_SCEN];
    // A back expiry: the reverse twist (index 4) copies the up column (index 1).
    pnl[1] = -10_000_000;
    pnl[4] = -10_000_000;
    SeriesRisk {
        pnl,
        mark: 5_000_000,
        slack: 0,
        delta_e9: 500_000_000,
        delta_quote: 75_000_000,
        gamma_quote: 1_000_000,
        vega_quote: 0,
        theta_quote: 0,
        short_min: 0,
        kind: 0,
        term: maxwell_risk::series::TERM_BACK,
        bits: 0,
        _pad: [0; 5],
    }
}

fn scen() -> UnderlyingScenarios {
    UnderlyingScenarios { spot: SPOT, conf: 0, range: 0, shock: [0; 7] }
}

fn params() -> RiskParams {
    // No add-ons beyond the scenarios: the table below is about the health rule's own parts.
    RiskParams { conf_mult: 0, ..RiskParams::DEFAULT }
}

fn stamp(risk_spot: u64) -> RiskStamp {
    RiskStamp { expiry: NOW + 86_400, risk_spot, risk_ts: NOW - 10, risk_surface_seq: 1 }
}

fn snapshot<'a>(
    b: &'a [BankSnap],
    s: &'a UnderlyingScenarios,
    r: &'a [SeriesRisk],
    st: &'a [RiskStamp],
    spot: u64,
) -> Snapshot<'a, RiskStamp> {
    Snapshot {
        banks: b,
        unders: vec![UnderlyingSnap {
            underlying_index: 0,
            spot,
            spot_bank_index: 1,
            limits: RiskLimits { surface_seq: 1, max_age_secs: 600, spot_tolerance_bps: 100 },
            scen: s,
            risk: r,
            series: st,
        }],
        risk: params(),
        now: NOW,
        lenient: false,
        oracles_fresh: true,
    }
}

#[test]
fn collateral_only() {
    let b = banks();
    let (s, r, st) = (scen(), [call()], [stamp(SPOT)]);
    let snap = snapshot(&b, &s, &r, &st, SPOT);
    // 1,000 USDC and 1,000,000,013 lamports: 120,000,001 / 135,000,001 (one rounding each).
    let acc = Acc { balances: vec![(0, 1_000_000_000), (1, 1_000_000_013)], positions: vec![], rep: RepState::default() };
    let h = health(&snap, &acc).unwrap();
    assert_eq!((h.init, h.maint), (1_000_000_000 + 120_000_001, 1_000_000_000 + 135_000_001));
    assert!(!h.carrying_risk);
    // A borrow: carrying risk; -(150 x 1.2), -(150 x 1.1) USDC.
    let acc = Acc { balances: vec![(0, 1_000_000_000), (1, -1_000_000_000)], positions: vec![], rep: RepState::default() };
    let h = health(&snap, &acc).unwrap();
    assert_eq!((h.init, h.maint), (1_000_000_000 - 180_000_000, 1_000_000_000 - 165_000_000));
    assert!(h.carrying_risk);
    // A zero balance (a slot emptied by this instruction) needs no bank.
    let acc = Acc { balances: vec![(0, 5), (7, 0)], positions: vec![], rep: RepState::default() };
    assert_eq!(health(&snap, &acc).unwrap().init, 5);
    // A non-zero balance in a bank the snapshot lacks is refused.
    let acc = Acc { balances: vec![(7, 1)], positions: vec![], rep: RepState::default() };
    assert_eq!(health(&snap, &acc), Err(EngineError::MissingHealthAccount));
}

#[test]
fn options_drift_and_spot_at_full_weight() {
    let b = banks();
    let (s, r) = (scen(), [call()]);
    // Arrays built at 150, spot now 151 (66.67 bps: within the 100 bps tolerance).
    let st = [stamp(SPOT)];
    let spot_now = 151_000_000;
    let snap = snapshot(&b, &s, &r, &st, spot_now);
    let acc = Acc { balances: vec![(0, 100_000_000), (1, 1_000_000_000)], positions: vec![(0, 0, 2)], rep: RepState::default() };
    let d = health_detail(&snap, &acc).unwrap();
    // SOL is the underlying's spot: full weight, 150 USDC at both weight sets.
    assert_eq!((d.collateral_init, d.collateral_maint), (100_000_000 + 150_000_000, 100_000_000 + 150_000_000));
    let u = &d.underlyings[0];
    // Spot P&L is 0 in every scenario (shocks 0): the worst loss is 2 x 10 USDC.
    assert_eq!(u.summary.worst_loss, 2 * 10_000_000);
    // drift = ceil(1e6 x 1e4 / 150e6) = 67 bps; delta = 2 x 75 + 150 (the SOL), gamma 2 x 1.
    assert_eq!(u.drift_bps, 67);
    let exposure: i64 = 2 * 75_000_000 + 150_000_000 + 2 * 1_000_000;
    assert_eq!(u.addon_drift, (exposure * 67 + 9_999) / 10_000);
    let maint_req = u.summary.requirement().unwrap() + u.addon_drift;
    assert_eq!(d.health.maintenance_req, maint_req);
    // Initial: ceil(maintenance (without drift) x 1.25) + drift, no reputation yet.
    let im = RiskParams::DEFAULT.im_factor as i128;
    let init_opts = ((u.summary.requirement().unwrap() as i128 * im + (1 << FX_FRAC) - 1) >> FX_FRAC) as i64;
    assert_eq!(d.health.initial_req, init_opts + u.addon_drift);
    assert_eq!(d.health.option_value, 2 * 5_000_000);
    assert_eq!(d.health.maint, 250_000_000 + 10_000_000 - maint_req);
    assert!(d.health.carrying_risk);
    // Greeks per underlying: delta 2 x 0.5 contracts.
    assert_eq!(u.summary.delta_e9, 1_000_000_000);
}

#[test]
fn freshness_expiry_and_reputation() {
    let b = banks();
    let (s, r) = (scen(), [call()]);
    let acc = Acc { balances: vec![(0, 100_000_000)], positions: vec![(0, 0, -1)], rep: RepState::default() };
    // Spot moved 2% since the build: stale, refused in strict mode, tolerated in lenient.
    let st = [stamp(SPOT)];
    let snap = snapshot(&b, &s, &r, &st, 153_000_000);
    assert_eq!(health(&snap, &acc), Err(EngineError::RiskCacheStale));
    let lenient = Snapshot { lenient: true, ..snap.clone() };
    assert!(!health(&lenient, &acc).unwrap().oracles_fresh);
    // Expired: must be settled first.
    let st = [RiskStamp { expiry: NOW, ..stamp(SPOT) }];
    let snap = snapshot(&b, &s, &r, &st, SPOT);
    assert_eq!(health(&snap, &acc), Err(EngineError::ExpiredPositionUnsettled));
    // Unknown series.
    let st = [stamp(SPOT)];
    let snap = snapshot(&b, &s, &r, &st, SPOT);
    let bad = Acc { positions: vec![(0, 3, -1)], ..Acc { balances: vec![], positions: vec![], rep: RepState::default() } };
    assert_eq!(health(&snap, &bad), Err(EngineError::SeriesNotListed));
    // Reputation: a full ramp on a peak as large as the book takes 10% off the initial requirement.
    let base = health_detail(&snap, &acc).unwrap();
    let rep = RepState { clean_secs: maxwell_engine::reputation::RAMP_SECS, last_obs_ts: NOW, peak_req: i64::MAX, last_req: 0 };
    let aged = health_detail(&snap, &Acc { rep, ..acc }).unwrap();
    assert_eq!(aged.health.maintenance_req, base.health.maintenance_req);
    let want = base.health.initial_req / 10;
    assert!((base.health.initial_req - aged.health.initial_req - want).abs() <= 1);
    assert_eq!(aged.reputation_discount, base.health.initial_req - aged.health.initial_req);
}

#[test]
fn scenario_table_is_the_grid_the_requirement_takes_its_worst_from() {
    let b = banks();
    let (mut s, r, st) = (scen(), [call()], [stamp(SPOT)]);
    // Price shocks -30%..+30% so the SOL balance moves: 1 SOL = 150 USDC x shock.
    s.shock = [-3, -2, -1, 0, 1, 2, 3].map(|k: i64| k * (1i64 << FX_FRAC) / 10);
    let snap = snapshot(&b, &s, &r, &st, SPOT);
    let acc = Acc { balances: vec![(0, 100_000_000), (1, 1_000_000_000)], positions: vec![(0, 0, 2)], rep: RepState::default() };
    let rows = scenario_table(&snap, &acc).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].underlying_index, 0);
    for (k, &loss) in rows[0].loss.iter().enumerate() {
        // Two long calls lose -pnl each (2 or 10 USDC), the SOL loses -150 USDC x shock.
        let option = 2 * -call().pnl[k];
        let price = k / maxwell_risk::scenario::N_VOL;
        let spot_pnl = 150_000_000 * (price as i64 - 3) / 10;
        assert!((loss - (option - spot_pnl)).abs() <= 1, "scenario {k}: {loss}");
    }
    // The requirement's worst loss is the table's maximum.
    let d = health_detail(&snap, &acc).unwrap();
    assert_eq!(d.underlyings[0].summary.worst_loss, *rows[0].loss.iter().max().unwrap());
    // No positions: no rows.
    let flat = Acc { balances: vec![(0, 5)], positions: vec![], rep: RepState::default() };
    assert!(scenario_table(&snap, &flat).unwrap().is_empty());
}
