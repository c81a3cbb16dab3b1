//! Foundation instructions on the real maxwell.so: exchange_init, ix_gate_set, bank_create,
//! account_create/close, deposit, withdraw, each with its refusals (exact codes, nothing
//! changed), and conservation after every successful step.

use maxwell::error::MaxwellError as E;
use maxwell::state::{Exchange, IxGate};
use maxwell_risk::collateral::{weighted_value, TokenPrice};
use solana_signer::Signer;
use tests_litesvm::ix::{self, BankRef};
use tests_litesvm::pyth::{feed, Quote};
use tests_litesvm::token::{spl_token, token_2022};
use tests_litesvm::world::*;
use tests_litesvm::*;

fn sol_price() -> TokenPrice {
    TokenPrice::from_oracle(SOL_PRICE, SOL_EXPO, 9, 6).unwrap()
}

#[test]
fn deposit_withdraw_close_round_trip() {
    let mut w = World::new();
    let t = w.trader();
    w.assert_conservation();

    w.deposit(&t, &w.usdc.clone(), &t.usdc_wallet, 1_000 * USDC);
    w.assert_conservation();
    let sol = w.sol;
    w.deposit(&t, &sol, &t.sol_wallet, 2 * SOL);
    w.assert_conservation();

    assert_eq!(w.balance(&t.account, &w.usdc), (1_000 * USDC) as i64);
    assert_eq!(w.balance(&t.account, &sol), (2 * SOL) as i64);
    assert_eq!(w.env.token_amount(&t.usdc_wallet), 999_000 * USDC);
    // Health = weighted collateral (no positions yet): 1000 USDC + 2 SOL x $150 x weight.
    let acc = w.margin(&t.account);
    let sol_init = weighted_value((2 * SOL) as i64, sol_price(), 8_000, 12_000).unwrap();
    let sol_maint = weighted_value((2 * SOL) as i64, sol_price(), 9_000, 11_000).unwrap();
    assert_eq!(sol_init, 240 * USDC as i64); // 300 x 0.8
    assert_eq!(acc.init_health, (1_000 * USDC) as i64 + sol_init);
    assert_eq!(acc.maint_health, (1_000 * USDC) as i64 + sol_maint);

    let i = w.withdraw_ix(&t, &sol, &t.sol_wallet, SOL / 2);
    w.env.ok(&[i], &[&t.kp]);
    w.assert_conservation();
    assert_eq!(w.balance(&t.account, &sol), (3 * SOL / 2) as i64);
    assert_eq!(w.env.token_amount(&t.sol_wallet), 1_000 * SOL - 3 * SOL / 2);

    // Empty the account, then close it: rent comes back to the owner.
    let usdc = w.usdc;
    let i = w.withdraw_ix(&t, &usdc, &t.usdc_wallet, 1_000 * USDC);
    w.env.ok(&[i], &[&t.kp]);
    let i = w.withdraw_ix(&t, &sol, &t.sol_wallet, 3 * SOL / 2);
    w.env.ok(&[i], &[&t.kp]);
    w.assert_conservation();
    assert!(w.margin(&t.account).collateral.iter().all(|s| s.in_use == 0));
    let lamports_before = w.env.account(&t.key).unwrap().lamports;
    let rent = w.env.account(&t.account).unwrap().lamports;
    w.env.ok(&[ix::account_close(&t.key, &w.exchange, &t.account, &t.key)], &[&t.kp]);
    assert!(w.env.account(&t.account).is_none());
    assert_eq!(w.env.account(&t.key).unwrap().lamports, lamports_before + rent);
    w.assert_conservation();
}

#[test]
fn exchange_init_refuses_out_of_bounds_params() {
    let mut env = Env::new();
    let admin = env.new_funded_keypair();
    let a = pk(&admin.pubkey());
    let quote = env.create_mint(spl_token(), 6);
    let ex = ix::exchange_pda(&a);
    let cases = [
        (ExchangeParamsArgsExt::im(12_499), E::ImFactorOutOfBounds),
        (ExchangeParamsArgsExt::im(30_001), E::ImFactorOutOfBounds),
        (maxwell::state::ExchangeParamsArgs { liq_penalty_min_bps: 600, ..exchange_params() }, E::LiquidationPenaltyOutOfBounds),
        (maxwell::state::ExchangeParamsArgs { liq_penalty_max_bps: 2_001, ..exchange_params() }, E::LiquidationPenaltyOutOfBounds),
        (maxwell::state::ExchangeParamsArgs { insurance_share_bps: 10_001, ..exchange_params() }, E::LiquidationPenaltyOutOfBounds),
        // The trade band: 100..=2,000 bps of vega, 1..=100 bps of spot.
        (maxwell::state::ExchangeParamsArgs { trade_band_vol_bps: 99, ..exchange_params() }, E::TradeBandParamsOutOfBounds),
        (maxwell::state::ExchangeParamsArgs { trade_band_vol_bps: 2_001, ..exchange_params() }, E::TradeBandParamsOutOfBounds),
        (maxwell::state::ExchangeParamsArgs { trade_band_min_bps: 0, ..exchange_params() }, E::TradeBandParamsOutOfBounds),
        (maxwell::state::ExchangeParamsArgs { trade_band_min_bps: 101, ..exchange_params() }, E::TradeBandParamsOutOfBounds),
    ];
    for (params, err) in cases {
        env.fails_with(&[ix::exchange_init(&a, &quote, params)], &[&admin], code(err), &[ex]);
    }
    env.ok(&[ix::exchange_init(&a, &quote, exchange_params())], &[&admin]);
    let e = env.zc::<Exchange>(&ex);
    assert_eq!(e.admin, a);
    assert_eq!(e.quote_mint, quote);
    assert_eq!(e.quote_decimals, 6);
    assert_eq!(e.params.im_factor_bps, 15_000);
}

struct ExchangeParamsArgsExt;
impl ExchangeParamsArgsExt {
    fn im(bps: u32) -> maxwell::state::ExchangeParamsArgs {
        maxwell::state::ExchangeParamsArgs { im_factor_bps: bps, ..exchange_params() }
    }
}

#[test]
fn bank_create_refusals() {
    let mut w = World::new();
    let admin = w.admin_pk();
    let btc = w.env.create_mint(spl_token(), 8);
    let btc_oracle = Pk::new_unique();
    let now = w.env.now();
    w.env.write_price(&btc_oracle, Quote::new(feed(0xB7), 9_000_000_000_000, -8, now));
    let p = bank_params(feed(0xB7));
    let bank = ix::bank_pda(&w.exchange, &btc);
    let watched = [bank, w.exchange];
    let admin_kp = w.admin.insecure_clone();
    let refuse = |w: &mut World, params, oracle: Option<Pk>, mint: Pk, tp: Pk, signer: &solana_keypair::Keypair, err: E| {
        let signer_pk = pk(&signer.pubkey());
        let i = ix::bank_create(&signer_pk, &w.exchange, &mint, oracle, &tp, params);
        w.env.fails_with(&[i], &[signer], code(err), &watched);
    };
    use maxwell::state::BankParamsArgs as B;
    refuse(&mut w, B { init_asset_weight_bps: 9_500, ..p }, Some(btc_oracle), btc, spl_token(), &admin_kp, E::AssetWeightsInvalid);
    refuse(
        &mut w,
        B { maint_asset_weight_bps: 10_001, init_asset_weight_bps: 10_001, ..p },
        Some(btc_oracle),
        btc,
        spl_token(),
        &admin_kp,
        E::AssetWeightsInvalid,
    );
    refuse(&mut w, B { maint_liab_weight_bps: 9_999, ..p }, Some(btc_oracle), btc, spl_token(), &admin_kp, E::LiabilityWeightsInvalid);
    refuse(&mut w, B { init_liab_weight_bps: 10_500, ..p }, Some(btc_oracle), btc, spl_token(), &admin_kp, E::LiabilityWeightsInvalid);
    refuse(&mut w, B { oracle_max_age_secs: 0, ..p }, Some(btc_oracle), btc, spl_token(), &admin_kp, E::OracleMaxAgeOutOfBounds);
    refuse(&mut w, B { oracle_max_age_secs: 601, ..p }, Some(btc_oracle), btc, spl_token(), &admin_kp, E::OracleMaxAgeOutOfBounds);
    refuse(&mut w, B { oracle_max_conf_bps: 1_001, ..p }, Some(btc_oracle), btc, spl_token(), &admin_kp, E::OracleMaxConfOutOfBounds);
    refuse(&mut w, B { deposit_cap: 0, ..p }, Some(btc_oracle), btc, spl_token(), &admin_kp, E::DepositCapZero);
    refuse(&mut w, p, None, btc, spl_token(), &admin_kp, E::OracleRequired);
    refuse(&mut w, B { feed_id: feed(0xEE), ..p }, Some(btc_oracle), btc, spl_token(), &admin_kp, E::OracleFeedMismatch);
    refuse(&mut w, p, Some(btc), btc, spl_token(), &admin_kp, E::OracleWrongOwner);
    refuse(&mut w, p, Some(btc_oracle), btc, token_2022(), &admin_kp, E::WrongTokenProgram);
    let stranger = w.env.new_funded_keypair();
    refuse(&mut w, p, Some(btc_oracle), btc, spl_token(), &stranger, E::NotAdmin);
    // A foreign-owned "oracle" with the real layout.
    let fake = Pk::new_unique();
    w.env.write_price_owned(&fake, Quote::new(feed(0xB7), 1, -8, now), &Pk::new_unique());
    refuse(&mut w, p, Some(fake), btc, spl_token(), &admin_kp, E::OracleWrongOwner);
    // Partially verified update.
    let partial = Pk::new_unique();
    w.env.write_price(&partial, Quote { fully_verified: false, ..Quote::new(feed(0xB7), 1, -8, now) });
    refuse(&mut w, p, Some(partial), btc, spl_token(), &admin_kp, E::OracleNotFullyVerified);
    // Token-2022 mint with an extension.
    let ext = w.env.create_mint_with_extension(6);
    let ext_bank = ix::bank_pda(&w.exchange, &ext);
    let i = ix::bank_create(&admin, &w.exchange, &ext, Some(btc_oracle), &token_2022(), p);
    w.env.fails_with(&[i], &[&admin_kp], code(E::MintExtensionNotSupported), &[ext_bank, w.exchange]);
    // The quote mint with an oracle: a second quote bank is impossible anyway (same PDA), so
    // use a second exchange whose quote bank does not exist yet.
    let admin2 = w.env.new_funded_keypair();
    let a2 = pk(&admin2.pubkey());
    let ex2 = ix::exchange_pda(&a2);
    let usdc_mint = w.usdc.mint;
    w.env.ok(&[ix::exchange_init(&a2, &usdc_mint, exchange_params())], &[&admin2]);
    let i = ix::bank_create(&a2, &ex2, &usdc_mint, Some(btc_oracle), &spl_token(), quote_bank_params());
    w.env.fails_with(&[i], &[&admin2], code(E::QuoteBankInvalid), &[ex2, ix::bank_pda(&ex2, &usdc_mint)]);

    // And the valid one works, getting the next bank index.
    let i = ix::bank_create(&admin, &w.exchange, &btc, Some(btc_oracle), &spl_token(), p);
    w.env.ok(&[i], &[&admin_kp]);
    let b = w.env.zc::<maxwell::state::CollateralBank>(&bank);
    assert_eq!((b.bank_index, b.decimals, b.is_quote, b.oracle), (2, 8, 0, btc_oracle));
    assert_eq!(w.env.zc::<Exchange>(&w.exchange).bank_count, 3);
}

#[test]
fn deposit_refusals() {
    let mut w = World::new();
    let t = w.trader();
    let usdc = w.usdc;
    let sol = w.sol;
    let h = w.health_accounts_with(&t.account, &[usdc]);
    let watched = [t.account, usdc.bank, usdc.vault, t.usdc_wallet];

    let dep = |b: &BankRef, src: &Pk, amount: u64, h: &[Pk]| ix::deposit(&t.key, &t.account, b, src, amount, h);
    w.env.fails_with(&[dep(&usdc, &t.usdc_wallet, 0, &h)], &[&t.kp], code(E::ZeroAmount), &watched);
    w.env.fails_with(&[dep(&usdc, &t.usdc_wallet, u64::MAX, &h)], &[&t.kp], code(E::MathOverflow), &watched);
    // Bank/mint/vault mismatches.
    w.env.fails_with(&[dep(&BankRef { mint: sol.mint, ..usdc }, &t.usdc_wallet, USDC, &h)], &[&t.kp], code(E::WrongMint), &watched);
    w.env.fails_with(&[dep(&BankRef { vault: sol.vault, ..usdc }, &t.usdc_wallet, USDC, &h)], &[&t.kp], code(E::WrongVault), &watched);
    w.env.fails_with(&[dep(&usdc, &t.sol_wallet, USDC, &h)], &[&t.kp], code(E::WrongMint), &watched);
    // Not the owner.
    let stranger = w.env.new_funded_keypair();
    let s = pk(&stranger.pubkey());
    let s_wallet = w.env.create_token_account(&usdc.mint, &s);
    w.env.mint_to(&usdc.mint, &s_wallet, 10 * USDC);
    let i = ix::deposit(&s, &t.account, &usdc, &s_wallet, USDC, &h);
    w.env.fails_with(&[i], &[&stranger], code(E::NotOwnerOrDelegate), &watched);
    // Missing health accounts.
    w.env.fails_with(&[dep(&usdc, &t.usdc_wallet, USDC, &[])], &[&t.kp], code(E::HealthAccountsMismatch), &watched);
    // Wrong oracle in the health accounts.
    let hs = w.health_accounts_with(&t.account, &[sol]);
    let bad = [hs[0], Pk::new_unique()];
    w.env.fails_with(&[dep(&sol, &t.sol_wallet, SOL, &bad)], &[&t.kp], code(E::WrongOracle), &[t.account, sol.bank]);
    // Deposit cap.
    let cap_mint = w.env.create_mint(spl_token(), 9);
    let cap_oracle = Pk::new_unique();
    let now = w.env.now();
    w.env.write_price(&cap_oracle, Quote::new(feed(0xCA), 100_000_000, -8, now));
    let capped =
        w.add_bank(&cap_mint, Some(cap_oracle), maxwell::state::BankParamsArgs { deposit_cap: 5 * SOL, ..bank_params(feed(0xCA)) });
    let wallet = w.env.create_token_account(&cap_mint, &t.key);
    w.env.mint_to(&cap_mint, &wallet, 10 * SOL);
    w.deposit(&t, &capped, &wallet, 5 * SOL);
    let h = w.health_accounts(&t.account);
    let i = ix::deposit(&t.key, &t.account, &capped, &wallet, 1, &h);
    w.env.fails_with(&[i], &[&t.kp], code(E::DepositCapExceeded), &[t.account, capped.bank]);
    // Bank of another exchange.
    let admin2 = w.env.new_funded_keypair();
    let a2 = pk(&admin2.pubkey());
    let ex2 = ix::exchange_pda(&a2);
    w.env.ok(&[ix::exchange_init(&a2, &usdc.mint, exchange_params())], &[&admin2]);
    w.env.ok(&[ix::bank_create(&a2, &ex2, &usdc.mint, None, &spl_token(), quote_bank_params())], &[&admin2]);
    let b2 = ix::bank_pda(&ex2, &usdc.mint);
    let foreign = BankRef { exchange: w.exchange, bank: b2, vault: ix::vault_pda(&b2), ..usdc };
    w.env.fails_with(&[dep(&foreign, &t.usdc_wallet, USDC, &[b2])], &[&t.kp], code(E::WrongExchange), &[t.account, b2]);
    // Disabled by the gate.
    let admin = w.admin_pk();
    let admin_kp = w.admin.insecure_clone();
    w.env.ok(&[ix::ix_gate_set(&admin, &w.exchange, 1 << IxGate::Deposit as u8)], &[&admin_kp]);
    let h = w.health_accounts_with(&t.account, &[usdc]);
    w.env.fails_with(&[dep(&usdc, &t.usdc_wallet, USDC, &h)], &[&t.kp], code(E::InstructionDisabled), &watched);
    w.env.ok(&[ix::ix_gate_set(&admin, &w.exchange, 0)], &[&admin_kp]);
    w.env.ok(&[dep(&usdc, &t.usdc_wallet, USDC, &h)], &[&t.kp]);
    w.assert_conservation();
}

#[test]
fn deposit_tolerates_a_stale_oracle_but_withdraw_does_not() {
    let mut w = World::new();
    let t = w.trader();
    let sol = w.sol;
    w.env.advance(3_600); // the SOL price is now an hour old
    let s = w.deposit(&t, &sol, &t.sol_wallet, SOL);
    assert!(s.logs.iter().any(|l| l.contains("Program data:")), "DepositLog emitted");
    w.assert_conservation();
    let i = w.withdraw_ix(&t, &sol, &t.sol_wallet, SOL / 2);
    w.env.fails_with(&[i.clone()], &[&t.kp], code(E::OracleStale), &[t.account, sol.bank, sol.vault]);
    let now = w.env.now();
    let oracle = w.sol_oracle;
    w.env.write_price(&oracle, Quote::new(feed(SOL_FEED), SOL_PRICE, SOL_EXPO, now));
    w.env.ok(&[i], &[&t.kp]);
    w.assert_conservation();
}

#[test]
fn withdraw_refusals() {
    let mut w = World::new();
    let t = w.trader();
    let (usdc, sol) = (w.usdc, w.sol);
    w.deposit(&t, &usdc, &t.usdc_wallet, 100 * USDC);
    w.deposit(&t, &sol, &t.sol_wallet, 10 * SOL);
    let h = w.health_accounts(&t.account);
    let watched = [t.account, sol.bank, sol.vault, t.sol_wallet];
    let wd = |b: &BankRef, dst: &Pk, amount: u64, h: &[Pk]| ix::withdraw(&t.key, &t.account, b, dst, amount, h);

    w.env.fails_with(&[wd(&sol, &t.sol_wallet, 0, &h)], &[&t.kp], code(E::ZeroAmount), &watched);
    w.env.fails_with(&[wd(&sol, &t.sol_wallet, 11 * SOL, &h)], &[&t.kp], code(E::InsufficientBalance), &watched);
    w.env.fails_with(&[wd(&sol, &t.sol_wallet, u64::MAX, &h)], &[&t.kp], code(E::MathOverflow), &watched);
    w.env.fails_with(&[wd(&BankRef { vault: usdc.vault, ..sol }, &t.sol_wallet, SOL, &h)], &[&t.kp], code(E::WrongVault), &watched);
    w.env.fails_with(&[wd(&sol, &t.usdc_wallet, SOL, &h)], &[&t.kp], code(E::WrongMint), &watched);
    // Only the owner withdraws.
    let thief = w.env.new_funded_keypair();
    let th = pk(&thief.pubkey());
    let th_wallet = w.env.create_token_account(&sol.mint, &th);
    let i = ix::withdraw(&th, &t.account, &sol, &th_wallet, SOL, &h);
    w.env.fails_with(&[i], &[&thief], code(E::NotOwner), &watched);

    // Oracle refusals on the margin check.
    let oracle = w.sol_oracle;
    let now = w.env.now();
    let base = Quote::new(feed(SOL_FEED), SOL_PRICE, SOL_EXPO, now);
    let cases = [
        (Quote { publish_time: now - 61, ..base }, E::OracleStale),
        (Quote { conf: (SOL_PRICE as u64) / 50 + 1, ..base }, E::OracleConfidenceTooWide),
        (Quote { fully_verified: false, ..base }, E::OracleNotFullyVerified),
        (Quote { price: 0, ..base }, E::OracleNonPositivePrice),
        (Quote { price: -5, ..base }, E::OracleNonPositivePrice),
        (Quote { feed_id: feed(0x01), ..base }, E::OracleFeedMismatch),
        (Quote { expo: -60, ..base }, E::PriceScaleOutOfRange),
        // Published a day ahead (it would count as fresh until then), or 11 s ahead.
        (Quote { publish_time: now + 86_400, ..base }, E::OraclePublishedInFuture),
        (Quote { publish_time: now + 11, ..base }, E::OraclePublishedInFuture),
    ];
    for (q, err) in cases {
        w.env.write_price(&oracle, q);
        w.env.fails_with(&[wd(&sol, &t.sol_wallet, SOL, &h)], &[&t.kp], code(err), &watched);
    }
    w.env.write_price_owned(&oracle, base, &Pk::new_unique());
    w.env.fails_with(&[wd(&sol, &t.sol_wallet, SOL, &h)], &[&t.kp], code(E::OracleWrongOwner), &watched);
    // A deposit tolerates a stale price, never one from the future.
    w.env.write_price(&oracle, Quote { publish_time: now + 86_400, ..base });
    let i = ix::deposit(&t.key, &t.account, &sol, &t.sol_wallet, SOL, &h);
    w.env.fails_with(&[i], &[&t.kp], code(E::OraclePublishedInFuture), &watched);
    // 10 s ahead is clock skew: accepted.
    w.env.write_price(&oracle, Quote { publish_time: now + 10, ..base });
    w.env.ok(&[wd(&sol, &t.sol_wallet, SOL / 2, &h)], &[&t.kp]);
    // Exactly at the limits still passes: age 60 s, confidence 2%.
    w.env.write_price(&oracle, Quote { publish_time: now - 60, conf: (SOL_PRICE as u64) / 50, ..base });
    w.env.ok(&[wd(&sol, &t.sol_wallet, SOL, &h)], &[&t.kp]);
    w.assert_conservation();

    // Disabled by the gate.
    let admin = w.admin_pk();
    let admin_kp = w.admin.insecure_clone();
    w.env.ok(&[ix::ix_gate_set(&admin, &w.exchange, 1 << IxGate::Withdraw as u8)], &[&admin_kp]);
    w.env.fails_with(&[wd(&sol, &t.sol_wallet, SOL, &h)], &[&t.kp], code(E::InstructionDisabled), &watched);
}

/// The margin check refuses a withdrawal that would leave initial health negative. With
/// collateral only, health cannot go negative, so a borrow is injected into the state (as
/// the lending instructions will create): -2 SOL at liability weight 1.2 = -$360 init.
#[test]
fn withdraw_beyond_initial_margin_is_refused() {
    let mut w = World::new();
    let t = w.trader();
    let (usdc, sol) = (w.usdc, w.sol);
    w.deposit(&t, &usdc, &t.usdc_wallet, 1_000 * USDC);
    let mut acc = w.margin(&t.account);
    let sol_index = w.bank(&sol).bank_index;
    acc.collateral[1] = maxwell::state::CollateralSlot { balance: -2 * SOL as i64, bank_index: sol_index, in_use: 1, _pad: [0; 5] };
    w.env.zc_write(&t.account, &acc);
    let h = w.health_accounts(&t.account);
    assert_eq!(h.len(), 3);
    // Init health after withdrawing x USDC: 1000 - x - 360 >= 0 -> x <= 640.
    let i = ix::withdraw(&t.key, &t.account, &usdc, &t.usdc_wallet, 640 * USDC + 1, &h);
    w.env.fails_with(&[i], &[&t.kp], code(E::InitialMarginViolated), &[t.account, usdc.vault, usdc.bank]);
    let i = ix::withdraw(&t.key, &t.account, &usdc, &t.usdc_wallet, 640 * USDC, &h);
    w.env.ok(&[i], &[&t.kp]);
    let acc = w.margin(&t.account);
    assert_eq!(acc.init_health, 0);
    assert_eq!(acc.maint_health, (360 * USDC) as i64 - (330 * USDC) as i64);
}

/// The vault can hold less than an account's balance once collateral is lent out: the
/// withdrawal then fails clearly. Injected: the account claims more than the vault holds.
#[test]
fn withdraw_beyond_vault_liquidity_is_refused() {
    let mut w = World::new();
    let t = w.trader();
    let usdc = w.usdc;
    w.deposit(&t, &usdc, &t.usdc_wallet, 10 * USDC);
    let mut acc = w.margin(&t.account);
    acc.collateral[0].balance = (20 * USDC) as i64;
    w.env.zc_write(&t.account, &acc);
    let h = w.health_accounts(&t.account);
    let i = ix::withdraw(&t.key, &t.account, &usdc, &t.usdc_wallet, 15 * USDC, &h);
    w.env.fails_with(&[i], &[&t.kp], code(E::InsufficientVaultLiquidity), &[t.account, usdc.vault]);
}

#[test]
fn collateral_slots_are_bounded() {
    let mut w = World::new();
    let t = w.trader();
    let mut banks = vec![];
    for k in 0..16u8 {
        let mint = w.env.create_mint(spl_token(), 6);
        let oracle = Pk::new_unique();
        let now = w.env.now();
        w.env.write_price(&oracle, Quote::new(feed(0x80 + k), 100_000_000, -8, now));
        let b = w.add_bank(&mint, Some(oracle), bank_params(feed(0x80 + k)));
        let wallet = w.env.create_token_account(&mint, &t.key);
        w.env.mint_to(&mint, &wallet, 10 * USDC);
        banks.push((b, wallet));
    }
    for (b, wallet) in &banks[..15] {
        w.deposit(&t, b, wallet, USDC);
    }
    let usdc = w.usdc;
    w.deposit(&t, &usdc, &t.usdc_wallet, USDC); // 16th slot
    let (b, wallet) = banks[15];
    let h = w.health_accounts_with(&t.account, &[b]);
    let i = ix::deposit(&t.key, &t.account, &b, &wallet, USDC, &h);
    w.env.fails_with(&[i], &[&t.kp], code(E::CollateralSlotsFull), &[t.account, b.bank]);
    w.assert_conservation();
}

#[test]
fn account_create_and_close_refusals() {
    let mut w = World::new();
    let t = w.trader();
    let usdc = w.usdc;
    w.deposit(&t, &usdc, &t.usdc_wallet, USDC);
    let close = ix::account_close(&t.key, &w.exchange, &t.account, &t.key);
    w.env.fails_with(&[close.clone()], &[&t.kp], code(E::AccountNotEmpty), &[t.account]);
    let other = w.env.new_funded_keypair();
    let o = pk(&other.pubkey());
    let i = ix::account_close(&o, &w.exchange, &t.account, &o);
    w.env.fails_with(&[i], &[&other], code(E::NotOwner), &[t.account]);

    let admin = w.admin_pk();
    let admin_kp = w.admin.insecure_clone();
    let gate = (1 << IxGate::AccountCreate as u8) | (1 << IxGate::AccountClose as u8);
    w.env.ok(&[ix::ix_gate_set(&admin, &w.exchange, gate)], &[&admin_kp]);
    let i = ix::account_create(&o, &o, &w.exchange, 7);
    w.env.fails_with(&[i], &[&other], code(E::InstructionDisabled), &[ix::account_pda(&w.exchange, &o, 7)]);
    let i = w.withdraw_ix(&t, &usdc, &t.usdc_wallet, USDC);
    w.env.ok(&[i], &[&t.kp]);
    w.env.fails_with(&[close.clone()], &[&t.kp], code(E::InstructionDisabled), &[t.account]);
    w.env.ok(&[ix::ix_gate_set(&admin, &w.exchange, 0)], &[&admin_kp]);
    w.env.ok(&[close], &[&t.kp]);
}

#[test]
fn ix_gate_set_is_admin_only() {
    let mut w = World::new();
    let stranger = w.env.new_funded_keypair();
    let s = pk(&stranger.pubkey());
    let ex = w.exchange;
    w.env.fails_with(&[ix::ix_gate_set(&s, &ex, u64::MAX)], &[&stranger], code(E::NotAdmin), &[ex]);
    let admin = w.admin_pk();
    let admin_kp = w.admin.insecure_clone();
    w.env.ok(&[ix::ix_gate_set(&admin, &ex, 0b1010)], &[&admin_kp]);
    assert_eq!(w.env.zc::<Exchange>(&ex).ix_gate, 0b1010);
    // Bank creation can be gated too.
    w.env.ok(&[ix::ix_gate_set(&admin, &ex, 1 << IxGate::BankCreate as u8)], &[&admin_kp]);
    let mint = w.env.create_mint(spl_token(), 6);
    let oracle = w.sol_oracle;
    let i = ix::bank_create(&admin, &ex, &mint, Some(oracle), &spl_token(), bank_params(feed(SOL_FEED)));
    w.env.fails_with(&[i], &[&admin_kp], code(E::InstructionDisabled), &[ex, ix::bank_pda(&ex, &mint)]);
}
