//! Governance on the real maxwell.so: no single key moves money. A weight cut is queued and
//! visible with its unlock time, cannot land before it (users leave first), lands bounded per
//! step; every refusal has its own code and changes nothing; two-step admin transfer; the
//! guardian only disables; the volatility oracle is rate-bounded with a breaker; withdrawals
//! have a per-bank breaker. Test exchanges use a one-hour timelock (`TEST_TIMELOCK_SECS`).

use maxwell::error::MaxwellError as E;
use maxwell::events::{GovCancelledLog, GovExecutedLog, GovProposedLog, VolBreakerLog};
use maxwell::instructions::TradeLeg;
use maxwell::state::{BankParamsArgs, BreakerArgs, Change, CollateralBank, Exchange, IxGate, Proposal, Underlying, UnderlyingLimitsArgs};
use maxwell_risk::collateral::{weighted_value, TokenPrice};
use tests_litesvm::governance::proposal_pda;
use tests_litesvm::ix::{self, TEST_TIMELOCK_SECS};
use tests_litesvm::market::*;
use tests_litesvm::world::*;
use tests_litesvm::*;

fn sol_params(maint: u16, init: u16) -> BankParamsArgs {
    BankParamsArgs { maint_asset_weight_bps: maint, init_asset_weight_bps: init, ..bank_params(tests_litesvm::pyth::feed(SOL_FEED)) }
}

/// SOL at $150 weighted by `bps`, as the program values collateral (rounded down).
fn sol_value(lamports: u64, bps: u16) -> i64 {
    let price = TokenPrice::from_oracle(SOL_PRICE, SOL_EXPO, 9, 6).unwrap();
    weighted_value(lamports as i64, price, bps, 12_000).unwrap()
}

#[test]
fn a_weight_cut_is_queued_visible_bounded_and_lands_only_after_the_timelock() {
    let mut w = World::new();
    let t = w.trader();
    let sol = w.sol;
    w.deposit(&t, &sol, &t.sol_wallet, 100 * SOL);
    let before = w.health_of(&t.account, None).0;
    assert_eq!(before.maint_health, sol_value(100 * SOL, 9_000));

    // The one-transaction attack of the issue: weights to zero. Refused outright (per step).
    let admin = w.admin_pk();
    let id = w.next_proposal_id();
    let cut_to_zero = Change::BankParams { bank: sol.bank, params: sol_params(0, 0) };
    let i = w.gov_propose_ix(&admin, id, cut_to_zero, Some(sol.bank), None);
    let kp = w.admin.insecure_clone();
    w.env.fails_with(&[i], &[&kp], code(E::ProposalStepTooLarge), &[w.exchange, sol.bank]);
    // Nor may the admin bypass the queue on a bank with users.
    let i = w.bank_set_params_ix(&admin, &sol, sol_params(0, 0));
    w.env.fails_with(&[i], &[&kp], code(E::BankInUse), &[sol.bank]);

    // The largest step (500 bps), queued and visible on-chain with its unlock time.
    let change = Change::BankParams { bank: sol.bank, params: sol_params(8_500, 7_500) };
    let i = w.gov_propose_ix(&admin, id, change.clone(), Some(sol.bank), None);
    let s = w.env.ok(&[i], &[&kp]);
    let log = s.event::<GovProposedLog>().unwrap();
    let now = w.env.now();
    assert_eq!((log.id, log.kind, log.unlock_ts, log.change.clone()), (id, 0, now + i64::from(TEST_TIMELOCK_SECS), change));
    let p: Proposal = w.env.borsh(&proposal_pda(&w.exchange, id));
    assert_eq!((p.unlock_ts, p.state, p.proposer), (log.unlock_ts, 0, admin));

    // Too early: refused, nothing changes.
    w.env.advance(i64::from(TEST_TIMELOCK_SECS) - 1);
    w.set_sol_price(SOL_PRICE);
    let pda = proposal_pda(&w.exchange, id);
    let i = w.gov_execute_ix(&w.env.payer_pk(), id, Some(sol.bank), None);
    w.env.fails_with(&[i], &[], code(E::ProposalLocked), &[sol.bank, pda]);

    // The user saw it coming and withdraws half before it lands.
    let i = w.withdraw_ix(&t, &sol, &t.sol_wallet, 50 * SOL);
    w.env.ok(&[i], &[&t.kp]);

    // Executed by anyone at the unlock time: health falls exactly by the weight step.
    w.env.advance(1);
    w.set_sol_price(SOL_PRICE);
    let s = w.execute_after_timelock(id, Some(sol.bank), None);
    assert_eq!(s.event::<GovExecutedLog>().unwrap().id, id);
    let bank: CollateralBank = w.bank(&sol);
    assert_eq!((bank.maint_asset_weight_bps, bank.init_asset_weight_bps), (8_500, 7_500));
    let after = w.health_of(&t.account, None).0;
    assert_eq!(after.maint_health, sol_value(50 * SOL, 8_500));
    assert_eq!(after.init_health, sol_value(50 * SOL, 7_500));

    // Twice: refused.
    let i = w.gov_execute_ix(&w.env.payer_pk(), id, Some(sol.bank), None);
    w.env.fails_with(&[i], &[], code(E::ProposalNotPending), &[sol.bank, pda]);
}

#[test]
fn every_refusal_has_its_code_and_changes_nothing() {
    let mut w = World::new();
    let m = w.market(&[150 * D]);
    let stranger = w.trader();
    let admin = w.admin_pk();
    let kp = w.admin.insecure_clone();
    let ex = w.exchange;
    let id = w.next_proposal_id();
    let timelock = Change::Timelock { secs: 2 * TEST_TIMELOCK_SECS };

    // A non-role key proposes; the risk role (= admin by default) proposes keys; wrong id.
    let i = w.gov_propose_ix(&stranger.key, id, timelock.clone(), None, None);
    w.env.fails_with(&[i], &[&stranger.kp], code(E::NotProposer), &[ex]);
    let i = w.gov_propose_ix(&admin, id + 1, timelock.clone(), None, None);
    w.env.fails_with(&[i], &[&kp], code(E::ProposalIdNotNext), &[ex]);
    // Bounds: timelock out of range, halving too fast, breakers out of range, wrong target.
    let i = w.gov_propose_ix(&admin, id, Change::Timelock { secs: 5 }, None, None);
    w.env.fails_with(&[i], &[&kp], code(E::TimelockOutOfBounds), &[ex]);
    let i = w.gov_propose_ix(&admin, id, Change::Timelock { secs: TEST_TIMELOCK_SECS / 2 - 1 }, None, None);
    w.env.fails_with(&[i], &[&kp], code(E::ProposalStepTooLarge), &[ex]);
    let bad = BreakerArgs {
        outflow_cap_bps: 100,
        outflow_window_secs: 86_400,
        vol_step_bps: 1_000,
        vol_rate_bps_per_hour: 2_000,
        vol_breaker_bps: 5_000,
        vol_window_secs: 3_600,
    };
    let i = w.gov_propose_ix(&admin, id, Change::Breakers { args: bad }, None, None);
    w.env.fails_with(&[i], &[&kp], code(E::BreakerParamsOutOfBounds), &[ex]);
    let limits = Change::UnderlyingLimits {
        underlying: m.underlying,
        limits: UnderlyingLimitsArgs {
            oracle_max_age_secs: 30,
            oracle_max_conf_bps: 200,
            surface_max_age_secs: 3_600,
            risk_max_age_secs: 600,
            risk_spot_tolerance_bps: 100,
        },
    };
    let i = w.gov_propose_ix(&admin, id, limits.clone(), None, None);
    w.env.fails_with(&[i], &[&kp], code(E::ProposalTargetMismatch), &[ex]);

    // Cancelled, then executed: refused; cancelled by a stranger: refused.
    let id = w.propose(timelock.clone(), None, None);
    let i = w.gov_cancel_ix(&stranger.key, id);
    let pda = proposal_pda(&ex, id);
    w.env.fails_with(&[i], &[&stranger.kp], code(E::NotGuardian), &[pda]);
    let s = w.env.ok(&[w.gov_cancel_ix(&admin, id)], &[&kp]);
    assert_eq!(s.event::<GovCancelledLog>().unwrap().id, id);
    w.env.advance(i64::from(TEST_TIMELOCK_SECS));
    let i = w.gov_execute_ix(&w.env.payer_pk(), id, None, None);
    w.env.fails_with(&[i], &[], code(E::ProposalNotPending), &[ex, pda]);

    // Executing with the wrong target: refused.
    let id = w.propose(limits, None, Some(m.underlying));
    w.env.advance(i64::from(TEST_TIMELOCK_SECS));
    w.set_sol_price(SOL_PRICE);
    let other = w.market(&[150 * D]);
    let i = w.gov_execute_ix(&w.env.payer_pk(), id, None, Some(other.underlying));
    w.env.fails_with(&[i], &[], code(E::ProposalTargetMismatch), &[m.underlying, other.underlying, proposal_pda(&ex, id)]);
    w.set_sol_price(SOL_PRICE);
    w.execute_after_timelock(id, None, Some(m.underlying));
    assert_eq!(w.underlying(&m).oracle_max_age_secs, 30);

    // Admin transfer accepted by another key; the guardian enabling an instruction.
    let heir = w.trader();
    w.env.ok(&[w.admin_transfer_propose_ix(&admin, heir.key)], &[&kp]);
    let i = w.admin_transfer_accept_ix(&stranger.key);
    w.env.fails_with(&[i], &[&stranger.kp], code(E::NotPendingAdmin), &[ex]);
    let rid = w.propose(Change::Roles { guardian: stranger.key, risk_admin: admin }, None, None);
    w.execute_after_timelock(rid, None, None);
    let gate = 1u64 << IxGate::Trade as u8;
    w.env.ok(&[ix::ix_gate_set(&stranger.key, &ex, gate)], &[&stranger.kp]);
    let i = ix::ix_gate_set(&stranger.key, &ex, 0);
    w.env.fails_with(&[i], &[&stranger.kp], code(E::GuardianCannotEnable), &[ex]);
    w.env.ok(&[ix::ix_gate_set(&admin, &ex, 0)], &[&kp]);

    // The transfer: the heir accepts, the old key is no longer admin and keeps no role it held
    // as admin (the risk role passes to the heir; the guardian was handed to `stranger`).
    w.env.ok(&[w.admin_transfer_accept_ix(&heir.key)], &[&heir.kp]);
    let e = w.env.zc::<Exchange>(&ex);
    assert_eq!((e.admin, e.gov.risk_admin, e.gov.guardian), (heir.key, heir.key, stranger.key));
    let i = w.gov_propose_ix(&admin, w.next_proposal_id(), Change::Timelock { secs: TEST_TIMELOCK_SECS }, None, None);
    w.env.fails_with(&[i], &[&kp], code(E::NotProposer), &[ex]);
    let i = w.admin_transfer_propose_ix(&admin, admin);
    w.env.fails_with(&[i], &[&kp], code(E::NotAdmin), &[ex]);
}

#[test]
fn every_change_kind_lands_through_the_queue() {
    let mut w = World::new();
    let m = w.market(&[150 * D]);
    let (usdc, u) = (w.usdc, m.underlying);
    let newkey = Pk::new_unique();
    let ex_params = maxwell::state::ExchangeParamsArgs { im_factor_bps: 17_000, liq_penalty_max_bps: 600, ..exchange_params() };
    let breakers = BreakerArgs {
        outflow_cap_bps: 3_000,
        outflow_window_secs: 7_200,
        vol_step_bps: 800,
        vol_rate_bps_per_hour: 1_500,
        vol_breaker_bps: 4_000,
        vol_window_secs: 1_800,
    };
    let quote = BankParamsArgs { deposit_cap: 77 * USDC, ..quote_bank_params() };
    let cases: Vec<(Change, Option<Pk>, Option<Pk>)> = vec![
        (Change::BankParams { bank: usdc.bank, params: quote }, Some(usdc.bank), None),
        (Change::ExchangeParams { params: ex_params }, None, None),
        (Change::UnderlyingOracle { underlying: u, oracle: newkey }, None, Some(u)),
        (Change::VolOracle { underlying: u, vol_oracle: newkey }, None, Some(u)),
        (Change::OiCap { underlying: u, series_index: 1, oi_cap: 12_345 }, None, Some(u)),
        (Change::Roles { guardian: newkey, risk_admin: newkey }, None, None),
        (Change::Timelock { secs: 2 * TEST_TIMELOCK_SECS }, None, None),
        (Change::Breakers { args: breakers }, None, None),
    ];
    let ids: Vec<u64> = cases.iter().map(|(c, b, u)| w.propose(c.clone(), *b, *u)).collect();
    for (id, (_, b, u)) in ids.iter().zip(&cases) {
        w.execute_after_timelock(*id, *b, *u);
    }
    assert_eq!(w.bank(&usdc).deposit_cap, 77 * USDC);
    let ex = w.env.zc::<Exchange>(&w.exchange);
    assert_eq!((ex.params.im_factor_bps, ex.params.liq_penalty_max_bps), (17_000, 600));
    assert_eq!(ex.risk.engine().im_factor, maxwell_risk::fixed::Fx::from_bps(17_000).0);
    assert_eq!((ex.gov.guardian, ex.gov.risk_admin, ex.gov.timelock_secs), (newkey, newkey, 2 * TEST_TIMELOCK_SECS));
    assert_eq!((ex.gov.outflow_cap_bps, ex.gov.vol_step_bps, ex.gov.vol_window_secs), (3_000, 800, 1_800));
    let und: Underlying = w.underlying(&m);
    assert_eq!((und.oracle, und.vol_oracle, und.series[1].oi_cap), (newkey, newkey, 12_345));
}

#[test]
fn the_vol_oracle_is_rate_bounded_and_its_breaker_stops_new_risk_until_cleared() {
    let mut w = World::new();
    let m = w.market(&[150 * D]);
    let admin = w.admin_pk();
    let kp = w.admin.insecure_clone();
    let (a, b) = (w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&a, &usdc, &a.usdc_wallet, 50_000 * USDC);
    w.deposit(&b, &usdc, &b.usdc_wallet, 50_000 * USDC);
    let call = m.series(150 * D, 0);
    w.trade(&m, &a, &b, vec![TradeLeg { series_index: call, size: 5, price: w.at_mark(&m, call) }]);

    // 80% -> 350% in one update (the attack), and three updates in one second.
    let u = m.underlying;
    let i = w.vol_update_ix(&m, 0, svi_for(3.5, 30.0));
    w.env.fails_with(&[i], &[&kp], code(E::VolMoveTooLarge), &[u]);
    w.env.advance(3_600);
    w.env.ok(&[w.vol_update_ix(&m, 0, svi_for(0.89, 30.0))], &[&kp]);
    let i = w.vol_update_ix(&m, 0, svi_for(0.95, 30.0));
    w.env.fails_with(&[i], &[&kp], code(E::VolMoveTooLarge), &[u]);

    // Steps of 9 points an hour apart within one breaker window (50 points): the sixth trips.
    let mut tripped = None;
    let mut vol = 0.89;
    for k in 0..6 {
        w.env.advance(600);
        vol += 0.09;
        let i = w.vol_update_ix(&m, 0, svi_for(vol, 30.0));
        // Each update 10 minutes after the last: 2,000 bps/h x 1/6 h = 333 bps allowed.
        let res = w.env.send(&[i], &[&kp]);
        assert_eq!(res.unwrap_err().custom_code(), Some(code(E::VolMoveTooLarge)), "step {k}: 9 points in 10 minutes");
        w.env.advance(3_000);
        let s = w.env.ok(&[w.vol_update_ix(&m, 0, svi_for(vol, 30.0))], &[&kp]);
        if let Some(log) = s.event::<VolBreakerLog>() {
            assert!(log.tripped && log.window_move_bps > 5_000);
            tripped = Some(k);
            break;
        }
    }
    assert!(tripped.is_some(), "the breaker tripped");
    w.set_sol_price(SOL_PRICE);
    w.refresh_all(&m);

    // New risk refused; closing risk allowed.
    let i = w.trade_ix(&m, &a, &b, vec![TradeLeg { series_index: call, size: 1, price: w.at_mark(&m, call) }]);
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&a.kp, &b.kp], code(E::VolBreakerTripped), &[a.account, b.account]);
    w.trade(&m, &a, &b, vec![TradeLeg { series_index: call, size: -2, price: w.at_mark(&m, call) }]);

    // Only the guardian (or admin) clears it; then new risk goes through.
    let i = w.vol_breaker_clear_ix(&a.key, &u);
    w.env.fails_with(&[i], &[&a.kp], code(E::NotGuardian), &[u]);
    let s = w.env.ok(&[w.vol_breaker_clear_ix(&admin, &u)], &[&kp]);
    assert!(!s.event::<VolBreakerLog>().unwrap().tripped);
    w.trade(&m, &a, &b, vec![TradeLeg { series_index: call, size: 1, price: w.at_mark(&m, call) }]);
}

#[test]
fn withdrawals_wait_beyond_the_banks_breaker_while_deposits_go_through() {
    let mut w = World::new();
    let (a, b) = (w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&a, &usdc, &a.usdc_wallet, 60_000 * USDC);
    w.deposit(&b, &usdc, &b.usdc_wallet, 40_000 * USDC);
    // Inflows within a window free room; a day later the first withdrawal opens a window on
    // the deposits of that moment (100,000): 50% may leave per day (the default).
    w.env.advance(86_400);
    let i = w.withdraw_ix(&a, &usdc, &a.usdc_wallet, 30_000 * USDC);
    w.env.ok(&[i], &[&a.kp]);
    let i = w.withdraw_ix(&b, &usdc, &b.usdc_wallet, 20_000 * USDC);
    w.env.ok(&[i], &[&b.kp]);
    let i = w.withdraw_ix(&a, &usdc, &a.usdc_wallet, 1);
    w.env.fails_with(&[i], &[&a.kp], code(E::WithdrawalBreakerTripped), &[a.account, usdc.bank, usdc.vault]);
    // A deposit always lands and frees room for the same amount.
    w.deposit(&b, &usdc, &b.usdc_wallet, 1_000 * USDC);
    let i = w.withdraw_ix(&a, &usdc, &a.usdc_wallet, 1_000 * USDC);
    w.env.ok(&[i], &[&a.kp]);
    let i = w.withdraw_ix(&a, &usdc, &a.usdc_wallet, 1);
    w.env.fails_with(&[i], &[&a.kp], code(E::WithdrawalBreakerTripped), &[a.account, usdc.bank]);
    // The next window opens on the deposits of its start (50,000): 25,000 may leave.
    w.env.advance(86_400);
    let i = w.withdraw_ix(&a, &usdc, &a.usdc_wallet, 25_000 * USDC);
    w.env.ok(&[i], &[&a.kp]);
    let i = w.withdraw_ix(&b, &usdc, &b.usdc_wallet, 1);
    w.env.fails_with(&[i], &[&b.kp], code(E::WithdrawalBreakerTripped), &[b.account]);
    w.assert_conservation();
}
