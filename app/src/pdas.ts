// Every program-derived address of Maxwell, in one place. The seeds come from the program's
// `seeds = [...]` constraints through the IDL (generated finders); this file gives them
// domain names and returns plain addresses.
import type { Address } from '@solana/kit';

import { findAccountPda, findBankPda, findExchangePda, findProposalPda, findVaultPda } from './generated/maxwell/pdas/index.js';

/** `["exchange", admin]` */
export async function exchangeAddress(admin: Address): Promise<Address> {
  return (await findExchangePda({ admin }))[0];
}

/** `["bank", exchange, mint]`: one collateral bank per mint. */
export async function bankAddress(exchange: Address, mint: Address): Promise<Address> {
  return (await findBankPda({ exchange, mint }))[0];
}

/** `["vault", bank]`: the bank's token account (authority = the bank). */
export async function vaultAddress(bank: Address): Promise<Address> {
  return (await findVaultPda({ bank }))[0];
}

/** `["margin", exchange, owner, id as u32 little-endian]` */
export async function marginAccountAddress(exchange: Address, owner: Address, id: number): Promise<Address> {
  return (await findAccountPda({ exchange, owner, id }))[0];
}

/** `["proposal", exchange, id as u64 little-endian]`: a queued governance change. */
export async function proposalAddress(exchange: Address, id: bigint): Promise<Address> {
  return (await findProposalPda({ exchange, id }))[0];
}
