// Keeper configuration: a JSON file (`--config keeper.json`) over embedded defaults.
// Fields: rpcUrl, wsUrl, keypairPath (Solana CLI JSON array of 64 bytes; absent = a generated
// key, fine for a dry run but it cannot pay fees), exchange, liquidatorAccountId (the keeper's
// own margin account, holding quote margin for what it takes over), pollIntervalMs,
// maxIterations (0 = unbounded), maxRunSecs (0 = unbounded), maxContractsPerAccount; the jobs
// beyond settle/refresh/liquidate, each switchable: accrueEnabled + accrueIntervalSecs
// (accrue_interest on banks with borrows whose last accrual is older), bankruptcyEnabled
// (bankruptcy_resolve after liquidations), rebalanceEnabled (rebalance_accounts per owner
// policies; the fee goes to the keeper's account above), realizedVolEnabled +
// realizedVolIntervalSecs (realized_vol_update per underlying, at least 60 s apart),
// observeEnabled + observeIntervalSecs (account_health on accounts carrying risk: reputation),
// governanceEnabled (gov_execute on every pending proposal past its unlock time), listingEnabled
// (listing_execute on underlyings with an enabled listing schedule, when a simulation says an
// expiry is due).
import { readFileSync } from 'node:fs';

import { generateKeyPairSigner, type Address, type KeyPairSigner } from '@solana/kit';

import { RPC_URL, WS_URL } from '../config.js';
import { readKeypairFile } from '../keypair.js';

export type KeeperConfig = {
  rpcUrl: string;
  wsUrl: string;
  keypairPath: string | null;
  exchange: Address | null;
  liquidatorAccountId: number;
  pollIntervalMs: number;
  maxIterations: number;
  maxRunSecs: number;
  /** Upper bound on contracts taken from one account in one pass (one per transaction). */
  maxContractsPerAccount: number;
  accrueEnabled: boolean;
  accrueIntervalSecs: number;
  bankruptcyEnabled: boolean;
  rebalanceEnabled: boolean;
  realizedVolEnabled: boolean;
  realizedVolIntervalSecs: number;
  /** `account_health` on accounts carrying risk, at least this often (reputation observations). */
  observeEnabled: boolean;
  observeIntervalSecs: number;
  /** gov_execute on every pending governance proposal whose unlock time has passed. */
  governanceEnabled: boolean;
  /** listing_execute on every underlying whose listing schedule is enabled and has an expiry due. */
  listingEnabled: boolean;
};

/** The switchable jobs of a pass (pass.ts), with their intervals. */
export type JobConfig = Pick<
  KeeperConfig,
  | 'accrueEnabled'
  | 'accrueIntervalSecs'
  | 'bankruptcyEnabled'
  | 'rebalanceEnabled'
  | 'realizedVolEnabled'
  | 'realizedVolIntervalSecs'
  | 'observeEnabled'
  | 'observeIntervalSecs'
  | 'governanceEnabled'
  | 'listingEnabled'
>;

export const DEFAULT_CONFIG: KeeperConfig = {
  rpcUrl: RPC_URL,
  wsUrl: WS_URL,
  keypairPath: null,
  exchange: null,
  liquidatorAccountId: 0,
  pollIntervalMs: 5_000,
  maxIterations: 0,
  maxRunSecs: 0,
  maxContractsPerAccount: 100,
  accrueEnabled: true,
  accrueIntervalSecs: 3_600,
  bankruptcyEnabled: true,
  rebalanceEnabled: true,
  realizedVolEnabled: true,
  realizedVolIntervalSecs: 300,
  observeEnabled: true,
  observeIntervalSecs: 12 * 3_600,
  governanceEnabled: true,
  listingEnabled: true,
};

/** The job part of the defaults. */
export const DEFAULT_JOBS: JobConfig = {
  accrueEnabled: DEFAULT_CONFIG.accrueEnabled,
  accrueIntervalSecs: DEFAULT_CONFIG.accrueIntervalSecs,
  bankruptcyEnabled: DEFAULT_CONFIG.bankruptcyEnabled,
  rebalanceEnabled: DEFAULT_CONFIG.rebalanceEnabled,
  realizedVolEnabled: DEFAULT_CONFIG.realizedVolEnabled,
  realizedVolIntervalSecs: DEFAULT_CONFIG.realizedVolIntervalSecs,
  observeEnabled: DEFAULT_CONFIG.observeEnabled,
  observeIntervalSecs: DEFAULT_CONFIG.observeIntervalSecs,
  governanceEnabled: DEFAULT_CONFIG.governanceEnabled,
  listingEnabled: DEFAULT_CONFIG.listingEnabled,
};

/** The defaults overridden by the file's fields (unknown fields refused). */
export function loadConfig(path: string | null, overrides: Partial<KeeperConfig> = {}): KeeperConfig {
  const file = path ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  for (const k of Object.keys(file)) {
    if (!(k in DEFAULT_CONFIG)) throw new Error(`keeper config: unknown field ${k}`);
  }
  return { ...DEFAULT_CONFIG, ...(file as Partial<KeeperConfig>), ...overrides };
}

export async function loadKeeperSigner(cfg: KeeperConfig): Promise<KeyPairSigner> {
  if (!cfg.keypairPath) return generateKeyPairSigner();
  return readKeypairFile(cfg.keypairPath);
}
