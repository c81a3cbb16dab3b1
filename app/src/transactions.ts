// Sending transactions: build, sign, send, confirm at `confirmed`, retry when the blockhash
// expires, and turn failures into a ProgramFailure that names the Maxwell error.
import {
  appendTransactionMessageInstructions,
  assertIsTransactionWithBlockhashLifetime,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  getSignatureFromTransaction,
  isSolanaError,
  pipe,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  SOLANA_ERROR__BLOCK_HEIGHT_EXCEEDED,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
  type Address,
  type Instruction,
  type Rpc,
  type RpcSubscriptions,
  type Signature,
  type SolanaRpcApi,
  type SolanaRpcSubscriptionsApi,
  type TransactionSigner,
} from '@solana/kit';

import { COMMITMENT, RPC_URL, SEND_MAX_ATTEMPTS, WS_URL } from './config.js';
import { maxwellErrorName } from './errors.js';
import { MAXWELL_PROGRAM_ADDRESS } from './generated/maxwell/index.js';

export type Connection = {
  rpc: Rpc<SolanaRpcApi>;
  rpcSubscriptions: RpcSubscriptions<SolanaRpcSubscriptionsApi>;
};

export function connect(rpcUrl = RPC_URL, wsUrl = WS_URL): Connection {
  return { rpc: createSolanaRpc(rpcUrl), rpcSubscriptions: createSolanaRpcSubscriptions(wsUrl) };
}

export type SendResult = {
  signature: Signature;
  /** Program logs of the confirmed transaction (events are decoded from them). */
  logs: readonly string[];
  computeUnitsConsumed: bigint | null;
};

/** A transaction refused by a program; `code` is the custom error code when there is one. */
export class ProgramFailure extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    /** Maxwell's error name (e.g. `InsufficientBalance`) when Maxwell raised the code. */
    readonly errorName: string | null,
    readonly programAddress: Address | null,
    readonly logs: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ProgramFailure';
  }
}

/**
 * Sends `instructions` in one transaction paid by `feePayer` and waits for `confirmed`.
 * A blockhash that expires before confirmation gets a fresh one (SEND_MAX_ATTEMPTS in all).
 * Throws ProgramFailure when a program refuses the transaction.
 */
export async function sendAndConfirm(
  conn: Connection,
  feePayer: TransactionSigner,
  instructions: readonly Instruction[],
): Promise<SendResult> {
  const send = sendAndConfirmTransactionFactory(conn);
  for (let attempt = 1; ; attempt++) {
    const { value: latestBlockhash } = await conn.rpc.getLatestBlockhash({ commitment: COMMITMENT }).send();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(feePayer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(latestBlockhash, m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    );
    const transaction = await signTransactionMessageWithSigners(message);
    assertIsTransactionWithBlockhashLifetime(transaction);
    try {
      await send(transaction, { commitment: COMMITMENT });
    } catch (e) {
      if (isBlockhashExpiry(e) && attempt < SEND_MAX_ATTEMPTS) continue;
      throw toProgramFailure(e, instructions);
    }
    const signature = getSignatureFromTransaction(transaction);
    const tx = await conn.rpc
      .getTransaction(signature, { commitment: COMMITMENT, encoding: 'json', maxSupportedTransactionVersion: 0 })
      .send();
    return {
      signature,
      logs: tx?.meta?.logMessages ?? [],
      computeUnitsConsumed: tx?.meta?.computeUnitsConsumed ?? null,
    };
  }
}

function isBlockhashExpiry(e: unknown): boolean {
  return (
    isSolanaError(e, SOLANA_ERROR__BLOCK_HEIGHT_EXCEEDED) ||
    isSolanaError(e, SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND) ||
    (isSolanaError(e) && isSolanaError(e.cause, SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND))
  );
}

/** Finds the custom program error (code, instruction index) in a kit error and names it. */
export function toProgramFailure(e: unknown, instructions: readonly Instruction[]): unknown {
  let logs: readonly string[] = [];
  if (isSolanaError(e, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)) {
    logs = e.context.logs ?? [];
  }
  for (let cur: unknown = e; cur; cur = (cur as { cause?: unknown }).cause) {
    if (!isSolanaError(cur, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM)) continue;
    const { code, index } = cur.context;
    const programAddress = instructions[index]?.programAddress ?? null;
    const errorName =
      programAddress === MAXWELL_PROGRAM_ADDRESS ? maxwellErrorName(code) : anchorErrorNameFromLogs(logs);
    const what = errorName ? `${errorName} (${code})` : `custom error ${code}`;
    return new ProgramFailure(`instruction ${index} failed: ${what}`, code, errorName, programAddress, logs, { cause: e });
  }
  return e;
}

/** Anchor logs `Error Code: <Name>. Error Number: <n>.` for its own and the program's errors. */
function anchorErrorNameFromLogs(logs: readonly string[]): string | null {
  for (const line of logs) {
    const m = /Error Code: (\w+)\./.exec(line);
    if (m?.[1]) return m[1];
  }
  return null;
}
