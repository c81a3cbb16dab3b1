//! The program values collateral with the engine's rule, to the unit: random token decimals,
//! oracle prices and exponents, weights, deposits and borrows, on the real maxwell.so. The
//! expected health is computed here with `maxwell_engine::valuation` from the same inputs.

use maxwell::state::BankParamsArgs;
use maxwell_engine::valuation::{weighted_pair, Weights};
use maxwell_risk::collateral::TokenPrice;
use tests_litesvm::pyth::{feed, Quote};
use tests_litesvm::token::spl_token;
use tests_litesvm::world::*;
use tests_litesvm::Pk;

/// A small deterministic generator (the seed is printed on failure).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

#[test]
fn program_and_engine_agree_to_the_unit_on_random_balances() {
    let mut w = World::new();
    let mut r = Lcg(0x5eed_0010);
    let usdc = w.usdc;
    let ia_cases = 24;
    for case in 0..ia_cases {
        let decimals = r.range(0, 12) as u8;
        let expo = -(r.range(0, 10) as i32);
        let mantissa = r.range(1, 5_000_000_000_000) as i64;
        let maint_asset = r.range(1, 10_000) as u16;
        let init_asset = r.range(0, u64::from(maint_asset)) as u16;
        let maint_liab = r.range(10_000, 15_000) as u16;
        let init_liab = r.range(u64::from(maint_liab), 20_000) as u16;
        let tag = 0x80 + case as u8;
        let mint = w.env.create_mint(spl_token(), decimals);
        let oracle = Pk::new_unique();
        let now = w.env.now();
        w.env.write_price(&oracle, Quote::new(feed(tag), mantissa, expo, now));
        let params = BankParamsArgs {
            init_asset_weight_bps: init_asset,
            maint_asset_weight_bps: maint_asset,
            init_liab_weight_bps: init_liab,
            maint_liab_weight_bps: maint_liab,
            deposit_cap: u64::MAX / 2,
            borrow_cap: u64::MAX / 2,
            oracle_max_conf_bps: 1_000,
            ..bank_params(feed(tag))
        };
        let bank = w.add_bank(&mint, Some(oracle), params);
        let weights = Weights { init_asset, maint_asset, init_liab, maint_liab };
        let price = TokenPrice::from_oracle(mantissa, expo, decimals, 6).unwrap();

        // A depositor of a random odd amount ...
        let t = w.trader();
        let wallet = w.env.create_token_account(&mint, &t.key);
        // Any native amount whose value stays within a billion USD (the account's health must
        // fit an i64 with room; larger values are the extremes tests' subject).
        let mut amount = r.range(1, 1_000_000_000_000_000);
        let too_big = |a: u64| weighted_pair(a as i64, price, &Weights::FULL).map_or(true, |v| v.0 > 1_000_000_000_000_000);
        if too_big(1) {
            continue; // one native unit is already worth more than that: not a collateral token
        }
        while too_big(amount) {
            amount = amount / 1_000 + 1;
        }
        w.env.mint_to(&mint, &wallet, 2 * amount + 7);
        w.deposit(&t, &bank, &wallet, amount);
        let (vi, vm) = weighted_pair(amount as i64, price, &weights).unwrap();
        let acc = w.margin(&t.account);
        assert_eq!((acc.init_health, acc.maint_health), (vi, vm), "case {case}: deposit {amount}");

        // ... and a borrower of part of it, against plenty of USDC.
        let b = w.trader();
        let bwallet = w.env.create_token_account(&mint, &b.key);
        let usdc_in = 900_000 * USDC;
        w.deposit(&b, &usdc, &b.usdc_wallet, usdc_in);
        let borrowed = r.range(1, amount);
        let value_full = weighted_pair(borrowed as i64, price, &Weights::FULL).unwrap().0;
        if value_full > (500_000 * USDC) as i64 {
            continue; // beyond what the USDC supports at any weight: not this test's subject
        }
        let i = w.withdraw_ix(&b, &bank, &bwallet, borrowed);
        w.env.ok(&[i], &[&b.kp]);
        let (bi, bm) = weighted_pair(-(borrowed as i64), price, &weights).unwrap();
        let acc = w.margin(&b.account);
        assert_eq!((acc.init_health, acc.maint_health), (usdc_in as i64 + bi, usdc_in as i64 + bm), "case {case}: borrow {borrowed}");
        w.assert_conservation();
    }
}
