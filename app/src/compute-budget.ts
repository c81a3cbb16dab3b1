// Compute Budget instructions, encoded by hand (one byte tag + little-endian u32): the only ones
// Maxwell's clients need, without another package. Risk refreshes and trades need far more
// than the default 200,000 compute units per instruction.
import { address, type Address, type Instruction } from '@solana/kit';

export const COMPUTE_BUDGET_PROGRAM: Address = address('ComputeBudget111111111111111111111111111111');

/** The per-transaction maximum. */
export const MAX_COMPUTE_UNITS = 1_400_000;

/** `SetComputeUnitLimit(units)`: tag 2, u32 LE. */
export function setComputeUnitLimitIx(units: number = MAX_COMPUTE_UNITS): Instruction {
  if (!Number.isInteger(units) || units < 0 || units > MAX_COMPUTE_UNITS) throw new Error(`compute units out of range: ${units}`);
  const data = new Uint8Array(5);
  data[0] = 2;
  new DataView(data.buffer).setUint32(1, units, true);
  return { programAddress: COMPUTE_BUDGET_PROGRAM, data };
}
