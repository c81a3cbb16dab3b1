//! `plans::balance_liquidation` on plain snapshots: a spot borrower (SOL deposit, USDC borrow,
//! no options) after a fall, planned back to maintenance health zero and not further.

use maxwell_engine::drift::RiskStamp;
use maxwell_engine::health::{health, AccountView, BankSnap, Snapshot};
use maxwell_engine::plans::balance_liquidation::{asset_for, liability_for_asset, plan_balance_liquidation, BalanceOverlay};
use maxwell_engine::plans::liquidation::LiquidationParams;
use maxwell_engine::reputation::RepState;
use maxwell_engine::valuation::Weights;
use maxwell_engine::EngineError;
use maxwell_lending::BankIndex;
use maxwell_risk::collateral::TokenPrice;
use maxwell_risk::params::RiskParams;

struct Acc(Vec<(u16, i64)>);

impl AccountView for Acc {
    fn balances(&self) -> impl Iterator<Item = (u16, i64)> + '_ {
        self.0.iter().copied()
    }
    fn positions(&self) -> impl Iterator<Item = (u16, u16, u16, i64)> + '_ {
        core::iter::empty()
    }
    fn reputation(&self) -> RepState {
        RepState::default()
    }
}

const P: LiquidationParams = LiquidationParams { penalty_min_bps: 100, penalty_max_bps: 500, insurance_share_bps: 2_000 };
const SOL_W: Weights = Weights { init_asset: 8_000, maint_asset: 9_000, init_liab: 12_000, maint_liab: 11_000 };

/// An index at 1 whose share totals cover every balance in these tests.
fn index() -> BankIndex {
    BankIndex { deposit_shares: 1 << 50, borrow_shares: 1 << 40, ..BankIndex::new(0) }
}

fn banks(sol_dollars: i64) -> Vec<BankSnap> {
    vec![
        BankSnap { bank_index: 0, index: index(), price: TokenPrice::ONE, weights: Weights::FULL },
        BankSnap {
            bank_index: 1,
            index: index(),
            price: TokenPrice::from_oracle(sol_dollars * 100_000_000, -8, 9, 6).unwrap(),
            weights: SOL_W,
        },
    ]
}

fn snap(b: &[BankSnap]) -> Snapshot<'_, RiskStamp> {
    Snapshot { banks: b, unders: Vec::new(), risk: RiskParams::DEFAULT, now: 0, lenient: false, oracles_fresh: true }
}

/// 100 SOL deposited, 11,900 USDC borrowed (shares = native at index 1).
fn borrower() -> Acc {
    Acc(vec![(0, -11_900_000_000), (1, 100_000_000_000)])
}

#[test]
fn spot_borrower_is_planned_back_to_zero_and_no_further() {
    let b = banks(130);
    let s = snap(&b);
    let a = borrower();
    // Maintenance: 100 x 130 x 0.9 - 11,900 = 11,700 - 11,900 = -200 USDC.
    let pre = health(&s, &a).unwrap();
    assert_eq!(pre.maint, 11_700_000_000 - 11_900_000_000);
    let plan = plan_balance_liquidation(&s, &a, 1, 0, u64::MAX, &P).unwrap();
    // Depth = 200 / (0 + 11,900) -> rate = 100 + 400 x 200/11,900 = 106 bps (down).
    assert_eq!(plan.penalty_bps, 100 + 400 * 200 / 11_900);
    // Per USDC repaid, health gains 1 - 0.9 x 1.0106 = 0.09046: 200 / 0.09046 = 2,210.9 USDC.
    let per_unit = 1.0 - 0.9 * (1.0 + plan.penalty_bps as f64 / 1e4);
    let exact = (200e6 + 10.0) / per_unit; // zero plus TARGET_SLACK
    assert!((plan.liability_native as f64 - exact).abs() <= 4.0, "took {} expected about {exact}", plan.liability_native);
    assert_eq!(plan.asset_native, asset_for(plan.liability_native, TokenPrice::ONE, b[1].price, plan.penalty_bps).unwrap());
    // Applied, maintenance health is at zero plus the slack (10 units), within rounding.
    let after = Acc(vec![(0, -11_900_000_000 + plan.liability_native as i64), (1, 100_000_000_000 - plan.asset_native as i64)]);
    let post = health(&s, &after).unwrap();
    assert!((8..=12).contains(&post.maint), "post maint {}", post.maint);
    // One micro-USDC less would leave it below zero... within the rounding of the asset side.
    let less = Acc(vec![(0, -11_900_000_000 + plan.liability_native as i64 - 3), (1, 100_000_000_000 - plan.asset_native as i64)]);
    assert!(health(&s, &less).unwrap().maint < post.maint);
    // Penalty = ceil(value x rate), insurance share floor(20%).
    assert_eq!(plan.penalty, (plan.liability_value as u128 * plan.penalty_bps as u128).div_ceil(10_000) as u64);
    assert_eq!(plan.to_insurance, plan.penalty * 2_000 / 10_000);
    // The overlay the plan uses is the same account moved.
    let overlay = BalanceOverlay {
        inner: &a,
        moved: [(1, 100_000_000_000 - plan.asset_native as i64), (0, -11_900_000_000 + plan.liability_native as i64)],
    };
    assert_eq!(health(&s, &overlay).unwrap(), post);
}

#[test]
fn a_smaller_maximum_is_taken_whole() {
    let b = banks(130);
    let plan = plan_balance_liquidation(&snap(&b), &borrower(), 1, 0, 1_000_000_000, &P).unwrap();
    assert_eq!(plan.liability_native, 1_000_000_000);
    assert!(plan.maint_at_cap < 0);
    // The shortcut (balances only: health before + the two balances' changes) is the health
    // rule's own number for the account moved.
    let a = borrower();
    let moved =
        BalanceOverlay { inner: &a, moved: [(1, 100_000_000_000 - plan.asset_native as i64), (0, -11_900_000_000 + 1_000_000_000)] };
    assert_eq!(health(&snap(&b), &moved).unwrap().maint, plan.maint_at_cap);
}

#[test]
fn negative_equity_takes_every_asset() {
    // SOL at $80: 100 x 80 = 8,000 against 11,900: equity -3,900; the whole SOL goes.
    let b = banks(80);
    let a = borrower();
    let plan = plan_balance_liquidation(&snap(&b), &a, 1, 0, u64::MAX, &P).unwrap();
    // Shortfall 100 x 80 x 0.9 - 11,900 = -4,700 over a scale of 11,900 (the debt).
    assert_eq!(plan.penalty_bps, 100 + 400 * 4_700 / 11_900);
    // 100 SOL ($8,000) buys floor(8,000 / (1 + rate)) USDC of debt.
    assert_eq!(plan.liability_native, liability_for_asset(100_000_000_000, TokenPrice::ONE, b[1].price, plan.penalty_bps).unwrap());
    assert_eq!(plan.liability_native, (8_000_000_000u128 * 10_000 / (10_000 + plan.penalty_bps as u128)) as u64);
    // Everything goes: the remainder (less than one micro-USDC of debt's worth) is swept.
    assert_eq!(plan.asset_native, 100_000_000_000);
}

#[test]
fn dust_is_taken_whole_against_one_unit() {
    // 5 lamports of SOL (worth 0.4 micro-USDC) against a 10 USDC debt: one unit repaid.
    let b = banks(80);
    let a = Acc(vec![(0, -10_000_000), (1, 5)]);
    let plan = plan_balance_liquidation(&snap(&b), &a, 1, 0, u64::MAX, &P).unwrap();
    assert_eq!((plan.liability_native, plan.asset_native), (1, 5));
}

#[test]
fn refusals() {
    let b = banks(130);
    let s = snap(&b);
    let a = borrower();
    assert_eq!(plan_balance_liquidation(&s, &a, 1, 1, 1, &P), Err(EngineError::BalanceSameBank));
    assert_eq!(plan_balance_liquidation(&s, &a, 0, 1, 1, &P), Err(EngineError::BalanceNotAsset));
    assert_eq!(
        plan_balance_liquidation(&s, &Acc(vec![(0, -11_900_000_000), (1, 100_000_000_000), (2, 5)]), 1, 2, 1, &P).err(),
        Some(EngineError::MissingHealthAccount)
    );
    assert_eq!(plan_balance_liquidation(&s, &a, 1, 0, 0, &P), Err(EngineError::BalanceTakeTooSmall));
    let healthy = banks(150);
    assert_eq!(plan_balance_liquidation(&snap(&healthy), &a, 1, 0, 1, &P), Err(EngineError::NotLiquidatable));
    let no_debt = Acc(vec![(0, -11_900_000_000), (1, 100_000_000_000), (2, 0)]);
    let mut b3 = banks(130);
    b3.push(BankSnap { bank_index: 2, ..b3[1] });
    assert_eq!(plan_balance_liquidation(&snap(&b3), &no_debt, 1, 2, 1, &P), Err(EngineError::BalanceNotLiability));
}
