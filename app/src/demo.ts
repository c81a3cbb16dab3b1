// The demo (scripts/demo.sh). Foundation: two traders open margin accounts, deposit USDC and
// SOL, withdraw some, and see their balances and health; an over-withdrawal is refused.
// Markets: the admin lists SOL options expiring in under a minute, sets the volatility surface
// and refreshes the risk arrays; bob writes calls to alice against his SOL; both see their
// portfolio health; once the validator's clock passes the expiry, the expiry gets its
// settlement price (a price published inside [expiry, expiry + 60 s]) and both accounts are
// cash-settled in USDC. Lifecycle: the keeper's settle job retires the expiry nobody holds any
// more (expiry_retire) and a weekly expiry is listed into its freed expiry and series slots
// (slot numbers, old and new expiry, series generations +1 printed; the demo fails otherwise).
// Price shock: the admin creates and funds the insurance fund; on a second SOL underlying with a
// one-day expiry carol writes calls to dave on thin margin; SOL jumps 25% (mock Pyth); one keeper
// pass (app/src/keeper/pass.ts, as `npm run keeper -- --once`) refreshes the risk arrays and
// liquidates carol into its own margin account; frank, a spot borrower (USDC deposited, SOL
// borrowed, no options: the admin opens SOL borrowing through the governance queue, see below), is under maintenance too and the same
// pass balance-liquidates him (balance_liquidate: the keeper takes over part of his SOL debt
// against his USDC at the oracle price plus a penalty, back to maintenance zero).
// Lending and rebalance (the demo deployment lends USDC on a kinked curve): alice borrows USDC
// against her SOL by withdrawing beyond her balance (a further withdrawal breaking initial margin
// is refused); in the shock, erin's policy lets her reserve account feed her writer account and
// the same keeper pass tops the writer up (rebalance_accounts), resolves bankruptcies if any
// arose (insurance, then socialized by the deposit index), accrues interest and cranks realized
// vol; then the metrics (app/src/metrics.ts) and an index-aware reconciliation of every bank.
// Crash and bankruptcy: gina deposits 10 SOL at $187.50 and borrows 1,450 USDC against them
// (her initial limit is 1,500); SOL crashes to $130, so her SOL is worth 1,300 against a 1,450
// debt: negative equity. One keeper pass takes all her SOL (balance_liquidate: the keeper takes
// over the USDC debt it buys at the oracle price plus the penalty), then its bankruptcy job
// resolves the rest (bankruptcy_resolve): the insurance fund pays what it holds, the remainder is
// socialized over the USDC depositors by the deposit index; the demo prints owed = insurance paid
// + socialized from the BankruptcyLog and fails if they differ or if nothing went bankrupt.
// Governance (docs/governance.md): once users hold SOL, the SOL bank's parameters change only
// through the timelocked queue. At the start the admin proposes SOL borrowing (a borrow cap,
// every other parameter unchanged): the proposal is visible with its unlock time (the local
// deployment's 10 s timelock, which passes during the options section); before frank borrows,
// the keeper's governance job (the first job of every pass) executes it.
// Needs a deployed exchange (migrations/deploy.ts -> target/localnet.json).
import type { Address, KeyPairSigner } from '@solana/kit';

import { collateralBalance, collateralShares, getMarginAccountsOfExchange, positionSize } from './accounts.js';
import { MaxwellClient } from './client.js';
import { clusterTime, waitForClusterTime } from './clock.js';
import { formatUnits, parseUnits, table } from './format.js';
import { jsonLine, type Logger } from './keeper/log.js';
import { bankMetrics, collectMetrics } from './metrics.js';
import { feedMask, getPolicy, setPolicy } from './rebalance.js';
import { bankAt, constants } from './rules-wasm.js';
import type { BankruptcyOutcome } from './keeper/bankruptcy.js';
import { runPass } from './keeper/pass.js';
import { currentBankParams, listProposals, proposeChange } from './governance.js';
import { governanceJob } from './keeper/governance.js';
import { createInsurance, fundInsurance, insuranceOf } from './liquidation.js';
import { loadDeployment, type BankRecord } from './localnet.js';
import { CALL, expiryIndex, listedSeries, PUT, seriesIndex, type OptionKind } from './markets.js';
import { mockWindowPriceSource, updateMockPrice } from './oracle.js';
import { settleJob, settleWindowSecs } from './keeper/settle.js';
import { seriesListLogs, settlementPriceLogs, singleEvent } from './events.js';
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
    for (const b of banks) cells.push(fmt(b, collateralBalance(acc, (await client.bankState(b.bank)).data)));
    cells.push(usd(acc.initHealth), usd(acc.maintHealth));
    rows.push(cells);
  }
  console.log('\nBalances and cached health (health in USDC)');
  console.log(table(['trader', 'wallet USDC', 'wallet SOL', 'margin USDC', 'margin SOL', 'init health', 'maint health'], rows));

  await reconcile();
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
  // Each at its series' mark: trade prices must sit within a band around it (5 vol points of
  // vega, at least 0.1% of spot).
  const legs: { strike: string; kind: OptionKind; size: bigint }[] = [
    { strike: '150', kind: CALL, size: 5n },
    { strike: '140', kind: PUT, size: 2n },
  ];
  const tradeLegs = legs.map((l) => {
    const i = seriesIndex(u, expiry, units(usdc, l.strike), l.kind);
    return { seriesIndex: i, size: l.size, price: u.risk[i]!.mark > 0n ? u.risk[i]!.mark : 1n };
  });
  const q0 = new Map([[alice.name, 0n], [bob.name, 0n]]);
  for (const t of [alice, bob]) q0.set(t.name, await client.balance(t.account, usdc.bank));
  await publishSol(admin, 15_000_000_000n); // trades need a fresh price (60 s)
  const { events, result } = await client.trade(bob, alice, underlying, tradeLegs);
  console.log(`\nbob writes to alice: ${legs.map((l, k) => `${l.size} ${l.kind === CALL ? 'C' : 'P'}${l.strike} @ ${usd(tradeLegs[k]!.price)}`).join(', ')} (${result.computeUnitsConsumed} CU)`);
  for (const e of events) console.log(`  TradeLog: series ${e.seriesIndex} size ${e.size} price ${usd(e.price)}; init health after: bob ${usd(e.makerInitHealth)}, alice ${usd(e.takerInitHealth)}`);
  await printHealth([alice, bob], 'Health after the trade');
  u = (await client.underlying(underlying)).data;
  console.log(`open interest: ${tradeLegs.map((l) => `series ${l.seriesIndex}: ${u.series[l.seriesIndex]!.openInterest}`).join(', ')}`);

  console.log(`\nwaiting for the validator clock to pass the expiry (~${EXPIRY_IN} s after listing)...`);
  const now = await waitForClusterTime(conn, expiry + 1n);
  const settle = 15_640_000_000n; // SOL at 156.40 at expiry
  await publishSol(admin, settle, now);
  const sp = singleEvent(settlementPriceLogs((await client.settlePrice(admin, underlying, 0)).logs), 'SettlementPriceLog');
  u = (await client.underlying(underlying)).data;
  console.log(`settlement price ${usd(u.expiries[0]!.settlementPrice)} USDC (SettlementPriceLog: published at ${sp.publishTime}, inside the window ` +
    `[expiry ${expiry}, +${settleWindowSecs()} s], read from ${sp.source === sol.oracle ? 'the SOL oracle account' : sp.source})`);
  const rows: string[][] = [];
  for (const t of [alice, bob]) {
    const before = positionSize((await client.marginAccount(t.account)).data, u.underlyingIndex, tradeLegs[0]!.seriesIndex);
    const { events: settled } = await client.settleAccount(admin, t.account, underlying);
    const acc = (await client.marginAccount(t.account)).data;
    const payoff = settled.reduce((s, e) => s + e.payoff, 0n);
    rows.push([t.name, `${before}`, usd(payoff), usd((await client.balance(t.account, usdc.bank)) - q0.get(t.name)!), `${acc.positions.filter((p) => p.inUse === 1).length}`]);
  }
  console.log(table(['trader', 'C150 before', 'payoff', 'USDC change (premium + payoff)', 'positions left'], rows));
  console.log(`settled net of the expiry: ${(await client.underlying(underlying)).data.expiries[0]!.settledNet} (0 = every long paid by a short)`);
  await recycle(admin, underlying, expiry);
}

/** The weekly expiry listed into the slot the first one frees. */
const NEXT_EXPIRY_IN = 7n * 86_400n;

/**
 * Lifecycle: the keeper's settle job (the one every pass runs) finds the settled expiry held by
 * nobody and retires it (expiry_retire: its slot and its series slots are freed, each series
 * slot's generation bumped); the admin's next listing lands in the freed slots.
 */
async function recycle(admin: KeyPairSigner, underlying: Address, oldExpiry: bigint) {
  console.log('\n== Lifecycle: the settled expiry is retired, a new one takes its slot ==');
  const before = (await client.underlying(underlying)).data;
  const oldSlot = expiryIndex(before, oldExpiry);
  const oldSeries = listedSeries(before).filter(({ series: s }) => s.expiryIndex === oldSlot);
  const lines: string[] = [];
  const log: Logger = (level, event, fields = {}) => {
    if (event.startsWith('expiry_retire') || event.startsWith('settle') || event.startsWith('account_settle')) lines.push(jsonLine(level, event, fields));
  };
  const accounts = await getMarginAccountsOfExchange(conn, d.exchange);
  const job = await settleJob(client, admin, accounts, log, { windowPrice: mockWindowPriceSource(conn, admin) });
  for (const l of lines) console.log(`  keeper ${l}`);
  const freed = (await client.underlying(underlying)).data;
  if (job.retired !== 1 || freed.expiries[oldSlot]!.expiry !== 0n) throw new Error(`expiry slot ${oldSlot} was not retired (${job.retired} retired)`);
  console.log(`expiry slot ${oldSlot} free (expiry 0), its ${oldSeries.length} series slots free (listed 0); high-water marks unchanged: ${freed.nExpiries} expiry slot(s), ${freed.nSeries} series slots`);

  const next = (await clusterTime(conn)) + NEXT_EXPIRY_IN;
  const strikes = ['145', '155', '165'].map((k) => units(usdc, k));
  const listed = singleEvent(seriesListLogs((await client.listSeries(admin, underlying, { expiry: next, strikes, oiCap: 1_000n })).logs), 'SeriesListLog');
  const after = (await client.underlying(underlying)).data;
  console.log(`SeriesListLog: expiry ${next} (in 7 days) in expiry slot ${listed.expiryIndex} (new expiry: ${listed.newExpiry}), series slots [${listed.seriesIndices.join(', ')}]`);
  const rows = listed.seriesIndices.map((i) => {
    const was = before.series[i]!;
    const now = after.series[i]!;
    return [`${i}`, `${was.kind === CALL ? 'C' : 'P'}${usd(was.strike)} @ ${was.expiry}`, `${was.generation}`, `${now.kind === CALL ? 'C' : 'P'}${usd(now.strike)} @ ${now.expiry}`, `${now.generation}`];
  });
  console.log(table(['series slot', 'old series', 'old generation', 'new series', 'new generation'], rows));
  const recycled = listed.expiryIndex === oldSlot && after.expiries[oldSlot]!.expiry === next && after.nExpiries === before.nExpiries &&
    listed.seriesIndices.every((i) => oldSeries.some((o) => o.index === i) && after.series[i]!.generation === before.series[i]!.generation + 1);
  if (!recycled) throw new Error(`the new expiry did not land in the recycled slots: expiry slot ${listed.expiryIndex}, series [${listed.seriesIndices.join(', ')}]`);
  console.log(`expiry slot ${oldSlot}: ${oldExpiry} -> ${next}; series slots recycled with generation +1 (a position of the old expiry would be a worthless leftover, never read against the new series)`);
}

/**
 * Every bank's vault against its books (index-aware): the share totals equal the sums of the
 * account balances (shares, deposits including the reserve's fee shares), and the vault holds
 * deposits - borrows in native units at the stored indices, exactly while both indices are 1.0,
 * otherwise that plus a few units of rounding dust (every conversion rounds for the bank).
 */
async function reconcile() {
  const accounts = await getMarginAccountsOfExchange(conn, d.exchange);
  const rows: string[][] = [];
  for (const b of banks) {
    const bank = (await client.bankState(b.bank)).data;
    const shares = accounts.map((a) => collateralShares(a.data, b.bankIndex));
    const pos = shares.reduce((s, x) => (x > 0n ? s + x : s), 0n) + bank.feeShares;
    const neg = shares.reduce((s, x) => (x < 0n ? s - x : s), 0n);
    const { deposits, borrows, reserve } = bankAt(bank);
    const vault = await tokenBalance(conn, b.vault);
    const dust = vault - (deposits - borrows);
    const one = constants().indexOne;
    const exact = bank.depositIndex === one && bank.borrowIndex === one;
    const ok = pos === bank.depositShares && neg === bank.borrowShares && (exact ? dust === 0n : dust >= 0n && dust <= RECONCILE_DUST);
    rows.push([b.symbol, fmt(b, vault), fmt(b, deposits), fmt(b, borrows), fmt(b, reserve), indexStr(bank.depositIndex), indexStr(bank.borrowIndex), `${dust}`, `${accounts.length}`, ok ? 'yes' : 'NO']);
    if (!ok) throw new Error(`${b.symbol}: books do not reconcile (vault ${vault}, deposits ${deposits}, borrows ${borrows}, shares ${pos}/${bank.depositShares} ${neg}/${bank.borrowShares})`);
  }
  console.log('\nReconciliation (every margin account of the exchange; native units at the stored indices)');
  console.log(table(['bank', 'vault', 'deposits', 'borrows', 'reserve', 'deposit index', 'borrow index', 'vault - (dep - bor)', 'accounts', 'reconciled'], rows));
}

/**
 * Rounding dust allowed above deposits - borrows once an index has left 1.0 (native units): each
 * balance change at such an index may leave the bank up to about one unit (shares bought rounded
 * down, burnt rounded up), so the slack grows slowly with activity; the demo stays far below.
 */
const RECONCILE_DUST = 1_000n;
const indexStr = (i: bigint) => (Number(i) / Number(constants().indexOne)).toFixed(12);

const SHOCK_EXPIRY_IN = 86_400n; // one day: nothing expires during the shock
const SOL_BEFORE = 15_000_000_000n; // 150.00
const SOL_AFTER = (SOL_BEFORE * 125n) / 100n; // 187.50 (+25%)

async function shock(admin: KeyPairSigner) {
  console.log('\n== Price shock: insurance fund, a thin writer, a SOL borrower, SOL +25%, one keeper pass ==');
  let insurance: Address;
  try {
    insurance = await insuranceOf(client); // a re-run against the same exchange
  } catch {
    insurance = (await createInsurance(client, admin)).address;
  }
  const funder = await newTrader(conn, admin, 'funder', 0, { USDC: '100' });
  await fundInsurance(client, funder.signer, funder.wallet.get('USDC')!, units(usdc, '100'));
  const quoteOf = (a: Address) => client.balance(a, usdc.bank);
  const ins0 = await quoteOf(insurance);
  console.log(`insurance fund ${insurance}: funded with 100 USDC, balance ${usd(ins0)} USDC`);

  const carol = await newTrader(conn, admin, 'carol (writer)', 0, { USDC: '720' });
  const dave = await newTrader(conn, admin, 'dave (buyer)', 0, { USDC: '2000' });
  const keeper = await newTrader(conn, admin, 'keeper', 0, { USDC: '3000' });
  await deposit(carol, usdc, '720');
  await deposit(dave, usdc, '2000');
  await deposit(keeper, usdc, '3000'); // the keeper's own margin: it takes over what it liquidates
  shockKeeper = keeper;
  // erin runs two accounts: a reserve (id 0) and a writer (id 1), under a rebalance policy.
  const erin = await newTrader(conn, admin, 'erin (reserve)', 0, { USDC: '6500' });
  const erinW: Trader = { ...erin, name: 'erin (writer)', account: (await client.createAccount(erin.signer, 1)).address };
  await deposit(erin, usdc, '5000');
  await deposit(erinW, usdc, '1500');

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
  console.log(`carol writes ${sold} C150 to dave @ ${usd(price)} with 720 USDC of margin`);
  await client.trade(erinW, dave, underlying, [{ seriesIndex: call, size: 5n, price }]);
  console.log(`erin's writer account writes 5 C150 to dave @ ${usd(price)} with 1,500 USDC of margin`);
  const before = await client.health(carol.account, keeper.signer.address);
  const erinBefore = await client.health(erinW.account, keeper.signer.address);
  const trigger = erinBefore.maintHealth - 1_000_000n; // 1 USDC under its health now: only the shock triggers it
  const maxPerMove = units(usdc, '250');
  await setPolicy(client, erin.signer, {
    accounts: [erin.account, erinW.account], feeds: new Uint8Array([0, feedMask([0])]), triggerHealth: trigger,
    targetHealth: units(usdc, '4000'), maxPerMove, maxPerDay: units(usdc, '1000'), quoteBorrowLimit: units(usdc, '1000'),
    keeperFeeBps: 10, maxDiscountBps: 100,
  });
  console.log(`erin's policy: the reserve feeds the writer when its maintenance health < ${usd(trigger)} USDC (its health now: ${usd(erinBefore.maintHealth)}); ` +
    `the reserve keeps >= 4,000; at most ${usd(maxPerMove)} per move, 1,000 per day; keeper fee 10 bps`);
  const erin0 = [await quoteOf(erin.account), await quoteOf(erinW.account), await quoteOf(keeper.account)];

  // frank, a spot borrower: SOL borrowing opens when the keeper's governance job executes the
  // admin's queued proposal (cap 100 SOL, the bank's other parameters unchanged); frank deposits
  // 1,000 USDC and borrows 4.9 SOL against it (initial limit 1,000 / (150 x 1.2) = 5.55 SOL; at
  // $187.50 his debt weighs 4.9 x 187.5 x 1.1 = 1,010.6).
  await openSolBorrowing(keeper);
  const frank = await newTrader(conn, admin, 'frank (SOL borrower)', 0, { USDC: '1000' });
  await deposit(frank, usdc, '1000');
  await publishSol(admin, SOL_BEFORE); // the borrow needs a fresh price
  const { event: fb } = await client.withdraw(frank.signer, frank.account, sol.bank, frank.wallet.get('SOL')!, units(sol, '4.9'));
  console.log(`frank deposits 1,000 USDC and borrows 4.9 SOL against it: SOL balance ${fmt(sol, fb.balanceAfter)}, init health ${usd(fb.initHealth)}, maint health ${usd(fb.maintHealth)} USDC`);

  await publishSol(admin, SOL_AFTER);
  console.log(`\nSOL jumps +25%: ${usd(SOL_BEFORE / 100n)} -> ${usd(SOL_AFTER / 100n)} (mock Pyth update)`);
  const events: { event: string; fields: Record<string, unknown> }[] = [];
  const log: Logger = (level, event, fields = {}) => {
    events.push({ event, fields });
    if (level !== 'info') console.log(`  keeper ${jsonLine(level, event, fields)}`);
  };
  // Every job of `npm run keeper`; interest accrues at every pass here (the default is hourly).
  const report = await runPass({ client, signer: keeper.signer, liquidatorAccount: keeper.account, log, maxContractsPerAccount: 50, jobs: { accrueIntervalSecs: 0 } });
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
  console.log(`insurance fund: ${usd(ins0)} -> ${usd(ins1)} USDC (+${usd(ins1 - ins0)}: its share of every penalty of the pass, frank's below included)`);
  if (after.maintHealth < 0n) throw new Error(`carol still under maintenance after the keeper pass: ${after.maintHealth}`);

  console.log('\nRebalance by the same keeper pass (rebalance_accounts: RebalanceAccountsLog, USDC)');
  const rebs = events.filter((e) => e.event === 'rebalance_accounts').map((e) => e.fields);
  console.log(table(['source', 'destination', 'amount', 'keeper fee', 'dest maint before', 'dest maint after', 'source maint after'],
    rebs.map((f) => [f.source === erin.account ? 'erin reserve' : String(f.source), f.destination === erinW.account ? 'erin writer' : String(f.destination),
      usdOf(f.amount), usdOf(f.fee), usdOf(f.destinationMaintBefore), usdOf(f.destinationMaintAfter), usdOf(f.sourceMaintAfter)])));
  const erin1 = [await quoteOf(erin.account), await quoteOf(erinW.account), await quoteOf(keeper.account)];
  const labels = ['erin reserve', 'erin writer', 'keeper'];
  console.log(table(['account', 'USDC before', 'USDC after', 'change'], labels.map((l, i) => [l, usd(erin0[i]!), usd(erin1[i]!), usd(erin1[i]! - erin0[i]!)])));
  const pol = (await getPolicy(client, erin.signer.address))!.data;
  console.log(`policy moved today: ${usd(pol.movedToday)} USDC of ${usd(pol.maxPerDay)}`);
  if (rebs.length === 0) throw new Error('the keeper did not rebalance erin');

  console.log('\nBalance liquidation by the same keeper pass (balance_liquidate: BalanceLiquidateLog; the keeper log line, then USDC)');
  const takes = events.filter((e) => e.event === 'balance_liquidate' && e.fields.liquidatee === frank.account).map((e) => e.fields);
  for (const f of takes) {
    console.log(`  keeper ${jsonLine('info', 'balance_liquidate', f)}`);
    console.log(`  frank: the keeper took over ${fmt(sol, BigInt(f.liabilityAmount as string))} SOL of his debt for ${usdOf(f.assetAmount)} USDC ` +
      `(penalty ${f.penaltyBps} bps = ${usdOf(f.penalty)}, ${usdOf(f.toInsurance)} to insurance); maint health ${usdOf(f.maintBefore)} -> ${usdOf(f.maintAfter)}`);
  }
  const frankAfter = await client.health(frank.account, keeper.signer.address);
  if (takes.length === 0 || frankAfter.maintHealth < 0n) throw new Error(`frank was not restored by the keeper pass: ${takes.length} takes, maint ${frankAfter.maintHealth}`);

  console.log('\nBankruptcy (bankruptcy_resolve after liquidations: insurance first, then socialized by the deposit index)');
  if (report.bankruptcies.length === 0) {
    console.log('  none arose in this pass: every liquidated account kept positions or a positive balance (nothing to write off)');
  } else {
    printBankruptcies(report.bankruptcies);
  }
  const accr = events.filter((e) => e.event === 'accrue_interest').map((e) => e.fields);
  console.log('\nInterest accrued by the same pass (accrue_interest: InterestLog)');
  console.log(table(['bank', 'seconds', 'utilization', 'borrow APR', 'interest (native)', 'deposit index', 'borrow index'],
    accr.map((f) => [banks.find((b) => b.bank === f.bank)?.symbol ?? String(f.bank), `${f.seconds}`, pct(BigInt(f.utilizationBps as string)), pct(BigInt(f.borrowRateBps as string)), `${f.interest}`, indexStr(BigInt(f.depositIndex as string)), indexStr(BigInt(f.borrowIndex as string))])));
  await reconcile();
}

const SOL_CRASH = 13_000_000_000n; // 130.00: -30.7% from 187.50
const GINA_SOL = '10';
const GINA_BORROW = '1450'; // 10 SOL x 187.50 x 0.8 (initial weight) = 1,500 of initial limit

/**
 * A USDC borrower crashed to negative equity: one keeper pass takes everything it holds, then
 * resolves its bankruptcy (insurance first, then socialized). The keeper's own account (margin
 * from the shock) takes over the debt. Amounts from the keeper's log lines (its events).
 */
async function crash(admin: KeyPairSigner) {
  console.log(`\n== Crash: a USDC borrower to negative equity, SOL ${usd(SOL_AFTER / 100n)} -> ${usd(SOL_CRASH / 100n)}, one keeper pass: everything taken, bankruptcy ==`);
  if (!shockKeeper) throw new Error('the keeper of the shock is needed');
  const keeper = shockKeeper;
  const insurance = await insuranceOf(client);
  const gina = await newTrader(conn, admin, 'gina (USDC borrower)', 0, { SOL: GINA_SOL });
  await deposit(gina, sol, GINA_SOL);
  await publishSol(admin, SOL_AFTER); // the borrow needs a fresh price
  const { event: gb } = await client.withdraw(gina.signer, gina.account, usdc.bank, gina.wallet.get('USDC')!, units(usdc, GINA_BORROW));
  console.log(`gina deposits ${GINA_SOL} SOL at ${usd(SOL_AFTER / 100n)} and borrows ${GINA_BORROW} USDC against them: USDC balance ${usd(gb.balanceAfter)}, init health ${usd(gb.initHealth)}, maint health ${usd(gb.maintHealth)} USDC`);

  await publishSol(admin, SOL_CRASH);
  const pre = await client.health(gina.account, keeper.signer.address);
  const quoteOf = (a: Address) => client.balance(a, usdc.bank);
  const ins0 = await quoteOf(insurance);
  console.log(`SOL crashes: ${usd(SOL_AFTER / 100n)} -> ${usd(SOL_CRASH / 100n)} (mock Pyth update); gina holds ${GINA_SOL} SOL at ${usd(SOL_CRASH / 100n)} against a ${GINA_BORROW} USDC debt: ` +
    `maint health ${usd(pre.maintHealth)} USDC; insurance fund ${usd(ins0)} USDC`);

  const events: { event: string; fields: Record<string, unknown> }[] = [];
  const log: Logger = (level, event, fields = {}) => {
    events.push({ event, fields });
    if (level !== 'info') console.log(`  keeper ${jsonLine(level, event, fields)}`);
  };
  const report = await runPass({ client, signer: keeper.signer, liquidatorAccount: keeper.account, log, maxContractsPerAccount: 50, jobs: { accrueIntervalSecs: 0 } });
  const usdOf = (v: unknown) => usd(BigInt(v as string));
  console.log('\nBalance liquidation (balance_liquidate: BalanceLiquidateLog; the keeper log line, then USDC)');
  const takes = events.filter((e) => e.event === 'balance_liquidate' && e.fields.liquidatee === gina.account).map((e) => e.fields);
  for (const f of takes) {
    console.log(`  keeper ${jsonLine('info', 'balance_liquidate', f)}`);
    console.log(`  gina: the keeper took ${fmt(sol, BigInt(f.assetAmount as string))} SOL for ${usdOf(f.liabilityAmount)} USDC of her debt ` +
      `(penalty ${f.penaltyBps} bps = ${usdOf(f.penalty)}, ${usdOf(f.toInsurance)} to insurance); maint health ${usdOf(f.maintBefore)} -> ${usdOf(f.maintAfter)}`);
  }
  const outcome = report.balanceLiquidations.find((b) => b.account === gina.account);
  console.log(`  stopped on: ${outcome?.stop ?? 'not liquidated'} (gina's SOL balance now ${fmt(sol, await client.balance(gina.account, sol.bank))}, USDC ${usd(await quoteOf(gina.account))})`);

  console.log('\nBankruptcy by the same pass (bankruptcy_resolve: BankruptcyLog; the keeper log line, then the amounts)');
  const mine = report.bankruptcies.filter((b) => b.account === gina.account);
  for (const l of events.filter((e) => e.event === 'bankruptcy_resolve')) console.log(`  keeper ${jsonLine('info', 'bankruptcy_resolve', l.fields)}`);
  printBankruptcies(mine);
  const b = mine[0];
  if (takes.length === 0 || !b) throw new Error(`gina was not taken to bankruptcy: ${takes.length} takes, ${mine.length} bankruptcies`);
  if (b.owed !== b.coveredByInsurance + b.socialized) throw new Error(`owed ${b.owed} != insurance ${b.coveredByInsurance} + socialized ${b.socialized}`);
  console.log(`owed ${usd(b.owed)} USDC = insurance paid ${usd(b.coveredByInsurance)} + socialized ${usd(b.socialized)} (over the USDC depositors: deposit index ${indexStr(b.depositIndexBefore)} -> ${indexStr(b.depositIndexAfter)})`);
  const ins1 = await quoteOf(insurance);
  console.log(`insurance fund: ${usd(ins0)} -> ${usd(ins1)} USDC (this pass's penalty share in, the bankruptcy paid out)`);
  const left = await client.health(gina.account, keeper.signer.address);
  console.log(`gina after: USDC ${usd(await quoteOf(gina.account))}, SOL ${fmt(sol, await client.balance(gina.account, sol.bank))}, maint health ${usd(left.maintHealth)} (nothing owed, nothing held)`);
  await reconcile();
}

/** The keeper of the shock section (its margin account takes over what it liquidates); the crash reuses it. */
let shockKeeper: Trader | null = null;

/** SOL borrowing: the cap the admin queues at the start, executed by the keeper before frank borrows. */
const SOL_BORROW_CAP = '100';
let solBorrowing: { id: bigint; unlockTs: bigint } | null = null;

/**
 * The SOL bank already has depositors, so bank_set_params is refused (BankInUse): the admin
 * queues the change (gov_propose) and anyone may execute it from its unlock time.
 */
async function proposeSolBorrowing(admin: KeyPairSigner) {
  console.log('\n== Governance: the admin queues SOL borrowing (timelocked) ==');
  const bank = (await client.bankState(sol.bank)).data;
  const params = { ...currentBankParams(bank), borrowCap: units(sol, SOL_BORROW_CAP) };
  const { event } = await proposeChange(client, admin, { __kind: 'BankParams', bank: sol.bank, params });
  const now = await clusterTime(conn);
  console.log(`GovProposedLog: proposal #${event.id} (${event.proposal}) by the admin: SOL bank borrow cap ${fmt(sol, bank.borrowCap)} -> ${SOL_BORROW_CAP} SOL, ` +
    `every other parameter unchanged; unlocks at ${event.unlockTs} (cluster clock now ${now}: in ${event.unlockTs - now} s)`);
  const queue = (await listProposals(client)).map((p) => [`${p.data.id}`, p.data.change.__kind, ['pending', 'executed', 'cancelled'][p.data.state] ?? '?', `${p.data.unlockTs}`]);
  console.log(table(['proposal', 'change', 'state', 'unlock (unix s)'], queue));
  solBorrowing = { id: event.id, unlockTs: event.unlockTs };
}

/** The keeper's governance job (the first job of every pass) executes the queued SOL borrowing. */
async function openSolBorrowing(keeper: Trader) {
  if (!solBorrowing) throw new Error('SOL borrowing was not proposed');
  await waitForClusterTime(conn, solBorrowing.unlockTs);
  const lines: string[] = [];
  const log: Logger = (level, event, fields = {}) => lines.push(jsonLine(level, event, fields));
  const executed = await governanceJob(client, keeper.signer, log);
  for (const l of lines) console.log(`  keeper ${l}`);
  const cap = (await client.bankState(sol.bank)).data.borrowCap;
  if (!executed.some((g) => g.id === solBorrowing!.id) || cap !== units(sol, SOL_BORROW_CAP)) {
    throw new Error(`the SOL borrowing proposal #${solBorrowing.id} did not land: ${executed.length} executed, borrow cap ${cap}`);
  }
  console.log(`proposal #${solBorrowing.id} unlocked; executed by the keeper's governance job (GovExecutedLog): SOL borrow cap now ${fmt(sol, cap)} SOL`);
}

/** A bank's lending state: indices, totals, utilization and the APRs of its curve now. */
async function printBank(b: BankRecord, title: string) {
  const bank = (await client.bankState(b.bank)).data;
  const m = bankMetrics(b.bank, bank);
  console.log(`\n${title}`);
  console.log(table(['bank', 'deposits', 'borrows', 'reserve', 'utilization', 'borrow APR', 'deposit APR', 'deposit index', 'borrow index'],
    [[b.symbol, fmt(b, m.deposits), fmt(b, m.borrows), fmt(b, m.reserve), pct(m.utilizationBps), pct(m.borrowAprBps), pct(m.depositAprBps), indexStr(bank.depositIndex), indexStr(bank.borrowIndex)]]));
}

function printBankruptcies(bs: BankruptcyOutcome[]) {
  console.log(table(['account', 'bank', 'owed', 'insurance paid', 'socialized', 'deposit index before', 'deposit index after'],
    bs.map((x) => {
      const b = banks.find((y) => y.bank === x.bank)!;
      return [x.account, b.symbol, fmt(b, x.owed), fmt(b, x.coveredByInsurance), fmt(b, x.socialized), indexStr(x.depositIndexBefore), indexStr(x.depositIndexAfter)];
    })));
}

const pct = (bps: bigint) => `${(Number(bps) / 100).toFixed(2)}%`;

/** metrics.ts (what `npm run metrics` prints as JSON), as tables. */
async function printMetrics() {
  console.log('\n== Metrics (app/src/metrics.ts; `npm run metrics` prints them as JSON) ==');
  const m = await collectMetrics(client);
  const sym = new Map(banks.map((b) => [b.bank, b]));
  console.log(table(['bank', 'utilization', 'borrow APR', 'deposit APR', 'deposits', 'borrows', 'reserve', 'socialized', 'borrow cap'],
    m.banks.map((x) => {
      const b = sym.get(x.bank)!;
      return [b.symbol, pct(x.utilizationBps), pct(x.borrowAprBps), pct(x.depositAprBps), fmt(b, x.deposits), fmt(b, x.borrows), fmt(b, x.reserve), fmt(b, x.socializedTotal), fmt(b, x.borrowCap)];
    })));
  console.log(table(['underlying', 'open interest', 'spot (USDC)', 'notional (USDC)', 'realized vol', 'rv updates', 'expiries / series listed', 'free series slots', 'series slots recycled'],
    m.underlyings.map((x) => [x.underlying, `${x.openInterest}`, x.spot === null ? '?' : usd(x.spot), usd(x.notional), `${(x.realizedVol * 100).toFixed(2)}%`, `${x.realizedVolUpdates}`,
      `${x.listedExpiries} / ${x.listedSeries}`, `${x.freeSeriesSlots}`, `${x.seriesSlotsRecycled}`])));
  console.log(`open-interest notional ${usd(m.openInterestNotional)} USDC / locked collateral ${usd(m.lockedCollateral)} USDC = capital efficiency ${m.capitalEfficiency.toFixed(4)}`);
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
  await proposeSolBorrowing(admin);

  // The demo deployment lends USDC (borrow cap 1e6 USDC, kinked rate curve): beyond her balance
  // a withdrawal borrows against her SOL, within initial margin.
  console.log('\nalice withdraws 4,500 USDC (her balance is 4,000): the 500 beyond it is borrowed against her SOL');
  const { event: borrowed } = await client.withdraw(alice.signer, alice.account, usdc.bank, alice.wallet.get('USDC')!, units(usdc, '4500'));
  console.log(`  WithdrawLog: balance after ${usd(borrowed.balanceAfter)} USDC, init health ${usd(borrowed.initHealth)}, maint health ${usd(borrowed.maintHealth)}`);
  console.log('alice withdraws 1,000 USDC more (beyond her initial margin):');
  try {
    await client.withdraw(alice.signer, alice.account, usdc.bank, alice.wallet.get('USDC')!, units(usdc, '1000'));
    throw new Error('the over-withdrawal was accepted');
  } catch (e) {
    if (!(e instanceof ProgramFailure)) throw e;
    console.log(`  refused: ${e.errorName} (error code ${e.code})`);
  }
  await printBank(usdc, 'USDC bank after the borrow');

  await markets(admin, alice, bob);
  await printBalances([alice, bob]);
  await shock(admin);
  await crash(admin);
  await printMetrics();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error('demo failed:', e);
    process.exit(1);
  },
);
