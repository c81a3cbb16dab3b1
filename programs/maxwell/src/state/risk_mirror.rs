//! Zero-copy mirrors of the risk engine's storable types. The engine crate has no Anchor
//! dependency, so its types cannot describe themselves in the IDL; these mirrors have the same
//! `#[repr(C)]` layout (asserted below and round-trip tested) and convert with a free
//! `bytemuck::cast`. Clients decode them from the IDL.

use anchor_lang::prelude::*;
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{UnderlyingScenarios, N_PRICE, N_SCEN};
use maxwell_risk::series::SeriesRisk;
use maxwell_risk::surface::SviParams;

/// `maxwell_risk::params::RiskParams`, field for field and in its declaration order (the
/// crate documents each; Q52 = fixed point with 52 fraction bits, 1.0 = 2^52).
#[zero_copy]
#[repr(C)]
#[derive(Debug, PartialEq, Eq)]
pub struct RiskParamsState {
    /// Price range `S = clamp(z x ATM vol x sqrt(horizon), floor, cap)`: z, Q52.
    pub shock_z: i64,
    /// Horizon of the price range, seconds.
    pub shock_horizon_secs: i64,
    /// Smallest price range, Q52.
    pub shock_floor: i64,
    /// Largest price range, Q52.
    pub shock_cap: i64,
    /// Vol shock up at the reference tenor, Q52 (1.0 = vol x 2).
    pub vol_up: i64,
    /// Vol shock down at the reference tenor, Q52 (0.5 = vol x 0.5).
    pub vol_down: i64,
    /// Reference tenor of the vol shocks, seconds.
    pub vol_ref_secs: i64,
    /// Tenor-scaling exponent below the reference tenor, Q52.
    pub vol_p_short: i64,
    /// Tenor-scaling exponent at or beyond the reference tenor, Q52.
    pub vol_p_long: i64,
    /// Largest scaled up vol shock, Q52.
    pub vol_up_cap: i64,
    /// Largest scaled down vol shock, Q52.
    pub vol_down_cap: i64,
    /// Short-option minimum base, Q52.
    pub short_min_base: i64,
    /// Short-option minimum floor, Q52.
    pub short_min_floor: i64,
    /// Scale of the short-option minimum for maintenance, Q52.
    pub short_min_mm_scale: i64,
    /// Net delta value charged beyond this, quote native units.
    pub delta_threshold: i64,
    /// Charge per unit of net delta value beyond the threshold, Q52.
    pub delta_rate: i64,
    /// Net vega (quote per 1.00 vol) charged beyond this, quote native units.
    pub vega_threshold: i64,
    /// Charge per unit of net vega beyond the threshold, Q52.
    pub vega_rate: i64,
    /// Oracle-confidence add-on multiplier, Q52.
    pub conf_mult: i64,
    /// Initial = maintenance x this (x reputation), Q52.
    pub im_factor: i64,
    /// Lowest reputation multiplier on the initial requirement, Q52.
    pub reputation_floor: i64,
}

/// `maxwell_risk::surface::SviParams` (Q52).
#[zero_copy]
#[repr(C)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SviState {
    pub a: i64,
    pub b: i64,
    pub rho: i64,
    pub m: i64,
    pub sigma: i64,
}

/// `maxwell_risk::scenario::UnderlyingScenarios`.
#[zero_copy]
#[repr(C)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ScenariosState {
    pub spot: u64,
    pub conf: u64,
    pub range: i64,
    pub shock: [i64; N_PRICE],
}

/// `maxwell_risk::series::SeriesRisk`: per-contract scenario P&L, mark, Greeks.
#[zero_copy]
#[repr(C)]
#[derive(Debug, PartialEq, Eq)]
pub struct SeriesRiskState {
    pub pnl: [i64; N_SCEN],
    pub mark: i64,
    pub slack: i64,
    pub delta_e9: i64,
    pub delta_quote: i64,
    pub gamma_quote: i64,
    pub vega_quote: i64,
    pub theta_quote: i64,
    pub short_min: i64,
    pub kind: u8,
    /// `SeriesRisk::term`: 1 = front (twist = up, reverse = down), 2 = back (the other way round);
    /// plus 4 (`TERM_KINK`) when the option expires inside the horizon with its strike between
    /// two price points, whose `ExpiryKink` then sits in the twist slots of price points 0 and 1;
    /// plus 8 (`TERM_GAP`, every array the crank stores): the twist slots of price point 2 hold
    /// the P&L of one long contract at the two extended gap points (`SeriesRisk::gaps`); plus 16
    /// (`TERM_SKEW`, every array the crank stores): the last price point's first twist slot
    /// holds its skew sensitivity (`SeriesRisk::skew`).
    pub term: u8,
    /// `SeriesRisk::bits`: every stored value's magnitude is below `2^bits` (set by the crank;
    /// 0 in arrays stored before the field), so the margin check sizes its word sums from it.
    pub bits: u8,
    pub _pad: [u8; 5],
}

const _: () = {
    use core::mem::{align_of, size_of};
    assert!(size_of::<RiskParamsState>() == size_of::<RiskParams>() && align_of::<RiskParams>() == 8);
    assert!(size_of::<SviState>() == size_of::<SviParams>());
    assert!(size_of::<ScenariosState>() == size_of::<UnderlyingScenarios>());
    assert!(size_of::<SeriesRiskState>() == size_of::<SeriesRisk>());
};

macro_rules! mirror {
    ($state:ty, $engine:ty) => {
        impl From<$engine> for $state {
            fn from(x: $engine) -> Self {
                bytemuck::cast(x)
            }
        }
        impl $state {
            pub fn engine(&self) -> &$engine {
                bytemuck::cast_ref(self)
            }
        }
    };
}
mirror!(RiskParamsState, RiskParams);
mirror!(SviState, SviParams);
mirror!(ScenariosState, UnderlyingScenarios);
mirror!(SeriesRiskState, SeriesRisk);

/// The engine's view of a slice of stored risk arrays.
pub fn series_risk_slice(s: &[SeriesRiskState]) -> &[SeriesRisk] {
    bytemuck::cast_slice(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distinct values in every field survive the cast both ways, field by field.
    #[test]
    fn layouts_match_field_by_field() {
        let svi = SviParams { a: 1, b: 2, rho: 3, m: 4, sigma: 5 };
        let s = SviState::from(svi);
        assert_eq!((s.a, s.b, s.rho, s.m, s.sigma), (1, 2, 3, 4, 5));
        let sc = UnderlyingScenarios { spot: 7, conf: 8, range: 9, shock: [10, 11, 12, 13, 14, 15, 16] };
        let m = ScenariosState::from(sc);
        assert_eq!((m.spot, m.conf, m.range, m.shock), (7, 8, 9, [10, 11, 12, 13, 14, 15, 16]));
        let mut pnl = [0i64; N_SCEN];
        for (i, p) in pnl.iter_mut().enumerate() {
            *p = 100 + i as i64;
        }
        let r = SeriesRisk {
            pnl,
            mark: 1,
            slack: 2,
            delta_e9: 3,
            delta_quote: 4,
            gamma_quote: 5,
            vega_quote: 6,
            theta_quote: 7,
            short_min: 8,
            kind: 1,
            term: 2,
            bits: 9,
            _pad: [0; 5],
        };
        let m = SeriesRiskState::from(r);
        assert_eq!(m.pnl, pnl);
        assert_eq!(
            (m.mark, m.slack, m.delta_e9, m.delta_quote, m.gamma_quote, m.vega_quote, m.theta_quote, m.short_min, m.kind, m.term, m.bits),
            (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 9)
        );
        assert_eq!(*m.engine(), r);
        // Distinct values 1..=21 in declaration order: each named field gets its own.
        let p = RiskParams {
            shock_z: 1,
            shock_horizon_secs: 2,
            shock_floor: 3,
            shock_cap: 4,
            vol_up: 5,
            vol_down: 6,
            vol_ref_secs: 7,
            vol_p_short: 8,
            vol_p_long: 9,
            vol_up_cap: 10,
            vol_down_cap: 11,
            short_min_base: 12,
            short_min_floor: 13,
            short_min_mm_scale: 14,
            delta_threshold: 15,
            delta_rate: 16,
            vega_threshold: 17,
            vega_rate: 18,
            conf_mult: 19,
            im_factor: 20,
            reputation_floor: 21,
        };
        let s = RiskParamsState::from(p);
        assert_eq!(
            [
                s.shock_z,
                s.shock_horizon_secs,
                s.shock_floor,
                s.shock_cap,
                s.vol_up,
                s.vol_down,
                s.vol_ref_secs,
                s.vol_p_short,
                s.vol_p_long,
                s.vol_up_cap,
                s.vol_down_cap,
                s.short_min_base,
                s.short_min_floor,
                s.short_min_mm_scale,
                s.delta_threshold,
                s.delta_rate,
                s.vega_threshold,
                s.vega_rate,
                s.conf_mult,
                s.im_factor,
                s.reputation_floor,
            ],
            core::array::from_fn::<i64, 21, _>(|i| i as i64 + 1)
        );
        assert_eq!(*s.engine(), p);
        assert_eq!(*RiskParamsState::from(RiskParams::DEFAULT).engine(), RiskParams::DEFAULT);
    }
}
