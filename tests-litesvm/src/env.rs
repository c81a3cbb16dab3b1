use anchor_lang::{AccountDeserialize, ZeroCopy};
use litesvm::LiteSVM;
use solana_account::Account;
use solana_address::Address;
use solana_clock::Clock;
use solana_instruction::{AccountMeta, Instruction};
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

pub type Pk = anchor_lang::prelude::Pubkey;

thread_local! {
    static NEXT_KEY: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

/// A new keypair from a per-thread counter: the same sequence in every run, so PDA bump
/// searches (whose compute units depend on the keys) and hence the CU table are deterministic.
pub fn keypair() -> Keypair {
    let n = NEXT_KEY.with(|c| {
        let n = c.get();
        c.set(n + 1);
        n
    });
    let mut seed = [0x4du8; 32];
    seed[..8].copy_from_slice(&n.to_le_bytes());
    Keypair::new_from_array(seed)
}

/// Anchor's pubkey -> LiteSVM's address (same 32 bytes; two crate versions).
pub fn addr(p: &Pk) -> Address {
    Address::new_from_array(p.to_bytes())
}
pub fn pk(a: &Address) -> Pk {
    Pk::new_from_array(a.to_bytes())
}

/// An instruction built from Anchor's generated client structs.
pub fn anchor_ix(program: Pk, metas: Vec<anchor_lang::prelude::AccountMeta>, data: Vec<u8>) -> Instruction {
    Instruction {
        program_id: addr(&program),
        accounts: metas
            .into_iter()
            .map(|m| AccountMeta { pubkey: addr(&m.pubkey), is_signer: m.is_signer, is_writable: m.is_writable })
            .collect(),
        data,
    }
}

pub fn deploy_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/deploy")
}

/// Result of a failed transaction: the custom error code if any, and the logs.
#[derive(Debug)]
pub struct Failure {
    pub err: TransactionError,
    pub logs: Vec<String>,
}

impl Failure {
    pub fn custom_code(&self) -> Option<u32> {
        match &self.err {
            TransactionError::InstructionError(_, InstructionError::Custom(c)) => Some(*c),
            _ => None,
        }
    }
}

/// Compute units and logs of a successful transaction.
#[derive(Debug)]
pub struct Success {
    pub cu: u64,
    pub logs: Vec<String>,
    pub return_data: Vec<u8>,
}

impl Success {
    /// The first event of type `T` the transaction emitted (Anchor `emit!`: a "Program data:"
    /// log line, base64 of discriminator + borsh).
    pub fn event<T: anchor_lang::Event + anchor_lang::AnchorDeserialize>(&self) -> Option<T> {
        use base64::Engine;
        self.logs.iter().filter_map(|l| l.strip_prefix("Program data: ")).find_map(|b64| {
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
            let disc = T::DISCRIMINATOR;
            if bytes.len() < disc.len() || &bytes[..disc.len()] != disc {
                return None;
            }
            T::deserialize(&mut &bytes[disc.len()..]).ok()
        })
    }
}

pub struct Env {
    pub svm: LiteSVM,
    pub payer: Keypair,
}

impl Env {
    pub fn new() -> Env {
        Env::with_program(&deploy_dir().join("maxwell.so"))
    }

    /// LiteSVM with SPL Token/Token-2022 (its defaults), Maxwell at its id (from `so`)
    /// and the test-only Pyth receiver stand-in at the receiver's id.
    pub fn with_program(so: &std::path::Path) -> Env {
        let mut svm = LiteSVM::new();
        let bytes = std::fs::read(so).unwrap_or_else(|e| panic!("{}: {e} (run scripts/build-program.sh)", so.display()));
        svm.add_program(addr(&maxwell::ID), &bytes).unwrap();
        let pyth = std::fs::read(deploy_dir().join("mock_pyth.so")).unwrap();
        svm.add_program(addr(&mock_pyth::ID), &pyth).unwrap();
        let payer = keypair();
        svm.airdrop(&payer.pubkey(), 1_000_000_000_000).unwrap();
        let mut env = Env { svm, payer };
        env.set_time(1_800_000_000);
        env
    }

    pub fn payer_pk(&self) -> Pk {
        pk(&self.payer.pubkey())
    }

    pub fn new_funded_keypair(&mut self) -> Keypair {
        let k = keypair();
        self.svm.airdrop(&k.pubkey(), 100_000_000_000).unwrap();
        k
    }

    /// Sends `ixs` signed by the payer plus `signers`. A fresh blockhash each time so that
    /// identical transactions are not rejected as duplicates.
    pub fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Success, Failure> {
        self.svm.expire_blockhash();
        let mut all: Vec<&Keypair> = vec![&self.payer];
        all.extend_from_slice(signers);
        let msg = Message::new(ixs, Some(&self.payer.pubkey()));
        let tx = Transaction::new(&all, msg, self.svm.latest_blockhash());
        match self.svm.send_transaction(tx) {
            Ok(meta) => Ok(Success { cu: meta.compute_units_consumed, logs: meta.logs, return_data: meta.return_data.data }),
            Err(f) => Err(Failure { err: f.err, logs: f.meta.logs }),
        }
    }

    /// Runs `ixs` without committing anything (LiteSVM's simulation): read paths such as
    /// `account_health` without touching the state a test or the fuzzer is watching.
    pub fn simulate(&self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Success, Failure> {
        let mut all: Vec<&Keypair> = vec![&self.payer];
        all.extend_from_slice(signers);
        let msg = Message::new(ixs, Some(&self.payer.pubkey()));
        let tx = Transaction::new(&all, msg, self.svm.latest_blockhash());
        match self.svm.simulate_transaction(tx) {
            Ok(info) => Ok(Success { cu: info.meta.compute_units_consumed, logs: info.meta.logs, return_data: info.meta.return_data.data }),
            Err(f) => Err(Failure { err: f.err, logs: f.meta.logs }),
        }
    }

    /// Sends with a 1.4M compute-unit limit (risk refreshes, large margin checks).
    pub fn ok_big(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Success {
        let mut all = vec![compute_budget_ix(1_400_000)];
        all.extend_from_slice(ixs);
        self.ok(&all, signers)
    }

    /// Sends and asserts success, printing the logs on failure.
    pub fn ok(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Success {
        match self.send(ixs, signers) {
            Ok(s) => s,
            Err(f) => panic!("transaction failed: {:?}\n{}", f.err, f.logs.join("\n")),
        }
    }

    /// Sends, asserts the exact custom error code, and asserts nothing changed in `watched`.
    pub fn fails_with(&mut self, ixs: &[Instruction], signers: &[&Keypair], code: u32, watched: &[Pk]) {
        let before: Vec<Option<Account>> = watched.iter().map(|k| self.svm.get_account(&addr(k))).collect();
        match self.send(ixs, signers) {
            Ok(_) => panic!("expected error {code}, but the transaction succeeded"),
            Err(f) => assert_eq!(f.custom_code(), Some(code), "expected custom error {code}, got {:?}\n{}", f.err, f.logs.join("\n")),
        }
        let after: Vec<Option<Account>> = watched.iter().map(|k| self.svm.get_account(&addr(k))).collect();
        assert_eq!(before, after, "a refused transaction changed state");
    }

    pub fn now(&self) -> i64 {
        self.svm.get_sysvar::<Clock>().unix_timestamp
    }

    pub fn set_time(&mut self, unix_timestamp: i64) {
        let mut c = self.svm.get_sysvar::<Clock>();
        c.unix_timestamp = unix_timestamp;
        c.slot += 1;
        self.svm.set_sysvar(&c);
    }

    pub fn advance(&mut self, secs: i64) {
        let now = self.now();
        self.set_time(now + secs);
    }

    pub fn account(&self, key: &Pk) -> Option<Account> {
        self.svm.get_account(&addr(key))
    }

    pub fn set_account(&mut self, key: &Pk, acc: Account) {
        self.svm.set_account(addr(key), acc).unwrap();
    }

    /// Reads a zero-copy Anchor account (copy of its data).
    pub fn zc<T: ZeroCopy + anchor_lang::Owner>(&self, key: &Pk) -> T {
        let acc = self.account(key).unwrap_or_else(|| panic!("no account {key}"));
        assert_eq!(acc.data[..8], *T::DISCRIMINATOR, "discriminator of {key}");
        *anchor_lang::__private::bytemuck::from_bytes::<T>(&acc.data[8..8 + core::mem::size_of::<T>()])
    }

    /// Writes a zero-copy account's data back (state injection for paths the foundation
    /// instructions cannot reach yet, e.g. a borrow).
    pub fn zc_write<T: ZeroCopy + anchor_lang::Owner>(&mut self, key: &Pk, value: &T) {
        let mut acc = self.account(key).unwrap();
        acc.data[8..8 + core::mem::size_of::<T>()].copy_from_slice(anchor_lang::__private::bytemuck::bytes_of(value));
        self.set_account(key, acc);
    }

    pub fn borsh<T: AccountDeserialize>(&self, key: &Pk) -> T {
        let acc = self.account(key).unwrap();
        T::try_deserialize(&mut acc.data.as_slice()).unwrap()
    }
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}

/// `SetComputeUnitLimit(units)` of the compute-budget program.
pub fn compute_budget_ix(units: u32) -> Instruction {
    let mut data = vec![2u8];
    data.extend_from_slice(&units.to_le_bytes());
    Instruction { program_id: Address::from_str_const("ComputeBudget111111111111111111111111111111"), accounts: vec![], data }
}

/// `MaxwellError::X` as its on-chain custom code.
pub fn code(e: maxwell::error::MaxwellError) -> u32 {
    anchor_lang::error::ERROR_CODE_OFFSET + e as u32
}
