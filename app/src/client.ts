// The Maxwell client: fetches the state an instruction depends on, builds it (instructions.ts,
// health accounts attached), sends it (transactions.ts) and returns the decoded event.
import type { Account, Address, TransactionSigner } from '@solana/kit';

import {
  getBanksOfExchange,
  getMarginAccount,
  getMarginAccountsOfOwner,
  type CollateralBank,
  type MarginAccount,
} from './accounts.js';
import { depositLogs, withdrawLogs, type DepositLog, type WithdrawLog } from './events.js';
import { accountCloseIx, accountCreateIx, depositIx, withdrawIx, type CollateralMove } from './instructions.js';
import { marginAccountAddress } from './pdas.js';
import { sendAndConfirm, type Connection, type SendResult } from './transactions.js';

export class MaxwellClient {
  private banks = new Map<number, Account<CollateralBank>>();

  constructor(
    readonly conn: Connection,
    readonly exchange: Address,
  ) {}

  /** The exchange's banks by index (cached; refreshed when an unknown index shows up). */
  async banksByIndex(refresh = false): Promise<Map<number, Account<CollateralBank>>> {
    if (refresh || this.banks.size === 0) this.banks = await getBanksOfExchange(this.conn, this.exchange);
    return this.banks;
  }

  async bank(address: Address): Promise<Account<CollateralBank>> {
    const find = (m: Map<number, Account<CollateralBank>>) => [...m.values()].find((b) => b.address === address);
    const b = find(await this.banksByIndex()) ?? find(await this.banksByIndex(true));
    if (!b) throw new Error(`bank ${address} is not a bank of exchange ${this.exchange}`);
    return b;
  }

  marginAccountAddress(owner: Address, id: number): Promise<Address> {
    return marginAccountAddress(this.exchange, owner, id);
  }

  marginAccount(address: Address): Promise<Account<MarginAccount>> {
    return getMarginAccount(this.conn, address);
  }

  async marginAccountsOf(owner: Address): Promise<Account<MarginAccount>[]> {
    return (await getMarginAccountsOfOwner(this.conn, owner)).filter((a) => a.data.exchange === this.exchange);
  }

  async createAccount(owner: TransactionSigner, id: number): Promise<{ address: Address; result: SendResult }> {
    const result = await sendAndConfirm(this.conn, owner, [await accountCreateIx(owner, this.exchange, id)]);
    return { address: await this.marginAccountAddress(owner.address, id), result };
  }

  async closeAccount(owner: TransactionSigner, account: Address, rentDestination = owner.address): Promise<SendResult> {
    return sendAndConfirm(this.conn, owner, [accountCloseIx(owner, this.exchange, account, rentDestination)]);
  }

  /** Deposits `amount` native units of the bank's mint from `source`; returns the DepositLog. */
  async deposit(
    signer: TransactionSigner,
    account: Address,
    bank: Address,
    source: Address,
    amount: bigint,
  ): Promise<{ result: SendResult; event: DepositLog }> {
    const move = await this.move(account, bank, amount);
    const result = await sendAndConfirm(this.conn, signer, [depositIx(signer, source, move)]);
    return { result, event: single(depositLogs(result.logs), 'DepositLog') };
  }

  /** Withdraws `amount` native units to `destination`; returns the WithdrawLog. */
  async withdraw(
    owner: TransactionSigner,
    account: Address,
    bank: Address,
    destination: Address,
    amount: bigint,
  ): Promise<{ result: SendResult; event: WithdrawLog }> {
    const move = await this.move(account, bank, amount);
    const result = await sendAndConfirm(this.conn, owner, [withdrawIx(owner, destination, move)]);
    return { result, event: single(withdrawLogs(result.logs), 'WithdrawLog') };
  }

  private async move(account: Address, bank: Address, amount: bigint): Promise<CollateralMove> {
    const [acc, b] = await Promise.all([this.marginAccount(account), this.bank(bank)]);
    let banks = await this.banksByIndex();
    const needed = acc.data.collateral.filter((s) => s.inUse === 1).map((s) => s.bankIndex);
    if (needed.some((i) => !banks.has(i))) banks = await this.banksByIndex(true);
    return {
      exchange: this.exchange,
      account,
      accountState: acc.data,
      bank,
      bankState: b.data,
      banks: [...banks.values()].map((x) => ({ address: x.address, bank: x.data })),
      amount,
    };
  }
}

function single<T>(events: T[], name: string): T {
  if (events.length !== 1) throw new Error(`expected one ${name}, found ${events.length}`);
  return events[0]!;
}
