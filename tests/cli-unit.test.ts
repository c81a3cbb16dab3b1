// The `maxwell` CLI's pieces that need no validator: argument parsing, the websocket URL the
// Solana CLI derives, trade legs, governance changes from JSON, the markets listing (slots,
// generations, free slots), keypair files, the keeper status file. (Every command end to end: tests/cli.test.ts.)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { createKeyPairSignerFromPrivateKeyBytes, type Address } from '@solana/kit';

import { flag, intOpt, many, only, opt, parseArgs, UsageError } from '../app/src/cli/args.js';
import { websocketUrlFor } from '../app/src/cli/context.js';
import { changeFromJson } from '../app/src/cli/gov.js';
import { marketsHuman, marketView, slotRanges } from '../app/src/cli/markets.js';
import { getChangeEncoder } from '../app/src/generated/maxwell/index.js';
import { changeKind, changeTarget } from '../app/src/governance.js';
import { parseLeg } from '../app/src/cli/trade.js';
import { addressBytes } from '../app/src/base58.js';
import { expandHome, readKeypairFile, writeKeypairFile } from '../app/src/keypair.js';
import { StatusTracker, type KeeperStatus } from '../app/src/keeper/status.js';

const dir = mkdtempSync(join(tmpdir(), 'maxwell-cli-unit-'));
const A = '4293dS1JYmRSUGpMzpPHmTpPZZwkXHw6MByMWU6Apbnn' as Address;

describe('cli arguments', () => {
  it('positionals, valued options, repeated options, flags, --name=value', () => {
    const a = parseArgs(['trade', '--leg', '1:2:3', '--json', '--leg=4:-5:6.5', '--url', 'http://x:1', '--', '--literal']);
    assert.deepEqual(a.positionals, ['trade', '--literal']);
    assert.deepEqual(many(a, 'leg'), ['1:2:3', '4:-5:6.5']);
    assert.equal(flag(a, 'json'), true);
    assert.equal(opt(a, 'url'), 'http://x:1');
    assert.throws(() => opt(a, 'leg'), /--leg given 2 times/);
  });

  it('refuses a missing value, a value on a flag, unknown options and bad integers', () => {
    assert.throws(() => parseArgs(['--url']), (e: unknown) => e instanceof UsageError && /--url needs a value/.test(e.message));
    assert.throws(() => parseArgs(['--url', '--json']), /--url needs a value/);
    assert.throws(() => parseArgs(['--json=1']), /--json takes no value/);
    assert.throws(() => only(parseArgs(['--colour', 'red']), ['id']), /unknown option --colour/);
    assert.equal(intOpt(parseArgs(['--id', '7']), 'id', 0), 7);
    assert.equal(intOpt(parseArgs([]), 'id', 3), 3);
    for (const bad of ['-1', '1.5', 'x', '4294967296']) assert.throws(() => intOpt(parseArgs(['--id', bad]), 'id', 0), /--id: expected an integer/);
  });

  it('derives the websocket URL as the Solana CLI does (ws scheme, port + 1)', () => {
    assert.equal(websocketUrlFor('http://127.0.0.1:8899'), 'ws://127.0.0.1:8900/');
    assert.equal(websocketUrlFor('https://api.example.com'), 'wss://api.example.com/');
    assert.throws(() => websocketUrlFor('ftp://x'), /expected http\(s\)/);
    assert.throws(() => websocketUrlFor('nonsense'), /not a URL/);
  });

  it('parses trade legs: series:size:price, size signed, price in quote units', () => {
    assert.deepEqual(parseLeg('3:-5:12.5', 6), { seriesIndex: 3, size: -5n, price: 12_500_000n });
    assert.deepEqual(parseLeg('0:1:0.000001', 6), { seriesIndex: 0, size: 1n, price: 1n });
    for (const bad of ['3:5', '3:0:1', 'a:1:1', '3:1:-2', '3:1:1.1234567']) assert.throws(() => parseLeg(bad, 6), UsageError, bad);
  });

  it('reads governance changes from JSON: integer strings to bigint, feed ids to bytes', () => {
    assert.deepEqual(changeFromJson(JSON.stringify({ __kind: 'OiCap', underlying: A, seriesIndex: 2, oiCap: '18446744073709551615' })), {
      __kind: 'OiCap', underlying: A, seriesIndex: 2, oiCap: 18446744073709551615n,
    });
    const c = changeFromJson(JSON.stringify({ __kind: 'BankParams', bank: A, params: { feedId: 'ab'.repeat(32), depositCap: '5' } })) as unknown as { params: { feedId: Uint8Array; depositCap: bigint } };
    assert.deepEqual([...c.params.feedId].slice(0, 2), [0xab, 0xab]);
    assert.equal(c.params.depositCap, 5n);
    assert.throws(() => changeFromJson('{'), /not JSON/);
    assert.throws(() => changeFromJson('{"__kind":"Nope"}'), /"__kind" is one of/);
  });

  it('reads the oracle-outage fallback (issue 12: SettlementPrice, change kind 9) from JSON', () => {
    const c = changeFromJson(JSON.stringify({ __kind: 'SettlementPrice', underlying: A, expiryIndex: 3, price: '153250000' }));
    assert.deepEqual(c, { __kind: 'SettlementPrice', underlying: A, expiryIndex: 3, price: 153_250_000n });
    assert.equal(changeKind(c), 9);
    assert.deepEqual(changeTarget(c), { underlying: A });
    const bytes = getChangeEncoder().encode(c);
    assert.equal(bytes[0], 9, 'the borsh variant tag');
    assert.equal(bytes.length, 1 + 32 + 1 + 8, 'underlying, expiry slot u8, price u64');
  });
});

describe('markets listing', () => {
  it('lists expiries and series by slot with generations; free slots below the high-water marks', () => {
    const E = 1_800_604_800n;
    const series = (strike: bigint, kind: number, expiryIndex: number, generation: number, listed = 1) =>
      ({ strike, expiry: listed ? E : 0n, kind, expiryIndex, listed, generation, openInterest: listed ? 3n : 0n, oiCap: listed ? 100n : 0n });
    // Expiry slot 0 retired and free; slot 1 listed. Series slots 0-1 free (generation 1), 2-3
    // listed again (generation 1), 4 never recycled.
    const u = {
      underlyingIndex: 2,
      oracle: A,
      nExpiries: 2,
      expiries: [{ expiry: 0n }, { expiry: E, settled: 0, settlementPrice: 0n, settledNet: 0n, hasSurface: 1 }, { expiry: 0n }],
      nSeries: 5,
      series: [series(0n, 0, 0, 1, 0), series(0n, 0, 0, 1, 0), series(150n, 0, 1, 1), series(150n, 1, 1, 1), series(160n, 0, 1, 0), series(0n, 0, 0, 0, 0)],
      risk: [0, 1, 2, 3, 4, 5].map((i) => ({ mark: BigInt(i) })),
    } as never;
    const v = marketView(A, u);
    assert.deepEqual(v.expiries.map((e) => [e.slot, e.expiry]), [[1, E]]);
    assert.deepEqual(v.series.map((s) => [s.slot, s.generation, s.kind, s.strike, s.mark]), [[2, 1, 'call', 150n, 2n], [3, 1, 'put', 150n, 3n], [4, 0, 'call', 160n, 4n]]);
    assert.deepEqual([v.freeExpirySlots, v.freeSeriesSlots, v.nExpiries, v.nSeries], [[0], [0, 1], 2, 5]);
    const text = marketsHuman([v]);
    assert.match(text, /free expiry slots 0, free series slots 0-1 \(below 2 \/ 5 slots used\)/);
    assert.match(text, /series 3 \(generation 1\): put 150, open interest 3 of 100/);
    assert.deepEqual([slotRanges([]), slotRanges([4]), slotRanges([0, 1, 2, 5, 7, 8])], ['none', '4', '0-2, 5, 7-8']);
  });
});

describe('keypair files', () => {
  it('writes and reads the Solana CLI format: secret || public key, mode 0600', async () => {
    const secret = randomBytes(32);
    const path = join(dir, 'id.json');
    const signer = await writeKeypairFile(path, secret);
    const bytes = JSON.parse(readFileSync(path, 'utf8')) as number[];
    assert.equal(bytes.length, 64);
    assert.deepEqual(bytes.slice(32), [...addressBytes(signer.address)]);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal((await readKeypairFile(path)).address, (await createKeyPairSignerFromPrivateKeyBytes(secret)).address);
  });

  it('names the file and the defect', async () => {
    await assert.rejects(readKeypairFile(join(dir, 'absent.json')), /absent\.json: cannot read a JSON array of 64 bytes/);
    writeFileSync(join(dir, 'short.json'), '[1,2,3]');
    await assert.rejects(readKeypairFile(join(dir, 'short.json')), /expected a JSON array of 64 bytes/);
    const mismatched = [...randomBytes(32), ...randomBytes(32)];
    writeFileSync(join(dir, 'mismatch.json'), JSON.stringify(mismatched));
    await assert.rejects(readKeypairFile(join(dir, 'mismatch.json')), /public key does not match/);
    assert.match(expandHome('~/.config/solana/id.json'), /^\/.*\/\.config\/solana\/id\.json$/);
  });
});

describe('keeper status file', () => {
  it('counts scans, failures, liquidations, settlements and retirements per pass and in total; lag in slots', () => {
    const path = join(dir, 'status.json');
    const st = new StatusTracker(path, { keeper: A, exchange: A, liquidatorAccount: A });
    const read = () => JSON.parse(readFileSync(path, 'utf8')) as KeeperStatus;
    assert.equal(read().state, 'running');
    const seen: string[] = [];
    const log = st.logger((_l, e) => seen.push(e));
    st.beginPass();
    log('info', 'scan', { accounts: 12 });
    log('error', 'job_failed', { job: 'refresh', error: 'boom' });
    const report = {
      liquidations: [{ account: A, contracts: 3, penalty: 0n, toInsurance: 0n, stop: 'NotLiquidatable' }],
      balanceLiquidations: [{ account: 'B' as Address, takes: 2, penalty: 0n, toInsurance: 0n, stop: 'x' }],
      settled: { prices: 1, accounts: 4, leftovers: 1, retired: 1 },
      listings: [{}, {}],
    } as unknown as Parameters<StatusTracker['endPass']>[0];
    st.endPass(report, 123.4, { start: 100n, end: 104n });
    let s = read();
    assert.deepEqual(s.lastPass, { accountsScanned: 12, liquidatedAccounts: 2, contracts: 3, balanceTakes: 2, settlementPrices: 1, accountsSettled: 4, retirements: 1, listings: 2, failures: 1 });
    assert.equal(s.lastError, 'job_failed: boom');
    assert.deepEqual(s.lag, { passStartSlot: '100', passEndSlot: '104', slots: 4 });
    assert.equal(s.lastPassMs, 123);
    st.beginPass();
    log('info', 'scan', { accounts: 13 });
    st.endPass(null, 1, null);
    st.setState('stopped');
    s = read();
    assert.equal(s.passes, 2);
    assert.deepEqual(s.total, { accountsScanned: 25, liquidatedAccounts: 2, contracts: 3, balanceTakes: 2, settlementPrices: 1, accountsSettled: 4, retirements: 1, listings: 2, failures: 1 });
    assert.equal(s.state, 'stopped');
    assert.deepEqual(seen, ['scan', 'job_failed', 'scan'], 'the inner logger sees every line');
  });
});
