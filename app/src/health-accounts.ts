// Health accounts: the remaining accounts of every instruction that ends with a margin check
// (deposit, withdraw, trade, account_settle, account_health). Rule (programs/maxwell/src/health.rs):
// entries in ANY order, each either a CollateralBank followed by its Pyth oracle (none for the
// quote bank), or an Underlying followed by its Pyth spot oracle; together they must cover every
// collateral slot in use and every underlying with positions of the account(s) the instruction
// touches, after the instruction (for a trade: both accounts, before and after). Extra entries
// are allowed. All are read-only. This file emits banks in first-seen slot order, then the
// underlyings in first-seen position order, each entry once.
import { AccountRole, type AccountMeta, type Address } from '@solana/kit';

import type { CollateralBank, MarginAccount, Underlying } from './generated/maxwell/index.js';

/** A bank as the health walk needs it. */
export type HealthBank = { address: Address; bank: Pick<CollateralBank, 'bankIndex' | 'isQuote' | 'oracle'> };

/** An underlying as the health walk needs it. */
export type HealthUnderlying = { address: Address; underlying: Pick<Underlying, 'underlyingIndex' | 'oracle'> };

type Slot = MarginAccount['collateral'][number];
type Position = MarginAccount['positions'][number];

/** What one or more accounts need covered: bank indexes and underlying indexes, first-seen order. */
export type HealthNeeds = { bankIndexes: number[]; underlyingIndexes: number[] };

/** The part of a margin account the health rule looks at (positions optional: none). */
export type HealthView = { collateral: readonly Slot[]; positions?: readonly Position[] };

/**
 * The collateral slots after changing the balance in `bankIndex` by `delta` native units,
 * mirroring `MarginAccount::slot_index_or_open` (a deposit takes the first free slot) and
 * `release_if_empty` (a withdrawal to zero frees the slot).
 */
export function slotsAfter(slots: readonly Slot[], bankIndex: number, delta: bigint): Slot[] {
  const after = slots.map((s) => ({ ...s }));
  let i = after.findIndex((s) => s.inUse === 1 && s.bankIndex === bankIndex);
  if (i < 0) {
    if (delta <= 0n) return after; // nothing to open: the program refuses before the health walk
    i = after.findIndex((s) => s.inUse === 0);
    if (i < 0) return after; // the program will refuse with CollateralSlotsFull
    after[i] = { ...after[i]!, balance: 0n, bankIndex, inUse: 1 };
  }
  const slot = after[i]!;
  slot.balance += delta;
  if (slot.balance === 0n) after[i] = { ...slot, bankIndex: 0, inUse: 0 };
  return after;
}

const pushNew = (xs: number[], x: number) => {
  if (!xs.includes(x)) xs.push(x);
};

/**
 * The union of what `accounts` need (slots in use, underlyings with positions), plus `extra`
 * (e.g. the quote bank a premium may open, the underlying a trade adds positions in).
 */
export function healthNeeds(accounts: readonly HealthView[], extra: Partial<HealthNeeds> = {}): HealthNeeds {
  const needs: HealthNeeds = { bankIndexes: [], underlyingIndexes: [] };
  for (const acc of accounts) {
    for (const s of acc.collateral) if (s.inUse === 1) pushNew(needs.bankIndexes, s.bankIndex);
    for (const p of acc.positions ?? []) if (p.inUse === 1) pushNew(needs.underlyingIndexes, p.underlyingIndex);
  }
  for (const b of extra.bankIndexes ?? []) pushNew(needs.bankIndexes, b);
  for (const u of extra.underlyingIndexes ?? []) pushNew(needs.underlyingIndexes, u);
  return needs;
}

const readonly = (address: Address): AccountMeta => ({ address, role: AccountRole.READONLY });

/** The metas for `needs`, resolving indexes through `banks` and `underlyings`. */
export function healthMetas(
  needs: HealthNeeds,
  banks: readonly HealthBank[],
  underlyings: readonly HealthUnderlying[] = [],
): AccountMeta[] {
  const bankBy = new Map(banks.map((b) => [b.bank.bankIndex, b]));
  const underBy = new Map(underlyings.map((u) => [u.underlying.underlyingIndex, u]));
  const metas: AccountMeta[] = [];
  for (const i of needs.bankIndexes) {
    const b = bankBy.get(i);
    if (!b) throw new Error(`health accounts: no bank with index ${i} was given`);
    metas.push(readonly(b.address));
    if (b.bank.isQuote !== 1) metas.push(readonly(b.bank.oracle));
  }
  for (const i of needs.underlyingIndexes) {
    const u = underBy.get(i);
    if (!u) throw new Error(`health accounts: no underlying with index ${i} was given`);
    metas.push(readonly(u.address), readonly(u.underlying.oracle));
  }
  return metas;
}

/** One account's health accounts: its slots (`slots`, e.g. projected by slotsAfter) and positions. */
export function healthAccountMetas(
  slots: readonly Slot[],
  banks: readonly HealthBank[],
  positions: readonly Position[] = [],
  underlyings: readonly HealthUnderlying[] = [],
): AccountMeta[] {
  return healthMetas(healthNeeds([{ collateral: slots, positions }]), banks, underlyings);
}

/** Several accounts' health accounts at once (a trade: maker and taker), each entry once. */
export function unionHealthAccountMetas(
  accounts: readonly HealthView[],
  banks: readonly HealthBank[],
  underlyings: readonly HealthUnderlying[],
  extra: Partial<HealthNeeds> = {},
): AccountMeta[] {
  return healthMetas(healthNeeds(accounts, extra), banks, underlyings);
}
