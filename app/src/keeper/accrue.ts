// Job `accrue`: accrue_interest on every bank with borrows whose last accrual is at least
// `intervalSecs` old. Every balance change accrues lazily and health accrues to the second, so
// this only keeps the stored indices (what metrics and clients read) current.
import type { Account, TransactionSigner } from '@solana/kit';

import type { CollateralBank } from '../accounts.js';
import { clusterTime } from '../clock.js';
import type { MaxwellClient } from '../client.js';
import { accrueInterest } from '../lending.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

/** Banks due for accrual: borrows outstanding and the last accrual `intervalSecs` or more ago. */
export function banksToAccrue<T extends Pick<CollateralBank, 'borrowShares' | 'lastAccrualTs'>>(
  banks: readonly T[],
  now: bigint,
  intervalSecs: number,
): T[] {
  return banks.filter((b) => b.borrowShares > 0n && now - b.lastAccrualTs >= BigInt(intervalSecs));
}

export async function accrueJob(client: MaxwellClient, payer: TransactionSigner, log: Logger, intervalSecs: number): Promise<number> {
  const now = await withRetry('clock', log, () => clusterTime(client.conn));
  const banks: Account<CollateralBank>[] = [...(await withRetry('banks', log, () => client.banksByIndex(true))).values()];
  let accrued = 0;
  for (const b of banksToAccrue(banks.map((x) => ({ ...x.data, address: x.address })), now, intervalSecs)) {
    try {
      const { event, result } = await withRetry('accrue_interest', log, () => accrueInterest(client, payer, b.address));
      accrued++;
      log('info', 'accrue_interest', {
        bank: b.address, seconds: event.seconds, utilizationBps: event.utilizationBps, borrowRateBps: event.borrowRateBps,
        interest: event.interest, depositIndex: event.depositIndex, borrowIndex: event.borrowIndex, signature: result.signature,
      });
    } catch (e) {
      log('warn', 'accrue_interest_failed', { bank: b.address, error: errorNameOf(e) ?? String(e) });
    }
  }
  return accrued;
}
