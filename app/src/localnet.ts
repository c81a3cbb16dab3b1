// The deployment record written by migrations/deploy.ts (target/localnet.json) and read by the
// demo and the tests. It holds a TEST admin key (local validator only; target/ is not committed).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import type { Address } from '@solana/kit';

import { LOCALNET_FILE } from './config.js';

export type BankRecord = {
  symbol: string;
  mint: Address;
  decimals: number;
  tokenProgram: Address;
  bank: Address;
  vault: Address;
  bankIndex: number;
  /** Mock Pyth price account; null for the quote bank. */
  oracle: Address | null;
  /** Hex; null for the quote bank. */
  feedId: string | null;
};

export type Deployment = {
  programId: Address;
  rpcUrl: string;
  /** Genesis hash of the cluster deployed to: a restarted validator makes the record stale. */
  genesisHash: string;
  /** Admin of the exchange, mint authority of both mints, write authority of the price account. */
  adminSecretHex: string;
  admin: Address;
  exchange: Address;
  quote: BankRecord;
  collateral: BankRecord[];
};

export function saveDeployment(d: Deployment, file = LOCALNET_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(d, null, 2) + '\n');
}

export function loadDeployment(file = LOCALNET_FILE): Deployment {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Deployment;
  } catch (e) {
    throw new Error(`cannot read ${file}: run migrations/deploy.ts first`, { cause: e });
  }
}

/** Null when the file is missing or unreadable. */
export function tryLoadDeployment(file = LOCALNET_FILE): Deployment | null {
  try {
    return loadDeployment(file);
  } catch {
    return null;
  }
}
