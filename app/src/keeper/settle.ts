// Job `settle`: for every expired, unsettled expiry, expiry_settle_price once (another keeper
// having done it, SettlementPriceAlreadySet, is fine; a price published before the expiry is
// refused and retried next pass), then account_settle for each account holding positions in
// a settled expiry.
import type { Account, TransactionSigner } from '@solana/kit';

import type { MarginAccount } from '../accounts.js';
import { clusterTime } from '../clock.js';
import type { MaxwellClient } from '../client.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

export async function settleJob(
  client: MaxwellClient,
  payer: TransactionSigner,
  accounts: readonly Account<MarginAccount>[],
  log: Logger,
): Promise<{ prices: number; accounts: number }> {
  const now = await withRetry('clock', log, () => clusterTime(client.conn));
  const unders = await withRetry('underlyings', log, () => client.underlyingsByIndex(true));
  let prices = 0;
  let settled = 0;
  for (const [index, { address }] of unders) {
    let u = (await withRetry('underlying', log, () => client.underlying(address))).data;
    for (let e = 0; e < u.nExpiries; e++) {
      const x = u.expiries[e]!;
      if (x.settled === 1 || x.expiry > now) continue;
      try {
        await withRetry('expiry_settle_price', log, () => client.settlePrice(payer, address, e));
        prices++;
        log('info', 'settle_price', { underlying: address, expiryIndex: e });
      } catch (err) {
        const name = errorNameOf(err);
        log(name === 'SettlementPriceAlreadySet' ? 'info' : 'warn', 'settle_price_skipped', { underlying: address, expiryIndex: e, error: name ?? String(err) });
      }
    }
    u = (await withRetry('underlying', log, () => client.underlying(address))).data;
    const settledExpiry = (seriesIndex: number) => {
      const s = u.series[seriesIndex];
      return s !== undefined && u.expiries[s.expiryIndex]?.settled === 1 && s.expiry <= now;
    };
    for (const a of accounts) {
      if (!a.data.positions.some((p) => p.inUse === 1 && p.underlyingIndex === index && settledExpiry(p.seriesIndex))) continue;
      try {
        const { events } = await withRetry('account_settle', log, () => client.settleAccount(payer, a.address, address));
        settled++;
        log('info', 'account_settle', { account: a.address, underlying: address, positions: events.length, payoff: events.reduce((s, x) => s + x.payoff, 0n) });
      } catch (err) {
        log('warn', 'account_settle_failed', { account: a.address, underlying: address, error: errorNameOf(err) ?? String(err) });
      }
    }
  }
  return { prices, accounts: settled };
}
