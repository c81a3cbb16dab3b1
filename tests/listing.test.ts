// The listing schedule on a real validator (issue 12, "a venue that lists by itself"), run by
// `npm test`: the admin sets an hourly schedule through the client, the keeper's listing job
// lists the horizon (earliest first, strikes around the oracle spot, one expiry a transaction),
// finds nothing due on its next pass, and lists nothing once the schedule is switched off.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { Address, KeyPairSigner } from '@solana/kit';

import { clusterTime } from '../app/src/clock.js';
import { listingJob } from '../app/src/keeper/listing.js';
import type { Level } from '../app/src/keeper/log.js';
import { ProgramFailure } from '../app/src/transactions.js';
import { fundedSigner } from '../app/src/wallet.js';
import { solUnderlyingParams, SOL_PRICE } from '../migrations/deploy.js';
import { newWorld, setSolPrice, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n; // quote native (6 decimals)
const HOUR = 3_600n;

let w: World;
let keeper: KeyPairSigner;
let underlying: Address;
let anchor: bigint;

type Line = { level: Level; event: string; fields: Record<string, unknown> };
async function keeperListing() {
  const lines: Line[] = [];
  const out = await listingJob(w.client, keeper, (level, event, fields = {}) => lines.push({ level, event, fields }));
  return { out: out.filter((l) => l.underlying === underlying), lines };
}

const schedule = (enabled: boolean) => ({
  cadenceSecs: HOUR,
  anchorTs: anchor,
  horizon: 3,
  halfStrikes: 2,
  stepBps: 500,
  tick: USD(1n),
  oiCap: 1_000n,
  enabled,
});

describe('listing schedule: the keeper lists what the admin\'s rule asks for', () => {
  before(async () => {
    w = await newWorld();
    keeper = await fundedSigner(w.conn, 2n);
    underlying = (await w.client.createUnderlying(w.admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(w.admin.address) })).address;
    anchor = (await clusterTime(w.conn)) + 600n;
  });

  it('the admin sets an hourly schedule; the keeper lists its three expiries, earliest first, at strikes around 150', async () => {
    const { event } = await w.client.setListingSchedule(w.admin, underlying, schedule(true));
    assert.deepEqual([event.cadenceSecs, event.anchorTs, event.horizon, event.enabled], [HOUR, anchor, 3, true]);
    await setSolPrice(w, SOL_PRICE.price);
    const k = await keeperListing();
    assert.deepEqual(k.out.map((l) => l.expiry), [anchor, anchor + HOUR, anchor + 2n * HOUR]);
    assert.ok(k.out.every((l) => l.strikes === 5 && l.spot === USD(150n)), JSON.stringify(k.out, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
    const u = (await w.client.underlying(underlying)).data;
    assert.deepEqual([u.nExpiries, u.nSeries], [3, 30]);
    // 150 x (1 - 10%, 5%, 0, +5%, +10%), whole dollars: 135, 142.5 -> 143, 150, 157.5 -> 158, 165; a call and a put each.
    const strikes = [...new Set(u.series.slice(0, 10).map((s) => s.strike))];
    assert.deepEqual(strikes, [135n, 143n, 150n, 158n, 165n].map(USD));
    assert.deepEqual(u.series.slice(0, 2).map((s) => s.kind), [0, 1]);
  });

  it('nothing more is due: the job lists nothing and warns about nothing; a direct call is refused with ListingNotDue', async () => {
    const k = await keeperListing();
    assert.deepEqual(k.out, []);
    assert.deepEqual(k.lines.filter((l) => l.level !== 'info'), []);
    await assert.rejects(w.client.executeListing(keeper, underlying), (e: unknown) => e instanceof ProgramFailure && e.errorName === 'ListingNotDue');
  });

  it('switched off: the job skips the underlying; a direct call is refused with ListingScheduleOff', async () => {
    await w.client.setListingSchedule(w.admin, underlying, schedule(false));
    const k = await keeperListing();
    assert.deepEqual(k.out, []);
    await setSolPrice(w, SOL_PRICE.price);
    await assert.rejects(w.client.executeListing(keeper, underlying), (e: unknown) => e instanceof ProgramFailure && e.errorName === 'ListingScheduleOff');
    const u = (await w.client.underlying(underlying)).data;
    assert.deepEqual([u.nExpiries, u.schedule.enabled], [3, 0]);
  });
});
