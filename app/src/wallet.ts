// Local keys (test validator only): random signers whose 32-byte secret can be saved in
// target/localnet.json, and SOL airdrops from the validator's faucet.
import { randomBytes } from 'node:crypto';

import {
  airdropFactory,
  createKeyPairSignerFromPrivateKeyBytes,
  lamports,
  type Address,
  type KeyPairSigner,
} from '@solana/kit';

import { COMMITMENT } from './config.js';
import type { Connection } from './transactions.js';

export const LAMPORTS_PER_SOL = 1_000_000_000n;

/** A fresh signer and its secret (hex), e.g. to store for a later process. */
export async function newLocalSigner(): Promise<{ signer: KeyPairSigner; secretHex: string }> {
  const secret = randomBytes(32);
  return { signer: await createKeyPairSignerFromPrivateKeyBytes(secret), secretHex: secret.toString('hex') };
}

export function signerFromSecretHex(secretHex: string): Promise<KeyPairSigner> {
  return createKeyPairSignerFromPrivateKeyBytes(Uint8Array.from(Buffer.from(secretHex, 'hex')));
}

export async function airdrop(conn: Connection, recipient: Address, amount: bigint): Promise<void> {
  await airdropFactory(conn)({ recipientAddress: recipient, lamports: lamports(amount), commitment: COMMITMENT });
}

/** A new signer funded with `sol` SOL from the faucet. */
export async function fundedSigner(conn: Connection, sol = 10n): Promise<KeyPairSigner> {
  const { signer } = await newLocalSigner();
  await airdrop(conn, signer.address, sol * LAMPORTS_PER_SOL);
  return signer;
}
