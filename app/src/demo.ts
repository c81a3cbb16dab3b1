// The foundation demo (scripts/demo.sh): two traders open margin accounts, deposit USDC and SOL,
// withdraw some, and see their balances and health; then an over-withdrawal is refused.
// Needs a deployed exchange (migrations/deploy.ts -> target/localnet.json).
import type { Address, KeyPairSigner } from '@solana/kit';

import { collateralBalance } from './accounts.js';
import { MaxwellClient } from './client.js';
import { formatUnits, parseUnits, table } from './format.js';
import { loadDeployment, type BankRecord } from './localnet.js';
import { updateMockPrice } from './oracle.js';
import { fundTokenAccountIxs, tokenBalance } from './token.js';
import { connect, ProgramFailure, sendAndConfirm, type Connection } from './transactions.js';
import { fundedSigner, signerFromSecretHex } from './wallet.js';

type Trader = { name: string; signer: KeyPairSigner; account: Address; wallet: Map<string, Address> };

const d = loadDeployment();
const conn = connect();
const client = new MaxwellClient(conn, d.exchange);
const usdc = d.quote;
const sol = d.collateral.find((b) => b.symbol === 'SOL')!;
const banks = [usdc, sol];
const units = (b: BankRecord, s: string) => parseUnits(s, b.decimals);
const fmt = (b: BankRecord, x: bigint) => formatUnits(x, b.decimals);
const usd = (x: bigint) => formatUnits(x, usdc.decimals, 2);
const healthRows: string[][] = [];

async function newTrader(conn: Connection, admin: KeyPairSigner, name: string, id: number, funds: Record<string, string>) {
  const signer = await fundedSigner(conn, 2n);
  const wallet = new Map<string, Address>();
  for (const b of banks) {
    const { ata, instructions } = await fundTokenAccountIxs({
      payer: admin, mintAuthority: admin, owner: signer.address, mint: b.mint,
      decimals: b.decimals, tokenProgram: b.tokenProgram, amount: units(b, funds[b.symbol] ?? '0'),
    });
    await sendAndConfirm(conn, admin, instructions);
    wallet.set(b.symbol, ata);
  }
  const { address } = await client.createAccount(signer, id);
  console.log(`${name}: wallet ${signer.address}, margin account ${address}`);
  return { name, signer, account: address, wallet } satisfies Trader;
}

async function deposit(t: Trader, b: BankRecord, amount: string) {
  const { event, result } = await client.deposit(t.signer, t.account, b.bank, t.wallet.get(b.symbol)!, units(b, amount));
  healthRows.push([t.name, `deposit ${amount} ${b.symbol}`, fmt(b, event.balanceAfter), usd(event.initHealth), usd(event.maintHealth), `${result.computeUnitsConsumed ?? '?'}`]);
}

async function withdraw(t: Trader, b: BankRecord, amount: string) {
  const { event, result } = await client.withdraw(t.signer, t.account, b.bank, t.wallet.get(b.symbol)!, units(b, amount));
  healthRows.push([t.name, `withdraw ${amount} ${b.symbol}`, fmt(b, event.balanceAfter), usd(event.initHealth), usd(event.maintHealth), `${result.computeUnitsConsumed ?? '?'}`]);
}

async function printBalances(traders: Trader[]) {
  const rows: string[][] = [];
  for (const t of traders) {
    const acc = (await client.marginAccount(t.account)).data;
    const cells = [t.name];
    for (const b of banks) cells.push(fmt(b, await tokenBalance(conn, t.wallet.get(b.symbol)!)));
    for (const b of banks) cells.push(fmt(b, collateralBalance(acc, b.bankIndex)));
    cells.push(usd(acc.initHealth), usd(acc.maintHealth));
    rows.push(cells);
  }
  console.log('\nBalances and cached health (health in USDC)');
  console.log(table(['trader', 'wallet USDC', 'wallet SOL', 'margin USDC', 'margin SOL', 'init health', 'maint health'], rows));

  const vaultRows: string[][] = [];
  for (const b of banks) {
    let sum = 0n;
    for (const t of traders) sum += collateralBalance((await client.marginAccount(t.account)).data, b.bankIndex);
    const vault = await tokenBalance(conn, b.vault);
    vaultRows.push([b.symbol, fmt(b, vault), fmt(b, sum), vault === sum ? 'yes' : 'NO']);
  }
  console.log('\nVaults (conservation: vault amount = sum of margin balances)');
  console.log(table(['bank', 'vault', 'sum of accounts', 'conserved'], vaultRows));
}

async function main() {
  const admin = await signerFromSecretHex(d.adminSecretHex);
  console.log(`exchange ${d.exchange}; SOL oracle ${sol.oracle} (mock Pyth, TEST ONLY)\n`);
  const alice = await newTrader(conn, admin, 'alice', 0, { USDC: '10000', SOL: '20' });
  const bob = await newTrader(conn, admin, 'bob', 0, { USDC: '5000', SOL: '50' });

  await deposit(alice, usdc, '5000');
  await deposit(alice, sol, '10');
  await deposit(bob, usdc, '2000');
  await deposit(bob, sol, '40');
  // Withdrawals need a fresh price (60 s max age): publish one now, as a keeper would.
  await updateMockPrice(conn, admin, sol.oracle!, { feedId: Buffer.from(sol.feedId!, 'hex'), price: 15_000_000_000n, conf: 5_000_000n, exponent: -8 });
  await withdraw(alice, usdc, '1000');
  await withdraw(bob, sol, '5.5');

  console.log('\nSteps (from DepositLog / WithdrawLog; health in USDC, SOL at 150.00)');
  console.log(table(['trader', 'action', 'balance after', 'init health', 'maint health', 'CU'], healthRows));
  await printBalances([alice, bob]);

  const list = await client.marginAccountsOf(alice.signer.address);
  console.log(`\ngetProgramAccounts(owner = alice): ${list.map((a) => `${a.address} (id ${a.data.id})`).join(', ')}`);

  const tooMuch = '4500';
  console.log(`\nalice withdraws ${tooMuch} USDC (her balance is 4,000):`);
  try {
    await client.withdraw(alice.signer, alice.account, usdc.bank, alice.wallet.get('USDC')!, units(usdc, tooMuch));
    throw new Error('the over-withdrawal was accepted');
  } catch (e) {
    if (!(e instanceof ProgramFailure)) throw e;
    console.log(`  refused: ${e.errorName} (error code ${e.code})`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error('demo failed:', e);
    process.exit(1);
  },
);
