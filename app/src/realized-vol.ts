// Realized volatility (programs/maxwell/src/instructions/realized_vol_update.rs): a keeper crank
// (anyone) folds the oracle's log return since the last update into the underlying's EWMA of
// annualized variance (lambda 0.94), at least RV_MIN_INTERVAL_SECS apart; risk_refresh sizes
// its price shocks from max(ATM vol, realized vol).
import type { Address, Instruction, TransactionSigner } from '@solana/kit';

import type { MaxwellClient } from './client.js';
import { realizedVolLogs, singleEvent, type RealizedVolLog } from './events.js';
import { getRealizedVolUpdateInstruction, type Underlying } from './generated/maxwell/index.js';
import { sendAndConfirm, type SendResult } from './transactions.js';

/** Updates closer together are refused (RealizedVolTooSoon). */
export const RV_MIN_INTERVAL_SECS = 60n;

/** Q52 fixed point (maxwell-risk FX_FRAC). */
const Q52 = 2 ** 52;

/** Annualized realized volatility (a fraction: 0.8 = 80%) of an underlying's variance (Q52). */
export function realizedVol(u: Pick<Underlying, 'rvVariance'>): number {
  const v = Number(u.rvVariance > 0n ? u.rvVariance : 0n) / Q52;
  return Math.sqrt(v);
}

/** Whether a realized_vol_update would be accepted at `now` (first call, or >= 60 s after the last). */
export function realizedVolDue(u: Pick<Underlying, 'rvLastTs'>, now: bigint): boolean {
  return u.rvLastTs === 0n || now - u.rvLastTs >= RV_MIN_INTERVAL_SECS;
}

export function realizedVolUpdateIx(exchange: Address, underlying: Address, oracle: Address): Instruction {
  return getRealizedVolUpdateInstruction({ exchange, underlying, oracle });
}

/** Anyone (`payer`): realized_vol_update on `underlying` (needs a fresh oracle price); returns the RealizedVolLog. */
export async function updateRealizedVol(
  client: MaxwellClient,
  payer: TransactionSigner,
  underlying: Address,
): Promise<{ result: SendResult; event: RealizedVolLog }> {
  const u = (await client.underlying(underlying)).data;
  const result = await sendAndConfirm(client.conn, payer, [realizedVolUpdateIx(client.exchange, underlying, u.oracle)]);
  return { result, event: singleEvent(realizedVolLogs(result.logs), 'RealizedVolLog') };
}
