//! SPL Token / Token-2022 through the real programs, with hand-encoded instructions
//! (the layouts are stable and tiny; this avoids a second copy of the SPL crates).

use solana_instruction::{AccountMeta, Instruction};
use solana_signer::Signer;

use crate::env::*;

pub fn spl_token() -> Pk {
    anchor_spl::token::ID
}
pub fn token_2022() -> Pk {
    anchor_spl::token_2022::ID
}

pub const MINT_LEN: usize = 82;
pub const ACCOUNT_LEN: usize = 165;

fn create_account_ix(payer: &Pk, new: &Pk, lamports: u64, space: u64, owner: &Pk) -> Instruction {
    let mut data = vec![0u8; 4];
    data.extend_from_slice(&lamports.to_le_bytes());
    data.extend_from_slice(&space.to_le_bytes());
    data.extend_from_slice(owner.as_ref());
    Instruction {
        program_id: addr(&anchor_lang::system_program::ID),
        accounts: vec![AccountMeta::new(addr(payer), true), AccountMeta::new(addr(new), true)],
        data,
    }
}

impl Env {
    /// A new mint owned by `program` (SPL Token or Token-2022), authority = payer.
    pub fn create_mint(&mut self, program: Pk, decimals: u8) -> Pk {
        let mint = crate::env::keypair();
        let m = pk(&mint.pubkey());
        let rent = self.svm.minimum_balance_for_rent_exemption(MINT_LEN);
        let mut init = vec![20u8, decimals]; // InitializeMint2
        init.extend_from_slice(self.payer_pk().as_ref());
        init.push(0); // no freeze authority
        let ixs = [
            create_account_ix(&self.payer_pk(), &m, rent, MINT_LEN as u64, &program),
            Instruction { program_id: addr(&program), accounts: vec![AccountMeta::new(addr(&m), false)], data: init },
        ];
        self.ok(&ixs, &[&mint]);
        m
    }

    /// A token account of `mint` owned by `owner`.
    pub fn create_token_account(&mut self, mint: &Pk, owner: &Pk) -> Pk {
        let program = self.account(mint).unwrap().owner;
        let program = pk(&program);
        let acc = crate::env::keypair();
        let a = pk(&acc.pubkey());
        let rent = self.svm.minimum_balance_for_rent_exemption(ACCOUNT_LEN);
        let mut init = vec![18u8]; // InitializeAccount3
        init.extend_from_slice(owner.as_ref());
        let ixs = [
            create_account_ix(&self.payer_pk(), &a, rent, ACCOUNT_LEN as u64, &program),
            Instruction {
                program_id: addr(&program),
                accounts: vec![AccountMeta::new(addr(&a), false), AccountMeta::new_readonly(addr(mint), false)],
                data: init,
            },
        ];
        self.ok(&ixs, &[&acc]);
        a
    }

    pub fn mint_to(&mut self, mint: &Pk, to: &Pk, amount: u64) {
        let program = pk(&self.account(mint).unwrap().owner);
        let mut data = vec![7u8]; // MintTo
        data.extend_from_slice(&amount.to_le_bytes());
        let ix = Instruction {
            program_id: addr(&program),
            accounts: vec![
                AccountMeta::new(addr(mint), false),
                AccountMeta::new(addr(to), false),
                AccountMeta::new_readonly(self.payer.pubkey(), true),
            ],
            data,
        };
        self.ok(&[ix], &[]);
    }

    /// Token account balance (offset 64 in both token programs).
    pub fn token_amount(&self, account: &Pk) -> u64 {
        let d = self.account(account).unwrap().data;
        u64::from_le_bytes(d[64..72].try_into().unwrap())
    }

    /// Overwrites a token account's amount (planted violations in the fuzzer's own tests).
    pub fn set_token_amount(&mut self, account: &Pk, amount: u64) {
        let mut acc = self.account(account).unwrap();
        acc.data[64..72].copy_from_slice(&amount.to_le_bytes());
        self.set_account(account, acc);
    }

    /// A Token-2022 mint carrying one extension (MintCloseAuthority), written directly:
    /// base mint, padding to the account length, account type, then one TLV entry.
    pub fn create_mint_with_extension(&mut self, decimals: u8) -> Pk {
        let mut d = vec![0u8; ACCOUNT_LEN];
        d[0..4].copy_from_slice(&1u32.to_le_bytes()); // mint authority: Some
        d[4..36].copy_from_slice(self.payer_pk().as_ref());
        d[44] = decimals;
        d[45] = 1; // initialized
        d.push(1); // AccountType::Mint
        d.extend_from_slice(&3u16.to_le_bytes()); // ExtensionType::MintCloseAuthority
        d.extend_from_slice(&32u16.to_le_bytes());
        d.extend_from_slice(self.payer_pk().as_ref());
        let key = Pk::new_unique();
        let lamports = self.svm.minimum_balance_for_rent_exemption(d.len());
        self.set_account(&key, solana_account::Account { lamports, data: d, owner: addr(&token_2022()), executable: false, rent_epoch: 0 });
        key
    }
}
