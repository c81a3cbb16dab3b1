//! The fuzzer's starting world, built once per run and forked (LiteSVM is `Clone`) for every
//! sequence: an exchange with quote lending on, a SOL underlying with a 30-day expiry of three
//! strikes and a one-day expiry of one strike, a funded insurance fund, four traders with both
//! tokens deposited, a keeper, an owner's second account under a rebalance policy, and an
//! attacker who runs a second exchange (its own banks over the same mints, its own underlying
//! over the same feed, its own funded account) whose accounts it plants in this one.

use maxwell::state::PolicyArgs;
use solana_signer::Signer;

use crate::env::*;
use crate::ix::{self, BankRef};
use crate::market::*;
use crate::pyth::{feed, Quote};
use crate::world::*;

pub const TRADERS: usize = 4;
pub const STRIKES: [u64; 3] = [130 * D, 150 * D, 170 * D];
pub const SHORT_STRIKE: u64 = 150 * D;
/// The trader whose second account (id 1) is under a rebalance policy fed by its first.
pub const POLICY_OWNER: usize = 3;

/// The attacker's own exchange.
pub struct Foreign {
    pub exchange: Pk,
    pub admin: solana_keypair::Keypair,
    pub usdc: BankRef,
    pub sol: BankRef,
    pub oracle: Pk,
    pub market: Market,
    pub trader: Trader,
}

pub struct Scenario {
    pub w: World,
    pub m: Market,
    pub ins: Pk,
    /// TRADERS traders, then the keeper.
    pub actors: Vec<Trader>,
    /// `POLICY_OWNER`'s second account (id 1), destination of its rebalance policy.
    pub sub: Trader,
    pub foreign: Foreign,
}

fn fork_trader(t: &Trader) -> Trader {
    Trader { kp: t.kp.insecure_clone(), key: t.key, account: t.account, usdc_wallet: t.usdc_wallet, sol_wallet: t.sol_wallet }
}

impl Scenario {
    pub fn keeper(&self) -> &Trader {
        &self.actors[TRADERS]
    }

    /// Every account of this exchange the checks walk: the actors', the sub-account, the fund.
    pub fn accounts(&self) -> Vec<Pk> {
        self.w.accounts.clone()
    }

    pub fn build() -> Scenario {
        let mut w = World::new();
        w.enable_quote_lending(10_000_000 * USDC);
        let ins = w.insurance();
        let m = w.market(&STRIKES);
        let admin = w.admin.insecure_clone();
        let short_expiry = w.env.now() + DAY;
        let list = w.series_list_ix(&m, short_expiry, &[SHORT_STRIKE], 1_000_000);
        w.env.ok(&[list], &[&admin]);
        let vol = w.vol_update_ix(&m, 1, svi_for(0.8, 1.0));
        w.env.ok(&[vol], &[&admin]);
        w.refresh_all(&m);

        let mut actors = vec![];
        for i in 0..=TRADERS {
            let t = w.trader();
            let (usdc, sol) = (w.usdc, w.sol);
            // Thin to deep: the first traders get liquidatable after ordinary moves.
            let (usd, sol_amount) = if i == TRADERS { (500_000, 0) } else { ([2_000, 0, 20_000, 40_000][i], [0, 5, 20, 40][i]) };
            if usd > 0 {
                w.deposit(&t, &usdc, &t.usdc_wallet, usd * USDC);
            }
            if sol_amount > 0 {
                w.deposit(&t, &sol, &t.sol_wallet, sol_amount * SOL);
            }
            actors.push(t);
        }
        let h = w.health_accounts_with(&ins, &[w.usdc]);
        let k = &actors[TRADERS];
        w.env.ok(&[ix::deposit(&k.key, &ins, &w.usdc, &k.usdc_wallet, 2_000 * USDC, &h)], &[&k.kp]);

        // Trader 0 writes as many ATM calls as its initial margin allows (to trader 3); trader 1
        // borrows USDC against its SOL up to its initial limit: both fall under maintenance
        // after ordinary moves, so liquidations are reached.
        let atm = m.series(150 * D, 0);
        for n in (1..=40).rev() {
            let leg = maxwell::instructions::TradeLeg { series_index: atm, size: n, price: w.at_mark(&m, atm) };
            let i = w.trade_ix(&m, &actors[3], &actors[0], vec![leg]);
            let (a, b) = (actors[3].kp.insecure_clone(), actors[0].kp.insecure_clone());
            if w.env.send(&[compute_budget_ix(1_400_000), i], &[&a, &b]).is_ok() {
                break;
            }
        }
        let usdc = w.usdc;
        for borrow in (1..=60).rev().map(|k| k * 10 * USDC) {
            let i = w.withdraw_ix(&actors[1], &usdc, &actors[1].usdc_wallet, borrow);
            let kp = actors[1].kp.insecure_clone();
            if w.env.send(&[i], &[&kp]).is_ok() {
                break;
            }
        }
        let sub = w.sub_account(&actors[POLICY_OWNER], 1);
        let usdc = w.usdc;
        w.deposit(&sub, &usdc, &sub.usdc_wallet, 5_000 * USDC);
        let policy = PolicyArgs {
            accounts: vec![actors[POLICY_OWNER].account, sub.account],
            feeds: vec![2, 1],
            // The sub-account wants topping up from the start (its health is below the trigger).
            trigger_health: 50_000 * USDC as i64,
            target_health: 60_000 * USDC as i64,
            max_per_move: 2_000 * USDC,
            max_per_day: 10_000 * USDC,
            quote_borrow_limit: 1_000 * USDC,
            keeper_fee_bps: 10,
            max_discount_bps: 200,
        };
        let i = w.policy_set_ix(&actors[POLICY_OWNER].key, policy);
        w.env.ok(&[i], &[&actors[POLICY_OWNER].kp]);

        let foreign = foreign_exchange(&mut w);
        w.assert_conservation();
        Scenario { w, m, ins, actors, sub, foreign }
    }

    /// An independent copy (same keys, same state) for one sequence.
    pub fn fork(&self) -> Scenario {
        let w = &self.w;
        let env = Env { svm: w.env.svm.clone(), payer: w.env.payer.insecure_clone() };
        let w2 = World {
            env,
            admin: w.admin.insecure_clone(),
            exchange: w.exchange,
            usdc: w.usdc,
            sol: w.sol,
            sol_oracle: w.sol_oracle,
            banks: w.banks.clone(),
            accounts: w.accounts.clone(),
        };
        let f = &self.foreign;
        Scenario {
            w: w2,
            m: Market { underlying: self.m.underlying, oracle: self.m.oracle, expiry: self.m.expiry, strikes: self.m.strikes.clone() },
            ins: self.ins,
            actors: self.actors.iter().map(fork_trader).collect(),
            sub: fork_trader(&self.sub),
            foreign: Foreign {
                exchange: f.exchange,
                admin: f.admin.insecure_clone(),
                usdc: f.usdc,
                sol: f.sol,
                oracle: f.oracle,
                market: Market {
                    underlying: f.market.underlying,
                    oracle: f.market.oracle,
                    expiry: f.market.expiry,
                    strikes: f.market.strikes.clone(),
                },
                trader: fork_trader(&f.trader),
            },
        }
    }
}

/// The attacker's exchange, built through `World`'s own helpers by pointing a `World` at it
/// for a moment (same LiteSVM), then restoring the honest exchange's identity.
fn foreign_exchange(w: &mut World) -> Foreign {
    let attacker = w.env.new_funded_keypair();
    let a = pk(&attacker.pubkey());
    let exchange = ix::exchange_pda(&a);
    let usdc_mint = w.usdc.mint;
    let sol_mint = w.sol.mint;
    w.env.ok(&[ix::exchange_init(&a, &usdc_mint, exchange_params())], &[&attacker]);
    let oracle = Pk::new_unique();
    let now = w.env.now();
    w.env.write_price(&oracle, Quote { conf: 5_000_000, ..Quote::new(feed(SOL_FEED), SOL_PRICE, SOL_EXPO, now) });

    let saved = (
        std::mem::replace(&mut w.admin, attacker.insecure_clone()),
        std::mem::replace(&mut w.exchange, exchange),
        w.usdc,
        w.sol,
        std::mem::replace(&mut w.sol_oracle, oracle),
        std::mem::take(&mut w.banks),
        std::mem::take(&mut w.accounts),
    );
    w.usdc = w.add_bank(&usdc_mint, None, quote_bank_params());
    w.sol = w.add_bank(&sol_mint, Some(oracle), bank_params(feed(SOL_FEED)));
    let market = w.market(&STRIKES);
    let trader = w.trader();
    let (usdc, sol) = (w.usdc, w.sol);
    w.deposit(&trader, &usdc, &trader.usdc_wallet, 100_000 * USDC);
    w.deposit(&trader, &sol, &trader.sol_wallet, 100 * SOL);
    let f = Foreign { exchange, admin: attacker, usdc, sol, oracle, market, trader };
    (w.admin, w.exchange, w.usdc, w.sol, w.sol_oracle, w.banks, w.accounts) = saved;
    f
}
