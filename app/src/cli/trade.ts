// `maxwell trade`: a bilateral trade in one underlying (1 to 4 legs, sizes from the taker's
// side: size > 0 = the taker buys from the maker). Three ways:
//  - both keys here: `--keypair maker.json --taker-keypair taker.json` signs and sends;
//  - RFQ, maker: `--sign-partial quote.json` signs the maker's part of a transaction whose fee
//    payer is the taker and writes it to a file (valid until the blockhash expires, ~60-90 s);
//  - RFQ, taker: `--complete quote.json --keypair taker.json` reads the transaction back from its
//    own bytes (not from the file's description), checks that it is one Maxwell trade naming
//    this key as the taker, signs and sends it.
import { readFileSync, writeFileSync } from 'node:fs';

import {
  appendTransactionMessageInstructions,
  assertIsFullySignedTransaction,
  createNoopSigner,
  createTransactionMessage,
  decompileTransactionMessage,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getSignatureFromTransaction,
  getTransactionDecoder,
  partiallySignTransaction,
  partiallySignTransactionMessageWithSigners,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type Instruction,
  type Transaction,
} from '@solana/kit';

import { tradeLogs, type TradeLog } from '../events.js';
import { parseUnits } from '../format.js';
import { MAXWELL_PROGRAM_ADDRESS, parseTradeInstruction } from '../generated/maxwell/index.js';
import { readKeypairFile } from '../keypair.js';
import type { TradeLeg } from '../markets.js';
import { toProgramFailure, type SendResult } from '../transactions.js';
import { many, only, opt, required, UsageError } from './args.js';
import { accountArg, fetchAccount } from './account.js';
import { addressArg, emit, type Ctx } from './context.js';

export const PARTIAL_KIND = 'maxwell-trade-partial';

/** The file `--sign-partial` writes and `--complete` reads. Everything but `transaction` is a description for people. */
export type PartialTradeFile = {
  kind: typeof PARTIAL_KIND;
  version: 1;
  exchange: Address;
  underlying: Address;
  maker: { account: Address; signer: Address };
  taker: { account: Address; signer: Address };
  legs: { seriesIndex: number; size: string; price: string }[];
  lastValidBlockHeight: string;
  /** Base64 wire transaction, the maker's signature in it, the taker's missing. */
  transaction: string;
};

/** `series:size:price`: series index, contracts (taker's side, signed), premium per contract in quote token units. */
export function parseLeg(v: string, quoteDecimals: number): TradeLeg {
  const m = /^(\d+):(-?\d+):(\d+(?:\.\d+)?)$/.exec(v);
  if (!m) throw new UsageError(`--leg ${v}: expected <series index>:<size>:<price>, e.g. 3:-5:12.5 (size from the taker's side; price per contract in quote units)`);
  const size = BigInt(m[2]!);
  if (size === 0n) throw new UsageError(`--leg ${v}: size must not be 0`);
  let price: bigint;
  try {
    price = parseUnits(m[3]!, quoteDecimals);
  } catch (e) {
    throw new UsageError(`--leg ${v}: ${(e as Error).message}`);
  }
  return { seriesIndex: Number(m[1]), size, price };
}

export type TradeResult = { signature: string; maker: Address; taker: Address; underlying: Address; events: TradeLog[] };

function tradeHuman(r: TradeResult): string {
  return [`traded on ${r.underlying}: maker ${r.maker}, taker ${r.taker}`, ...r.events.map((e) => `  series ${e.seriesIndex}: size ${e.size} at ${e.price}`), `signature ${r.signature}`].join('\n');
}

export async function tradeCommand(ctx: Ctx): Promise<void> {
  const completeFile = opt(ctx.args, 'complete');
  if (completeFile !== undefined) {
    only(ctx.args, ['complete']);
    return complete(ctx, completeFile);
  }
  only(ctx.args, ['account', 'id', 'taker-account', 'taker', 'taker-keypair', 'underlying', 'leg', 'sign-partial']);
  const client = ctx.client();
  const makerSigner = await ctx.signer();
  const makerAccount = await accountArg(ctx);
  const takerAccount = addressArg(required(ctx.args, 'taker-account', 'margin account address'), 'taker-account');
  const underlying = addressArg(required(ctx.args, 'underlying', 'underlying address'), 'underlying');
  const legArgs = many(ctx.args, 'leg');
  if (legArgs.length < 1 || legArgs.length > 4) throw new UsageError(`--leg <series>:<size>:<price> is required 1 to 4 times, got ${legArgs.length}`);
  for (const l of legArgs) parseLeg(l, 18); // the format, before any RPC (decimals checked below)
  const [makerState, takerState] = await Promise.all([fetchAccount(ctx, makerAccount), fetchAccount(ctx, takerAccount)]);
  if (makerState.data.owner !== makerSigner.address && makerState.data.delegate !== makerSigner.address) {
    throw new UsageError(`--keypair ${makerSigner.address} is neither the owner nor the delegate of the maker account ${makerAccount}`);
  }
  const quote = await client.bank((await client.quoteBank()).address);
  const legs = legArgs.map((l) => parseLeg(l, quote.data.decimals));
  const partial = opt(ctx.args, 'sign-partial');
  if (partial !== undefined) {
    if (opt(ctx.args, 'taker-keypair') !== undefined) throw new UsageError('--sign-partial and --taker-keypair exclude each other');
    const takerSigner = addressArg(opt(ctx.args, 'taker') ?? takerState.data.owner, 'taker');
    const taker = createNoopSigner(takerSigner);
    const ixs = await client.tradeInstructions({ account: makerAccount, signer: makerSigner }, { account: takerAccount, signer: taker }, underlying, legs);
    const { value: latest } = await ctx.conn.rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(taker, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
      (m) => appendTransactionMessageInstructions(ixs, m),
    );
    const tx = await partiallySignTransactionMessageWithSigners(message);
    const file: PartialTradeFile = {
      kind: PARTIAL_KIND,
      version: 1,
      exchange: client.exchange,
      underlying,
      maker: { account: makerAccount, signer: makerSigner.address },
      taker: { account: takerAccount, signer: takerSigner },
      legs: legs.map((l) => ({ seriesIndex: l.seriesIndex, size: String(l.size), price: String(l.price) })),
      lastValidBlockHeight: String(latest.lastValidBlockHeight),
      transaction: getBase64EncodedWireTransaction(tx),
    };
    writeFileSync(partial, JSON.stringify(file, null, 2) + '\n');
    emit(ctx, { file: partial, ...file, transaction: undefined }, (r) =>
      `wrote ${r.file}: the maker's half of a trade for taker ${takerSigner} (complete it with: maxwell trade --complete ${r.file} --keypair <taker keypair>) before block height ${r.lastValidBlockHeight}`);
    return;
  }
  const takerKeypair = opt(ctx.args, 'taker-keypair');
  if (takerKeypair === undefined) throw new UsageError('trade: pass --taker-keypair <file> (both keys here) or --sign-partial <file> (RFQ: the taker completes it)');
  const takerSigner = await readKeypairFile(takerKeypair);
  const { result, events } = await client.trade({ account: makerAccount, signer: makerSigner }, { account: takerAccount, signer: takerSigner }, underlying, legs);
  emit(ctx, { signature: result.signature, maker: makerAccount, taker: takerAccount, underlying, events }, tradeHuman);
}

function readPartial(path: string): PartialTradeFile {
  let f: PartialTradeFile;
  try {
    f = JSON.parse(readFileSync(path, 'utf8')) as PartialTradeFile;
  } catch (e) {
    throw new UsageError(`--complete ${path}: cannot read it (${(e as Error).message})`);
  }
  if (f?.kind !== PARTIAL_KIND || f.version !== 1 || typeof f.transaction !== 'string') throw new UsageError(`--complete ${path}: not a file written by maxwell trade --sign-partial`);
  return f;
}

async function complete(ctx: Ctx, path: string): Promise<void> {
  const f = readPartial(path);
  const signer = await ctx.signer();
  let tx: Transaction;
  let instructions: readonly Instruction[];
  let feePayer: Address;
  try {
    tx = getTransactionDecoder().decode(getBase64Encoder().encode(f.transaction));
    const message = decompileTransactionMessage(getCompiledTransactionMessageDecoder().decode(tx.messageBytes));
    instructions = message.instructions;
    feePayer = message.feePayer.address;
  } catch (e) {
    throw new UsageError(`--complete ${path}: the transaction does not decode (${(e as Error).message})`);
  }
  // What is signed is what the bytes say: exactly one Maxwell instruction, a trade, naming this key as the taker.
  const maxwell = instructions.filter((ix) => ix.programAddress === MAXWELL_PROGRAM_ADDRESS);
  if (maxwell.length !== 1) throw new UsageError(`--complete ${path}: expected one Maxwell instruction, found ${maxwell.length}`);
  let parsed: ReturnType<typeof parseTradeInstruction>;
  try {
    parsed = parseTradeInstruction(maxwell[0] as Parameters<typeof parseTradeInstruction>[0]);
  } catch (e) {
    throw new UsageError(`--complete ${path}: the Maxwell instruction is not a trade (${(e as Error).message})`);
  }
  const a = parsed.accounts;
  if (a.takerSigner.address !== signer.address) throw new UsageError(`--complete ${path}: the trade's taker signer is ${a.takerSigner.address}, not --keypair ${signer.address}`);
  if (feePayer !== signer.address) throw new UsageError(`--complete ${path}: the fee payer is ${feePayer}, not --keypair ${signer.address}`);
  if (a.exchange.address !== ctx.client().exchange) throw new UsageError(`--complete ${path}: the trade is on exchange ${a.exchange.address}, not ${ctx.client().exchange}`);
  const legs = parsed.data.legs.map((l) => ({ seriesIndex: l.seriesIndex, size: String(l.size), price: String(l.price) }));
  if (JSON.stringify(legs) !== JSON.stringify(f.legs) || a.taker.address !== f.taker.account || a.maker.address !== f.maker.account || a.underlying.address !== f.underlying) {
    throw new UsageError(`--complete ${path}: the file's description does not match its transaction; refusing to sign`);
  }
  const signed = await partiallySignTransaction([signer.keyPair], tx);
  try {
    assertIsFullySignedTransaction(signed);
  } catch {
    throw new UsageError(`--complete ${path}: signatures are still missing after the taker's (the maker's half is not in the file)`);
  }
  const result = await sendSigned(ctx, signed, instructions, BigInt(f.lastValidBlockHeight));
  const events = tradeLogs(result.logs);
  emit(ctx, { signature: result.signature, maker: a.maker.address, taker: a.taker.address, underlying: a.underlying.address, events }, tradeHuman);
}

/** Sends a fully signed transaction and waits for `confirmed` (or its blockhash to expire). */
async function sendSigned(ctx: Ctx, tx: Transaction, instructions: readonly Instruction[], lastValidBlockHeight: bigint): Promise<SendResult> {
  const signature = getSignatureFromTransaction(tx as Parameters<typeof getSignatureFromTransaction>[0]);
  try {
    await ctx.conn.rpc.sendTransaction(getBase64EncodedWireTransaction(tx), { encoding: 'base64', preflightCommitment: 'confirmed' }).send();
  } catch (e) {
    throw toProgramFailure(e, instructions);
  }
  for (;;) {
    const { value } = await ctx.conn.rpc.getSignatureStatuses([signature]).send();
    const st = value[0];
    if (st?.err) throw new Error(`trade ${signature} failed: ${JSON.stringify(st.err, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    if (st && (st.confirmationStatus === 'confirmed' || st.confirmationStatus === 'finalized')) break;
    const height = await ctx.conn.rpc.getBlockHeight({ commitment: 'confirmed' }).send();
    if (height > lastValidBlockHeight) throw new Error(`the maker's quote expired (block height ${height} > ${lastValidBlockHeight}): ask for a new one`);
    await new Promise((r) => setTimeout(r, 400));
  }
  const t = await ctx.conn.rpc.getTransaction(signature, { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 }).send();
  return { signature, logs: t?.meta?.logMessages ?? [], computeUnitsConsumed: t?.meta?.computeUnitsConsumed ?? null };
}
