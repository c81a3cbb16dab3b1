//! Refusals not covered elsewhere, each with its exact code and nothing changed.

use anchor_lang::{InstructionData, ToAccountMetas};
use maxwell::error::MaxwellError as E;
use maxwell::instructions::{TradeLeg, UnderlyingCreateArgs};
use maxwell::state::Underlying;
use solana_signer::Signer;
use tests_litesvm::market::*;
use tests_litesvm::pyth::{feed, Quote};
use tests_litesvm::world::*;
use tests_litesvm::*;

fn underlying_create_ix(w: &World, u: &Pk, spot_bank: Option<Pk>, args: UnderlyingCreateArgs) -> solana_instruction::Instruction {
    let metas =
        maxwell::accounts::UnderlyingCreate { admin: w.admin_pk(), exchange: w.exchange, underlying: *u, oracle: w.sol_oracle, spot_bank }
            .to_account_metas(None);
    anchor_ix(maxwell::ID, metas, maxwell::instruction::UnderlyingCreate { args }.data())
}

fn args() -> UnderlyingCreateArgs {
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

/// A zeroed, program-owned account of an underlying's size (as the client creates it).
fn blank_underlying(w: &mut World) -> Pk {
    let key = Pk::new_unique();
    let size = 8 + core::mem::size_of::<Underlying>();
    let lamports = w.env.svm.minimum_balance_for_rent_exemption(size);
    w.env.set_account(
        &key,
        solana_account::Account { lamports, data: vec![0; size], owner: addr(&maxwell::ID), executable: false, rent_epoch: 0 },
    );
    key
}

#[test]
fn underlying_create_refusals() {
    let mut w = World::new();
    let u = blank_underlying(&mut w);
    let admin = w.admin.insecure_clone();
    let cases = [
        (UnderlyingCreateArgs { oracle_max_age_secs: 0, ..args() }, E::UnderlyingParamsOutOfBounds),
        (UnderlyingCreateArgs { risk_spot_tolerance_bps: 501, ..args() }, E::UnderlyingParamsOutOfBounds),
        (UnderlyingCreateArgs { risk_max_age_secs: 3_601, ..args() }, E::UnderlyingParamsOutOfBounds),
    ];
    for (a, err) in cases {
        let i = underlying_create_ix(&w, &u, Some(w.sol.bank), a);
        w.env.fails_with(&[i], &[&admin], code(err), &[u, w.exchange]);
    }
    // The quote bank cannot be a spot bank.
    let i = underlying_create_ix(&w, &u, Some(w.usdc.bank), args());
    w.env.fails_with(&[i], &[&admin], code(E::SpotBankInvalid), &[u, w.exchange]);
    w.env.ok(&[underlying_create_ix(&w, &u, Some(w.sol.bank), args())], &[&admin]);
}

#[test]
fn listing_capacity_and_insurance_once() {
    let mut w = World::new();
    let m = w.market(&[150 * D]);
    let admin = w.admin.insecure_clone();
    // MAX_EXPIRIES (16) live expiries at most (one listed by `market`).
    let max_e = maxwell::state::MAX_EXPIRIES as i64;
    for k in 1..max_e {
        let e = m.expiry + k * DAY;
        let i = w.series_list_ix(&m, e, &[150 * D], 10);
        w.env.ok(&[i], &[&admin]);
    }
    let i = w.series_list_ix(&m, m.expiry + max_e * DAY, &[150 * D], 10);
    w.env.fails_with(&[i], &[&admin], code(E::TooManyExpiries), &[m.underlying]);
    // MAX_SERIES (512) live series at most: 32 so far, 16 strikes (32 series) per call.
    let calls = (maxwell::state::MAX_SERIES as u64 - 32) / 32;
    for k in 0..calls {
        let strikes: Vec<u64> = (0..16).map(|j| (200 + 16 * k + j) * D).collect();
        let i = w.series_list_ix(&m, m.expiry, &strikes, 10);
        w.env.ok(&[i], &[&admin]);
    }
    assert_eq!(usize::from(w.underlying(&m).n_series), maxwell::state::MAX_SERIES);
    let i = w.series_list_ix(&m, m.expiry, &[900 * D], 10);
    w.env.fails_with(&[i], &[&admin], code(E::TooManySeries), &[m.underlying]);
    // The insurance fund is created once.
    let ins = w.insurance();
    let again = anchor_ix(
        maxwell::ID,
        maxwell::accounts::InsuranceCreate {
            admin: w.admin_pk(),
            exchange: w.exchange,
            insurance: ins,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        maxwell::instruction::InsuranceCreate {}.data(),
    );
    let r = w.env.send(&[again], &[&admin]);
    assert!(r.is_err(), "a second insurance_create must fail (its PDA exists)");
}

#[test]
fn malformed_oracle_is_refused() {
    let mut w = World::new();
    let t = w.trader();
    let sol = w.sol;
    w.deposit(&t, &sol, &t.sol_wallet, SOL);
    let oracle = w.sol_oracle;
    let mut acc = w.env.account(&oracle).unwrap();
    acc.data.truncate(60);
    w.env.set_account(&oracle, acc);
    let i = w.withdraw_ix(&t, &sol, &t.sol_wallet, SOL / 2);
    w.env.fails_with(&[i], &[&t.kp], code(E::OracleMalformed), &[t.account, sol.vault]);
}

#[test]
fn expiry_refusals() {
    let mut w = World::new();
    let m = w.market(&[150 * D]);
    let maker = w.trader();
    let taker = w.trader();
    let usdc = w.usdc;
    w.deposit(&maker, &usdc, &maker.usdc_wallet, 10_000 * USDC);
    w.deposit(&taker, &usdc, &taker.usdc_wallet, 10_000 * USDC);
    w.trade(&m, &maker, &taker, vec![TradeLeg { series_index: 0, size: 1, price: w.at_mark(&m, 0) }]);
    w.env.set_time(m.expiry + 10);
    // A fresh price published before the expiry cannot settle it.
    let oracle = w.sol_oracle;
    w.env.write_price(&oracle, Quote::new(feed(SOL_FEED), SOL_PRICE, SOL_EXPO, m.expiry - 1));
    w.env.fails_with(&[w.settle_price_ix(&m, 0)], &[], code(E::SettlementPriceBeforeExpiry), &[m.underlying]);
    // Until settled, an account with expired positions cannot take risk (withdraw).
    w.set_sol_price(SOL_PRICE);
    let h = w.health_union(&[taker.account], Some(&m), &[]);
    let i = tests_litesvm::ix::withdraw(&taker.key, &taker.account, &usdc, &taker.usdc_wallet, USDC, &h);
    w.env.fails_with(&[i], &[&taker.kp], code(E::ExpiredPositionUnsettled), &[taker.account, usdc.vault]);
    let _ = taker.kp.pubkey();
}
