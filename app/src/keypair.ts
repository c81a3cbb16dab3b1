// Keypair files as the Solana CLI writes them (`solana-keygen new -o id.json`): a JSON array of
// the 64 bytes secret key || public key. Read and written by the `maxwell` CLI and the keeper.
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';

import { createKeyPairSignerFromBytes, createKeyPairSignerFromPrivateKeyBytes, type KeyPairSigner } from '@solana/kit';

import { addressBytes } from './base58.js';

/** The Solana CLI's default keypair path. */
export const DEFAULT_KEYPAIR_PATH = '~/.config/solana/id.json';

/** `~` at the start of a path is the home directory, as in the Solana CLI. */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

/** Reads a Solana CLI keypair file; throws a message naming the file on any defect. */
export async function readKeypairFile(path: string): Promise<KeyPairSigner> {
  const file = expandHome(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`keypair ${file}: cannot read a JSON array of 64 bytes (${(e as Error).message})`);
  }
  if (!Array.isArray(json) || json.length !== 64 || !json.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    throw new Error(`keypair ${file}: expected a JSON array of 64 bytes (secret key || public key), as solana-keygen writes`);
  }
  try {
    return await createKeyPairSignerFromBytes(Uint8Array.from(json as number[]));
  } catch (e) {
    throw new Error(`keypair ${file}: the public key does not match the secret key (${(e as Error).message})`);
  }
}

/** Writes `secret32 || publicKey32` as the Solana CLI does (mode 0600); returns the signer. */
export async function writeKeypairFile(path: string, secret32: Uint8Array): Promise<KeyPairSigner> {
  if (secret32.length !== 32) throw new Error('writeKeypairFile: a 32-byte secret expected');
  const signer = await createKeyPairSignerFromPrivateKeyBytes(secret32);
  writeFileSync(expandHome(path), JSON.stringify([...secret32, ...addressBytes(signer.address)]) + '\n', { mode: 0o600 });
  return signer;
}
