//! Extreme instruction arguments and oracle bytes on the real maxwell.so: each is refused with
//! a Maxwell error code (never an overflow abort) and changes nothing, or, where the value is
//! legitimate, computed exactly.

use maxwell::error::MaxwellError as E;
use maxwell::events::RebalanceAccountsLog;
use maxwell::instructions::{LiquidateLeg, TradeLeg};
use maxwell::state::{CollateralBank, MarginAccount, PolicyArgs};
use tests_litesvm::ix;
use tests_litesvm::market::*;
use tests_litesvm::pyth::{feed, Quote};
use tests_litesvm::world::*;
use tests_litesvm::*;

fn leg(series: u16, size: i64, price: u64) -> TradeLeg {
    TradeLeg { series_index: series, size, price }
}

/// A SOL market with strikes 150 and 160 (four series) and two funded traders.
fn setup() -> (World, Market, Trader, Trader) {
    let mut w = World::new();
    let m = w.market(&[150 * D, 160 * D]);
    let maker = w.trader();
    let taker = w.trader();
    let usdc = w.usdc;
    w.deposit(&maker, &usdc, &maker.usdc_wallet, 20_000 * USDC);
    w.deposit(&taker, &usdc, &taker.usdc_wallet, 20_000 * USDC);
    (w, m, maker, taker)
}

#[test]
fn extreme_trade_arguments_return_maxwell_errors() {
    let (mut w, m, maker, taker) = setup();
    let watched = [maker.account, taker.account, m.underlying, w.usdc.bank];
    let both = [&maker.kp, &taker.kp];
    let refuse = |w: &mut World, legs: Vec<TradeLeg>, err: E| {
        let i = w.trade_ix(&m, &maker, &taker, legs);
        w.env.fails_with(&[compute_budget_ix(1_400_000), i], &both, code(err), &watched);
    };
    let c150 = m.series(150 * D, 0);
    // Premium size x price beyond i64.
    refuse(&mut w, vec![leg(c150, i64::MAX, D)], E::MathOverflow);
    refuse(&mut w, vec![leg(c150, i64::MIN + 1, D)], E::MathOverflow);
    refuse(&mut w, vec![leg(c150, 1, u64::MAX)], E::MathOverflow);
    refuse(&mut w, vec![leg(c150, -1, u64::MAX)], E::MathOverflow);
    // A premium that fits, for a size no series can hold (open-interest cap 1,000,000).
    refuse(&mut w, vec![leg(c150, i64::MAX, 1)], E::OpenInterestCapExceeded);
    refuse(&mut w, vec![leg(c150, i64::MIN + 1, 1)], E::OpenInterestCapExceeded);
    // i64::MIN has no negation: the maker's side cannot be written.
    refuse(&mut w, vec![leg(c150, i64::MIN, 1)], E::MathOverflow);
    // Four legs, each premium within i64 (2^61 x 2 = 2^62), their sum 2^64 beyond it.
    let four = |size: i64, price: u64| (0..4).map(|s| leg(s, size, price)).collect::<Vec<_>>();
    refuse(&mut w, four(1 << 61, 2), E::MathOverflow);
    // Four legs whose products (~2^127 each) sum beyond i128.
    refuse(&mut w, four(i64::MAX, u64::MAX), E::MathOverflow);
    refuse(&mut w, four(i64::MIN + 1, u64::MAX), E::MathOverflow);
    // Still trades normally afterwards.
    w.trade(&m, &maker, &taker, vec![leg(c150, 1, w.at_mark(&m, c150))]);
    w.assert_conservation();
}

/// A series with no open-interest cap: a size of i64::MAX passes the premium and open-interest
/// arithmetic and reaches the margin check, whose arithmetic refuses it (MathOverflow).
#[test]
fn an_uncapped_series_refuses_an_i64_max_trade() {
    let (mut w, m, maker, taker) = setup();
    let admin_kp = w.admin.insecure_clone();
    let expiry2 = w.env.now() + 60 * DAY;
    w.env.ok(&[w.series_list_ix(&m, expiry2, &[150 * D], u64::MAX)], &[&admin_kp]);
    w.env.ok(&[w.vol_update_ix(&m, 1, svi_for(0.8, 60.0))], &[&admin_kp]);
    w.refresh_all(&m);
    let uncapped = 4; // expiry 2, call
    let watched = [maker.account, taker.account, m.underlying, w.usdc.bank];
    // Buying i64::MAX contracts: the taker's premium (i64::MAX micro-USDC) would be a quote
    // borrow, refused by the bank's cap. Selling them: the taker would receive i64::MAX on top of
    // its deposit, which no balance holds.
    for (size, want) in [(i64::MAX, E::BorrowCapExceeded), (i64::MIN + 1, E::MathOverflow)] {
        let i = w.trade_ix(&m, &maker, &taker, vec![leg(uncapped, size, 1)]);
        w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&maker.kp, &taker.kp], code(want), &watched);
    }
}

#[test]
fn extreme_deposit_and_withdraw_amounts_return_maxwell_errors() {
    let mut w = World::new();
    let t = w.trader();
    let (usdc, sol) = (w.usdc, w.sol);
    w.deposit(&t, &sol, &t.sol_wallet, SOL);
    let watched = [t.account, usdc.bank, usdc.vault, sol.bank, sol.vault, t.usdc_wallet, t.sol_wallet];
    // i64::MAX more than the 1 SOL held overflows the balance; in USDC (none held) it fits
    // and meets the deposit cap.
    for (b, wallet, big_deposit) in [(usdc, t.usdc_wallet, E::DepositCapExceeded), (sol, t.sol_wallet, E::MathOverflow)] {
        let h = w.health_accounts_with(&t.account, &[b]);
        // Beyond i64: no balance can hold it.
        let i = ix::deposit(&t.key, &t.account, &b, &wallet, u64::MAX, &h);
        w.env.fails_with(&[i], &[&t.kp], code(E::MathOverflow), &watched);
        let i = ix::withdraw(&t.key, &t.account, &b, &wallet, u64::MAX, &h);
        w.env.fails_with(&[i], &[&t.kp], code(E::MathOverflow), &watched);
        let i = ix::deposit(&t.key, &t.account, &b, &wallet, i64::MAX as u64, &h);
        w.env.fails_with(&[i], &[&t.kp], code(big_deposit), &watched);
        let i = ix::withdraw(&t.key, &t.account, &b, &wallet, i64::MAX as u64, &h);
        w.env.fails_with(&[i], &[&t.kp], code(E::InsufficientBalance), &watched);
    }
    w.assert_conservation();
}

#[test]
fn extreme_liquidation_sizes_return_maxwell_errors() {
    let mut w = World::new();
    let m = w.market(&[150 * D]);
    let ins = w.insurance();
    let (writer, buyer, liq) = (w.trader(), w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&writer, &usdc, &writer.usdc_wallet, 690 * USDC);
    w.deposit(&buyer, &usdc, &buyer.usdc_wallet, 50_000 * USDC);
    w.deposit(&liq, &usdc, &liq.usdc_wallet, 50_000 * USDC);
    let c150 = m.series(150 * D, 0);
    w.trade(&m, &writer, &buyer, vec![leg(c150, 10, w.at_mark(&m, c150))]);
    w.set_sol_price(17_250_000_000);
    w.refresh_all(&m);
    let watched = [writer.account, liq.account, ins, m.underlying, usdc.bank];
    for size in [i64::MAX, i64::MIN, i64::MIN + 1] {
        let legs = vec![LiquidateLeg { series_index: c150, size }];
        let i = w.liquidate_ix(&m, &writer.account, &liq, &ins, legs);
        w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&liq.kp], code(E::LiquidationLegInvalid), &watched);
    }
    // Four extreme legs on one series: the first is already refused.
    let legs = vec![LiquidateLeg { series_index: c150, size: i64::MIN + 1 }; 4];
    let i = w.liquidate_ix(&m, &writer.account, &liq, &ins, legs);
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&liq.kp], code(E::LiquidationLegInvalid), &watched);
    // A real one still works.
    let i = w.liquidate_ix(&m, &writer.account, &liq, &ins, vec![LiquidateLeg { series_index: c150, size: -1 }]);
    w.env.ok_big(&[i], &[&liq.kp]);
    w.assert_conservation();
}

/// Pyth exponents at the ends of `i32` (where `expo + decimals` overflowed) and exponents whose
/// scale the engine cannot use are refused as `PriceScaleOutOfRange` by every instruction that
/// values the oracle price.
#[test]
fn extreme_oracle_exponents_return_price_scale_out_of_range() {
    let (mut w, m, maker, taker) = setup();
    let (usdc, sol) = (w.usdc, w.sol);
    w.deposit(&maker, &sol, &maker.sol_wallet, SOL);
    let oracle = w.sol_oracle;
    let c150 = m.series(150 * D, 0);
    for expo in [i32::MAX, i32::MIN, 292, -292, 40, -60] {
        let now = w.env.now();
        w.env.write_price(&oracle, Quote::new(feed(SOL_FEED), SOL_PRICE, expo, now));
        let err = code(E::PriceScaleOutOfRange);
        // Deposit (lenient oracle read), withdraw (strict), trade, the oracle cranks.
        let h = w.health_accounts_with(&maker.account, &[sol]);
        let i = ix::deposit(&maker.key, &maker.account, &sol, &maker.sol_wallet, SOL, &h);
        w.env.fails_with(&[i], &[&maker.kp], err, &[maker.account, sol.bank, sol.vault]);
        let i = ix::withdraw(&maker.key, &maker.account, &sol, &maker.sol_wallet, 1, &h);
        w.env.fails_with(&[i], &[&maker.kp], err, &[maker.account, sol.bank, sol.vault]);
        let i = w.trade_ix(&m, &maker, &taker, vec![leg(c150, 1, w.at_mark(&m, c150))]);
        let watched = [maker.account, taker.account, m.underlying, usdc.bank];
        w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&maker.kp, &taker.kp], err, &watched);
        w.env.fails_with(&[compute_budget_ix(1_400_000), w.refresh_ix(&m, 0, 2)], &[], err, &[m.underlying]);
        w.env.fails_with(&[w.realized_vol_ix(&m)], &[], err, &[m.underlying]);
    }
    // Settlement after expiry, on an extreme exponent.
    w.env.set_time(m.expiry + 5);
    w.env.write_price(&oracle, Quote::new(feed(SOL_FEED), SOL_PRICE, i32::MIN, m.expiry + 1));
    w.env.fails_with(&[w.settle_price_ix(&m, 0)], &[], code(E::PriceScaleOutOfRange), &[m.underlying]);
    w.env.write_price(&oracle, Quote::new(feed(SOL_FEED), SOL_PRICE, SOL_EXPO, m.expiry + 1));
    w.env.ok(&[w.settle_price_ix(&m, 0)], &[]);
    w.assert_conservation();
}

/// A keeper move large enough that `amount x fee_bps` exceeds u64 (it aborted before): the fee
/// is computed exactly in u128. The balance is injected, with the tokens minted to the vault,
/// so conservation holds.
#[test]
fn a_huge_rebalance_pays_the_exact_keeper_fee() {
    let mut w = World::new();
    let usdc = w.usdc;
    let owner = w.trader();
    let (a, b) = (owner.account, w.sub_account(&owner, 1).account);
    let keeper = w.trader();
    w.deposit(&keeper, &usdc, &keeper.usdc_wallet, 100 * USDC);
    let big: u64 = 2_000_000_000_000_000_000; // 2e18 micro-USDC (2e12 USDC)
    w.deposit(&owner, &usdc, &owner.usdc_wallet, USDC);
    let mut acc: MarginAccount = w.margin(&a);
    let mut bank: CollateralBank = w.bank(&usdc);
    let slot = acc.collateral.iter().position(|s| s.in_use == 1).unwrap();
    acc.collateral[slot].balance += big as i64;
    bank.deposit_shares += big;
    w.env.zc_write(&a, &acc);
    w.env.zc_write(&usdc.bank, &bank);
    let vault = usdc.vault;
    w.env.mint_to(&usdc.mint, &vault, big);
    w.assert_conservation();
    let args = PolicyArgs {
        accounts: vec![a, b],
        feeds: vec![0, 1],
        trigger_health: 10_000 * USDC as i64,
        target_health: 16_000 * USDC as i64,
        max_per_move: u64::MAX,
        max_per_day: u64::MAX,
        quote_borrow_limit: 0,
        keeper_fee_bps: 10,
        max_discount_bps: 0,
    };
    w.env.ok(&[w.policy_set_ix(&owner.key, args)], &[&owner.kp]);
    // u64::MAX: more than the source holds.
    let i = w.rebalance_accounts_ix(&keeper, &owner.key, &a, &b, &usdc, u64::MAX, None);
    w.env.fails_with(&[i], &[&keeper.kp], code(E::InsufficientBalance), &[a, b, keeper.account, usdc.bank]);
    let amount: u64 = 1_900_000_000_000_000_000; // x 10 bps = 1.9e19 > u64::MAX
    let i = w.rebalance_accounts_ix(&keeper, &owner.key, &a, &b, &usdc, amount, None);
    let r = w.env.ok(&[i], &[&keeper.kp]);
    let log: RebalanceAccountsLog = r.event().expect("RebalanceAccountsLog");
    assert_eq!((log.amount, log.fee), (amount, amount / 1_000));
    assert_eq!(w.balance(&b, &usdc), (amount - amount / 1_000) as i64);
    assert_eq!(w.balance(&keeper.account, &usdc), (100 * USDC + amount / 1_000) as i64);
    w.assert_conservation();
}
