//! Issue 12 on the real maxwell.so: an underlying that lists expiries forever (settled expiries
//! retired, their slots recycled with a new generation) and a settlement price taken from a
//! bounded window after the expiry, from any verified update of the feed.

use maxwell::error::MaxwellError as E;
use maxwell::events::{ExpiryRetireLog, SeriesListLog, SettleLog};
use maxwell::instructions::{SviArgs, TradeLeg};
use maxwell::state::{Change, MAX_EXPIRIES};
use solana_signer::Signer;
use tests_litesvm::fuzz::checks;
use tests_litesvm::market::*;
use tests_litesvm::pyth::{feed, Quote};
use tests_litesvm::world::*;
use tests_litesvm::*;

fn leg(series: u16, size: i64, price: u64) -> TradeLeg {
    TradeLeg { series_index: series, size, price }
}

/// A fresh underlying with nothing listed, and four funded traders (the last is the keeper).
fn setup() -> (World, Market, Vec<Trader>) {
    let mut w = World::new();
    let admin = w.admin.insecure_clone();
    let (u_kp, ixs) = w.underlying_create_ixs();
    w.env.ok(&ixs, &[&u_kp, &admin]);
    let m = Market { underlying: pk(&u_kp.pubkey()), oracle: w.sol_oracle, expiry: 0, strikes: vec![] };
    let usdc = w.usdc;
    let traders: Vec<Trader> = (0..4).map(|_| w.trader()).collect();
    for t in &traders {
        w.deposit(t, &usdc, &t.usdc_wallet, 50_000 * USDC);
    }
    (w, m, traders)
}

/// Pyth mantissa (expo -8) of a quote-native price per contract.
fn mantissa(price: u64) -> i64 {
    (price * 100) as i64
}

/// Lists `strikes` at `expiry`; returns the expiry slot and the series indices (call, put per strike).
fn list(w: &mut World, m: &Market, expiry: i64, strikes: &[u64]) -> (u8, Vec<u16>) {
    let admin = w.admin.insecure_clone();
    let r = w.env.ok(&[w.series_list_ix(m, expiry, strikes, 1_000_000)], &[&admin]);
    let log: SeriesListLog = r.event().expect("SeriesListLog");
    (log.expiry_index, log.series_indices)
}

/// Smiles for every live expiry (80% vol), then the crank over every series.
fn surface_and_crank(w: &mut World, m: &Market) {
    let admin = w.admin.insecure_clone();
    let u = w.underlying(m);
    let now = w.env.now();
    for (i, e) in u.expiries.iter().enumerate().take(usize::from(u.n_expiries)) {
        if e.expiry > now {
            // A new expiry gets an 80% smile; a listed one is re-sent unchanged (the oracle's
            // heartbeat: the same total variance, within the rate bound).
            let svi = if e.has_surface == 1 {
                SviArgs { a: e.svi.a, b: e.svi.b, rho: e.svi.rho, m: e.svi.m, sigma: e.svi.sigma }
            } else {
                svi_for(0.8, (e.expiry - now) as f64 / DAY as f64)
            };
            w.env.ok(&[w.vol_update_ix(m, i as u8, svi)], &[&admin]);
        }
    }
    w.refresh_all(m);
}

/// Every invariant the fuzzer checks: vaults against what banks owe (settlement in progress
/// counted), share totals, open interest against positions (leftovers of retired series aside).
fn invariants(w: &World, m: &Market) {
    checks::conservation(&w.env, &w.banks.iter().map(|(b, _)| *b).collect::<Vec<_>>(), &w.accounts, &[m.underlying])
        .unwrap_or_else(|e| panic!("conservation: {e}"));
    checks::positions(&w.env, m, &w.accounts).unwrap_or_else(|e| panic!("positions: {e}"));
    let u = w.underlying(m);
    assert!(u.n_expiries as usize <= MAX_EXPIRIES);
}

/// Writes a fully verified update of the SOL feed published at `at` into a fresh account (what a
/// keeper does with a historical update from Hermes) and returns it.
fn posted(w: &mut World, price: u64, at: i64) -> Pk {
    let key = Pk::new_unique();
    w.env.write_price(&key, Quote { conf: 1_000_000, ..Quote::new(feed(SOL_FEED), mantissa(price), SOL_EXPO, at) });
    key
}

fn quote(w: &World, t: &Trader) -> i64 {
    let usdc = w.usdc;
    w.balance(&t.account, &usdc)
}

/// Must show 1: one underlying through 30 consecutive weekly expiries. Each week the expiry two
/// weeks out is listed (into a recycled slot once the first ones are retired), every live
/// expiry gets its smile and the crank, three traders trade the nearest expiry, which then
/// settles on a price posted from the window, every holder is settled with exact payoffs, and
/// the expiry is retired. Invariants after every step. Once, a worthless short is left
/// unsettled when its expiry is retired: it is never valued against the series that takes its
/// slot, a trade on that slot is refused until `account_settle` removes it.
#[test]
fn thirty_weekly_expiries_list_settle_and_recycle_their_slots() {
    let (mut w, m, t) = setup();
    let (a, b, c, keeper) = (&t[0], &t[1], &t[2], &t[3]);
    let start = w.env.now();
    let mut spot: u64 = 150 * D;
    w.set_sol_price(mantissa(spot));
    let strikes =
        |s: u64| -> Vec<u64> { vec![(s / (10 * D)) * 10 * D - 10 * D, (s / (10 * D)) * 10 * D, (s / (10 * D)) * 10 * D + 10 * D] };
    // The first two expiries (one and two weeks out).
    let mut live: Vec<(i64, u8, Vec<u16>, Vec<u64>)> = vec![];
    for k in 1..=2 {
        let e = start + k * 7 * DAY;
        let ks = strikes(spot);
        let (slot, idx) = list(&mut w, &m, e, &ks);
        live.push((e, slot, idx, ks));
    }
    let mut slots_seen = std::collections::BTreeSet::new();
    let mut max_generation = 0u16;
    let mut leftover: Option<(u16, u16)> = None; // (series slot, generation) of c's leftover
    let moves: [i64; 7] = [6, -9, 13, -4, 0, 11, -15]; // weekly spot moves, percent
    for week in 0..30usize {
        let (expiry, slot, idx, _) = live.remove(0);
        slots_seen.insert(slot);
        surface_and_crank(&mut w, &m);
        invariants(&w, &m);

        // Trades on the nearest expiry. Series idx[2k] = call at ks[k], idx[2k + 1] = put.
        let (atm_call, atm_put, otm_call) = (idx[2], idx[3], idx[4]);
        let leftover_week = week == 5;
        if leftover_week {
            // Only an out-of-the-money put (the lowest strike; the spot rises 11% this week)
            // written by c and bought by a.
            let far = idx[1];
            w.trade(&m, c, a, vec![leg(far, 1, w.at_mark(&m, far))]);
        } else {
            w.trade(&m, b, a, vec![leg(atm_call, 2, w.at_mark(&m, atm_call))]);
            w.trade(&m, a, c, vec![leg(atm_put, 1, w.at_mark(&m, atm_put))]);
            w.trade(&m, c, b, vec![leg(otm_call, 3, w.at_mark(&m, otm_call)), leg(atm_put, -1, w.at_mark(&m, atm_put))]);
        }
        invariants(&w, &m);

        // Expiry: the spot moves; the keeper posts the update published 5 s after the expiry.
        spot = (spot as i64 + spot as i64 * moves[week % moves.len()] / 100) as u64;
        w.env.set_time(expiry + 20);
        w.set_sol_price(mantissa(spot));
        let price_account = posted(&mut w, spot, expiry + 5);
        // Not retirable before the price is set.
        let k = keeper.kp.insecure_clone();
        w.env.fails_with(&[w.expiry_retire_ix(&m, &keeper.key, slot)], &[&k], code(E::ExpiryNotSettled), &[m.underlying]);
        w.env.ok(&[w.settle_price_ix_from(&m, slot, &price_account)], &[]);
        let settle_price = w.underlying(&m).expiries[usize::from(slot)].settlement_price;
        assert_eq!(settle_price, spot);
        invariants(&w, &m);

        // Every holder settled (c last, and not at all in the leftover week), payoffs exact.
        let holders: Vec<&Trader> = if leftover_week { vec![a] } else { vec![a, b, c] };
        for (n, h) in holders.iter().enumerate() {
            if n == 0 && !leftover_week {
                // A long unsettled: retiring is refused.
                w.env.fails_with(&[w.expiry_retire_ix(&m, &keeper.key, slot)], &[&k], code(E::ExpiryOpenInterestLeft), &[m.underlying]);
            }
            let acc = w.margin(&h.account);
            let mut want = 0i64;
            for p in acc.positions.iter().filter(|p| p.in_use == 1) {
                let s = w.underlying(&m).series[usize::from(p.series_index)];
                if s.expiry_index == slot && s.listed == 1 && s.generation == p.generation {
                    let intrinsic = if s.kind == 0 { spot.saturating_sub(s.strike) } else { s.strike.saturating_sub(spot) };
                    want += p.size * intrinsic as i64;
                }
            }
            let before = quote(&w, h);
            w.env.ok(&[w.account_settle_ix(&m, &h.account)], &[]);
            assert_eq!(quote(&w, h) - before, want, "week {week}: payoff of {}", h.key);
            invariants(&w, &m);
        }
        let u = w.underlying(&m);
        if !leftover_week && u.expiries[usize::from(slot)].settled_net != 0 {
            panic!("week {week}: settled_net {} after every holder", u.expiries[usize::from(slot)].settled_net);
        }

        // Retire: the slot and its six series slots are freed, generations bumped.
        let gens: Vec<u16> = idx.iter().map(|&i| u.series[usize::from(i)].generation).collect();
        let r = w.env.ok(&[w.expiry_retire_ix(&m, &keeper.key, slot)], &[&k]);
        let log: ExpiryRetireLog = r.event().expect("ExpiryRetireLog");
        assert_eq!((log.expiry_index, log.expiry, log.settlement_price, log.series_freed), (slot, expiry, spot, 6));
        let u = w.underlying(&m);
        assert_eq!(u.expiries[usize::from(slot)].expiry, 0);
        for (&i, g) in idx.iter().zip(&gens) {
            assert_eq!((u.series[usize::from(i)].listed, u.series[usize::from(i)].generation), (0, g + 1));
            max_generation = max_generation.max(g + 1);
        }
        // Retiring twice: the slot is free now.
        w.env.fails_with(&[w.expiry_retire_ix(&m, &keeper.key, slot)], &[&k], code(E::ExpirySlotFree), &[m.underlying]);
        invariants(&w, &m);
        if leftover_week {
            let p = w.margin(&c.account).positions.iter().copied().find(|p| p.in_use == 1).expect("c's leftover short");
            assert_eq!((p.size, p.series_index, p.generation + 1), (-1, idx[1], u.series[usize::from(idx[1])].generation));
            leftover = Some((p.series_index, p.generation));
        }

        // The next expiry (two weeks out), into the freed slots.
        let e = expiry + 14 * DAY;
        let ks = strikes(spot);
        let (new_slot, new_idx) = list(&mut w, &m, e, &ks);
        assert_eq!(new_slot, slot, "week {week}: the new expiry takes the retired slot");
        assert_eq!(new_idx.iter().copied().collect::<std::collections::BTreeSet<_>>(), idx.iter().copied().collect());
        live.push((e, new_slot, new_idx.clone(), ks));

        if let Some((series, gen)) = leftover.take() {
            // c's leftover sits in a slot now listed again: c's health is what it is without it.
            assert!(new_idx.contains(&series));
            surface_and_crank(&mut w, &m);
            let (with_leftover, _) = w.health_of(&c.account, Some(&m));
            // A trade on the recycled slot is refused while the leftover is there.
            let i = w.trade_ix(&m, c, a, vec![leg(series, 1, w.at_mark(&m, series))]);
            let ck = c.kp.insecure_clone();
            let ak = a.kp.insecure_clone();
            w.env.fails_with(
                &[compute_budget_ix(1_400_000), i],
                &[&ck, &ak],
                code(E::PositionSeriesRecycled),
                &[c.account, a.account, m.underlying],
            );
            // account_settle removes it with a zero payoff and no balance change.
            let before = quote(&w, c);
            let r = w.env.ok(&[w.account_settle_ix(&m, &c.account)], &[]);
            let s: SettleLog = r.event().expect("SettleLog");
            assert_eq!((s.series_index, s.size, s.payoff), (series, -1, 0));
            assert_eq!(quote(&w, c), before);
            assert!(w.margin(&c.account).positions.iter().all(|p| p.in_use == 0));
            let (without, _) = w.health_of(&c.account, Some(&m));
            assert_eq!((with_leftover.init_health, with_leftover.maint_health), (without.init_health, without.maint_health));
            assert_ne!(gen, w.underlying(&m).series[usize::from(series)].generation);
            invariants(&w, &m);
        }
    }
    assert!(slots_seen.len() <= 2, "two live expiries at a time: slots {slots_seen:?}");
    assert!(max_generation >= 14, "each slot recycled about 15 times: generation {max_generation}");
    assert!(w.env.now() >= start + 30 * 7 * DAY);
    w.assert_conservation();
}

/// Retiring refused while a short with a payoff is unsettled (longs all settled).
#[test]
fn retiring_waits_for_every_short_with_a_payoff() {
    let (mut w, m, t) = setup();
    let (a, b, keeper) = (&t[0], &t[1], &t[3]);
    w.set_sol_price(mantissa(150 * D));
    let expiry = w.env.now() + 7 * DAY;
    let (slot, idx) = list(&mut w, &m, expiry, &[150 * D]);
    surface_and_crank(&mut w, &m);
    w.trade(&m, b, a, vec![leg(idx[0], 2, w.at_mark(&m, idx[0]))]);
    w.env.set_time(expiry + 1);
    let p = posted(&mut w, 170 * D, expiry + 1);
    w.env.ok(&[w.settle_price_ix_from(&m, slot, &p)], &[]);
    w.env.ok(&[w.account_settle_ix(&m, &a.account)], &[]);
    assert_eq!(w.underlying(&m).expiries[usize::from(slot)].settled_net, 40 * D as i64);
    let k = keeper.kp.insecure_clone();
    w.env.fails_with(&[w.expiry_retire_ix(&m, &keeper.key, slot)], &[&k], code(E::ExpirySettlementInProgress), &[m.underlying]);
    w.env.fails_with(&[w.expiry_retire_ix(&m, &keeper.key, 7)], &[&k], code(E::ExpiryIndexOutOfRange), &[m.underlying]);
    w.env.ok(&[w.account_settle_ix(&m, &b.account)], &[]);
    w.env.ok(&[w.expiry_retire_ix(&m, &keeper.key, slot)], &[&k]);
    // A free slot names no expiry for any keeper instruction.
    let admin = w.admin.insecure_clone();
    w.env.fails_with(&[w.settle_price_ix_from(&m, slot, &p)], &[], code(E::ExpirySlotFree), &[m.underlying]);
    w.env.fails_with(&[w.vol_update_ix(&m, slot, svi_for(0.8, 7.0))], &[&admin], code(E::ExpirySlotFree), &[m.underlying]);
    w.assert_conservation();
}

/// Must show 3: a keeper that waits an hour and offers the price of then is refused; an update
/// published before the expiry, of another feed, partially verified, owned by another program
/// or too wide is refused; an in-window historical update posted into a fresh account settles;
/// payoffs exact; a second settlement is refused.
#[test]
fn settlement_price_comes_from_the_window_after_expiry() {
    let (mut w, m, t) = setup();
    let (a, b) = (&t[0], &t[1]);
    w.set_sol_price(mantissa(150 * D));
    let expiry = w.env.now() + 7 * DAY;
    let (slot, idx) = list(&mut w, &m, expiry, &[140 * D, 160 * D]);
    surface_and_crank(&mut w, &m);
    // a buys 3 calls at 140 and 2 puts at 160 from b.
    w.trade(&m, b, a, vec![leg(idx[0], 3, w.at_mark(&m, idx[0])), leg(idx[3], 2, w.at_mark(&m, idx[3]))]);
    let watched = [m.underlying];

    // An hour late: the live oracle now carries the price of then, and is refused.
    w.env.set_time(expiry + 3_600);
    w.set_sol_price(mantissa(190 * D));
    w.env.fails_with(&[w.settle_price_ix(&m, slot)], &[], code(E::SettlementPriceAfterWindow), &watched);
    let late = posted(&mut w, 190 * D, expiry + 61);
    w.env.fails_with(&[w.settle_price_ix_from(&m, slot, &late)], &[], code(E::SettlementPriceAfterWindow), &watched);
    let early = posted(&mut w, 150 * D, expiry - 1);
    w.env.fails_with(&[w.settle_price_ix_from(&m, slot, &early)], &[], code(E::SettlementPriceBeforeExpiry), &watched);
    let base = Quote { conf: 1_000_000, ..Quote::new(feed(SOL_FEED), mantissa(155 * D), SOL_EXPO, expiry + 30) };
    for (q, owner, want) in [
        (Quote { feed_id: feed(0x77), ..base }, None, E::OracleFeedMismatch),
        (Quote { fully_verified: false, ..base }, None, E::OracleNotFullyVerified),
        (Quote { conf: 1_000_000_000, ..base }, None, E::OracleConfidenceTooWide),
        (base, Some(Pk::new_unique()), E::OracleWrongOwner),
    ] {
        let key = Pk::new_unique();
        match owner {
            Some(o) => w.env.write_price_owned(&key, q, &o),
            None => w.env.write_price(&key, q),
        }
        w.env.fails_with(&[w.settle_price_ix_from(&m, slot, &key)], &[], code(want), &watched);
    }
    // The in-window update (published 30 s after the expiry: SOL 155) in a fresh account.
    let good = Pk::new_unique();
    w.env.write_price(&good, base);
    w.env.ok(&[w.settle_price_ix_from(&m, slot, &good)], &[]);
    assert_eq!(w.underlying(&m).expiries[usize::from(slot)].settlement_price, 155 * D);
    let edge = posted(&mut w, 150 * D, expiry + 60);
    w.env.fails_with(&[w.settle_price_ix_from(&m, slot, &edge)], &[], code(E::SettlementPriceAlreadySet), &watched);
    // Payoffs: call 140 pays 15 x 3, put 160 pays 5 x 2.
    let (qa, qb) = (quote(&w, a), quote(&w, b));
    w.env.ok(&[w.account_settle_ix(&m, &a.account)], &[]);
    w.env.ok(&[w.account_settle_ix(&m, &b.account)], &[]);
    assert_eq!(quote(&w, a) - qa, (3 * 15 * D + 2 * 5 * D) as i64);
    assert_eq!(quote(&w, b) - qb, -((3 * 15 * D + 2 * 5 * D) as i64));
    w.assert_conservation();
}

/// The oracle-outage fallback: no Pyth price in the window, the settlement price comes through
/// the governance queue once the window has closed; an in-window price posted first wins.
#[test]
fn settlement_fallback_through_governance_after_the_window() {
    let (mut w, m, t) = setup();
    let (a, b) = (&t[0], &t[1]);
    w.set_sol_price(mantissa(150 * D));
    let expiry = w.env.now() + 7 * DAY;
    let (slot, idx) = list(&mut w, &m, expiry, &[150 * D]);
    let (slot2, _) = list(&mut w, &m, expiry + 7 * DAY, &[150 * D]);
    surface_and_crank(&mut w, &m);
    w.trade(&m, b, a, vec![leg(idx[0], 2, w.at_mark(&m, idx[0]))]);
    let admin = w.admin.insecure_clone();
    let change = |price: u64| Change::SettlementPrice { underlying: m.underlying, expiry_index: slot, price };
    // Inside the window: refused (a keeper may still post a price of the window).
    w.env.set_time(expiry + 30);
    let id = w.next_proposal_id();
    let i = w.gov_propose_ix(&w.admin_pk(), id, change(162 * D), None, Some(m.underlying));
    w.env.fails_with(&[i], &[&admin], code(E::SettlementWindowOpen), &[m.underlying, w.exchange]);
    w.env.set_time(expiry + 61);
    let i = w.gov_propose_ix(&w.admin_pk(), id, change(0), None, Some(m.underlying));
    w.env.fails_with(&[i], &[&admin], code(E::SettlementPriceZero), &[m.underlying, w.exchange]);
    let id = w.propose(change(162 * D), None, Some(m.underlying));
    w.execute_after_timelock(id, None, Some(m.underlying));
    let u = w.underlying(&m);
    assert_eq!((u.expiries[usize::from(slot)].settled, u.expiries[usize::from(slot)].settlement_price), (1, 162 * D));
    let qa = quote(&w, a);
    w.env.ok(&[w.account_settle_ix(&m, &a.account)], &[]);
    assert_eq!(quote(&w, a) - qa, (2 * 12 * D) as i64);
    w.env.ok(&[w.account_settle_ix(&m, &b.account)], &[]);
    // The second expiry: a fallback queued, then a keeper posts an in-window price first.
    let expiry2 = w.underlying(&m).expiries[usize::from(slot2)].expiry;
    w.env.set_time(expiry2 + 61);
    let id = w.propose(Change::SettlementPrice { underlying: m.underlying, expiry_index: slot2, price: 140 * D }, None, Some(m.underlying));
    let p = posted(&mut w, 151 * D, expiry2 + 2);
    w.env.ok(&[w.settle_price_ix_from(&m, slot2, &p)], &[]);
    let p: maxwell::state::Proposal = w.env.borsh(&tests_litesvm::governance::proposal_pda(&w.exchange, id));
    w.env.set_time(p.unlock_ts);
    let i = w.gov_execute_ix(&w.env.payer_pk(), id, None, Some(m.underlying));
    w.env.fails_with(&[i], &[], code(E::SettlementPriceAlreadySet), &[m.underlying]);
    assert_eq!(w.underlying(&m).expiries[usize::from(slot2)].settlement_price, 151 * D);
    w.assert_conservation();
}

/// Must show 2: 512 live series on one underlying (16 expiries x 16 strikes x call/put),
/// listed, given smiles, fully cranked and traded; a 128-position account spread across the
/// chain; the numbers are the CU table's capacity rows (docs/compute-units.md).
#[test]
fn capacity_512_series_cranked_and_a_128_position_account_across_them() {
    let (w, m, a, b, run) = tests_litesvm::capacity::run();
    eprintln!("capacity: {run:?}");
    assert_eq!((run.series, run.positions), (maxwell::state::MAX_SERIES, 128));
    let u = w.underlying(&m);
    let now = w.env.now();
    assert!(u.series.iter().all(|s| s.listed == 1 && s.risk_ts == now), "every series cranked");
    assert_eq!(run.refresh_txs, 512u64.div_ceil(u64::from(tests_litesvm::capacity::REFRESH_BATCH)));
    assert!(run.refresh_max_tx_cu <= 1_400_000);
    // b holds the other side of every position; both above initial margin.
    assert_eq!(w.margin(&b.account).positions.iter().filter(|p| p.in_use == 1).count(), 128);
    let mut w = w;
    for t in [&a, &b] {
        let (h, _) = w.health_of(&t.account, Some(&m));
        assert!(h.init_health >= 0, "{h:?}");
    }
    invariants(&w, &m);
    w.assert_conservation();
}

/// Per-expiry staleness: a smile update stales its own expiry's risk arrays; the other expiries
/// keep trading without a crank. An update that moves the grid's price range by more than 5%
/// (GRID_RESTALE_BPS) stales every array (the surface version is bumped).
#[test]
fn a_smile_update_stales_only_its_expiry_unless_it_moves_the_grid() {
    let mut w = World::new();
    let m = w.market(&[150 * D]); // expiry 0: 30 days, 80% vol
    let admin = w.admin.insecure_clone();
    let (a, b) = (w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&a, &usdc, &a.usdc_wallet, 50_000 * USDC);
    w.deposit(&b, &usdc, &b.usdc_wallet, 50_000 * USDC);
    let e1 = m.expiry + 30 * DAY;
    let (slot1, idx1) = list(&mut w, &m, e1, &[150 * D]);
    let days = |w: &World, e: i64| (e - w.env.now()) as f64 / DAY as f64;
    let d1 = days(&w, e1);
    w.env.ok(&[w.vol_update_ix(&m, slot1, svi_for(0.8, d1))], &[&admin]);
    w.refresh_all(&m);
    let c0 = m.series(150 * D, 0);
    let seq = w.underlying(&m).surface_seq;

    // The same smile re-sent for expiry 1: only its arrays are stale.
    let svi1 = w.underlying(&m).expiries[usize::from(slot1)].svi;
    let same = SviArgs { a: svi1.a, b: svi1.b, rho: svi1.rho, m: svi1.m, sigma: svi1.sigma };
    w.env.ok(&[w.vol_update_ix(&m, slot1, same)], &[&admin]);
    let u = w.underlying(&m);
    assert_eq!(u.surface_seq, seq);
    assert!(idx1.iter().all(|&i| u.series[usize::from(i)].risk_surface_seq == 0));
    assert!(u.series.iter().filter(|s| s.listed == 1 && s.expiry_index == 0).all(|s| s.risk_surface_seq == seq));
    w.trade(&m, &b, &a, vec![leg(c0, 1, w.at_mark(&m, c0))]);
    let i = w.trade_ix(&m, &b, &a, vec![leg(idx1[0], 1, w.at_mark(&m, idx1[0]))]);
    let (bk, ak) = (b.kp.insecure_clone(), a.kp.insecure_clone());
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&bk, &ak], code(E::RiskCacheStale), &[a.account, b.account]);
    // The crank of expiry 1's two series alone makes it tradable again.
    w.env.ok_big(&[w.refresh_ix(&m, idx1[0], 2)], &[]);
    w.trade(&m, &b, &a, vec![leg(idx1[0], 1, w.at_mark(&m, idx1[0]))]);
    w.assert_conservation();

    // An hour later (the rate bound allows 8 vol points), expiry 0 goes to 88%: the highest ATM
    // vol, so the range moves by 10%: every array is stale.
    w.env.advance(3_600);
    w.set_sol_price(SOL_PRICE);
    w.refresh_all(&m);
    let range0 = w.underlying(&m).scen.range;
    let d0 = days(&w, m.expiry);
    w.env.ok(&[w.vol_update_ix(&m, 0, svi_for(0.88, d0))], &[&admin]);
    let u = w.underlying(&m);
    assert_eq!(u.surface_seq, seq + 1);
    let i = w.trade_ix(&m, &b, &a, vec![leg(idx1[0], 1, w.at_mark(&m, idx1[0]))]);
    w.env.fails_with(&[compute_budget_ix(1_400_000), i], &[&bk, &ak], code(E::RiskCacheStale), &[a.account, b.account]);
    w.refresh_all(&m);
    assert!(w.underlying(&m).scen.range > range0 + range0 / 20);
    w.trade(&m, &b, &a, vec![leg(idx1[0], 1, w.at_mark(&m, idx1[0]))]);
    w.assert_conservation();
}
