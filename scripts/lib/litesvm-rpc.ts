// A stand-in RPC over LiteSVM (npm litesvm@1.5.0): runs the real target/deploy/maxwell.so and
// mock_pyth.so in process and answers the few JSON-RPC methods the unchanged client and keeper
// call, so scripts (crash-sim.ts) can drive thousands of transactions without a validator.
// litesvm is NOT a project dependency: it is installed on first use under target/crash-sim
// (npm install --no-save --prefix) and imported from there by path.
// The clock only moves when `advance` is called; every transaction gets a fresh blockhash.
// Failed transactions throw ProgramFailure (as sendAndConfirm would) with their logs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { getBase58Decoder, getBase58Encoder, getTransactionDecoder, type Address } from '@solana/kit';

import { MAXWELL_PROGRAM_ADDRESS } from '../../app/src/generated/maxwell/index.js';
import { maxwellErrorName } from '../../app/src/errors.js';
import { ProgramFailure, type Connection } from '../../app/src/transactions.js';

const PREFIX = 'target/crash-sim';
const MOCK_PYTH = 'rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ' as Address;

/** The part of litesvm's API used here (its own types are not visible to the project's tsc). */
type Acc = { exists?: boolean; address?: Address; data: Uint8Array; executable: boolean; lamports: bigint; programAddress: Address };
type Meta = { logs(): string[]; computeUnitsConsumed(): bigint; signature(): Uint8Array };
type Failed = { err(): { index?: number; err?: () => { code?: number } }; meta(): Meta; toString(): string };
type Svm = {
  addProgramFromFile(id: Address, path: string): void;
  getClock(): { unixTimestamp: bigint; slot: bigint };
  setClock(c: unknown): void;
  latestBlockhash(): string;
  expireBlockhash(): void;
  sendTransaction(tx: unknown): Meta | Failed;
  simulateTransaction(tx: unknown): { meta(): Meta } | Failed;
  airdrop(a: Address, lamports: bigint): Meta | Failed | null;
  getAccount(a: Address): Acc;
  getBalance(a: Address): bigint | null;
  getProgramAccounts(p: Address): Acc[];
  minimumBalanceForRentExemption(n: bigint): bigint;
  withSigverify(on: boolean): Svm;
};

/** Installs litesvm@1.5.0 under target/crash-sim if missing; returns the LiteSVM class. */
export async function loadLiteSvm(): Promise<new () => Svm> {
  const entry = resolve(PREFIX, 'node_modules/litesvm/dist/index.js');
  if (!existsSync(entry)) {
    console.error(`installing litesvm@1.5.0 under ${PREFIX} (not in package.json)`);
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--prefix', PREFIX, 'litesvm@1.5.0'], { stdio: 'inherit' });
  }
  const mod = (await import(pathToFileURL(entry).href)) as { LiteSVM: new () => Svm };
  return mod.LiteSVM;
}

/** Per-transaction record: every sent transaction (ok or failed), its CUs and logs. */
export type TxRecord = { ok: boolean; cu: bigint; logs: string[] };

export type SvmRpc = {
  conn: Connection;
  svm: Svm;
  /** Every transaction sent (airdrops excluded), in order. */
  txs: TxRecord[];
  /** Moves the clock (and slot) forward by `seconds`. */
  advance(seconds: bigint): void;
};

const isFailed = (r: unknown): r is Failed => typeof (r as Failed).err === 'function';

export async function litesvmConnection(): Promise<SvmRpc> {
  const LiteSVM = await loadLiteSvm();
  const svm = new LiteSVM();
  svm.addProgramFromFile(MAXWELL_PROGRAM_ADDRESS, 'target/deploy/maxwell.so');
  svm.addProgramFromFile(MOCK_PYTH, 'target/deploy/mock_pyth.so');
  const clock = svm.getClock();
  clock.unixTimestamp = BigInt(Math.floor(Date.now() / 1000));
  clock.slot = 1000n;
  svm.setClock(clock);
  const advance = (seconds: bigint) => {
    const c = svm.getClock();
    c.unixTimestamp += seconds;
    c.slot += seconds * 2n;
    svm.setClock(c);
  };

  const b58 = getBase58Decoder();
  const txs: TxRecord[] = [];
  const bySig = new Map<string, TxRecord>();
  const ctx = () => ({ context: { slot: svm.getClock().slot } });
  const rpcAccount = (a: Acc) =>
    a.exists === false
      ? null
      : { data: [Buffer.from(a.data).toString('base64'), 'base64'], executable: a.executable, lamports: a.lamports, owner: a.programAddress, space: BigInt(a.data.length), rentEpoch: 0n };
  type Filter = { dataSize?: bigint; memcmp?: { offset: bigint; bytes: string } };
  const matches = (data: Uint8Array, filters: Filter[] = []) =>
    filters.every((f) => {
      if (f.dataSize !== undefined) return BigInt(data.length) === f.dataSize;
      if (f.memcmp) {
        const want = getBase58Encoder().encode(f.memcmp.bytes);
        const o = Number(f.memcmp.offset);
        return want.every((b, i) => data[o + i] === b);
      }
      return true;
    });
  const decodeTx = (b64: string) => getTransactionDecoder().decode(Buffer.from(b64, 'base64'));
  /** The failure as the client would see it from a real RPC: ProgramFailure naming the error. */
  const failure = (r: Failed, what: string) => {
    const logs = r.meta().logs();
    const e = r.err();
    const index = e.index ?? -1;
    const code = typeof e.err === 'function' ? e.err().code ?? null : null;
    const failedMaxwell = logs.some((l) => l.startsWith(`Program ${MAXWELL_PROGRAM_ADDRESS} failed`));
    const name = code !== null && failedMaxwell ? maxwellErrorName(code) : null;
    return new ProgramFailure(`${what}: instruction ${index} failed: ${name ?? r.toString()}${code !== null ? ` (${code})` : ''}`, code, name, failedMaxwell ? MAXWELL_PROGRAM_ADDRESS : null, logs);
  };

  const methods: Record<string, (...args: any[]) => unknown> = {
    getLatestBlockhash: () => ({ ...ctx(), value: { blockhash: svm.latestBlockhash(), lastValidBlockHeight: 1_000_000_000n } }),
    sendTransaction: (b64: string) => {
      const tx = decodeTx(b64);
      const r = svm.sendTransaction(tx);
      svm.expireBlockhash();
      if (isFailed(r)) {
        txs.push({ ok: false, cu: r.meta().computeUnitsConsumed(), logs: r.meta().logs() });
        throw failure(r, 'transaction');
      }
      const rec = { ok: true, cu: r.computeUnitsConsumed(), logs: r.logs() };
      txs.push(rec);
      const sig = b58.decode(r.signature());
      bySig.set(sig, rec);
      return sig;
    },
    simulateTransaction: (b64: string) => {
      const tx = decodeTx(b64);
      // The client simulates unsigned (sigVerify: false, as account_health reads are sent to a
      // validator): signatures are not checked for the simulation only.
      svm.withSigverify(false);
      let r: ReturnType<Svm['simulateTransaction']>;
      try {
        r = svm.simulateTransaction(tx);
      } finally {
        svm.withSigverify(true);
      }
      if (isFailed(r)) throw failure(r, 'simulation');
      const m = r.meta() as Meta & { returnData?: () => { programId: () => Uint8Array; data: () => Uint8Array } };
      const rd = m.returnData?.();
      const data = rd?.data();
      return {
        ...ctx(),
        value: {
          err: null, logs: m.logs(), unitsConsumed: m.computeUnitsConsumed(), accounts: null,
          returnData: rd && data && data.length > 0 ? { programId: b58.decode(rd.programId()), data: [Buffer.from(data).toString('base64'), 'base64'] } : null,
        },
      };
    },
    requestAirdrop: (addr: Address, lamports: bigint) => {
      const r = svm.airdrop(addr, lamports);
      svm.expireBlockhash();
      if (!r || isFailed(r)) throw new Error(`airdrop failed: ${r?.toString()}`);
      return b58.decode(r.signature());
    },
    getSignatureStatuses: (sigs: string[]) => ({
      ...ctx(),
      value: sigs.map(() => ({ slot: svm.getClock().slot, confirmations: null, err: null, confirmationStatus: 'finalized', status: { Ok: null } })),
    }),
    getEpochInfo: () => ({ absoluteSlot: svm.getClock().slot, blockHeight: svm.getClock().slot, epoch: 0n, slotIndex: 0n, slotsInEpoch: 432000n, transactionCount: null }),
    getTransaction: (sig: string) => {
      const m = bySig.get(sig);
      return m ? { meta: { logMessages: m.logs, computeUnitsConsumed: m.cu, err: null } } : null;
    },
    getAccountInfo: (addr: Address) => ({ ...ctx(), value: rpcAccount(svm.getAccount(addr)) }),
    getMultipleAccounts: (addrs: Address[]) => ({ ...ctx(), value: addrs.map((a) => rpcAccount(svm.getAccount(a))) }),
    getProgramAccounts: (program: Address, cfg: { filters?: Filter[] } = {}) =>
      svm.getProgramAccounts(program).filter((a) => matches(a.data, cfg.filters)).map((a) => ({ pubkey: a.address, account: rpcAccount(a) })),
    getMinimumBalanceForRentExemption: (n: bigint) => svm.minimumBalanceForRentExemption(n),
    getGenesisHash: () => 'litesvm',
    getBalance: (addr: Address) => ({ ...ctx(), value: svm.getBalance(addr) ?? 0n }),
    getTokenAccountBalance: (addr: Address) => {
      const a = svm.getAccount(addr);
      if (a.exists === false) throw new Error(`litesvm rpc: no token account ${addr}`);
      const amount = Buffer.from(a.data).readBigUInt64LE(64); // SPL token account: mint, owner, amount
      return { ...ctx(), value: { amount: amount.toString(), decimals: 0, uiAmount: null, uiAmountString: amount.toString() } };
    },
    getSlot: () => svm.getClock().slot,
  };
  const rpc = new Proxy({}, {
    get: (_t, name: string) => (...args: unknown[]) => ({
      send: async () => {
        const f = methods[name];
        if (!f) throw new Error(`litesvm rpc: ${name} not implemented`);
        return f(...args);
      },
    }),
  });
  const never = { subscribe: async () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => {}) }) }) };
  const rpcSubscriptions = new Proxy({}, { get: () => () => never });
  return { conn: { rpc, rpcSubscriptions } as unknown as Connection, svm, txs, advance };
}
