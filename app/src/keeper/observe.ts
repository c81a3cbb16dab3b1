// Job `observe`: `account_health` for real (cached on the account) on every account whose
// reputation clock is running (it carried risk at its last observation) and whose last
// observation is `intervalSecs` or more old. The program credits clean risk-carrying time only
// between observations, at most one day per interval, and records a breach only when an
// observation sees it (crates/maxwell-engine/src/reputation.rs): observing every such account
// at least daily is what keeps an unobserved breach from hiding more than one interval.
import type { Account, Address, TransactionSigner } from '@solana/kit';

import type { MarginAccount } from '../accounts.js';
import type { MaxwellClient } from '../client.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

/** Accounts due: a reputation clock running, last observed `intervalSecs` or more ago. */
export function accountsToObserve<T extends Pick<MarginAccount, 'repLastObsTs'>>(
  accounts: readonly T[],
  now: bigint,
  intervalSecs: number,
): T[] {
  return accounts.filter((a) => a.repLastObsTs > 0n && now - a.repLastObsTs >= BigInt(intervalSecs));
}

export async function observeJob(
  client: MaxwellClient,
  payer: TransactionSigner,
  accounts: readonly Account<MarginAccount>[],
  now: bigint,
  log: Logger,
  intervalSecs: number,
  skip: ReadonlySet<Address> = new Set(),
): Promise<number> {
  let observed = 0;
  const due = accountsToObserve(accounts.map((a) => ({ ...a.data, address: a.address })), now, intervalSecs);
  for (const a of due) {
    if (skip.has(a.address)) continue;
    try {
      const { event } = await withRetry('account_health', log, () => client.refreshHealth(payer, a.address));
      observed++;
      log('info', 'observe', { account: a.address, maintHealth: event.maintHealth, initHealth: event.initHealth });
    } catch (e) {
      log('warn', 'observe_failed', { account: a.address, error: errorNameOf(e) ?? String(e) });
    }
  }
  return observed;
}
