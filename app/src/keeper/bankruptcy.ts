// Job `bankruptcy`: after liquidations, every margin account the program calls bankrupt (no
// positions, no positive balance: MarginAccount::is_bankrupt, in WASM) in each bank it owes: bankruptcy_resolve per such bank (the
// insurance fund pays first, the rest is socialized over the bank's depositors). NotBankrupt
// (another keeper resolved it first, or a deposit arrived) is logged and skipped.
import type { Address, TransactionSigner } from '@solana/kit';

import { getMarginAccountsOfExchange, type MarginAccount } from '../accounts.js';
import type { MaxwellClient } from '../client.js';
import { resolveBankruptcy } from '../lending.js';
import { bankruptBankIndexes } from '../rules-wasm.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

export type BankruptcyOutcome = {
  account: Address;
  bank: Address;
  owed: bigint;
  coveredByInsurance: bigint;
  socialized: bigint;
  depositIndexBefore: bigint;
  depositIndexAfter: bigint;
};

/** (account, bank index) pairs to resolve, skipping `skip` (the insurance fund). */
export function bankruptcies(
  accounts: readonly { address: Address; data: MarginAccount }[],
  skip: ReadonlySet<Address> = new Set(),
): { account: Address; bankIndex: number }[] {
  return accounts
    .filter((a) => !skip.has(a.address))
    .flatMap((a) => bankruptBankIndexes(a.data).map((bankIndex) => ({ account: a.address, bankIndex })));
}

export async function bankruptcyJob(
  client: MaxwellClient,
  keeper: TransactionSigner,
  log: Logger,
  skip: ReadonlySet<Address>,
): Promise<BankruptcyOutcome[]> {
  const accounts = await withRetry('scan', log, () => getMarginAccountsOfExchange(client.conn, client.exchange));
  const todo = bankruptcies(accounts, skip);
  if (todo.length === 0) return [];
  const banks = await withRetry('banks', log, () => client.banksByIndex(true));
  const out: BankruptcyOutcome[] = [];
  for (const { account, bankIndex } of todo) {
    const bank = banks.get(bankIndex)?.address;
    if (!bank) {
      log('warn', 'bankruptcy_unknown_bank', { account, bankIndex });
      continue;
    }
    try {
      const { event, result } = await withRetry('bankruptcy_resolve', log, () => resolveBankruptcy(client, keeper, account, bank));
      out.push({ account, bank, owed: event.owed, coveredByInsurance: event.coveredByInsurance, socialized: event.socialized, depositIndexBefore: event.depositIndexBefore, depositIndexAfter: event.depositIndexAfter });
      log('info', 'bankruptcy_resolve', {
        account, bank, owed: event.owed, coveredByInsurance: event.coveredByInsurance, socialized: event.socialized,
        depositIndexBefore: event.depositIndexBefore, depositIndexAfter: event.depositIndexAfter, signature: result.signature,
      });
    } catch (e) {
      const name = errorNameOf(e);
      log(name === 'NotBankrupt' ? 'info' : 'warn', 'bankruptcy_skipped', { account, bank, error: name ?? String(e) });
    }
  }
  return out;
}
