// A read-only JSON-RPC server over HTTP (loopback) that serves a fixed set of account bytes:
// getAccountInfo, getMultipleAccounts, getProgramAccounts (dataSize and base58 memcmp filters),
// base64 encoding, and the Clock sysvar at a given unix time. scripts/keeper-bench.ts points the
// unchanged client and keeper at it to time the per-account RPC path and the batched path on the
// same bytes, with real HTTP round trips and JSON/base64 on both sides (no validator behind it:
// a validator's own account lookup and a remote RPC's network latency come on top, per round trip).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { getBase58Encoder, type Address } from '@solana/kit';

export type ServedAccount = { address: Address; owner: Address; data: Uint8Array; lamports?: bigint };

const CLOCK = 'SysvarC1ock11111111111111111111111111111111' as Address;
const SYSVAR_OWNER = 'Sysvar1111111111111111111111111111111111111' as Address;

/** Clock sysvar bytes: slot, epoch_start_timestamp, epoch, leader_schedule_epoch, unix_timestamp. */
export function clockBytes(unixTimestamp: bigint, slot = 1_000n): Uint8Array {
  const b = new Uint8Array(40);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, slot, true);
  v.setBigInt64(8, unixTimestamp, true);
  v.setBigInt64(32, unixTimestamp, true);
  return b;
}

type Filter = { dataSize?: number; memcmp?: { offset: number; bytes: string } };

export async function serveAccounts(accounts: readonly ServedAccount[], now: bigint): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  const byAddress = new Map<string, ServedAccount>(accounts.map((a) => [a.address, a]));
  byAddress.set(CLOCK, { address: CLOCK, owner: SYSVAR_OWNER, data: clockBytes(now) });
  const byOwner = new Map<string, ServedAccount[]>();
  for (const a of byAddress.values()) byOwner.set(a.owner, [...(byOwner.get(a.owner) ?? []), a]);
  const info = (a: ServedAccount | undefined) =>
    a ? { data: [Buffer.from(a.data).toString('base64'), 'base64'], executable: false, lamports: Number(a.lamports ?? 1_000_000n), owner: a.owner, rentEpoch: 0, space: a.data.length } : null;
  const ctx = { context: { slot: 1000, apiVersion: '4.2.2' } };
  const b58 = getBase58Encoder();
  const matches = (d: Uint8Array, fs: Filter[] = []) =>
    fs.every((f) => {
      if (f.dataSize !== undefined) return d.length === f.dataSize;
      if (f.memcmp) {
        const want = b58.encode(f.memcmp.bytes);
        return want.every((x, i) => d[f.memcmp!.offset + i] === x);
      }
      return true;
    });
  const methods: Record<string, (params: any[]) => unknown> = {
    getAccountInfo: ([addr]) => ({ ...ctx, value: info(byAddress.get(addr)) }),
    getMultipleAccounts: ([addrs]) => ({ ...ctx, value: (addrs as string[]).map((a) => info(byAddress.get(a))) }),
    getProgramAccounts: ([program, cfg]) =>
      (byOwner.get(program) ?? []).filter((a) => matches(a.data, cfg?.filters)).map((a) => ({ pubkey: a.address, account: info(a) })),
    getSlot: () => 1000,
  };
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: unknown; method: string; params?: any[] };
      const f = methods[body.method];
      const out = f
        ? { jsonrpc: '2.0', id: body.id, result: f(body.params ?? []) }
        : { jsonrpc: '2.0', id: body.id, error: { code: -32601, message: `method ${body.method} not served` } };
      const text = JSON.stringify(out);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  // A 10,000-account getProgramAccounts answer takes seconds to build and parse: keep idle
  // keep-alive sockets open well beyond that (Node's 5 s default resets the client's next request).
  server.keepAliveTimeout = 600_000;
  server.headersTimeout = 601_000;
  server.requestTimeout = 0;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
