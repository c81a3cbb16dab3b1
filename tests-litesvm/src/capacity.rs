//! Issue 12's capacity run, shared by the LiteSVM test (`lifecycle::capacity_*`) and the CU
//! table (`bin/bench.rs`): one underlying with 16 expiries of 16 strikes (512 live series),
//! every smile set, a full crank, and a 128-position account traded across the chain.

use maxwell::events::RiskRefreshLog;
use maxwell::instructions::TradeLeg;
use maxwell::state::{MAX_EXPIRIES, MAX_SERIES};
use solana_signer::Signer;

use crate::env::*;
use crate::market::*;
use crate::world::*;

/// Series per crank transaction (the largest count that fits 1.4M CU with room to spare).
pub const REFRESH_BATCH: u16 = 48;

/// What the run measured.
#[derive(Debug, Default)]
pub struct CapacityRun {
    pub series: usize,
    pub refresh_txs: u64,
    pub refresh_total_cu: u64,
    pub refresh_max_tx_cu: u64,
    /// The last trade (both accounts near 128 positions), 4 legs.
    pub trade_cu: u64,
    /// `account_health` of the 128-position account.
    pub health_cu: u64,
    pub positions: usize,
}

/// The world, the chain's market, the 128-position trader and its counterparty, and the numbers.
pub fn run() -> (World, Market, Trader, Trader, CapacityRun) {
    let mut w = World::new();
    let admin = w.admin.insecure_clone();
    let (u_kp, ixs) = w.underlying_create_ixs();
    w.env.ok(&ixs, &[&u_kp, &admin]);
    let now = w.env.now();
    let m = Market { underlying: pk(&u_kp.pubkey()), oracle: w.sol_oracle, expiry: now + 7 * DAY, strikes: vec![] };
    w.set_sol_price(SOL_PRICE);
    let strikes: Vec<u64> = (0..16).map(|k| (80 + 10 * k) * D).collect();
    for e in 0..MAX_EXPIRIES as i64 {
        let expiry = now + (e + 1) * 7 * DAY;
        w.env.ok(&[w.series_list_ix(&m, expiry, &strikes, 1_000_000)], &[&admin]);
        w.env.ok(&[w.vol_update_ix(&m, e as u8, svi_for(0.8, (7 * (e + 1)) as f64))], &[&admin]);
    }
    let series = usize::from(w.underlying(&m).n_series);
    assert_eq!(series, MAX_SERIES);

    // The full crank, REFRESH_BATCH series per transaction.
    let mut run = CapacityRun { series, ..CapacityRun::default() };
    let mut first = 0u16;
    while usize::from(first) < series {
        let s = w.env.ok_big(&[w.refresh_ix(&m, first, REFRESH_BATCH)], &[]);
        let log: RiskRefreshLog = s.event().expect("RiskRefreshLog");
        assert_eq!(log.first, first);
        run.refresh_txs += 1;
        run.refresh_total_cu += s.cu;
        run.refresh_max_tx_cu = run.refresh_max_tx_cu.max(s.cu);
        first = log.end;
    }

    // 128 positions: one contract in every fourth series, across all 16 expiries; calls
    // bought, puts sold, four legs a trade.
    let (a, b) = (w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&a, &usdc, &a.usdc_wallet, 1_000_000 * USDC);
    w.deposit(&b, &usdc, &b.usdc_wallet, 1_000_000 * USDC);
    let picks: Vec<u16> = (0..series as u16).step_by(4).collect();
    assert_eq!(picks.len(), 128);
    for chunk in picks.chunks(4) {
        let u = w.underlying(&m);
        let legs: Vec<TradeLeg> = chunk
            .iter()
            .map(|&i| {
                let mark = u.risk[usize::from(i)].mark.max(1) as u64;
                let size = if u.series[usize::from(i)].kind == 0 { 1 } else { -1 };
                TradeLeg { series_index: i, size, price: mark }
            })
            .collect();
        run.trade_cu = w.trade(&m, &b, &a, legs).cu;
    }
    run.positions = w.margin(&a.account).positions.iter().filter(|p| p.in_use == 1).count();
    run.health_cu = w.health_of(&a.account, Some(&m)).1;
    (w, m, a, b, run)
}
