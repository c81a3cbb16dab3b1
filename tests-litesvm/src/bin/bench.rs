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
    let s = w.env.ok(&[ix::bank_create(&a, &ex2, &sol_mint, Some(oracle), &tp_sol, bank_params(tests_litesvm::pyth::feed(SOL_FEED)))], &[&admin]);
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

/// Anchor instruction data: `sha256("global:<name>")[..8]` then borsh arguments.
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
    for (n, u, t) in [(0u16, 1u8, 1u8), (1, 1, 1), (8, 1, 4), (32, 2, 4), (64, 2, 4), (128, 4, 4)] {
        let cu = bench_cu(&mut env, "bench_margin", &le(&[&n.to_le_bytes(), &[u], &[t]]));
        rows.push((
            format!("margin from risk arrays: {n} positions, {u} underlyings, {t} tokens"),
            cu,
            "21 scenarios; Greeks and add-ons per underlying".into(),
        ));
    }
    // The per-position slope at fixed underlyings and tokens.
    let a = bench_cu(&mut env, "bench_margin", &le(&[&0u16.to_le_bytes(), &[2], &[4]]));
    let b = bench_cu(&mut env, "bench_margin", &le(&[&128u16.to_le_bytes(), &[2], &[4]]));
    rows.push(("margin slope: CU per extra position (0 -> 128 positions, 2 underlyings, 4 tokens)".into(), (b - a) / 128, "target <= 1,000".into()));
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
