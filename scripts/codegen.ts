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

/**
 * Known name clash: Codama names the encoder-input type of every IDL type `<Name>Args`, so the
 * zero-copy state struct `ExchangeParams` yields a generated `ExchangeParamsArgs`, and the
 * program's own borsh argument struct `ExchangeParamsArgs` (exchange_init's `params`, also
 * inside `Change::ExchangeParams`) is generated under the same name: two exports collide in
 * types/index.ts and the decoders of both use the wrong one. The IDL type (not the program) is
 * renamed `ExchangeParamsInput` here, with every reference to it; the bytes are unchanged (a
 * type's name is not part of its borsh encoding). Fails loudly if the IDL no longer has it.
 */
const RENAMED_TYPES: Record<string, Record<string, string>> = {
  'idl/maxwell.json': { ExchangeParamsArgs: 'ExchangeParamsInput' },
};

/** Renames IDL types (their definitions and every `{ defined: { name } }` reference) in place. */
function renameIdlTypes(idl: AnchorIdl, renames: Record<string, string>, file: string): void {
  const seen = new Map(Object.keys(renames).map((k) => [k, 0]));
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const defined = o.defined;
    if (defined !== null && typeof defined === 'object' && typeof (defined as { name?: unknown }).name === 'string') {
      const d = defined as { name: string };
      if (d.name in renames) {
        seen.set(d.name, seen.get(d.name)! + 1);
        d.name = renames[d.name]!;
      }
    } else if (typeof defined === 'string' && defined in renames) {
      seen.set(defined, seen.get(defined)! + 1);
      o.defined = renames[defined];
    }
    for (const v of Object.values(o)) visit(v);
  };
  const types = (idl as { types?: { name: string }[] }).types ?? [];
  for (const [from, to] of Object.entries(renames)) {
    const t = types.find((x) => x.name === from);
    if (!t) throw new Error(`codegen: type ${from} to rename not found in ${file}`);
    if (types.some((x) => x.name === to)) throw new Error(`codegen: ${file} already has a type ${to}`);
    t.name = to;
  }
  visit(idl);
  for (const [from, n] of seen) if (n === 0) throw new Error(`codegen: type ${from} of ${file} is referenced nowhere`);
}

for (const { idl, out, plugin, key } of programs) {
  const anchorIdl = JSON.parse(readFileSync(join(root, idl), 'utf8')) as AnchorIdl;
  const renames = RENAMED_TYPES[idl];
  if (renames) renameIdlTypes(anchorIdl, renames, idl);
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
