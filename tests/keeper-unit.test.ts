// Keeper unit tests (no validator): which contract to take next, refresh runs, config, args, logs.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { DEFAULT_CONFIG, loadConfig } from '../app/src/keeper/config.js';
import { nextLeg } from '../app/src/keeper/liquidate.js';
import { jsonLine } from '../app/src/keeper/log.js';
import { parseArgs } from '../app/src/keeper/main.js';
import { runs } from '../app/src/keeper/refresh.js';
import { withRetry } from '../app/src/keeper/retry.js';
import { ProgramFailure } from '../app/src/transactions.js';

const pos = (underlyingIndex: number, seriesIndex: number, size: bigint, inUse = 1) =>
  ({ underlyingIndex, seriesIndex, size, inUse }) as never;

describe('keeper', () => {
  it('takes one contract of the largest short, else of the largest long, live series only', () => {
    const live = () => true;
    assert.deepEqual(nextLeg({ positions: [pos(0, 1, -2n), pos(0, 2, -5n), pos(0, 3, 9n)] }, live), { underlyingIndex: 0, seriesIndex: 2, size: -1n });
    assert.deepEqual(nextLeg({ positions: [pos(0, 3, 4n), pos(1, 0, 7n)] }, live), { underlyingIndex: 1, seriesIndex: 0, size: 1n });
    assert.equal(nextLeg({ positions: [pos(0, 2, -5n, 0)] }, live), null);
    assert.deepEqual(nextLeg({ positions: [pos(0, 2, -5n), pos(0, 1, -1n)] }, (_u, s) => s !== 2), { underlyingIndex: 0, seriesIndex: 1, size: -1n });
  });

  it('groups stale series into contiguous refresh runs', () => {
    assert.deepEqual(runs([0, 1, 2, 5, 7, 8]), [{ first: 0, count: 3 }, { first: 5, count: 1 }, { first: 7, count: 2 }]);
    assert.deepEqual(runs([]), []);
  });

  it('reads the JSON config over the defaults and refuses unknown fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keeper-'));
    const good = join(dir, 'k.json');
    writeFileSync(good, JSON.stringify({ pollIntervalMs: 250, maxIterations: 3 }));
    const cfg = loadConfig(good);
    assert.equal(cfg.pollIntervalMs, 250);
    assert.equal(cfg.maxIterations, 3);
    assert.equal(cfg.rpcUrl, DEFAULT_CONFIG.rpcUrl);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ pollInterval: 1 }));
    assert.throws(() => loadConfig(bad), /unknown field pollInterval/);
    assert.deepEqual(parseArgs(['--config', 'k.json', '--once']), { config: 'k.json', once: true });
    assert.deepEqual(parseArgs([]), { config: null, once: false });
  });

  it('logs one JSON object per line, bigints as strings', () => {
    const o = JSON.parse(jsonLine('info', 'liquidate', { penalty: 12n })) as Record<string, unknown>;
    assert.equal(o.event, 'liquidate');
    assert.equal(o.penalty, '12');
    assert.equal(o.level, 'info');
  });

  it('retries RPC errors with backoff but not program refusals', async () => {
    let n = 0;
    const logs: string[] = [];
    const v = await withRetry('x', (_l, e) => logs.push(e), async () => {
      if (++n < 3) throw new Error('fetch failed');
      return 7;
    }, { baseMs: 1 });
    assert.equal(v, 7);
    assert.equal(logs.length, 2);
    let m = 0;
    await assert.rejects(
      withRetry('y', () => {}, async () => {
        m++;
        throw new ProgramFailure('refused', 6000, 'NotLiquidatable', null, []);
      }, { baseMs: 1 }),
      ProgramFailure,
    );
    assert.equal(m, 1);
  });
});
