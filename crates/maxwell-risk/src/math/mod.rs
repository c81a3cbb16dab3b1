//! Division-free (or one-division) elementary functions for SBF: ln, exp, sqrt and the
//! standard normal CDF/pdf. Internal precision is Q62 with `i128`/`u128` intermediates.

pub mod exp;
pub mod ln;
pub mod normal;
pub mod sqrt;
#[rustfmt::skip]
pub mod tables;
pub mod wide;

/// Fractional bits of the internal Q62 format.
pub const Q62: u32 = 62;
/// 1.0 in Q62.
pub const ONE_Q62: i128 = 1 << Q62;
