// Rebalance (programs/maxwell/src/instructions/{policy_set,rebalance_accounts,
// rebalance_collateral}.rs): an owner's opt-in policy (PDA ["policy", exchange, owner]) lists
// its margin accounts and which may feed which; a keeper tops up an account whose maintenance
// health is under the policy trigger from a sibling that keeps the policy target (fee:
// keeper_fee_bps of the amount, paid to the keeper's margin account), or repays an account's
// quote borrow beyond the policy limit against its collateral at a bounded discount.
import { AccountRole, type Account, type Address, type Instruction, type TransactionSigner } from '@solana/kit';

import { getPoliciesOfExchange, type MarginAccount, type RebalancePolicy } from './accounts.js';
import type { MaxwellClient } from './client.js';
import { setComputeUnitLimitIx } from './compute-budget.js';
import { COMMITMENT } from './config.js';
import {
  rebalanceAccountsLogs,
  rebalanceCollateralLogs,
  singleEvent,
  type RebalanceAccountsLog,
  type RebalanceCollateralLog,
} from './events.js';
import {
  fetchMaybeRebalancePolicy,
  getPolicySetInstruction,
  getRebalanceAccountsInstruction,
  getRebalanceCollateralInstruction,
  type PolicyArgsArgs,
} from './generated/maxwell/index.js';
import { findPolicyPda } from './generated/maxwell/pdas/index.js';
import { unionHealthAccountMetas, type HealthBank, type HealthUnderlying } from './health-accounts.js';
import { withRemaining } from './instructions.js';
import type { HealthUniverse } from './markets.js';
import { sendAndConfirm, type SendResult } from './transactions.js';

export type { RebalancePolicy };

/** policy_set arguments: `feeds[i]` bit `j` set = `accounts[j]` may feed `accounts[i]`; health and limits in quote native. */
export type PolicyArgs = PolicyArgsArgs;

/** `["policy", exchange, owner]` */
export async function policyAddress(exchange: Address, owner: Address): Promise<Address> {
  return (await findPolicyPda({ exchange, owner }))[0];
}

/** The feed bits for "`sources` may feed `destination`" (indexes into the policy's accounts). */
export function feedMask(sources: readonly number[]): number {
  return sources.reduce((m, j) => m | (1 << j), 0);
}

/** The listed accounts of a stored policy (unused entries dropped) with their index. */
export function policyAccounts(p: Pick<RebalancePolicy, 'accounts'>): { index: number; account: Address }[] {
  return p.accounts
    .map((account, index) => ({ index, account }))
    .filter(({ account }) => account !== '11111111111111111111111111111111');
}

/** policy_set: the listed margin accounts follow as remaining accounts, in order (read-only). */
export async function policySetIx(owner: TransactionSigner, exchange: Address, args: PolicyArgs): Promise<Instruction> {
  const policy = await policyAddress(exchange, owner.address);
  const ix = getPolicySetInstruction({ owner, exchange, policy, args });
  return withRemaining(ix, args.accounts.map((address) => ({ address, role: AccountRole.READONLY })));
}

type Acc = { account: Address; state: Pick<MarginAccount, 'collateral' | 'positions'> };

/**
 * rebalance_accounts with health accounts covering source, destination and the keeper's
 * account, plus the moved bank (the destination's and keeper's slots in it may open).
 */
export function rebalanceAccountsIxs(input: {
  keeper: TransactionSigner;
  keeperAccount: Acc;
  exchange: Address;
  policy: Address;
  source: Acc;
  destination: Acc;
  bank: HealthBank;
  amount: bigint;
  universe: HealthUniverse;
}): Instruction[] {
  const ix = getRebalanceAccountsInstruction({
    keeper: input.keeper,
    keeperAccount: input.keeperAccount.account,
    exchange: input.exchange,
    policy: input.policy,
    source: input.source.account,
    destination: input.destination.account,
    bank: input.bank.address,
    amount: input.amount,
  });
  const health = unionHealthAccountMetas(
    [input.source.state, input.destination.state, input.keeperAccount.state],
    [...input.universe.banks, input.bank],
    input.universe.underlyings,
    { bankIndexes: [input.bank.bank.bankIndex] },
  );
  return [setComputeUnitLimitIx(), withRemaining(ix, health)];
}

/**
 * rebalance_collateral with health accounts covering the account and the keeper's account,
 * plus the quote bank and the converted bank (the keeper's slots in them may open).
 */
export function rebalanceCollateralIxs(input: {
  keeper: TransactionSigner;
  keeperAccount: Acc;
  exchange: Address;
  policy: Address;
  account: Acc;
  quoteBank: HealthBank;
  bank: HealthBank;
  quoteAmount: bigint;
  discountBps: number;
  universe: HealthUniverse;
}): Instruction[] {
  const ix = getRebalanceCollateralInstruction({
    keeper: input.keeper,
    keeperAccount: input.keeperAccount.account,
    exchange: input.exchange,
    policy: input.policy,
    account: input.account.account,
    quoteBank: input.quoteBank.address,
    bank: input.bank.address,
    quoteAmount: input.quoteAmount,
    discountBps: input.discountBps,
  });
  const health = unionHealthAccountMetas(
    [input.account.state, input.keeperAccount.state],
    [...input.universe.banks, input.quoteBank, input.bank],
    input.universe.underlyings as readonly HealthUnderlying[],
    { bankIndexes: [input.quoteBank.bank.bankIndex, input.bank.bank.bankIndex] },
  );
  return [setComputeUnitLimitIx(), withRemaining(ix, health)];
}

/** Owner: creates or replaces its policy; returns the policy address. */
export async function setPolicy(
  client: MaxwellClient,
  owner: TransactionSigner,
  args: PolicyArgs,
): Promise<{ address: Address; result: SendResult }> {
  const result = await sendAndConfirm(client.conn, owner, [await policySetIx(owner, client.exchange, args)]);
  return { address: await policyAddress(client.exchange, owner.address), result };
}

/** The owner's policy on this exchange, or null. */
export async function getPolicy(client: MaxwellClient, owner: Address): Promise<Account<RebalancePolicy> | null> {
  const a = await fetchMaybeRebalancePolicy(client.conn.rpc, await policyAddress(client.exchange, owner), { commitment: COMMITMENT });
  return a.exists ? a : null;
}

/** Every policy of the client's exchange. */
export function policiesOf(client: MaxwellClient): Promise<Account<RebalancePolicy>[]> {
  return getPoliciesOfExchange(client.conn, client.exchange);
}

/**
 * Keeper: moves `amount` native units of `bank`'s token from `source` to `destination` (both
 * listed in `owner`'s policy); the fee goes to `keeper.account`. Throws ProgramFailure
 * (RebalanceNotTriggered, RebalanceSourceBelowTarget, RebalanceLimitExceeded, ...) when refused.
 */
export async function rebalanceAccounts(
  client: MaxwellClient,
  keeper: { account: Address; signer: TransactionSigner },
  owner: Address,
  source: Address,
  destination: Address,
  bank: Address,
  amount: bigint,
): Promise<{ result: SendResult; event: RebalanceAccountsLog }> {
  const [s, d, k, b, policy] = await Promise.all([
    client.marginAccount(source),
    client.marginAccount(destination),
    client.marginAccount(keeper.account),
    client.bank(bank),
    policyAddress(client.exchange, owner),
  ]);
  const universe = await client.universe([s.data, d.data, k.data]);
  const ixs = rebalanceAccountsIxs({
    keeper: keeper.signer,
    keeperAccount: { account: keeper.account, state: k.data },
    exchange: client.exchange,
    policy,
    source: { account: source, state: s.data },
    destination: { account: destination, state: d.data },
    bank: { address: b.address, bank: b.data },
    amount,
    universe,
  });
  const result = await sendAndConfirm(client.conn, keeper.signer, ixs);
  return { result, event: singleEvent(rebalanceAccountsLogs(result.logs), 'RebalanceAccountsLog') };
}

/**
 * Keeper (signs for `keeper.account`): repays `quoteAmount` of `account`'s quote borrow and
 * takes `bank` collateral at the oracle price less `discountBps`.
 */
export async function rebalanceCollateral(
  client: MaxwellClient,
  keeper: { account: Address; signer: TransactionSigner },
  owner: Address,
  account: Address,
  bank: Address,
  quoteAmount: bigint,
  discountBps: number,
): Promise<{ result: SendResult; event: RebalanceCollateralLog }> {
  const [a, k, b, quoteBank, policy] = await Promise.all([
    client.marginAccount(account),
    client.marginAccount(keeper.account),
    client.bank(bank),
    client.quoteBank(),
    policyAddress(client.exchange, owner),
  ]);
  const universe = await client.universe([a.data, k.data]);
  const ixs = rebalanceCollateralIxs({
    keeper: keeper.signer,
    keeperAccount: { account: keeper.account, state: k.data },
    exchange: client.exchange,
    policy,
    account: { account, state: a.data },
    quoteBank,
    bank: { address: b.address, bank: b.data },
    quoteAmount,
    discountBps,
    universe,
  });
  const result = await sendAndConfirm(client.conn, keeper.signer, ixs);
  return { result, event: singleEvent(rebalanceCollateralLogs(result.logs), 'RebalanceCollateralLog') };
}
