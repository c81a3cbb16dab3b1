// Governance (docs/governance.md; programs/maxwell/src/instructions/gov_*.rs, admin_transfer.rs,
// vol_breaker_clear.rs): a change that can move an existing account's health or the protocol's
// risk is queued as a Proposal PDA `["proposal", exchange, id u64 LE]` by the admin (any change)
// or the risk role (parameter changes), visible with its unlock time, executed by ANYONE from
// then (the keeper does it every pass: keeper/governance.ts), or cancelled by the admin, the
// guardian or its proposer. Each execution is bounded per step and validated again against the
// values of the moment. The admin changes by a two-step transfer; the guardian clears a tripped
// volatility breaker.
import type { Account, Address, Instruction, TransactionSigner } from '@solana/kit';

import { getExchange, getProposal, getProposalsOfExchange, type CollateralBank, type Proposal } from './accounts.js';
import type { MaxwellClient } from './client.js';
import {
  adminTransferLogs,
  govCancelledLogs,
  govExecutedLogs,
  govProposedLogs,
  singleEvent,
  volBreakerLogs,
  type AdminTransferLog,
  type GovCancelledLog,
  type GovExecutedLog,
  type GovProposedLog,
  type VolBreakerLog,
} from './events.js';
import {
  getAdminTransferAcceptInstruction,
  getAdminTransferProposeInstruction,
  getGovCancelInstruction,
  getGovExecuteInstruction,
  getGovProposeInstructionAsync,
  getVolBreakerClearInstruction,
  type Change,
  type ChangeArgs,
} from './generated/maxwell/index.js';
import type { BankParams } from './instructions.js';
import { proposalAddress } from './pdas.js';
import { sendAndConfirm, type SendResult } from './transactions.js';

export type { Change, ChangeArgs, Proposal };

/** Proposal.state (programs/maxwell/src/state/governance.rs). */
export const PROPOSAL_PENDING = 0;
export const PROPOSAL_EXECUTED = 1;
export const PROPOSAL_CANCELLED = 2;

/** `Change::kind()`: the variant number in events (GovProposedLog.kind, ...), by position. */
export const CHANGE_KINDS = [
  'BankParams',
  'ExchangeParams',
  'UnderlyingLimits',
  'UnderlyingOracle',
  'VolOracle',
  'OiCap',
  'Roles',
  'Timelock',
  'Breakers',
  'SettlementPrice',
] as const satisfies readonly Change['__kind'][];

export function changeKind(change: Pick<Change, '__kind'>): number {
  return CHANGE_KINDS.indexOf(change.__kind);
}

/**
 * The account a change names (gov_propose and gov_execute take it as their optional `bank` or
 * `underlying`; the program refuses a missing or different one with ProposalTargetMismatch).
 */
export function changeTarget(change: Change | ChangeArgs): { bank?: Address; underlying?: Address } {
  switch (change.__kind) {
    case 'BankParams':
      return { bank: change.bank };
    case 'UnderlyingLimits':
    case 'UnderlyingOracle':
    case 'VolOracle':
    case 'OiCap':
    case 'SettlementPrice':
      return { underlying: change.underlying };
    default:
      return {};
  }
}

/**
 * A bank's parameters as they are now, in argument form: the starting point of a
 * `BankParams` change (the program replaces all of them; the feed id cannot change).
 */
export function currentBankParams(b: CollateralBank): BankParams {
  const { kinkUtilBps, baseRateBps, kinkRateBps, maxRateBps, reserveBps } = b.rate;
  return {
    feedId: b.feedId,
    oracleMaxAgeSecs: b.oracleMaxAgeSecs,
    oracleMaxConfBps: b.oracleMaxConfBps,
    initAssetWeightBps: b.initAssetWeightBps,
    maintAssetWeightBps: b.maintAssetWeightBps,
    initLiabWeightBps: b.initLiabWeightBps,
    maintLiabWeightBps: b.maintLiabWeightBps,
    depositCap: b.depositCap,
    borrowCap: b.borrowCap,
    rate: { kinkUtilBps, baseRateBps, kinkRateBps, maxRateBps, reserveBps },
  };
}

// ---- instructions ----

/** Admin or risk role: queues `change` as proposal `id` (must be the exchange's `gov.proposalCount`). */
export function govProposeIx(input: { proposer: TransactionSigner; exchange: Address; id: bigint; change: ChangeArgs }): Promise<Instruction> {
  return getGovProposeInstructionAsync({ ...input, ...changeTarget(input.change) });
}

/** Anyone, from the unlock time: applies the proposal's change (its target passed from the change). */
export function govExecuteIx(input: { executor: TransactionSigner; exchange: Address; proposal: Address; change: Change }): Instruction {
  const { change, ...accounts } = input;
  return getGovExecuteInstruction({ ...accounts, ...changeTarget(change) });
}

/** The admin, the guardian or the proposer: cancels a pending proposal. */
export function govCancelIx(input: { signer: TransactionSigner; exchange: Address; proposal: Address }): Instruction {
  return getGovCancelInstruction(input);
}

/** Admin: names a successor (the default address withdraws the offer). */
export function adminTransferProposeIx(input: { admin: TransactionSigner; exchange: Address; newAdmin: Address }): Instruction {
  return getAdminTransferProposeInstruction(input);
}

/** The named successor: becomes the admin. */
export function adminTransferAcceptIx(input: { newAdmin: TransactionSigner; exchange: Address }): Instruction {
  return getAdminTransferAcceptInstruction(input);
}

/** Guardian or admin: clears an underlying's volatility breaker (and restarts its window). */
export function volBreakerClearIx(input: { guardian: TransactionSigner; exchange: Address; underlying: Address }): Instruction {
  return getVolBreakerClearInstruction(input);
}

// ---- client ----

/** The id the next proposal must take: the exchange's `gov.proposalCount`. */
export async function nextProposalId(client: MaxwellClient): Promise<bigint> {
  return (await getExchange(client.conn, client.exchange)).data.gov.proposalCount;
}

/**
 * Queues `change` under the next id (read from the exchange just before; two proposers racing
 * for one id: the second is refused and proposes again). Returns the GovProposedLog, which
 * carries the unlock time.
 */
export async function proposeChange(
  client: MaxwellClient,
  proposer: TransactionSigner,
  change: ChangeArgs,
): Promise<{ id: bigint; proposal: Address; result: SendResult; event: GovProposedLog }> {
  const id = await nextProposalId(client);
  const ix = await govProposeIx({ proposer, exchange: client.exchange, id, change });
  const result = await sendAndConfirm(client.conn, proposer, [ix]);
  return { id, proposal: await proposalAddress(client.exchange, id), result, event: singleEvent(govProposedLogs(result.logs), 'GovProposedLog') };
}

/** Executes a proposal (by address, or as fetched); `executor` signs and pays. */
export async function executeProposal(
  client: MaxwellClient,
  executor: TransactionSigner,
  proposal: Address | Account<Proposal>,
): Promise<{ result: SendResult; event: GovExecutedLog }> {
  const p = typeof proposal === 'string' ? await getProposal(client.conn, proposal) : proposal;
  const ix = govExecuteIx({ executor, exchange: client.exchange, proposal: p.address, change: p.data.change });
  const result = await sendAndConfirm(client.conn, executor, [ix]);
  return { result, event: singleEvent(govExecutedLogs(result.logs), 'GovExecutedLog') };
}

export async function cancelProposal(
  client: MaxwellClient,
  signer: TransactionSigner,
  proposal: Address,
): Promise<{ result: SendResult; event: GovCancelledLog }> {
  const result = await sendAndConfirm(client.conn, signer, [govCancelIx({ signer, exchange: client.exchange, proposal })]);
  return { result, event: singleEvent(govCancelledLogs(result.logs), 'GovCancelledLog') };
}

export async function proposeAdminTransfer(
  client: MaxwellClient,
  admin: TransactionSigner,
  newAdmin: Address,
): Promise<{ result: SendResult; event: AdminTransferLog }> {
  const result = await sendAndConfirm(client.conn, admin, [adminTransferProposeIx({ admin, exchange: client.exchange, newAdmin })]);
  return { result, event: singleEvent(adminTransferLogs(result.logs), 'AdminTransferLog') };
}

export async function acceptAdminTransfer(client: MaxwellClient, newAdmin: TransactionSigner): Promise<{ result: SendResult; event: AdminTransferLog }> {
  const result = await sendAndConfirm(client.conn, newAdmin, [adminTransferAcceptIx({ newAdmin, exchange: client.exchange })]);
  return { result, event: singleEvent(adminTransferLogs(result.logs), 'AdminTransferLog') };
}

export async function clearVolBreaker(
  client: MaxwellClient,
  guardian: TransactionSigner,
  underlying: Address,
): Promise<{ result: SendResult; event: VolBreakerLog }> {
  const result = await sendAndConfirm(client.conn, guardian, [volBreakerClearIx({ guardian, exchange: client.exchange, underlying })]);
  return { result, event: singleEvent(volBreakerLogs(result.logs), 'VolBreakerLog') };
}

/** Every proposal of the exchange (pending, executed, cancelled), by id (one getProgramAccounts). */
export function listProposals(client: MaxwellClient): Promise<Account<Proposal>[]> {
  return getProposalsOfExchange(client.conn, client.exchange);
}

/** Pending proposals executable at `now` (cluster time, unix seconds): unlock time reached, by id. */
export function dueProposals<T extends { data: Pick<Proposal, 'id' | 'state' | 'unlockTs'> }>(proposals: readonly T[], now: bigint): T[] {
  return proposals
    .filter((p) => p.data.state === PROPOSAL_PENDING && p.data.unlockTs <= now)
    .sort((a, b) => (a.data.id < b.data.id ? -1 : a.data.id > b.data.id ? 1 : 0));
}
