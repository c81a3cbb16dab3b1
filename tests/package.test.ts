// @maxwell/client as a package a trader installs: the build (tsc with .d.ts, the WASM module in
// dist/, the CLI binary), the exports map resolved by plain Node (no tsx), the packed file list,
// and the README's examples (app/README.md, ```js example=NAME blocks) run as written against the
// validator, importing '@maxwell/client' through the workspace link.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';

import type { Address } from '@solana/kit';

import { keyTrader, type KeyTrader } from './cli-support.js';
import { newWorld, type World } from './support.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync('app/package.json', 'utf8')) as {
  name: string; version: string; exports: Record<string, string | { types: string; import: string }>; bin: Record<string, string>;
};

/** The README's examples: ```js example=NAME ... ``` in order. */
export function readmeExamples(text = readFileSync('app/README.md', 'utf8')): { name: string; code: string }[] {
  return [...text.matchAll(/```js example=(\w+)\n([\s\S]*?)```/g)].map((m) => ({ name: m[1]!, code: m[2]! }));
}

let w: World;
let trader: KeyTrader;

describe('@maxwell/client package', () => {
  before(async () => {
    await run(process.execPath, ['app/build.mjs'], { maxBuffer: 1 << 24 });
    w = await newWorld();
    trader = await keyTrader(w, 'readme', { USDC: 1_000n * 1_000_000n });
  });

  it('builds every target of the exports map and the bin, with types and the WASM module', () => {
    assert.equal(pkg.name, '@maxwell/client');
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    for (const [key, target] of Object.entries(pkg.exports)) {
      const files = typeof target === 'string' ? [target] : [target.types, target.import];
      for (const f of files) assert.ok(existsSync(join('app', f)), `exports ${key}: app/${f} missing`);
    }
    assert.ok(existsSync(join('app', pkg.bin.maxwell!)));
    assert.deepEqual(readFileSync('app/dist/maxwell_health.wasm'), readFileSync('target/deploy/maxwell_health.wasm'));
  });

  it('npm pack ships dist (JavaScript, .d.ts, WASM, CLI) and the README', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: 'app', maxBuffer: 1 << 24 });
    const files = new Set((JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    for (const f of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/maxwell_health.wasm', 'dist/cli/main.js', 'dist/keeper/index.js', 'dist/generated/maxwell/index.js']) {
      assert.ok(files.has(f), `${f} not packed`);
    }
    assert.ok(![...files].some((f) => f.startsWith('src/')), 'sources are not packed');
  });

  it('plain Node resolves every entry point and runs the WASM from dist', async () => {
    const code = `
      import * as m from '@maxwell/client';
      import * as k from '@maxwell/client/keeper';
      import * as g from '@maxwell/client/generated';
      console.log(JSON.stringify({ client: typeof m.MaxwellClient, keeper: typeof k.runPass, generated: typeof g.getMarginAccountDecoder, wasm: String(m.MAXWELL_WASM), one: String(m.constants().indexOne) }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, MAXWELL_WASM: '' } });
    const r = JSON.parse(stdout) as Record<string, string>;
    assert.deepEqual([r.client, r.keeper, r.generated], ['function', 'function', 'function']);
    assert.match(r.wasm!, /app\/dist\/maxwell_health\.wasm$/);
    assert.equal(r.one, String(1n << 40n));
    const help = await run(process.execPath, [join('app', pkg.bin.maxwell!), '--help']);
    assert.match(help.stdout, /^maxwell <command>/);
  });

  it("the README's examples run as written", async () => {
    const examples = readmeExamples();
    assert.deepEqual(examples.map((e) => e.name), ['deposit', 'health', 'metrics']);
    const outDir = join('target', 'readme-examples');
    mkdirSync(outDir, { recursive: true });
    const env = { ...process.env, MAXWELL_EXCHANGE: w.d.exchange, KEYPAIR: trader.keypair, MAXWELL_WASM: '' };
    for (const e of examples) {
      const file = join(outDir, `${e.name}.mjs`);
      writeFileSync(file, e.code);
      const { stdout } = await run(process.execPath, [file], { env });
      console.log(`# ${e.name}: ${stdout.trim().replaceAll('\n', '\n# ')}`);
    }
    const account = await w.client.marginAccountAddress(trader.signer.address, 0);
    assert.equal(await w.client.balance(account as Address, w.usdc.bank), 100n * 1_000_000n, 'the deposit example landed');
  });
});
