// Sending transactions: build, sign, send, confirm at `confirmed`, retry when the blockhash
// expires, and turn failures into a ProgramFailure that names the Maxwell error.
import {
  appendTransactionMessageInstructions,
  assertIsTransactionWithBlockhashLifetime,
  compileTransaction,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  getSignatureFromTransaction,
  isSolanaError,
  pipe,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayer,
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
  /**
   * The HTTP endpoint behind `rpc`, when known (connect() sets it): the keeper reads its largest
   * answer, every margin account, with one plain POST and JSON.parse (keeper/snapshot.ts) instead
   * of kit's big-integer-aware parser, which takes ~0.5 s per 5 MB.
   */
  rpcUrl?: string;
};

export function connect(rpcUrl = RPC_URL, wsUrl = WS_URL): Connection {
  return { rpc: createSolanaRpc(rpcUrl), rpcSubscriptions: createSolanaRpcSubscriptions(wsUrl), rpcUrl };
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

export type SimulateResult = {
  logs: readonly string[];
  /** Return data of the last instruction that set it (e.g. `account_health`'s HealthLog). */
  returnData: { programId: Address; data: Uint8Array } | null;
  unitsConsumed: bigint | null;
};

/**
 * Simulates `instructions` (no signatures checked, the cluster's latest blockhash) with
 * `feePayer` (an existing, funded address) paying. Throws ProgramFailure when a program
 * refuses, as sendAndConfirm does. Read paths use it: nothing is written.
 */
export async function simulate(
  conn: Connection,
  feePayer: Address,
  instructions: readonly Instruction[],
): Promise<SimulateResult> {
  const { value: latestBlockhash } = await conn.rpc.getLatestBlockhash({ commitment: COMMITMENT }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(latestBlockhash, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const wire = getBase64EncodedWireTransaction(compileTransaction(message));
  const { value } = await conn.rpc
    .simulateTransaction(wire, { encoding: 'base64', sigVerify: false, replaceRecentBlockhash: true, commitment: COMMITMENT })
    .send();
  const logs = value.logs ?? [];
  if (value.err) {
    const custom = customError(value.err);
    if (custom) {
      const programAddress = instructions[custom.index]?.programAddress ?? null;
      const errorName =
        programAddress === MAXWELL_PROGRAM_ADDRESS ? maxwellErrorName(custom.code) : anchorErrorNameFromLogs(logs);
      const what = errorName ? `${errorName} (${custom.code})` : `custom error ${custom.code}`;
      throw new ProgramFailure(`simulation: instruction ${custom.index} failed: ${what}`, custom.code, errorName, programAddress, logs);
    }
    throw new Error(`simulation failed: ${JSON.stringify(value.err, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
  }
  const rd = value.returnData;
  return {
    logs,
    returnData: rd ? { programId: rd.programId, data: Uint8Array.from(getBase64Encoder().encode(rd.data[0])) } : null,
    unitsConsumed: value.unitsConsumed ?? null,
  };
}

/** `{ InstructionError: [index, { Custom: code }] }` of a simulation result. */
function customError(err: unknown): { index: number; code: number } | null {
  const ie = (err as { InstructionError?: [number, unknown] }).InstructionError;
  if (!ie) return null;
  const custom = (ie[1] as { Custom?: number | bigint } | null)?.Custom;
  return custom === undefined ? null : { index: Number(ie[0]), code: Number(custom) };
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
