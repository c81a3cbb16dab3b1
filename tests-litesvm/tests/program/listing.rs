//! The listing schedule on the real maxwell.so (issue 12: "a venue that lists by itself"): the
//! admin sets a rule, any keeper lists the next expiry at strikes around the oracle spot,
//! settled expiries are retired and the schedule lists into their slots, week after week.

use maxwell::error::MaxwellError as E;
use maxwell::events::{ListingExecuteLog, ListingScheduleLog, SeriesListLog};
use maxwell::instructions::ListingScheduleArgs;
use maxwell::state::{IxGate, MAX_EXPIRIES};
use solana_signer::Signer;
use tests_litesvm::ix::ix_gate_set;
use tests_litesvm::market::*;
use tests_litesvm::world::*;
use tests_litesvm::*;

const WEEK: i64 = 7 * DAY;

/// A fresh underlying with nothing listed.
fn setup() -> (World, Market) {
    let mut w = World::new();
    let admin = w.admin.insecure_clone();
    let (u_kp, ixs) = w.underlying_create_ixs();
    w.env.ok(&ixs, &[&u_kp, &admin]);
    let m = Market { underlying: pk(&u_kp.pubkey()), oracle: w.sol_oracle, expiry: 0, strikes: vec![] };
    (w, m)
}

/// Weekly expiries from `anchor`, four ahead, 7 strikes 5% apart on whole dollars.
fn weekly(anchor: i64) -> ListingScheduleArgs {
    ListingScheduleArgs {
        cadence_secs: WEEK,
        anchor_ts: anchor,
        horizon: 4,
        half_strikes: 3,
        step_bps: 500,
        tick: D,
        oi_cap: 1_000,
        enabled: true,
    }
}

/// `listing_execute`; the expiry, its slot and the strikes it listed.
fn execute(w: &mut World, m: &Market) -> (i64, u8, Vec<u64>) {
    let r = w.env.ok(&[w.listing_execute_ix(m)], &[]);
    let exec: ListingExecuteLog = r.event().expect("ListingExecuteLog");
    let list: SeriesListLog = r.event().expect("SeriesListLog");
    assert_eq!((exec.expiry, usize::from(exec.strikes)), (list.expiry, list.strikes.len()));
    assert_eq!(list.count as usize, 2 * list.strikes.len());
    (list.expiry, list.expiry_index, list.strikes)
}

/// Pyth mantissa (expo -8) of a quote-native price per contract.
fn mantissa(price: u64) -> i64 {
    (price * 100) as i64
}

#[test]
fn the_schedule_lists_weekly_expiries_forever() {
    let (mut w, m) = setup();
    let admin = w.admin.insecure_clone();
    let keeper = w.trader();
    let k = keeper.kp.insecure_clone();
    let anchor = w.env.now() + 2 * DAY; // the first Friday
    let r = w.env.ok(&[w.listing_schedule_ix(&m, weekly(anchor))], &[&admin]);
    let log: ListingScheduleLog = r.event().expect("ListingScheduleLog");
    assert_eq!((log.cadence_secs, log.anchor_ts, log.horizon, log.enabled), (WEEK, anchor, 4, true));
    let u = w.underlying(&m);
    assert_eq!((u.schedule.cadence_secs, u.schedule.tick, u.schedule.oi_cap, u.schedule.enabled), (WEEK, D, 1_000, 1));

    // Four executions list the horizon, earliest first, at the ladder around 150 USD.
    let ladder = [128, 135, 143, 150, 158, 165, 173].map(|x| x * D);
    for j in 0..4 {
        let (expiry, _, strikes) = execute(&mut w, &m);
        assert_eq!(expiry, anchor + j * WEEK);
        assert_eq!(strikes, ladder);
    }
    let u = w.underlying(&m);
    assert_eq!((u.n_expiries, u.n_series), (4, 56));
    let s = &u.series[3];
    assert_eq!((s.strike, s.kind, s.expiry, s.oi_cap, s.listed), (135 * D, 1, anchor, 1_000, 1));
    // Nothing more is due: refused, nothing changed.
    w.env.fails_with(&[w.listing_execute_ix(&m)], &[], code(E::ListingNotDue), &[m.underlying]);

    // 30 weeks: each expiry settles and is retired, the schedule lists the week four ahead into
    // the freed slot, at strikes around that week's spot.
    let mut spot = 150 * D;
    let moves = [6i64, -4, 11, -9, 3, -2, 8, -7];
    let mut slots = std::collections::BTreeSet::new();
    for week in 0..30i64 {
        let expiry = anchor + week * WEEK;
        spot = (spot as i64 + spot as i64 * moves[week as usize % moves.len()] / 100) as u64;
        w.env.set_time(expiry + 20);
        w.set_sol_price(mantissa(spot));
        let slot = w.underlying(&m).expiry_index(expiry).expect("listed") as u8;
        w.env.ok(&[w.settle_price_ix(&m, slot)], &[]);
        w.env.ok(&[w.expiry_retire_ix(&m, &keeper.key, slot)], &[&k]);
        let (listed, into, strikes) = execute(&mut w, &m);
        assert_eq!(listed, expiry + 4 * WEEK, "week {week}");
        assert_eq!(into, slot, "week {week}: the retired slot is reused");
        slots.insert(into);
        // The ladder follows the spot: the middle strike is the spot to the dollar.
        assert_eq!(strikes[3], (spot + D / 2) / D * D, "week {week}");
        w.env.fails_with(&[w.listing_execute_ix(&m)], &[], code(E::ListingNotDue), &[m.underlying]);
        let u = w.underlying(&m);
        assert_eq!(u.n_expiries, 4, "week {week}: the high-water mark never grows");
        assert!(u.n_series <= 56 + 2, "week {week}: series slots are recycled ({})", u.n_series);
    }
    assert_eq!(slots.len(), 4);

    // A keeper three weeks late (nobody settled or listed meanwhile): the due expiries are
    // listed one a call, earliest first, into new slots (the passed ones still hold theirs).
    let last = anchor + 33 * WEEK; // the latest listed
    w.env.set_time(anchor + 32 * WEEK + 2 * DAY);
    w.set_sol_price(mantissa(spot));
    for j in 1..=3 {
        let (expiry, _, _) = execute(&mut w, &m);
        assert_eq!(expiry, last + j * WEEK);
    }
    w.env.fails_with(&[w.listing_execute_ix(&m)], &[], code(E::ListingNotDue), &[m.underlying]);
}

#[test]
fn schedule_refusals() {
    let (mut w, m) = setup();
    let admin = w.admin.insecure_clone();
    let anchor = w.env.now() + DAY;
    // Not the admin.
    let stranger = w.trader();
    let mut ix = w.listing_schedule_ix(&m, weekly(anchor));
    ix.accounts[0].pubkey = addr(&stranger.key);
    w.env.fails_with(&[ix], &[&stranger.kp], code(E::NotAdmin), &[m.underlying]);
    // Every bound of the rule.
    for bad in [
        ListingScheduleArgs { cadence_secs: 3_599, ..weekly(anchor) },
        ListingScheduleArgs { cadence_secs: 91 * DAY + 1, ..weekly(anchor) },
        ListingScheduleArgs { anchor_ts: 0, ..weekly(anchor) },
        ListingScheduleArgs { horizon: 0, ..weekly(anchor) },
        ListingScheduleArgs { horizon: MAX_EXPIRIES as u8 + 1, ..weekly(anchor) },
        ListingScheduleArgs { half_strikes: 8, ..weekly(anchor) },
        ListingScheduleArgs { step_bps: 0, ..weekly(anchor) },
        ListingScheduleArgs { step_bps: 5_001, ..weekly(anchor) },
        ListingScheduleArgs { tick: 0, ..weekly(anchor) },
    ] {
        w.env.fails_with(&[w.listing_schedule_ix(&m, bad)], &[&admin], code(E::ListingScheduleInvalid), &[m.underlying]);
    }
    // No schedule yet, then one switched off: nothing to execute.
    w.env.fails_with(&[w.listing_execute_ix(&m)], &[], code(E::ListingScheduleOff), &[m.underlying]);
    w.env.ok(&[w.listing_schedule_ix(&m, ListingScheduleArgs { enabled: false, ..weekly(anchor) })], &[&admin]);
    w.env.fails_with(&[w.listing_execute_ix(&m)], &[], code(E::ListingScheduleOff), &[m.underlying]);
    w.env.ok(&[w.listing_schedule_ix(&m, weekly(anchor))], &[&admin]);
    // Another account as the oracle; a stale oracle.
    let mut wrong = w.listing_execute_ix(&m);
    wrong.accounts[2].pubkey = addr(&w.exchange);
    w.env.fails_with(&[wrong], &[], code(E::WrongOracle), &[m.underlying]);
    let now = w.env.now();
    w.env.set_time(now + 3_600);
    w.env.fails_with(&[w.listing_execute_ix(&m)], &[], code(E::OracleStale), &[m.underlying]);
    w.set_sol_price(SOL_PRICE);
    // The gate (guardian or admin) stops it.
    let gate = 1u64 << IxGate::ListingExecute as u8;
    w.env.ok(&[ix_gate_set(&w.admin_pk(), &w.exchange, gate)], &[&admin]);
    w.env.fails_with(&[w.listing_execute_ix(&m)], &[], code(E::InstructionDisabled), &[m.underlying]);
    w.env.ok(&[ix_gate_set(&w.admin_pk(), &w.exchange, 0)], &[&admin]);
    // A full underlying: 16 expiries listed by hand at other dates, the schedule's next refused.
    let now = w.env.now();
    for e in 0..MAX_EXPIRIES as i64 {
        w.env.ok(&[w.series_list_ix(&m, now + 3 * DAY + e * 3_600 + 1, &[150 * D], 10)], &[&admin]);
    }
    w.env.fails_with(&[w.listing_execute_ix(&m)], &[], code(E::TooManyExpiries), &[m.underlying]);
}
