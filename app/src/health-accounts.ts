// Health accounts: the remaining accounts of every instruction that ends with a margin check
// (deposit, withdraw). Order (programs/maxwell/src/health.rs): for each collateral slot in use
// AFTER the instruction, in slot order, the slot's bank, then its oracle unless it is the quote
// bank. Both accounts are read-only.
import { AccountRole, type AccountMeta, type Address } from '@solana/kit';

import type { CollateralBank, MarginAccount } from './generated/maxwell/index.js';

/** A bank as the health walk needs it. */
export type HealthBank = { address: Address; bank: Pick<CollateralBank, 'bankIndex' | 'isQuote' | 'oracle'> };

type Slot = MarginAccount['collateral'][number];

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

/** The health account metas for `slots`, resolving each slot's bank through `banks`. */
export function healthAccountMetas(slots: readonly Slot[], banks: readonly HealthBank[]): AccountMeta[] {
  const byIndex = new Map(banks.map((b) => [b.bank.bankIndex, b]));
  const metas: AccountMeta[] = [];
  for (const slot of slots) {
    if (slot.inUse !== 1) continue;
    const b = byIndex.get(slot.bankIndex);
    if (!b) throw new Error(`health accounts: no bank with index ${slot.bankIndex} was given`);
    metas.push({ address: b.address, role: AccountRole.READONLY });
    if (b.bank.isQuote !== 1) metas.push({ address: b.bank.oracle, role: AccountRole.READONLY });
  }
  return metas;
}
