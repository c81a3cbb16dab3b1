//! Market inputs per underlying: spot (with the oracle's confidence), the forward and SVI
//! surface of each listed expiry, and the time now.

use crate::surface::SviParams;
use crate::RiskError;

/// One listed expiry of an underlying (plain integers, storable zero-copy).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
#[cfg_attr(feature = "bytemuck", derive(bytemuck::Pod, bytemuck::Zeroable))]
pub struct ExpiryMarket {
    /// Unix timestamp of expiry, seconds.
    pub expiry: i64,
    /// Forward to this expiry, quote native per contract.
    pub forward: u64,
    /// Total-variance smile of this expiry.
    pub svi: SviParams,
}

/// Market state of one underlying.
#[derive(Clone, Copy, Debug)]
pub struct UnderlyingMarket<'a> {
    /// Oracle spot, quote native per whole token (= per contract).
    pub spot: u64,
    /// Oracle confidence interval (one side), same unit as `spot`.
    pub conf: u64,
    /// Unix timestamp now, seconds.
    pub now: i64,
    pub expiries: &'a [ExpiryMarket],
}

impl UnderlyingMarket<'_> {
    /// The expiry with timestamp `ts`.
    pub fn expiry(&self, ts: i64) -> Result<&ExpiryMarket, RiskError> {
        self.expiries.iter().find(|e| e.expiry == ts).ok_or(RiskError::ExpiryNotListed)
    }
}
