//! One random step: an instruction of the program (honest or hostile, arguments inside and
//! beyond their bounds) or a move of the world (oracle price or fault, time).

use maxwell::instructions::{LiquidateLeg, TradeLeg};
use maxwell::state::{BankParamsArgs, PolicyArgs};
use solana_instruction::Instruction;
use solana_keypair::Keypair;

use super::checks;
use super::rng::Rng;
use super::scenario::{Scenario, POLICY_OWNER, TRADERS};
use crate::env::*;
use crate::ix::{self, BankRef};
use crate::market::*;
use crate::pyth::{feed, Quote};
use crate::world::*;

/// What a successful transaction obliges the checks to verify.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    /// No risk check (risk-reducing or neutral instructions).
    None,
    /// A trade: each account listed must end at initial health >= 0, or have reduced its
    /// initial requirement without lowering its initial health (the program's rule).
    Trade,
    /// A withdrawal (or borrow): the account must end at initial health >= 0.
    Withdraw,
}

/// A transaction to send, with what it may touch.
pub struct Tx {
    pub ixs: Vec<Instruction>,
    pub signers: Vec<Keypair>,
    /// Accounts whose balances or positions may change if it succeeds; any other account's
    /// change is a finding.
    pub may_move: Vec<Pk>,
    /// Accounts under the risk rule `risk`.
    pub risk_on: Vec<Pk>,
    pub risk: Risk,
    /// A hostile transaction: success is a finding.
    pub must_fail: bool,
}

pub enum Planned {
    Tx(&'static str, Tx),
    /// A move of the world already applied (oracle, clock).
    World(&'static str),
}

fn tx(ixs: Vec<Instruction>, signers: &[&Keypair], may_move: Vec<Pk>) -> Tx {
    let mut all = vec![compute_budget_ix(1_400_000)];
    all.extend(ixs);
    Tx {
        ixs: all,
        signers: signers.iter().map(|k| k.insecure_clone()).collect(),
        may_move,
        risk_on: vec![],
        risk: Risk::None,
        must_fail: false,
    }
}

fn hostile(mut t: Tx) -> Tx {
    t.may_move.clear();
    t.must_fail = true;
    t
}

/// Every instruction kind the fuzzer can send, for the "never reached" report.
pub const KINDS: &[&str] = &[
    "deposit",
    "withdraw",
    "trade",
    "delegate_trade",
    "liquidate",
    "balance_liquidate",
    "bankruptcy_resolve",
    "vol_surface_update",
    "risk_refresh",
    "expiry_settle_price",
    "expiry_retire",
    "account_settle",
    "accrue_interest",
    "realized_vol_update",
    "delegate_set",
    "account_health",
    "policy_set",
    "rebalance_accounts",
    "rebalance_collateral",
    "account_create",
    "account_close",
    "ix_gate_set",
    "bank_set_params",
    "insurance_deposit",
    "series_list",
    "listing_schedule_set",
    "listing_execute",
    "gov_propose",
    "gov_execute",
    "gov_cancel",
    "admin_transfer_propose",
    "admin_transfer_accept",
    "vol_breaker_clear",
    "attack_foreign_bank",
    "attack_foreign_account",
    "attack_foreign_underlying",
    "attack_forged_oracle",
    "attack_foreign_health",
];

/// Every account a trader-like actor can name: the actors', the sub-account, the fund.
fn any_account(s: &Scenario, r: &mut Rng) -> Pk {
    let live: Vec<Pk> = s.w.accounts.iter().copied().filter(|a| s.w.env.account(a).is_some_and(|x| x.data.len() > 8)).collect();
    live[r.below(live.len() as u64) as usize]
}

/// A liquidator's target: mostly the account with the lowest maintenance health (as a keeper
/// would pick), otherwise any account.
fn weakest_or_any(s: &Scenario, r: &mut Rng) -> Pk {
    if r.chance(30) {
        return any_account(s, r);
    }
    let ins = s.ins;
    s.w.accounts
        .iter()
        .filter(|a| **a != ins && s.w.env.account(a).is_some_and(|x| x.data.len() > 8))
        .filter_map(|a| super::checks::health(s, a).map(|h| (h.maint_health, *a)))
        .min()
        .map_or_else(|| any_account(s, r), |(_, a)| a)
}

/// Health accounts for `account` about to use bank `b`: its banks, `b`, and the underlying
/// when it holds positions.
fn health_for(s: &Scenario, account: &Pk, b: &BankRef) -> Vec<Pk> {
    let holds = s.w.env.account(account).is_some_and(|a| a.data.len() > 8) && s.w.margin(account).positions.iter().any(|p| p.in_use == 1);
    if holds {
        s.w.health_union(&[*account], Some(&s.m), &[*b])
    } else {
        s.w.health_accounts_with(account, &[*b])
    }
}

/// The keeper's crank in front of `ix` (as a trader bundles it when the arrays are stale).
fn with_crank(s: &Scenario, r: &mut Rng, ix: Instruction) -> Vec<Instruction> {
    let mut ixs = vec![];
    if r.chance(50) {
        ixs.extend((0..n_series(s)).step_by(2).map(|first| s.w.refresh_ix(&s.m, first, 2)));
    }
    ixs.push(ix);
    ixs
}

fn trader<'a>(s: &'a Scenario, r: &mut Rng) -> &'a Trader {
    &s.actors[r.below(TRADERS as u64) as usize]
}

fn actor<'a>(s: &'a Scenario, r: &mut Rng) -> &'a Trader {
    &s.actors[r.below(TRADERS as u64 + 1) as usize]
}

fn bank(s: &Scenario, r: &mut Rng) -> BankRef {
    if r.chance(50) {
        s.w.usdc
    } else {
        s.w.sol
    }
}

fn wallet(s: &Scenario, t: &Trader, b: &BankRef) -> Pk {
    if b.mint == s.w.usdc.mint {
        t.usdc_wallet
    } else {
        t.sol_wallet
    }
}

fn typical(s: &Scenario, b: &BankRef) -> u64 {
    if b.mint == s.w.usdc.mint {
        20_000 * USDC
    } else {
        20 * SOL
    }
}

fn n_series(s: &Scenario) -> u16 {
    s.w.underlying(&s.m).n_series
}

fn series(s: &Scenario, r: &mut Rng) -> u16 {
    let n = n_series(s);
    if r.chance(3) {
        n + r.below(300) as u16
    } else {
        r.below(u64::from(n)) as u16
    }
}

/// A premium: mostly at the mark (inside the band), sometimes near it, sometimes absurd.
fn price(s: &Scenario, r: &mut Rng, series: u16) -> u64 {
    let mark = if usize::from(series) < maxwell::state::MAX_SERIES { s.w.at_mark(&s.m, series) } else { D };
    match r.below(20) {
        0 => 0,
        1 => 1,
        2 => mark.saturating_mul(50),
        3..=5 => mark * (95 + r.below(11)) / 100,
        _ => mark,
    }
}

fn size(r: &mut Rng) -> i64 {
    let s = match r.below(20) {
        0 => i64::MAX - r.below(2) as i64,
        1 => 0,
        2..=4 => r.range(20, 400),
        _ => r.range(1, 10),
    };
    if r.chance(50) {
        s
    } else {
        s.checked_neg().unwrap_or(i64::MIN)
    }
}

pub fn plan(s: &mut Scenario, r: &mut Rng) -> Planned {
    match r.below(100) {
        0..=6 => deposit(s, r),
        7..=12 => withdraw(s, r),
        13..=28 => trade(s, r),
        29..=30 => delegate_trade(s, r),
        31..=38 => liquidate(s, r),
        39..=43 => balance_liquidate(s, r),
        44..=46 => bankruptcy(s, r),
        47..=56 => oracle(s, r),
        57..=58 => oracle_fault(s, r),
        59..=61 => vol(s, r),
        62..=67 => refresh(s, r),
        68..=71 => time(s, r),
        72 => settle_price(s, r),
        73 => expiry_retire(s, r),
        74 => account_settle(s, r),
        75 => expiry_retire(s, r),
        76..=77 => accrue(s, r),
        78 => realized_vol(s),
        79 => delegate_set(s, r),
        80 => health(s, r),
        81 => policy_set(s, r),
        82..=83 => rebalance_accounts(s, r),
        84 => rebalance_collateral(s, r),
        85 => account_create_close(s, r),
        86 => ix_gate(s, r),
        87 => bank_set_params(s, r),
        88 => insurance_deposit(s, r),
        89 => series_list(s, r),
        90..=92 => gov_propose(s, r),
        93..=94 => gov_execute(s, r),
        95 => gov_cancel(s, r),
        96 => admin_transfer(s, r),
        97 => vol_breaker_clear(s, r),
        98 if r.chance(50) => listing(s, r),
        _ => attack(s, r),
    }
}

fn deposit(s: &mut Scenario, r: &mut Rng) -> Planned {
    let t = trader(s, r);
    let b = bank(s, r);
    let amount = r.amount(typical(s, &b));
    let health = health_for(s, &t.account, &b);
    let i = ix::deposit(&t.key, &t.account, &b, &wallet(s, t, &b), amount, &health);
    Planned::Tx("deposit", tx(vec![i], &[&t.kp], vec![t.account]))
}

fn withdraw(s: &mut Scenario, r: &mut Rng) -> Planned {
    let t = trader(s, r);
    let b = bank(s, r);
    let amount = r.amount(typical(s, &b) / 4);
    let health = health_for(s, &t.account, &b);
    let i = ix::withdraw(&t.key, &t.account, &b, &wallet(s, t, &b), amount, &health);
    let mut x = tx(with_crank(s, r, i), &[&t.kp], vec![t.account]);
    x.risk = Risk::Withdraw;
    x.risk_on = vec![t.account];
    Planned::Tx("withdraw", x)
}

fn legs(s: &Scenario, r: &mut Rng) -> Vec<TradeLeg> {
    let n = if r.chance(85) { 1 } else { r.range(2, 4) as usize };
    (0..n)
        .map(|_| {
            let series_index = series(s, r);
            TradeLeg { series_index, size: size(r), price: price(s, r, series_index) }
        })
        .collect()
}

fn trade(s: &mut Scenario, r: &mut Rng) -> Planned {
    let mi = r.below(TRADERS as u64 + 1) as usize;
    let ti = if r.chance(5) { mi } else { (mi + 1 + r.below(TRADERS as u64) as usize) % (TRADERS + 1) };
    let (maker, taker) = (&s.actors[mi], &s.actors[ti]);
    let legs = legs(s, r);
    let i = s.w.trade_ix(&s.m, maker, taker, legs);
    let mut x = tx(with_crank(s, r, i), &[&maker.kp, &taker.kp], vec![maker.account, taker.account]);
    x.risk = Risk::Trade;
    x.risk_on = vec![maker.account, taker.account];
    Planned::Tx("trade", x)
}

/// A trade signed for the maker by whoever it names: its delegate when set (allowed), or a
/// stranger (refused).
fn delegate_trade(s: &mut Scenario, r: &mut Rng) -> Planned {
    let maker = trader(s, r);
    let taker = actor(s, r);
    let delegate =
        if s.w.env.account(&maker.account).is_some_and(|a| a.data.len() > 8) { s.w.margin(&maker.account).delegate } else { Pk::default() };
    let signer = s.actors.iter().find(|a| a.key == delegate).unwrap_or_else(|| actor(s, r));
    let mut i = s.w.trade_ix(&s.m, maker, taker, legs(s, r));
    i.accounts[2].pubkey = addr(&signer.key);
    let mut x = tx(with_crank(s, r, i), &[&signer.kp, &taker.kp], vec![maker.account, taker.account]);
    x.risk = Risk::Trade;
    x.risk_on = vec![maker.account, taker.account];
    Planned::Tx("delegate_trade", x)
}

fn liquidate(s: &mut Scenario, r: &mut Rng) -> Planned {
    let target = weakest_or_any(s, r);
    let liq = if r.chance(80) { s.keeper() } else { actor(s, r) };
    let held: Vec<(u16, i64)> = s.w.margin(&target).positions.iter().filter(|p| p.in_use == 1).map(|p| (p.series_index, p.size)).collect();
    let leg = if !held.is_empty() && r.chance(85) {
        let (series_index, pos) = held[r.below(held.len() as u64) as usize];
        let take = 1 + r.below(pos.unsigned_abs().min(20)) as i64;
        LiquidateLeg { series_index, size: if r.chance(90) { take * pos.signum() } else { -take * pos.signum() } }
    } else {
        LiquidateLeg { series_index: series(s, r), size: size(r) }
    };
    let i = s.w.liquidate_ix(&s.m, &target, liq, &s.ins, vec![leg]);
    Planned::Tx("liquidate", tx(with_crank(s, r, i), &[&liq.kp], vec![target, liq.account, s.ins]))
}

fn balance_liquidate(s: &mut Scenario, r: &mut Rng) -> Planned {
    let target = weakest_or_any(s, r);
    let liq = if r.chance(80) { s.keeper() } else { actor(s, r) };
    let (asset, liab) = if r.chance(70) { (s.w.sol, s.w.usdc) } else { (bank(s, r), bank(s, r)) };
    let max = r.amount(5_000 * USDC);
    let i = s.w.balance_liquidate_ix(Some(&s.m), &target, liq, &asset, &liab, &s.ins, max);
    Planned::Tx("balance_liquidate", tx(with_crank(s, r, i), &[&liq.kp], vec![target, liq.account, s.ins]))
}

fn bankruptcy(s: &mut Scenario, r: &mut Rng) -> Planned {
    let target = weakest_or_any(s, r);
    let b = bank(s, r);
    let k = s.keeper();
    let mut i = s.w.bankruptcy_ix(&k.key, &target, &b, &s.ins);
    let extra = s.w.health_union(&[target], Some(&s.m), &[]);
    i.accounts.truncate(5);
    i.accounts.extend(extra.iter().map(|p| solana_instruction::AccountMeta::new_readonly(addr(p), false)));
    Planned::Tx("bankruptcy_resolve", tx(vec![i], &[&k.kp], vec![target, s.ins]))
}

fn oracle(s: &mut Scenario, r: &mut Rng) -> Planned {
    let now = s.w.env.now();
    let cur = crate::pyth::read_price(&s.w.env, &s.w.sol_oracle).unwrap_or(SOL_PRICE);
    let pct = match r.below(10) {
        0 => r.range(40, 70),
        1 => r.range(130, 180),
        _ => r.range(85, 118),
    };
    let price = (cur / 100 * pct).clamp(SOL_PRICE / 20, SOL_PRICE * 20);
    let o = s.w.sol_oracle;
    s.w.env.write_price(&o, Quote { conf: price as u64 / 2_000, ..Quote::new(feed(SOL_FEED), price, SOL_EXPO, now) });
    Planned::World("oracle_move")
}

fn oracle_fault(s: &mut Scenario, r: &mut Rng) -> Planned {
    let now = s.w.env.now();
    let cur = crate::pyth::read_price(&s.w.env, &s.w.sol_oracle).unwrap_or(SOL_PRICE);
    let base = Quote { conf: cur as u64 / 2_000, ..Quote::new(feed(SOL_FEED), cur, SOL_EXPO, now) };
    let o = s.w.sol_oracle;
    let (q, kind) = match r.below(6) {
        0 => (Quote { publish_time: now - 10_000, ..base }, "oracle_stale"),
        1 => (Quote { publish_time: now + 3_600, ..base }, "oracle_future"),
        2 => (Quote { conf: cur as u64 / 5, ..base }, "oracle_wide"),
        3 => (Quote { feed_id: feed(0x77), ..base }, "oracle_foreign_feed"),
        4 => (Quote { fully_verified: false, ..base }, "oracle_partial"),
        _ => {
            let owner = Pk::new_unique();
            s.w.env.write_price_owned(&o, base, &owner);
            return Planned::World("oracle_wrong_owner");
        }
    };
    s.w.env.write_price(&o, q);
    Planned::World(kind)
}

fn vol(s: &mut Scenario, r: &mut Rng) -> Planned {
    let expiry_index = if r.chance(5) { 2 + r.below(20) as u8 } else { r.below(2) as u8 };
    let days = if expiry_index == 1 { 1.0 } else { 30.0 };
    // Mostly small moves around the starting 80% (inside the rate bound), sometimes jumps.
    let v = if r.chance(70) { 0.78 + r.below(5) as f64 / 100.0 } else { [0.05, 0.3, 0.8, 1.2, 3.5][r.below(5) as usize] };
    let mut svi = svi_for(v, days);
    if r.chance(5) {
        svi.rho = q52(1.5);
    }
    let mut i = s.w.vol_update_ix(&s.m, expiry_index, svi);
    let signer = if r.chance(90) { s.w.admin.insecure_clone() } else { actor(s, r).kp.insecure_clone() };
    i.accounts[0].pubkey = addr(&pk(&solana_signer::Signer::pubkey(&signer)));
    Planned::Tx("vol_surface_update", tx(vec![i], &[&signer], vec![]))
}

fn refresh(s: &mut Scenario, r: &mut Rng) -> Planned {
    let n = n_series(s);
    if r.chance(60) {
        // The keeper's crank: every series, two per instruction, one transaction.
        let ixs = (0..n).step_by(2).map(|first| s.w.refresh_ix(&s.m, first, 2)).collect();
        return Planned::Tx("risk_refresh", tx(ixs, &[], vec![]));
    }
    let first = if r.chance(5) { n + 1 } else { r.below(u64::from(n)) as u16 };
    let count = if r.chance(5) { u16::MAX } else { r.range(1, 4) as u16 };
    let i = s.w.refresh_ix(&s.m, first, count);
    Planned::Tx("risk_refresh", tx(vec![i], &[], vec![]))
}

fn time(s: &mut Scenario, r: &mut Rng) -> Planned {
    let secs = match r.below(10) {
        0..=4 => r.range(1, 120),
        5..=7 => 3_600,
        8 => DAY,
        _ => 10 * DAY,
    };
    s.w.env.advance(secs);
    if r.chance(70) {
        // The oracle keeps publishing: the price now, unchanged.
        let now = s.w.env.now();
        let cur = crate::pyth::read_price(&s.w.env, &s.w.sol_oracle).unwrap_or(SOL_PRICE);
        let o = s.w.sol_oracle;
        s.w.env.write_price(&o, Quote { conf: cur as u64 / 2_000, ..Quote::new(feed(SOL_FEED), cur, SOL_EXPO, now) });
    }
    Planned::World("time")
}

/// From the live oracle, or (half the time) from a keeper's own account holding a historical
/// update published around the expiry: inside the settlement window, before it or after it.
fn settle_price(s: &mut Scenario, r: &mut Rng) -> Planned {
    let e = r.below(3) as u8;
    let i = if r.chance(50) {
        s.w.settle_price_ix(&s.m, e)
    } else {
        let u = s.w.underlying(&s.m);
        let expiry = u.expiries.get(usize::from(e)).map_or(0, |x| x.expiry);
        let cur = crate::pyth::read_price(&s.w.env, &s.w.sol_oracle).unwrap_or(SOL_PRICE);
        let at = expiry + r.range(-30, 120);
        let posted = Pk::new_unique();
        let q = Quote { conf: cur as u64 / 2_000, ..Quote::new(feed(SOL_FEED), cur, SOL_EXPO, at) };
        s.w.env.write_price(&posted, q);
        s.w.settle_price_ix_from(&s.m, e, &posted)
    };
    Planned::Tx("expiry_settle_price", tx(vec![i], &[], vec![]))
}

/// The keeper's expiry job: on an expired expiry without a price, posts an update of the window
/// and settles the price; on a settled one, settles the next account still holding it; once
/// nobody does (or one time in five, whatever the state), retires it.
fn expiry_retire(s: &mut Scenario, r: &mut Rng) -> Planned {
    let u = s.w.underlying(&s.m);
    let now = s.w.env.now();
    let past: Vec<u8> = (0..u.n_expiries).filter(|&i| (1..=now).contains(&u.expiries[usize::from(i)].expiry)).collect();
    let e = if !past.is_empty() && r.chance(80) { past[r.below(past.len() as u64) as usize] } else { r.below(3) as u8 };
    let expiry = u.expiries.get(usize::from(e)).map_or(0, |x| x.expiry);
    let settled = u.expiries.get(usize::from(e)).is_some_and(|x| x.settled == 1);
    if !settled && expiry > 0 && now >= expiry && !r.chance(20) {
        let cur = crate::pyth::read_price(&s.w.env, &s.w.sol_oracle).unwrap_or(SOL_PRICE);
        let posted = Pk::new_unique();
        let q = Quote { conf: cur as u64 / 2_000, ..Quote::new(feed(SOL_FEED), cur, SOL_EXPO, expiry + r.range(0, 60)) };
        s.w.env.write_price(&posted, q);
        let i = s.w.settle_price_ix_from(&s.m, e, &posted);
        return Planned::Tx("expiry_settle_price", tx(vec![i], &[], vec![]));
    }
    if settled && !r.chance(20) {
        let holds = |a: &Pk| {
            checks::margin(&s.w.env, a).is_some_and(|acc| {
                acc.positions.iter().any(|p| {
                    let si = u.series[usize::from(p.series_index)];
                    p.in_use == 1 && p.underlying_index == u.underlying_index && si.listed == 1 && si.expiry_index == e
                })
            })
        };
        // Every holder settled in front of the retirement, in the same transaction.
        let holders: Vec<Pk> = s.accounts().into_iter().filter(|a| holds(a)).collect();
        let mut ixs: Vec<Instruction> = holders.iter().map(|a| s.w.account_settle_ix_with(&s.m, a, Some(&s.m))).collect();
        let k = s.keeper();
        ixs.push(s.w.expiry_retire_ix(&s.m, &k.key, e));
        return Planned::Tx("expiry_retire", tx(ixs, &[&k.kp], holders));
    }
    let k = s.keeper();
    let i = s.w.expiry_retire_ix(&s.m, &k.key, e);
    Planned::Tx("expiry_retire", tx(vec![i], &[&k.kp], vec![]))
}

fn account_settle(s: &mut Scenario, r: &mut Rng) -> Planned {
    let a = any_account(s, r);
    let i = s.w.account_settle_ix(&s.m, &a);
    Planned::Tx("account_settle", tx(vec![i], &[], vec![a]))
}

fn accrue(s: &mut Scenario, r: &mut Rng) -> Planned {
    let b = bank(s, r);
    Planned::Tx("accrue_interest", tx(vec![s.w.accrue_ix(&b)], &[], vec![]))
}

fn realized_vol(s: &mut Scenario) -> Planned {
    Planned::Tx("realized_vol_update", tx(vec![s.w.realized_vol_ix(&s.m)], &[], vec![]))
}

fn delegate_set(s: &mut Scenario, r: &mut Rng) -> Planned {
    let t = trader(s, r);
    let d = if r.chance(30) { Pk::default() } else { actor(s, r).key };
    let signer = if r.chance(90) { t } else { actor(s, r) };
    let i = s.w.delegate_set_ix(&signer.key, &t.account, d);
    Planned::Tx("delegate_set", tx(vec![i], &[&signer.kp], vec![]))
}

fn health(s: &mut Scenario, r: &mut Rng) -> Planned {
    let a = any_account(s, r);
    Planned::Tx("account_health", tx(vec![s.w.health_ix(&a, Some(&s.m))], &[], vec![]))
}

fn policy_set(s: &mut Scenario, r: &mut Rng) -> Planned {
    let t = &s.actors[POLICY_OWNER];
    let sane = r.chance(50);
    let trigger = r.range(0, 60_000);
    let args = PolicyArgs {
        accounts: vec![t.account, s.sub.account],
        feeds: vec![0, 0],
        trigger_health: if sane { trigger } else { r.range(-1_000, 5_000) } * USDC as i64,
        target_health: if sane { trigger + r.range(1, 10_000) } else { r.range(-1_000, 8_000) } * USDC as i64,
        max_per_move: if sane { 1 + r.below(5_000 * USDC) } else { r.amount(2_000 * USDC) },
        max_per_day: if sane { 1 + r.below(20_000 * USDC) } else { r.amount(10_000 * USDC) },
        quote_borrow_limit: r.amount(1_000 * USDC),
        keeper_fee_bps: if sane { r.below(50) as u16 } else { r.below(300) as u16 },
        max_discount_bps: if sane { r.below(300) as u16 } else { r.below(1_500) as u16 },
    };
    let i = s.w.policy_set_ix(&t.key, args);
    Planned::Tx("policy_set", tx(vec![i], &[&t.kp], vec![]))
}

fn rebalance_accounts(s: &mut Scenario, r: &mut Rng) -> Planned {
    let (a, b) = (s.actors[POLICY_OWNER].account, s.sub.account);
    let (src, dst) = if r.chance(50) { (a, b) } else { (b, a) };
    let k = s.keeper();
    let bk = if r.chance(70) { s.w.usdc } else { s.w.sol };
    let amount = r.amount(1_000 * USDC);
    let i = s.w.rebalance_accounts_ix(k, &s.actors[POLICY_OWNER].key, &src, &dst, &bk, amount, Some(&s.m));
    Planned::Tx("rebalance_accounts", tx(with_crank(s, r, i), &[&k.kp], vec![src, dst, k.account]))
}

fn rebalance_collateral(s: &mut Scenario, r: &mut Rng) -> Planned {
    let a = if r.chance(50) { s.actors[POLICY_OWNER].account } else { s.sub.account };
    let k = s.keeper();
    let sol = s.w.sol;
    let i = s.w.rebalance_collateral_ix(k, &s.actors[POLICY_OWNER].key, &a, &sol, r.amount(500 * USDC), r.below(600) as u16, Some(&s.m));
    Planned::Tx("rebalance_collateral", tx(with_crank(s, r, i), &[&k.kp], vec![a, k.account]))
}

/// Account id 2 of a trader: created (pushed to the walked accounts when it lands) or closed.
fn account_create_close(s: &mut Scenario, r: &mut Rng) -> Planned {
    let t = trader(s, r);
    let (key, kp, own) = (t.key, t.kp.insecure_clone(), t.account);
    let id = 2;
    let a = ix::account_pda(&s.w.exchange, &t.key, id);
    if r.chance(50) {
        let i = ix::account_create(&key, &key, &s.w.exchange, id);
        if !s.w.accounts.contains(&a) {
            s.w.accounts.push(a);
        }
        Planned::Tx("account_create", tx(vec![i], &[&kp], vec![a]))
    } else {
        let target = if r.chance(80) { a } else { own };
        let i = ix::account_close(&key, &s.w.exchange, &target, &key);
        Planned::Tx("account_close", tx(vec![i], &[&kp], vec![target]))
    }
}

fn ix_gate(s: &mut Scenario, r: &mut Rng) -> Planned {
    let gate = if r.chance(60) { 0 } else { 1u64 << r.below(19) };
    let signer = if r.chance(90) { s.w.admin.insecure_clone() } else { actor(s, r).kp.insecure_clone() };
    let i = ix::ix_gate_set(&pk(&solana_signer::Signer::pubkey(&signer)), &s.w.exchange, gate);
    Planned::Tx("ix_gate_set", tx(vec![i], &[&signer], vec![]))
}

fn bank_set_params(s: &mut Scenario, r: &mut Rng) -> Planned {
    let w = [5_000u16, 6_000, 7_000, 8_000, 9_000, 10_001][r.below(6) as usize];
    let p = BankParamsArgs {
        init_asset_weight_bps: w.min(10_000) - 1_000,
        maint_asset_weight_bps: w,
        init_liab_weight_bps: 10_000 + (10_000 - w.min(10_000)),
        maint_liab_weight_bps: 10_000 + (10_000 - w.min(10_000)) / 2,
        ..bank_params(feed(SOL_FEED))
    };
    let sol = s.w.sol;
    let i = s.w.bank_set_params_ix(&s.w.admin_pk(), &sol, p);
    let admin = s.w.admin.insecure_clone();
    Planned::Tx("bank_set_params", tx(vec![i], &[&admin], vec![]))
}

fn insurance_deposit(s: &mut Scenario, r: &mut Rng) -> Planned {
    let k = s.keeper();
    let b = bank(s, r);
    let h = s.w.health_accounts_with(&s.ins, &[b]);
    let i = ix::deposit(&k.key, &s.ins, &b, &wallet(s, k, &b), r.amount(typical(s, &b) / 10), &h);
    Planned::Tx("insurance_deposit", tx(vec![i], &[&k.kp], vec![s.ins]))
}

/// Listing by hand (`series_list`), or by the schedule: the admin (or a stranger) sets a rule,
/// mostly valid, and anyone executes it.
fn series_list(s: &mut Scenario, r: &mut Rng) -> Planned {
    match r.below(4) {
        0 => {}
        1 => {
            let signer = if r.chance(85) { s.w.admin.insecure_clone() } else { actor(s, r).kp.insecure_clone() };
            let now = s.w.env.now();
            let mut args = maxwell::instructions::ListingScheduleArgs {
                cadence_secs: [3_600, DAY, 7 * DAY, 30 * DAY][r.below(4) as usize],
                anchor_ts: now + r.range(-30 * DAY, 30 * DAY),
                horizon: r.range(1, 6) as u8,
                half_strikes: r.range(0, 7) as u8,
                step_bps: r.range(1, 2_000) as u16,
                tick: [1, D / 10, D, 10 * D][r.below(4) as usize],
                oi_cap: r.amount(1_000),
                enabled: r.chance(90),
            };
            if r.chance(10) {
                // One bound broken.
                match r.below(4) {
                    0 => args.cadence_secs = r.range(0, 3_599),
                    1 => args.horizon = 0,
                    2 => args.step_bps = 0,
                    _ => args.tick = 0,
                }
            }
            let mut i = s.w.listing_schedule_ix(&s.m, args);
            i.accounts[0].pubkey = addr(&pk(&solana_signer::Signer::pubkey(&signer)));
            return Planned::Tx("listing_schedule_set", tx(vec![i], &[&signer], vec![]));
        }
        _ => {
            let i = s.w.listing_execute_ix(&s.m);
            return Planned::Tx("listing_execute", tx(vec![i], &[], vec![]));
        }
    }
    let expiry = s.w.env.now() + r.range(-DAY, 40 * DAY);
    let strikes: Vec<u64> = (0..r.range(1, 3)).map(|_| r.range(50, 300) as u64 * D).collect();
    let i = s.w.series_list_ix(&s.m, expiry, &strikes, r.amount(1_000));
    let admin = s.w.admin.insecure_clone();
    Planned::Tx("series_list", tx(vec![i], &[&admin], vec![]))
}

/// The attacker's accounts planted in the honest exchange's instructions.
fn attack(s: &mut Scenario, r: &mut Rng) -> Planned {
    let f = &s.foreign;
    let victim = trader(s, r);
    match r.below(5) {
        0 => {
            // The victim's account with the attacker's bank (same mint, other exchange).
            let b = if r.chance(50) { f.usdc } else { f.sol };
            let h = s.w.health_accounts(&victim.account);
            let i = ix::withdraw(&victim.key, &victim.account, &b, &wallet(s, victim, &b), 1 + r.below(1_000 * USDC), &h);
            Planned::Tx("attack_foreign_bank", hostile(tx(vec![i], &[&victim.kp], vec![])))
        }
        1 => {
            // The attacker's own account as the counterparty of, or liquidator in, the honest exchange.
            let mut i = s.w.trade_ix(&s.m, victim, victim, legs(s, r));
            i.accounts[3].pubkey = addr(&f.trader.account);
            i.accounts[4].pubkey = addr(&f.trader.key);
            let kind = "attack_foreign_account";
            Planned::Tx(kind, hostile(tx(vec![i], &[&victim.kp, &f.trader.kp], vec![])))
        }
        2 => {
            // The attacker's underlying (same feed, its own surface) in a liquidation.
            let mut i = s.w.liquidate_ix(&s.m, &victim.account, s.keeper(), &s.ins, vec![LiquidateLeg { series_index: 0, size: 1 }]);
            i.accounts[4].pubkey = addr(&f.market.underlying);
            Planned::Tx("attack_foreign_underlying", hostile(tx(vec![i], &[&s.keeper().kp], vec![])))
        }
        3 => {
            // A price account with the right layout and feed but another owner, to the crank.
            let forged = Pk::new_unique();
            let now = s.w.env.now();
            let owner = Pk::new_unique();
            s.w.env.write_price_owned(&forged, Quote::new(feed(SOL_FEED), SOL_PRICE * 3, SOL_EXPO, now), &owner);
            let mut i = s.w.refresh_ix(&s.m, 0, 2);
            i.accounts[2].pubkey = addr(&forged);
            Planned::Tx("attack_forged_oracle", hostile(tx(vec![i], &[], vec![])))
        }
        _ => {
            // The victim's withdrawal with the attacker's SOL bank standing in for the honest
            // one among its health accounts (valued at the attacker's price).
            let mut h = s.w.health_accounts_with(&victim.account, &[s.w.sol]);
            for k in h.iter_mut() {
                if *k == s.w.sol.bank {
                    *k = f.sol.bank;
                } else if *k == s.w.sol_oracle {
                    *k = f.oracle;
                }
            }
            let usdc = s.w.usdc;
            let i = ix::withdraw(&victim.key, &victim.account, &usdc, &victim.usdc_wallet, 1 + r.below(1_000 * USDC), &h);
            Planned::Tx("attack_foreign_health", hostile(tx(vec![i], &[&victim.kp], vec![])))
        }
    }
}

/// A change of every kind, inside or beyond its per-step bound, by the admin or a stranger.
fn gov_propose(s: &mut Scenario, r: &mut Rng) -> Planned {
    use maxwell::state::{BreakerArgs, Change, ExchangeParamsArgs};
    let u = s.m.underlying;
    let (change, bank, und) = match r.below(7) {
        0 => {
            let step = [100u16, 500, 501, 3_000][r.below(4) as usize];
            let down = r.chance(50);
            let w = |x: u16| if down { x.saturating_sub(step) } else { x.saturating_add(step) };
            let p = BankParamsArgs {
                init_asset_weight_bps: w(8_000),
                maint_asset_weight_bps: w(9_000).min(10_000),
                ..bank_params(feed(SOL_FEED))
            };
            (Change::BankParams { bank: s.w.sol.bank, params: p }, Some(s.w.sol.bank), None)
        }
        1 => {
            let p =
                ExchangeParamsArgs { im_factor_bps: [15_000u32, 16_000, 17_500, 18_000, 30_000][r.below(5) as usize], ..exchange_params() };
            (Change::ExchangeParams { params: p }, None, None)
        }
        2 => (Change::OiCap { underlying: u, series_index: r.below(8) as u16, oi_cap: r.amount(1_000_000) }, None, Some(u)),
        3 => (Change::Timelock { secs: [5u32, 1_800, 3_600, 7_200, 86_400][r.below(5) as usize] }, None, None),
        4 => {
            let a = BreakerArgs {
                outflow_cap_bps: [100u32, 2_000, 5_000, 10_000][r.below(4) as usize],
                outflow_window_secs: 86_400,
                vol_step_bps: 1_000,
                vol_rate_bps_per_hour: 2_000,
                vol_breaker_bps: [500u32, 5_000, 60_000][r.below(3) as usize],
                vol_window_secs: 21_600,
            };
            (Change::Breakers { args: a }, None, None)
        }
        5 => (Change::VolOracle { underlying: u, vol_oracle: s.w.admin_pk() }, None, Some(u)),
        _ => (Change::Roles { guardian: actor(s, r).key, risk_admin: s.w.admin_pk() }, None, None),
    };
    // Sometimes the target is missing or another account.
    let (bank, und) = if r.chance(10) { (und, bank) } else { (bank, und) };
    let id = s.w.next_proposal_id() + u64::from(r.chance(5));
    let signer = if r.chance(85) { s.w.admin.insecure_clone() } else { actor(s, r).kp.insecure_clone() };
    let i = s.w.gov_propose_ix(&pk(&solana_signer::Signer::pubkey(&signer)), id, change, bank, und);
    Planned::Tx("gov_propose", tx(vec![i], &[&signer], vec![]))
}

/// Executes a queued change (maybe still locked, done or cancelled), with its target.
fn gov_execute(s: &mut Scenario, r: &mut Rng) -> Planned {
    let n = s.w.next_proposal_id();
    let id = if n == 0 { 0 } else { r.below(n) };
    let pda = crate::governance::proposal_pda(&s.w.exchange, id);
    let (bank, und) = match s.w.env.account(&pda).map(|_| s.w.env.borsh::<maxwell::state::Proposal>(&pda).change) {
        Some(maxwell::state::Change::BankParams { bank, .. }) => (Some(bank), None),
        Some(c) => (None, c.target()),
        None => (None, None),
    };
    if r.chance(60) {
        // Most executions wait for the unlock (a keeper's job); the rest try early.
        if let Some(p) = s.w.env.account(&pda).map(|_| s.w.env.borsh::<maxwell::state::Proposal>(&pda)) {
            if s.w.env.now() < p.unlock_ts {
                s.w.env.set_time(p.unlock_ts);
            }
        }
    }
    let i = s.w.gov_execute_ix(&actor(s, r).key, id, bank, und);
    let k = actor(s, r).kp.insecure_clone();
    let mut i = i;
    i.accounts[0].pubkey = addr(&pk(&solana_signer::Signer::pubkey(&k)));
    Planned::Tx("gov_execute", tx(vec![i], &[&k], vec![]))
}

fn gov_cancel(s: &mut Scenario, r: &mut Rng) -> Planned {
    let n = s.w.next_proposal_id().max(1);
    let id = r.below(n);
    let signer = if r.chance(70) { s.w.admin.insecure_clone() } else { actor(s, r).kp.insecure_clone() };
    let i = s.w.gov_cancel_ix(&pk(&solana_signer::Signer::pubkey(&signer)), id);
    Planned::Tx("gov_cancel", tx(vec![i], &[&signer], vec![]))
}

/// The admin proposes a trader as successor, or a key tries to accept.
fn admin_transfer(s: &mut Scenario, r: &mut Rng) -> Planned {
    if r.chance(50) {
        let heir = actor(s, r).key;
        let signer = if r.chance(85) { s.w.admin.insecure_clone() } else { actor(s, r).kp.insecure_clone() };
        let i = s.w.admin_transfer_propose_ix(&pk(&solana_signer::Signer::pubkey(&signer)), heir);
        return Planned::Tx("admin_transfer_propose", tx(vec![i], &[&signer], vec![]));
    }
    let k = actor(s, r);
    let i = s.w.admin_transfer_accept_ix(&k.key);
    Planned::Tx("admin_transfer_accept", tx(vec![i], &[&k.kp], vec![]))
}

fn vol_breaker_clear(s: &mut Scenario, r: &mut Rng) -> Planned {
    let signer = if r.chance(70) { s.w.admin.insecure_clone() } else { actor(s, r).kp.insecure_clone() };
    let i = s.w.vol_breaker_clear_ix(&pk(&solana_signer::Signer::pubkey(&signer)), &s.m.underlying);
    Planned::Tx("vol_breaker_clear", tx(vec![i], &[&signer], vec![]))
}

/// Listing and set-up instructions by the admin or a stranger: a bank for a fresh mint (walked by
/// the conservation check once it exists), an underlying, a second insurance fund, an exchange.
fn listing(s: &mut Scenario, r: &mut Rng) -> Planned {
    let signer = if r.chance(70) { s.w.admin.insecure_clone() } else { actor(s, r).kp.insecure_clone() };
    let key = pk(&solana_signer::Signer::pubkey(&signer));
    match r.below(4) {
        0 => {
            let mint = s.w.env.create_mint(crate::token::spl_token(), 6);
            let oracle = Pk::new_unique();
            let now = s.w.env.now();
            s.w.env.write_price(&oracle, Quote::new(feed(0x60), 100_000_000, -8, now));
            let params = if r.chance(80) {
                bank_params(feed(0x60))
            } else {
                BankParamsArgs { maint_asset_weight_bps: 10_001, ..bank_params(feed(0x60)) }
            };
            let i = ix::bank_create(&key, &s.w.exchange, &mint, Some(oracle), &crate::token::spl_token(), params);
            let bank = ix::bank_pda(&s.w.exchange, &mint);
            let b = BankRef { exchange: s.w.exchange, bank, vault: ix::vault_pda(&bank), mint, token_program: crate::token::spl_token() };
            // Walked once created (the check skips it while it does not exist).
            s.w.banks.push((b, Some(oracle)));
            Planned::Tx("bank_create", tx(vec![i], &[&signer], vec![]))
        }
        1 => {
            let (u_kp, mut ixs) = s.w.underlying_create_ixs();
            let last = ixs.len() - 1;
            ixs[last].accounts[0].pubkey = addr(&key);
            Planned::Tx("underlying_create", tx(ixs, &[&u_kp, &signer], vec![]))
        }
        2 => {
            let ins = Pk::find_program_address(&[maxwell::constants::INSURANCE_SEED, s.w.exchange.as_ref()], &maxwell::ID).0;
            let i = ix::build(
                maxwell::accounts::InsuranceCreate {
                    admin: key,
                    exchange: s.w.exchange,
                    insurance: ins,
                    system_program: anchor_lang::system_program::ID,
                },
                maxwell::instruction::InsuranceCreate {},
                &[],
            );
            Planned::Tx("insurance_create", tx(vec![i], &[&signer], vec![]))
        }
        _ => {
            // The signer's own exchange: new for a trader, a re-initialisation for the admin.
            let i = ix::exchange_init(&key, &s.w.usdc.mint, exchange_params());
            Planned::Tx("exchange_init", tx(vec![i], &[&signer], vec![]))
        }
    }
}
