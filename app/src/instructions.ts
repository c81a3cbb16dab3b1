// Instruction builders: the generated builders plus what they cannot know (health accounts as
// remaining accounts, the bank's token program, derived addresses). No RPC here: callers pass
// the state the instruction depends on (see client.ts for the fetching variants).
import type { AccountMeta, Address, Instruction, TransactionSigner } from '@solana/kit';

import {
  getAccountCloseInstruction,
  getAccountCreateInstructionAsync,
  getBankCreateInstructionAsync,
  getDepositInstruction,
  getExchangeInitInstructionAsync,
  getWithdrawInstruction,
  type CollateralBank,
  type BankParamsArgsArgs,
  type ExchangeParamsInputArgs,
} from './generated/maxwell/index.js';
import { unionHealthAccountMetas, type HealthBank, type HealthUnderlying } from './health-accounts.js';
import type { MarginAccount } from './accounts.js';

/** Appends remaining accounts to a generated instruction. */
export function withRemaining<T extends Instruction>(ix: T, remaining: AccountMeta[]): T {
  return { ...ix, accounts: [...(ix.accounts ?? []), ...remaining] };
}

/** The exchange's margin, liquidation and band parameters (exchange_init, `Change::ExchangeParams`). */
export type ExchangeParams = ExchangeParamsInputArgs;
/** Weights, caps, oracle limits and the rate curve of a bank (bank_create, bank_set_params). */
export type BankParams = BankParamsArgsArgs;

/**
 * Creates the exchange PDA `["exchange", admin]`; `admin` signs and pays. `timelockSecs`: the
 * governance delay of every queued change (the program bounds it to [10 s, 30 days]).
 */
export function exchangeInitIx(admin: TransactionSigner, quoteMint: Address, params: ExchangeParams, timelockSecs: number) {
  return getExchangeInitInstructionAsync({ admin, quoteMint, params, timelockSecs });
}

/** Lists `mint` as collateral. `oracle` is omitted for the quote mint. */
export function bankCreateIx(input: {
  admin: TransactionSigner;
  exchange: Address;
  mint: Address;
  tokenProgram: Address;
  oracle?: Address;
  params: BankParams;
}) {
  const { params, ...accounts } = input;
  return getBankCreateInstructionAsync({ ...accounts, params });
}

export function accountCreateIx(owner: TransactionSigner, exchange: Address, id: number, payer = owner) {
  return getAccountCreateInstructionAsync({ owner, payer, exchange, id });
}

export function accountCloseIx(owner: TransactionSigner, exchange: Address, account: Address, rentDestination: Address) {
  return getAccountCloseInstruction({ owner, exchange, account, rentDestination });
}

/** What a deposit or withdrawal needs to know about the state it changes. */
export type CollateralMove = {
  exchange: Address;
  /** The margin account and its current state (its slots decide the health accounts). */
  account: Address;
  accountState: MarginAccount;
  /** The bank of the mint moved. */
  bank: Address;
  bankState: CollateralBank;
  /** Every bank the account holds a slot in now (may include `bank`). */
  banks: readonly HealthBank[];
  /** Every underlying the account holds positions in (none needed without positions). */
  underlyings?: readonly HealthUnderlying[];
  /** Native units of the bank's mint. */
  amount: bigint;
};

/**
 * The health accounts of a deposit or withdrawal (health-accounts.ts): the account's slots in
 * use and underlyings with positions as they are now, plus the moved bank (a deposit may open
 * its slot, a withdrawal may open a borrow in it). No projection of the slots after the move.
 */
function moveHealthAccounts(move: CollateralMove): AccountMeta[] {
  return unionHealthAccountMetas(
    [move.accountState],
    [...move.banks, { address: move.bank, bank: move.bankState }],
    move.underlyings ?? [],
    { bankIndexes: [move.bankState.bankIndex] },
  );
}

/** Deposits from `source` (a token account of `signer`, the owner or delegate). */
export function depositIx(signer: TransactionSigner, source: Address, move: CollateralMove): Instruction {
  const ix = getDepositInstruction({
    signer,
    exchange: move.exchange,
    account: move.account,
    bank: move.bank,
    vault: move.bankState.vault,
    mint: move.bankState.mint,
    source,
    tokenProgram: move.bankState.tokenProgram,
    amount: move.amount,
  });
  return withRemaining(ix, moveHealthAccounts(move));
}

/** Withdraws to `destination`; only the owner signs. Beyond the balance it borrows (if the bank has a borrow cap). */
export function withdrawIx(owner: TransactionSigner, destination: Address, move: CollateralMove): Instruction {
  const ix = getWithdrawInstruction({
    owner,
    exchange: move.exchange,
    account: move.account,
    bank: move.bank,
    vault: move.bankState.vault,
    mint: move.bankState.mint,
    destination,
    tokenProgram: move.bankState.tokenProgram,
    amount: move.amount,
  });
  return withRemaining(ix, moveHealthAccounts(move));
}
