// Builds the @maxwell/client package: tsc (JavaScript + .d.ts) into dist/, the WASM module
// (the program's own Rust: target/deploy/maxwell_health.wasm, built by scripts/build-program.sh,
// or $MAXWELL_WASM) copied beside it as dist/maxwell_health.wasm, and the CLI made executable.
// Run from the repository: `npm run build -w app` (CI: scripts/test.sh).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.build.json')], { stdio: 'inherit' });
// The Codama-generated client imports directories and extensionless files ('./accounts',
// '../types'), which bundlers and tsx resolve but Node's ESM loader does not: the emitted
// specifiers get their file ('./accounts/index.js', '../types.js'), in .js and .d.ts alike.
const SPEC = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}(?:\/[^"']*)?)\2/g;
function fixSpecifiers(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      fixSpecifiers(path);
      continue;
    }
    if (!name.endsWith('.js') && !name.endsWith('.d.ts')) continue;
    const text = readFileSync(path, 'utf8');
    const fixed = text.replace(SPEC, (all, lead, q, spec) => {
      if (/\.(js|json|wasm)$/.test(spec)) return all;
      const target = join(dir, spec);
      const base = spec.replace(/\/$/, '');
      if (existsSync(join(target, 'index.js'))) return `${lead}${q}${base}/index.js${q}`;
      if (existsSync(`${target}.js`)) return `${lead}${q}${spec}.js${q}`;
      throw new Error(`build: ${path}: cannot resolve ${spec}`);
    });
    if (fixed !== text) writeFileSync(path, fixed);
  }
}
fixSpecifiers(dist);
const wasm = process.env.MAXWELL_WASM ?? join(here, '..', 'target', 'deploy', 'maxwell_health.wasm');
if (!existsSync(wasm)) {
  console.error(`build: ${wasm} is missing: run scripts/build-program.sh first (or set MAXWELL_WASM)`);
  process.exit(1);
}
copyFileSync(wasm, join(dist, 'maxwell_health.wasm'));
chmodSync(join(dist, 'cli', 'main.js'), 0o755);
console.log(`build: ${dist} (maxwell_health.wasm from ${wasm})`);
