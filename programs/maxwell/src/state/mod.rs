//! Zero-copy, fixed-capacity state. Every struct is `#[repr(C)]`, holds only
//! `u8..u64`/`i64`/`Pubkey`/arrays (no `i128`: account data is 8-byte aligned on SBF
//! while `i128` wants 16), carries reserved bytes for growth and asserts its size.
//! Offsets marked "ABI" are used by clients in `getProgramAccounts` filters: never move them.

pub mod bank;
pub mod exchange;
pub mod governance;
pub mod margin_account;
pub mod policy;
pub mod risk_mirror;
pub mod underlying;

pub use bank::*;
pub use exchange::*;
pub use governance::*;
pub use margin_account::*;
pub use policy::*;
pub use risk_mirror::*;
pub use underlying::*;
