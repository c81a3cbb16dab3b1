//! TEST ONLY. A stand-in for the Pyth Solana Receiver on a local validator: deployed at the
//! receiver's program id, it writes `PriceUpdateV2` accounts in the receiver's exact layout
//! (same Anchor discriminator, same borsh encoding), so Maxwell's oracle code path is the
//! one it runs on mainnet. Anyone may create a price account; only its write authority may
//! update it.
#![allow(unexpected_cfgs)]

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

use anchor_lang::prelude::*;

declare_id!("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");

/// Same as the receiver's `VerificationLevel`: `Partial` = 2 bytes, `Full` = 1 byte in borsh.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationLevel {
    Partial { num_signatures: u8 },
    Full,
}

/// Same fields and order as the receiver's `PriceFeedMessage`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceFeedMessage {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
    pub prev_publish_time: i64,
    pub ema_price: i64,
    pub ema_conf: u64,
}

/// Same name (hence discriminator), fields and order as the receiver's `PriceUpdateV2`.
#[account]
#[derive(Debug, PartialEq, Eq)]
pub struct PriceUpdateV2 {
    pub write_authority: Pubkey,
    pub verification_level: VerificationLevel,
    pub price_message: PriceFeedMessage,
    pub posted_slot: u64,
}

impl PriceUpdateV2 {
    /// The receiver allocates for the larger (`Partial`) encoding.
    pub const LEN: usize = 8 + 32 + 2 + 32 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 8;
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceArgs {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
    /// False writes `Partial { num_signatures: 5 }` (to test refusal of partial updates).
    pub fully_verified: bool,
}

impl PriceArgs {
    fn write(&self, acc: &mut PriceUpdateV2) -> Result<()> {
        acc.verification_level =
            if self.fully_verified { VerificationLevel::Full } else { VerificationLevel::Partial { num_signatures: 5 } };
        let prev = acc.price_message.publish_time;
        acc.price_message = PriceFeedMessage {
            feed_id: self.feed_id,
            price: self.price,
            conf: self.conf,
            exponent: self.exponent,
            publish_time: self.publish_time,
            prev_publish_time: prev,
            ema_price: self.price,
            ema_conf: self.conf,
        };
        acc.posted_slot = Clock::get()?.slot;
        Ok(())
    }
}

#[program]
pub mod mock_pyth {
    use super::*;

    /// Creates a price account (a fresh keypair) with the signer as write authority.
    pub fn price_create(ctx: Context<PriceCreate>, args: PriceArgs) -> Result<()> {
        let acc = &mut ctx.accounts.price_update;
        acc.write_authority = ctx.accounts.authority.key();
        args.write(acc)
    }

    /// Overwrites the price (write authority only).
    pub fn price_update(ctx: Context<PriceUpdate>, args: PriceArgs) -> Result<()> {
        args.write(&mut ctx.accounts.price_update)
    }
}

#[derive(Accounts)]
pub struct PriceCreate<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(init, payer = authority, space = PriceUpdateV2::LEN)]
    pub price_update: Account<'info, PriceUpdateV2>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
pub struct PriceUpdate<'info> {
    pub authority: Signer<'info>,
    #[account(mut, constraint = price_update.write_authority == authority.key())]
    pub price_update: Account<'info, PriceUpdateV2>,
}
