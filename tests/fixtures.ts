// Whole accounts for unit tests: the WASM-backed rules (app/src/rules-wasm.ts) take the
// program's accounts as they are on chain, so a test states the fields it cares about over an
// all-zero account (decoded by the generated decoder, as if fetched).
import {
  getCollateralBankDecoder,
  getCollateralBankSize,
  getMarginAccountDecoder,
  getMarginAccountSize,
  getRebalancePolicyDecoder,
  getRebalancePolicySize,
  getUnderlyingDecoder,
  getUnderlyingSize,
  type CollateralBank,
  type MarginAccount,
  type RebalancePolicy,
  type Underlying,
} from '../app/src/generated/maxwell/index.js';

type Slot = MarginAccount['collateral'][number];

/** A flat rate curve (no interest; kink 80% so it passes RateCurve::validate, as every bank on chain does). */
export const FLAT_CURVE: CollateralBank['rate'] = { kinkUtilBps: 8_000, baseRateBps: 0, kinkRateBps: 0, maxRateBps: 0, reserveBps: 0, pad: 0 };

export const zeroBank = (o: Partial<CollateralBank> = {}): CollateralBank => ({
  ...getCollateralBankDecoder().decode(new Uint8Array(getCollateralBankSize())),
  rate: FLAT_CURVE,
  ...o,
});

export const zeroPolicy = (o: Partial<RebalancePolicy> = {}): RebalancePolicy => ({
  ...getRebalancePolicyDecoder().decode(new Uint8Array(getRebalancePolicySize())),
  ...o,
});

export const zeroUnderlying = (o: Partial<Underlying> = {}): Underlying => ({
  ...getUnderlyingDecoder().decode(new Uint8Array(getUnderlyingSize())),
  ...o,
});

export const zeroAccount = (o: Partial<MarginAccount> = {}): MarginAccount => ({
  ...getMarginAccountDecoder().decode(new Uint8Array(getMarginAccountSize())),
  ...o,
});

/** 16 collateral slots, the first ones in use with (bank index, balance in shares). */
export const slots = (...xs: [number, bigint][]): Slot[] => {
  const s: Slot[] = Array.from({ length: 16 }, () => ({ balance: 0n, bankIndex: 0, inUse: 0, pad: new Uint8Array(5) }));
  xs.forEach(([bankIndex, balance], i) => (s[i] = { balance, bankIndex, inUse: 1, pad: new Uint8Array(5) }));
  return s;
};

/** 128 positions, position 3 (if given) in use. */
export const positions = (p?: { underlyingIndex: number; seriesIndex: number; size: bigint }): MarginAccount['positions'] => {
  const ps = Array.from({ length: 128 }, () => ({ size: 0n, costBasis: 0n, underlyingIndex: 0, seriesIndex: 0, inUse: 0, pad: 0, generation: 0 }));
  if (p) ps[3] = { ...ps[3]!, ...p, inUse: 1 };
  return ps;
};
