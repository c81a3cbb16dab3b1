// Realized volatility (programs/maxwell/src/instructions/realized_vol_update.rs): a keeper crank
// (anyone) folds the oracle's log return since the last update into the underlying's EWMA of
// annualized variance (lambda 0.94), at least RV_MIN_INTERVAL_SECS apart; risk_refresh sizes
// its price shocks from max(ATM vol, realized vol). The interval and the volatility itself are
// the program's (rules-wasm.ts constants().realizedVolMinIntervalSecs, realizedVol).
import type { Address, Instruction, TransactionSigner } from '@solana/kit';

import type { MaxwellClient } from './client.js';
import { realizedVolLogs, singleEvent, type RealizedVolLog } from './events.js';
import { getRealizedVolUpdateInstruction } from './generated/maxwell/index.js';
import { sendAndConfirm, type SendResult } from './transactions.js';

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
