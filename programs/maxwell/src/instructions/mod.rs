//! One instruction per file: args, accounts, validation, handler.

pub mod account_close;
#[cfg(feature = "bench")]
pub mod bench;
pub mod account_create;
pub mod bank_create;
pub mod deposit;
pub mod exchange_init;
pub mod ix_gate_set;
pub mod withdraw;

pub use account_close::*;
#[cfg(feature = "bench")]
pub use bench::*;
pub use account_create::*;
pub use bank_create::*;
pub use deposit::*;
pub use exchange_init::*;
pub use ix_gate_set::*;
pub use withdraw::*;
