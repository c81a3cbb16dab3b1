//! A ready world: an exchange with a USDC quote bank (SPL Token, 6 decimals) and a SOL bank
//! (Token-2022, 9 decimals, Pyth SOL/USD at $150), traders with funded wallets, the health
//! accounts of any margin account, and the conservation check.

use maxwell::state::{BankParamsArgs, CollateralBank, ExchangeParamsArgs, MarginAccount, RateCurveArgs};
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::env::*;
use crate::ix::{self, BankRef};
use crate::pyth::{feed, Quote};
use crate::token::{spl_token, token_2022};

pub const USDC: u64 = 1_000_000; // 1 USDC in native units
pub const SOL: u64 = 1_000_000_000; // 1 SOL in lamports
pub const SOL_FEED: u8 = 0x50;
/// SOL/USD 150.00 as Pyth publishes it: 15_000_000_000 x 10^-8.
pub const SOL_PRICE: i64 = 15_000_000_000;
pub const SOL_EXPO: i32 = -8;

pub fn exchange_params() -> ExchangeParamsArgs {
    ExchangeParamsArgs {
        im_factor_bps: 15_000,
        liq_penalty_min_bps: 100,
        liq_penalty_max_bps: 500,
        insurance_share_bps: 2_000,
        trade_band_vol_bps: 500,
        trade_band_min_bps: 10,
    }
}

pub fn bank_params(feed_id: [u8; 32]) -> BankParamsArgs {
    BankParamsArgs {
        feed_id,
        oracle_max_age_secs: 60,
        oracle_max_conf_bps: 200,
        init_asset_weight_bps: 8_000,
        maint_asset_weight_bps: 9_000,
        init_liab_weight_bps: 12_000,
        maint_liab_weight_bps: 11_000,
        deposit_cap: 1_000_000 * SOL,
        borrow_cap: 0,
        rate: NO_INTEREST,
    }
}

/// Interest off: the tests of other features keep exact balances across time warps.
pub const NO_INTEREST: RateCurveArgs =
    RateCurveArgs { kink_util_bps: 8_000, base_rate_bps: 0, kink_rate_bps: 0, max_rate_bps: 0, reserve_bps: 0 };

/// The lending tests' curve: 2% at 0% utilization, 10% at the 80% kink, 100% at 100%; 10%
/// of interest to the reserve.
pub const LENDING_CURVE: RateCurveArgs =
    RateCurveArgs { kink_util_bps: 8_000, base_rate_bps: 200, kink_rate_bps: 1_000, max_rate_bps: 10_000, reserve_bps: 1_000 };

pub fn quote_bank_params() -> BankParamsArgs {
    BankParamsArgs {
        feed_id: [0; 32],
        init_asset_weight_bps: 10_000,
        maint_asset_weight_bps: 10_000,
        init_liab_weight_bps: 10_000,
        maint_liab_weight_bps: 10_000,
        deposit_cap: 1_000_000_000 * USDC,
        ..bank_params([0; 32])
    }
}

pub struct Trader {
    pub kp: Keypair,
    pub key: Pk,
    pub account: Pk,
    pub usdc_wallet: Pk,
    pub sol_wallet: Pk,
}

pub struct World {
    pub env: Env,
    pub admin: Keypair,
    pub exchange: Pk,
    pub usdc: BankRef,
    pub sol: BankRef,
    pub sol_oracle: Pk,
    /// Every bank of this exchange with its oracle (None for quote), for health accounts.
    pub banks: Vec<(BankRef, Option<Pk>)>,
    /// Every margin account created, for the conservation check.
    pub accounts: Vec<Pk>,
}

impl World {
    pub fn new() -> World {
        World::with_env(Env::new())
    }

    pub fn with_env(mut env: Env) -> World {
        let admin = env.new_funded_keypair();
        let admin_pk = pk(&admin.pubkey());
        let usdc_mint = env.create_mint(spl_token(), 6);
        let sol_mint = env.create_mint(token_2022(), 9);
        let sol_oracle = Pk::new_unique();
        let now = env.now();
        env.write_price(&sol_oracle, Quote { conf: 5_000_000, ..Quote::new(feed(SOL_FEED), SOL_PRICE, SOL_EXPO, now) });

        let exchange = ix::exchange_pda(&admin_pk);
        env.ok(&[ix::exchange_init(&admin_pk, &usdc_mint, exchange_params())], &[&admin]);
        let mut w = World { env, admin, exchange, usdc: dummy(), sol: dummy(), sol_oracle, banks: vec![], accounts: vec![] };
        w.usdc = w.add_bank(&usdc_mint, None, quote_bank_params());
        w.sol = w.add_bank(&sol_mint, Some(sol_oracle), bank_params(feed(SOL_FEED)));
        w
    }

    pub fn admin_pk(&self) -> Pk {
        pk(&self.admin.pubkey())
    }

    pub fn add_bank(&mut self, mint: &Pk, oracle: Option<Pk>, params: BankParamsArgs) -> BankRef {
        let token_program = pk(&self.env.account(mint).unwrap().owner);
        let admin = self.admin_pk();
        let ixn = ix::bank_create(&admin, &self.exchange, mint, oracle, &token_program, params);
        let admin_kp = self.admin.insecure_clone();
        self.env.ok(&[ixn], &[&admin_kp]);
        let bank = ix::bank_pda(&self.exchange, mint);
        let b = BankRef { exchange: self.exchange, bank, vault: ix::vault_pda(&bank), mint: *mint, token_program };
        self.banks.push((b, oracle));
        b
    }

    /// A trader with a margin account (id 0) and wallets holding 1M USDC and 1k SOL.
    pub fn trader(&mut self) -> Trader {
        let kp = self.env.new_funded_keypair();
        let key = pk(&kp.pubkey());
        let account = ix::account_pda(&self.exchange, &key, 0);
        self.env.ok(&[ix::account_create(&key, &key, &self.exchange, 0)], &[&kp]);
        self.accounts.push(account);
        let usdc_wallet = self.env.create_token_account(&self.usdc.mint, &key);
        let sol_wallet = self.env.create_token_account(&self.sol.mint, &key);
        self.env.mint_to(&self.usdc.mint, &usdc_wallet, 1_000_000 * USDC);
        self.env.mint_to(&self.sol.mint, &sol_wallet, 1_000 * SOL);
        Trader { kp, key, account, usdc_wallet, sol_wallet }
    }

    pub fn margin(&self, account: &Pk) -> MarginAccount {
        self.env.zc::<MarginAccount>(account)
    }

    pub fn bank(&self, b: &BankRef) -> CollateralBank {
        self.env.zc::<CollateralBank>(&b.bank)
    }

    /// Health accounts of `account` as it is now, plus `extra` banks it is about to use.
    /// A closed (or never created) account holds nothing: only `extra`.
    pub fn health_accounts_with(&self, account: &Pk, extra: &[BankRef]) -> Vec<Pk> {
        let held: Vec<u16> = match self.env.account(account).filter(|a| a.data.len() > 8) {
            Some(_) => self.margin(account).collateral.iter().filter(|s| s.in_use == 1).map(|s| s.bank_index).collect(),
            None => vec![],
        };
        let mut indices = held;
        for b in extra {
            let bi = self.bank(b).bank_index;
            if !indices.contains(&bi) {
                indices.push(bi);
            }
        }
        let mut out = vec![];
        for bi in indices {
            let (b, oracle) = self.banks.iter().find(|(b, _)| self.bank(b).bank_index == bi).expect("known bank");
            out.push(b.bank);
            if let Some(o) = oracle {
                out.push(*o);
            }
        }
        out
    }

    pub fn health_accounts(&self, account: &Pk) -> Vec<Pk> {
        self.health_accounts_with(account, &[])
    }

    /// The account's balance in `b`, native units, at the bank's stored indices (deposits
    /// rounded down, borrows up).
    pub fn balance(&self, account: &Pk, b: &BankRef) -> i64 {
        self.bank(b).index().value(self.shares(account, b)).unwrap()
    }

    /// The account's balance in `b` in shares (what the account stores).
    pub fn shares(&self, account: &Pk, b: &BankRef) -> i64 {
        let bi = self.bank(b).bank_index;
        self.margin(account).collateral.iter().find(|s| s.in_use == 1 && s.bank_index == bi).map_or(0, |s| s.balance)
    }

    pub fn deposit(&mut self, t: &Trader, b: &BankRef, wallet: &Pk, amount: u64) -> Success {
        let health = self.health_accounts_with(&t.account, &[*b]);
        let i = ix::deposit(&t.key, &t.account, b, wallet, amount, &health);
        let kp = t.kp.insecure_clone();
        self.env.ok(&[i], &[&kp])
    }

    /// A withdrawal with the account's health accounts as they are now (the program frees an
    /// emptied slot only after its health check: no prediction of the layout).
    pub fn withdraw_ix(&self, t: &Trader, b: &BankRef, wallet: &Pk, amount: u64) -> solana_instruction::Instruction {
        let health = self.health_accounts_with(&t.account, &[*b]);
        ix::withdraw(&t.key, &t.account, b, wallet, amount, &health)
    }

    /// Every bank: the vault holds what depositors are owed (accounts, the reserve) minus what
    /// borrowers owe, at the bank's stored indices: exactly while both indices are 1.0 (no
    /// interest yet), otherwise above it by rounding dust only (every rounding favours the
    /// bank). The share totals are the sums of the accounts' shares.
    pub fn assert_conservation(&self) {
        for (b, _) in &self.banks {
            let bank = self.bank(b);
            let idx = bank.index();
            let vault = self.env.token_amount(&b.vault) as i128;
            let (mut value, mut dep, mut bor) = (0i128, 0u64, 0u64);
            for a in &self.accounts {
                if self.env.account(a).is_some() {
                    let s = self.shares(a, b);
                    value += i128::from(idx.value(s).unwrap());
                    dep += s.max(0) as u64;
                    bor += s.min(0).unsigned_abs();
                }
            }
            value += i128::from(idx.deposit_value(idx.fee_shares).unwrap());
            assert_eq!(dep + idx.fee_shares, idx.deposit_shares, "deposit shares vs accounts");
            assert_eq!(bor, idx.borrow_shares, "borrow shares vs accounts");
            let totals = i128::from(idx.total_deposits().unwrap()) - i128::from(idx.total_borrows().unwrap());
            let grain = i128::from(idx.deposit_index.max(idx.borrow_index) / maxwell_lending::ONE + 1);
            let dust = grain * (self.accounts.len() as i128 + 2);
            assert!(vault >= totals && vault - totals <= dust, "vault {vault} vs deposits - borrows {totals}");
            assert!(vault >= value && vault - value <= dust, "vault {vault} vs sum of balances {value}");
            if idx.deposit_index == maxwell_lending::ONE && idx.borrow_index == maxwell_lending::ONE {
                assert_eq!(vault, totals, "bank totals vs vault (no interest yet: exact)");
                assert_eq!(vault, value, "sum of balances vs vault (no interest yet: exact)");
            }
        }
    }
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

fn dummy() -> BankRef {
    BankRef { exchange: Pk::default(), bank: Pk::default(), vault: Pk::default(), mint: Pk::default(), token_program: Pk::default() }
}
