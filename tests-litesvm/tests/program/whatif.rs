//! The clients' what-if (`app/wasm/src/whatif.rs`, the program's own trade, crank and health
//! code over fetched account bytes) against what the real maxwell.so then does: the health a
//! what-if predicts is the health the program computes after the trade, to the unit; the
//! reported maximum size passes and one unit more fails with the reported code; at the reported
//! liquidation spot maintenance health is negative and 1 bp inside it is not; the health event
//! carries the Greeks the detail export reports.

use maxwell::error::MaxwellError as E;
use maxwell::instructions::TradeLeg;
use maxwell_wasm::whatif;
use tests_litesvm::market::*;
use tests_litesvm::pyth::*;
use tests_litesvm::world::*;
use tests_litesvm::*;

fn leg(series: u16, size: i64, price: u64) -> TradeLeg {
    TradeLeg { series_index: series, size, price }
}

fn setup(maker_usdc: u64, taker_usdc: u64) -> (World, Market, Trader, Trader) {
    let mut w = World::new();
    let m = w.market(&[120 * D, 150 * D, 180 * D, 200 * D]);
    let maker = w.trader();
    let taker = w.trader();
    let usdc = w.usdc;
    w.deposit(&maker, &usdc, &maker.usdc_wallet, maker_usdc);
    w.deposit(&taker, &usdc, &taker.usdc_wallet, taker_usdc);
    (w, m, maker, taker)
}

/// `n: u32 | n x (key | owner | data_len: u32 | data)` of the accounts as they are now.
fn accounts(w: &World, keys: &[Pk]) -> Vec<u8> {
    let mut out = (keys.len() as u32).to_le_bytes().to_vec();
    for k in keys {
        let a = w.env.account(k).expect("account exists");
        out.extend(k.to_bytes());
        out.extend(a.owner.to_bytes());
        out.extend((a.data.len() as u32).to_le_bytes());
        out.extend(&a.data);
    }
    out
}

fn le(b: &[u8], k: usize) -> i64 {
    i64::from_le_bytes(b[8 * k..8 * k + 8].try_into().unwrap())
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn trade_input(w: &World, m: &Market, maker: &Trader, taker: &Trader, side: Option<u8>, legs: &[TradeLeg]) -> Vec<u8> {
    let mut i = w.exchange.to_bytes().to_vec();
    i.extend(w.env.now().to_le_bytes());
    if let Some(s) = side {
        i.push(s);
    }
    i.push(legs.len() as u8);
    for l in legs {
        i.extend(l.series_index.to_le_bytes());
        i.extend(l.size.to_le_bytes());
        i.extend(l.price.to_le_bytes());
    }
    i.extend(m.underlying.to_bytes());
    i.extend(w.usdc.bank.to_bytes());
    let health = w.health_union(&[maker.account, taker.account], Some(m), &[w.usdc]);
    let keys: Vec<Pk> = [w.exchange, maker.account, taker.account].into_iter().chain(health).collect();
    i.extend(accounts(w, &keys));
    i
}

fn health_input(w: &World, m: &Market, account: &Pk) -> Vec<u8> {
    let mut i = w.exchange.to_bytes().to_vec();
    i.extend(w.env.now().to_le_bytes());
    i.push(1);
    let keys: Vec<Pk> = [w.exchange, *account].into_iter().chain(w.health_union(&[*account], Some(m), &[])).collect();
    i.extend(accounts(w, &keys));
    i
}

#[test]
fn trade_whatif_is_the_program_outcome_to_the_unit() {
    let (mut w, m, maker, taker) = setup(5_000 * USDC, 20_000 * USDC);
    let call150 = m.series(150 * D, 0);
    let put120 = m.series(120 * D, 1);
    let legs = [leg(call150, 5, w.at_mark(&m, call150)), leg(put120, -2, w.at_mark(&m, put120))];
    let out = whatif::trade_whatif_bytes(&trade_input(&w, &m, &maker, &taker, None, &legs)).unwrap();
    assert_eq!((u32_at(&out, 0), u32_at(&out, 4)), (0, 1), "accepted and filled");
    let h = |k: usize, f: usize| le(&out[8..], 6 * k + f);
    // Before: the health the program reports now.
    let (pm, _) = w.health_of(&maker.account, Some(&m));
    assert_eq!((h(0, 0), h(0, 1)), (pm.init_health, pm.maint_health));
    // After: send the trade, then the program's own health of both accounts.
    w.trade(&m, &maker, &taker, legs.to_vec());
    let (am, _) = w.health_of(&maker.account, Some(&m));
    let (at, _) = w.health_of(&taker.account, Some(&m));
    let post_maker = [am.init_health, am.maint_health, am.initial_requirement, am.maintenance_requirement, am.option_value];
    let post_taker = [at.init_health, at.maint_health, at.initial_requirement, at.maintenance_requirement, at.option_value];
    assert_eq!((0..5).map(|f| h(2, f)).collect::<Vec<_>>(), post_maker);
    assert_eq!((0..5).map(|f| h(3, f)).collect::<Vec<_>>(), post_taker);
    assert!(am.maintenance_requirement > 0 && at.option_value > 0);

    // A trade the program refuses: the what-if gives the same code, with the healths after it.
    let big = [leg(call150, 400, w.at_mark(&m, call150))];
    let out = whatif::trade_whatif_bytes(&trade_input(&w, &m, &maker, &taker, None, &big)).unwrap();
    assert_eq!((u32_at(&out, 0), u32_at(&out, 4)), (code(E::InitialMarginViolated), 1));
    assert!(le(&out[8..], 12) < 0, "the maker's initial health after is what breaks");
    let i = w.trade_ix(&m, &maker, &taker, big.to_vec());
    w.env.fails_with(&[i], &[&maker.kp, &taker.kp], code(E::InitialMarginViolated), &[maker.account, taker.account, m.underlying]);
    // Refused before the fill (a zero size): code, filled 0.
    let zero = [leg(call150, 0, w.at_mark(&m, call150))];
    let out = whatif::trade_whatif_bytes(&trade_input(&w, &m, &maker, &taker, None, &zero)).unwrap();
    assert_eq!((u32_at(&out, 0), u32_at(&out, 4)), (code(E::ZeroSize), 0));
}

#[test]
fn max_size_passes_and_one_more_fails() {
    let (mut w, m, maker, taker) = setup(400 * USDC, 20_000 * USDC);
    let call150 = m.series(150 * D, 0);
    // The maker writes (side 1): how many calls at the mark before initial margin fails.
    let unit = [leg(call150, 1, w.at_mark(&m, call150))];
    let out = whatif::max_size_bytes(&trade_input(&w, &m, &maker, &taker, Some(1), &unit)).unwrap();
    let k = le(&out, 0);
    let refusal = u32_at(&out, 8);
    assert!(k > 0 && k < 400, "k = {k}");
    assert_eq!(refusal, code(E::InitialMarginViolated));
    let health_at_k = le(&out[16..], 0);
    assert!(health_at_k >= 0);
    // k + 1 fails with that code and changes nothing; k passes, ending at the reported health.
    let more = w.trade_ix(&m, &maker, &taker, vec![leg(call150, k + 1, unit[0].price)]);
    w.env.fails_with(&[more], &[&maker.kp, &taker.kp], refusal, &[maker.account, taker.account, m.underlying]);
    w.trade(&m, &maker, &taker, vec![leg(call150, k, unit[0].price)]);
    assert_eq!(w.health_of(&maker.account, Some(&m)).0.init_health, health_at_k);
    w.assert_conservation();
}

#[test]
fn liquidation_spot_is_where_maintenance_turns_negative() {
    let (mut w, m, maker, taker) = setup(1_500 * USDC, 20_000 * USDC);
    let call180 = m.series(180 * D, 0);
    w.trade(&m, &maker, &taker, vec![leg(call180, 10, w.at_mark(&m, call180))]);
    let out = whatif::liquidation_spot_bytes(&{
        let mut i = w.exchange.to_bytes().to_vec();
        i.extend(w.env.now().to_le_bytes());
        i.extend(m.underlying.to_bytes());
        let keys: Vec<Pk> = [w.exchange, maker.account].into_iter().chain(w.health_union(&[maker.account], Some(&m), &[])).collect();
        i.extend(accounts(&w, &keys));
        i
    })
    .unwrap();
    let (spot, maint, down, up) = (le(&out, 0), le(&out, 1), le(&out, 2), le(&out, 3));
    assert_eq!(spot, 150 * D as i64);
    assert_eq!(maint, w.health_of(&maker.account, Some(&m)).0.maint_health);
    // A naked call writer is liquidated on the way up, never on the way down.
    assert_eq!(down, 0);
    assert!(up > spot, "up {up}");
    // At the reported spot (Pyth mantissa = spot x 100 at expo -8 for 6-decimal USDC) the
    // program finds maintenance health below zero; 1 bp below it, not.
    // The what-if moves the confidence with the price: so does this oracle update.
    let at = |w: &mut World, spot: i64| {
        let (oracle, now, price) = (w.sol_oracle, w.env.now(), spot * 100);
        let conf = (5_000_000i128 * i128::from(price) / i128::from(SOL_PRICE)) as u64;
        w.env.write_price(&oracle, Quote { conf, ..Quote::new(feed(SOL_FEED), price, SOL_EXPO, now) });
        w.refresh_all(&m);
        w.health_of(&maker.account, Some(&m)).0.maint_health
    };
    assert!(at(&mut w, up) < 0);
    assert!(at(&mut w, up - up / 10_000 - 1) >= 0);
}

#[test]
fn health_event_and_detail_carry_the_greeks_and_the_scenario_table() {
    let (mut w, m, maker, taker) = setup(5_000 * USDC, 20_000 * USDC);
    let call150 = m.series(150 * D, 0);
    let put120 = m.series(120 * D, 1);
    w.trade(&m, &maker, &taker, vec![leg(call150, 4, w.at_mark(&m, call150)), leg(put120, 3, w.at_mark(&m, put120))]);
    let (log, _) = w.health_of(&maker.account, Some(&m));
    assert_eq!(log.underlyings.len(), 1);
    let g = log.underlyings[0];
    let d = whatif::health_detail_bytes(&health_input(&w, &m, &maker.account)).unwrap();
    assert_eq!(le(&d, 1), log.maint_health);
    assert_eq!(le(&d, 11), 1, "one underlying");
    let row = &d[8 * 12..];
    // underlying, drift_bps, addon_drift, worst_loss, .., delta_quote (9), delta_e9 (10), gamma, vega, theta, worst_scenario
    assert_eq!(le(row, 0), i64::from(g.underlying_index));
    assert_eq!(le(row, 3), g.worst_loss);
    assert_eq!(
        [le(row, 9), le(row, 10), le(row, 11), le(row, 12), le(row, 13)],
        [g.delta_quote, g.delta_e9, g.gamma_quote, g.vega_quote, g.theta_quote]
    );
    assert_eq!(le(row, 14), i64::from(g.worst_scenario));
    // Short 4 calls and 3 puts: negative delta from the calls, positive from the short puts;
    // short options are short gamma and vega, and earn theta.
    assert!(g.gamma_quote < 0 && g.vega_quote < 0 && g.theta_quote > 0, "{g:?}");
    // The requirement is the worst loss plus the add-ons; the worst loss is the table's maximum.
    assert!(g.maintenance_requirement >= g.worst_loss && log.maintenance_requirement == g.maintenance_requirement);
    let t = whatif::scenario_table_bytes(&health_input(&w, &m, &maker.account)).unwrap();
    assert_eq!(le(&t, 0), 1);
    let losses: Vec<i64> = (0..maxwell_risk::scenario::N_SCEN).map(|s| le(&t, 2 + s)).collect();
    assert_eq!(*losses.iter().max().unwrap(), g.worst_loss);
    assert_eq!(losses.iter().position(|&l| l == g.worst_loss).unwrap(), usize::from(g.worst_scenario));
}
