//! Rebalance on the real maxwell.so: policies, keeper moves between one owner's accounts,
//! collateral conversions at a bounded discount, their refusals (nothing changed), and a
//! simulation along a price path: with the policy and a keeper no account is liquidatable,
//! without them at least one is. Conservation after every step.

use maxwell::error::MaxwellError as E;
use maxwell::events::{RebalanceAccountsLog, RebalanceCollateralLog};
use maxwell::instructions::TradeLeg;
use maxwell::state::{IxGate, PolicyArgs, RebalancePolicy};
use tests_litesvm::ix;
use tests_litesvm::market::*;
use tests_litesvm::rebalance::policy_pda;
use tests_litesvm::world::*;
use tests_litesvm::*;

fn policy(accounts: Vec<Pk>, feeds: Vec<u8>) -> PolicyArgs {
    PolicyArgs {
        accounts,
        feeds,
        trigger_health: 10_000 * USDC as i64,
        target_health: 16_000 * USDC as i64,
        max_per_move: 2_000 * USDC,
        max_per_day: 2_500 * USDC,
        quote_borrow_limit: 1_000 * USDC,
        keeper_fee_bps: 10,
        max_discount_bps: 100,
    }
}

#[test]
fn policy_set_validates_its_bands_bounds_and_accounts() {
    let mut w = World::new();
    let owner = w.trader();
    let b = w.sub_account(&owner, 1);
    let stranger = w.trader();
    let p = policy(vec![owner.account, b.account], vec![0, 1]);
    let pol = policy_pda(&w.exchange, &owner.key);
    let cases = [
        (PolicyArgs { trigger_health: 20_000 * USDC as i64, ..p.clone() }, E::PolicyInvalid),
        (PolicyArgs { max_per_move: 0, ..p.clone() }, E::PolicyInvalid),
        (PolicyArgs { feeds: vec![0], ..p.clone() }, E::PolicyListInvalid),
        (PolicyArgs { accounts: vec![], feeds: vec![], ..p.clone() }, E::PolicyListInvalid),
        (PolicyArgs { accounts: vec![owner.account, owner.account], ..p.clone() }, E::PolicyDuplicateAccount),
        (PolicyArgs { keeper_fee_bps: 51, ..p.clone() }, E::KeeperFeeTooHigh),
        (PolicyArgs { max_discount_bps: 201, ..p.clone() }, E::ConversionDiscountTooHigh),
        (PolicyArgs { accounts: vec![owner.account, stranger.account], ..p.clone() }, E::PolicyAccountNotListed),
    ];
    for (args, err) in cases {
        let i = w.policy_set_ix(&owner.key, args);
        w.env.fails_with(&[i], &[&owner.kp], code(err), &[pol]);
    }
    // The remaining accounts must be the listed ones, in order.
    let mut i = w.policy_set_ix(&owner.key, p.clone());
    i.accounts.pop();
    w.env.fails_with(&[i], &[&owner.kp], code(E::PolicyAccountsMismatch), &[pol]);
    let mut i = w.policy_set_ix(&owner.key, p.clone());
    let n = i.accounts.len();
    i.accounts.swap(n - 1, n - 2);
    w.env.fails_with(&[i], &[&owner.kp], code(E::PolicyAccountsMismatch), &[pol]);
    assert!(w.env.account(&pol).is_none(), "no policy after refusals");
    w.env.ok(&[w.policy_set_ix(&owner.key, p)], &[&owner.kp]);
    let stored: RebalancePolicy = w.env.zc(&pol);
    assert_eq!(stored.owner, owner.key);
    assert_eq!(&stored.feeds[..2], &[0, 1]);
    // Replacing keeps the day's counter; self-feeding bits are dropped.
    w.env.ok(&[w.policy_set_ix(&owner.key, policy(vec![owner.account, b.account], vec![1, 3]))], &[&owner.kp]);
    let stored: RebalancePolicy = w.env.zc(&pol);
    assert_eq!(&stored.feeds[..2], &[0, 1]);
}

#[test]
fn rebalance_accounts_tops_up_within_the_policy() {
    let mut w = World::new();
    let usdc = w.usdc;
    let owner = w.trader();
    let (a, b) = (owner.account, w.sub_account(&owner, 1).account);
    let keeper = w.trader();
    let stranger = w.trader();
    w.deposit(&owner, &usdc, &owner.usdc_wallet, 20_000 * USDC);
    let ob = Trader { account: b, kp: owner.kp.insecure_clone(), ..owner };
    w.deposit(&ob, &usdc, &owner.usdc_wallet, 100 * USDC);
    w.deposit(&stranger, &usdc, &stranger.usdc_wallet, 100 * USDC);
    // a feeds b; b never feeds a.
    w.env.ok(&[w.policy_set_ix(&owner.key, policy(vec![a, b], vec![0, 1]))], &[&owner.kp]);
    let pol = policy_pda(&w.exchange, &owner.key);
    let watched = [a, b, keeper.account, pol, usdc.bank];
    let mv = |w: &World, src: &Pk, dst: &Pk, amount: u64| w.rebalance_accounts_ix(&keeper, &owner.key, src, dst, &usdc, amount, None);

    let r = w.env.ok(&[mv(&w, &a, &b, 1_000 * USDC)], &[&keeper.kp]);
    let log: RebalanceAccountsLog = r.event().expect("RebalanceAccountsLog");
    assert_eq!((log.amount, log.fee, log.value), (1_000 * USDC, USDC, 1_000 * USDC));
    assert_eq!(log.destination_maint_after - log.destination_maint_before, 999 * USDC as i64);
    assert_eq!(w.balance(&a, &usdc), 19_000 * USDC as i64);
    assert_eq!(w.balance(&b, &usdc), 1_099 * USDC as i64);
    assert_eq!(w.balance(&keeper.account, &usdc), USDC as i64);
    w.assert_conservation();

    // Limits: per move (2,000), per day (2,500).
    w.env.fails_with(&[mv(&w, &a, &b, 2_001 * USDC)], &[&keeper.kp], code(E::RebalanceLimitExceeded), &watched);
    w.env.fails_with(&[mv(&w, &a, &b, 2_000 * USDC)], &[&keeper.kp], code(E::RebalanceLimitExceeded), &watched);
    w.env.ok(&[mv(&w, &a, &b, 1_500 * USDC)], &[&keeper.kp]);
    assert_eq!(w.env.zc::<RebalancePolicy>(&pol).moved_today, 2_500 * USDC);
    // A day later the limit is fresh, but the source must keep its 16,000 target.
    w.env.advance(DAY);
    w.env.fails_with(&[mv(&w, &a, &b, 2_000 * USDC)], &[&keeper.kp], code(E::RebalanceSourceBelowTarget), &watched);
    w.env.ok(&[mv(&w, &a, &b, 1_500 * USDC)], &[&keeper.kp]);
    assert_eq!(w.balance(&a, &usdc), 16_000 * USDC as i64);
    w.assert_conservation();

    // Direction, membership, roles, the kill switch; then a healthy destination.
    w.env.fails_with(&[mv(&w, &b, &a, 100 * USDC)], &[&keeper.kp], code(E::RebalanceNotAllowed), &watched);
    w.env.fails_with(&[mv(&w, &a, &b, 0)], &[&keeper.kp], code(E::ZeroAmount), &watched);
    w.env.fails_with(&[mv(&w, &a, &stranger.account, 100 * USDC)], &[&keeper.kp], code(E::PolicyAccountNotListed), &watched);
    let own_fee =
        w.rebalance_accounts_ix(&Trader { account: a, kp: keeper.kp.insecure_clone(), ..keeper }, &owner.key, &a, &b, &usdc, USDC, None);
    w.env.fails_with(&[own_fee], &[&keeper.kp], code(E::KeeperIsTarget), &watched);
    let own_fee =
        w.rebalance_accounts_ix(&Trader { account: b, kp: keeper.kp.insecure_clone(), ..keeper }, &owner.key, &a, &b, &usdc, USDC, None);
    w.env.fails_with(&[own_fee], &[&keeper.kp], code(E::KeeperIsTarget), &watched);
    w.env.fails_with(&[mv(&w, &a, &a, 100 * USDC)], &[&keeper.kp], code(E::RebalanceSourceIsDestination), &watched);
    let admin = w.admin_pk();
    let admin_kp = w.admin.insecure_clone();
    w.env.ok(&[ix::ix_gate_set(&admin, &w.exchange, 1 << IxGate::Rebalance as u8)], &[&admin_kp]);
    w.env.fails_with(&[mv(&w, &a, &b, 100 * USDC)], &[&keeper.kp], code(E::InstructionDisabled), &watched);
    w.env.ok(&[ix::ix_gate_set(&admin, &w.exchange, 0)], &[&admin_kp]);
    w.deposit(&ob, &usdc, &owner.usdc_wallet, 20_000 * USDC);
    w.env.fails_with(&[mv(&w, &a, &b, 100 * USDC)], &[&keeper.kp], code(E::RebalanceNotTriggered), &watched);
    w.assert_conservation();
}

#[test]
fn rebalance_collateral_converts_at_a_bounded_discount_without_lowering_health() {
    let mut w = World::new();
    w.enable_quote_lending(100_000 * USDC);
    let (usdc, sol) = (w.usdc, w.sol);
    let lender = w.trader();
    let owner = w.trader();
    let keeper = w.trader();
    w.deposit(&lender, &usdc, &lender.usdc_wallet, 50_000 * USDC);
    w.deposit(&keeper, &usdc, &keeper.usdc_wallet, 20_000 * USDC);
    w.deposit(&owner, &sol, &owner.sol_wallet, 100 * SOL);
    let health = w.health_accounts_with(&owner.account, &[usdc]);
    w.env.ok(&[ix::withdraw(&owner.key, &owner.account, &usdc, &owner.usdc_wallet, 3_000 * USDC, &health)], &[&owner.kp]);
    w.env.ok(&[w.policy_set_ix(&owner.key, policy(vec![owner.account], vec![0]))], &[&owner.kp]);
    let c = owner.account;
    let watched = [c, keeper.account, usdc.bank, sol.bank];
    let conv = |w: &World, b: &ix::BankRef, q: u64, d: u16| w.rebalance_collateral_ix(&keeper, &owner.key, &c, b, q, d, None);

    // Bounds first: discount above the policy's 1%, more than owed, a quote "collateral".
    w.env.fails_with(&[conv(&w, &sol, 1_000 * USDC, 101)], &[&keeper.kp], code(E::ConversionDiscountTooHigh), &watched);
    w.env.fails_with(&[conv(&w, &sol, 3_001 * USDC, 50)], &[&keeper.kp], code(E::RepayExceedsBorrow), &watched);
    // A repayment worth less than one lamport (SOL at $2,000,000: a lamport is 2,000 micro-USDC).
    w.set_sol_price(200_000_000_000_000);
    w.env.fails_with(&[conv(&w, &sol, 1, 50)], &[&keeper.kp], code(E::ConversionTooSmall), &watched);
    w.set_sol_price(SOL_PRICE);
    w.env.fails_with(&[conv(&w, &usdc, 1_000 * USDC, 50)], &[&keeper.kp], code(E::ConversionBankInvalid), &watched);
    // The account cannot be its own keeper.
    let own =
        Trader { kp: owner.kp.insecure_clone(), key: owner.key, account: c, usdc_wallet: owner.usdc_wallet, sol_wallet: owner.sol_wallet };
    let i = w.rebalance_collateral_ix(&own, &owner.key, &c, &sol, 1_000 * USDC, 50, None);
    w.env.fails_with(&[i], &[&owner.kp], code(E::KeeperIsTarget), &watched);

    let (h0, _) = w.health_of(&c, None);
    let r = w.env.ok(&[conv(&w, &sol, 1_000 * USDC, 50)], &[&keeper.kp]);
    let log: RebalanceCollateralLog = r.event().expect("RebalanceCollateralLog");
    // 1,000 / (150 x 0.995) SOL, rounded down to the lamport.
    assert_eq!(log.collateral, 6_700_167_504);
    assert_eq!(w.balance(&c, &usdc), -2_000 * USDC as i64);
    assert_eq!(w.balance(&c, &sol), (100 * SOL - 6_700_167_504) as i64);
    assert_eq!(w.balance(&keeper.account, &sol), 6_700_167_504);
    let (h1, _) = w.health_of(&c, None);
    assert!(h1.maint_health > h0.maint_health && h1.init_health > h0.init_health);
    w.assert_conservation();

    // Once the borrow is within the policy's 1,000 limit, there is nothing to convert.
    w.env.ok(&[conv(&w, &sol, 1_000 * USDC, 50)], &[&keeper.kp]);
    w.env.fails_with(&[conv(&w, &sol, 1 * USDC, 50)], &[&keeper.kp], code(E::ConversionNotNeeded), &watched);
    // A stale oracle (older than the bank's 60 s): no conversion at a price nobody can trust.
    w.env.advance(120);
    w.env.fails_with(&[conv(&w, &sol, 1 * USDC, 50)], &[&keeper.kp], code(E::OracleStale), &watched);
    w.set_sol_price(SOL_PRICE);

    // SOL that hedges short calls (the book is net short delta) counts at full weight and
    // offsets the up scenarios: selling it at a discount would lower health, so it is refused.
    let m = w.market(&[150 * D]);
    let buyer = w.trader();
    let hedger = w.trader();
    w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 50_000 * USDC);
    // 20 SOL against 50 short ATM calls (delta about -25): net short.
    w.deposit(&hedger, &sol, &hedger.sol_wallet, 20 * SOL);
    w.deposit(&hedger, &usdc, &hedger.usdc_wallet, 3_000 * USDC);
    w.trade(
        &m,
        &hedger,
        &buyer,
        vec![TradeLeg { series_index: m.series(150 * D, 0), size: 50, price: w.at_mark(&m, m.series(150 * D, 0)) }],
    );
    let d = hedger.account;
    let health = w.health_union(&[d], Some(&m), &[usdc]);
    // Everything held (3,000 deposited + the premium at the mark) and 100 more: a 100 USDC borrow.
    let amount = w.balance(&d, &usdc) as u64 + 100 * USDC;
    w.env.ok(&[ix::withdraw(&hedger.key, &d, &usdc, &hedger.usdc_wallet, amount, &health)], &[&hedger.kp]);
    let p = PolicyArgs { quote_borrow_limit: 0, ..policy(vec![d], vec![0]) };
    w.env.ok(&[w.policy_set_ix(&hedger.key, p)], &[&hedger.kp]);
    // 100 borrowed (plus a few units of interest accrued since, at the lending curve).
    assert!((-100 * USDC as i64 - 100..=-100 * USDC as i64).contains(&w.balance(&d, &usdc)));
    let i = w.rebalance_collateral_ix(&keeper, &hedger.key, &d, &sol, 50 * USDC, 50, Some(&m));
    w.env.fails_with(
        &[compute_budget_ix(1_400_000), i],
        &[&keeper.kp],
        code(E::ConversionLowersHealth),
        &[d, keeper.account, usdc.bank, sol.bank],
    );
    w.assert_conservation();
}

/// One owner: a reserve account and two option writers (short calls, short puts). SOL runs
/// up then down. Returns how many (step, account) observations were liquidatable.
fn price_path(with_policy: bool) -> usize {
    let mut w = World::new();
    let usdc = w.usdc;
    let m = w.market(&[140 * D, 150 * D, 160 * D]);
    let owner = w.trader();
    let calls = w.sub_account(&owner, 1);
    let puts = w.sub_account(&owner, 2);
    let buyer = w.trader();
    let keeper = w.trader();
    w.deposit(&owner, &usdc, &owner.usdc_wallet, 30_000 * USDC);
    w.deposit(&calls, &usdc, &owner.usdc_wallet, 1_500 * USDC);
    w.deposit(&puts, &usdc, &owner.usdc_wallet, 1_500 * USDC);
    w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 100_000 * USDC);
    w.trade(
        &m,
        &calls,
        &buyer,
        vec![TradeLeg { series_index: m.series(160 * D, 0), size: 20, price: w.at_mark(&m, m.series(160 * D, 0)) }],
    );
    w.trade(&m, &puts, &buyer, vec![TradeLeg { series_index: m.series(140 * D, 1), size: 20, price: w.at_mark(&m, m.series(140 * D, 1)) }]);
    let trigger = 1_500 * USDC as i64;
    if with_policy {
        let p = PolicyArgs {
            accounts: vec![owner.account, calls.account, puts.account],
            feeds: vec![0, 1, 1],
            trigger_health: trigger,
            target_health: 5_000 * USDC as i64,
            max_per_move: 3_000 * USDC,
            max_per_day: 30_000 * USDC,
            quote_borrow_limit: 0,
            keeper_fee_bps: 10,
            max_discount_bps: 0,
        };
        w.env.ok(&[w.policy_set_ix(&owner.key, p)], &[&owner.kp]);
    }
    let admin_kp = w.admin.insecure_clone();
    let mut liquidatable = 0;
    for price in [150.0, 158.0, 166.0, 175.0, 184.0, 192.0, 180.0, 165.0, 150.0, 138.0, 127.0, 118.0, 110.0] {
        w.env.advance(600);
        w.set_sol_price((price * 1e8) as i64);
        let vol = w.vol_update_ix(&m, 0, svi_for(0.8, 30.0));
        w.env.ok(&[vol], &[&admin_kp]);
        w.refresh_all(&m);
        for acc in [calls.account, puts.account] {
            let (h, _) = w.health_of(&acc, Some(&m));
            if with_policy && h.maint_health < trigger {
                let amount = (2 * trigger - h.maint_health).clamp(USDC as i64, 3_000 * USDC as i64) as u64;
                let i = w.rebalance_accounts_ix(&keeper, &owner.key, &owner.account, &acc, &usdc, amount, Some(&m));
                w.env.ok_big(&[i], &[&keeper.kp]);
            }
            let (h, _) = w.health_of(&acc, Some(&m));
            if h.maint_health < 0 {
                liquidatable += 1;
            }
        }
        w.assert_conservation();
    }
    liquidatable
}

#[test]
fn simulation_with_policy_and_keeper_no_account_is_liquidatable() {
    let without = price_path(false);
    let with = price_path(true);
    assert!(without >= 1, "without the policy some writer must become liquidatable (saw {without})");
    assert_eq!(with, 0, "with the policy and the keeper none may");
}
