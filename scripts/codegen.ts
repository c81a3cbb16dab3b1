// Generates the typed @solana/kit clients from the committed IDLs (idl/*.json, refreshed by
// scripts/idl.sh) with Codama: app/src/generated/maxwell/ and app/src/generated/mock-pyth/.
// Run with `npm run codegen`; the output is committed so that using the client needs no Rust.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { rootNodeFromAnchor, type AnchorIdl } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';
import { createFromRoot } from 'codama';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const programs = [
  { idl: 'idl/maxwell.json', out: 'app/src/generated/maxwell', plugin: 'programs/maxwell.ts', key: 'maxwell' },
  { idl: 'idl/mock_pyth.json', out: 'app/src/generated/mock-pyth', plugin: 'programs/mockPyth.ts', key: 'mockPyth' },
];

/**
 * Known mismatch of the pinned set: renderers-js 2.2.0 annotates the program plugin's return
 * type as `Omit<T, K> & { K: Plugin }`, but kit 8.x's `extendClient` returns the flattened
 * `ExtendedClient<T, ...>`, which strict tsc refuses to assign to it. Dropping the annotation
 * lets TypeScript infer `ExtendedClient` (same shape). Fails loudly if the output changes.
 */
function fixPluginReturnType(file: string, key: string): void {
  const plugin = `${key.charAt(0).toUpperCase()}${key.slice(1)}Plugin`;
  const annotated = `): Omit<T, "${key}"> & { ${key}: ${plugin} } => {`;
  const src = readFileSync(file, 'utf8');
  if (!src.includes(annotated)) throw new Error(`codegen: expected plugin signature not found in ${file}`);
  writeFileSync(file, src.replace(annotated, ') => {'));
}

for (const { idl, out, plugin, key } of programs) {
  const anchorIdl = JSON.parse(readFileSync(join(root, idl), 'utf8')) as AnchorIdl;
  const codama = createFromRoot(rootNodeFromAnchor(anchorIdl));
  await codama.accept(
    renderVisitor(root, {
      generatedFolder: out,
      deleteFolderBeforeRendering: true,
      syncPackageJson: false,
    }),
  );
  fixPluginReturnType(join(root, out, plugin), key);
  console.log(`codegen: ${idl} -> ${out}`);
}
