// The demo (scripts/demo.sh). Foundation: two traders open margin accounts, deposit USDC and
// SOL, withdraw some, and see their balances and health; an over-withdrawal is refused.
// Markets: the admin lists SOL options expiring in under a minute, sets the volatility surface
// and refreshes the risk arrays; bob writes calls to alice against his SOL; both see their
// portfolio health; once the validator's clock passes the expiry, the expiry gets its
// settlement price and both accounts are cash-settled in USDC.
// Price shock: the admin creates and funds the insurance fund; on a second SOL underlying with a
// one-day expiry carol writes calls to dave on thin margin; SOL jumps 25% (mock Pyth); one keeper
// pass (app/src/keeper/pass.ts, as `npm run keeper -- --once`) refreshes the risk arrays and
// liquidates carol into its own margin account; every vault still equals the sum of balances.
// Needs a deployed exchange (migrations/deploy.ts -> target/localnet.json).
import type { Address, KeyPairSigner } from '@solana/kit';

import { collateralBalance, getMarginAccountsOfExchange, positionSize } from './accounts.js';
import { MaxwellClient } from './client.js';
import { clusterTime, waitForClusterTime } from './clock.js';
import { formatUnits, parseUnits, table } from './format.js';
import { jsonLine, type Logger } from './keeper/log.js';
import { runPass } from './keeper/pass.js';
import { createInsurance, fundInsurance, insuranceOf } from './liquidation.js';
import { loadDeployment, type BankRecord } from './localnet.js';
import { CALL, PUT, seriesIndex, type OptionKind } from './markets.js';
import { updateMockPrice } from './oracle.js';
import { sviFor } from './svi.js';
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

/** Publishes SOL/USD (mantissa at exponent -8) now, or at `publishTime`, as a keeper would. */
async function publishSol(admin: KeyPairSigner, price: bigint, publishTime?: bigint) {
  await updateMockPrice(conn, admin, sol.oracle!, {
    feedId: Buffer.from(sol.feedId!, 'hex'), price, conf: 5_000_000n, exponent: -8, ...(publishTime ? { publishTime } : {}),
  });
}

async function printHealth(traders: Trader[], title: string) {
  const rows: string[][] = [];
  for (const t of traders) {
    const h = await client.health(t.account, t.signer.address); // account_health, simulated: its return data
    rows.push([t.name, usd(h.optionValue), usd(h.initialRequirement), usd(h.maintenanceRequirement), usd(h.initHealth), usd(h.maintHealth)]);
  }
  console.log(`\n${title} (account_health return data, USDC)`);
  console.log(table(['trader', 'option value', 'initial req', 'maint req', 'init health', 'maint health'], rows));
}

/** Seconds from listing to expiry: the steps before the trade take a few seconds. */
const EXPIRY_IN = 45n;

async function markets(admin: KeyPairSigner, alice: Trader, bob: Trader) {
  console.log('\n== Options on SOL ==');
  const { address: underlying } = await client.createUnderlying(admin, {
    oracle: sol.oracle!,
    spotBank: sol.bank, // SOL collateral moves in the SOL scenarios (a covered call is cheap)
    params: {
      feedId: Buffer.from(sol.feedId!, 'hex'), volOracle: admin.address, oracleMaxAgeSecs: 60, oracleMaxConfBps: 200,
      surfaceMaxAgeSecs: 3_600, riskMaxAgeSecs: 600, riskSpotToleranceBps: 100,
    },
  });
  const expiry = (await clusterTime(conn)) + EXPIRY_IN;
  const strikes = ['140', '150', '160'].map((k) => units(usdc, k));
  await client.listSeries(admin, underlying, { expiry, strikes, oiCap: 1_000n });
  await client.setSurface(admin, underlying, 0, sviFor('0.8', { seconds: EXPIRY_IN }));
  await publishSol(admin, 15_000_000_000n);
  const refreshes = await client.refreshRisk(admin, underlying);
  let u = (await client.underlying(underlying)).data;
  console.log(`underlying ${underlying} (${u.nSeries} series: calls and puts at 140, 150, 160 USDC)`);
  console.log(`expiry ${new Date(Number(expiry) * 1000).toISOString()} (in ${EXPIRY_IN} s), SVI at 80% vol;` +
    ` risk arrays refreshed in ${refreshes.length} transactions (${refreshes.map((r) => r.computeUnitsConsumed).join(', ')} CU)`);
  // Marks in full precision (the engine may round a worthless option's mark to -0.000001).
  const marks = u.series.slice(0, u.nSeries).map((s, i) => [`${i}`, `${s.kind === CALL ? 'C' : 'P'}${usd(s.strike)}`, fmt(usdc, u.risk[i]!.mark)]);
  console.log(table(['series', 'option', 'mark (USDC)'], marks));

  // bob writes 5 calls at 150 and 2 puts at 140 to alice (legs from the taker's side: alice buys).
  const legs: { strike: string; kind: OptionKind; size: bigint; price: string }[] = [
    { strike: '150', kind: CALL, size: 5n, price: '2.5' },
    { strike: '140', kind: PUT, size: 2n, price: '0.4' },
  ];
  const tradeLegs = legs.map((l) => ({ seriesIndex: seriesIndex(u, expiry, units(usdc, l.strike), l.kind), size: l.size, price: units(usdc, l.price) }));
  const q0 = new Map([[alice.name, 0n], [bob.name, 0n]]);
  for (const t of [alice, bob]) q0.set(t.name, collateralBalance((await client.marginAccount(t.account)).data, usdc.bankIndex));
  await publishSol(admin, 15_000_000_000n); // trades need a fresh price (60 s)
  const { events, result } = await client.trade(bob, alice, underlying, tradeLegs);
  console.log(`\nbob writes to alice: ${legs.map((l) => `${l.size} ${l.kind === CALL ? 'C' : 'P'}${l.strike} @ ${l.price}`).join(', ')} (${result.computeUnitsConsumed} CU)`);
  for (const e of events) console.log(`  TradeLog: series ${e.seriesIndex} size ${e.size} price ${usd(e.price)}; init health after: bob ${usd(e.makerInitHealth)}, alice ${usd(e.takerInitHealth)}`);
  await printHealth([alice, bob], 'Health after the trade');
  u = (await client.underlying(underlying)).data;
  console.log(`open interest: ${tradeLegs.map((l) => `series ${l.seriesIndex}: ${u.series[l.seriesIndex]!.openInterest}`).join(', ')}`);

  console.log(`\nwaiting for the validator clock to pass the expiry (~${EXPIRY_IN} s after listing)...`);
  const now = await waitForClusterTime(conn, expiry + 1n);
  const settle = 15_640_000_000n; // SOL at 156.40 at expiry
  await publishSol(admin, settle, now);
  await client.settlePrice(admin, underlying, 0);
  u = (await client.underlying(underlying)).data;
  console.log(`settlement price ${usd(u.expiries[0]!.settlementPrice)} USDC (oracle published at ${now}, expiry ${expiry})`);
  const rows: string[][] = [];
  for (const t of [alice, bob]) {
    const before = positionSize((await client.marginAccount(t.account)).data, u.underlyingIndex, tradeLegs[0]!.seriesIndex);
    const { events: settled } = await client.settleAccount(admin, t.account, underlying);
    const acc = (await client.marginAccount(t.account)).data;
    const payoff = settled.reduce((s, e) => s + e.payoff, 0n);
    rows.push([t.name, `${before}`, usd(payoff), usd(collateralBalance(acc, usdc.bankIndex) - q0.get(t.name)!), `${acc.positions.filter((p) => p.inUse === 1).length}`]);
  }
  console.log(table(['trader', 'C150 before', 'payoff', 'USDC change (premium + payoff)', 'positions left'], rows));
  console.log(`settled net of the expiry: ${(await client.underlying(underlying)).data.expiries[0]!.settledNet} (0 = every long paid by a short)`);
}

/** All margin accounts of the exchange (traders, keeper, insurance fund) against each bank's vault. */
async function reconcile() {
  const accounts = await getMarginAccountsOfExchange(conn, d.exchange);
  const rows: string[][] = [];
  for (const b of banks) {
    const sum = accounts.reduce((s, a) => s + collateralBalance(a.data, b.bankIndex), 0n);
    const vault = await tokenBalance(conn, b.vault);
    rows.push([b.symbol, fmt(b, vault), fmt(b, sum), `${accounts.length}`, vault === sum ? 'yes' : 'NO']);
    if (vault !== sum) throw new Error(`${b.symbol}: vault ${vault} != sum of margin balances ${sum}`);
  }
  console.log('\nReconciliation (every margin account of the exchange)');
  console.log(table(['bank', 'vault', 'sum of accounts', 'accounts', 'vault == sum'], rows));
}

const SHOCK_EXPIRY_IN = 86_400n; // one day: nothing expires during the shock
const SOL_BEFORE = 15_000_000_000n; // 150.00
const SOL_AFTER = (SOL_BEFORE * 125n) / 100n; // 187.50 (+25%)

async function shock(admin: KeyPairSigner) {
  console.log('\n== Price shock: insurance fund, a thin writer, SOL +25%, one keeper pass ==');
  let insurance: Address;
  try {
    insurance = await insuranceOf(client); // a re-run against the same exchange
  } catch {
    insurance = (await createInsurance(client, admin)).address;
  }
  const funder = await newTrader(conn, admin, 'funder', 0, { USDC: '100' });
  await fundInsurance(client, funder.signer, funder.wallet.get('USDC')!, units(usdc, '100'));
  const quoteOf = async (a: Address) => collateralBalance((await client.marginAccount(a)).data, usdc.bankIndex);
  const ins0 = await quoteOf(insurance);
  console.log(`insurance fund ${insurance}: funded with 100 USDC, balance ${usd(ins0)} USDC`);

  const carol = await newTrader(conn, admin, 'carol (writer)', 0, { USDC: '450' });
  const dave = await newTrader(conn, admin, 'dave (buyer)', 0, { USDC: '2000' });
  const keeper = await newTrader(conn, admin, 'keeper', 0, { USDC: '3000' });
  await deposit(carol, usdc, '450');
  await deposit(dave, usdc, '2000');
  await deposit(keeper, usdc, '3000'); // the keeper's own margin: it takes over what it liquidates

  const { address: underlying } = await client.createUnderlying(admin, {
    oracle: sol.oracle!,
    spotBank: sol.bank,
    params: {
      feedId: Buffer.from(sol.feedId!, 'hex'), volOracle: admin.address, oracleMaxAgeSecs: 60, oracleMaxConfBps: 200,
      surfaceMaxAgeSecs: 3_600, riskMaxAgeSecs: 600, riskSpotToleranceBps: 100,
    },
  });
  const expiry = (await clusterTime(conn)) + SHOCK_EXPIRY_IN;
  const strike = units(usdc, '150');
  await client.listSeries(admin, underlying, { expiry, strikes: [strike], oiCap: 1_000n });
  await client.setSurface(admin, underlying, 0, sviFor('0.8', { seconds: SHOCK_EXPIRY_IN }));
  await publishSol(admin, SOL_BEFORE);
  await client.refreshRisk(admin, underlying);
  const u = (await client.underlying(underlying)).data;
  const call = seriesIndex(u, expiry, strike, CALL);
  const price = u.risk[call]!.mark > 0n ? u.risk[call]!.mark : 1n;
  const sold = 10n;
  await client.trade(carol, dave, underlying, [{ seriesIndex: call, size: sold, price }]);
  console.log(`underlying ${underlying}: C150 expiring in 1 day, SOL at ${usd(SOL_BEFORE / 100n)}`);
  console.log(`carol writes ${sold} C150 to dave @ ${usd(price)} with 450 USDC of margin`);
  const before = await client.health(carol.account, keeper.signer.address);

  await publishSol(admin, SOL_AFTER);
  console.log(`\nSOL jumps +25%: ${usd(SOL_BEFORE / 100n)} -> ${usd(SOL_AFTER / 100n)} (mock Pyth update)`);
  const events: { event: string; fields: Record<string, unknown> }[] = [];
  const log: Logger = (level, event, fields = {}) => {
    events.push({ event, fields });
    if (level !== 'info') console.log(`  keeper ${jsonLine(level, event, fields)}`);
  };
  const report = await runPass({ client, signer: keeper.signer, liquidatorAccount: keeper.account, log, maxContractsPerAccount: 50 });
  const scans = events.filter((e) => e.event === 'scan').map((e) => `${e.fields.liquidatable} liquidatable, stale underlyings [${e.fields.stale}]`);
  console.log(`keeper pass (in-process, as npm run keeper -- --once): scans: ${scans.join('; then ')}; ${report.refreshed} series refreshed`);
  const liqs = events.filter((e) => e.event === 'liquidate').map((e) => e.fields);
  const usdOf = (v: unknown) => usd(BigInt(v as string));
  console.log('\nEach liquidate transaction (LiquidateLog; USDC)');
  console.log(table(['#', 'size', 'penalty bps', 'penalty', 'to insurance', 'carol maint before', 'carol maint after'],
    liqs.map((f, i) => [`${i + 1}`, `${f.size}`, `${f.penaltyBps}`, usdOf(f.penalty), usdOf(f.toInsurance), usdOf(f.maintBefore), usdOf(f.maintAfter)])));
  const after = await client.health(carol.account, keeper.signer.address);

  console.log('\nWriter health (account_health return data, USDC)');
  const rows = [['before the shock', usd(before.optionValue), usd(before.maintenanceRequirement), usd(before.maintHealth)]];
  if (liqs[0]) rows.push(['after the shock', '', '', usdOf(liqs[0].maintBefore)]);
  rows.push(['after the keeper', usd(after.optionValue), usd(after.maintenanceRequirement), usd(after.maintHealth)]);
  console.log(table(['carol', 'option value', 'maint req', 'maint health'], rows));
  const names = new Map<Address, string>([[carol.account, 'carol'], [dave.account, 'dave']]);
  console.log('\nLiquidations by account (the keeper takes contracts into its own margin account)');
  console.log(table(['account', 'contracts taken', 'penalty (USDC)', 'to insurance (USDC)', 'stopped on'],
    report.liquidations.map((l) => [names.get(l.account) ?? l.account, `${l.contracts}`, usd(l.penalty), usd(l.toInsurance), l.stop])));
  const kAcc = (await client.marginAccount(keeper.account)).data;
  const cAcc = (await client.marginAccount(carol.account)).data;
  console.log(`positions in C150: carol ${positionSize(cAcc, u.underlyingIndex, call)}, keeper ${positionSize(kAcc, u.underlyingIndex, call)}, ` +
    `dave ${positionSize((await client.marginAccount(dave.account)).data, u.underlyingIndex, call)}`);
  const ins1 = await quoteOf(insurance);
  console.log(`insurance fund: ${usd(ins0)} -> ${usd(ins1)} USDC (+${usd(ins1 - ins0)})`);
  if (after.maintHealth < 0n) throw new Error(`carol still under maintenance after the keeper pass: ${after.maintHealth}`);
  await reconcile();
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

  await markets(admin, alice, bob);
  await printBalances([alice, bob]);
  await shock(admin);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error('demo failed:', e);
    process.exit(1);
  },
);
