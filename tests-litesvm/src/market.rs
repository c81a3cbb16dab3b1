//! Option markets on top of `World`: a SOL underlying with listed series, a surface, fresh
//! risk arrays, and builders for the market instructions.

use maxwell::instructions::{SeriesListArgs, SviArgs, TradeLeg, UnderlyingCreateArgs};
use maxwell::state::{MarginAccount, Underlying};
use solana_instruction::Instruction;
use solana_signer::Signer;

use crate::env::*;
use crate::ix::build;
use crate::pyth::{feed, Quote};
use crate::world::*;

pub const DAY: i64 = 86_400;
/// $1 in quote native units: strikes and premiums are quote native per contract (1 SOL).
pub const D: u64 = 1_000_000;

/// Q52 fixed point of a test constant (tests only; the program never sees a float).
pub fn q52(x: f64) -> i64 {
    (x * (1u64 << 52) as f64).round() as i64
}

/// A flat-ish smile: total variance about `vol^2 T` at the money, mild put skew.
pub fn svi_for(vol: f64, days: f64) -> SviArgs {
    let w = vol * vol * days / 365.0;
    SviArgs { a: q52(w * 0.9), b: q52(w * 0.5), rho: q52(-0.3), m: 0, sigma: q52(0.2) }
}

pub struct Market {
    pub underlying: Pk,
    pub oracle: Pk,
    pub expiry: i64,
    pub strikes: Vec<u64>,
}

impl Market {
    /// Series index of (strike, kind) in the first expiry: listing order is strike-major,
    /// call (0) then put (1).
    pub fn series(&self, strike: u64, kind: u8) -> u16 {
        let i = self.strikes.iter().position(|&k| k == strike).expect("listed strike");
        (2 * i) as u16 + u16::from(kind)
    }
}

impl World {
    /// Creates the SOL underlying (spot bank = the SOL bank), lists `strikes` at now + 30 days,
    /// sets an 80%-vol surface and refreshes every risk array.
    pub fn market(&mut self, strikes: &[u64]) -> Market {
        self.market_with(30 * DAY, 0.8, strikes)
    }

    /// [`World::market`] with its one expiry `secs` from now and a smile of ATM vol `vol` for
    /// that tenor (the underlying's first smile, so not rate-bounded).
    pub fn market_with(&mut self, secs: i64, vol: f64, strikes: &[u64]) -> Market {
        let admin_kp = self.admin.insecure_clone();
        let (u_kp, ixs) = self.underlying_create_ixs();
        let u = pk(&u_kp.pubkey());
        self.env.ok(&ixs, &[&u_kp, &admin_kp]);
        let expiry = self.env.now() + secs;
        let m = Market { underlying: u, oracle: self.sol_oracle, expiry, strikes: strikes.to_vec() };
        let list = self.series_list_ix(&m, expiry, strikes, 1_000_000);
        self.env.ok(&[list], &[&admin_kp]);
        let smile = self.vol_update_ix(&m, 0, svi_for(vol, secs as f64 / DAY as f64));
        self.env.ok(&[smile], &[&admin_kp]);
        self.refresh_all(&m);
        m
    }

    /// The SOL underlying's account keypair and the two instructions that create it (system
    /// `create_account`, then `underlying_create` by the admin, vol oracle = the admin, spot
    /// bank = the SOL bank); signers: the keypair and the admin.
    pub fn underlying_create_ixs(&self) -> (solana_keypair::Keypair, Vec<Instruction>) {
        let admin = self.admin_pk();
        let size = 8 + core::mem::size_of::<Underlying>();
        let u_kp = crate::env::keypair();
        let u = pk(&u_kp.pubkey());
        let lamports = self.env.svm.minimum_balance_for_rent_exemption(size);
        let mut data = vec![0u8; 4];
        data.extend_from_slice(&lamports.to_le_bytes());
        data.extend_from_slice(&(size as u64).to_le_bytes());
        data.extend_from_slice(maxwell::ID.as_ref());
        let create = Instruction {
            program_id: addr(&anchor_lang::system_program::ID),
            accounts: vec![
                solana_instruction::AccountMeta::new(self.env.payer.pubkey(), true),
                solana_instruction::AccountMeta::new(addr(&u), true),
            ],
            data,
        };
        let args = UnderlyingCreateArgs {
            feed_id: feed(SOL_FEED),
            vol_oracle: admin,
            oracle_max_age_secs: 60,
            oracle_max_conf_bps: 200,
            surface_max_age_secs: 3_600,
            risk_max_age_secs: 600,
            risk_spot_tolerance_bps: 100,
        };
        let init = build(
            maxwell::accounts::UnderlyingCreate {
                admin,
                exchange: self.exchange,
                underlying: u,
                oracle: self.sol_oracle,
                spot_bank: Some(self.sol.bank),
            },
            maxwell::instruction::UnderlyingCreate { args },
            &[],
        );
        (u_kp, vec![create, init])
    }

    pub fn realized_vol_ix(&self, m: &Market) -> Instruction {
        build(
            maxwell::accounts::RealizedVolUpdate { exchange: self.exchange, underlying: m.underlying, oracle: m.oracle },
            maxwell::instruction::RealizedVolUpdate {},
            &[],
        )
    }

    pub fn series_list_ix(&self, m: &Market, expiry: i64, strikes: &[u64], oi_cap: u64) -> Instruction {
        build(
            maxwell::accounts::SeriesList { admin: self.admin_pk(), exchange: self.exchange, underlying: m.underlying },
            maxwell::instruction::SeriesList { args: SeriesListArgs { expiry, strikes: strikes.to_vec(), oi_cap } },
            &[],
        )
    }

    pub fn listing_schedule_ix(&self, m: &Market, args: maxwell::instructions::ListingScheduleArgs) -> Instruction {
        build(
            maxwell::accounts::ListingScheduleSet { admin: self.admin_pk(), exchange: self.exchange, underlying: m.underlying },
            maxwell::instruction::ListingScheduleSet { args },
            &[],
        )
    }

    pub fn listing_execute_ix(&self, m: &Market) -> Instruction {
        build(
            maxwell::accounts::ListingExecute { exchange: self.exchange, underlying: m.underlying, oracle: m.oracle },
            maxwell::instruction::ListingExecute {},
            &[],
        )
    }

    pub fn vol_update_ix(&self, m: &Market, expiry_index: u8, svi: SviArgs) -> Instruction {
        build(
            maxwell::accounts::VolSurfaceUpdate { vol_oracle: self.admin_pk(), exchange: self.exchange, underlying: m.underlying },
            maxwell::instruction::VolSurfaceUpdate { expiry_index, svi },
            &[],
        )
    }

    pub fn refresh_ix(&self, m: &Market, first: u16, count: u16) -> Instruction {
        build(
            maxwell::accounts::RiskRefresh { exchange: self.exchange, underlying: m.underlying, oracle: m.oracle },
            maxwell::instruction::RiskRefresh { first, count },
            &[],
        )
    }

    /// Refreshes every listed series, a few per transaction; returns the largest CU.
    pub fn refresh_all(&mut self, m: &Market) -> u64 {
        let n = self.env.zc::<Underlying>(&m.underlying).n_series;
        let mut max = 0;
        let mut first = 0;
        while first < n {
            let i = self.refresh_ix(m, first, 2);
            max = max.max(self.env.ok_big(&[i], &[]).cu);
            first += 2;
        }
        max
    }

    pub fn underlying(&self, m: &Market) -> Underlying {
        self.env.zc::<Underlying>(&m.underlying)
    }

    /// Health accounts covering every given account: banks (+ oracles) and underlyings (+ oracles).
    pub fn health_union(&self, accounts: &[Pk], m: Option<&Market>, extra_banks: &[crate::ix::BankRef]) -> Vec<Pk> {
        let mut out: Vec<Pk> = vec![];
        for a in accounts {
            for k in self.health_accounts_with(a, extra_banks) {
                // bank/oracle pairs: keep the first occurrence of each bank with its oracle
                out.push(k);
            }
        }
        // De-duplicate bank entries (a bank followed by its oracle stays a pair).
        let mut dedup: Vec<Pk> = vec![];
        let mut i = 0;
        while i < out.len() {
            let bank = out[i];
            let has_oracle = self.banks.iter().find(|(b, _)| b.bank == bank).and_then(|(_, o)| *o);
            let step = if has_oracle.is_some() { 2 } else { 1 };
            if !dedup.contains(&bank) {
                dedup.extend_from_slice(&out[i..i + step]);
            }
            i += step;
        }
        if let Some(m) = m {
            dedup.push(m.underlying);
            dedup.push(m.oracle);
        }
        dedup
    }

    pub fn trade_ix(&self, m: &Market, maker: &Trader, taker: &Trader, legs: Vec<TradeLeg>) -> Instruction {
        let health = self.health_union(&[maker.account, taker.account], Some(m), &[self.usdc]);
        build(
            maxwell::accounts::Trade {
                exchange: self.exchange,
                maker: maker.account,
                maker_signer: maker.key,
                taker: taker.account,
                taker_signer: taker.key,
                underlying: m.underlying,
                quote_bank: self.usdc.bank,
            },
            maxwell::instruction::Trade { legs },
            &health,
        )
    }

    /// A price inside the trade band: the series' mark from its risk array, at least 1.
    pub fn at_mark(&self, m: &Market, series: u16) -> u64 {
        self.underlying(m).risk[usize::from(series)].mark.max(1) as u64
    }

    pub fn trade(&mut self, m: &Market, maker: &Trader, taker: &Trader, legs: Vec<TradeLeg>) -> Success {
        let i = self.trade_ix(m, maker, taker, legs);
        let (a, b) = (maker.kp.insecure_clone(), taker.kp.insecure_clone());
        self.env.ok_big(&[i], &[&a, &b])
    }

    pub fn health_ix(&self, account: &Pk, m: Option<&Market>) -> Instruction {
        let health = self.health_union(&[*account], m, &[]);
        build(
            maxwell::accounts::AccountHealth { exchange: self.exchange, account: *account },
            maxwell::instruction::AccountHealth {},
            &health,
        )
    }

    /// Runs `account_health` and decodes its return data.
    pub fn health_of(&mut self, account: &Pk, m: Option<&Market>) -> (maxwell::events::HealthLog, u64) {
        let i = self.health_ix(account, m);
        let s = self.env.ok_big(&[i], &[]);
        let log: maxwell::events::HealthLog = anchor_lang::AnchorDeserialize::deserialize(&mut s.return_data.as_slice()).unwrap();
        (log, s.cu)
    }

    /// `expiry_settle_price` reading the underlying's own oracle account.
    pub fn settle_price_ix(&self, m: &Market, expiry_index: u8) -> Instruction {
        self.settle_price_ix_from(m, expiry_index, &m.oracle)
    }

    /// `expiry_settle_price` reading any `PriceUpdateV2` account (a keeper's posted update).
    pub fn settle_price_ix_from(&self, m: &Market, expiry_index: u8, price_update: &Pk) -> Instruction {
        build(
            maxwell::accounts::ExpirySettlePrice { exchange: self.exchange, underlying: m.underlying, price_update: *price_update },
            maxwell::instruction::ExpirySettlePrice { expiry_index },
            &[],
        )
    }

    pub fn expiry_retire_ix(&self, m: &Market, keeper: &Pk, expiry_index: u8) -> Instruction {
        build(
            maxwell::accounts::ExpiryRetire { keeper: *keeper, exchange: self.exchange, underlying: m.underlying },
            maxwell::instruction::ExpiryRetire { expiry_index },
            &[],
        )
    }

    pub fn account_settle_ix(&self, m: &Market, account: &Pk) -> Instruction {
        self.account_settle_ix_with(m, account, None)
    }

    /// `account_settle` whose health accounts also cover `open` (an underlying the account
    /// still holds positions on after the settlement).
    pub fn account_settle_ix_with(&self, m: &Market, account: &Pk, open: Option<&Market>) -> Instruction {
        let health = self.health_union(&[*account], open, &[self.usdc]);
        build(
            maxwell::accounts::AccountSettle {
                exchange: self.exchange,
                account: *account,
                underlying: m.underlying,
                quote_bank: self.usdc.bank,
            },
            maxwell::instruction::AccountSettle {},
            &health,
        )
    }

    pub fn delegate_set_ix(&self, owner: &Pk, account: &Pk, delegate: Pk) -> Instruction {
        build(
            maxwell::accounts::DelegateSet { owner: *owner, exchange: self.exchange, account: *account },
            maxwell::instruction::DelegateSet { delegate },
            &[],
        )
    }

    /// Moves the SOL oracle to `price` (Pyth mantissa, expo -8) published now.
    pub fn set_sol_price(&mut self, price: i64) {
        let now = self.env.now();
        let oracle = self.sol_oracle;
        self.env.write_price(&oracle, Quote { conf: 1_000_000, ..Quote::new(feed(SOL_FEED), price, SOL_EXPO, now) });
    }

    pub fn position(&self, account: &Pk, series: u16) -> i64 {
        let a: MarginAccount = self.margin(account);
        a.positions.iter().find(|p| p.in_use == 1 && p.series_index == series).map_or(0, |p| p.size)
    }
}

impl World {
    /// The exchange's insurance fund account (created on first use).
    pub fn insurance(&mut self) -> Pk {
        let ex = self.env.zc::<maxwell::state::Exchange>(&self.exchange);
        if ex.insurance_vault != Pk::default() {
            return ex.insurance_vault;
        }
        let ins = Pk::find_program_address(&[maxwell::constants::INSURANCE_SEED, self.exchange.as_ref()], &maxwell::ID).0;
        let i = build(
            maxwell::accounts::InsuranceCreate {
                admin: self.admin_pk(),
                exchange: self.exchange,
                insurance: ins,
                system_program: anchor_lang::system_program::ID,
            },
            maxwell::instruction::InsuranceCreate {},
            &[],
        );
        let admin_kp = self.admin.insecure_clone();
        self.env.ok(&[i], &[&admin_kp]);
        self.accounts.push(ins);
        ins
    }

    pub fn liquidate_ix(
        &self,
        m: &Market,
        liquidatee: &Pk,
        liquidator: &Trader,
        insurance: &Pk,
        legs: Vec<maxwell::instructions::LiquidateLeg>,
    ) -> Instruction {
        let health = self.health_union(&[*liquidatee, liquidator.account], Some(m), &[self.usdc]);
        build(
            maxwell::accounts::Liquidate {
                exchange: self.exchange,
                liquidatee: *liquidatee,
                liquidator: liquidator.account,
                liquidator_signer: liquidator.key,
                underlying: m.underlying,
                quote_bank: self.usdc.bank,
                insurance: *insurance,
            },
            maxwell::instruction::Liquidate { legs },
            &health,
        )
    }
}
