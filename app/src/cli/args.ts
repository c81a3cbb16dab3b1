// Command-line arguments of `maxwell`: positionals (the command words) and `--name value`
// options; a few options are flags. Every defect is a UsageError (exit 2) naming the option.

/** Options that take no value. */
export const FLAGS = new Set(['json', 'once', 'help', 'strict', 'all']);

export class UsageError extends Error {
  override name = 'UsageError';
}

export type Args = {
  positionals: string[];
  /** Repeatable options keep every value in order (e.g. `--leg`). */
  options: Map<string, string[]>;
};

export function parseArgs(argv: readonly string[]): Args {
  const positionals: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!name) throw new UsageError(`bad option ${a}`);
    let value: string;
    if (FLAGS.has(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      value = 'true';
    } else if (eq > 0) {
      value = a.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return { positionals, options };
}

export function flag(a: Args, name: string): boolean {
  return a.options.has(name);
}

export function opt(a: Args, name: string): string | undefined {
  const v = a.options.get(name);
  if (v && v.length > 1) throw new UsageError(`--${name} given ${v.length} times`);
  return v?.[0];
}

export function required(a: Args, name: string, what: string): string {
  const v = opt(a, name);
  if (v === undefined) throw new UsageError(`--${name} <${what}> is required`);
  return v;
}

export function many(a: Args, name: string): string[] {
  return a.options.get(name) ?? [];
}

/** A non-negative integer option (u32 range unless `max` says otherwise). */
export function intOpt(a: Args, name: string, dflt?: number, max = 0xffff_ffff): number {
  const v = opt(a, name);
  if (v === undefined) {
    if (dflt === undefined) throw new UsageError(`--${name} <integer> is required`);
    return dflt;
  }
  if (!/^\d+$/.test(v) || Number(v) > max) throw new UsageError(`--${name}: expected an integer in [0, ${max}], got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Refuses options the command does not know (a typo must not be ignored silently). */
export function only(a: Args, allowed: readonly string[]): void {
  const ok = new Set([...allowed, ...GLOBAL_OPTIONS]);
  for (const k of a.options.keys()) if (!ok.has(k)) throw new UsageError(`unknown option --${k}`);
}

export const GLOBAL_OPTIONS = ['url', 'ws', 'keypair', 'exchange', 'json', 'help'] as const;
