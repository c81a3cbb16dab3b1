//! Zero-copy mirrors of the risk engine's storable types. The engine crate has no Anchor
//! dependency, so its types cannot describe themselves in the IDL; these mirrors have the same
//! `#[repr(C)]` layout (asserted below and round-trip tested) and convert with a free
//! `bytemuck::cast`. Clients decode them from the IDL.

use anchor_lang::prelude::*;
use maxwell_risk::params::RiskParams;
use maxwell_risk::scenario::{UnderlyingScenarios, N_PRICE, N_SCEN};
use maxwell_risk::series::SeriesRisk;
use maxwell_risk::surface::SviParams;

/// `maxwell_risk::params::RiskParams`, field for field (Q52 ratios, seconds, quote amounts),
/// in its declaration order.
#[zero_copy]
#[repr(C)]
#[derive(Debug, PartialEq, Eq)]
pub struct RiskParamsState {
    pub raw: [i64; 21],
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
    pub _pad: [u8; 7],
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
            pnl, mark: 1, slack: 2, delta_e9: 3, delta_quote: 4, gamma_quote: 5, vega_quote: 6,
            theta_quote: 7, short_min: 8, kind: 1, _pad: [0; 7],
        };
        let m = SeriesRiskState::from(r);
        assert_eq!(m.pnl, pnl);
        assert_eq!(
            (m.mark, m.slack, m.delta_e9, m.delta_quote, m.gamma_quote, m.vega_quote, m.theta_quote, m.short_min, m.kind),
            (1, 2, 3, 4, 5, 6, 7, 8, 1)
        );
        assert_eq!(*m.engine(), r);
        let p = RiskParams::DEFAULT;
        assert_eq!(RiskParamsState::from(p).raw[0], p.shock_z);
        assert_eq!(RiskParamsState::from(p).raw[20], p.reputation_floor);
        assert_eq!(*RiskParamsState::from(p).engine(), p);
    }
}
