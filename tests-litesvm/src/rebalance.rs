//! Rebalance helpers: an owner's further accounts, policies, the two keeper moves.

use maxwell::state::PolicyArgs;
use solana_instruction::Instruction;

use crate::env::*;
use crate::ix::{self, build, BankRef};
use crate::market::Market;
use crate::world::*;

pub fn policy_pda(exchange: &Pk, owner: &Pk) -> Pk {
    Pk::find_program_address(&[maxwell::constants::POLICY_SEED, exchange.as_ref(), owner.as_ref()], &maxwell::ID).0
}

impl World {
    /// The owner's margin account `id` (created), as a `Trader` sharing its key and wallets.
    pub fn sub_account(&mut self, t: &Trader, id: u32) -> Trader {
        let account = ix::account_pda(&self.exchange, &t.key, id);
        self.env.ok(&[ix::account_create(&t.key, &t.key, &self.exchange, id)], &[&t.kp]);
        self.accounts.push(account);
        Trader { kp: t.kp.insecure_clone(), key: t.key, account, usdc_wallet: t.usdc_wallet, sol_wallet: t.sol_wallet }
    }

    pub fn policy_set_ix(&self, owner: &Pk, args: PolicyArgs) -> Instruction {
        let listed = args.accounts.clone();
        build(
            maxwell::accounts::PolicySet {
                owner: *owner,
                exchange: self.exchange,
                policy: policy_pda(&self.exchange, owner),
                system_program: anchor_lang::system_program::ID,
            },
            maxwell::instruction::PolicySet { args },
            &listed,
        )
    }

    pub fn rebalance_accounts_ix(
        &self,
        keeper: &Trader,
        owner: &Pk,
        source: &Pk,
        destination: &Pk,
        b: &BankRef,
        amount: u64,
        m: Option<&Market>,
    ) -> Instruction {
        let health = self.health_union(&[*source, *destination, keeper.account], m, &[*b]);
        build(
            maxwell::accounts::RebalanceAccounts {
                keeper: keeper.key,
                keeper_account: keeper.account,
                exchange: self.exchange,
                policy: policy_pda(&self.exchange, owner),
                source: *source,
                destination: *destination,
                bank: b.bank,
            },
            maxwell::instruction::RebalanceAccounts { amount },
            &health,
        )
    }

    pub fn rebalance_collateral_ix(
        &self,
        keeper: &Trader,
        owner: &Pk,
        account: &Pk,
        b: &BankRef,
        quote_amount: u64,
        discount_bps: u16,
        m: Option<&Market>,
    ) -> Instruction {
        let health = self.health_union(&[*account, keeper.account], m, &[self.usdc, *b]);
        build(
            maxwell::accounts::RebalanceCollateral {
                keeper: keeper.key,
                keeper_account: keeper.account,
                exchange: self.exchange,
                policy: policy_pda(&self.exchange, owner),
                account: *account,
                quote_bank: self.usdc.bank,
                bank: b.bank,
            },
            maxwell::instruction::RebalanceCollateral { quote_amount, discount_bps },
            &health,
        )
    }
}
