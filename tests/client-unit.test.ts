// Unit tests of the hand-written client layer that need no validator: health accounts (banks,
// underlyings, unions; deposit/withdraw: the slots in use now plus the moved bank, never a
// projection), SVI fixed point, compute budget, recycled slots (free series and expiries,
// leftovers), error names, event decoding, unit formatting; the listing schedule's builders and
// events and the keeper's listing job over fake calls.
// `npm run test:unit`.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { AccountRole, address, createNoopSigner, getAddressDecoder, getAddressEncoder, getI64Encoder, getU64Encoder, type Address } from '@solana/kit';

import type { MaxwellClient } from '../app/src/client.js';
import { COMPUTE_BUDGET_PROGRAM, setComputeUnitLimitIx } from '../app/src/compute-budget.js';
import { maxwellErrorCode, maxwellErrorName } from '../app/src/errors.js';
import {
  delegateLogs,
  depositLogs,
  eventDiscriminator,
  expiryRetireLogs,
  healthLogDecoder,
  healthLogs,
  insuranceCreateLogs,
  listingExecuteLogs,
  listingScheduleLogs,
  riskRefreshLogs,
  seriesListLogs,
  settlementPriceLogs,
  singleEvent,
  underlyingCreateLogs,
  volSurfaceLogs,
} from '../app/src/events.js';
import { formatUnits, parseUnits } from '../app/src/format.js';
import {
  healthAccountMetas,
  healthNeeds,
  unionHealthAccountMetas,
  type HealthBank,
  type HealthUnderlying,
} from '../app/src/health-accounts.js';
import { depositIx, withdrawIx, type CollateralMove } from '../app/src/instructions.js';
import { DEFAULT_CONFIG, DEFAULT_JOBS, loadConfig } from '../app/src/keeper/config.js';
import { listDue, listingJob, listingTargets, type ListingOps, type ListingTarget } from '../app/src/keeper/listing.js';
import type { Logger } from '../app/src/keeper/log.js';
import {
  CALL,
  expiryIndex,
  expiryRetireIx,
  isLeftover,
  listedExpiries,
  listedSeries,
  listingExecuteIx,
  listingScheduleSetIx,
  PUT,
  riskRefreshBatches,
  seriesIndex,
  UNDERLYING_ACCOUNT_SIZE,
} from '../app/src/markets.js';
import { getExpiryRetireInstructionDataDecoder, MAXWELL_PROGRAM_ADDRESS, type Underlying } from '../app/src/generated/maxwell/index.js';
import { formatQ52, parseDecimal, sviFor, toQ52 } from '../app/src/svi.js';
import { ProgramFailure } from '../app/src/transactions.js';
import { positions, slots, zeroAccount, zeroBank, zeroUnderlying } from './fixtures.js';

const A = (n: number): Address => address(['11111111111111111111111111111111', 'SysvarC1ock11111111111111111111111111111111', 'SysvarRent111111111111111111111111111111111', 'Vote111111111111111111111111111111111111111', 'Stake11111111111111111111111111111111111111', 'Config1111111111111111111111111111111111111', 'SysvarS1otHashes111111111111111111111111111'][n]!);
const quote: HealthBank = { address: A(0), bank: { bankIndex: 0, isQuote: 1, oracle: A(0) } };
const sol: HealthBank = { address: A(1), bank: { bankIndex: 1, isQuote: 0, oracle: A(2) } };
const solOptions: HealthUnderlying = { address: A(3), underlying: { underlyingIndex: 0, oracle: A(2) } };
const ethOptions: HealthUnderlying = { address: A(5), underlying: { underlyingIndex: 1, oracle: A(6) } };
const withPosition = (underlyingIndex: number, seriesIndex: number, size: bigint) => positions({ underlyingIndex, seriesIndex, size });
const ro = (a: Address) => ({ address: a, role: AccountRole.READONLY });

describe('health accounts', () => {
  it('banks in slot order, each oracle after its bank (none for the quote bank)', () => {
    assert.deepEqual(healthAccountMetas(slots([1, 5n], [0, 7n]), [quote, sol]), [ro(A(1)), ro(A(2)), ro(A(0))]);
    assert.deepEqual(healthAccountMetas(slots(), [quote, sol]), []);
  });

  it('a slot whose bank is unknown is an error, not a silently short list', () => {
    assert.throws(() => healthAccountMetas(slots([9, 1n]), [quote]), /no bank with index 9/);
  });

  it('an underlying with positions adds the underlying and its spot oracle, after the banks', () => {
    const s = slots([0, 7n]);
    assert.deepEqual(healthAccountMetas(s, [quote, sol], withPosition(0, 4, -2n), [solOptions]), [ro(A(0)), ro(A(3)), ro(A(2))]);
    assert.throws(() => healthAccountMetas(s, [quote], withPosition(1, 0, 1n), [solOptions]), /no underlying with index 1/);
    // No positions: no underlying entry, even when underlyings are known.
    assert.deepEqual(healthAccountMetas(s, [quote], positions(), [solOptions]), [ro(A(0))]);
  });

  it('a union over two accounts lists each bank and underlying once; extras are added', () => {
    const maker = { collateral: slots([1, 5n], [0, 3n]), positions: withPosition(0, 1, -1n) };
    const taker = { collateral: slots([0, 9n]), positions: withPosition(1, 2, 1n) };
    assert.deepEqual(healthNeeds([maker, taker]), { bankIndexes: [1, 0], underlyingIndexes: [0, 1] });
    assert.deepEqual(unionHealthAccountMetas([maker, taker], [quote, sol], [solOptions, ethOptions]), [
      ro(A(1)), ro(A(2)), ro(A(0)), ro(A(3)), ro(A(2)), ro(A(5)), ro(A(6)),
    ]);
    // A first trade: no slots or positions yet; the quote bank and the traded underlying are extras.
    const fresh = { collateral: slots(), positions: positions() };
    assert.deepEqual(
      unionHealthAccountMetas([fresh, fresh], [quote], [solOptions], { bankIndexes: [0], underlyingIndexes: [0] }),
      [ro(A(0)), ro(A(3)), ro(A(2))],
    );
  });

  describe('deposit and withdraw: the slots in use now plus the moved bank', () => {
    const solState = zeroBank({ bankIndex: 1, isQuote: 0, oracle: A(2), vault: A(4), mint: A(5), tokenProgram: A(6) });
    const move = (collateral: ReturnType<typeof slots>, amount: bigint): CollateralMove => ({
      exchange: A(3),
      account: A(4),
      accountState: zeroAccount({ collateral }),
      bank: sol.address,
      bankState: solState,
      banks: [quote],
      amount,
    });
    const signer = createNoopSigner(A(5));
    const remaining = (ix: { accounts?: readonly unknown[] }) => ix.accounts!.slice(8); // after the instruction's own 8 accounts

    it('a first deposit in a bank lists it (with its oracle) after the slots in use', () => {
      assert.deepEqual(remaining(depositIx(signer, A(6), move(slots([0, 7n]), 5n))), [ro(A(0)), ro(A(1)), ro(A(2))]);
      assert.deepEqual(remaining(depositIx(signer, A(6), move(slots(), 5n))), [ro(A(1)), ro(A(2))]);
    });

    it('withdrawing a whole balance still lists its bank (the slot is in use now)', () => {
      assert.deepEqual(remaining(withdrawIx(signer, A(6), move(slots([1, 5n], [0, 7n]), 5n))), [ro(A(1)), ro(A(2)), ro(A(0))]);
    });

    it('a withdrawal without a slot (a new borrow) lists the bank too; the amount never matters', () => {
      const a = remaining(withdrawIx(signer, A(6), move(slots([0, 7n]), 1n)));
      const b = remaining(withdrawIx(signer, A(6), move(slots([0, 7n]), 10n ** 15n)));
      assert.deepEqual(a, [ro(A(0)), ro(A(1)), ro(A(2))]);
      assert.deepEqual(b, a);
    });
  });
});

describe('svi (Q52 from exact rationals)', () => {
  it('converts decimals exactly and rounds half away from zero', () => {
    assert.deepEqual(parseDecimal('-0.30'), { num: -30n, den: 100n });
    assert.equal(toQ52('1'), 1n << 52n);
    assert.equal(toQ52('-0.3'), -1_351_079_888_211_149n);
    assert.equal(toQ52({ num: 1n, den: 1n << 53n }), 1n, 'half rounds up');
    assert.equal(toQ52({ num: -1n, den: 1n << 53n }), -1n, 'negative half rounds away from zero');
    assert.equal(formatQ52(toQ52('0.2')), '0.200000');
    assert.throws(() => parseDecimal('1e-3'));
  });

  it("matches the LiteSVM tests' svi_for(0.8, 30 days) bit for bit", () => {
    assert.deepEqual(sviFor('0.8', { days: '30' }), {
      a: 213_211_511_125_924n,
      b: 118_450_839_514_402n,
      rho: -1_351_079_888_211_149n,
      m: 0n,
      sigma: 900_719_925_474_099n,
    });
    // The same tenor in seconds gives the same smile.
    assert.deepEqual(sviFor('0.8', { seconds: 30n * 86_400n }), sviFor('0.8', { days: '30' }));
  });
});

describe('markets', () => {
  it('risk refresh batches: a 1.4M CU limit, then at most perTx series each', () => {
    const batches = riskRefreshBatches({ exchange: A(0), underlying: A(3), oracle: A(2), count: 5, perTx: 2 });
    assert.equal(batches.length, 3);
    for (const b of batches) assert.equal(b[0]!.programAddress, COMPUTE_BUDGET_PROGRAM);
    assert.deepEqual([...setComputeUnitLimitIx(1_400_000).data!], [2, 0xc0, 0x5c, 0x15, 0x00]);
    assert.throws(() => setComputeUnitLimitIx(1_400_001));
  });

  it('the underlying account size', () => {
    assert.equal(UNDERLYING_ACCOUNT_SIZE, 215_496); // 16 expiries, 512 series (issue 12), 35 scenarios (issue 14)
  });

  // Slots after a retirement: expiry slot 0 retired and listed again (generation 1), expiry slot
  // 1 retired and free; series slots 0-1 of the new expiry 0, 2-3 free (generation 1), 4 of
  // expiry 2. n_series and n_expiries are high-water marks.
  const E0 = 1_800_604_800n;
  const E2 = 1_801_209_600n;
  const series = (expiry: bigint, strike: bigint, kind: number, expiryIdx: number, generation: number, listed = 1) =>
    ({ strike, expiry, kind, expiryIndex: expiryIdx, listed, generation, openInterest: 0n });
  const slots = {
    nSeries: 5,
    series: [
      series(E0, 150n, CALL, 0, 1), series(E0, 150n, PUT, 0, 1),
      series(0n, 0n, 0, 0, 1, 0), series(0n, 0n, 0, 0, 1, 0),
      series(E2, 150n, CALL, 2, 0),
      series(0n, 0n, 0, 0, 0, 0), // beyond the high-water mark
    ],
    nExpiries: 3,
    expiries: [{ expiry: E0 }, { expiry: 0n }, { expiry: E2 }, { expiry: 0n }],
  } as unknown as Pick<Underlying, 'series' | 'nSeries' | 'expiries' | 'nExpiries'>;

  it('recycled slots: free series (listed 0) and free expiries (expiry 0) are skipped', () => {
    assert.deepEqual(listedSeries(slots).map((x) => x.index), [0, 1, 4]);
    assert.deepEqual(listedExpiries(slots).map((x) => x.index), [0, 2]);
    assert.equal(seriesIndex(slots, E0, 150n, PUT), 1);
    assert.equal(seriesIndex(slots, E2, 150n, CALL), 4);
    assert.throws(() => seriesIndex(slots, 0n, 0n, CALL), /not listed/, 'a free slot is never a match');
    assert.equal(expiryIndex(slots, E2), 2);
    assert.throws(() => expiryIndex(slots, 0n), /not listed/);
  });

  it('a position of another generation than its series slot is a leftover of a retired expiry', () => {
    assert.equal(isLeftover(slots, { seriesIndex: 0, generation: 1 }), false);
    assert.equal(isLeftover(slots, { seriesIndex: 0, generation: 0 }), true, 'the slot was listed again');
    assert.equal(isLeftover(slots, { seriesIndex: 2, generation: 0 }), true, 'the slot is free');
    assert.equal(isLeftover(slots, { seriesIndex: 4, generation: 0 }), false);
  });

  it('expiry_retire: the keeper signs, the underlying is written, the expiry slot is a u8', () => {
    const keeper = createNoopSigner(A(5));
    const ix = expiryRetireIx({ keeper, exchange: A(1), underlying: A(3), expiryIndex: 7 });
    assert.deepEqual(ix.accounts!.map((a) => [a.address, a.role]), [
      [A(5), AccountRole.READONLY_SIGNER],
      [A(1), AccountRole.READONLY],
      [A(3), AccountRole.WRITABLE],
    ]);
    assert.equal(getExpiryRetireInstructionDataDecoder().decode(ix.data!).expiryIndex, 7);
    assert.equal(ix.data!.length, 9);
  });
});

describe('errors', () => {
  it('names codes from the generated enum (6000 + index in error.rs)', () => {
    assert.equal(maxwellErrorName(6000), 'InstructionDisabled');
    assert.equal(maxwellErrorName(6018), 'InsufficientBalance');
    assert.equal(maxwellErrorName(6038), 'MarginAccountInvariant');
    assert.equal(maxwellErrorName(7000), null);
    assert.equal(maxwellErrorCode('InitialMarginViolated'), 6021);
    // Issue 10: one meaning per code, the split causes appended after the invariants (6109-6111).
    assert.equal(maxwellErrorCode('KeeperIsTarget'), 6112);
    assert.equal(maxwellErrorCode('RepayExceedsBorrow'), 6113);
    assert.equal(maxwellErrorCode('LiquidationLegsOutOfRange'), 6114);
    assert.equal(maxwellErrorCode('NoStrikes'), 6115);
    assert.equal(maxwellErrorCode('InsuranceIsTarget'), 6116);
    assert.equal(maxwellErrorName(6126), 'SurfaceMissing');
    // Issue 12: the settlement window and the lifecycle.
    assert.equal(maxwellErrorName(6080), 'SettlementPriceBeforeExpiry');
    assert.deepEqual(
      [6153, 6154, 6155, 6156, 6157, 6158, 6159, 6160].map(maxwellErrorName),
      ['SettlementPriceAfterWindow', 'ExpiryNotSettled', 'ExpiryOpenInterestLeft', 'ExpirySettlementInProgress', 'PositionSeriesRecycled', 'ExpirySlotFree', 'SettlementWindowOpen', 'SettlementPriceZero'],
    );
  });
});

describe('events', () => {
  it('decodes a DepositLog from `Program data:`', () => {
    const bytes = new Uint8Array([
      ...eventDiscriminator('DepositLog'),
      ...[0, 1, 2, 3].flatMap((i) => [...getAddressEncoder().encode(A(i))]),
      ...getU64Encoder().encode(42n),
      ...getI64Encoder().encode(42n),
      ...getI64Encoder().encode(-1n),
      ...getI64Encoder().encode(7n),
      1,
    ]);
    const logs = ['Program log: Instruction: Deposit', `Program data: ${Buffer.from(bytes).toString('base64')}`];
    const [e] = depositLogs(logs);
    assert.ok(e);
    assert.equal(e.signer, A(3));
    assert.equal(e.amount, 42n);
    assert.equal(e.initHealth, -1n);
    assert.equal(e.oraclesFresh, true);
  });
});

describe('health log', () => {
  it('decodes account_health return data and the HealthLog event (same borsh bytes)', () => {
    const body = new Uint8Array([
      ...getAddressEncoder().encode(A(3)),
      ...[-5n, 7n, 100n, 60n, -40n].flatMap((x) => [...getI64Encoder().encode(x)]),
      1,
      // underlyings: a u32 count, then each entry (u16 index, 6 x i64, u8 scenario, i64, u64).
      ...[1, 0, 0, 0],
      ...[2, 0],
      ...[500_000_000n, 75n, -3n, -40n, 9n, 60n].flatMap((x) => [...getI64Encoder().encode(x)]),
      13,
      ...[61n, 4n].flatMap((x) => [...getI64Encoder().encode(x)]),
    ]);
    const h = healthLogDecoder.decode(body);
    assert.deepEqual(h, {
      account: A(3), initHealth: -5n, maintHealth: 7n, initialRequirement: 100n, maintenanceRequirement: 60n, optionValue: -40n, oraclesFresh: true,
      underlyings: [{
        underlyingIndex: 2, deltaE9: 500_000_000n, deltaQuote: 75n, gammaQuote: -3n, vegaQuote: -40n, thetaQuote: 9n,
        worstLoss: 60n, worstScenario: 13, maintenanceRequirement: 61n, driftBps: 4n,
      }],
    });
    const log = `Program data: ${Buffer.from([...eventDiscriminator('HealthLog'), ...body]).toString('base64')}`;
    assert.deepEqual(healthLogs([log]), [h]);
  });
});

describe('format', () => {
  it('formats and parses native units exactly', () => {
    assert.equal(formatUnits(1_234_567_890n, 6), '1,234.56789');
    assert.equal(formatUnits(-5n, 9), '-0.000000005');
    assert.equal(formatUnits(1_999n, 3, 2), '1.99');
    assert.equal(parseUnits('5.5', 9), 5_500_000_000n);
    assert.equal(parseUnits('10000', 6), 10_000_000_000n);
    assert.throws(() => parseUnits('0.0000001', 6));
  });
});

describe('events added by issue 10', () => {
  // Real `Program data:` payloads emitted by the program in LiteSVM
  // (tests-litesvm/tests/program/events.rs writes and checks tests/fixtures/events.json).
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/events.json', import.meta.url), 'utf8')) as Record<string, string>;
  const logs = (name: string) => ['Program log: Instruction: X', `Program data: ${fixture[name]!}`];
  const expiry = 1_800_000_000n + 30n * 86_400n;
  const q52 = (x: number) => BigInt(Math.round(x * 2 ** 52));

  it('decodes each new event from real program bytes', () => {
    const ins = singleEvent(insuranceCreateLogs(logs('InsuranceCreateLog')), 'InsuranceCreateLog');
    const u = singleEvent(underlyingCreateLogs(logs('UnderlyingCreateLog')), 'UnderlyingCreateLog');
    assert.equal(u.exchange, ins.exchange);
    assert.equal(u.volOracle, ins.admin);
    assert.deepEqual([u.underlyingIndex, u.spotBankIndex], [0, 1]);
    assert.deepEqual(
      [u.oracleMaxAgeSecs, u.oracleMaxConfBps, u.surfaceMaxAgeSecs, u.riskMaxAgeSecs, u.riskSpotToleranceBps],
      [60, 200, 3_600, 600, 100],
    );
    assert.deepEqual([...u.feedId], new Array(32).fill(0x50));

    const s = singleEvent(seriesListLogs(logs('SeriesListLog')), 'SeriesListLog');
    assert.equal(s.underlying, u.underlying);
    assert.deepEqual(
      [s.expiry, s.expiryIndex, s.newExpiry, s.firstSeriesIndex, s.count, s.strikes, s.oiCap, s.seriesIndices],
      [expiry, 0, true, 0, 4, [140_000_000n, 150_000_000n], 500n, [0, 1, 2, 3]],
    );

    const v = singleEvent(volSurfaceLogs(logs('VolSurfaceLog')), 'VolSurfaceLog');
    assert.deepEqual([v.underlying, v.volOracle, v.expiryIndex, v.expiry], [u.underlying, ins.admin, 0, expiry]);
    assert.deepEqual([v.rho, v.m, v.sigma], [q52(-0.3), 0n, q52(0.2)]);
    assert.deepEqual([v.surfaceSeq, v.surfaceTs], [1n, 1_800_000_000n]);

    const r = singleEvent(riskRefreshLogs(logs('RiskRefreshLog')), 'RiskRefreshLog');
    assert.deepEqual([r.underlying, r.first, r.end, r.refreshed], [u.underlying, 1, 5, 4]);
    assert.deepEqual([r.spot, r.conf, r.realizedVol, r.widened, r.surfaceSeq], [150_000_000n, 50_000n, 0n, false, 1n]);
    assert.ok(r.range > 0n);

    const d = singleEvent(delegateLogs(logs('DelegateLog')), 'DelegateLog');
    assert.equal(d.exchange, ins.exchange);
    assert.equal(d.oldDelegate, '11111111111111111111111111111111');
    assert.equal(d.newDelegate, getAddressDecoder().decode(new Uint8Array(32).fill(7)));

    const p = singleEvent(settlementPriceLogs(logs('SettlementPriceLog')), 'SettlementPriceLog');
    assert.deepEqual(
      [p.exchange, p.underlying, p.expiryIndex, p.expiry, p.settlementPrice, p.publishTime, p.source],
      [ins.exchange, u.underlying, 0, expiry, 171_250_000n, expiry + 1n, u.oracle],
      'read from the underlying\'s own oracle account',
    );

    // Issue 12: the expiry retired once nobody held it (its 6 series slots freed) by a keeper
    // that is not the admin.
    const x = singleEvent(expiryRetireLogs(logs('ExpiryRetireLog')), 'ExpiryRetireLog');
    assert.deepEqual(
      [x.exchange, x.underlying, x.expiryIndex, x.expiry, x.settlementPrice, x.seriesFreed],
      [ins.exchange, u.underlying, 0, expiry, p.settlementPrice, 6],
    );
    assert.notEqual(x.retiredBy, ins.admin);
    assert.notEqual(x.retiredBy, '11111111111111111111111111111111');
    assert.deepEqual(expiryRetireLogs(logs('SettlementPriceLog')), []);
    // Another event's bytes are not mistaken for these.
    assert.deepEqual(seriesListLogs(logs('VolSurfaceLog')), []);
  });
});

describe('Anchor.toml', () => {
  const toml = readFileSync(new URL('../Anchor.toml', import.meta.url), 'utf8');
  const value = (section: string, key: string): string | undefined => {
    const body = toml.split(`[${section}]`)[1]?.split('\n[')[0] ?? '';
    return body.match(new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, 'm'))?.[1];
  };
  it('program ids agree with declare_id! (the committed IDLs) on every cluster', () => {
    const idl = (name: string) => (JSON.parse(readFileSync(new URL(`../idl/${name}.json`, import.meta.url), 'utf8')) as { address: string }).address;
    for (const cluster of ['localnet', 'devnet', 'mainnet']) assert.equal(value(`programs.${cluster}`, 'maxwell'), idl('maxwell'), cluster);
    assert.equal(value('programs.localnet', 'mock_pyth'), idl('mock_pyth'));
    assert.equal(value('programs.mainnet', 'mock_pyth'), undefined, 'the test-only receiver stand-in is never deployed beyond localnet');
  });
  it("[scripts] test is the README's test command", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const testLine = readme.split('\n').find((l) => l.includes('# every test'));
    assert.ok(testLine?.startsWith(value('scripts', 'test') ?? '<none>'), testLine);
  });
});

describe('listing schedule: builders, events, the keeper job', () => {
  const sha8 = (s: string) => [...createHash('sha256').update(s).digest().subarray(0, 8)];
  const idl = JSON.parse(readFileSync(new URL('../idl/maxwell.json', import.meta.url), 'utf8')) as {
    instructions: { name: string; discriminator: number[] }[];
    events: { name: string; discriminator: number[] }[];
  };
  const le = (bytes: number, write: (v: DataView) => void) => {
    const b = new Uint8Array(bytes);
    write(new DataView(b.buffer));
    return [...b];
  };
  const i64 = (x: bigint) => le(8, (v) => v.setBigInt64(0, x, true));
  const u64 = (x: bigint) => le(8, (v) => v.setBigUint64(0, x, true));
  const u16 = (x: number) => le(2, (v) => v.setUint16(0, x, true));
  const weekly = { cadenceSecs: 604_800n, anchorTs: 1_800_000_000n, horizon: 4, halfStrikes: 3, stepBps: 500, tick: 1_000_000n, oiCap: 1_000n, enabled: true };

  it('listing_schedule_set: admin signs, the underlying is written, the args in order after the discriminator', () => {
    const admin = createNoopSigner(A(5));
    const ix = listingScheduleSetIx({ admin, exchange: A(1), underlying: A(3), schedule: weekly });
    assert.equal(ix.programAddress, MAXWELL_PROGRAM_ADDRESS);
    assert.deepEqual(ix.accounts!.map((a) => [a.address, a.role]), [
      [A(5), AccountRole.READONLY_SIGNER],
      [A(1), AccountRole.READONLY],
      [A(3), AccountRole.WRITABLE],
    ]);
    const disc = sha8('global:listing_schedule_set');
    assert.deepEqual(disc, idl.instructions.find((i) => i.name === 'listing_schedule_set')!.discriminator);
    assert.deepEqual([...ix.data!], [
      ...disc,
      ...i64(604_800n), ...i64(1_800_000_000n), 4, 3, ...u16(500), ...u64(1_000_000n), ...u64(1_000n), 1,
    ]);
    assert.equal(ix.data!.length, 45);
    const off = listingScheduleSetIx({ admin, exchange: A(1), underlying: A(3), schedule: { ...weekly, enabled: false } });
    assert.equal(off.data![44], 0);
  });

  it('listing_execute: exchange, underlying (written), oracle, no signer; the discriminator only', () => {
    const ix = listingExecuteIx({ exchange: A(1), underlying: A(3), oracle: A(2) });
    assert.equal(ix.programAddress, MAXWELL_PROGRAM_ADDRESS);
    assert.deepEqual(ix.accounts!.map((a) => [a.address, a.role]), [
      [A(1), AccountRole.READONLY],
      [A(3), AccountRole.WRITABLE],
      [A(2), AccountRole.READONLY],
    ]);
    assert.deepEqual([...ix.data!], sha8('global:listing_execute'));
    assert.deepEqual([...ix.data!], idl.instructions.find((i) => i.name === 'listing_execute')!.discriminator);
  });

  it('decodes ListingScheduleLog and ListingExecuteLog from `Program data:` lines', () => {
    for (const name of ['ListingScheduleLog', 'ListingExecuteLog']) {
      assert.deepEqual(sha8(`event:${name}`), idl.events.find((e) => e.name === name)!.discriminator, name);
    }
    const line = (bytes: number[]) => `Program data: ${Buffer.from(bytes).toString('base64')}`;
    const schedule = line([
      ...sha8('event:ListingScheduleLog'),
      ...getAddressEncoder().encode(A(3)),
      ...i64(604_800n), ...i64(1_800_000_000n), 4, 3, ...u16(500), ...u64(1_000_000n), ...u64(1_000n), 1,
    ]);
    const execute = line([...sha8('event:ListingExecuteLog'), ...getAddressEncoder().encode(A(3)), ...i64(1_800_604_800n), ...u64(151_250_000n), 7]);
    const logs = ['Program log: Instruction: ListingExecute', execute, schedule];
    assert.deepEqual(listingExecuteLogs(logs), [{ underlying: A(3), expiry: 1_800_604_800n, spot: 151_250_000n, strikes: 7 }]);
    assert.deepEqual(listingScheduleLogs(logs), [{
      underlying: A(3), cadenceSecs: 604_800n, anchorTs: 1_800_000_000n, horizon: 4, halfStrikes: 3, stepBps: 500, tick: 1_000_000n, oiCap: 1_000n, enabled: true,
    }]);
    assert.deepEqual(seriesListLogs(logs), [], 'another event\'s bytes are not mistaken for a SeriesListLog');
  });

  it('names the listing errors', () => {
    assert.deepEqual([6161, 6162, 6163].map(maxwellErrorName), ['ListingScheduleInvalid', 'ListingScheduleOff', 'ListingNotDue']);
  });

  it('the listing job is on by default, switchable from the config file', () => {
    assert.equal(DEFAULT_CONFIG.listingEnabled, true);
    assert.equal(DEFAULT_JOBS.listingEnabled, true);
    const f = join(mkdtempSync(join(tmpdir(), 'keeper-')), 'k.json');
    writeFileSync(f, JSON.stringify({ listingEnabled: false }));
    assert.equal(loadConfig(f).listingEnabled, false);
  });

  // The job's decisions over fake calls: the simulation answers, the send records.
  type Logged = [string, string, Record<string, unknown> | undefined];
  const refusal = (name: string) => new ProgramFailure(`simulation: instruction 0 failed: ${name}`, maxwellErrorCode(name), name, MAXWELL_PROGRAM_ADDRESS, []);
  const target: ListingTarget = { underlying: A(3), oracle: A(2), horizon: 4 };
  const fake = (answers: (Error | null)[], sendFails: Error | null = null) => {
    const calls = { simulated: 0, sent: 0 };
    const ops: ListingOps = {
      simulate: async () => {
        const a = answers[calls.simulated++];
        if (a === undefined) throw new Error('unexpected simulation');
        if (a) throw a;
      },
      execute: async (t) => {
        calls.sent++;
        if (sendFails) throw sendFails;
        const expiry = 1_800_000_000n + BigInt(calls.sent) * 604_800n;
        return { event: { underlying: t.underlying, expiry, spot: 150_000_000n, strikes: 7 }, series: { expiryIndex: calls.sent - 1 }, result: { signature: `sig${calls.sent}` } };
      },
    };
    const logged: Logged[] = [];
    const log: Logger = (level, event, fields) => logged.push([level, event, fields]);
    return { ops, calls, logged, log };
  };

  it('sends only after a successful simulation, again until ListingNotDue', async () => {
    const f = fake([null, null, refusal('ListingNotDue')]);
    const out = await listDue(f.ops, target, f.log);
    assert.deepEqual(f.calls, { simulated: 3, sent: 2 });
    assert.deepEqual(out, [
      { underlying: A(3), expiry: 1_800_604_800n, expiryIndex: 0, strikes: 7, spot: 150_000_000n },
      { underlying: A(3), expiry: 1_801_209_600n, expiryIndex: 1, strikes: 7, spot: 150_000_000n },
    ]);
    assert.deepEqual(f.logged.map(([l, e]) => [l, e]), [['info', 'listing_executed'], ['info', 'listing_executed']], 'ListingNotDue is the idle answer: not logged');
    assert.deepEqual(f.logged[1]![2], { underlying: A(3), expiry: 1_801_209_600n, expiryIndex: 1, strikes: 7, spot: 150_000_000n, signature: 'sig2' });
  });

  it('nothing due: one simulation, nothing sent', async () => {
    const f = fake([refusal('ListingNotDue')]);
    assert.deepEqual(await listDue(f.ops, target, f.log), []);
    assert.deepEqual(f.calls, { simulated: 1, sent: 0 });
    assert.deepEqual(f.logged, []);
  });

  it('at most `horizon` executions a pass', async () => {
    const f = fake([null, null, null, null, null]);
    assert.equal((await listDue(f.ops, { ...target, horizon: 3 }, f.log)).length, 3);
    assert.deepEqual(f.calls, { simulated: 3, sent: 3 });
  });

  it('other refusals and RPC errors are warnings, never thrown; a schedule switched off is info', async () => {
    const stale = fake([refusal('OracleStale')]);
    assert.deepEqual(await listDue(stale.ops, target, stale.log), []);
    assert.deepEqual(stale.calls, { simulated: 1, sent: 0 });
    assert.deepEqual(stale.logged, [['warn', 'listing_skipped', { underlying: A(3), error: 'OracleStale' }]]);

    const full = fake([null, refusal('TooManyExpiries')]);
    assert.equal((await listDue(full.ops, target, full.log)).length, 1);
    assert.deepEqual(full.logged.map(([l, e, x]) => [l, e, x?.error]), [['info', 'listing_executed', undefined], ['warn', 'listing_skipped', 'TooManyExpiries']]);

    const rpc = fake([new Error('fetch failed')]);
    assert.deepEqual(await listDue(rpc.ops, target, rpc.log), []);
    assert.deepEqual(rpc.logged, [['warn', 'listing_skipped', { underlying: A(3), error: 'Error: fetch failed' }]]);

    const off = fake([refusal('ListingScheduleOff')]);
    assert.deepEqual(await listDue(off.ops, target, off.log), []);
    assert.deepEqual(off.logged, [['info', 'listing_schedule_off', { underlying: A(3) }]]);
  });

  it('a send refused after a good simulation stops the underlying: another keeper first is info, else a warning', async () => {
    const raced = fake([null, null], refusal('ListingNotDue'));
    assert.deepEqual(await listDue(raced.ops, target, raced.log), []);
    assert.deepEqual(raced.calls, { simulated: 1, sent: 1 });
    assert.deepEqual(raced.logged, [['info', 'listing_execute_failed', { underlying: A(3), error: 'ListingNotDue' }]]);
    const failed = fake([null, null], refusal('TooManySeries'));
    assert.deepEqual(await listDue(failed.ops, target, failed.log), []);
    assert.deepEqual(failed.logged, [['warn', 'listing_execute_failed', { underlying: A(3), error: 'TooManySeries' }]]);
  });

  it('targets: underlyings whose schedule is enabled, with their oracle and horizon', () => {
    const schedule = (enabled: number, horizon: number) => ({ ...zeroUnderlying().schedule, enabled, horizon });
    const unders = [
      { address: A(3), data: zeroUnderlying({ oracle: A(2), schedule: schedule(1, 4) }) },
      { address: A(5), data: zeroUnderlying({ oracle: A(6), schedule: schedule(0, 8) }) },
      { address: A(4), data: zeroUnderlying({ oracle: A(6), schedule: schedule(1, 16) }) },
    ];
    assert.deepEqual(listingTargets(unders), [
      { underlying: A(3), oracle: A(2), horizon: 4 },
      { underlying: A(4), oracle: A(6), horizon: 16 },
    ]);
  });

  it('the job over a fake connection: simulates listing_execute, names the refusal, sends through the client', async () => {
    const blockhash = getAddressDecoder().decode(new Uint8Array(32).fill(9));
    const wires: string[] = [];
    const answers = [null, 6163]; // a success, then ListingNotDue
    const rpc = {
      getLatestBlockhash: () => ({ send: async () => ({ value: { blockhash, lastValidBlockHeight: 100n } }) }),
      simulateTransaction: (wire: string) => ({
        send: async () => {
          const code = answers[wires.push(wire) - 1];
          return { value: code ? { err: { InstructionError: [0, { Custom: code }] }, logs: [] } : { err: null, logs: [], unitsConsumed: 50_000n } };
        },
      }),
    };
    const sent: [Address, Address, Address | undefined][] = [];
    const unders = new Map([
      [0, { address: A(3), data: zeroUnderlying({ oracle: A(2), schedule: { ...zeroUnderlying().schedule, enabled: 1, horizon: 4 } }) }],
      [1, { address: A(5), data: zeroUnderlying({ oracle: A(6) }) }], // no schedule: never simulated
    ]);
    const reads: boolean[] = [];
    const client = {
      exchange: A(1),
      conn: { rpc },
      underlyingsByIndex: async (refresh = false) => (reads.push(refresh), unders),
      executeListing: async (payer: { address: Address }, underlying: Address, oracle?: Address) => {
        sent.push([payer.address, underlying, oracle]);
        return { event: { underlying, expiry: 1_800_604_800n, spot: 150_000_000n, strikes: 7 }, series: { expiryIndex: 2 }, result: { signature: 'sig' } };
      },
    } as unknown as MaxwellClient;
    const logged: Logged[] = [];
    const out = await listingJob(client, createNoopSigner(A(4)), (l, e, x) => logged.push([l, e, x]), { reuseRead: true });
    assert.deepEqual(reads, [false], 'reuses the read the refresh job made');
    assert.equal(wires.length, 2);
    const disc = Buffer.from(sha8('global:listing_execute'));
    for (const w of wires) assert.ok(Buffer.from(w, 'base64').includes(disc), 'the simulated transaction is listing_execute');
    assert.deepEqual(sent, [[A(4), A(3), A(2)]]);
    assert.deepEqual(out, [{ underlying: A(3), expiry: 1_800_604_800n, expiryIndex: 2, strikes: 7, spot: 150_000_000n }]);
    assert.deepEqual(logged.map(([l, e]) => [l, e]), [['info', 'listing_executed']]);
    await listingJob(client, createNoopSigner(A(4)), () => {}).catch(() => {});
    assert.deepEqual(reads, [false, true], 'reads the underlyings afresh by default');
  });
});
