//! Property: whatever sequence of deposits, withdrawals, borrows, repayments, accruals and
//! socialized losses, a vault that moved exactly the native amounts holds at least what
//! depositors are owed minus what borrowers owe, and the surplus is dust.

use maxwell_lending::{BankIndex, RateCurve, ONE};
use proptest::prelude::*;

const CURVE: RateCurve =
    RateCurve { kink_util_bps: 8_000, base_rate_bps: 100, kink_rate_bps: 1_500, max_rate_bps: 30_000, reserve_bps: 1_000, _pad: 0 };

#[derive(Clone, Debug)]
enum Op {
    Move { account: usize, delta: i64 },
    Wait { secs: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..4, -5_000_000_000i64..5_000_000_000).prop_map(|(account, delta)| Op::Move { account, delta }),
        (1i64..2_000_000).prop_map(|secs| Op::Wait { secs }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn vault_covers_claims(ops in proptest::collection::vec(op(), 1..60)) {
        let mut bank = BankIndex::new(0);
        let mut balances = [0i64; 4];
        let mut vault: i128 = 0;
        let mut now = 0i64;
        let mut touches = 0u64;
        for op in ops {
            match op {
                Op::Move { account, delta } => {
                    // The vault cannot pay out what it does not hold.
                    if delta < 0 && vault < i128::from(delta.unsigned_abs()) { continue; }
                    balances[account] = bank.change(balances[account], delta).unwrap();
                    vault += i128::from(delta);
                    touches += 1;
                }
                Op::Wait { secs } => {
                    now += secs;
                    bank.accrue(&CURVE, now).unwrap();
                    touches += 1;
                }
            }
            let owed: i128 = balances.iter().map(|&b| i128::from(bank.value(b).unwrap())).sum::<i128>()
                + i128::from(bank.deposit_value(bank.fee_shares).unwrap());
            prop_assert!(vault >= owed, "vault {vault} < owed {owed}");
            prop_assert!(bank.borrow_index >= ONE && bank.deposit_index >= ONE);
            // Share totals are the sums of the balances.
            let dep: u64 = balances.iter().map(|&b| b.max(0) as u64).sum::<u64>() + bank.fee_shares;
            let bor: u64 = balances.iter().map(|&b| b.min(0).unsigned_abs()).sum();
            prop_assert_eq!(dep, bank.deposit_shares);
            prop_assert_eq!(bor, bank.borrow_shares);
            // Dust: a touch rounds by at most one share, worth up to one index in native units.
            let grain = i128::from(bank.deposit_index.max(bank.borrow_index) / ONE + 2);
            prop_assert!(vault - owed <= grain * i128::from(2 * touches + 2), "surplus {} after {} touches", vault - owed, touches);
        }
    }
}

#[test]
fn interest_flows_from_borrowers_to_depositors_and_reserve() {
    let mut bank = BankIndex::new(0);
    let a = bank.change(0, 1_000_000_000).unwrap(); // deposits 1,000 (6 decimals)
    let b = bank.change(0, -800_000_000).unwrap(); // borrows 800: 80% utilization
    assert_eq!(bank.utilization_bps(), 8_000);
    // One year at the kink rate 15%: borrowers owe 120 more, depositors get 108, reserve 12.
    bank.accrue(&CURVE, 31_536_000).unwrap();
    // 920 owed; the index rounds up, against the borrower, by at most a unit.
    assert!((-920_000_001..=-920_000_000).contains(&bank.value(b).unwrap()));
    let dep = bank.value(a).unwrap();
    let fee = bank.deposit_value(bank.fee_shares).unwrap() as i64;
    assert!((1_107_999_990..=1_108_000_000).contains(&dep), "{dep}");
    assert!((11_999_990..=12_000_000).contains(&fee), "{fee}");
}

#[test]
fn socialized_loss_lowers_every_deposit_pro_rata() {
    let mut bank = BankIndex::new(0);
    let a = bank.change(0, 300_000_000).unwrap();
    let b = bank.change(0, 100_000_000).unwrap();
    let c = bank.change(0, -50_000_000).unwrap();
    let owed = bank.write_off(c).unwrap();
    assert_eq!(owed, 50_000_000);
    bank.socialize(owed).unwrap();
    assert_eq!(bank.borrow_shares, 0);
    assert_eq!(bank.value(a).unwrap(), 262_500_000);
    assert_eq!(bank.value(b).unwrap(), 87_500_000);
    assert!(bank.socialize(400_000_000).is_err());
}

#[test]
fn crossing_zero_reshares_and_rounds_against_the_account() {
    let mut bank = BankIndex::new(0);
    let _lender = bank.change(0, 1_000_000).unwrap();
    let x = bank.change(0, -500_000).unwrap();
    bank.accrue(&CURVE, 1_000_000).unwrap();
    let owed = -bank.value(x).unwrap();
    assert!(owed > 500_000);
    // Paying exactly the debt leaves nothing; one unit more leaves a deposit of at most 1.
    let before = bank;
    let y = bank.change(x, owed).unwrap();
    assert_eq!(y, 0);
    assert_eq!(bank.borrow_shares, 0);
    let mut bank = before;
    let z = bank.change(x, owed + 10).unwrap();
    assert!(bank.value(z).unwrap() <= 10 && z > 0);
}
