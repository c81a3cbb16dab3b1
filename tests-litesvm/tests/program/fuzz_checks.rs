//! The fuzzer's checks catch what they are for: each is shown a world with one planted
//! violation (a vault short by one unit, an account's shares or position edited behind the
//! program's back, a bystander's balance moved) and must report it; on the honest world they
//! pass. A short fuzz run on the real .so ends with no finding.

use maxwell::state::{MarginAccount, Underlying};
use tests_litesvm::fuzz::{self, checks, scenario::Scenario};

fn banks(s: &Scenario) -> Vec<tests_litesvm::ix::BankRef> {
    s.w.banks.iter().map(|(b, _)| *b).collect()
}

#[test]
fn conservation_catches_a_vault_one_unit_short_and_edited_shares() {
    let base = Scenario::build();
    let s = base.fork();
    checks::conservation(&s.w.env, &banks(&s), &s.accounts(), &[s.m.underlying]).expect("honest world");

    let mut short = base.fork();
    let vault = short.w.usdc.vault;
    let amount = short.w.env.token_amount(&vault);
    short.w.env.set_token_amount(&vault, amount - 1);
    let e = checks::conservation(&short.w.env, &banks(&short), &short.accounts(), &[short.m.underlying]).unwrap_err();
    assert!(e.contains("vault"), "{e}");

    let mut edited = base.fork();
    let a = edited.actors[2].account;
    let mut m: MarginAccount = edited.w.env.zc(&a);
    let slot = m.collateral.iter_mut().find(|s| s.in_use == 1).unwrap();
    slot.balance += 1;
    edited.w.env.zc_write(&a, &m);
    let e = checks::conservation(&edited.w.env, &banks(&edited), &edited.accounts(), &[edited.m.underlying]).unwrap_err();
    assert!(e.contains("deposit shares"), "{e}");
}

#[test]
fn positions_catch_open_interest_drift_and_only_moved_catches_a_bystander() {
    let base = Scenario::build();
    let s = base.fork();
    checks::positions(&s.w.env, &s.m, &s.accounts()).expect("honest world");

    let mut oi = base.fork();
    let mut u: Underlying = oi.w.env.zc(&oi.m.underlying);
    let held = u.series.iter().position(|x| x.open_interest > 0).expect("the scenario's writer sold calls");
    u.series[held].open_interest += 1;
    oi.w.env.zc_write(&oi.m.underlying, &u);
    let e = checks::positions(&oi.w.env, &oi.m, &oi.accounts()).unwrap_err();
    assert!(e.contains("open interest"), "{e}");

    let mut moved = base.fork();
    let accounts = moved.accounts();
    let before = checks::holdings(&moved.w.env, &accounts);
    let a = moved.actors[2].account;
    let mut m: MarginAccount = moved.w.env.zc(&a);
    m.collateral.iter_mut().find(|s| s.in_use == 1).unwrap().balance -= 5;
    moved.w.env.zc_write(&a, &m);
    let after = checks::holdings(&moved.w.env, &accounts);
    assert!(checks::only_moved(&before, &after, &[a]).is_ok());
    let e = checks::only_moved(&before, &after, &[moved.actors[1].account]).unwrap_err();
    assert!(e.contains("without being a party"), "{e}");
}

#[test]
fn a_short_fuzz_run_ends_without_findings() {
    let r = fuzz::run(40, 7, |_| {});
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.sequences, 40);
    assert!(r.reached("trade") && r.reached("deposit") && r.reached("withdraw"));
}
