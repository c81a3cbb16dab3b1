// Connection settings and well-known addresses. Defaults suit the local validator started by
// scripts/with-validator.sh (which exports MAXWELL_RPC_URL / MAXWELL_WS_URL); override via env.
import { TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import { address, type Address, type Commitment } from '@solana/kit';

export const RPC_URL = process.env.MAXWELL_RPC_URL ?? 'http://127.0.0.1:8899';
export const WS_URL = process.env.MAXWELL_WS_URL ?? 'ws://127.0.0.1:8900';

/** Every read and every confirmation uses this commitment. */
export const COMMITMENT: Commitment = 'confirmed';

/** Where migrations/deploy.ts writes the addresses it created (read by the demo and the tests). */
export const LOCALNET_FILE = process.env.MAXWELL_LOCALNET_FILE ?? 'target/localnet.json';

export const SPL_TOKEN_PROGRAM: Address = TOKEN_PROGRAM_ADDRESS;
export const TOKEN_2022_PROGRAM: Address = address('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');

/** Sends retried when a blockhash expires before confirmation. */
export const SEND_MAX_ATTEMPTS = 3;
