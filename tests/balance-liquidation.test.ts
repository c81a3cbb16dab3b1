// Balance liquidation and bankruptcy end to end on a real validator, through the keeper's own
// pass (runPass, in process, as `npm run keeper -- --once`). The e2e deployment lends nothing;
// this test's exchange opens USDC borrowing at the bank's creation (a borrow cap, still no
// interest: indices stay 1.0 until a loss is socialized; a used bank's parameters change only
// through the governance queue, tests/governance.test.ts). A lender supplies USDC, the insurance fund holds a little, the keeper's account
// holds a small USDC margin.
// 1. A spot borrower deposits 100 SOL at $150 and borrows 11,900 USDC (its initial limit is
//    12,000). SOL falls to $130 (mock Pyth): maintenance 100 x 130 x 0.9 - 11,900 = -200 USDC.
//    One keeper pass balance-liquidates it: the keeper takes over part of the USDC debt (its
//    own USDC balance goes negative: a borrow) against SOL at the oracle price plus the penalty,
//    the borrower ends at maintenance health zero plus the plan's slack and no further.
// 2. The first borrower repays; the keeper adds margin. A second borrower deposits 100 SOL at
//    $130 and borrows 10,300 USDC (limit 10,400). SOL crashes to $90: 9,000 of SOL against
//    10,300 of debt. One keeper pass takes all its SOL, then its bankruptcy job resolves the
//    rest: the insurance fund pays what it holds, the remainder is socialized over the USDC
//    depositors (owed = covered + socialized to the unit), and the account owes nothing.
// Numbers: health comes from the program's own code in WASM (health-wasm.ts) and the events;
// quote values at an oracle price from the program's valuation in WASM (rules-wasm.ts
// quoteValue). No rule of the program is re-implemented here.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { Address, Signature } from '@solana/kit';

import { collateralBalance, collateralShares } from '../app/src/accounts.js';
import { balanceLiquidate, balanceLiquidateLogs, type BalanceLiquidateLog } from '../app/src/balance-liquidation.js';
import { COMMITMENT } from '../app/src/config.js';
import { bankruptcyLogs, singleEvent, type BankruptcyLog } from '../app/src/events.js';
import { HealthEngine, localHealth, type LocalHealth } from '../app/src/health-wasm.js';
import type { Logger } from '../app/src/keeper/log.js';
import { jsonLine } from '../app/src/keeper/log.js';
import { runPass, type PassReport } from '../app/src/keeper/pass.js';
import { createInsurance, fundInsurance } from '../app/src/liquidation.js';
import { bankruptBankIndexes, quoteValue } from '../app/src/rules-wasm.js';
import { ProgramFailure } from '../app/src/transactions.js';
import { EXCHANGE_PARAMS, SOL_PRICE, USDC_PARAMS } from '../migrations/deploy.js';
import { assertConservation, newTrader, newWorld, setSolPrice, type Trader, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n;
const SOL = (n: bigint) => n * 1_000_000_000n;
/** A SOL/USD Pyth mantissa (exponent -8) for a whole-dollar price. */
const PRICE = (dollars: bigint) => dollars * 100_000_000n;
const FALL = PRICE(130n); // -13%
const CRASH = PRICE(90n); // -40% from the deploy's $150

const FUND = USD(100n);
const KEEPER_MARGIN = USD(1_000n);
const KEEPER_TOP_UP = USD(20_000n);
const BORROWED_1 = USD(11_900n); // 100 SOL x 150 x 0.8 = 12,000 of initial limit
const BORROWED_2 = USD(10_300n); // 100 SOL x 130 x 0.8 = 10,400

let w: World;
let engine: HealthEngine;
let insurance: Address;
let lender: Trader;
let keeper: Trader;
let first: Trader;
let second: Trader;

const bal = (a: Address, bank: { bank: Address }) => w.client.balance(a, bank.bank);
const maint = async (a: Address): Promise<LocalHealth> => (await localHealth(w.client, engine, a)).health;
/** Quote value of `lamports` at a SOL mantissa: the program's valuation (WASM), rounded down. */
const solValue = (lamports: bigint, price: bigint) => quoteValue(lamports, { price, exponent: SOL_PRICE.exponent }, w.sol.decimals, w.usdc.decimals);

async function txLogs(signature: string): Promise<readonly string[]> {
  const tx = await w.conn.rpc
    .getTransaction(signature as Signature, { commitment: COMMITMENT, encoding: 'json', maxSupportedTransactionVersion: 0 })
    .send();
  return tx?.meta?.logMessages ?? [];
}

type Logged = { level: string; event: string; fields: Record<string, unknown> };

/** One keeper pass by `keeper`, its structured log kept (and printed as TAP comments). */
async function keeperPass(): Promise<{ report: PassReport; logged: Logged[] }> {
  const logged: Logged[] = [];
  const log: Logger = (level, event, fields = {}) => {
    logged.push({ level, event, fields });
    console.log(jsonLine(level, event, fields));
  };
  const report = await runPass({ client: w.client, signer: keeper.signer, liquidatorAccount: keeper.account, log, maxContractsPerAccount: 50 });
  return { report, logged };
}

/** The BalanceLiquidateLogs of the pass's transactions against `account`, decoded from the chain. */
async function takesOf(logged: Logged[], account: Address): Promise<BalanceLiquidateLog[]> {
  const sigs = logged.filter((l) => l.event === 'balance_liquidate' && l.fields.liquidatee === account).map((l) => String(l.fields.signature));
  const events: BalanceLiquidateLog[] = [];
  for (const s of sigs) events.push(singleEvent(balanceLiquidateLogs(await txLogs(s)), 'BalanceLiquidateLog'));
  return events;
}

/** The asset given is worth the debt taken plus the penalty at the oracle price, to one unit of rounding. */
function assertPricedAtOraclePlusPenalty(e: BalanceLiquidateLog, price: bigint) {
  const value = solValue(e.assetAmount, price);
  const d = value - (e.liabilityAmount + e.penalty);
  assert.ok(d >= -1n && d <= 1n, `SOL given worth ${value}, debt ${e.liabilityAmount} + penalty ${e.penalty} (diff ${d})`);
  assert.ok(e.penaltyBps >= EXCHANGE_PARAMS.liqPenaltyMinBps && e.penaltyBps <= EXCHANGE_PARAMS.liqPenaltyMaxBps, `penalty ${e.penaltyBps} bps`);
  assert.ok(e.toInsurance > 0n && e.toInsurance <= e.penalty, `insurance share ${e.toInsurance} of ${e.penalty}`);
}

async function trader(amounts: { USDC?: bigint; SOL?: bigint }, deposit: { USDC?: bigint; SOL?: bigint }): Promise<Trader> {
  const t = await newTrader(w, amounts);
  const account = (await w.client.createAccount(t.signer, 0)).address;
  if (deposit.USDC) await w.client.deposit(t.signer, account, w.usdc.bank, t.wallet.USDC!, deposit.USDC);
  if (deposit.SOL) await w.client.deposit(t.signer, account, w.sol.bank, t.wallet.SOL!, deposit.SOL);
  return { ...t, account };
}

describe('balance liquidation: a spot borrower after a fall, then a crash to bankruptcy, by the keeper pass', () => {
  before(async () => {
    // Borrowing USDC on from the bank's creation (the e2e deployment's cap is 0); the flat zero rate stays.
    w = await newWorld({ usdc: { ...USDC_PARAMS, borrowCap: USD(1_000_000n) } });
    engine = HealthEngine.load();
    assert.equal((await w.client.bankState(w.usdc.bank)).data.borrowCap, USD(1_000_000n));
    insurance = (await createInsurance(w.client, w.admin)).address;
    const funder = await newTrader(w, { USDC: FUND });
    await fundInsurance(w.client, funder.signer, funder.wallet.USDC!, FUND);
    lender = await trader({ USDC: USD(50_000n) }, { USDC: USD(50_000n) });
    keeper = await trader({ USDC: KEEPER_MARGIN + KEEPER_TOP_UP }, { USDC: KEEPER_MARGIN });
    await assertConservation(w, w.usdc);
  });

  it('a spot borrower deposits 100 SOL and borrows USDC up to just under its initial limit', async () => {
    await setSolPrice(w, SOL_PRICE.price);
    first = await trader({ SOL: SOL(100n) }, { SOL: SOL(100n) });
    const { event } = await w.client.withdraw(first.signer, first.account, w.usdc.bank, first.wallet.USDC!, BORROWED_1);
    assert.equal(event.balanceAfter, -BORROWED_1, 'withdrawing beyond the balance borrows');
    assert.equal(event.initHealth, USD(15_000n) * 8_000n / 10_000n - BORROWED_1, 'initial health: 100 SOL x 150 x 0.8 - 11,900');
    assert.equal(event.maintHealth, USD(15_000n) * 9_000n / 10_000n - BORROWED_1);
    await assert.rejects(
      w.client.withdraw(first.signer, first.account, w.usdc.bank, first.wallet.USDC!, USD(101n)),
      (e: unknown) => e instanceof ProgramFailure && e.errorName === 'InitialMarginViolated',
    );
    await assertConservation(w, w.usdc);
    await assertConservation(w, w.sol);
  });

  it('after SOL falls to $130, one keeper pass balance-liquidates it back to maintenance zero', async () => {
    await setSolPrice(w, FALL);
    const pre = await maint(first.account);
    assert.equal(pre.maintHealth, USD(11_700n) - BORROWED_1, 'maintenance: 100 x 130 x 0.9 - 11,900 = -200 USDC');
    const [bUsdc, bSol, kUsdc, kSol, ins0] = await Promise.all([
      bal(first.account, w.usdc), bal(first.account, w.sol), bal(keeper.account, w.usdc), bal(keeper.account, w.sol), bal(insurance, w.usdc),
    ]);
    assert.deepEqual([bUsdc, bSol, kUsdc, kSol, ins0], [-BORROWED_1, SOL(100n), KEEPER_MARGIN, 0n, FUND]);

    const { report, logged } = await keeperPass();
    assert.equal(report.liquidations.length, 0, 'no options anywhere');
    const mine = report.balanceLiquidations.find((b) => b.account === first.account);
    assert.ok(mine, 'the borrower was found under maintenance');
    assert.deepEqual([mine.takes, mine.stop], [1, 'restored'], 'one take restores it');
    const done = logged.find((l) => l.event === 'pass_done')!.fields.balanceLiquidated as { account: Address; takes: number; stop: string }[];
    assert.deepEqual(done, [{ account: first.account, takes: 1, stop: 'restored' }]);
    assert.deepEqual(report.bankruptcies, [], 'nobody is left with nothing positive');

    const [e] = await takesOf(logged, first.account);
    assert.ok(e);
    console.log(`BalanceLiquidateLog: debt ${e.liabilityAmount} for ${e.assetAmount} lamports, penalty ${e.penalty} (${e.penaltyBps} bps), insurance ${e.toInsurance}, maint ${e.maintHealthBefore} -> ${e.maintHealthAfter}`);
    assert.deepEqual([e.liquidatee, e.liquidator, e.assetBank, e.liabilityBank], [first.account, keeper.account, w.sol.bank, w.usdc.bank]);
    assert.equal(e.maintHealthBefore, pre.maintHealth, 'the program saw the health the keeper computed');
    assert.deepEqual([mine.penalty, mine.toInsurance], [e.penalty, e.toInsurance], 'the pass reports the event');
    assertPricedAtOraclePlusPenalty(e, FALL);

    // Back to zero and no further (zero plus the plan's 10-unit slack, a couple of units of rounding).
    const post = await maint(first.account);
    assert.equal(post.maintHealth, e.maintHealthAfter);
    assert.ok(post.maintHealth >= 0n && post.maintHealth <= 12n, `maintenance after ${post.maintHealth}`);
    assert.ok(e.liabilityAmount < BORROWED_1 && e.assetAmount < SOL(100n), 'a partial take');

    // Every balance moved as logged: the keeper received SOL and took on USDC debt.
    assert.equal(await bal(first.account, w.usdc), bUsdc + e.liabilityAmount);
    assert.equal(await bal(first.account, w.sol), bSol - e.assetAmount);
    assert.equal(await bal(keeper.account, w.sol), kSol + e.assetAmount);
    const kUsdc1 = await bal(keeper.account, w.usdc);
    assert.equal(kUsdc1, kUsdc - e.liabilityAmount - e.toInsurance);
    assert.ok(kUsdc1 < 0n, `the keeper borrows USDC to take the debt over: ${kUsdc1}`);
    assert.equal(await bal(insurance, w.usdc), ins0 + e.toInsurance);
    assert.ok(e.liquidatorInitHealthAfter >= 0n && (await maint(keeper.account)).initHealth >= 0n, 'the keeper stays within its initial margin');

    // Restored: the program refuses another take.
    await assert.rejects(
      balanceLiquidate(w.client, first.account, keeper, w.sol.bank, w.usdc.bank),
      (err: unknown) => err instanceof ProgramFailure && err.errorName === 'NotLiquidatable',
    );
    await assertConservation(w, w.usdc);
    await assertConservation(w, w.sol);
  });

  it('after a crash to negative equity, the pass takes all the SOL and the bankruptcy job resolves the rest', async () => {
    // The first borrower repays what it still owes (from the USDC it borrowed); the keeper adds margin.
    await setSolPrice(w, FALL);
    const owed1 = -(await bal(first.account, w.usdc));
    await w.client.deposit(first.signer, first.account, w.usdc.bank, first.wallet.USDC!, owed1);
    assert.equal(await bal(first.account, w.usdc), 0n);
    await w.client.deposit(keeper.signer, keeper.account, w.usdc.bank, keeper.wallet.USDC!, KEEPER_TOP_UP);
    second = await trader({ SOL: SOL(100n) }, { SOL: SOL(100n) });
    const { event: borrowed } = await w.client.withdraw(second.signer, second.account, w.usdc.bank, second.wallet.USDC!, BORROWED_2);
    assert.equal(borrowed.initHealth, USD(13_000n) * 8_000n / 10_000n - BORROWED_2);

    await setSolPrice(w, CRASH);
    const pre = await maint(second.account);
    assert.equal(pre.maintHealth, USD(8_100n) - BORROWED_2, 'maintenance: 100 x 90 x 0.9 - 10,300 = -2,200 USDC');
    assert.ok(solValue(SOL(100n), CRASH) < BORROWED_2, 'negative equity: 9,000 of SOL against 10,300 of debt');
    // Shares: the keeper's USDC deposit carries its part of the socialized loss below.
    const kShares = async () => collateralShares((await w.client.marginAccount(keeper.account)).data, w.usdc.bankIndex);
    const [kUsdc, kSol, ins0, lender0] = await Promise.all([kShares(), bal(keeper.account, w.sol), bal(insurance, w.usdc), bal(lender.account, w.usdc)]);
    const index0 = (await w.client.bankState(w.usdc.bank)).data.depositIndex;

    const { report, logged } = await keeperPass();
    const mine = report.balanceLiquidations.find((b) => b.account === second.account);
    assert.ok(mine, 'the second borrower was found under maintenance');
    assert.deepEqual([mine.takes, mine.stop], [1, 'nothing_to_take'], 'one take empties it');
    assert.deepEqual(report.balanceLiquidations.map((b) => b.account), [second.account], 'the first borrower (repaid) is not touched');
    const [e] = await takesOf(logged, second.account);
    assert.ok(e);
    console.log(`BalanceLiquidateLog: debt ${e.liabilityAmount} for ${e.assetAmount} lamports, penalty ${e.penalty} (${e.penaltyBps} bps), insurance ${e.toInsurance}, maint ${e.maintHealthBefore} -> ${e.maintHealthAfter}`);
    assert.equal(e.maintHealthBefore, pre.maintHealth);
    assert.equal(e.assetAmount, SOL(100n), 'every lamport taken');
    assert.ok(e.maintHealthAfter < 0n, 'the SOL could not cover the debt');
    assertPricedAtOraclePlusPenalty(e, CRASH);
    assert.equal(await bal(keeper.account, w.sol), kSol + SOL(100n));
    assert.equal(await kShares(), kUsdc - e.liabilityAmount - e.toInsurance, 'USDC shares (index 1.0 at the take)');

    // Bankruptcy: owed = the debt the SOL did not buy; the fund (with this take's share) pays first.
    const mineB = report.bankruptcies.filter((b) => b.account === second.account);
    assert.equal(mineB.length, 1, 'one bankruptcy, in the USDC bank');
    const b = mineB[0]!;
    assert.equal(b.bank, w.usdc.bank);
    const sig = logged.find((l) => l.event === 'bankruptcy_resolve' && l.fields.account === second.account)!.fields.signature;
    const onChain: BankruptcyLog = singleEvent(bankruptcyLogs(await txLogs(String(sig))), 'BankruptcyLog');
    console.log(`BankruptcyLog: owed ${onChain.owed}, insurance ${onChain.coveredByInsurance}, socialized ${onChain.socialized}, deposit index ${onChain.depositIndexBefore} -> ${onChain.depositIndexAfter}`);
    assert.deepEqual(
      [b.owed, b.coveredByInsurance, b.socialized, b.depositIndexBefore, b.depositIndexAfter],
      [onChain.owed, onChain.coveredByInsurance, onChain.socialized, onChain.depositIndexBefore, onChain.depositIndexAfter],
    );
    assert.equal(onChain.owed, BORROWED_2 - e.liabilityAmount, 'shortfall = debt - what the SOL bought');
    const fund = ins0 + e.toInsurance;
    assert.ok(onChain.owed > fund, 'the fund cannot pay it all');
    assert.equal(onChain.coveredByInsurance, fund, 'the fund pays everything it holds');
    assert.equal(onChain.socialized, onChain.owed - onChain.coveredByInsurance);
    assert.equal(onChain.owed, onChain.coveredByInsurance + onChain.socialized, 'owed = covered + socialized, to the unit');
    assert.equal(onChain.depositIndexBefore, index0);
    assert.ok(onChain.depositIndexAfter < onChain.depositIndexBefore, 'socialized by lowering the deposit index');
    assert.equal((await w.client.bankState(w.usdc.bank)).data.depositIndex, onChain.depositIndexAfter);
    assert.equal(await bal(insurance, w.usdc), 0n, 'the fund is spent');

    // The bankrupt account owes nothing and holds nothing; the depositors carry the loss.
    const acc = (await w.client.marginAccount(second.account)).data;
    assert.equal(collateralShares(acc, w.usdc.bankIndex), 0n);
    assert.equal(collateralShares(acc, w.sol.bankIndex), 0n);
    assert.deepEqual(bankruptBankIndexes(acc), [], 'nothing left to resolve');
    const lender1 = collateralBalance((await w.client.marginAccount(lender.account)).data, (await w.client.bankState(w.usdc.bank)).data);
    assert.ok(lender1 < lender0 && lender0 - lender1 <= onChain.socialized, `the lender's 50,000 USDC is now ${lender1}`);

    await assertConservation(w, w.usdc);
    await assertConservation(w, w.sol);
  });
});
