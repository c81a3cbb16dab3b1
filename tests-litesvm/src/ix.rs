//! One builder per Maxwell instruction, from Anchor's generated client structs.

use anchor_lang::{InstructionData, ToAccountMetas};
use maxwell::constants::*;
use maxwell::state::{BankParamsArgs, ExchangeParamsArgs};
use solana_instruction::Instruction;

use crate::env::*;

pub fn exchange_pda(admin: &Pk) -> Pk {
    Pk::find_program_address(&[EXCHANGE_SEED, admin.as_ref()], &maxwell::ID).0
}
pub fn bank_pda(exchange: &Pk, mint: &Pk) -> Pk {
    Pk::find_program_address(&[BANK_SEED, exchange.as_ref(), mint.as_ref()], &maxwell::ID).0
}
pub fn vault_pda(bank: &Pk) -> Pk {
    Pk::find_program_address(&[VAULT_SEED, bank.as_ref()], &maxwell::ID).0
}
pub fn account_pda(exchange: &Pk, owner: &Pk, id: u32) -> Pk {
    Pk::find_program_address(&[MARGIN_ACCOUNT_SEED, exchange.as_ref(), owner.as_ref(), &id.to_le_bytes()], &maxwell::ID).0
}

pub fn build(metas: impl ToAccountMetas, data: impl InstructionData, extra: &[Pk]) -> Instruction {
    let mut m = metas.to_account_metas(None);
    m.extend(extra.iter().map(|k| anchor_lang::prelude::AccountMeta::new_readonly(*k, false)));
    anchor_ix(maxwell::ID, m, data.data())
}

/// The governance delay of test exchanges: an hour (tests warp the clock past it).
pub const TEST_TIMELOCK_SECS: u32 = 3_600;

pub fn exchange_init(admin: &Pk, quote_mint: &Pk, params: ExchangeParamsArgs) -> Instruction {
    build(
        maxwell::accounts::ExchangeInit {
            admin: *admin,
            exchange: exchange_pda(admin),
            quote_mint: *quote_mint,
            system_program: anchor_lang::system_program::ID,
        },
        maxwell::instruction::ExchangeInit { params, timelock_secs: TEST_TIMELOCK_SECS },
        &[],
    )
}

pub fn ix_gate_set(admin: &Pk, exchange: &Pk, gate: u64) -> Instruction {
    build(maxwell::accounts::IxGateSet { admin: *admin, exchange: *exchange }, maxwell::instruction::IxGateSet { gate }, &[])
}

pub fn bank_create(admin: &Pk, exchange: &Pk, mint: &Pk, oracle: Option<Pk>, token_program: &Pk, params: BankParamsArgs) -> Instruction {
    let bank = bank_pda(exchange, mint);
    build(
        maxwell::accounts::BankCreate {
            admin: *admin,
            exchange: *exchange,
            mint: *mint,
            bank,
            vault: vault_pda(&bank),
            oracle,
            token_program: *token_program,
            system_program: anchor_lang::system_program::ID,
        },
        maxwell::instruction::BankCreate { params },
        &[],
    )
}

pub fn account_create(owner: &Pk, payer: &Pk, exchange: &Pk, id: u32) -> Instruction {
    build(
        maxwell::accounts::AccountCreate {
            owner: *owner,
            payer: *payer,
            exchange: *exchange,
            account: account_pda(exchange, owner, id),
            system_program: anchor_lang::system_program::ID,
        },
        maxwell::instruction::AccountCreate { id },
        &[],
    )
}

pub fn account_close(owner: &Pk, exchange: &Pk, account: &Pk, rent_destination: &Pk) -> Instruction {
    build(
        maxwell::accounts::AccountClose { owner: *owner, exchange: *exchange, account: *account, rent_destination: *rent_destination },
        maxwell::instruction::AccountClose {},
        &[],
    )
}

/// The token side of deposit/withdraw.
#[derive(Clone, Copy, Debug)]
pub struct BankRef {
    pub exchange: Pk,
    pub bank: Pk,
    pub vault: Pk,
    pub mint: Pk,
    pub token_program: Pk,
}

pub fn deposit(signer: &Pk, account: &Pk, b: &BankRef, source: &Pk, amount: u64, health: &[Pk]) -> Instruction {
    build(
        maxwell::accounts::Deposit {
            signer: *signer,
            exchange: b.exchange,
            account: *account,
            bank: b.bank,
            vault: b.vault,
            mint: b.mint,
            source: *source,
            token_program: b.token_program,
        },
        maxwell::instruction::Deposit { amount },
        health,
    )
}

pub fn withdraw(owner: &Pk, account: &Pk, b: &BankRef, destination: &Pk, amount: u64, health: &[Pk]) -> Instruction {
    build(
        maxwell::accounts::Withdraw {
            owner: *owner,
            exchange: b.exchange,
            account: *account,
            bank: b.bank,
            vault: b.vault,
            mint: b.mint,
            destination: *destination,
            token_program: b.token_program,
        },
        maxwell::instruction::Withdraw { amount },
        health,
    )
}
