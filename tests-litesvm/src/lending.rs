//! Lending and bankruptcy helpers: bank parameters, interest crank, bankruptcy resolution.

use maxwell::state::BankParamsArgs;
use solana_instruction::Instruction;

use crate::env::*;
use crate::ix::{build, BankRef};
use crate::world::*;

impl World {
    pub fn bank_set_params_ix(&self, admin: &Pk, b: &BankRef, params: BankParamsArgs) -> Instruction {
        build(
            maxwell::accounts::BankSetParams { admin: *admin, exchange: self.exchange, bank: b.bank },
            maxwell::instruction::BankSetParams { params },
            &[],
        )
    }

    /// Sets a bank's parameters as the admin: at once while nobody uses the bank, otherwise
    /// through the queue (proposed, the clock warped past the timelock, executed; the SOL
    /// oracle republishes its price at the new time). Risk arrays are the caller's to refresh.
    pub fn bank_set_params(&mut self, b: &BankRef, params: BankParamsArgs) {
        let bank = self.bank(b);
        if bank.deposit_shares == 0 && bank.borrow_shares == 0 {
            let i = self.bank_set_params_ix(&self.admin_pk(), b, params);
            let kp = self.admin.insecure_clone();
            self.env.ok(&[i], &[&kp]);
            return;
        }
        let id = self.propose(maxwell::state::Change::BankParams { bank: b.bank, params }, Some(b.bank), None);
        self.execute_after_timelock(id, Some(b.bank), None);
        let oracle = self.sol_oracle;
        if let Some(price) = crate::pyth::read_price(&self.env, &oracle) {
            self.set_sol_price(price);
        }
    }

    /// Turns lending on for the quote bank: `LENDING_CURVE`, borrow cap `cap`.
    pub fn enable_quote_lending(&mut self, cap: u64) {
        let usdc = self.usdc;
        self.bank_set_params(&usdc, BankParamsArgs { borrow_cap: cap, rate: LENDING_CURVE, ..quote_bank_params() });
    }

    pub fn accrue_ix(&self, b: &BankRef) -> Instruction {
        build(maxwell::accounts::AccrueInterest { exchange: self.exchange, bank: b.bank }, maxwell::instruction::AccrueInterest {}, &[])
    }

    pub fn bankruptcy_ix(&self, keeper: &Pk, account: &Pk, b: &BankRef, insurance: &Pk) -> Instruction {
        let health = self.health_accounts(account);
        build(
            maxwell::accounts::BankruptcyResolve {
                keeper: *keeper,
                exchange: self.exchange,
                account: *account,
                bank: b.bank,
                insurance: *insurance,
            },
            maxwell::instruction::BankruptcyResolve {},
            &health,
        )
    }
}

impl World {
    /// `balance_liquidate` by `liquidator` of `liquidatee`'s debt to `liability` against its
    /// balance in `asset`, at most `max` liability native units. Health accounts cover both
    /// accounts, both banks and the underlying `m` when given.
    pub fn balance_liquidate_ix(
        &self,
        m: Option<&crate::market::Market>,
        liquidatee: &Pk,
        liquidator: &Trader,
        asset: &BankRef,
        liability: &BankRef,
        insurance: &Pk,
        max: u64,
    ) -> Instruction {
        let health = self.health_union(&[*liquidatee, liquidator.account], m, &[*asset, *liability, self.usdc]);
        build(
            maxwell::accounts::BalanceLiquidate {
                exchange: self.exchange,
                liquidatee: *liquidatee,
                liquidator: liquidator.account,
                liquidator_signer: liquidator.key,
                asset_bank: asset.bank,
                liability_bank: liability.bank,
                quote_bank: self.usdc.bank,
                insurance: *insurance,
            },
            maxwell::instruction::BalanceLiquidate { max_liability_amount: max },
            &health,
        )
    }
}
