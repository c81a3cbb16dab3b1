// Test world for the integration tests: a fresh exchange on the running validator, funded
// traders, and snapshots of every balance a step may change.
import assert from 'node:assert/strict';

import type { Address, KeyPairSigner } from '@solana/kit';

import { collateralBalance, collateralShares, getBank, getMarginAccountsOfExchange } from '../app/src/accounts.js';
import { MaxwellClient } from '../app/src/client.js';
import type { BankRecord, Deployment } from '../app/src/localnet.js';
import { CALL, type OptionKind } from '../app/src/markets.js';
import { updateMockPrice } from '../app/src/oracle.js';
import { bankAt, constants } from '../app/src/rules-wasm.js';
import { fundTokenAccountIxs, tokenBalance } from '../app/src/token.js';
import { connect, sendAndConfirm, type Connection } from '../app/src/transactions.js';
import { fundedSigner, signerFromSecretHex } from '../app/src/wallet.js';
import { deployExchange, SOL_PRICE, type DeployOptions } from '../migrations/deploy.js';

export type Trader = { signer: KeyPairSigner; account: Address; wallet: Record<string, Address> };

export type World = {
  conn: Connection;
  d: Deployment;
  admin: KeyPairSigner;
  client: MaxwellClient;
  usdc: BankRecord;
  sol: BankRecord;
};

/**
 * A fresh exchange with the e2e deployment (lending off: indices 1.0, exact numbers; the 10 s
 * localnet timelock). `opts` overrides the banks' parameters at creation (before anyone
 * deposits: afterwards they change only through the governance queue) or the timelock.
 */
export async function newWorld(opts: Omit<DeployOptions, 'lending'> = {}): Promise<World> {
  const conn = connect();
  const d = await deployExchange(conn, () => {}, { ...opts, lending: 'off' });
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
  const state = await getBank(w.conn, bank.bank);
  return { wallet, margin: collateralBalance(acc.data, state.data), vault };
}

/**
 * Rounding slack allowed between the vault and deposits - borrows once an index has left 1.0:
 * every share conversion rounds in the bank's favour by less than one native unit (deposits
 * floor, borrows ceil, a socialized loss rounds down the deposit index), so the vault may
 * exceed the books by a few units per balance change, never fall below them.
 */
export const CONSERVATION_DUST = 64n;

/**
 * Conservation (README, programs/maxwell/src/state/bank.rs): the bank's share totals equal the
 * sums of the account balances (shares; deposits include the reserve's fee shares), and the
 * vault holds what the books say: deposits - borrows in native units at the stored indices,
 * exactly while both indices are 1.0, otherwise at least that and at most CONSERVATION_DUST
 * above. Returns the native totals.
 */
export async function assertConservation(
  w: World,
  bank: BankRecord,
): Promise<{ vault: bigint; deposits: bigint; borrows: bigint; sumOfBalances: bigint }> {
  const [vault, accounts, state] = await Promise.all([
    tokenBalance(w.conn, bank.vault),
    getMarginAccountsOfExchange(w.conn, w.d.exchange),
    getBank(w.conn, bank.bank),
  ]);
  const b = state.data;
  const shares = accounts.map((a) => collateralShares(a.data, bank.bankIndex));
  const pos = shares.reduce((s, x) => (x > 0n ? s + x : s), 0n);
  const neg = shares.reduce((s, x) => (x < 0n ? s - x : s), 0n);
  assert.equal(b.depositShares, pos + b.feeShares, `${bank.symbol}: deposit shares ${b.depositShares} != sum of positive balances ${pos} + fee shares ${b.feeShares}`);
  assert.equal(b.borrowShares, neg, `${bank.symbol}: borrow shares ${b.borrowShares} != sum of negative balances ${neg}`);
  const { deposits, borrows } = bankAt(b);
  const sumOfBalances = accounts.reduce((s, a) => s + collateralBalance(a.data, b), 0n);
  if (b.depositIndex === constants().indexOne && b.borrowIndex === constants().indexOne) {
    assert.equal(vault, deposits - borrows, `${bank.symbol}: vault ${vault} != deposits ${deposits} - borrows ${borrows} (indices 1.0)`);
    assert.equal(vault, sumOfBalances + b.feeShares, `${bank.symbol}: vault ${vault} != sum of margin balances ${sumOfBalances} + reserve ${b.feeShares}`);
  } else {
    const slack = vault - (deposits - borrows);
    assert.ok(slack >= 0n, `${bank.symbol}: vault ${vault} < deposits ${deposits} - borrows ${borrows}`);
    assert.ok(slack <= CONSERVATION_DUST, `${bank.symbol}: vault ${vault} exceeds deposits - borrows by ${slack} (> ${CONSERVATION_DUST} dust)`);
  }
  return { vault, deposits, borrows, sumOfBalances };
}

/**
 * Expected payoff per contract at `settlement` (quote native), the formula account_settle pays:
 * a call max(settlement - strike, 0), a put max(strike - settlement, 0). A test's expected value,
 * not a client function.
 */
export function intrinsic(kind: OptionKind, strike: bigint, settlement: bigint): bigint {
  const v = kind === CALL ? settlement - strike : strike - settlement;
  return v > 0n ? v : 0n;
}
