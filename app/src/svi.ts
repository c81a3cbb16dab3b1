// Volatility surface parameters without floating point: SVI (raw) smiles in the program's Q52
// fixed point (i64 = round(x * 2^52)), computed from exact rationals with BigInt. Decimal
// inputs are strings ('0.8', '-0.3'), converted once and exactly; no float reaches the chain.
//
// The smile `w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2))` is the total variance
// (vol^2 x years) at log-moneyness k; programs/maxwell/src/instructions/vol_surface_update.rs.

/** An exact rational `num / den`, den > 0. */
export type Rational = { num: bigint; den: bigint };

export const Q52_ONE = 1n << 52n;
export const YEAR_SECS = 365n * 86_400n;

/** '0.8' -> 8/10, '-0.3' -> -3/10, '30' -> 30/1. Plain decimals only (no exponent). */
export function parseDecimal(s: string): Rational {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`not a decimal: ${s}`);
  const frac = m[3] ?? '';
  const num = BigInt(m[2]! + frac) * (m[1] ? -1n : 1n);
  return { num, den: 10n ** BigInt(frac.length) };
}

export function rational(x: string | bigint | Rational): Rational {
  if (typeof x === 'string') return parseDecimal(x);
  if (typeof x === 'bigint') return { num: x, den: 1n };
  if (x.den <= 0n) throw new Error('rational: denominator must be positive');
  return x;
}

export const mul = (a: Rational, b: Rational): Rational => ({ num: a.num * b.num, den: a.den * b.den });

/** `round(x * 2^52)`, halves away from zero (as Rust's f64::round in the LiteSVM tests). */
export function toQ52(x: string | bigint | Rational): bigint {
  const { num, den } = rational(x);
  const n = num * Q52_ONE;
  const abs = n < 0n ? -n : n;
  const q = (2n * abs + den) / (2n * den); // floor(abs / den + 1/2)
  const r = n < 0n ? -q : q;
  if (r > 2n ** 63n - 1n || r < -(2n ** 63n)) throw new Error(`Q52 value out of i64 range: ${num}/${den}`);
  return r;
}

/** A Q52 value back to a decimal string (display only), `digits` fraction digits, to nearest. */
export function formatQ52(q: bigint, digits = 6): string {
  const neg = q < 0n;
  const abs = neg ? -q : q;
  const scaled = (abs * 10n ** BigInt(digits) + (1n << 51n)) >> 52n;
  const s = scaled.toString().padStart(digits + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/** The instruction's SVI arguments (Q52 i64 each). */
export type SviQ52 = { a: bigint; b: bigint; rho: bigint; m: bigint; sigma: bigint };

/** Shape of the smile relative to the ATM total variance w: a = aFrac w, b = bFrac w. */
export type SviShape = { aFrac: string; bFrac: string; rho: string; m: string; sigma: string };

/** The shape of the LiteSVM tests' `svi_for`: ATM total variance exactly w, mild put skew. */
export const DEFAULT_SHAPE: SviShape = { aFrac: '0.9', bFrac: '0.5', rho: '-0.3', m: '0', sigma: '0.2' };

/** Time to expiry in years, exactly: from days (decimal string) or seconds. */
export function years(t: { days: string } | { seconds: bigint }): Rational {
  if ('days' in t) return mul(parseDecimal(t.days), { num: 1n, den: 365n });
  return { num: t.seconds, den: YEAR_SECS };
}

/**
 * The smile with ATM volatility `vol` (annualised, decimal string) at tenor `t`:
 * w = vol^2 x years, a = 0.9 w, b = 0.5 w, rho = -0.3, m = 0, sigma = 0.2 by default
 * (with the default shape, w(0) = a + b sigma = w).
 */
export function sviFor(vol: string, t: { days: string } | { seconds: bigint }, shape: SviShape = DEFAULT_SHAPE): SviQ52 {
  const v = parseDecimal(vol);
  if (v.num < 0n) throw new Error('volatility must not be negative');
  const w = mul(mul(v, v), years(t));
  return {
    a: toQ52(mul(w, parseDecimal(shape.aFrac))),
    b: toQ52(mul(w, parseDecimal(shape.bFrac))),
    rho: toQ52(shape.rho),
    m: toQ52(shape.m),
    sigma: toQ52(shape.sigma),
  };
}
