//! Trade prices within a band around the mark, for every signer: the delegate drain (buy a
//! deep out-of-the-money call for the account one trades for at a price far above its mark,
//! from one's own account, then sell it back at one unit) is refused with its own code and
//! changes nothing; honest prices within the band trade.

use maxwell::error::MaxwellError as E;
use maxwell::instructions::TradeLeg;
use tests_litesvm::market::*;
use tests_litesvm::world::*;
use tests_litesvm::*;

#[test]
fn a_delegate_cannot_move_value_out_through_the_price() {
    let mut w = World::new();
    let m = w.market(&[150 * D, 300 * D]);
    let (victim, thief) = (w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&victim, &usdc, &victim.usdc_wallet, 10_000 * USDC);
    w.deposit(&thief, &usdc, &thief.usdc_wallet, 10_000 * USDC);
    // The victim lets the thief trade for it.
    let i = w.delegate_set_ix(&victim.key, &victim.account, thief.key);
    w.env.ok(&[i], &[&victim.kp]);
    let as_delegate = Trader { kp: thief.kp.insecure_clone(), key: thief.key, account: victim.account, ..thief };
    let otm = m.series(300 * D, 0);
    let r = w.underlying(&m).risk[usize::from(otm)];
    assert!(r.mark < 1_000_000, "deep OTM: mark {} micro-USDC", r.mark);
    let watched = [victim.account, thief.account, m.underlying, usdc.bank];

    // Victim (taker, signed by the delegate) buys from the thief (maker) at 149 USDC: refused.
    let i = w.trade_ix(&m, &thief, &as_delegate, vec![TradeLeg { series_index: otm, size: 60, price: 149 * D }]);
    w.env.fails_with(&[i], &[&thief.kp], code(E::TradePriceOutsideBand), &watched);
    // Far below the mark: selling the victim's at-the-money exposure for one unit. (A deep OTM
    // series whose mark is under the band's floor may trade down to one unit: it moves at most
    // the floor, 0.1% of spot, per contract.)
    let atm = m.series(150 * D, 0);
    let i = w.trade_ix(&m, &as_delegate, &thief, vec![TradeLeg { series_index: atm, size: 10, price: 1 }]);
    w.env.fails_with(&[i], &[&thief.kp], code(E::TradePriceOutsideBand), &watched);
    // The owner signing itself is held to the same band.
    let i = w.trade_ix(&m, &thief, &victim, vec![TradeLeg { series_index: otm, size: 60, price: 149 * D }]);
    w.env.fails_with(&[i], &[&thief.kp, &victim.kp], code(E::TradePriceOutsideBand), &watched);

    // At the mark (rounded to a unit) the delegate trades.
    let mark = r.mark.max(1) as u64;
    let i = w.trade_ix(&m, &thief, &as_delegate, vec![TradeLeg { series_index: otm, size: 1, price: mark }]);
    w.env.ok_big(&[i], &[&thief.kp]);
    w.assert_conservation();
}

#[test]
fn the_band_edges_are_exact() {
    let mut w = World::new();
    let m = w.market(&[150 * D]);
    let (maker, taker) = (w.trader(), w.trader());
    let usdc = w.usdc;
    w.deposit(&maker, &usdc, &maker.usdc_wallet, 10_000 * USDC);
    w.deposit(&taker, &usdc, &taker.usdc_wallet, 10_000 * USDC);
    let c = m.series(150 * D, 0);
    let u = w.underlying(&m);
    let r = u.risk[usize::from(c)];
    let spot = 150 * D;
    let params = maxwell_engine::plans::trade_band::BandParams { vol_bps: 500, min_bps: 10 };
    let half = maxwell_engine::plans::trade_band::half_width(r.vega_quote, spot, &params);
    let (lo, hi) = ((r.mark as u64).saturating_sub(half).max(1), r.mark as u64 + half);
    let watched = [maker.account, taker.account, m.underlying];
    for bad in [lo - 1, hi + 1] {
        let i = w.trade_ix(&m, &maker, &taker, vec![TradeLeg { series_index: c, size: 1, price: bad }]);
        w.env.fails_with(&[i], &[&maker.kp, &taker.kp], code(E::TradePriceOutsideBand), &watched);
    }
    w.trade(&m, &maker, &taker, vec![TradeLeg { series_index: c, size: 1, price: lo }]);
    w.trade(&m, &maker, &taker, vec![TradeLeg { series_index: c, size: 1, price: hi }]);
    w.assert_conservation();
}
