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
  type ExchangeInitInstructionDataArgs,
} from './generated/maxwell/index.js';
import { healthAccountMetas, slotsAfter, type HealthBank, type HealthUnderlying } from './health-accounts.js';
import { INDEX_ONE, shareValue, type MarginAccount } from './accounts.js';

/** Appends remaining accounts to a generated instruction. */
export function withRemaining<T extends Instruction>(ix: T, remaining: AccountMeta[]): T {
  return { ...ix, accounts: [...(ix.accounts ?? []), ...remaining] };
}

export type ExchangeParams = ExchangeInitInstructionDataArgs;
/** Weights, caps, oracle limits and the rate curve of a bank (bank_create, bank_set_params). */
export type BankParams = BankParamsArgsArgs;

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
  /** Every bank the account holds a slot in after the move (may include `bank`). */
  banks: readonly HealthBank[];
  /** Every underlying the account holds positions in (none needed without positions). */
  underlyings?: readonly HealthUnderlying[];
  /** Native units of the bank's mint. */
  amount: bigint;
};

/**
 * The health accounts after changing the account's balance in the moved bank by `delta` NATIVE
 * units. Balances are shares: the moved slot is valued (shareValue) before projecting, so a
 * slot is projected free only when its value reaches exactly zero. `keepSlot`: never project
 * the slot free (a withdrawal of the whole value may leave share dust when the deposit index
 * is below 1.0; an extra health entry is allowed, a missing one is refused).
 */
function healthAfter(move: CollateralMove, delta: bigint, keepSlot = false): AccountMeta[] {
  const banks = [...move.banks, { address: move.bank, bank: move.bankState }];
  const bi = move.bankState.bankIndex;
  const native = move.accountState.collateral.map((s) =>
    s.inUse === 1 && s.bankIndex === bi ? { ...s, balance: shareValue(s.balance, move.bankState) } : s,
  );
  let slots = slotsAfter(native, bi, delta);
  if (keepSlot && !slots.some((s) => s.inUse === 1 && s.bankIndex === bi)) slots = native;
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
  // Beyond the balance a withdrawal borrows (if the bank has a borrow cap; otherwise the
  // program refuses with InsufficientBalance before the health walk): the slot stays (or
  // opens) with a negative balance.
  const held = shareValue(
    move.accountState.collateral.find((s) => s.inUse === 1 && s.bankIndex === move.bankState.bankIndex)?.balance ?? 0n,
    move.bankState,
  );
  if (move.amount > held) {
    const borrows = move.bankState.borrowCap > 0n;
    return withRemaining(ix, healthAfter(move, borrows ? 1n : 0n, true));
  }
  return withRemaining(ix, healthAfter(move, -move.amount, move.bankState.depositIndex < INDEX_ONE));
}
