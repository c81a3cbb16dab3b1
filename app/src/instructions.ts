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
  type ExchangeInitInstructionDataArgs,
  type BankCreateInstructionDataArgs,
} from './generated/maxwell/index.js';
import { healthAccountMetas, slotsAfter, type HealthBank, type HealthUnderlying } from './health-accounts.js';
import type { MarginAccount } from './accounts.js';

/** Appends remaining accounts to a generated instruction. */
export function withRemaining<T extends Instruction>(ix: T, remaining: AccountMeta[]): T {
  return { ...ix, accounts: [...(ix.accounts ?? []), ...remaining] };
}

export type ExchangeParams = ExchangeInitInstructionDataArgs;
export type BankParams = BankCreateInstructionDataArgs;

/** Creates the exchange PDA `["exchange", admin]`; `admin` signs and pays. */
export function exchangeInitIx(admin: TransactionSigner, quoteMint: Address, params: ExchangeParams) {
  return getExchangeInitInstructionAsync({ admin, quoteMint, ...params });
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
  return getBankCreateInstructionAsync({ ...accounts, ...params });
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
  /** Every bank the account holds a slot in after the move (may include `bank`). */
  banks: readonly HealthBank[];
  /** Every underlying the account holds positions in (none needed without positions). */
  underlyings?: readonly HealthUnderlying[];
  /** Native units of the bank's mint. */
  amount: bigint;
};

function healthAfter(move: CollateralMove, delta: bigint): AccountMeta[] {
  const banks = [...move.banks, { address: move.bank, bank: move.bankState }];
  const slots = slotsAfter(move.accountState.collateral, move.bankState.bankIndex, delta);
  return healthAccountMetas(slots, banks, move.accountState.positions, move.underlyings ?? []);
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
  return withRemaining(ix, healthAfter(move, move.amount));
}

/** Withdraws to `destination`; only the owner signs. */
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
  // A withdrawal larger than the balance is refused on-chain (InsufficientBalance); clamp the
  // projection so the health accounts stay well-formed and the program gives that error.
  const balance = move.accountState.collateral.find(
    (s) => s.inUse === 1 && s.bankIndex === move.bankState.bankIndex,
  )?.balance ?? 0n;
  const delta = move.amount > balance ? 0n : -move.amount;
  return withRemaining(ix, healthAfter(move, delta));
}
