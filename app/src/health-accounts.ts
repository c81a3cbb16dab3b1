// Health accounts: the remaining accounts of every instruction that ends with a margin check
// (deposit, withdraw, trade, account_settle, account_health, liquidate, rebalance, bankruptcy).
// Entries in ANY order, each either a CollateralBank followed by its Pyth oracle (none for the
// quote bank), or an Underlying followed by its Pyth spot oracle; all read-only; extra entries
// are allowed. The client's rule, which never predicts the account's layout after the
// instruction: the banks of the slots in use NOW and the underlyings with positions NOW, of every
// account the instruction checks, plus the banks and the underlying the instruction touches (a
// deposit's or withdrawal's bank, a trade's or settlement's quote bank, a traded underlying). A
// slot the instruction opens is in a touched bank; a slot it empties is in use now, so its bank
// is listed whether the program frees the slot before its health check (an allowed extra entry)
// or after it. This file emits banks in first-seen slot order, then the underlyings in
// first-seen position order, each entry once.
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

const pushNew = (xs: number[], x: number) => {
  if (!xs.includes(x)) xs.push(x);
};

/**
 * The union of what `accounts` need now (slots in use, underlyings with positions), plus
 * `extra`: what the instruction touches (the moved bank, the quote bank a premium may open, the
 * underlying a trade adds positions in).
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

/** One account's health accounts as it is now: the banks of its slots in use and the underlyings of its positions. */
export function healthAccountMetas(
  slots: readonly Slot[],
  banks: readonly HealthBank[],
  positions: readonly Position[] = [],
  underlyings: readonly HealthUnderlying[] = [],
): AccountMeta[] {
  return healthMetas(healthNeeds([{ collateral: slots, positions }]), banks, underlyings);
}

/** Several accounts' health accounts now (a trade: maker and taker) plus what the instruction touches, each entry once. */
export function unionHealthAccountMetas(
  accounts: readonly HealthView[],
  banks: readonly HealthBank[],
  underlyings: readonly HealthUnderlying[],
  extra: Partial<HealthNeeds> = {},
): AccountMeta[] {
  return healthMetas(healthNeeds(accounts, extra), banks, underlyings);
}
