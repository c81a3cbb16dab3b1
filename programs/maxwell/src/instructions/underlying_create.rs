use anchor_lang::prelude::*;

use crate::error::MaxwellError;
use crate::events::UnderlyingCreateLog;
use crate::oracle::{read_price, Freshness, OracleSpec};
use crate::state::{CollateralBank, Exchange, IxGate, Underlying, NO_SPOT_BANK};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnderlyingCreateArgs {
    pub feed_id: [u8; 32],
    pub vol_oracle: Pubkey,
    pub oracle_max_age_secs: u32,
    pub oracle_max_conf_bps: u32,
    /// A surface older than this cannot be used to refresh risk arrays.
    pub surface_max_age_secs: u32,
    /// Risk arrays older than this cannot gate risk-increasing actions.
    pub risk_max_age_secs: u32,
    /// Spot move since the arrays were built that is still tolerated (and charged), bps.
    pub risk_spot_tolerance_bps: u32,
}

impl UnderlyingCreateArgs {
    pub fn validate(&self) -> Result<()> {
        require!(
            (1..=600).contains(&self.oracle_max_age_secs)
                && self.oracle_max_conf_bps <= 1_000
                && (1..=7 * 86_400).contains(&self.surface_max_age_secs)
                && (1..=3_600).contains(&self.risk_max_age_secs)
                && (1..=500).contains(&self.risk_spot_tolerance_bps),
            MaxwellError::UnderlyingParamsOutOfBounds
        );
        Ok(())
    }
}

#[derive(Accounts)]
pub struct UnderlyingCreate<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ MaxwellError::NotAdmin)]
    pub exchange: AccountLoader<'info, Exchange>,
    /// Created by the client (too large for a CPI), owned by this program, zeroed.
    #[account(zero)]
    pub underlying: AccountLoader<'info, Underlying>,
    /// CHECK: validated by `oracle::read_price` (owner, layout, verification, feed id).
    pub oracle: UncheckedAccount<'info>,
    /// The bank holding this asset as collateral, if any (its balances move in the scenarios).
    pub spot_bank: Option<AccountLoader<'info, CollateralBank>>,
}

pub fn underlying_create(ctx: Context<UnderlyingCreate>, args: UnderlyingCreateArgs) -> Result<()> {
    let mut ex = ctx.accounts.exchange.load_mut()?;
    ex.require_enabled(IxGate::UnderlyingCreate)?;
    args.validate()?;
    let spec = OracleSpec { feed_id: &args.feed_id, max_age_secs: args.oracle_max_age_secs, max_conf_bps: args.oracle_max_conf_bps };
    read_price(&ctx.accounts.oracle, &spec, Clock::get()?.unix_timestamp, Freshness::Lenient)?;
    let spot_bank_index = match &ctx.accounts.spot_bank {
        None => NO_SPOT_BANK,
        Some(b) => {
            let b = b.load()?;
            require!(b.exchange == ctx.accounts.exchange.key() && b.is_quote == 0, MaxwellError::SpotBankInvalid);
            b.bank_index
        }
    };
    let mut u = ctx.accounts.underlying.load_init()?;
    u.exchange = ctx.accounts.exchange.key();
    u.oracle = ctx.accounts.oracle.key();
    u.vol_oracle = args.vol_oracle;
    u.feed_id = args.feed_id;
    u.oracle_max_age_secs = args.oracle_max_age_secs;
    u.oracle_max_conf_bps = args.oracle_max_conf_bps;
    u.surface_max_age_secs = args.surface_max_age_secs;
    u.risk_max_age_secs = args.risk_max_age_secs;
    u.risk_spot_tolerance_bps = args.risk_spot_tolerance_bps;
    u.underlying_index = ex.underlying_count;
    u.spot_bank_index = spot_bank_index;
    u.invariant()?;
    ex.underlying_count = ex.underlying_count.checked_add(1).ok_or(MaxwellError::MathOverflow)?;
    emit!(UnderlyingCreateLog {
        exchange: u.exchange,
        underlying: ctx.accounts.underlying.key(),
        oracle: u.oracle,
        feed_id: args.feed_id,
        vol_oracle: args.vol_oracle,
        underlying_index: u.underlying_index,
        spot_bank_index,
        oracle_max_age_secs: args.oracle_max_age_secs,
        oracle_max_conf_bps: args.oracle_max_conf_bps,
        surface_max_age_secs: args.surface_max_age_secs,
        risk_max_age_secs: args.risk_max_age_secs,
        risk_spot_tolerance_bps: args.risk_spot_tolerance_bps,
    });
    Ok(())
}
