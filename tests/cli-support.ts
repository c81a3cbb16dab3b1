// Running the `maxwell` CLI as a process in the validator tests (tests/cli.test.ts,
// tests/keeper-race.test.ts): keypair files as the Solana CLI writes them, funded traders
// holding one, and a spawn helper that parses `--json` output.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Address, KeyPairSigner } from '@solana/kit';

import { writeKeypairFile } from '../app/src/keypair.js';
import { fundTokenAccountIxs } from '../app/src/token.js';
import { sendAndConfirm } from '../app/src/transactions.js';
import { airdrop, LAMPORTS_PER_SOL } from '../app/src/wallet.js';
import type { World } from './support.js';

export const CLI = ['--import', 'tsx', 'app/src/cli/main.ts'];
export const dir = mkdtempSync(join(tmpdir(), 'maxwell-cli-'));

export type KeyTrader = { signer: KeyPairSigner; keypair: string; wallet: Record<string, Address> };

/** A Solana CLI keypair file for `name` in the test's temp dir, funded with SOL and `amounts` of the world's tokens. */
export async function keyTrader(w: World, name: string, amounts: Record<string, bigint> = {}): Promise<KeyTrader> {
  const keypair = join(dir, `${name}.json`);
  const signer = await writeKeypairFile(keypair, randomBytes(32));
  await airdrop(w.conn, signer.address, 5n * LAMPORTS_PER_SOL);
  const wallet: Record<string, Address> = {};
  for (const b of [w.usdc, w.sol]) {
    const { ata, instructions } = await fundTokenAccountIxs({
      payer: w.admin, mintAuthority: w.admin, owner: signer.address, mint: b.mint, decimals: b.decimals, tokenProgram: b.tokenProgram, amount: amounts[b.symbol] ?? 0n,
    });
    await sendAndConfirm(w.conn, w.admin, instructions);
    wallet[b.symbol] = ata;
  }
  return { signer, keypair, wallet };
}

/** The admin's key (target/localnet.json keeps its 32-byte secret) as a keypair file. */
export async function adminKeypair(w: World): Promise<string> {
  const keypair = join(dir, 'admin.json');
  await writeKeypairFile(keypair, Uint8Array.from(Buffer.from(w.d.adminSecretHex, 'hex')));
  return keypair;
}

export type CliResult = { code: number; stdout: string; stderr: string; json: Record<string, unknown> };

/** Spawns `maxwell <args> --url <validator> --exchange <w's> --json` and parses stdout as one JSON object. */
export function maxwell(w: World, args: readonly string[], opts: { keypair?: string; json?: boolean } = {}): Promise<CliResult> {
  const argv = [
    ...CLI, ...args, '--url', process.env.MAXWELL_RPC_URL ?? 'http://127.0.0.1:8899', '--exchange', w.d.exchange,
    ...(opts.keypair ? ['--keypair', opts.keypair] : []), ...(opts.json === false ? [] : ['--json']),
  ];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, argv, { env: { ...process.env, MAXWELL_EXCHANGE: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => {
      let json: Record<string, unknown> = {};
      if (opts.json !== false) {
        try {
          json = JSON.parse(stdout) as Record<string, unknown>;
        } catch {
          reject(new Error(`maxwell ${args.join(' ')}: stdout is not one JSON object (exit ${code}):\n${stdout}\n${stderr}`));
          return;
        }
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}

/** As `maxwell`, but the command must succeed (exit 0); returns its JSON. */
export async function ok(w: World, args: readonly string[], opts: { keypair?: string } = {}): Promise<Record<string, unknown>> {
  const r = await maxwell(w, args, opts);
  if (r.code !== 0) throw new Error(`maxwell ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.json;
}

/** A long-running `maxwell keeper` process; its stdout (JSON lines) collected. */
export function spawnKeeper(w: World, args: readonly string[], keypair: string): { proc: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const argv = [...CLI, 'keeper', ...args, '--url', process.env.MAXWELL_RPC_URL ?? 'http://127.0.0.1:8899', '--exchange', w.d.exchange, '--keypair', keypair];
  const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (d) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts.filter((l) => l.trim()));
  });
  proc.stderr!.on('data', (d) => lines.push(`stderr: ${d}`));
  const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
  return { proc, lines, exited };
}
