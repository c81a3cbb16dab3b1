//! Compute-unit benchmark. Runs every instruction of the production `maxwell.so` and the
//! risk-engine calls of `maxwell_bench.so` in LiteSVM, and writes `docs/compute-units.md`
//! and `docs/compute-units.json`. Compute units are deterministic: the committed table must
//! match a fresh run (CI checks it). Run: `scripts/bench.sh`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use solana_signer::Signer;
use tests_litesvm::ix;
use tests_litesvm::world::*;
use tests_litesvm::*;

fn main() {
    let mut rows: Vec<(String, u64, String)> = vec![];
    instructions(&mut rows);
    market_instructions(&mut rows);
    margin_checks(&mut rows);
    capacity(&mut rows);
    liquidation(&mut rows);
    balance_liquidation(&mut rows);
    lending_and_rebalance(&mut rows);
    risk_engine(&mut rows);
    write(&rows);
}

fn instructions(rows: &mut Vec<(String, u64, String)>) {
    let mut w = World::new();
    let mut push = |name: &str, cu: u64, note: &str| rows.push((name.to_string(), cu, note.to_string()));
    // World::new ran exchange_init and two bank_create: re-run them on a second exchange to meter.
    let admin = w.env.new_funded_keypair();
    let a = pk(&admin.pubkey());
    let ex2 = ix::exchange_pda(&a);
    let usdc_mint = w.usdc.mint;
    let sol_mint = w.sol.mint;
    let oracle = w.sol_oracle;
    let s = w.env.ok(&[ix::exchange_init(&a, &usdc_mint, exchange_params())], &[&admin]);
    push("exchange_init", s.cu, "creates the exchange PDA");
    let tp_usdc = w.usdc.token_program;
    let tp_sol = w.sol.token_program;
    let s = w.env.ok(&[ix::bank_create(&a, &ex2, &usdc_mint, None, &tp_usdc, quote_bank_params())], &[&admin]);
    push("bank_create (quote, SPL Token)", s.cu, "bank PDA + vault PDA token account");
    let s = w
        .env
        .ok(&[ix::bank_create(&a, &ex2, &sol_mint, Some(oracle), &tp_sol, bank_params(tests_litesvm::pyth::feed(SOL_FEED)))], &[&admin]);
    push("bank_create (Pyth oracle, Token-2022)", s.cu, "reads and validates the PriceUpdateV2");
    let s = w.env.ok(&[ix::ix_gate_set(&a, &ex2, 0)], &[&admin]);
    push("ix_gate_set", s.cu, "");

    let kp = w.env.new_funded_keypair();
    let key = pk(&kp.pubkey());
    let account = ix::account_pda(&w.exchange, &key, 0);
    let s = w.env.ok(&[ix::account_create(&key, &key, &w.exchange, 0)], &[&kp]);
    push("account_create", s.cu, "zero-copy margin account PDA (16 collateral slots, 128 positions)");
    w.accounts.push(account);
    let usdc_wallet = w.env.create_token_account(&usdc_mint, &key);
    let sol_wallet = w.env.create_token_account(&sol_mint, &key);
    w.env.mint_to(&usdc_mint, &usdc_wallet, 1_000 * USDC);
    w.env.mint_to(&sol_mint, &sol_wallet, 10 * SOL);
    let t = Trader { kp, key, account, usdc_wallet, sol_wallet };
    let (usdc, sol) = (w.usdc, w.sol);
    let s = w.deposit(&t, &usdc, &t.usdc_wallet, 100 * USDC);
    push("deposit (quote, 1 slot)", s.cu, "SPL Token transfer CPI + health");
    let s = w.deposit(&t, &sol, &t.sol_wallet, SOL);
    push("deposit (Pyth collateral, 2 slots)", s.cu, "Token-2022 transfer CPI + health with one oracle");
    let i = w.withdraw_ix(&t, &sol, &t.sol_wallet, SOL / 2);
    let s = w.env.ok(&[i], &[&t.kp]);
    push("withdraw (Pyth collateral, 2 slots)", s.cu, "signed transfer CPI + strict margin check");
    let i = w.withdraw_ix(&t, &usdc, &t.usdc_wallet, 100 * USDC);
    let s = w.env.ok(&[i], &[&t.kp]);
    push("withdraw (quote, slot released)", s.cu, "");
    let i = w.withdraw_ix(&t, &sol, &t.sol_wallet, SOL / 2);
    w.env.ok(&[i], &[&t.kp]);
    let s = w.env.ok(&[ix::account_close(&t.key, &w.exchange, &t.account, &t.key)], &[&t.kp]);
    push("account_close", s.cu, "");
    w.assert_conservation();
}

fn market_instructions(rows: &mut Vec<(String, u64, String)>) {
    use maxwell::instructions::TradeLeg;
    use tests_litesvm::market::*;
    let mut w = World::new();
    let m = w.market(&[150 * D, 180 * D]);
    // A smile update an hour after the last: the rate bound reads ATM and both wings of the
    // old and the new smile, then the breaker.
    w.env.advance(3_600);
    w.set_sol_price(SOL_PRICE);
    let admin = w.admin.insecure_clone();
    let s = w.env.ok(&[w.vol_update_ix(&m, 0, svi_for(0.85, 30.0))], &[&admin]);
    rows.push((
        "vol_surface_update (bounded, one expiry)".into(),
        s.cu,
        "SVI validation, ATM and wing vols old/new, breaker window".into(),
    ));
    let i = w.refresh_ix(&m, 0, 1);
    let s = w.env.ok_big(&[i], &[]);
    rows.push((
        "risk_refresh (1 series)".into(),
        s.cu,
        "grid + 21 revaluations (35 scenarios: the twists copy up/down columns) + mark/Greeks".into(),
    ));
    let i = w.refresh_ix(&m, 0, 4);
    let s = w.env.ok_big(&[i], &[]);
    rows.push(("risk_refresh (4 series)".into(), s.cu, "".into()));
    let maker = w.trader();
    let taker = w.trader();
    let usdc = w.usdc;
    w.deposit(&maker, &usdc, &maker.usdc_wallet, 10_000 * USDC);
    w.deposit(&taker, &usdc, &taker.usdc_wallet, 10_000 * USDC);
    let s = w.trade(&m, &maker, &taker, vec![TradeLeg { series_index: 0, size: 2, price: w.at_mark(&m, 0) }]);
    rows.push(("trade (1 leg, both accounts checked before and after)".into(), s.cu, "".into()));
    let legs = (0..4).map(|k| TradeLeg { series_index: k, size: 1, price: w.at_mark(&m, k) }).collect();
    let s = w.trade(&m, &maker, &taker, legs);
    rows.push(("trade (4 legs)".into(), s.cu, "".into()));
    let (_, cu) = w.health_of(&maker.account, Some(&m));
    rows.push(("account_health (4 positions, 1 underlying, 1 token)".into(), cu, "read path".into()));
    w.env.set_time(m.expiry + 1);
    w.set_sol_price(16_000_000_000);
    let s = w.env.ok(&[w.settle_price_ix(&m, 0)], &[]);
    rows.push(("expiry_settle_price".into(), s.cu, "".into()));
    let i = w.account_settle_ix(&m, &maker.account);
    let s = w.env.ok(&[i], &[]);
    rows.push(("account_settle (4 positions)".into(), s.cu, "".into()));
    let bot = w.env.new_funded_keypair();
    let i = w.delegate_set_ix(&maker.key, &maker.account, pk(&bot.pubkey()));
    let s = w.env.ok(&[i], &[&maker.kp]);
    rows.push(("delegate_set".into(), s.cu, "".into()));
    // The listing schedule: weekly, four ahead, 7 strikes; one execution lists one expiry.
    let args = maxwell::instructions::ListingScheduleArgs {
        cadence_secs: 7 * DAY,
        anchor_ts: w.env.now() + DAY,
        horizon: 4,
        half_strikes: 3,
        step_bps: 500,
        tick: D,
        oi_cap: 1_000,
        enabled: true,
    };
    let s = w.env.ok(&[w.listing_schedule_ix(&m, args)], &[&admin]);
    rows.push(("listing_schedule_set".into(), s.cu, "validates the rule".into()));
    let s = w.env.ok(&[w.listing_execute_ix(&m)], &[]);
    rows.push(("listing_execute (7 strikes, 14 series)".into(), s.cu, "oracle, next expiry of the horizon, strike ladder, listing".into()));
}

/// The margin check of the real program (`account_health`, whole instruction) with positions
/// injected into the account: n positions over u underlyings, 4 collateral tokens.
fn margin_checks(rows: &mut Vec<(String, u64, String)>) {
    use maxwell::state::{MarginAccount, Position};
    use tests_litesvm::market::*;
    let mut w = World::new();
    let strikes: Vec<u64> = (0..16).map(|k| (100 + 5 * k) * D).collect();
    let markets: Vec<Market> = (0..4).map(|_| w.market(&strikes)).collect();
    let t = w.trader();
    let (usdc, sol) = (w.usdc, w.sol);
    w.deposit(&t, &usdc, &t.usdc_wallet, 1_000_000 * USDC);
    w.deposit(&t, &sol, &t.sol_wallet, 100 * SOL);
    for k in 0..2u8 {
        let mint = w.env.create_mint(tests_litesvm::token::spl_token(), 6);
        let oracle = Pk::new_unique();
        let now = w.env.now();
        let f = tests_litesvm::pyth::feed(0x90 + k);
        w.env.write_price(&oracle, tests_litesvm::pyth::Quote::new(f, 100_000_000, -8, now));
        let b = w.add_bank(&mint, Some(oracle), bank_params(f));
        let wallet = w.env.create_token_account(&mint, &t.key);
        w.env.mint_to(&mint, &wallet, 1_000 * USDC);
        w.deposit(&t, &b, &wallet, 1_000 * USDC);
    }
    let mut slope = (0, 0);
    for (n, u) in [(0usize, 1usize), (1, 1), (8, 1), (32, 1), (32, 2), (64, 2), (128, 2), (128, 4)] {
        let mut acc: MarginAccount = w.margin(&t.account);
        acc.positions = [Position::default(); 128];
        for i in 0..n {
            let ui = i % u;
            let series = (i / u) % 32;
            acc.positions[i] = Position {
                size: if i % 3 == 0 { -1 } else { 2 },
                cost_basis: 0,
                underlying_index: w.underlying(&markets[ui]).underlying_index,
                series_index: series as u16,
                in_use: 1,
                _pad: 0,
                generation: 0,
            };
        }
        w.env.zc_write(&t.account, &acc);
        let mut health = w.health_accounts(&t.account);
        for mk in &markets[..u] {
            health.push(mk.underlying);
            health.push(mk.oracle);
        }
        let i = anchor_ix(
            maxwell::ID,
            {
                use anchor_lang::ToAccountMetas;
                let mut metas = maxwell::accounts::AccountHealth { exchange: w.exchange, account: t.account }.to_account_metas(None);
                metas.extend(health.iter().map(|k| anchor_lang::prelude::AccountMeta::new_readonly(*k, false)));
                metas
            },
            anchor_lang::InstructionData::data(&maxwell::instruction::AccountHealth {}),
        );
        let s = w.env.ok_big(&[i], &[]);
        rows.push((format!("margin check (account_health): {n} positions, {u} underlyings, 4 tokens"), s.cu, "whole instruction".into()));
        if (n, u) == (32, 2) {
            slope.0 = s.cu;
        }
        if (n, u) == (128, 2) {
            slope.1 = s.cu;
        }
    }
    rows.push((
        "margin check slope: CU per extra position (32 -> 128 positions, 2 underlyings)".into(),
        (slope.1 - slope.0) / 96,
        "target <= 1,000".into(),
    ));
}

/// Issue 12's capacity run (tests_litesvm::capacity): 512 live series on one underlying, the full
/// crank, a 128-position account traded across the chain.
fn capacity(rows: &mut Vec<(String, u64, String)>) {
    let (_, _, _, _, run) = tests_litesvm::capacity::run();
    let batch = tests_litesvm::capacity::REFRESH_BATCH;
    rows.push((
        "risk_refresh full crank: 512 series (16 expiries x 32), total over all transactions".into(),
        run.refresh_total_cu,
        format!("{} transactions of {batch} series, the largest {}; goal 12,000,000 (issue 12)", run.refresh_txs, run.refresh_max_tx_cu),
    ));
    rows.push((
        "trade (4 legs, both accounts 124 -> 128 positions, one underlying of 512 series)".into(),
        run.trade_cu,
        "each account's health before and after".into(),
    ));
    rows.push((
        "margin check (account_health): 128 positions, 1 underlying of 512 series, 1 token".into(),
        run.health_cu,
        "whole instruction".into(),
    ));
}

/// Liquidating one contract of a 32-position account (positions injected, all short).
fn liquidation(rows: &mut Vec<(String, u64, String)>) {
    use maxwell::instructions::LiquidateLeg;
    use maxwell::state::{MarginAccount, Position};
    use tests_litesvm::market::*;
    let mut w = World::new();
    let strikes: Vec<u64> = (0..16).map(|k| (100 + 5 * k) * D).collect();
    let m = w.market(&strikes);
    let ins = w.insurance();
    let victim = w.trader();
    let liq = w.trader();
    let usdc = w.usdc;
    w.deposit(&victim, &usdc, &victim.usdc_wallet, 100 * USDC);
    w.deposit(&liq, &usdc, &liq.usdc_wallet, 1_000_000 * USDC);
    let mut acc: MarginAccount = w.margin(&victim.account);
    let u_index = w.underlying(&m).underlying_index;
    for i in 0..32 {
        acc.positions[i] =
            Position { size: -1, cost_basis: 0, underlying_index: u_index, series_index: i as u16, in_use: 1, _pad: 0, generation: 0 };
    }
    w.env.zc_write(&victim.account, &acc);
    let i = w.liquidate_ix(&m, &victim.account, &liq, &ins, vec![LiquidateLeg { series_index: 0, size: -1 }]);
    let s = w.env.ok_big(&[i], &[&liq.kp]);
    rows.push((
        "liquidate: 1 contract of a 32-position account".into(),
        s.cu,
        "both accounts checked before and after; target <= 200,000".into(),
    ));
}

/// A spot borrower with all 16 collateral slots in use (USDC borrow, SOL, 14 more tokens)
/// after SOL -40%: one balance liquidation (SOL for USDC debt) back to maintenance health zero.
fn balance_liquidation(rows: &mut Vec<(String, u64, String)>) {
    let mut w = World::new();
    w.enable_quote_lending(1_000_000 * USDC);
    let ins = w.insurance();
    let (lender, borrower, liq) = (w.trader(), w.trader(), w.trader());
    let (usdc, sol) = (w.usdc, w.sol);
    w.deposit(&lender, &usdc, &lender.usdc_wallet, 50_000 * USDC);
    w.deposit(&liq, &usdc, &liq.usdc_wallet, 50_000 * USDC);
    w.deposit(&borrower, &sol, &borrower.sol_wallet, 100 * SOL);
    for k in 0..14u8 {
        let mint = w.env.create_mint(tests_litesvm::token::spl_token(), 6);
        let oracle = Pk::new_unique();
        let now = w.env.now();
        let f = tests_litesvm::pyth::feed(0xa0 + k);
        w.env.write_price(&oracle, tests_litesvm::pyth::Quote::new(f, 100_000_000, -8, now));
        let b = w.add_bank(&mint, Some(oracle), bank_params(f));
        let wallet = w.env.create_token_account(&mint, &borrower.key);
        w.env.mint_to(&mint, &wallet, 10 * USDC);
        w.deposit(&borrower, &b, &wallet, 10 * USDC);
    }
    let i = w.withdraw_ix(&borrower, &usdc, &borrower.usdc_wallet, 8_600 * USDC);
    w.env.ok_big(&[i], &[&borrower.kp]);
    assert_eq!(w.margin(&borrower.account).collateral.iter().filter(|s| s.in_use == 1).count(), 16);
    w.set_sol_price(9_000_000_000);
    let i = w.balance_liquidate_ix(None, &borrower.account, &liq, &sol, &usdc, &ins, u64::MAX);
    let s = w.env.ok_big(&[i], &[&liq.kp]);
    rows.push((
        "balance_liquidate: 16 collateral slots in use (SOL for a USDC borrow)".into(),
        s.cu,
        "plan: health before and the two balances' change; both accounts checked after; target <= 100,000".into(),
    ));
}

/// Anchor instruction data: `sha256("global:<name>")[..8]` then borsh arguments.
fn lending_and_rebalance(rows: &mut Vec<(String, u64, String)>) {
    use maxwell::instructions::{LiquidateLeg, TradeLeg};
    use maxwell::state::{BankParamsArgs, PolicyArgs};
    use tests_litesvm::market::*;
    let mut push = |name: &str, cu: u64, note: &str| rows.push((name.to_string(), cu, note.to_string()));

    // Lending: a borrow through withdraw, the interest crank, bank parameters.
    let mut w = World::new();
    w.enable_quote_lending(1_000_000 * USDC);
    let (usdc, sol) = (w.usdc, w.sol);
    let lender = w.trader();
    let owner = w.trader();
    let keeper = w.trader();
    w.deposit(&lender, &usdc, &lender.usdc_wallet, 100_000 * USDC);
    w.deposit(&keeper, &usdc, &keeper.usdc_wallet, 20_000 * USDC);
    w.deposit(&owner, &sol, &owner.sol_wallet, 100 * SOL);
    let health = w.health_accounts_with(&owner.account, &[usdc]);
    let s = w.env.ok(&[ix::withdraw(&owner.key, &owner.account, &usdc, &owner.usdc_wallet, 3_000 * USDC, &health)], &[&owner.kp]);
    push("withdraw (quote borrow against Pyth collateral)", s.cu, "accrues, opens the borrow, strict margin check");
    w.env.advance(86_400);
    let s = w.env.ok(&[w.accrue_ix(&usdc)], &[]);
    push("accrue_interest (one day, 3% utilization)", s.cu, "kinked curve, index update, reserve shares");
    // A used bank's parameters change through the queue: propose, then execute after the
    // timelock (anyone).
    let p = BankParamsArgs { borrow_cap: 2_000_000 * USDC, rate: LENDING_CURVE, ..quote_bank_params() };
    let kp = w.admin.insecure_clone();
    let id = w.next_proposal_id();
    let i = w.gov_propose_ix(&w.admin_pk(), id, maxwell::state::Change::BankParams { bank: usdc.bank, params: p }, Some(usdc.bank), None);
    let s = w.env.ok(&[i], &[&kp]);
    push("gov_propose (bank params)", s.cu, "validates bounds and per-step limits now; creates the proposal");
    let s = w.execute_after_timelock(id, Some(usdc.bank), None);
    push("gov_execute (bank params)", s.cu, "validates again, accrues under the old curve first, applies");

    // Rebalance: a policy over two accounts, a top-up, a conversion.
    w.set_sol_price(SOL_PRICE);
    let second = w.sub_account(&owner, 1);
    let ob = Trader { account: second.account, kp: owner.kp.insecure_clone(), ..second };
    w.deposit(&ob, &usdc, &owner.usdc_wallet, 100 * USDC);
    let args = PolicyArgs {
        accounts: vec![owner.account, second.account],
        feeds: vec![0, 1],
        trigger_health: 1_000 * USDC as i64,
        target_health: 2_000 * USDC as i64,
        max_per_move: 1_000 * USDC,
        max_per_day: 10_000 * USDC,
        quote_borrow_limit: 1_000 * USDC,
        keeper_fee_bps: 10,
        max_discount_bps: 100,
    };
    let s = w.env.ok(&[w.policy_set_ix(&owner.key, args)], &[&owner.kp]);
    push("policy_set (create, 2 accounts)", s.cu, "");
    let i = w.rebalance_accounts_ix(&keeper, &owner.key, &owner.account, &second.account, &sol, SOL, None);
    let s = w.env.ok(&[i], &[&keeper.kp]);
    push("rebalance_accounts (1 SOL, 3 accounts checked)", s.cu, "source after-health, destination, keeper fee");
    let i = w.rebalance_collateral_ix(&keeper, &owner.key, &owner.account, &sol, 1_000 * USDC, 50, None);
    let s = w.env.ok(&[i], &[&keeper.kp]);
    push("rebalance_collateral (quote borrow -> SOL at a 0.5% discount)", s.cu, "both accounts checked before and after");

    // Predictive margin crank.
    let m = w.market(&[150 * D]);
    w.env.ok(&[w.realized_vol_ix(&m)], &[]);
    w.env.advance(600);
    w.set_sol_price(15_300_000_000);
    let s = w.env.ok(&[w.realized_vol_ix(&m)], &[]);
    push("realized_vol_update", s.cu, "one ln, EWMA, sqrt");

    // Bankruptcy: a writer crashed, liquidated of everything, insurance then socialized.
    let mut w = World::new();
    let m = w.market(&[150 * D]);
    let ins = w.insurance();
    let (writer, buyer, liq) = (w.trader(), w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&writer, &usdc, &writer.usdc_wallet, 690 * USDC);
    w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 50_000 * USDC);
    w.deposit(&liq, &usdc, &liq.usdc_wallet, 50_000 * USDC);
    let h = w.health_accounts_with(&ins, &[usdc]);
    w.env.ok(&[ix::deposit(&buyer.key, &ins, &usdc, &buyer.usdc_wallet, 300 * USDC, &h)], &[&buyer.kp]);
    let c150 = m.series(150 * D, 0);
    w.trade(&m, &writer, &buyer, vec![TradeLeg { series_index: c150, size: 10, price: w.at_mark(&m, c150) }]);
    w.set_sol_price(30_000_000_000);
    w.refresh_all(&m);
    let i = w.liquidate_ix(&m, &writer.account, &liq, &ins, vec![LiquidateLeg { series_index: c150, size: -10 }]);
    w.env.ok_big(&[i], &[&liq.kp]);
    let s = w.env.ok(&[w.bankruptcy_ix(&liq.key, &writer.account, &usdc, &ins)], &[&liq.kp]);
    push("bankruptcy_resolve (insurance, then socialized)", s.cu, "");
}

fn bench_ix(name: &str, args: &[u8]) -> solana_instruction::Instruction {
    let mut data = Sha256::digest(format!("global:{name}").as_bytes())[..8].to_vec();
    data.extend_from_slice(args);
    anchor_ix(maxwell::ID, vec![], data)
}

fn bench_cu(env: &mut Env, name: &str, args: &[u8]) -> u64 {
    let cb = compute_budget(1_400_000);
    let s = env.ok(&[cb, bench_ix(name, args)], &[]);
    let remaining: Vec<u64> = s
        .logs
        .iter()
        .filter_map(|l| l.strip_prefix("Program consumption: "))
        .map(|l| l.trim_end_matches(" units remaining").parse::<u64>().unwrap())
        .collect();
    assert_eq!(remaining.len(), 2, "two compute-unit logs in {name}: {:?}", s.logs);
    remaining[0] - remaining[1]
}

fn compute_budget(units: u32) -> solana_instruction::Instruction {
    let mut data = vec![2u8]; // SetComputeUnitLimit
    data.extend_from_slice(&units.to_le_bytes());
    solana_instruction::Instruction {
        program_id: solana_address::Address::from_str_const("ComputeBudget111111111111111111111111111111"),
        accounts: vec![],
        data,
    }
}

fn le(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn risk_engine(rows: &mut Vec<(String, u64, String)>) {
    let mut env = Env::with_program(&deploy_dir().join("maxwell_bench.so"));
    let overhead = bench_cu(&mut env, "bench_noop", &[]);
    let bench_cu = |env: &mut Env, name: &str, args: &[u8]| bench_cu(env, name, args) - overhead;
    let q52 = |x: f64| -> i64 { (x * (1u64 << 52) as f64).round() as i64 }; // bench inputs only
    for (label, x) in [("N(x), x = 0.3", 0.3), ("N(x), x = -2.5", -2.5), ("N(x), x = 7.9", 7.9)] {
        let cu = bench_cu(&mut env, "bench_normal_cdf", &q52(x).to_le_bytes());
        rows.push((label.into(), cu, "table over [0, 9], step 1/32, quintic Hermite".into()));
    }
    let forward = 150_000_000u64; // $150 in micro-USDC per contract
    for (label, strike, vol, secs) in [
        ("Black-76 price + 4 Greeks, ATM, 30 d, 80% vol", 150_000_000u64, 0.8, 30 * 86_400i64),
        ("Black-76 price + 4 Greeks, 20% OTM call, 7 d, 60% vol", 180_000_000, 0.6, 7 * 86_400),
        ("Black-76 price + 4 Greeks, deep ITM, 1 y, 120% vol", 50_000_000, 1.2, 365 * 86_400),
    ] {
        let args = le(&[&forward.to_le_bytes(), &strike.to_le_bytes(), &q52(vol).to_le_bytes(), &secs.to_le_bytes()]);
        let cu = bench_cu(&mut env, "bench_black76", &args);
        rows.push((label.into(), cu, "one series; ln once, one division".into()));
    }
    for (part, label, note) in [
        (0u8, "crank part: expiry grid (7 shocked forwards and their logarithms)", "once per expiry and transaction"),
        (1, "crank part: smile total vol at one price point (SVI, two square roots)", "7 per strike"),
        (2, "crank part: one scenario's prices, call and put (Black-76 prices alone)", "21 per strike"),
        (3, "crank part: one series' risk array (1 + 21 evaluations)", "a series without its sibling in the transaction"),
        (4, "crank part: a call/put pair's risk arrays from one evaluation set", "per strike of a chain listed in pairs"),
    ] {
        let cu = bench_cu(&mut env, "bench_crank_part", &le(&[&[part], &165_000_000u64.to_le_bytes()]));
        rows.push((label.into(), cu, format!("10% OTM call strike, 30 d, 80% vol; {note}")));
    }
    for (n, u, t) in [(0u16, 1u8, 1u8), (1, 1, 1), (8, 1, 4), (32, 2, 4), (64, 2, 4), (128, 4, 4)] {
        let cu = bench_cu(&mut env, "bench_margin", &le(&[&n.to_le_bytes(), &[u], &[t]]));
        rows.push((
            format!("margin from risk arrays: {n} positions, {u} underlyings, {t} tokens"),
            cu,
            format!("{} scenarios; Greeks and add-ons per underlying", maxwell_risk::scenario::N_SCEN),
        ));
    }
    // Options expiring inside the horizon: the book priced again at the longs' strikes.
    let base = bench_cu(&mut env, "bench_margin_kinks", &le(&[&0u16.to_le_bytes(), &0u16.to_le_bytes()]));
    for (l, sh) in [(0u16, 0u16), (1, 0), (1, 1), (4, 4), (8, 8), (9, 9)] {
        let cu = bench_cu(&mut env, "bench_margin_kinks", &le(&[&l.to_le_bytes(), &sh.to_le_bytes()]));
        let n = u64::from(l + sh);
        let pairs = u64::from(l) * n;
        let note = if n > maxwell_risk::margin::MAX_KINKS as u64 {
            format!("{n} kinks: past MAX_KINKS, the bound; {} CU per expiring position", (cu - base) / n)
        } else if n > 0 {
            format!("{pairs} candidate x kink pairs; {} CU per expiring position", (cu - base) / n)
        } else {
            "4 ordinary positions, no expiring option: no kink pass".into()
        };
        rows.push((format!("margin with options expiring inside the horizon: {l} long, {sh} short, one interval"), cu, note));
    }
    // The per-position slope at fixed underlyings and tokens.
    let a = bench_cu(&mut env, "bench_margin", &le(&[&0u16.to_le_bytes(), &[2], &[4]]));
    let b = bench_cu(&mut env, "bench_margin", &le(&[&128u16.to_le_bytes(), &[2], &[4]]));
    rows.push((
        "margin slope: CU per extra position (0 -> 128 positions, 2 underlyings, 4 tokens)".into(),
        (b - a) / 128,
        "target <= 1,000".into(),
    ));
}

fn write(rows: &[(String, u64, String)]) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut md = String::new();
    writeln!(md, "# Compute units\n").unwrap();
    writeln!(md, "Generated by `scripts/bench.sh` (tests-litesvm/src/bin/bench.rs): the real SBPF v3 programs in LiteSVM 0.18.1.").unwrap();
    writeln!(md, "Instructions are whole transactions of the production `maxwell.so`; risk-engine rows are the compute units of the call alone inside `maxwell_bench.so` (the same code built with bench instructions).").unwrap();
    writeln!(md, "Do not edit: CI regenerates this table and fails if it differs.\n").unwrap();
    writeln!(md, "| case | CU | note |\n|---|---:|---|").unwrap();
    let mut json = BTreeMap::new();
    for (name, cu, note) in rows {
        writeln!(md, "| {name} | {cu} | {note} |").unwrap();
        json.insert(name.clone(), *cu);
    }
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(root.join("docs/compute-units.md"), md).unwrap();
    std::fs::write(root.join("docs/compute-units.json"), serde_json::to_string_pretty(&json).unwrap() + "\n").unwrap();
    for (name, cu, _) in rows {
        println!("{cu:>8}  {name}");
    }
}
