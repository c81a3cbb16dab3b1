// Job `balance_liquidate`: for one account under maintenance, take over its debts against its
// asset balances (balance_liquidate; the program decides how much: what restores maintenance
// health to zero, or everything the asset covers), one (asset, debt) pair at a time, until the
// program says NotLiquidatable (restored, or another keeper got there first) or nothing
// positive is left (the bankruptcy job then resolves the account). Pairs: the quote debt first,
// then other debts; non-quote assets first (what the keeper can sell), then quote.
import type { Address, TransactionSigner } from '@solana/kit';

import type { MarginAccount } from '../accounts.js';
import { balanceLiquidate } from '../balance-liquidation.js';
import type { MaxwellClient } from '../client.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

/** (asset bank index, liability bank index) pairs to try, best first. */
export function balancePairs(a: Pick<MarginAccount, 'collateral'>, quoteBankIndex: number): { asset: number; liability: number }[] {
  const used = a.collateral.filter((s) => s.inUse === 1 && s.balance !== 0n);
  const quoteFirst = (x: number, y: number) => Number(y === quoteBankIndex) - Number(x === quoteBankIndex);
  const debts = used.filter((s) => s.balance < 0n).map((s) => s.bankIndex).sort(quoteFirst);
  const assets = used.filter((s) => s.balance > 0n).map((s) => s.bankIndex).sort((x, y) => -quoteFirst(x, y));
  return debts.flatMap((liability) => assets.filter((asset) => asset !== liability).map((asset) => ({ asset, liability })));
}

export type BalanceLiquidationOutcome = {
  account: Address;
  takes: number;
  /** Quote native units: penalties the liquidatee paid, and the insurance fund's share. */
  penalty: bigint;
  toInsurance: bigint;
  stop: string;
};

export async function balanceLiquidationJob(
  client: MaxwellClient,
  liquidatee: Address,
  liquidator: { account: Address; signer: TransactionSigner },
  log: Logger,
  maxTakes = 8,
): Promise<BalanceLiquidationOutcome> {
  const out: BalanceLiquidationOutcome = { account: liquidatee, takes: 0, penalty: 0n, toInsurance: 0n, stop: 'max_takes' };
  const [banks, quote] = await Promise.all([withRetry('banks', log, () => client.banksByIndex()), client.quoteBank()]);
  while (out.takes < maxTakes) {
    const acc = await withRetry('margin_account', log, () => client.marginAccount(liquidatee));
    const pair = balancePairs(acc.data, quote.bank.bankIndex)[0];
    if (!pair) {
      out.stop = 'nothing_to_take';
      break;
    }
    const asset = banks.get(pair.asset)?.address;
    const liability = banks.get(pair.liability)?.address;
    if (!asset || !liability) {
      out.stop = `unknown_bank_${asset ? pair.liability : pair.asset}`;
      break;
    }
    try {
      const { event, result } = await withRetry('balance_liquidate', log, () => balanceLiquidate(client, liquidatee, liquidator, asset, liability));
      out.takes++;
      out.penalty += event.penalty;
      out.toInsurance += event.toInsurance;
      log('info', 'balance_liquidate', {
        liquidatee, asset, liability, liabilityAmount: event.liabilityAmount, assetAmount: event.assetAmount,
        penaltyBps: event.penaltyBps, penalty: event.penalty, toInsurance: event.toInsurance,
        maintBefore: event.maintHealthBefore, maintAfter: event.maintHealthAfter, signature: result.signature,
      });
      if (event.maintHealthAfter >= 0n) {
        out.stop = 'restored';
        break;
      }
    } catch (e) {
      const name = errorNameOf(e);
      out.stop = name ?? 'error';
      log(name === 'NotLiquidatable' ? 'info' : 'warn', 'balance_liquidate_stop', { liquidatee, reason: name ?? String(e), takes: out.takes });
      break;
    }
  }
  return out;
}
