// Maxwell error names and messages, read from the generated error enum (itself generated from
// programs/maxwell/src/error.rs through the IDL): `MAXWELL_ERROR__INSUFFICIENT_BALANCE` = 6018
// is named `InsufficientBalance`, as in the program.
import * as generated from './generated/maxwell/errors/maxwell.js';

const PREFIX = 'MAXWELL_ERROR__';

const pascal = (screaming: string) =>
  screaming
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

const NAMES: ReadonlyMap<number, string> = new Map(
  (Object.entries(generated) as [string, unknown][])
    .filter((e): e is [string, number] => e[0].startsWith(PREFIX) && typeof e[1] === 'number')
    .map(([key, code]): [number, string] => [code, pascal(key.slice(PREFIX.length))]),
);

/** `InsufficientBalance` for 6018; null for a code Maxwell does not define. */
export function maxwellErrorName(code: number): string | null {
  return NAMES.get(code) ?? null;
}

export function maxwellErrorMessage(code: number): string | null {
  return NAMES.has(code) ? generated.getMaxwellErrorMessage(code as generated.MaxwellError) : null;
}

/** The code of a Maxwell error name (the inverse of maxwellErrorName). */
export function maxwellErrorCode(name: string): number {
  for (const [code, n] of NAMES) if (n === name) return code;
  throw new Error(`unknown Maxwell error ${name}`);
}
