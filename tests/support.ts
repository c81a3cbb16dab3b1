// Test world for the integration tests: a fresh exchange on the running validator, funded
// traders, and snapshots of every balance a step may change.
import assert from 'node:assert/strict';

import type { Address, KeyPairSigner } from '@solana/kit';

import { collateralBalance, getBank, getMarginAccountsOfExchange } from '../app/src/accounts.js';
import { MaxwellClient } from '../app/src/client.js';
import type { BankRecord, Deployment } from '../app/src/localnet.js';
import { updateMockPrice } from '../app/src/oracle.js';
import { fundTokenAccountIxs, tokenBalance } from '../app/src/token.js';
import { connect, sendAndConfirm, type Connection } from '../app/src/transactions.js';
import { fundedSigner, signerFromSecretHex } from '../app/src/wallet.js';
import { deployExchange, SOL_PRICE } from '../migrations/deploy.js';

export type Trader = { signer: KeyPairSigner; account: Address; wallet: Record<string, Address> };

export type World = {
  conn: Connection;
  d: Deployment;
  admin: KeyPairSigner;
  client: MaxwellClient;
  usdc: BankRecord;
  sol: BankRecord;
};

export async function newWorld(): Promise<World> {
  const conn = connect();
  const d = await deployExchange(conn);
  const sol = d.collateral.find((b) => b.symbol === 'SOL');
  assert.ok(sol);
  return {
    conn,
    d,
    admin: await signerFromSecretHex(d.adminSecretHex),
    client: new MaxwellClient(conn, d.exchange),
    usdc: d.quote,
    sol,
  };
}

/** A funded trader holding `amounts[symbol]` native units in its token accounts, no margin account yet. */
export async function newTrader(w: World, amounts: Record<string, bigint>): Promise<Omit<Trader, 'account'>> {
  const signer = await fundedSigner(w.conn, 2n);
  const wallet: Record<string, Address> = {};
  for (const b of [w.usdc, w.sol]) {
    const { ata, instructions } = await fundTokenAccountIxs({
      payer: w.admin,
      mintAuthority: w.admin,
      owner: signer.address,
      mint: b.mint,
      decimals: b.decimals,
      tokenProgram: b.tokenProgram,
      amount: amounts[b.symbol] ?? 0n,
    });
    await sendAndConfirm(w.conn, w.admin, instructions);
    wallet[b.symbol] = ata;
  }
  return { signer, wallet };
}

/** Publishes the SOL price again (withdrawals need one younger than 60 s). */
export async function refreshSolPrice(w: World): Promise<void> {
  await updateMockPrice(w.conn, w.admin, w.sol.oracle!, { feedId: Buffer.from(w.sol.feedId!, 'hex'), ...SOL_PRICE });
}

/** Publishes SOL at `price` (Pyth mantissa, SOL_PRICE's exponent and confidence), at `publishTime` or now. */
export async function setSolPrice(w: World, price: bigint, publishTime?: bigint): Promise<void> {
  await updateMockPrice(w.conn, w.admin, w.sol.oracle!, {
    feedId: Buffer.from(w.sol.feedId!, 'hex'),
    ...SOL_PRICE,
    price,
    ...(publishTime === undefined ? {} : { publishTime }),
  });
}

export type Snapshot = { wallet: bigint; margin: bigint; vault: bigint };

/** The trader's wallet and margin balances in `bank`, and the bank's vault. */
export async function snapshot(w: World, t: Trader, bank: BankRecord): Promise<Snapshot> {
  const [wallet, acc, vault] = await Promise.all([
    tokenBalance(w.conn, t.wallet[bank.symbol]!),
    w.client.marginAccount(t.account),
    tokenBalance(w.conn, bank.vault),
  ]);
  return { wallet, margin: collateralBalance(acc.data, bank.bankIndex), vault };
}

/** Conservation: vault amount == sum of every margin account's balance == bank total deposits. */
export async function assertConservation(w: World, bank: BankRecord): Promise<void> {
  const [vault, accounts, state] = await Promise.all([
    tokenBalance(w.conn, bank.vault),
    getMarginAccountsOfExchange(w.conn, w.d.exchange),
    getBank(w.conn, bank.bank),
  ]);
  const sum = accounts.reduce((s, a) => s + collateralBalance(a.data, bank.bankIndex), 0n);
  assert.equal(vault, sum, `${bank.symbol}: vault ${vault} != sum of margin balances ${sum}`);
  assert.equal(state.data.totalDeposits - state.data.totalBorrows, vault, `${bank.symbol}: bank totals != vault`);
}
