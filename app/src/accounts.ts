// Reading Maxwell state: typed fetches (generated decoders) and getProgramAccounts scans that
// rely on the ABI offsets documented in programs/maxwell/src/state (exchange @ 8, owner @ 40).
import {
  getBase58Decoder,
  parseBase64RpcAccount,
  type Account,
  type Address,
  type Base58EncodedBytes,
  type EncodedAccount,
  type ReadonlyUint8Array,
} from '@solana/kit';

import {
  COLLATERAL_BANK_DISCRIMINATOR,
  decodeCollateralBank,
  decodeMarginAccount,
  decodeUnderlying,
  fetchCollateralBank,
  fetchExchange,
  fetchMarginAccount,
  fetchUnderlying,
  getCollateralBankSize,
  getMarginAccountSize,
  getUnderlyingSize,
  MARGIN_ACCOUNT_DISCRIMINATOR,
  MAXWELL_PROGRAM_ADDRESS,
  PROPOSAL_DISCRIMINATOR,
  decodeProposal,
  fetchProposal,
  type Proposal,
  REBALANCE_POLICY_DISCRIMINATOR,
  decodeRebalancePolicy,
  getRebalancePolicySize,
  type RebalancePolicy,
  UNDERLYING_DISCRIMINATOR,
  type CollateralBank,
  type Exchange,
  type MarginAccount,
  type Underlying,
} from './generated/maxwell/index.js';
import { COMMITMENT } from './config.js';
import { shareValue } from './rules-wasm.js';
import type { Connection } from './transactions.js';

export type { CollateralBank, Exchange, MarginAccount, Proposal, RebalancePolicy, Underlying };

/** ABI offsets (after the 8-byte discriminator) used by the scans below. */
export const OFFSETS = {
  marginAccountExchange: 8n,
  marginAccountOwner: 40n,
  bankExchange: 8n,
  underlyingExchange: 8n,
  policyExchange: 8n,
  policyOwner: 40n,
  proposalExchange: 8n,
} as const;

export async function getExchange(conn: Connection, address: Address): Promise<Account<Exchange>> {
  return fetchExchange(conn.rpc, address, { commitment: COMMITMENT });
}

export async function getBank(conn: Connection, address: Address): Promise<Account<CollateralBank>> {
  return fetchCollateralBank(conn.rpc, address, { commitment: COMMITMENT });
}

export async function getMarginAccount(conn: Connection, address: Address): Promise<Account<MarginAccount>> {
  return fetchMarginAccount(conn.rpc, address, { commitment: COMMITMENT });
}

export async function getUnderlying(conn: Connection, address: Address): Promise<Account<Underlying>> {
  return fetchUnderlying(conn.rpc, address, { commitment: COMMITMENT });
}

/** Maxwell accounts of one type (discriminator, and size when fixed) whose `offset` holds `key`. */
async function scan(
  conn: Connection,
  type: { discriminator: ReadonlyUint8Array; size: number | null },
  offset: bigint,
  key: Address,
): Promise<EncodedAccount[]> {
  const b58 = (s: string) => s as Base58EncodedBytes;
  const found = await conn.rpc
    .getProgramAccounts(MAXWELL_PROGRAM_ADDRESS, {
      commitment: COMMITMENT,
      encoding: 'base64',
      filters: [
        ...(type.size === null ? [] : [{ dataSize: BigInt(type.size) }]),
        { memcmp: { offset: 0n, bytes: b58(getBase58Decoder().decode(type.discriminator)), encoding: 'base58' } },
        { memcmp: { offset, bytes: b58(key), encoding: 'base58' } },
      ],
    })
    .send();
  return found.map(({ pubkey, account }) => parseBase64RpcAccount(pubkey, account));
}

const MARGIN = { discriminator: MARGIN_ACCOUNT_DISCRIMINATOR, size: getMarginAccountSize() };
const BANK = { discriminator: COLLATERAL_BANK_DISCRIMINATOR, size: getCollateralBankSize() };
const UNDERLYING = { discriminator: UNDERLYING_DISCRIMINATOR, size: getUnderlyingSize() };

const POLICY = { discriminator: REBALANCE_POLICY_DISCRIMINATOR, size: getRebalancePolicySize() };
/** A Proposal is borsh (its Change has variants of different sizes): no size filter. */
const PROPOSAL = { discriminator: PROPOSAL_DISCRIMINATOR, size: null };

/** Every governance proposal of `exchange` (discriminator + exchange @ 8), by id. */
export async function getProposalsOfExchange(conn: Connection, exchange: Address): Promise<Account<Proposal>[]> {
  const found = (await scan(conn, PROPOSAL, OFFSETS.proposalExchange, exchange)).map((a) => decodeProposal(a));
  return found.sort((a, b) => (a.data.id < b.data.id ? -1 : a.data.id > b.data.id ? 1 : 0));
}

export async function getProposal(conn: Connection, address: Address): Promise<Account<Proposal>> {
  return fetchProposal(conn.rpc, address, { commitment: COMMITMENT });
}

/** Every rebalance policy of `exchange` (discriminator + exchange @ 8). */
export async function getPoliciesOfExchange(conn: Connection, exchange: Address): Promise<Account<RebalancePolicy>[]> {
  return (await scan(conn, POLICY, OFFSETS.policyExchange, exchange)).map((a) => decodeRebalancePolicy(a));
}

/** Every margin account of `owner` (all exchanges), by id. */
export async function getMarginAccountsOfOwner(conn: Connection, owner: Address): Promise<Account<MarginAccount>[]> {
  const found = await scan(conn, MARGIN, OFFSETS.marginAccountOwner, owner);
  return found.map((a) => decodeMarginAccount(a)).sort((a, b) => a.data.id - b.data.id);
}

/** Every margin account of `exchange`. */
export async function getMarginAccountsOfExchange(conn: Connection, exchange: Address): Promise<Account<MarginAccount>[]> {
  return (await scan(conn, MARGIN, OFFSETS.marginAccountExchange, exchange)).map((a) => decodeMarginAccount(a));
}

/** Every bank of `exchange`, keyed by bank index. */
export async function getBanksOfExchange(
  conn: Connection,
  exchange: Address,
): Promise<Map<number, Account<CollateralBank>>> {
  const banks = (await scan(conn, BANK, OFFSETS.bankExchange, exchange)).map((a) => decodeCollateralBank(a));
  return new Map(banks.map((b) => [b.data.bankIndex, b]));
}

/** Every underlying of `exchange` (about 40 KB each), keyed by underlying index. */
export async function getUnderlyingsOfExchange(
  conn: Connection,
  exchange: Address,
): Promise<Map<number, Account<Underlying>>> {
  const found = (await scan(conn, UNDERLYING, OFFSETS.underlyingExchange, exchange)).map((a) => decodeUnderlying(a));
  return new Map(found.map((u) => [u.data.underlyingIndex, u]));
}

/** The signed size of `account`'s position in series `seriesIndex` of underlying `underlyingIndex`; 0 if none. */
export function positionSize(account: MarginAccount, underlyingIndex: number, seriesIndex: number): bigint {
  const p = account.positions.find((x) => x.inUse === 1 && x.underlyingIndex === underlyingIndex && x.seriesIndex === seriesIndex);
  return p?.size ?? 0n;
}

/** The raw balance (shares) of `account` in the bank with `bankIndex`; 0 if it has no slot. */
export function collateralShares(account: Pick<MarginAccount, 'collateral'>, bankIndex: number): bigint {
  const slot = account.collateral.find((s) => s.inUse === 1 && s.bankIndex === bankIndex);
  return slot?.balance ?? 0n;
}

/**
 * The balance of `account` in `bank`, in NATIVE units of its mint (negative = borrowed): its
 * shares valued by the program's `BankIndex::value` (rules-wasm.ts shareValue) at the bank's
 * indices accrued to `now` (default: its stored indices). 0 if it has no slot.
 */
export function collateralBalance(account: Pick<MarginAccount, 'collateral'>, bank: CollateralBank, now?: bigint): bigint {
  return shareValue(collateralShares(account, bank.bankIndex), bank, now);
}
