//! The attack classes of `docs/security.md`, one test per class: every refusal with its exact
//! code (Maxwell's, Anchor's, or the system / token program's) and nothing changed.
//!
//! The attacker owns a second exchange in the same LiteSVM (it is that exchange's admin), over
//! the same USDC and SOL mints and the same SOL oracle, with its own banks, market, insurance
//! fund, margin accounts and policies, and passes them to the first exchange (or the first
//! exchange's accounts to its own). The generic tests walk every instruction: every `Signer`
//! unsigned, every program account forged under another owner or replaced by another account
//! type. Each test collects all its mismatches and reports them together.

use anchor_lang::error::ErrorCode as A;
use anchor_lang::Discriminator;
use maxwell::error::MaxwellError as E;
use maxwell::instructions::{LiquidateLeg, TradeLeg, UnderlyingCreateArgs};
use maxwell::state::{Change, Exchange, MarginAccount, PolicyArgs, Underlying};
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;
use tests_litesvm::governance::proposal_pda;
use tests_litesvm::ix::{self, build, BankRef, TEST_TIMELOCK_SECS};
use tests_litesvm::market::*;
use tests_litesvm::pyth::{feed, Quote};
use tests_litesvm::rebalance::policy_pda;
use tests_litesvm::token::{spl_token, token_2022};
use tests_litesvm::world::*;
use tests_litesvm::*;

// ---------------------------------------------------------------------------------------------
// Expected errors and the refusal check.

fn mx(e: E) -> InstructionError {
    InstructionError::Custom(code(e))
}

fn an(e: A) -> InstructionError {
    InstructionError::Custom(e as u32)
}

/// `SystemError::AccountAlreadyInUse`: the system program will not allocate an account in use
/// (what Anchor's `init` meets on an existing account).
const ALREADY_IN_USE: InstructionError = InstructionError::Custom(0);

/// SPL Token's `TokenError::OwnerMismatch`: the signer is not the source token account's owner.
const TOKEN_OWNER_MISMATCH: InstructionError = InstructionError::Custom(4);

/// Every mismatch of one test, reported together at the end.
#[derive(Default)]
struct Refusals {
    errs: Vec<String>,
    checked: usize,
}

impl Refusals {
    /// Sends `ixs` (after a 1.4M compute-unit limit) signed by the keypairs of `pool` whose keys
    /// are signer metas, expects `want` exactly, and that no account the instructions name
    /// (except the fee payer) changed.
    fn check(&mut self, env: &mut Env, label: &str, ixs: &[Instruction], pool: &[&Keypair], want: InstructionError) {
        self.checked += 1;
        let payer = env.payer.pubkey();
        let mut signers: Vec<&Keypair> = vec![];
        let mut watched: Vec<Pk> = vec![];
        for m in ixs.iter().flat_map(|i| i.accounts.iter()) {
            if m.pubkey == payer {
                continue;
            }
            if m.is_signer && !signers.iter().any(|s| s.pubkey() == m.pubkey) {
                match pool.iter().find(|k| k.pubkey() == m.pubkey) {
                    Some(k) => signers.push(k),
                    None => {
                        self.errs.push(format!("{label}: no keypair for signer {}", m.pubkey));
                        return;
                    }
                }
            }
            let k = pk(&m.pubkey);
            if !watched.contains(&k) {
                watched.push(k);
            }
        }
        let before: Vec<_> = watched.iter().map(|k| env.account(k)).collect();
        let mut all = vec![compute_budget_ix(1_400_000)];
        all.extend_from_slice(ixs);
        match env.send(&all, &signers) {
            Ok(_) => self.errs.push(format!("{label}: expected {want:?}, the transaction succeeded")),
            Err(f) => match &f.err {
                TransactionError::InstructionError(_, e) if *e == want => {
                    let after: Vec<_> = watched.iter().map(|k| env.account(k)).collect();
                    if before != after {
                        self.errs.push(format!("{label}: refused with {want:?} but an account changed"));
                    }
                }
                other => self.errs.push(format!("{label}: expected {want:?}, got {other:?}\n    {}", f.logs.join("\n    "))),
            },
        }
    }

    fn done(self) {
        assert!(self.checked > 0);
        assert!(self.errs.is_empty(), "{} of {} refusals wrong:\n{}", self.errs.len(), self.checked, self.errs.join("\n"));
    }
}

/// `ix` with account `i` replaced by `key` (same flags).
fn with(ix: &Instruction, i: usize, key: &Pk) -> Instruction {
    let mut x = ix.clone();
    x.accounts[i].pubkey = addr(key);
    x
}

/// `ix` with only its first `n` accounts (the `#[derive(Accounts)]` struct, no health accounts).
fn head(mut ix: Instruction, n: usize) -> Instruction {
    ix.accounts.truncate(n);
    ix
}

/// A copy of `key` (same lamports and data) under a new address, owned by `owner`.
fn copy_owned_by(env: &mut Env, key: &Pk, owner: &Pk) -> Pk {
    let mut acc = env.account(key).unwrap_or_else(|| panic!("no account {key}"));
    acc.owner = addr(owner);
    let k = Pk::new_unique();
    env.set_account(&k, acc);
    k
}

/// A forged copy of a program account: the same bytes, owned by another program.
fn forged(env: &mut Env, key: &Pk) -> Pk {
    copy_owned_by(env, key, &Pk::new_unique())
}

/// A zeroed, program-owned account of an underlying's size (as the client creates it).
fn blank_underlying(env: &mut Env) -> Pk {
    let key = Pk::new_unique();
    let size = 8 + core::mem::size_of::<Underlying>();
    let lamports = env.svm.minimum_balance_for_rent_exemption(size);
    env.set_account(
        &key,
        solana_account::Account { lamports, data: vec![0; size], owner: addr(&maxwell::ID), executable: false, rent_epoch: 0 },
    );
    key
}

/// A Pyth-receiver-owned account with a valid `PriceUpdateV2` body but another discriminator
/// (another account type of the receiver).
fn receiver_cosplay(env: &mut Env, key: &Pk, q: Quote) {
    env.write_price(key, q);
    let mut acc = env.account(key).unwrap();
    acc.data[..8].copy_from_slice(&[0xA5; 8]);
    env.set_account(key, acc);
}

fn underlying_args() -> UnderlyingCreateArgs {
    UnderlyingCreateArgs {
        feed_id: feed(SOL_FEED),
        vol_oracle: Pk::new_unique(),
        oracle_max_age_secs: 60,
        oracle_max_conf_bps: 200,
        surface_max_age_secs: 3_600,
        risk_max_age_secs: 600,
        risk_spot_tolerance_bps: 100,
    }
}

fn underlying_create_ix(admin: &Pk, exchange: &Pk, underlying: &Pk, oracle: &Pk, spot_bank: Option<Pk>) -> Instruction {
    build(
        maxwell::accounts::UnderlyingCreate { admin: *admin, exchange: *exchange, underlying: *underlying, oracle: *oracle, spot_bank },
        maxwell::instruction::UnderlyingCreate { args: underlying_args() },
        &[],
    )
}

fn insurance_pda(exchange: &Pk) -> Pk {
    Pk::find_program_address(&[maxwell::constants::INSURANCE_SEED, exchange.as_ref()], &maxwell::ID).0
}

fn insurance_create_ix(admin: &Pk, exchange: &Pk, insurance: &Pk) -> Instruction {
    build(
        maxwell::accounts::InsuranceCreate {
            admin: *admin,
            exchange: *exchange,
            insurance: *insurance,
            system_program: anchor_lang::system_program::ID,
        },
        maxwell::instruction::InsuranceCreate {},
        &[],
    )
}

fn account_create_at(owner: &Pk, payer: &Pk, exchange: &Pk, account: &Pk, id: u32) -> Instruction {
    build(
        maxwell::accounts::AccountCreate {
            owner: *owner,
            payer: *payer,
            exchange: *exchange,
            account: *account,
            system_program: anchor_lang::system_program::ID,
        },
        maxwell::instruction::AccountCreate { id },
        &[],
    )
}

fn policy(accounts: Vec<Pk>) -> PolicyArgs {
    let feeds = (0..accounts.len()).map(|i| u8::from(i == 1)).collect();
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

/// A change any exchange's admin may queue (doubling the test timelock is within its step).
/// A valid listing schedule (weekly, four ahead).
fn schedule() -> maxwell::instructions::ListingScheduleArgs {
    maxwell::instructions::ListingScheduleArgs {
        cadence_secs: 7 * DAY,
        anchor_ts: 1_800_000_000,
        horizon: 4,
        half_strikes: 3,
        step_bps: 500,
        tick: D,
        oi_cap: 10,
        enabled: true,
    }
}

fn timelock_change() -> Change {
    Change::Timelock { secs: 2 * TEST_TIMELOCK_SECS }
}

fn call(m: &Market) -> Vec<TradeLeg> {
    vec![TradeLeg { series_index: m.series(150 * D, 0), size: 1, price: D }]
}

fn take(m: &Market) -> Vec<LiquidateLeg> {
    vec![LiquidateLeg { series_index: m.series(150 * D, 0), size: 1 }]
}

// ---------------------------------------------------------------------------------------------
// The attacker's exchange.

/// Exchange B: its admin (the attacker), banks and accounts, swapped into a `World` to use the
/// world's helpers on it.
struct Other {
    admin: Keypair,
    exchange: Pk,
    usdc: BankRef,
    sol: BankRef,
    banks: Vec<(BankRef, Option<Pk>)>,
    accounts: Vec<Pk>,
}

fn swap(w: &mut World, o: &mut Other) {
    std::mem::swap(&mut w.admin, &mut o.admin);
    std::mem::swap(&mut w.exchange, &mut o.exchange);
    std::mem::swap(&mut w.usdc, &mut o.usdc);
    std::mem::swap(&mut w.sol, &mut o.sol);
    std::mem::swap(&mut w.banks, &mut o.banks);
    std::mem::swap(&mut w.accounts, &mut o.accounts);
}

/// Runs `f` with `w` acting as exchange B.
fn as_other<R>(w: &mut World, o: &mut Other, f: impl FnOnce(&mut World) -> R) -> R {
    swap(w, o);
    let r = f(w);
    swap(w, o);
    r
}

/// Exchange B over the same USDC (quote) and SOL mints and the same SOL oracle as `w`.
fn other_exchange(w: &mut World) -> Other {
    let admin = w.env.new_funded_keypair();
    let a = pk(&admin.pubkey());
    let exchange = ix::exchange_pda(&a);
    let (usdc_mint, sol_mint, oracle) = (w.usdc.mint, w.sol.mint, w.sol_oracle);
    w.env.ok(&[ix::exchange_init(&a, &usdc_mint, exchange_params())], &[&admin]);
    let mut o = Other { admin, exchange, usdc: w.usdc, sol: w.sol, banks: vec![], accounts: vec![] };
    as_other(w, &mut o, |w| {
        w.usdc = w.add_bank(&usdc_mint, None, quote_bank_params());
        w.sol = w.add_bank(&sol_mint, Some(oracle), bank_params(feed(SOL_FEED)));
    });
    o
}

/// Exchange A: a SOL market, an insurance fund, a maker (USDC and SOL) short one call to a taker,
/// a rich `liq`, a `spare` account, the maker's second account `sub` and its policy over both.
/// Exchange B (the attacker's): its own market, insurance fund, two funded traders, and the
/// maker's two accounts there with a policy over them.
struct Setup {
    w: World,
    m: Market,
    ins: Pk,
    maker: Trader,
    taker: Trader,
    liq: Trader,
    spare: Trader,
    sub: Pk,
    /// A pending proposal on A and one on B.
    prop: u64,
    b_prop: u64,
    o: Other,
    om: Market,
    b_ins: Pk,
    b1: Trader,
    b2: Trader,
    maker_b: (Pk, Pk),
}

fn setup() -> Setup {
    let mut w = World::new();
    let m = w.market(&[150 * D]);
    let ins = w.insurance();
    let (maker, taker, liq, spare) = (w.trader(), w.trader(), w.trader(), w.trader());
    let (usdc, sol) = (w.usdc, w.sol);
    for t in [&maker, &taker, &liq] {
        w.deposit(t, &usdc, &t.usdc_wallet, 10_000 * USDC);
    }
    w.deposit(&maker, &sol, &maker.sol_wallet, 10 * SOL);
    let c150 = m.series(150 * D, 0);
    w.trade(&m, &maker, &taker, vec![TradeLeg { series_index: c150, size: 1, price: w.at_mark(&m, c150) }]);
    let sub = w.sub_account(&maker, 1).account;
    w.env.ok(&[w.policy_set_ix(&maker.key, policy(vec![maker.account, sub]))], &[&maker.kp]);
    let prop = w.propose(timelock_change(), None, None);

    let mut o = other_exchange(&mut w);
    let (om, b_ins, b1, b2, maker_b, b_prop) = as_other(&mut w, &mut o, |w| {
        let om = w.market(&[150 * D]);
        let b_ins = w.insurance();
        let (b1, b2) = (w.trader(), w.trader());
        let usdc = w.usdc;
        w.deposit(&b1, &usdc, &b1.usdc_wallet, 10_000 * USDC);
        w.deposit(&b2, &usdc, &b2.usdc_wallet, 10_000 * USDC);
        let mb0 = ix::account_pda(&w.exchange, &maker.key, 0);
        w.env.ok(&[ix::account_create(&maker.key, &maker.key, &w.exchange, 0)], &[&maker.kp]);
        w.accounts.push(mb0);
        let mb1 = w.sub_account(&maker, 1).account;
        w.env.ok(&[w.policy_set_ix(&maker.key, policy(vec![mb0, mb1]))], &[&maker.kp]);
        let b_prop = w.propose(timelock_change(), None, None);
        (om, b_ins, b1, b2, (mb0, mb1), b_prop)
    });
    Setup { w, m, ins, maker, taker, liq, spare, sub, prop, b_prop, o, om, b_ins, b1, b2, maker_b }
}

// ---------------------------------------------------------------------------------------------
// Signer, owner and type cosplay: every instruction, every account.

/// One instruction of every kind with every account of the right type (no health accounts);
/// the generic tests fail before any handler runs. Also the keypairs that sign them.
fn catalogue(s: &mut Setup) -> (Vec<(&'static str, Instruction)>, Vec<Keypair>) {
    let new_admin = s.w.env.new_funded_keypair();
    let newbie = s.w.env.new_funded_keypair();
    let payer2 = s.w.env.new_funded_keypair();
    let new_mint = s.w.env.create_mint(spl_token(), 6);
    let blank = blank_underlying(&mut s.w.env);
    let w = &s.w;
    let (ex, admin, m) = (w.exchange, w.admin_pk(), &s.m);
    let (usdc, sol) = (w.usdc, w.sol);
    let (maker, taker, liq) = (&s.maker, &s.taker, &s.liq);
    let ixs = vec![
        ("exchange_init", ix::exchange_init(&pk(&new_admin.pubkey()), &usdc.mint, exchange_params())),
        ("ix_gate_set", ix::ix_gate_set(&admin, &ex, 0)),
        ("bank_create", ix::bank_create(&admin, &ex, &new_mint, Some(w.sol_oracle), &spl_token(), bank_params(feed(SOL_FEED)))),
        ("account_create", ix::account_create(&pk(&newbie.pubkey()), &pk(&payer2.pubkey()), &ex, 0)),
        ("account_close", ix::account_close(&maker.key, &ex, &maker.account, &maker.key)),
        ("deposit", ix::deposit(&maker.key, &maker.account, &usdc, &maker.usdc_wallet, USDC, &[])),
        ("withdraw", ix::withdraw(&maker.key, &maker.account, &usdc, &maker.usdc_wallet, USDC, &[])),
        ("underlying_create", underlying_create_ix(&admin, &ex, &blank, &w.sol_oracle, Some(sol.bank))),
        ("series_list", w.series_list_ix(m, m.expiry, &[160 * D], 10)),
        ("listing_schedule_set", w.listing_schedule_ix(m, schedule())),
        ("listing_execute", w.listing_execute_ix(m)),
        ("vol_surface_update", w.vol_update_ix(m, 0, svi_for(0.8, 30.0))),
        ("risk_refresh", w.refresh_ix(m, 0, 2)),
        ("trade", head(w.trade_ix(m, maker, taker, call(m)), 7)),
        ("expiry_settle_price", w.settle_price_ix(m, 0)),
        ("expiry_retire", w.expiry_retire_ix(m, &liq.key, 0)),
        ("account_settle", head(w.account_settle_ix(m, &maker.account), 4)),
        ("delegate_set", w.delegate_set_ix(&maker.key, &maker.account, Pk::new_unique())),
        ("account_health", head(w.health_ix(&maker.account, Some(m)), 2)),
        ("insurance_create", insurance_create_ix(&admin, &ex, &s.ins)),
        ("liquidate", head(w.liquidate_ix(m, &taker.account, liq, &s.ins, take(m)), 7)),
        ("bank_set_params", w.bank_set_params_ix(&admin, &usdc, quote_bank_params())),
        ("accrue_interest", w.accrue_ix(&usdc)),
        ("balance_liquidate", head(w.balance_liquidate_ix(None, &taker.account, liq, &sol, &usdc, &s.ins, u64::MAX), 8)),
        ("bankruptcy_resolve", head(w.bankruptcy_ix(&liq.key, &taker.account, &usdc, &s.ins), 5)),
        ("policy_set", head(w.policy_set_ix(&liq.key, policy(vec![liq.account])), 4)),
        ("rebalance_accounts", head(w.rebalance_accounts_ix(liq, &maker.key, &maker.account, &s.sub, &usdc, USDC, None), 7)),
        ("rebalance_collateral", head(w.rebalance_collateral_ix(liq, &maker.key, &maker.account, &sol, USDC, 50, None), 7)),
        ("realized_vol_update", w.realized_vol_ix(m)),
        ("gov_propose", w.gov_propose_ix(&admin, w.next_proposal_id(), timelock_change(), Some(usdc.bank), Some(m.underlying))),
        ("gov_execute", w.gov_execute_ix(&liq.key, s.prop, Some(usdc.bank), Some(m.underlying))),
        ("gov_cancel", w.gov_cancel_ix(&admin, s.prop)),
        ("admin_transfer_propose", w.admin_transfer_propose_ix(&admin, Pk::new_unique())),
        ("admin_transfer_accept", w.admin_transfer_accept_ix(&liq.key)),
        ("vol_breaker_clear", w.vol_breaker_clear_ix(&admin, &m.underlying)),
    ];
    let keys = vec![
        w.admin.insecure_clone(),
        s.o.admin.insecure_clone(),
        maker.kp.insecure_clone(),
        taker.kp.insecure_clone(),
        liq.kp.insecure_clone(),
        new_admin,
        newbie,
        payer2,
    ];
    (ixs, keys)
}

/// Signer: every `Signer` of every instruction, left unsigned, is refused by Anchor before any
/// account is created or read (AccountNotSigner, 3010).
#[test]
fn every_signer_must_sign() {
    let mut s = setup();
    let (ixs, keys) = catalogue(&mut s);
    let pool: Vec<&Keypair> = keys.iter().collect();
    let payer = s.w.env.payer.pubkey();
    let mut r = Refusals::default();
    let mut per_ix = vec![];
    for (name, ixn) in &ixs {
        let mut n = 0;
        for i in 0..ixn.accounts.len() {
            if !ixn.accounts[i].is_signer || ixn.accounts[i].pubkey == payer {
                continue;
            }
            let mut x = ixn.clone();
            x.accounts[i].is_signer = false;
            r.check(&mut s.w.env, &format!("{name}: account {i} unsigned"), &[x], &pool, an(A::AccountNotSigner));
            n += 1;
        }
        per_ix.push((*name, n));
    }
    // The permissionless cranks take no signer at all.
    let none: Vec<&str> = per_ix.iter().filter(|(_, n)| *n == 0).map(|(name, _)| *name).collect();
    assert_eq!(
        none,
        [
            "listing_execute",
            "risk_refresh",
            "expiry_settle_price",
            "account_settle",
            "account_health",
            "accrue_interest",
            "realized_vol_update"
        ]
    );
    r.done();
}

/// Owner and type cosplay: every program account of every instruction (every `AccountLoader`
/// slot holding an existing Maxwell account), (1) replaced by a byte-for-byte copy owned by
/// another program: AccountOwnedByWrongProgram (3007); (2) replaced by a Maxwell account of
/// another type (a margin account for a bank, exchange, underlying or policy; a bank for a margin
/// account): AccountDiscriminatorMismatch (3002). The `zero` underlying of `underlying_create` and
/// the `init` insurance fund are the creation targets (see the reinitialisation test).
#[test]
fn every_program_account_is_checked_for_owner_and_type() {
    let mut s = setup();
    let (ixs, keys) = catalogue(&mut s);
    let pool: Vec<&Keypair> = keys.iter().collect();
    let (bank, spare) = (s.w.usdc.bank, s.spare.account);
    let mut r = Refusals::default();
    let mut slots = 0;
    for (name, ixn) in &ixs {
        for i in 0..ixn.accounts.len() {
            if matches!((*name, i), ("underlying_create", 2) | ("insurance_create", 2)) {
                continue;
            }
            let key = pk(&ixn.accounts[i].pubkey);
            let Some(acc) = s.w.env.account(&key) else { continue };
            if pk(&acc.owner) != maxwell::ID {
                continue;
            }
            slots += 1;
            let fake = forged(&mut s.w.env, &key);
            r.check(&mut s.w.env, &format!("{name}: account {i} forged"), &[with(ixn, i, &fake)], &pool, an(A::AccountOwnedByWrongProgram));
            let other_type = if acc.data[..8] == *MarginAccount::DISCRIMINATOR { bank } else { spare };
            r.check(
                &mut s.w.env,
                &format!("{name}: account {i} another type"),
                &[with(ixn, i, &other_type)],
                &pool,
                an(A::AccountDiscriminatorMismatch),
            );
        }
    }
    assert!(slots >= 80, "{slots} program-account slots");
    r.done();
}

/// Health accounts (remaining accounts) are read by hand: owner, discriminator, exchange and the
/// oracle that follows each bank or underlying are checked, each with its own code.
#[test]
fn health_accounts_owner_type_exchange_and_oracle() {
    let mut s = setup();
    let (usdc, sol, m, maker) = (s.w.usdc, s.w.sol, &s.m, &s.maker);
    let h = s.w.health_union(&[maker.account], Some(m), &[]);
    assert_eq!(h, vec![usdc.bank, sol.bank, s.w.sol_oracle, m.underlying, m.oracle]);
    let kp = maker.kp.insecure_clone();
    let pool = [&kp];
    let wd = |h: &[Pk]| ix::withdraw(&maker.key, &maker.account, &usdc, &maker.usdc_wallet, USDC, h);
    let mut r = Refusals::default();
    let env = &mut s.w.env;
    let mismatch = mx(E::HealthAccountsMismatch);

    // Owner: byte-for-byte copies owned by another program.
    let (f_usdc, f_sol, f_u) = (forged(env, &usdc.bank), forged(env, &sol.bank), forged(env, &m.underlying));
    r.check(env, "forged quote bank", &[wd(&[f_usdc, sol.bank, m.oracle, m.underlying, m.oracle])], &pool, mismatch.clone());
    r.check(env, "forged SOL bank", &[wd(&[usdc.bank, f_sol, m.oracle, m.underlying, m.oracle])], &pool, mismatch.clone());
    r.check(env, "forged underlying", &[wd(&[usdc.bank, sol.bank, m.oracle, f_u, m.oracle])], &pool, mismatch.clone());
    // A copy owned by the Pyth receiver (an oracle where a bank belongs).
    let rec = copy_owned_by(env, &sol.bank, &mock_pyth::ID);
    r.check(env, "receiver-owned bank copy", &[wd(&[usdc.bank, rec, m.oracle, m.underlying, m.oracle])], &pool, mismatch.clone());
    // Type cosplay: Maxwell accounts of other types, a wallet, a token account, an oracle alone.
    let pol_a = policy_pda(&s.w.exchange, &s.maker.key);
    for (label, extra) in [
        ("margin account", s.taker.account),
        ("exchange", s.w.exchange),
        ("policy", pol_a),
        ("wallet", s.taker.key),
        ("token account", s.taker.usdc_wallet),
        ("oracle alone", m.oracle),
    ] {
        let mut hh = h.clone();
        hh.push(extra);
        r.check(env, &format!("health + {label}"), &[wd(&hh)], &pool, mismatch.clone());
    }
    // A non-quote bank without its oracle (last entry), a missing underlying, a missing bank.
    r.check(env, "bank without its oracle", &[wd(&[usdc.bank, m.underlying, m.oracle, sol.bank])], &pool, mismatch.clone());
    r.check(env, "no underlying", &[wd(&[usdc.bank, sol.bank, m.oracle])], &pool, mismatch.clone());
    r.check(env, "no SOL bank", &[wd(&[usdc.bank, m.underlying, m.oracle])], &pool, mismatch.clone());
    // Another valid, fresh oracle of the same feed after the bank or the underlying.
    let alt = Pk::new_unique();
    let now = env.now();
    env.write_price(&alt, Quote::new(feed(SOL_FEED), SOL_PRICE, SOL_EXPO, now));
    r.check(env, "bank + another oracle", &[wd(&[usdc.bank, sol.bank, alt, m.underlying, m.oracle])], &pool, mx(E::WrongOracle));
    r.check(env, "underlying + another oracle", &[wd(&[usdc.bank, sol.bank, m.oracle, m.underlying, alt])], &pool, mx(E::WrongOracle));
    r.done();
    // The genuine list passes.
    s.w.env.ok(&[wd(&h)], &[&kp]);
    s.w.assert_conservation();
}

/// Duplicate health accounts count once: the same bank, oracle and underlying twice give the
/// same health to the unit (the engine looks each index up once; every entry is validated).
#[test]
fn duplicate_health_accounts_count_once() {
    let mut s = setup();
    let h = s.w.health_union(&[s.maker.account], Some(&s.m), &[]);
    let once = s.w.health_ix(&s.maker.account, Some(&s.m));
    let mut twice = head(once.clone(), 2);
    for k in h.iter().chain(h.iter()) {
        twice.accounts.push(solana_instruction::AccountMeta::new_readonly(addr(k), false));
    }
    let a = s.w.env.ok_big(&[once], &[]).return_data;
    let b = s.w.env.ok_big(&[twice], &[]).return_data;
    assert_eq!(a, b, "HealthLog with each health account once vs twice");
    let log: maxwell::events::HealthLog = anchor_lang::AnchorDeserialize::deserialize(&mut a.as_slice()).unwrap();
    assert!(log.initial_requirement > 0, "the account carries option risk: {log:?}");
}

// ---------------------------------------------------------------------------------------------
// Another exchange's accounts.

/// The attacker's exchange B (its banks, underlying, insurance fund, accounts, policy), passed
/// to exchange A in every exchange-bound slot, and A's accounts passed to B: WrongExchange (6004)
/// on the first mismatched account, nothing changed. Also the vault of B's bank of the same mint
/// (WrongVault), B's accounts in the health accounts, and B's bank as a spot bank.
#[test]
fn another_exchanges_accounts_are_refused() {
    let mut s = setup();
    let w = &s.w;
    let (ex, ex_b) = (w.exchange, s.o.exchange);
    let (usdc, sol, bu, bs) = (w.usdc, w.sol, s.o.usdc, s.o.sol);
    let (m, om) = (&s.m, &s.om);
    let (maker, taker, liq, b1, b2) = (&s.maker, &s.taker, &s.liq, &s.b1, &s.b2);
    let (ins, b_ins) = (s.ins, s.b_ins);
    let attacker = pk(&s.o.admin.pubkey());
    let wrong = mx(E::WrongExchange);
    let keys = [
        w.admin.insecure_clone(),
        s.o.admin.insecure_clone(),
        maker.kp.insecure_clone(),
        taker.kp.insecure_clone(),
        liq.kp.insecure_clone(),
        b1.kp.insecure_clone(),
    ];
    let pool: Vec<&Keypair> = keys.iter().collect();
    let mut cases: Vec<(String, Instruction, InstructionError)> = vec![];
    let mut add = |label: &str, ixn: Instruction, want: &InstructionError| cases.push((label.to_string(), ixn, want.clone()));

    // Account and bank instructions on A with B's account or bank.
    let h = w.health_union(&[maker.account], Some(m), &[]);
    let dep = ix::deposit(&maker.key, &maker.account, &usdc, &maker.usdc_wallet, USDC, &h);
    add("deposit: B's account", with(&dep, 2, &b1.account), &wrong);
    add("deposit: B's bank", with(&with(&dep, 3, &bu.bank), 4, &bu.vault), &wrong);
    add("deposit: B's vault of the same mint", with(&dep, 4, &bu.vault), &mx(E::WrongVault));
    add("deposit: exchange B with A's account", with(&dep, 1, &ex_b), &wrong);
    let wd = ix::withdraw(&maker.key, &maker.account, &usdc, &maker.usdc_wallet, USDC, &h);
    add("withdraw: B's account", with(&wd, 2, &b1.account), &wrong);
    add("withdraw: B's bank and vault", with(&with(&wd, 3, &bu.bank), 4, &bu.vault), &wrong);
    add("withdraw: B's vault of the same mint", with(&wd, 4, &bu.vault), &mx(E::WrongVault));
    add("withdraw: exchange B with A's account", with(&wd, 1, &ex_b), &wrong);
    add("account_close: B's account", ix::account_close(&b1.key, &ex, &b1.account, &b1.key), &wrong);
    add("delegate_set: B's account", w.delegate_set_ix(&b1.key, &b1.account, Pk::new_unique()), &wrong);
    let hx = w.health_ix(&maker.account, Some(m));
    add("account_health: B's account", with(&hx, 1, &b1.account), &wrong);
    add("account_health: exchange B with A's account", with(&hx, 0, &ex_b), &wrong);

    // Health accounts of B.
    add(
        "withdraw: B's quote bank in health",
        ix::withdraw(&maker.key, &maker.account, &usdc, &maker.usdc_wallet, USDC, &[bu.bank, sol.bank, m.oracle, m.underlying, m.oracle]),
        &wrong,
    );
    add(
        "withdraw: B's SOL bank in health",
        ix::withdraw(&maker.key, &maker.account, &usdc, &maker.usdc_wallet, USDC, &[usdc.bank, bs.bank, m.oracle, m.underlying, m.oracle]),
        &wrong,
    );
    add(
        "withdraw: B's underlying in health",
        ix::withdraw(
            &maker.key,
            &maker.account,
            &usdc,
            &maker.usdc_wallet,
            USDC,
            &[usdc.bank, sol.bank, m.oracle, om.underlying, om.oracle],
        ),
        &wrong,
    );

    // Market instructions.
    let tr = w.trade_ix(m, maker, taker, call(m));
    add("trade: B's maker", with(&tr, 1, &b1.account), &wrong);
    add("trade: B's taker", with(&tr, 3, &b2.account), &wrong);
    add("trade: B's underlying", with(&tr, 5, &om.underlying), &wrong);
    add("trade: B's quote bank", with(&tr, 6, &bu.bank), &wrong);
    let mut tr_h = tr.clone();
    for meta in tr_h.accounts.iter_mut().skip(7) {
        if meta.pubkey == addr(&m.underlying) {
            meta.pubkey = addr(&om.underlying);
        }
    }
    add("trade: B's underlying in health", tr_h, &wrong);
    let st = w.account_settle_ix(m, &maker.account);
    add("account_settle: B's account", with(&st, 1, &b1.account), &wrong);
    add("account_settle: B's underlying", with(&st, 2, &om.underlying), &wrong);
    add("account_settle: B's quote bank", with(&st, 3, &bu.bank), &wrong);

    // Liquidations and bankruptcy: B's accounts, banks and insurance fund.
    let lq = w.liquidate_ix(m, &taker.account, liq, &ins, take(m));
    add("liquidate: B's liquidatee", with(&lq, 1, &b1.account), &wrong);
    add("liquidate: B's liquidator", with(&lq, 2, &b2.account), &wrong);
    add("liquidate: B's underlying", with(&lq, 4, &om.underlying), &wrong);
    add("liquidate: B's quote bank", with(&lq, 5, &bu.bank), &wrong);
    add("liquidate: B's insurance fund", with(&lq, 6, &b_ins), &wrong);
    let bl = w.balance_liquidate_ix(None, &taker.account, liq, &sol, &usdc, &ins, u64::MAX);
    add("balance_liquidate: B's liquidatee", with(&bl, 1, &b1.account), &wrong);
    add("balance_liquidate: B's liquidator", with(&bl, 2, &b2.account), &wrong);
    add("balance_liquidate: B's asset bank", with(&bl, 4, &bs.bank), &wrong);
    add("balance_liquidate: B's liability bank", with(&bl, 5, &bu.bank), &wrong);
    add("balance_liquidate: B's quote bank", with(&bl, 6, &bu.bank), &wrong);
    add("balance_liquidate: B's insurance fund", with(&bl, 7, &b_ins), &wrong);
    let bk = w.bankruptcy_ix(&liq.key, &taker.account, &usdc, &ins);
    add("bankruptcy_resolve: B's account", with(&bk, 2, &b1.account), &wrong);
    add("bankruptcy_resolve: B's bank", with(&bk, 3, &bu.bank), &wrong);
    add("bankruptcy_resolve: B's insurance fund", with(&bk, 4, &b_ins), &wrong);

    // Rebalancing: B's keeper account, policy, accounts, banks.
    let (mb0, mb1) = s.maker_b;
    let pol_b = policy_pda(&ex_b, &maker.key);
    let ra = w.rebalance_accounts_ix(liq, &maker.key, &maker.account, &s.sub, &usdc, USDC, None);
    add("rebalance_accounts: B's keeper account", with(&ra, 1, &b1.account), &wrong);
    add("rebalance_accounts: B's policy", with(&ra, 3, &pol_b), &wrong);
    add("rebalance_accounts: B's source", with(&ra, 4, &mb0), &wrong);
    add("rebalance_accounts: B's destination", with(&ra, 5, &mb1), &wrong);
    add("rebalance_accounts: B's bank", with(&ra, 6, &bu.bank), &wrong);
    let rc = w.rebalance_collateral_ix(liq, &maker.key, &maker.account, &sol, USDC, 50, None);
    add("rebalance_collateral: B's keeper account", with(&rc, 1, &b1.account), &wrong);
    add("rebalance_collateral: B's policy", with(&rc, 3, &pol_b), &wrong);
    add("rebalance_collateral: B's account", with(&rc, 4, &mb0), &wrong);
    add("rebalance_collateral: B's quote bank", with(&rc, 5, &bu.bank), &wrong);
    add("rebalance_collateral: B's bank", with(&rc, 6, &bs.bank), &wrong);
    add(
        "policy_set: the owner's account on B listed on A",
        w.policy_set_ix(&maker.key, policy(vec![maker.account, mb0])),
        &mx(E::PolicyAccountNotListed),
    );

    // Keeper cranks on A with B's bank or underlying, and on B (its risk parameters and quote
    // decimals) with A's underlying or bank.
    add("accrue_interest: B's bank", with(&w.accrue_ix(&usdc), 1, &bu.bank), &wrong);
    add("accrue_interest: exchange B with A's bank", with(&w.accrue_ix(&usdc), 0, &ex_b), &wrong);
    for (name, ixn) in [
        ("risk_refresh", w.refresh_ix(m, 0, 2)),
        ("expiry_settle_price", w.settle_price_ix(m, 0)),
        ("realized_vol_update", w.realized_vol_ix(m)),
        ("listing_execute", w.listing_execute_ix(m)),
    ] {
        add(&format!("{name}: B's underlying"), with(&ixn, 1, &om.underlying), &wrong);
        add(&format!("{name}: exchange B with A's underlying"), with(&ixn, 0, &ex_b), &wrong);
    }
    let ret = w.expiry_retire_ix(m, &liq.key, 0);
    add("expiry_retire: B's underlying", with(&ret, 2, &om.underlying), &wrong);
    add("expiry_retire: exchange B with A's underlying", with(&ret, 1, &ex_b), &wrong);

    // The attacker, admin of B, on B with A's bank or underlying.
    let sp = w.bank_set_params_ix(&attacker, &usdc, generous_params());
    add("bank_set_params: attacker on B with A's bank", with(&sp, 1, &ex_b), &wrong);
    let sl = with(&w.series_list_ix(m, m.expiry, &[160 * D], 10), 0, &attacker);
    add("series_list: attacker on B with A's underlying", with(&sl, 1, &ex_b), &wrong);
    let ls = with(&w.listing_schedule_ix(m, schedule()), 0, &attacker);
    add("listing_schedule_set: attacker on B with A's underlying", with(&ls, 1, &ex_b), &wrong);
    let vu = with(&w.vol_update_ix(m, 0, svi_for(3.0, 30.0)), 0, &attacker);
    add("vol_surface_update: attacker on B with A's underlying", with(&vu, 1, &ex_b), &wrong);

    // Exchange B passed with A's accounts everywhere else: the first exchange-bound account fails.
    add("trade: exchange B with A's accounts", with(&tr, 0, &ex_b), &wrong);
    add("account_settle: exchange B with A's accounts", with(&st, 0, &ex_b), &wrong);
    add("liquidate: exchange B with A's accounts", with(&lq, 0, &ex_b), &wrong);
    add("balance_liquidate: exchange B with A's accounts", with(&bl, 0, &ex_b), &wrong);
    add("bankruptcy_resolve: exchange B with A's accounts", with(&bk, 1, &ex_b), &wrong);
    add("rebalance_accounts: exchange B with A's accounts", with(&ra, 2, &ex_b), &wrong);
    add("rebalance_collateral: exchange B with A's accounts", with(&rc, 2, &ex_b), &wrong);
    add("account_close: exchange B with A's account", ix::account_close(&maker.key, &ex_b, &maker.account, &maker.key), &wrong);
    add(
        "delegate_set: exchange B with A's account",
        with(&w.delegate_set_ix(&maker.key, &maker.account, Pk::new_unique()), 1, &ex_b),
        &wrong,
    );
    add("bank_set_params: A's admin with exchange B's bank", w.bank_set_params_ix(&w.admin_pk(), &bu, quote_bank_params()), &wrong);
    let mut ps_b = w.policy_set_ix(&maker.key, policy(vec![maker.account, s.sub]));
    ps_b.accounts[1].pubkey = addr(&ex_b);
    ps_b.accounts[2].pubkey = addr(&pol_b);
    add("policy_set: the owner's policy on B listing its accounts on A", ps_b, &mx(E::PolicyAccountNotListed));

    // Governance: B's targets queued on A, A's targets queued by the attacker on B, B's proposals
    // executed or cancelled on A, A's proposals and underlyings reached through B (where the
    // attacker is admin and guardian).
    let admin = w.admin_pk();
    let next = w.next_proposal_id();
    let b_params = Change::BankParams { bank: bu.bank, params: quote_bank_params() };
    add("gov_propose: B's bank as the target", w.gov_propose_ix(&admin, next, b_params, Some(bu.bank), None), &wrong);
    let b_cap = Change::OiCap { underlying: om.underlying, series_index: 0, oi_cap: 1 };
    add("gov_propose: B's underlying as the target", w.gov_propose_ix(&admin, next, b_cap, None, Some(om.underlying)), &wrong);
    let next_b = w.env.zc::<Exchange>(&ex_b).gov.proposal_count;
    let on_a = Change::BankParams { bank: usdc.bank, params: generous_params() };
    let gp_b = build(
        maxwell::accounts::GovPropose {
            proposer: attacker,
            exchange: ex_b,
            proposal: proposal_pda(&ex_b, next_b),
            bank: Some(usdc.bank),
            underlying: None,
            system_program: anchor_lang::system_program::ID,
        },
        maxwell::instruction::GovPropose { id: next_b, change: on_a },
        &[],
    );
    add("gov_propose: the attacker on B targeting A's bank", gp_b, &wrong);
    let b_proposal = proposal_pda(&ex_b, s.b_prop);
    let ge = w.gov_execute_ix(&liq.key, s.prop, None, None);
    add("gov_execute: B's proposal", with(&ge, 2, &b_proposal), &wrong);
    add("gov_execute: exchange B with A's proposal", with(&ge, 1, &ex_b), &wrong);
    add("gov_execute: B's bank", w.gov_execute_ix(&liq.key, s.prop, Some(bu.bank), None), &wrong);
    add("gov_execute: B's underlying", w.gov_execute_ix(&liq.key, s.prop, None, Some(om.underlying)), &wrong);
    let gc = w.gov_cancel_ix(&admin, s.prop);
    add("gov_cancel: B's proposal", with(&gc, 2, &b_proposal), &wrong);
    add("gov_cancel: the attacker, guardian of B, passes B with A's proposal", with(&with(&gc, 0, &attacker), 1, &ex_b), &wrong);
    let vb = w.vol_breaker_clear_ix(&attacker, &m.underlying);
    add("vol_breaker_clear: the attacker, guardian of B, passes B with A's underlying", with(&vb, 1, &ex_b), &wrong);
    add("vol_breaker_clear: B's underlying", w.vol_breaker_clear_ix(&admin, &om.underlying), &wrong);

    let blank = blank_underlying(&mut s.w.env);
    let uc = underlying_create_ix(&attacker, &ex_b, &blank, &s.w.sol_oracle, Some(sol.bank));
    cases.push(("underlying_create: attacker on B with A's SOL bank as spot bank".into(), uc, mx(E::SpotBankInvalid)));

    let mut r = Refusals::default();
    let n = cases.len();
    for (label, ixn, want) in cases {
        r.check(&mut s.w.env, &label, &[ixn], &pool, want);
    }
    assert!(n >= 80, "{n} cases");
    r.done();
    s.w.assert_conservation();
}

/// Parameters an attacker would like on a victim's bank: full weights, borrowing wide open.
fn generous_params() -> maxwell::state::BankParamsArgs {
    maxwell::state::BankParamsArgs { borrow_cap: u64::MAX / 4, ..quote_bank_params() }
}

/// The admin of exchange B is nobody on exchange A: every admin instruction on A signed by it is
/// NotAdmin (the volatility oracle's, NotVolOracle), and creates nothing.
#[test]
fn another_exchanges_admin_is_not_admin() {
    let mut w = World::new(); // no insurance fund yet
    let m = w.market(&[150 * D]);
    let prop = w.propose(timelock_change(), None, None);
    let o = other_exchange(&mut w);
    let attacker = pk(&o.admin.pubkey());
    let ex = w.exchange;
    let new_mint = w.env.create_mint(spl_token(), 6);
    let blank = blank_underlying(&mut w.env);
    let not_admin = mx(E::NotAdmin);
    let ins = insurance_pda(&ex);
    let cases = [
        ("ix_gate_set", ix::ix_gate_set(&attacker, &ex, u64::MAX), not_admin.clone()),
        (
            "bank_create",
            ix::bank_create(&attacker, &ex, &new_mint, Some(w.sol_oracle), &spl_token(), bank_params(feed(SOL_FEED))),
            not_admin.clone(),
        ),
        ("underlying_create", underlying_create_ix(&attacker, &ex, &blank, &w.sol_oracle, Some(w.sol.bank)), not_admin.clone()),
        ("series_list", with(&w.series_list_ix(&m, m.expiry, &[160 * D], 10), 0, &attacker), not_admin.clone()),
        ("listing_schedule_set", with(&w.listing_schedule_ix(&m, schedule()), 0, &attacker), not_admin.clone()),
        ("bank_set_params", w.bank_set_params_ix(&attacker, &w.usdc, generous_params()), not_admin.clone()),
        ("insurance_create", insurance_create_ix(&attacker, &ex, &ins), not_admin.clone()),
        ("vol_surface_update", with(&w.vol_update_ix(&m, 0, svi_for(3.0, 30.0)), 0, &attacker), mx(E::NotVolOracle)),
        ("admin_transfer_propose", w.admin_transfer_propose_ix(&attacker, attacker), not_admin.clone()),
        ("admin_transfer_accept", w.admin_transfer_accept_ix(&attacker), mx(E::NotPendingAdmin)),
        (
            "gov_propose",
            w.gov_propose_ix(&attacker, w.next_proposal_id(), Change::Roles { guardian: attacker, risk_admin: attacker }, None, None),
            mx(E::NotProposer),
        ),
        ("gov_cancel", w.gov_cancel_ix(&attacker, prop), mx(E::NotGuardian)),
        ("vol_breaker_clear", w.vol_breaker_clear_ix(&attacker, &m.underlying), mx(E::NotGuardian)),
    ];
    let kp = o.admin.insecure_clone();
    let pool = [&kp];
    let mut r = Refusals::default();
    for (label, ixn, want) in cases {
        r.check(&mut w.env, label, &[ixn], &pool, want);
    }
    r.done();
    assert!(w.env.account(&ins).is_none() && w.env.account(&ix::bank_pda(&ex, &new_mint)).is_none());
}

// ---------------------------------------------------------------------------------------------
// Duplicate mutable accounts.

/// The same account in two mutable roles: each pair has its own refusal. (Anchor's own duplicate
/// check covers `Account`/`InterfaceAccount` only, so the token accounts get 2040; the zero-copy
/// accounts are compared by key in the handlers.)
#[test]
fn duplicate_mutable_accounts_are_refused() {
    let mut s = setup();
    let w = &s.w;
    let (usdc, m, maker, taker, liq, ins) = (w.usdc, &s.m, &s.maker, &s.taker, &s.liq, s.ins);
    let spare = &s.spare;
    let keys = [maker.kp.insecure_clone(), liq.kp.insecure_clone(), spare.kp.insecure_clone()];
    let pool: Vec<&Keypair> = keys.iter().collect();
    let h = w.health_union(&[maker.account], Some(m), &[]);
    let cases = [
        ("trade: maker = taker", w.trade_ix(m, maker, maker, call(m)), mx(E::SelfTrade)),
        ("liquidate: liquidatee = insurance", w.liquidate_ix(m, &ins, liq, &ins, take(m)), mx(E::InsuranceIsLiquidatee)),
        (
            "liquidate: liquidator = insurance",
            with(&w.liquidate_ix(m, &taker.account, liq, &ins, take(m)), 2, &ins),
            mx(E::NotOwnerOrDelegate),
        ),
        (
            "balance_liquidate: liquidator = insurance",
            with(&w.balance_liquidate_ix(None, &taker.account, liq, &w.sol, &usdc, &ins, u64::MAX), 2, &ins),
            mx(E::NotOwnerOrDelegate),
        ),
        (
            "deposit: source = vault",
            ix::deposit(&maker.key, &maker.account, &usdc, &usdc.vault, USDC, &h),
            an(A::ConstraintDuplicateMutableAccount),
        ),
        (
            "withdraw: destination = vault",
            ix::withdraw(&maker.key, &maker.account, &usdc, &usdc.vault, USDC, &h),
            an(A::ConstraintDuplicateMutableAccount),
        ),
        (
            "account_close: rent destination = the account",
            ix::account_close(&spare.key, &w.exchange, &spare.account, &spare.account),
            an(A::ConstraintClose),
        ),
    ];
    let mut r = Refusals::default();
    for (label, ixn, want) in cases {
        r.check(&mut s.w.env, label, &[ixn], &pool, want);
    }
    r.done();
}

// ---------------------------------------------------------------------------------------------
// PDA seeds and bump, CPI targets, token account types.

/// Every PDA the program creates must be at its seeds with the canonical bump: another key, the
/// PDA of other seeds, or the same seeds with a non-canonical bump is ConstraintSeeds (2006).
#[test]
fn pda_accounts_need_their_seeds_and_canonical_bump() {
    let mut s = setup();
    let w = &mut s.w;
    let (ex, ex_b, admin) = (w.exchange, s.o.exchange, w.admin_pk());
    let newbie = w.env.new_funded_keypair();
    let nb = pk(&newbie.pubkey());
    let new_admin = w.env.new_funded_keypair();
    let na = pk(&new_admin.pubkey());
    let new_mint = w.env.create_mint(spl_token(), 6);
    let liq = s.liq.key;
    let seeds = an(A::ConstraintSeeds);

    // A bump below the canonical one that still gives an off-curve address.
    let margin_seeds = |owner: &Pk, id: u32| -> Vec<Vec<u8>> {
        vec![maxwell::constants::MARGIN_ACCOUNT_SEED.to_vec(), ex.to_bytes().to_vec(), owner.to_bytes().to_vec(), id.to_le_bytes().to_vec()]
    };
    let non_canonical = |parts: Vec<Vec<u8>>| -> Pk {
        let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
        let (_, canon) = Pk::find_program_address(&refs, &maxwell::ID);
        (0..canon)
            .rev()
            .find_map(|b| {
                let mut with_bump = refs.clone();
                let bb = [b];
                with_bump.push(&bb);
                Pk::create_program_address(&with_bump, &maxwell::ID).ok()
            })
            .expect("a non-canonical bump")
    };
    let policy_seeds = vec![maxwell::constants::POLICY_SEED.to_vec(), ex.to_bytes().to_vec(), liq.to_bytes().to_vec()];

    let ei = ix::exchange_init(&na, &w.usdc.mint, exchange_params());
    let bc = ix::bank_create(&admin, &ex, &new_mint, Some(w.sol_oracle), &spl_token(), bank_params(feed(SOL_FEED)));
    let other_bank = ix::bank_pda(&ex, &w.sol.mint);
    let ps_full = w.policy_set_ix(&liq, policy(vec![s.liq.account]));
    let pol_at = |key: &Pk| {
        let mut x = ps_full.clone();
        x.accounts[2].pubkey = addr(key);
        x
    };
    let next = w.next_proposal_id();
    let gp = w.gov_propose_ix(&admin, next, timelock_change(), None, None);
    let proposal_seeds = vec![maxwell::constants::PROPOSAL_SEED.to_vec(), ex.to_bytes().to_vec(), next.to_le_bytes().to_vec()];
    let cases = vec![
        ("gov_propose: the PDA of another id", with(&gp, 2, &proposal_pda(&ex, next + 1))),
        ("gov_propose: the PDA on exchange B", with(&gp, 2, &proposal_pda(&ex_b, next))),
        ("gov_propose: a non-canonical bump", with(&gp, 2, &non_canonical(proposal_seeds))),
        ("exchange_init: another admin's exchange PDA", with(&ei, 1, &ix::exchange_pda(&admin))),
        ("exchange_init: a random key", with(&ei, 1, &Pk::new_unique())),
        ("bank_create: the PDA of another mint", with(&bc, 3, &ix::bank_pda(&ex, &Pk::new_unique()))),
        ("bank_create: the PDA of the mint on exchange B", with(&bc, 3, &ix::bank_pda(&ex_b, &new_mint))),
        ("bank_create: the vault of another bank", with(&bc, 4, &ix::vault_pda(&other_bank))),
        ("bank_create: a random vault", with(&bc, 4, &Pk::new_unique())),
        ("account_create: another owner's PDA", account_create_at(&nb, &nb, &ex, &ix::account_pda(&ex, &liq, 7), 7)),
        ("account_create: another id's PDA", account_create_at(&nb, &nb, &ex, &ix::account_pda(&ex, &nb, 1), 0)),
        ("account_create: the PDA on exchange B", account_create_at(&nb, &nb, &ex, &ix::account_pda(&ex_b, &nb, 0), 0)),
        ("account_create: a non-canonical bump", account_create_at(&nb, &nb, &ex, &non_canonical(margin_seeds(&nb, 0)), 0)),
        ("account_create: a random key", account_create_at(&nb, &nb, &ex, &Pk::new_unique(), 0)),
        ("insurance_create: exchange B's fund PDA", insurance_create_ix(&admin, &ex, &insurance_pda(&ex_b))),
        ("insurance_create: a margin-account PDA", insurance_create_ix(&admin, &ex, &ix::account_pda(&ex, &admin, u32::MAX))),
        ("policy_set: another owner's policy PDA", pol_at(&policy_pda(&ex, &s.maker.key))),
        ("policy_set: the policy PDA on exchange B", pol_at(&policy_pda(&ex_b, &liq))),
        ("policy_set: a non-canonical bump", pol_at(&non_canonical(policy_seeds))),
    ];
    let keys = [w.admin.insecure_clone(), newbie, new_admin, s.liq.kp.insecure_clone()];
    let pool: Vec<&Keypair> = keys.iter().collect();
    let mut r = Refusals::default();
    for (label, ixn) in cases {
        r.check(&mut w.env, label, &[ixn], &pool, seeds.clone());
    }
    r.done();
}

/// CPI targets are pinned: the system program and the token program slots take only their
/// programs (InvalidProgramId, 3008, for another executable program or any other key), and a
/// bank's token program is the one it was created with (WrongTokenProgram).
#[test]
fn cpi_programs_are_pinned() {
    let mut s = setup();
    let w = &mut s.w;
    let (ex, admin) = (w.exchange, w.admin_pk());
    let (usdc, sol, maker) = (w.usdc, w.sol, &s.maker);
    let newbie = w.env.new_funded_keypair();
    let nb = pk(&newbie.pubkey());
    let new_admin = w.env.new_funded_keypair();
    let new_mint = w.env.create_mint(spl_token(), 6);
    let h = w.health_union(&[maker.account], Some(&s.m), &[]);
    let dep = ix::deposit(&maker.key, &maker.account, &usdc, &maker.usdc_wallet, USDC, &h);
    let wd = ix::withdraw(&maker.key, &maker.account, &usdc, &maker.usdc_wallet, USDC, &h);
    let ei = ix::exchange_init(&pk(&new_admin.pubkey()), &usdc.mint, exchange_params());
    let bc = ix::bank_create(&admin, &ex, &new_mint, Some(w.sol_oracle), &spl_token(), bank_params(feed(SOL_FEED)));
    let ac = ix::account_create(&nb, &nb, &ex, 0);
    let ic = insurance_create_ix(&admin, &s.o.exchange, &insurance_pda(&s.o.exchange));
    let ps = w.policy_set_ix(&s.liq.key, policy(vec![s.liq.account]));
    let gp = w.gov_propose_ix(&admin, w.next_proposal_id(), timelock_change(), None, None);
    let mut cases: Vec<(String, Instruction, InstructionError)> = vec![];
    for (fake_name, fake) in [("mock program", mock_pyth::ID), ("random key", Pk::new_unique())] {
        let invalid = an(A::InvalidProgramId);
        for (label, ixn, i) in [
            ("exchange_init system_program", &ei, 3),
            ("bank_create token_program", &bc, 6),
            ("bank_create system_program", &bc, 7),
            ("account_create system_program", &ac, 4),
            ("insurance_create system_program", &ic, 3),
            ("policy_set system_program", &ps, 3),
            ("gov_propose system_program", &gp, 5),
            ("deposit token_program", &dep, 7),
            ("withdraw token_program", &wd, 7),
        ] {
            cases.push((format!("{label} = {fake_name}"), with(ixn, i, &fake), invalid.clone()));
        }
    }
    // The other (real) token program for the SOL bank (Token-2022) and the USDC bank (SPL Token).
    let sol_h = w.health_union(&[maker.account], Some(&s.m), &[]);
    let sol_spl = BankRef { token_program: spl_token(), ..sol };
    let usdc_2022 = BankRef { token_program: token_2022(), ..usdc };
    let wrong_tp = mx(E::WrongTokenProgram);
    cases.push((
        "deposit: SOL bank with SPL Token".into(),
        ix::deposit(&maker.key, &maker.account, &sol_spl, &maker.sol_wallet, SOL, &sol_h),
        wrong_tp.clone(),
    ));
    cases.push((
        "withdraw: SOL bank with SPL Token".into(),
        ix::withdraw(&maker.key, &maker.account, &sol_spl, &maker.sol_wallet, SOL, &sol_h),
        wrong_tp.clone(),
    ));
    cases.push((
        "deposit: USDC bank with Token-2022".into(),
        ix::deposit(&maker.key, &maker.account, &usdc_2022, &maker.usdc_wallet, USDC, &h),
        wrong_tp.clone(),
    ));
    cases.push((
        "withdraw: USDC bank with Token-2022".into(),
        ix::withdraw(&maker.key, &maker.account, &usdc_2022, &maker.usdc_wallet, USDC, &h),
        wrong_tp,
    ));
    let keys =
        [w.admin.insecure_clone(), newbie, new_admin, maker.kp.insecure_clone(), s.liq.kp.insecure_clone(), s.o.admin.insecure_clone()];
    let pool: Vec<&Keypair> = keys.iter().collect();
    let mut r = Refusals::default();
    for (label, ixn, want) in cases {
        r.check(&mut w.env, &label, &[ixn], &pool, want);
    }
    r.done();
}

/// Token accounts and mints are typed by Anchor: owned by a token program (3007 otherwise) and
/// of the right layout (InvalidAccountData otherwise); a bank's vault is its own (WrongVault); a
/// deposit's source is the signer's (the token program's OwnerMismatch).
#[test]
fn token_accounts_are_owned_and_typed() {
    let mut s = setup();
    let w = &mut s.w;
    let (ex, admin, usdc, maker) = (w.exchange, w.admin_pk(), w.usdc, &s.maker);
    let h = w.health_union(&[maker.account], Some(&s.m), &[]);
    let dep = ix::deposit(&maker.key, &maker.account, &usdc, &maker.usdc_wallet, USDC, &h);
    let wd = ix::withdraw(&maker.key, &maker.account, &usdc, &maker.usdc_wallet, USDC, &h);
    let new_mint = w.env.create_mint(spl_token(), 6);
    let bc = ix::bank_create(&admin, &ex, &new_mint, Some(w.sol_oracle), &spl_token(), bank_params(feed(SOL_FEED)));
    let ei = ix::exchange_init(&maker.key, &usdc.mint, exchange_params());
    let forged_vault = forged(&mut w.env, &usdc.vault);
    let forged_mint = forged(&mut w.env, &usdc.mint);
    let forged_wallet = forged(&mut w.env, &maker.usdc_wallet);
    let forged_new_mint = forged(&mut w.env, &new_mint);
    let owner = an(A::AccountOwnedByWrongProgram);
    let layout = InstructionError::InvalidAccountData;
    let cases = [
        ("deposit: vault forged", with(&dep, 4, &forged_vault), owner.clone()),
        ("deposit: mint forged", with(&dep, 5, &forged_mint), owner.clone()),
        ("deposit: source forged", with(&dep, 6, &forged_wallet), owner.clone()),
        ("deposit: a Maxwell account as vault", with(&dep, 4, &usdc.bank), owner.clone()),
        ("deposit: the mint as source", with(&dep, 6, &usdc.mint), layout.clone()),
        ("deposit: the mint as vault", with(&dep, 4, &usdc.mint), layout.clone()),
        ("deposit: a token account as mint", with(&dep, 5, &maker.sol_wallet), layout.clone()),
        ("deposit: from another owner's token account", with(&dep, 6, &s.taker.usdc_wallet), TOKEN_OWNER_MISMATCH),
        ("withdraw: vault forged", with(&wd, 4, &forged_vault), owner.clone()),
        ("withdraw: mint forged", with(&wd, 5, &forged_mint), owner.clone()),
        ("withdraw: destination forged", with(&wd, 6, &forged_wallet), owner.clone()),
        ("withdraw: the mint as destination", with(&wd, 6, &usdc.mint), layout.clone()),
        ("withdraw: a token account as mint", with(&wd, 5, &maker.sol_wallet), layout.clone()),
        ("withdraw: the SOL vault", with(&wd, 4, &w.sol.vault), mx(E::WrongVault)),
        ("bank_create: mint forged", with(&with(&bc, 2, &forged_new_mint), 3, &ix::bank_pda(&ex, &forged_new_mint)), owner.clone()),
        (
            "bank_create: a token account as mint",
            with(&with(&bc, 2, &maker.sol_wallet), 3, &ix::bank_pda(&ex, &maker.sol_wallet)),
            layout.clone(),
        ),
        ("exchange_init: a Maxwell account as quote mint", with(&ei, 2, &usdc.bank), owner.clone()),
        ("exchange_init: quote mint forged", with(&ei, 2, &forged_mint), owner),
        ("exchange_init: a token account as quote mint", with(&ei, 2, &maker.sol_wallet), layout),
    ];
    let keys = [maker.kp.insecure_clone(), w.admin.insecure_clone()];
    let pool: Vec<&Keypair> = keys.iter().collect();
    let mut r = Refusals::default();
    for (label, ixn, want) in cases {
        r.check(&mut w.env, label, &[ixn], &pool, want);
    }
    r.done();
}

/// The right account type in the wrong role: a non-quote bank as the quote bank, a margin
/// account as the insurance fund, a keeper account the keeper does not own, an account the policy
/// does not list, a policy that does not exist, and (policy_set) listed accounts that are forged
/// copies or other account types.
#[test]
fn role_cosplay_is_refused() {
    let mut s = setup();
    let w = &s.w;
    let (usdc, sol, m, maker, taker, liq, ins) = (w.usdc, w.sol, &s.m, &s.maker, &s.taker, &s.liq, s.ins);
    let not_quote = mx(E::NotQuoteBank);
    let bl = w.balance_liquidate_ix(None, &taker.account, liq, &sol, &usdc, &ins, u64::MAX);
    let cases = [
        ("account_settle: SOL bank as quote bank", with(&w.account_settle_ix(m, &maker.account), 3, &sol.bank), not_quote.clone()),
        ("balance_liquidate: SOL bank as quote bank", with(&bl, 6, &sol.bank), not_quote.clone()),
        (
            "rebalance_collateral: SOL bank as quote bank",
            with(&w.rebalance_collateral_ix(liq, &maker.key, &maker.account, &sol, USDC, 50, None), 5, &sol.bank),
            not_quote,
        ),
        ("balance_liquidate: a margin account as the insurance fund", with(&bl, 7, &s.spare.account), mx(E::WrongInsuranceAccount)),
        (
            "trade: a maker signer that is not the maker's owner or delegate",
            with(&w.trade_ix(m, maker, taker, call(m)), 2, &liq.key),
            mx(E::NotOwnerOrDelegate),
        ),
        (
            "rebalance_accounts: a source its owner's policy does not list",
            w.rebalance_accounts_ix(liq, &maker.key, &taker.account, &s.sub, &usdc, USDC, None),
            mx(E::PolicyAccountNotListed),
        ),
        (
            "rebalance_collateral: an account its policy does not list",
            with(&w.rebalance_collateral_ix(liq, &maker.key, &maker.account, &sol, USDC, 50, None), 4, &taker.account),
            mx(E::PolicyAccountNotListed),
        ),
        (
            "rebalance_collateral: a keeper account the keeper does not own",
            with(&w.rebalance_collateral_ix(liq, &maker.key, &maker.account, &sol, USDC, 50, None), 1, &s.spare.account),
            mx(E::NotOwnerOrDelegate),
        ),
        (
            "rebalance_accounts: a policy that does not exist (the keeper's own PDA)",
            with(
                &w.rebalance_accounts_ix(liq, &maker.key, &maker.account, &s.sub, &usdc, USDC, None),
                3,
                &policy_pda(&w.exchange, &liq.key),
            ),
            an(A::AccountOwnedByWrongProgram),
        ),
    ];
    let keys = [liq.kp.insecure_clone(), taker.kp.insecure_clone()];
    let pool: Vec<&Keypair> = keys.iter().collect();
    let mut r = Refusals::default();
    for (label, ixn, want) in cases {
        r.check(&mut s.w.env, label, &[ixn], &pool, want);
    }
    // A policy lists the owner's accounts only: forged copies and other account types are refused
    // by the handler's own account check.
    let forged_acc = forged(&mut s.w.env, &liq.account);
    let liq_kp = liq.kp.insecure_clone();
    for (label, key, want) in [
        ("policy_set: a forged copy of the owner's account", forged_acc, an(A::AccountOwnedByWrongProgram)),
        ("policy_set: a bank listed as an account", usdc.bank, an(A::AccountDiscriminatorMismatch)),
        ("policy_set: the underlying listed as an account", m.underlying, an(A::AccountDiscriminatorMismatch)),
    ] {
        let i = s.w.policy_set_ix(&liq.key, policy(vec![liq.account, key]));
        r.check(&mut s.w.env, label, &[i], &[&liq_kp], want);
    }
    r.done();
}

// ---------------------------------------------------------------------------------------------
// Oracles.

/// Oracle accounts: bound by key where the program stored one (WrongOracle), owned by the Pyth
/// receiver (OracleWrongOwner) and a `PriceUpdateV2` (OracleMalformed) where the admin names one.
#[test]
fn oracle_accounts_owner_type_and_key() {
    let mut s = setup();
    let w = &mut s.w;
    let (ex, admin, m, oracle) = (w.exchange, w.admin_pk(), &s.m, w.sol_oracle);
    let now = w.env.now();
    let fresh = Quote { conf: 1_000_000, ..Quote::new(feed(SOL_FEED), SOL_PRICE, SOL_EXPO, now) };
    let alt = Pk::new_unique();
    w.env.write_price(&alt, fresh);
    let foreign = Pk::new_unique();
    w.env.write_price_owned(&foreign, fresh, &Pk::new_unique());
    let cosplay = Pk::new_unique();
    receiver_cosplay(&mut w.env, &cosplay, fresh);
    let admin_kp = w.admin.insecure_clone();
    let pool = [&admin_kp];
    let mut r = Refusals::default();
    let cranks = [
        ("risk_refresh", w.refresh_ix(m, 0, 2)),
        ("expiry_settle_price", w.settle_price_ix(m, 0)),
        ("realized_vol_update", w.realized_vol_ix(m)),
        ("listing_execute", w.listing_execute_ix(m)),
    ];
    // The settlement price takes any fully verified update of the feed by design (a keeper posts
    // the in-window historical update into its own account): its refusals are in
    // `lifecycle::settlement_price_*`.
    for (name, ixn) in cranks.iter().filter(|(n, _)| *n != "expiry_settle_price") {
        r.check(&mut w.env, &format!("{name}: another valid oracle"), &[with(ixn, 2, &alt)], &pool, mx(E::WrongOracle));
    }
    // The admin names the oracle at creation: owner and account type are checked.
    for (label, key, want) in
        [("foreign-owned", foreign, mx(E::OracleWrongOwner)), ("receiver-owned, not a PriceUpdateV2", cosplay, mx(E::OracleMalformed))]
    {
        let blank = blank_underlying(&mut w.env);
        r.check(
            &mut w.env,
            &format!("underlying_create: {label}"),
            &[underlying_create_ix(&admin, &ex, &blank, &key, Some(w.sol.bank))],
            &pool,
            want.clone(),
        );
        let mint = w.env.create_mint(spl_token(), 6);
        let bc = ix::bank_create(&admin, &ex, &mint, Some(key), &spl_token(), bank_params(feed(SOL_FEED)));
        r.check(&mut w.env, &format!("bank_create: {label}"), &[bc], &pool, want);
    }
    // The stored oracle re-read on every use: another owner, another account type.
    w.env.write_price_owned(&oracle, fresh, &Pk::new_unique());
    for (name, ixn) in &cranks[..] {
        if *name != "expiry_settle_price" {
            r.check(&mut w.env, &format!("{name}: the oracle now foreign-owned"), &[ixn.clone()], &pool, mx(E::OracleWrongOwner));
        }
    }
    receiver_cosplay(&mut w.env, &oracle, fresh);
    for (name, ixn) in &cranks[..] {
        if *name != "expiry_settle_price" {
            r.check(&mut w.env, &format!("{name}: the oracle now not a PriceUpdateV2"), &[ixn.clone()], &pool, mx(E::OracleMalformed));
        }
    }
    // After the expiry, the settlement price reads the same checks.
    w.env.set_time(m.expiry + 10);
    let later = Quote { publish_time: m.expiry + 5, ..fresh };
    w.env.write_price_owned(&oracle, later, &Pk::new_unique());
    let settle = w.settle_price_ix(m, 0);
    r.check(&mut w.env, "expiry_settle_price: the oracle foreign-owned", &[settle.clone()], &pool, mx(E::OracleWrongOwner));
    receiver_cosplay(&mut w.env, &oracle, later);
    r.check(&mut w.env, "expiry_settle_price: not a PriceUpdateV2", &[settle], &pool, mx(E::OracleMalformed));
    r.done();
    w.env.write_price(&oracle, later);
    w.env.ok(&[w.settle_price_ix(m, 0)], &[]);
}

// ---------------------------------------------------------------------------------------------
// Reinitialisation and close.

/// No account is created twice: `init` on an existing account is refused by the system program
/// (AccountAlreadyInUse, custom 0), the `zero` underlying by Anchor (ConstraintZero, 2013; a
/// foreign-owned blank: 3007). A closed margin account is gone (3007 in the same transaction and
/// after); reopening it gives an empty account; the insurance fund cannot be closed (NotOwner). A
/// PDA someone pre-funded with lamports is still created.
#[test]
fn no_reinitialisation_and_closed_accounts_stay_closed() {
    let mut s = setup();
    let w = &mut s.w;
    let (ex, admin, usdc, m) = (w.exchange, w.admin_pk(), w.usdc, &s.m);
    let maker = &s.maker;
    let fresh = w.trader(); // an empty account
    let blank_foreign = {
        let b = blank_underlying(&mut w.env);
        copy_owned_by(&mut w.env, &b, &Pk::new_unique())
    };
    let keys = [w.admin.insecure_clone(), maker.kp.insecure_clone(), fresh.kp.insecure_clone()];
    let pool: Vec<&Keypair> = keys.iter().collect();
    let mut r = Refusals::default();
    let cases = [
        ("exchange_init again", ix::exchange_init(&admin, &usdc.mint, exchange_params()), ALREADY_IN_USE),
        ("bank_create again", ix::bank_create(&admin, &ex, &usdc.mint, None, &spl_token(), quote_bank_params()), ALREADY_IN_USE),
        ("account_create again", ix::account_create(&maker.key, &maker.key, &ex, 0), ALREADY_IN_USE),
        ("insurance_create again", insurance_create_ix(&admin, &ex, &s.ins), ALREADY_IN_USE),
        ("gov_propose at a pending proposal's id", w.gov_propose_ix(&admin, s.prop, timelock_change(), None, None), ALREADY_IN_USE),
        (
            "underlying_create on a live underlying",
            underlying_create_ix(&admin, &ex, &m.underlying, &w.sol_oracle, Some(w.sol.bank)),
            an(A::ConstraintZero),
        ),
        (
            "underlying_create on a margin account",
            underlying_create_ix(&admin, &ex, &maker.account, &w.sol_oracle, Some(w.sol.bank)),
            an(A::ConstraintZero),
        ),
        (
            "underlying_create on a foreign-owned blank",
            underlying_create_ix(&admin, &ex, &blank_foreign, &w.sol_oracle, Some(w.sol.bank)),
            an(A::AccountOwnedByWrongProgram),
        ),
        ("account_close of the insurance fund by the admin", ix::account_close(&admin, &ex, &s.ins, &admin), mx(E::NotOwner)),
    ];
    for (label, ixn, want) in cases {
        r.check(&mut w.env, label, &[ixn], &pool, want);
    }
    // Closed, then used again in the same transaction: the deposit meets a system account.
    let h = w.health_accounts_with(&fresh.account, &[usdc]);
    let close = ix::account_close(&fresh.key, &ex, &fresh.account, &fresh.key);
    let dep = ix::deposit(&fresh.key, &fresh.account, &usdc, &fresh.usdc_wallet, USDC, &h);
    r.check(
        &mut w.env,
        "account_close then deposit in one transaction",
        &[close.clone(), dep.clone()],
        &pool,
        an(A::AccountOwnedByWrongProgram),
    );
    // Closed for good, then used in a later transaction.
    w.env.ok(&[close], &[&fresh.kp]);
    assert!(w.env.account(&fresh.account).is_none());
    r.check(&mut w.env, "deposit into a closed account", &[dep.clone()], &pool, an(A::AccountOwnedByWrongProgram));
    let health =
        build(maxwell::accounts::AccountHealth { exchange: ex, account: fresh.account }, maxwell::instruction::AccountHealth {}, &[]);
    r.check(&mut w.env, "account_health of a closed account", &[health], &pool, an(A::AccountOwnedByWrongProgram));
    r.done();
    // Reopened at the same PDA: a new, empty account.
    w.env.advance(60);
    w.env.ok(&[ix::account_create(&fresh.key, &fresh.key, &ex, 0)], &[&fresh.kp]);
    let acc: MarginAccount = w.margin(&fresh.account);
    assert_eq!((acc.owner, acc.exchange, acc.created_ts), (fresh.key, ex, w.env.now()));
    assert!(acc.collateral.iter().all(|c| c.in_use == 0) && acc.positions.iter().all(|p| p.in_use == 0));
    // A pre-funded PDA does not block the creation (Anchor tops it up, allocates, assigns).
    let newbie = w.env.new_funded_keypair();
    let nb = pk(&newbie.pubkey());
    let pda = ix::account_pda(&ex, &nb, 0);
    w.env.svm.airdrop(&addr(&pda), 1_000_000).unwrap();
    w.env.ok(&[ix::account_create(&nb, &nb, &ex, 0)], &[&newbie]);
    assert_eq!(w.margin(&pda).owner, nb);
    w.assert_conservation();
}
