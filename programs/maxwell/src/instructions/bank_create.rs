use anchor_lang::prelude::*;
use anchor_lang::system_program;
use anchor_spl::token_interface::{self, InitializeAccount3, Mint, TokenInterface};

use crate::constants::*;
use crate::error::MaxwellError;
use crate::events::BankCreateLog;
use crate::oracle::{read_price, Freshness, OracleSpec};
use crate::state::{BankParamsArgs, CollateralBank, Exchange, IxGate};

/// Size of a Token-2022 mint without extensions (same as an SPL Token mint).
const BASE_MINT_LEN: usize = 82;
/// Size of a token account of a mint without extensions (both token programs).
const TOKEN_ACCOUNT_LEN: usize = 165;

#[derive(Accounts)]
pub struct BankCreate<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ MaxwellError::NotAdmin)]
    pub exchange: AccountLoader<'info, Exchange>,
    /// Checked before the vault is created so a mismatch gets Maxwell's own error code.
    #[account(constraint = *mint.to_account_info().owner == token_program.key() @ MaxwellError::WrongTokenProgram)]
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(
        init,
        payer = admin,
        space = 8 + core::mem::size_of::<CollateralBank>(),
        seeds = [BANK_SEED, exchange.key().as_ref(), mint.key().as_ref()],
        bump
    )]
    pub bank: AccountLoader<'info, CollateralBank>,
    /// The bank's token account, created in the handler (not by `init`) so that the mint and
    /// token program are validated, with Maxwell's own error codes, before any CPI.
    /// CHECK: PDA checked by seeds; created and initialised by `create_vault`.
    #[account(mut, seeds = [VAULT_SEED, bank.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    /// Pyth `PriceUpdateV2` account; omitted for the quote-mint bank. Validated in the handler.
    /// CHECK: owner, discriminator, verification level and feed id are checked by `oracle::read_price`.
    pub oracle: Option<UncheckedAccount<'info>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

pub fn bank_create(ctx: Context<BankCreate>, params: BankParamsArgs) -> Result<()> {
    let mut ex = ctx.accounts.exchange.load_mut()?;
    ex.require_enabled(IxGate::BankCreate)?;
    params.validate()?;
    let mint_ai = ctx.accounts.mint.to_account_info();
    // Extensions such as transfer fees or hooks would break vault accounting: refuse them.
    require!(mint_ai.data_len() == BASE_MINT_LEN, MaxwellError::MintExtensionNotSupported);
    require!(ex.bank_count < MAX_BANKS, MaxwellError::TooManyBanks);

    let is_quote = ctx.accounts.mint.key() == ex.quote_mint;
    let oracle_key = match (&ctx.accounts.oracle, is_quote) {
        (None, true) => Pubkey::default(),
        (Some(_), true) => return err!(MaxwellError::QuoteBankInvalid),
        (None, false) => return err!(MaxwellError::OracleRequired),
        (Some(oracle), false) => {
            // The oracle must already be a verified price for this feed; it may be stale now.
            let spec =
                OracleSpec { feed_id: &params.feed_id, max_age_secs: params.oracle_max_age_secs, max_conf_bps: params.oracle_max_conf_bps };
            read_price(&oracle.to_account_info(), &spec, Clock::get()?.unix_timestamp, Freshness::Lenient)?;
            oracle.key()
        }
    };

    create_vault(&ctx, ctx.bumps.vault)?;

    let mut bank = ctx.accounts.bank.load_init()?;
    bank.exchange = ctx.accounts.exchange.key();
    bank.mint = ctx.accounts.mint.key();
    bank.vault = ctx.accounts.vault.key();
    bank.oracle = oracle_key;
    bank.token_program = ctx.accounts.token_program.key();
    bank.apply_params(&params);
    if is_quote {
        bank.feed_id = [0; 32];
    }
    bank.bank_index = ex.bank_count;
    bank.decimals = ctx.accounts.mint.decimals;
    bank.is_quote = u8::from(is_quote);
    bank.bump = ctx.bumps.bank;
    bank.vault_bump = ctx.bumps.vault;
    bank.deposit_index = maxwell_lending::ONE;
    bank.borrow_index = maxwell_lending::ONE;
    bank.last_accrual_ts = Clock::get()?.unix_timestamp;
    bank.invariant()?;
    ex.bank_count += 1;

    emit!(BankCreateLog { exchange: bank.exchange, bank: ctx.accounts.bank.key(), mint: bank.mint, bank_index: bank.bank_index, is_quote });
    Ok(())
}

/// Creates the vault token account at its PDA (tolerating lamports someone sent there first),
/// owned by the mint's token program, with the bank as authority.
fn create_vault(ctx: &Context<BankCreate>, bump: u8) -> Result<()> {
    let a = &ctx.accounts;
    let bank_key = a.bank.key();
    let seeds: &[&[u8]] = &[VAULT_SEED, bank_key.as_ref(), &[bump]];
    let space = TOKEN_ACCOUNT_LEN;
    let needed = Rent::get()?.minimum_balance(space).saturating_sub(a.vault.lamports());
    let sys = a.system_program.key();
    if needed > 0 {
        let transfer = system_program::Transfer { from: a.admin.to_account_info(), to: a.vault.to_account_info() };
        system_program::transfer(CpiContext::new(sys, transfer), needed)?;
    }
    let alloc = system_program::Allocate { account_to_allocate: a.vault.to_account_info() };
    system_program::allocate(CpiContext::new_with_signer(sys, alloc, &[seeds]), space as u64)?;
    let assign = system_program::Assign { account_to_assign: a.vault.to_account_info() };
    system_program::assign(CpiContext::new_with_signer(sys, assign, &[seeds]), &a.token_program.key())?;
    token_interface::initialize_account3(CpiContext::new(
        a.token_program.key(),
        InitializeAccount3 { account: a.vault.to_account_info(), mint: a.mint.to_account_info(), authority: a.bank.to_account_info() },
    ))
}
