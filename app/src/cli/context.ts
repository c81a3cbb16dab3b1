// What every `maxwell` command shares: the connection (`--url`, as the Solana CLI: the
// websocket is the same host with ws(s):// and port + 1 unless `--ws`), the signer (`--keypair`,
// a Solana CLI keypair file, default ~/.config/solana/id.json), the exchange (`--exchange` or
// $MAXWELL_EXCHANGE), bank lookup, and output (`--json`: one JSON object on stdout).
import { address, isAddress, type Account, type Address, type KeyPairSigner } from '@solana/kit';

import type { CollateralBank } from '../accounts.js';
import { MaxwellClient } from '../client.js';
import { RPC_URL } from '../config.js';
import { DEFAULT_KEYPAIR_PATH, readKeypairFile } from '../keypair.js';
import { connect, type Connection } from '../transactions.js';
import { flag, opt, UsageError, type Args } from './args.js';

/** The websocket URL the Solana CLI derives from an RPC URL: ws(s) scheme, port + 1. */
export function websocketUrlFor(rpcUrl: string): string {
  let u: URL;
  try {
    u = new URL(rpcUrl);
  } catch {
    throw new UsageError(`--url: not a URL: ${rpcUrl}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--url: expected http(s)://, got ${rpcUrl}`);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (u.port) u.port = String(Number(u.port) + 1);
  return u.toString();
}

export type Ctx = {
  args: Args;
  json: boolean;
  url: string;
  conn: Connection;
  /** Loaded on first use: read-only commands need no key. */
  signer(): Promise<KeyPairSigner>;
  client(): MaxwellClient;
};

export function context(args: Args): Ctx {
  const url = opt(args, 'url') ?? process.env.MAXWELL_RPC_URL ?? RPC_URL;
  const ws = opt(args, 'ws') ?? (opt(args, 'url') === undefined ? process.env.MAXWELL_WS_URL : undefined) ?? websocketUrlFor(url);
  const conn = connect(url, ws);
  let signer: Promise<KeyPairSigner> | null = null;
  let client: MaxwellClient | null = null;
  return {
    args,
    json: flag(args, 'json'),
    url,
    conn,
    signer: () => (signer ??= readKeypairFile(opt(args, 'keypair') ?? DEFAULT_KEYPAIR_PATH)),
    client: () => (client ??= new MaxwellClient(conn, exchangeOf(args))),
  };
}

export function exchangeOf(args: Args): Address {
  const e = opt(args, 'exchange') ?? process.env.MAXWELL_EXCHANGE;
  if (!e) throw new UsageError('no exchange: pass --exchange <address> or set MAXWELL_EXCHANGE');
  return addressArg(e, 'exchange');
}

export function addressArg(v: string, name: string): Address {
  if (!isAddress(v)) throw new UsageError(`--${name}: not a base58 address: ${JSON.stringify(v)}`);
  return address(v);
}

/** A bank of the exchange by bank address, mint address or bank index. */
export async function bankArg(ctx: Ctx, v: string): Promise<Account<CollateralBank>> {
  const banks = await ctx.client().banksByIndex(true);
  const all = [...banks.values()];
  const b = /^\d+$/.test(v) ? banks.get(Number(v)) : all.find((x) => x.address === v || x.data.mint === v);
  if (!b) {
    const known = all.map((x) => `${x.data.bankIndex}: bank ${x.address} mint ${x.data.mint}`).join('; ');
    throw new UsageError(`--bank ${v}: not a bank of exchange ${ctx.client().exchange} (banks: ${known || 'none'})`);
  }
  return b;
}

/** JSON with bigints as decimal strings and byte arrays as hex. */
export function toJson(v: unknown): string {
  return JSON.stringify(
    v,
    (_, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x),
    2,
  );
}

/** Prints a command's result: `--json` the object, otherwise `human(result)`. */
export function emit<T>(ctx: Ctx, result: T, human: (r: T) => string): void {
  process.stdout.write((ctx.json ? toJson(result) : human(result)) + '\n');
}
