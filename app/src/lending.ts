// Lending (crates/maxwell-lending, programs/maxwell/src/instructions/{bank_set_params,
// accrue_interest,bankruptcy_resolve}.rs): balances are shares of a bank valued by its indices
// (the program's own BankIndex::value: rules-wasm.ts shareValue); interest accrues lazily on
// every balance change, or through the `accrue_interest` crank; a bankrupt account's debt is paid by the insurance fund first (quote
// bank), then socialized over the bank's depositors by lowering the deposit index. Which banks
// an account is bankrupt in is the program's rule (rules-wasm.ts bankruptBankIndexes).
import type { Address, Instruction, TransactionSigner } from '@solana/kit';

import type { MarginAccount } from './accounts.js';
import type { MaxwellClient } from './client.js';
import { setComputeUnitLimitIx } from './compute-budget.js';
import { bankruptcyLogs, interestLogs, singleEvent, type BankruptcyLog, type InterestLog } from './events.js';
import {
  getAccrueInterestInstruction,
  getBankruptcyResolveInstruction,
  getBankSetParamsInstruction,
} from './generated/maxwell/index.js';
import { healthAccountMetas, type HealthBank, type HealthUnderlying } from './health-accounts.js';
import { withRemaining, type BankParams } from './instructions.js';
import { insuranceOf } from './liquidation.js';
import { sendAndConfirm, type SendResult } from './transactions.js';

/** Admin: new weights, caps, oracle limits and rate curve (the feed id cannot change) of a bank nobody uses yet. */
export function bankSetParamsIx(input: { admin: TransactionSigner; exchange: Address; bank: Address; params: BankParams }): Instruction {
  return getBankSetParamsInstruction(input);
}

/** Anyone: brings the bank's indices up to now. */
export function accrueInterestIx(exchange: Address, bank: Address): Instruction {
  return getAccrueInterestInstruction({ exchange, bank });
}

/** `bankruptcy_resolve` with the account's health accounts (its slots now: the resolved one may close, extra is allowed). */
export function bankruptcyResolveIxs(input: {
  keeper: TransactionSigner;
  exchange: Address;
  account: Address;
  state: Pick<MarginAccount, 'collateral' | 'positions'>;
  bank: Address;
  insurance: Address;
  banks: readonly HealthBank[];
  underlyings?: readonly HealthUnderlying[];
}): Instruction[] {
  const ix = getBankruptcyResolveInstruction({
    keeper: input.keeper,
    exchange: input.exchange,
    account: input.account,
    bank: input.bank,
    insurance: input.insurance,
  });
  const health = healthAccountMetas(input.state.collateral, input.banks, input.state.positions, input.underlyings ?? []);
  return [setComputeUnitLimitIx(400_000), withRemaining(ix, health)];
}

/**
 * Admin: sets a bank's parameters while nobody uses it (listing). Once it has deposits or borrows
 * the program refuses with BankInUse (6149): queue a `BankParams` change instead
 * (governance.ts proposeChange; the keeper executes it after the timelock).
 */
export function setBankParams(client: MaxwellClient, admin: TransactionSigner, bank: Address, params: BankParams): Promise<SendResult> {
  return sendAndConfirm(client.conn, admin, [bankSetParamsIx({ admin, exchange: client.exchange, bank, params })]);
}

/** Anyone (`payer`): accrue_interest on `bank`; returns the InterestLog. */
export async function accrueInterest(
  client: MaxwellClient,
  payer: TransactionSigner,
  bank: Address,
): Promise<{ result: SendResult; event: InterestLog }> {
  const result = await sendAndConfirm(client.conn, payer, [accrueInterestIx(client.exchange, bank)]);
  return { result, event: singleEvent(interestLogs(result.logs), 'InterestLog') };
}

/**
 * Keeper: resolves `account`'s debt in `bank` (insurance first, then socialized). Throws
 * ProgramFailure NotBankrupt when the account still has something to take, or owes nothing.
 */
export async function resolveBankruptcy(
  client: MaxwellClient,
  keeper: TransactionSigner,
  account: Address,
  bank: Address,
): Promise<{ result: SendResult; event: BankruptcyLog }> {
  const [acc, insurance] = await Promise.all([client.marginAccount(account), insuranceOf(client)]);
  const universe = await client.universe([acc.data]);
  const ixs = bankruptcyResolveIxs({
    keeper,
    exchange: client.exchange,
    account,
    state: acc.data,
    bank,
    insurance,
    banks: universe.banks,
    underlyings: universe.underlyings,
  });
  const result = await sendAndConfirm(client.conn, keeper, ixs);
  return { result, event: singleEvent(bankruptcyLogs(result.logs), 'BankruptcyLog') };
}
