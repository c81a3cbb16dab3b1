// SPL Token and Token-2022 helpers for the demo, the deployment and the tests. Both programs
// share the instruction layouts used here, so the @solana-program/token builders serve both
// (with `programAddress` set); no Token-2022 extension is used (Maxwell refuses them).
import { getCreateAccountInstruction } from '@solana-program/system';
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeMint2Instruction,
  getMintSize,
  getMintToCheckedInstruction,
} from '@solana-program/token';
import { generateKeyPairSigner, type Address, type Instruction, type TransactionSigner } from '@solana/kit';

import { COMMITMENT } from './config.js';
import type { Connection } from './transactions.js';

/** Instructions creating a mint without extensions, owned by `tokenProgram`. */
export async function createMintIxs(
  conn: Connection,
  input: { payer: TransactionSigner; mintAuthority: Address; decimals: number; tokenProgram: Address },
): Promise<{ mint: TransactionSigner; instructions: Instruction[] }> {
  const mint = await generateKeyPairSigner();
  const space = getMintSize();
  const lamports = await conn.rpc.getMinimumBalanceForRentExemption(BigInt(space)).send();
  return {
    mint,
    instructions: [
      getCreateAccountInstruction({
        payer: input.payer,
        newAccount: mint,
        lamports,
        space,
        programAddress: input.tokenProgram,
      }),
      getInitializeMint2Instruction(
        { mint: mint.address, decimals: input.decimals, mintAuthority: input.mintAuthority },
        { programAddress: input.tokenProgram },
      ),
    ],
  };
}

export async function associatedTokenAddress(owner: Address, mint: Address, tokenProgram: Address): Promise<Address> {
  return (await findAssociatedTokenPda({ owner, mint, tokenProgram }))[0];
}

/** Creates (idempotently) `owner`'s associated token account and mints `amount` into it. */
export async function fundTokenAccountIxs(input: {
  payer: TransactionSigner;
  mintAuthority: TransactionSigner;
  owner: Address;
  mint: Address;
  decimals: number;
  tokenProgram: Address;
  amount: bigint;
}): Promise<{ ata: Address; instructions: Instruction[] }> {
  const ata = await associatedTokenAddress(input.owner, input.mint, input.tokenProgram);
  return {
    ata,
    instructions: [
      getCreateAssociatedTokenIdempotentInstruction({
        payer: input.payer,
        ata,
        owner: input.owner,
        mint: input.mint,
        tokenProgram: input.tokenProgram,
      }),
      getMintToCheckedInstruction(
        {
          mint: input.mint,
          token: ata,
          mintAuthority: input.mintAuthority,
          amount: input.amount,
          decimals: input.decimals,
        },
        { programAddress: input.tokenProgram },
      ),
    ],
  };
}

/** A token account's amount in native units (works for both token programs). */
export async function tokenBalance(conn: Connection, tokenAccount: Address): Promise<bigint> {
  const { value } = await conn.rpc.getTokenAccountBalance(tokenAccount, { commitment: COMMITMENT }).send();
  return BigInt(value.amount);
}
