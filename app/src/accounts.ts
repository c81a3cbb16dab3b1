// Reading Maxwell state: typed fetches (generated decoders) and the getProgramAccounts scans
// that rely on the ABI offsets documented in programs/maxwell/src/state (owner @ 40).
import {
  getBase58Decoder,
  parseBase64RpcAccount,
  type Account,
  type Address,
  type Base58EncodedBytes,
} from '@solana/kit';

import {
  COLLATERAL_BANK_DISCRIMINATOR,
  decodeCollateralBank,
  decodeMarginAccount,
  getCollateralBankSize,
  fetchAllCollateralBank,
  fetchCollateralBank,
  fetchExchange,
  fetchMarginAccount,
  getMarginAccountSize,
  MARGIN_ACCOUNT_DISCRIMINATOR,
  MAXWELL_PROGRAM_ADDRESS,
  type CollateralBank,
  type Exchange,
  type MarginAccount,
} from './generated/maxwell/index.js';
import { COMMITMENT } from './config.js';
import type { Connection } from './transactions.js';

export type { CollateralBank, Exchange, MarginAccount };

/** ABI: offset of `MarginAccount.owner` (after the 8-byte discriminator). */
export const MARGIN_ACCOUNT_OWNER_OFFSET = 40n;

export async function getExchange(conn: Connection, address: Address): Promise<Account<Exchange>> {
  return fetchExchange(conn.rpc, address, { commitment: COMMITMENT });
}

export async function getBank(conn: Connection, address: Address): Promise<Account<CollateralBank>> {
  return fetchCollateralBank(conn.rpc, address, { commitment: COMMITMENT });
}

export async function getBanks(conn: Connection, addresses: Address[]): Promise<Account<CollateralBank>[]> {
  return fetchAllCollateralBank(conn.rpc, addresses, { commitment: COMMITMENT });
}

export async function getMarginAccount(conn: Connection, address: Address): Promise<Account<MarginAccount>> {
  return fetchMarginAccount(conn.rpc, address, { commitment: COMMITMENT });
}

/** Every margin account of `owner` (all exchanges), via getProgramAccounts with memcmp filters. */
export async function getMarginAccountsOfOwner(conn: Connection, owner: Address): Promise<Account<MarginAccount>[]> {
  const discriminator = getBase58Decoder().decode(MARGIN_ACCOUNT_DISCRIMINATOR) as Base58EncodedBytes;
  const found = await conn.rpc
    .getProgramAccounts(MAXWELL_PROGRAM_ADDRESS, {
      commitment: COMMITMENT,
      encoding: 'base64',
      filters: [
        { dataSize: BigInt(getMarginAccountSize()) },
        { memcmp: { offset: 0n, bytes: discriminator, encoding: 'base58' } },
        { memcmp: { offset: MARGIN_ACCOUNT_OWNER_OFFSET, bytes: owner as string as Base58EncodedBytes, encoding: 'base58' } },
      ],
    })
    .send();
  return found
    .map(({ pubkey, account }) => decodeMarginAccount(parseBase64RpcAccount(pubkey, account)))
    .sort((a, b) => a.data.id - b.data.id);
}

/** The balance (native units) of `account` in the bank with `bankIndex`; 0 if it has no slot. */
export function collateralBalance(account: MarginAccount, bankIndex: number): bigint {
  const slot = account.collateral.find((s) => s.inUse === 1 && s.bankIndex === bankIndex);
  return slot?.balance ?? 0n;
}

/** ABI: offset of `CollateralBank.exchange`. */
export const BANK_EXCHANGE_OFFSET = 8n;

/** Every bank of `exchange`, keyed by bank index (getProgramAccounts, exchange @ 8). */
export async function getBanksOfExchange(
  conn: Connection,
  exchange: Address,
): Promise<Map<number, Account<CollateralBank>>> {
  const discriminator = getBase58Decoder().decode(COLLATERAL_BANK_DISCRIMINATOR) as Base58EncodedBytes;
  const found = await conn.rpc
    .getProgramAccounts(MAXWELL_PROGRAM_ADDRESS, {
      commitment: COMMITMENT,
      encoding: 'base64',
      filters: [
        { dataSize: BigInt(getCollateralBankSize()) },
        { memcmp: { offset: 0n, bytes: discriminator, encoding: 'base58' } },
        { memcmp: { offset: BANK_EXCHANGE_OFFSET, bytes: exchange as string as Base58EncodedBytes, encoding: 'base58' } },
      ],
    })
    .send();
  const banks = found.map(({ pubkey, account }) => decodeCollateralBank(parseBase64RpcAccount(pubkey, account)));
  return new Map(banks.map((b) => [b.data.bankIndex, b]));
}
