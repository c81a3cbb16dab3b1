// Crash simulation (issue 11): N margin accounts of mixed kinds built through the real client on
// the real target/deploy/maxwell.so (LiteSVM behind a stand-in RPC: scripts/lib/litesvm-rpc.ts),
// then, from the same kind of starting world (rebuilt per scenario), SOL -40% and SOL +60%: the
// price moves, the risk arrays are cranked, and the keeper's own runPass runs until a pass does
// nothing (its rebalance job on: owners with a RebalancePolicy hold a USDC reserve account that
// feeds a spot-borrower or call-writer account). Checks: no account under maintenance while it
// still has something to take (the keeper's healthOfAll), bankruptcy shortfall = insurance +
// socialized, per bank vault >= deposits - borrows, and every rebalance within its policy
// (destination under its trigger before, per-move and per-day limits, the day's counter = the
// moves, fees to the keeper). Writes docs/crash-simulation.md.
//   npx tsx scripts/crash-sim.ts [--accounts N] [--out docs/crash-simulation.md]
import { writeFileSync } from 'node:fs';
import os from 'node:os';

import type { Address, KeyPairSigner } from '@solana/kit';

import { collateralShares, getBank, getMarginAccountsOfExchange } from '../app/src/accounts.js';
import { MaxwellClient } from '../app/src/client.js';
import { clusterTime } from '../app/src/clock.js';
import { bankruptcyLogs, rebalanceAccountsLogs } from '../app/src/events.js';
import { jsonLine, type Logger } from '../app/src/keeper/log.js';
import { runPass, type PassReport } from '../app/src/keeper/pass.js';
import { fetchMarginAccounts, fetchSnapshot, healthOfAll } from '../app/src/keeper/snapshot.js';
import { createInsurance, fundInsurance } from '../app/src/liquidation.js';
import { MAXWELL_PROGRAM_ADDRESS } from '../app/src/generated/maxwell/index.js';
import { CALL, PUT, seriesIndex, type OptionKind } from '../app/src/markets.js';
import { feedMask, policiesOf, setPolicy } from '../app/src/rebalance.js';
import { bankAt } from '../app/src/rules-wasm.js';
import { sviFor } from '../app/src/svi.js';
import { fundTokenAccountIxs, tokenBalance } from '../app/src/token.js';
import { ProgramFailure, sendAndConfirm } from '../app/src/transactions.js';
import { signerFromSecretHex } from '../app/src/wallet.js';
import { deployExchange, solUnderlyingParams } from '../migrations/deploy.js';
import { newTrader, setSolPrice, type Trader, type World } from '../tests/support.js';
import { litesvmConnection, type SvmRpc } from './lib/litesvm-rpc.js';

const USD = (n: bigint) => n * 1_000_000n;
const SOL = (n: bigint) => n * 1_000_000_000n;
const SOL_AT = (usd: bigint) => usd * 100_000_000n; // Pyth mantissa, exponent -8
const STRIKES = [130n, 140n, 150n, 160n, 170n].map(USD);
const KINDS = ['naked call writer', 'covered call writer', 'call spread', 'buyer', 'spot borrower', 'policy owner'] as const;
type Kind = (typeof KINDS)[number];

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const N = Number(arg('--accounts', '1000'));
const OUT = arg('--out', 'docs/crash-simulation.md');
const MAX_PASSES = Number(arg('--max-passes', '25'));
/** Clock seconds between keeper passes (0: the clock is held, so interest cannot push restored accounts back under). */
const PASS_SECONDS = BigInt(arg('--pass-seconds', '0'));

/** Deterministic pseudo-random numbers (mulberry32): the same world for both scenarios. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Built = {
  rpc: SvmRpc;
  w: World;
  underlying: Address;
  kinds: Map<Address, Kind | 'market maker' | 'keeper' | 'policy reserve' | 'policy-fed spot borrower' | 'policy-fed call writer' | 'covered call writer with a USDC borrow'>;
  /** Policy owners: owner, reserve (source) and fed (destination) accounts, trigger. */
  policies: { owner: Address; reserve: Address; fed: Address; trigger: bigint }[];
  keeper: { signer: KeyPairSigner; account: Address };
  retries: number;
  skipped: string[];
  buildTxs: number;
};

async function build(n: number, say: (s: string) => void): Promise<Built> {
  const rpc = await litesvmConnection();
  const conn = rpc.conn;
  const d = await deployExchange(conn, () => {}, { lending: 'demo' });
  const admin = await signerFromSecretHex(d.adminSecretHex);
  const w: World = { conn, d, admin, client: new MaxwellClient(conn, d.exchange), usdc: d.quote, sol: d.collateral.find((b) => b.symbol === 'SOL')! };
  const underlying = (await w.client.createUnderlying(admin, { oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(admin.address) })).address;
  const t0 = await clusterTime(conn);
  const expiries = [t0 + 86_400n, t0 + 7n * 86_400n];
  for (const [i, expiry] of expiries.entries()) {
    await w.client.listSeries(admin, underlying, { expiry, strikes: STRIKES, oiCap: 1_000_000n });
    await w.client.setSurface(admin, underlying, i, sviFor('0.8', { seconds: expiry - t0 }));
  }
  await setSolPrice(w, SOL_AT(150n));
  await w.client.refreshRisk(admin, underlying);

  // Insurance fund with a modest balance: big shortfalls go past it and are socialized.
  await createInsurance(w.client, admin);
  const funder = await newTrader(w, { USDC: USD(2_000n) });
  await fundInsurance(w.client, funder.signer, funder.wallet.USDC!, USD(2_000n));

  const party = async (usdc: bigint, sol: bigint): Promise<Trader> => {
    const t = await newTrader(w, { USDC: usdc, SOL: sol });
    const account = (await w.client.createAccount(t.signer, 0)).address;
    if (usdc > 0n) await w.client.deposit(t.signer, account, w.usdc.bank, t.wallet.USDC!, usdc);
    if (sol > 0n) await w.client.deposit(t.signer, account, w.sol.bank, t.wallet.SOL!, sol);
    return { ...t, account };
  };
  const mm = await party(USD(200_000_000n), SOL(100_000n));
  const keeperT = await party(USD(50_000_000n), SOL(0n));
  const kinds: Built['kinds'] = new Map([[mm.account, 'market maker'], [keeperT.account, 'keeper']]);

  const u = (await w.client.underlying(underlying)).data;
  const leg = (expiry: bigint, strike: bigint, kind: OptionKind, size: bigint) => {
    const i = seriesIndex(u, expiry, USD(strike), kind);
    return { seriesIndex: i, size, price: u.risk[i]!.mark > 0n ? u.risk[i]!.mark : 1n };
  };
  const [day, week] = expiries as [bigint, bigint];
  const rand = rng(11);
  const int = (lo: number, hi: number) => BigInt(lo + Math.floor(rand() * (hi - lo + 1)));
  let retries = 0;
  const skipped: string[] = [];
  /** Trades `legs` for `t`; on a margin refusal adds `topUp` USDC and tries again (at most 8 times). */
  const tradeWithTopUp = async (t: Trader, legs: ReturnType<typeof leg>[], topUp: bigint) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await w.client.trade(mm, t, underlying, legs);
        return;
      } catch (e) {
        if (!(e instanceof ProgramFailure) || attempt >= 8) throw e;
        retries++;
        // The owner deposits more (minted to its own token account first).
        const { instructions } = await fundTokenAccountIxs({
          payer: w.admin, mintAuthority: w.admin, owner: t.signer.address, mint: w.usdc.mint,
          decimals: w.usdc.decimals, tokenProgram: w.usdc.tokenProgram, amount: topUp,
        });
        await sendAndConfirm(w.conn, w.admin, instructions);
        await w.client.deposit(t.signer, t.account, w.usdc.bank, t.wallet.USDC!, topUp);
      }
    }
  };
  /** Borrows 30%..97% of the initial value of `s` SOL (80% of 150 USD per SOL) in USDC. */
  const borrowAgainst = async (t: Trader, s: bigint) => {
    let borrow = (s * USD(120n) * int(30, 97)) / 100n;
    for (let attempt = 0; ; attempt++) {
      try {
        await w.client.withdraw(t.signer, t.account, w.usdc.bank, t.wallet.USDC!, borrow);
        break;
      } catch (e) {
        if (!(e instanceof ProgramFailure) || attempt >= 5) throw e;
        retries++;
        borrow = (borrow * 9n) / 10n;
      }
    }
  };
  const policies: Built['policies'] = [];
  const started = Date.now();
  for (let i = 0; i < n; i++) {
    const kind = KINDS[i % KINDS.length]!;
    try {
      if (kind === 'naked call writer') {
        const k = int(1, 10);
        const t = await party(k * int(20, 200) * 1_000_000n, 0n);
        kinds.set(t.account, kind);
        const legs = [leg(day, i % 2 ? 160n : 170n, CALL, -k)];
        if (i % 3 === 0) legs.push(leg(week, 170n, CALL, -int(1, 5)));
        await tradeWithTopUp(t, legs, k * USD(40n));
      } else if (kind === 'covered call writer') {
        const s = int(1, 20);
        const t = await party(USD(int(0, 50)), SOL(s));
        kinds.set(t.account, kind);
        await tradeWithTopUp(t, [leg(i % 2 ? week : day, i % 3 ? 170n : 160n, CALL, -s)], USD(50n));
        // Every other one also borrows USDC against its SOL: option positions AND a debt, so the
        // keeper chooses between the two kinds of liquidation step for it.
        if (i % 4 === 1) {
          kinds.set(t.account, 'covered call writer with a USDC borrow');
          await borrowAgainst(t, s);
        }
      } else if (kind === 'call spread') {
        const k = int(1, 10);
        const credit = i % 2 === 0; // credit spreads (short the lower strike) can lose on a rally
        const t = await party(k * int(5, 30) * 1_000_000n, 0n);
        kinds.set(t.account, kind);
        await tradeWithTopUp(t, [leg(week, 150n, CALL, credit ? -k : k), leg(week, 160n, CALL, credit ? k : -k)], k * USD(5n));
      } else if (kind === 'buyer') {
        const k = int(1, 10);
        const t = await party(k * int(10, 60) * 1_000_000n, 0n);
        kinds.set(t.account, kind);
        await tradeWithTopUp(t, i % 2 ? [leg(day, 150n, CALL, k)] : [leg(week, 140n, PUT, k), leg(day, 160n, CALL, int(0, 3) || 1n)], k * USD(10n));
      } else if (kind === 'spot borrower') {
        const s = int(1, 20);
        const t = await party(0n, SOL(s));
        kinds.set(t.account, kind);
        await borrowAgainst(t, s);
      } else {
        // An owner with two accounts: a USDC reserve (id 0) that feeds the other (id 1), a spot
        // borrower or a naked call writer (alternately), under a RebalancePolicy whose trigger
        // is half the fed account's maintenance health once built (at most 100 USDC). Reserves of 200..3,000 USDC,
        // 100..1,000 per move, three moves a day: some are enough, some are not.
        const s = int(1, 20);
        const k = int(1, 10);
        const borrower = Math.floor(i / KINDS.length) % 2 === 0;
        const reserveUsd = int(200, 3_000);
        const fedUsd = borrower ? 0n : k * int(20, 200) * 1_000_000n;
        const owner = await party(USD(reserveUsd), 0n); // account 0: the reserve
        const fedAccount = (await w.client.createAccount(owner.signer, 1)).address;
        const fed: Trader = { ...owner, account: fedAccount };
        const { instructions } = await fundTokenAccountIxs({
          payer: w.admin, mintAuthority: w.admin, owner: owner.signer.address, mint: borrower ? w.sol.mint : w.usdc.mint,
          decimals: borrower ? w.sol.decimals : w.usdc.decimals, tokenProgram: borrower ? w.sol.tokenProgram : w.usdc.tokenProgram, amount: borrower ? SOL(s) : fedUsd,
        });
        await sendAndConfirm(w.conn, w.admin, instructions);
        if (borrower) {
          await w.client.deposit(owner.signer, fedAccount, w.sol.bank, owner.wallet.SOL!, SOL(s));
        } else {
          await w.client.deposit(owner.signer, fedAccount, w.usdc.bank, owner.wallet.USDC!, fedUsd);
        }
        kinds.set(owner.account, 'policy reserve');
        kinds.set(fedAccount, borrower ? 'policy-fed spot borrower' : 'policy-fed call writer');
        if (borrower) await borrowAgainst(fed, s);
        else await tradeWithTopUp(fed, [leg(day, i % 4 === 1 ? 160n : 170n, CALL, -k)], k * USD(40n));
        const h = await w.client.health(fedAccount, w.admin.address);
        // The policy needs trigger < target; the target is also what the reserve must keep.
        const half = h.maintHealth > 2n ? h.maintHealth / 2n : 1n;
        const trigger = half < USD(100n) ? half : USD(100n);
        const perMove = USD(int(100, 1_000));
        await setPolicy(w.client, owner.signer, {
          accounts: [owner.account, fedAccount],
          feeds: new Uint8Array([0, feedMask([0])]), // the reserve feeds the fed account, never the reverse
          triggerHealth: trigger,
          targetHealth: trigger + USD(50n), // what the reserve keeps (maintenance health)
          maxPerMove: perMove,
          maxPerDay: 3n * perMove,
          quoteBorrowLimit: 0n,
          keeperFeeBps: 10,
          maxDiscountBps: 100,
        });
        policies.push({ owner: owner.signer.address, reserve: owner.account, fed: fedAccount, trigger });
      }
    } catch (e) {
      skipped.push(`${kind} #${i}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    if ((i + 1) % 100 === 0) say(`built ${i + 1}/${n} accounts (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  return { rpc, w, underlying, kinds, policies, keeper: { signer: keeperT.signer, account: keeperT.account }, retries, skipped, buildTxs: rpc.txs.length };
}

/** Compute units per Maxwell instruction kind, from the logs ("Instruction: X" ... "consumed N"). */
function cuByInstruction(txs: SvmRpc['txs']): Map<string, { count: number; total: bigint; max: bigint }> {
  const out = new Map<string, { count: number; total: bigint; max: bigint }>();
  for (const tx of txs) {
    const stack: string[] = [];
    let name = '?';
    for (const l of tx.logs) {
      const inv = /^Program (\w+) invoke \[\d+\]/.exec(l);
      if (inv) { stack.push(inv[1]!); if (inv[1] === MAXWELL_PROGRAM_ADDRESS && stack.length === 1) name = '?'; continue; }
      if (/^Program \w+ (success|failed)/.test(l)) { stack.pop(); continue; }
      const ins = /^Program log: Instruction: (\w+)/.exec(l);
      if (ins && stack[stack.length - 1] === MAXWELL_PROGRAM_ADDRESS) { name = ins[1]!; continue; }
      const c = new RegExp(`^Program ${MAXWELL_PROGRAM_ADDRESS} consumed (\\d+) of`).exec(l);
      if (c && stack.length === 1) {
        const cu = BigInt(c[1]!);
        const e = out.get(name) ?? { count: 0, total: 0n, max: 0n };
        e.count++; e.total += cu; if (cu > e.max) e.max = cu;
        out.set(name, e);
      }
    }
  }
  return out;
}

type ScenarioResult = {
  name: string; price: bigint; built: Built; wallSecs: number; buildSecs: number; scenarioSecs: number;
  underBefore: Map<string, number>; passes: PassReport[]; passTxs: SvmRpc['txs'];
  checks: { name: string; ok: boolean; detail: string }[];
  bankrupt: { count: number; owed: bigint; covered: bigint; socialized: bigint };
  /** Failed transactions after the move, by error (Anchor's "Error Code"), with the logs of the first. */
  failedKeeperTxs: Map<string, { count: number; logs: string[] }>;
  /** Accounts failing check 1, with their balances. */
  badAccounts: string[];
  rebalance: { moves: number; destinations: number; moved: bigint; fees: bigint; fedUnderTrigger: number; fedUnderMaint: number; fedLiquidated: number; fedBankrupt: number; fed: number };
  /** Steps chosen when an account offered both kinds (liquidation_choice log lines), by kind. */
  choices: Map<string, number>;
  warnings: string[];
};

async function scenario(name: string, priceUsd: bigint, say: (s: string) => void): Promise<ScenarioResult> {
  const t0 = Date.now();
  const built = await build(N, say);
  const buildSecs = (Date.now() - t0) / 1000;
  const { rpc, w, underlying, kinds, keeper } = built;
  const kindOf = (a: Address) => kinds.get(a) ?? 'other';
  say(`${name}: world built (${built.buildTxs} transactions, ${buildSecs.toFixed(1)} s); SOL 150 -> ${priceUsd}`);
  const s0 = Date.now();
  const fromTx = rpc.txs.length;
  rpc.advance(30n);
  await setSolPrice(w, SOL_AT(priceUsd));
  await w.client.refreshRisk(w.admin, underlying);

  const healthNow = async () => {
    const { scanned } = await fetchMarginAccounts(w.client);
    const snap = await fetchSnapshot(w.client, scanned.map((a) => a.data));
    return { scanned, health: healthOfAll(snap, scanned) };
  };
  const underBefore = new Map<string, number>();
  const trigger = new Map(built.policies.map((p) => [p.fed, p.trigger]));
  let fedUnderTrigger = 0;
  let fedUnderMaint = 0;
  for (const h of (await healthNow()).health) {
    if (h.kind === 'health' && h.health.maintHealth < 0n) underBefore.set(kindOf(h.account), (underBefore.get(kindOf(h.account)) ?? 0) + 1);
    const t = trigger.get(h.account);
    if (t !== undefined && h.kind === 'health' && h.health.maintHealth < t) fedUnderTrigger++;
    if (t !== undefined && h.kind === 'health' && h.health.maintHealth < 0n) fedUnderMaint++;
  }
  say(`${name}: under maintenance after the move: ${JSON.stringify(Object.fromEntries(underBefore))}`);

  const passes: PassReport[] = [];
  const failedKeeperTxs: ScenarioResult['failedKeeperTxs'] = new Map();
  const warnings: string[] = [];
  const choices = new Map<string, number>();
  const log: Logger = (level, event, fields) => {
    if (level === 'warn' || level === 'error') warnings.push(jsonLine(level, event, fields));
    if (event === 'liquidation_choice') choices.set(String(fields?.kind), (choices.get(String(fields?.kind)) ?? 0) + 1);
  };
  for (let p = 0; p < MAX_PASSES; p++) {
    if (PASS_SECONDS > 0n) {
      rpc.advance(PASS_SECONDS);
      await setSolPrice(w, SOL_AT(priceUsd)); // the oracle keeps publishing
    }
    const before = rpc.txs.length;
    const r = await runPass({
      client: w.client, signer: keeper.signer, liquidatorAccount: keeper.account, log, maxContractsPerAccount: 20,
      jobs: { rebalanceEnabled: true, bankruptcyEnabled: true, accrueEnabled: false, realizedVolEnabled: false, observeEnabled: false },
    });
    passes.push(r);
    for (const tx of rpc.txs.slice(before)) {
      if (tx.ok) continue;
      const err = /Error Code: (\w+)\./.exec(tx.logs.join('\n'))?.[1] ?? tx.logs.find((l) => /failed/.test(l)) ?? 'unknown';
      const f = failedKeeperTxs.get(err) ?? { count: 0, logs: tx.logs };
      f.count++;
      failedKeeperTxs.set(err, f);
    }
    const did = r.liquidations.reduce((s, l) => s + l.contracts, 0) + r.balanceLiquidations.reduce((s, b) => s + b.takes, 0) + r.bankruptcies.length + r.settled.accounts + r.rebalances.length;
    say(`${name}: pass ${p + 1}: ${r.rebalances.length} rebalances, ${r.liquidations.length} option-liquidation targets (${r.liquidations.reduce((s, l) => s + l.contracts, 0)} txs), ${r.balanceLiquidations.length} balance targets (${r.balanceLiquidations.reduce((s, b) => s + b.takes, 0)} takes), ${r.bankruptcies.length} bankruptcies, refreshed ${r.refreshed}`);
    if (did === 0) break;
    if (p === MAX_PASSES - 1) warnings.push(`stopped after ${MAX_PASSES} passes: the last still did something`);
  }
  const passTxs = rpc.txs.slice(fromTx);

  // Check 1: nobody under maintenance with something left to take.
  const { scanned, health } = await healthNow();
  const byAddr = new Map(scanned.map((a) => [a.address, a]));
  const bad: string[] = [];
  const refusals: string[] = [];
  let underNothing = 0;
  for (const h of health) {
    if (h.kind !== 'health') { refusals.push(`${h.account} ${h.kind}`); continue; }
    if (h.health.maintHealth >= 0n) continue;
    const a = byAddr.get(h.account)!;
    const takeable = a.data.collateral.some((s) => s.inUse === 1 && s.balance > 0n) || a.data.positions.some((p) => p.inUse === 1 && p.size !== 0n);
    if (takeable) bad.push(`${h.account} (${kindOf(h.account)}) maint ${h.health.maintHealth} init ${h.health.initHealth}, balances ${a.data.collateral.filter((c) => c.inUse === 1).map((c) => `bank ${c.bankIndex}: ${c.balance} shares`).join(', ')}, positions ${a.data.positions.filter((p) => p.inUse === 1).map((p) => `${p.seriesIndex}: ${p.size}`).join(', ') || 'none'}`);
    else underNothing++;
  }
  const checks: ScenarioResult['checks'] = [];
  checks.push({ name: 'no account under maintenance with something to take', ok: bad.length === 0 && refusals.length === 0,
    detail: `${health.length} accounts evaluated (healthOfAll, strict); ${bad.length} under maintenance with something to take${bad.length ? `: ${bad.slice(0, 5).join('; ')}` : ''}; ${underNothing} under maintenance with nothing to take; ${refusals.length} not evaluated${refusals.length ? `: ${refusals.slice(0, 5).join('; ')}` : ''}` });

  // Check 2: shortfall = insurance + socialized (BankruptcyLog events of every transaction).
  const events = passTxs.filter((t) => t.ok).flatMap((t) => bankruptcyLogs(t.logs));
  const bankrupt = {
    count: events.length,
    owed: events.reduce((s, e) => s + e.owed, 0n),
    covered: events.reduce((s, e) => s + e.coveredByInsurance, 0n),
    socialized: events.reduce((s, e) => s + e.socialized, 0n),
  };
  const differing = events.filter((e) => e.coveredByInsurance + e.socialized !== e.owed);
  const perEvent = differing.length;
  const rep = passes.flatMap((p) => p.bankruptcies);
  const repOwed = rep.reduce((s, b) => s + b.owed, 0n);
  checks.push({ name: 'bankruptcy shortfall = insurance + socialized', ok: perEvent === 0 && bankrupt.covered + bankrupt.socialized === bankrupt.owed && repOwed === bankrupt.owed,
    detail: `${events.length} BankruptcyLog events: owed ${fmt(bankrupt.owed)} USDC-native, covered by insurance ${fmt(bankrupt.covered)}, socialized ${fmt(bankrupt.socialized)} (sum ${fmt(bankrupt.covered + bankrupt.socialized)}); ${perEvent} events where they differ${differing.slice(0, 5).map((e) => ` [account ${e.account}: owed ${e.owed}, insurance ${e.coveredByInsurance}, socialized ${e.socialized}, deposit index ${e.depositIndexBefore} -> ${e.depositIndexAfter}]`).join('')}; keeper reports' owed total ${fmt(repOwed)}` });

  // Check 3: per bank, vault >= deposits - borrows; share totals = sums of balances.
  const accounts = await getMarginAccountsOfExchange(w.conn, w.d.exchange);
  for (const b of [w.usdc, w.sol]) {
    const state = (await getBank(w.conn, b.bank)).data;
    const vault = await tokenBalance(w.conn, b.vault);
    const { deposits, borrows } = bankAt(state);
    const shares = accounts.map((a) => collateralShares(a.data, b.bankIndex));
    const pos = shares.reduce((s, x) => (x > 0n ? s + x : s), 0n);
    const neg = shares.reduce((s, x) => (x < 0n ? s - x : s), 0n);
    const sharesOk = state.depositShares === pos + state.feeShares && state.borrowShares === neg;
    checks.push({ name: `conservation ${b.symbol}`, ok: vault >= deposits - borrows && sharesOk,
      detail: `vault ${fmt(vault)} >= deposits ${fmt(deposits)} - borrows ${fmt(borrows)} = ${fmt(deposits - borrows)} (slack ${fmt(vault - (deposits - borrows))}); deposit shares ${state.depositShares} = positive balances ${pos} + fee shares ${state.feeShares}: ${state.depositShares === pos + state.feeShares}; borrow shares ${state.borrowShares} = negative balances ${neg}: ${state.borrowShares === neg}; deposit index ${state.depositIndex}, borrow index ${state.borrowIndex}` });
  }
  // Check 4: every rebalance within its policy (RebalanceAccountsLog of every transaction).
  const moves = passTxs.filter((t) => t.ok).flatMap((t) => rebalanceAccountsLogs(t.logs));
  const pols = new Map((await policiesOf(w.client)).map((p) => [p.address, p.data]));
  const problems: string[] = [];
  const movedBy = new Map<Address, bigint>();
  for (const m of moves) {
    const p = pols.get(m.policy);
    if (!p) { problems.push(`unknown policy ${m.policy}`); continue; }
    movedBy.set(m.policy, (movedBy.get(m.policy) ?? 0n) + m.amount);
    if (m.destinationMaintBefore >= p.triggerHealth) problems.push(`${m.destination}: not under its trigger (${m.destinationMaintBefore} >= ${p.triggerHealth})`);
    if (m.amount > p.maxPerMove) problems.push(`${m.destination}: ${m.amount} > max per move ${p.maxPerMove}`);
    if (m.sourceMaintAfter < p.targetHealth) problems.push(`${m.source}: source below its target (${m.sourceMaintAfter} < ${p.targetHealth})`);
    if (m.keeper !== keeper.account && m.keeper !== keeper.signer.address) problems.push(`fee to ${m.keeper}, not the keeper`);
    if (m.destinationMaintAfter <= m.destinationMaintBefore) problems.push(`${m.destination}: did not improve`);
  }
  for (const [addr, p] of pols) {
    const moved = movedBy.get(addr) ?? 0n;
    if (p.movedToday !== moved) problems.push(`policy ${addr}: moved today ${p.movedToday} != its moves ${moved}`);
    if (moved > p.maxPerDay) problems.push(`policy ${addr}: ${moved} > max per day ${p.maxPerDay}`);
  }
  const reported = passes.flatMap((p) => p.rebalances);
  const movedTotal = moves.reduce((s, m) => s + m.amount, 0n);
  const feeTotal = moves.reduce((s, m) => s + m.fee, 0n);
  if (reported.length !== moves.length || reported.reduce((s, r) => s + r.amount, 0n) !== movedTotal) problems.push(`keeper reports ${reported.length} moves, the logs ${moves.length}`);
  checks.push({ name: 'rebalances within their policies', ok: problems.length === 0,
    detail: `${moves.length} RebalanceAccountsLog events over ${pols.size} policies: moved ${fmt(movedTotal)} USDC-native, keeper fees ${fmt(feeTotal)}; every destination under its trigger before and better after, every amount <= max per move, every source >= its target after, each policy's moved-today counter = its moves <= max per day, fees to the keeper's account; ${problems.length} problems${problems.length ? `: ${problems.slice(0, 5).join('; ')}` : ''}` });

  const fedSet = new Set(built.policies.map((p) => p.fed));
  const liquidated = new Set(passes.flatMap((p) => [...p.liquidations.filter((l) => l.contracts > 0).map((l) => l.account), ...p.balanceLiquidations.filter((b) => b.takes > 0).map((b) => b.account)]));
  const rebalance = {
    moves: moves.length, destinations: new Set(moves.map((m) => m.destination)).size, moved: movedTotal, fees: feeTotal,
    fedUnderTrigger, fedUnderMaint, fed: fedSet.size,
    fedLiquidated: [...fedSet].filter((a) => liquidated.has(a)).length,
    fedBankrupt: new Set(events.map((e) => e.account).filter((a) => fedSet.has(a))).size,
  };
  const scenarioSecs = (Date.now() - s0) / 1000;
  return { name, price: priceUsd, built, wallSecs: (Date.now() - t0) / 1000, buildSecs, scenarioSecs, underBefore, passes, passTxs, checks, bankrupt, failedKeeperTxs, badAccounts: bad, warnings, rebalance, choices };
}

const fmt = (x: bigint) => x.toLocaleString('en-US');

function report(results: ScenarioResult[], totalSecs: number): string {
  const cpus = os.cpus();
  const L: string[] = [];
  L.push('# Crash simulation', '');
  L.push('Generated by `scripts/crash-sim.ts`; do not edit by hand. The real `target/deploy/maxwell.so` and `mock_pyth.so` run in LiteSVM (npm `litesvm@1.5.0`, installed under `target/crash-sim`, not a project dependency) behind a stand-in RPC (`scripts/lib/litesvm-rpc.ts`); the world is built through the TypeScript client and resolved by the keeper\'s own `runPass` (rebalances under owners\' policies, then liquidations step by step, an option contract or a balance take, whichever is expected to restore more maintenance health per unit of penalty, then bankruptcies), repeated until a pass does nothing. Each scenario starts from a freshly built world (same seed, same accounts and sizes).', '');
  L.push(`- Command: \`npx tsx scripts/crash-sim.ts --accounts ${N}${PASS_SECONDS > 0n ? ` --pass-seconds ${PASS_SECONDS}` : ''}\``);
  L.push(`- Clock: +30 s and the new price, risk arrays cranked, then ${PASS_SECONDS === 0n ? 'held during the keeper passes (no interest accrues between passes)' : `+${PASS_SECONDS} s and a fresh price publish before each keeper pass`}; at most ${MAX_PASSES} passes.`);
  L.push(`- Machine: ${cpus[0]?.model ?? '?'} x${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`);
  L.push(`- Date: ${new Date().toISOString()}; total wall time ${totalSecs.toFixed(1)} s`);
  L.push('- Rebalance policies: every sixth built slot is an owner with two accounts, a USDC reserve (200..3,000 USDC) and a spot borrower or a naked call writer (alternately), under a `RebalancePolicy` in which the reserve feeds the other account: trigger = half the fed account\'s maintenance health once built, at most 100 USDC; target = trigger + 50 USDC (the reserve keeps that much maintenance health), 100..1,000 USDC per move, three moves a day, 10 bps keeper fee. The keeper\'s rebalance job is on (it runs in each pass before the liquidations).', '');
  for (const r of results) {
    const kindsCount = new Map<string, number>();
    for (const k of r.built.kinds.values()) kindsCount.set(k, (kindsCount.get(k) ?? 0) + 1);
    const liqTxs = r.passes.reduce((s, p) => s + p.liquidations.reduce((a, l) => a + l.contracts, 0), 0);
    const liqAccounts = new Set(r.passes.flatMap((p) => p.liquidations.filter((l) => l.contracts > 0).map((l) => l.account))).size;
    const takes = r.passes.reduce((s, p) => s + p.balanceLiquidations.reduce((a, b) => a + b.takes, 0), 0);
    const takeAccounts = new Set(r.passes.flatMap((p) => p.balanceLiquidations.filter((b) => b.takes > 0).map((b) => b.account))).size;
    const toIns = r.passes.reduce((s, p) => s + p.liquidations.reduce((a, l) => a + l.toInsurance, 0n) + p.balanceLiquidations.reduce((a, b) => a + b.toInsurance, 0n), 0n);
    L.push(`## SOL 150 -> ${r.price} (${r.name})`, '');
    L.push(`Wall time ${r.wallSecs.toFixed(1)} s (build ${r.buildSecs.toFixed(1)} s, price move + keeper + checks ${r.scenarioSecs.toFixed(1)} s).`, '');
    L.push('| Accounts by kind | built | under maintenance after the move |', '|---|---:|---:|');
    for (const [k, c] of kindsCount) L.push(`| ${k} | ${c} | ${r.underBefore.get(k) ?? 0} |`);
    L.push('');
    if (r.built.skipped.length) L.push(`Accounts whose opening trade or borrow failed (kept with their deposit): ${r.built.skipped.length}, e.g. ${r.built.skipped.slice(0, 3).join('; ')}`, '');
    L.push(`Margin top-ups or smaller borrows while building: ${r.built.retries}.`, '');
    const ok = r.passTxs.filter((t) => t.ok).length;
    L.push(`Transactions: ${fmt(BigInt(r.built.buildTxs))} to build (incl. failed attempts), ${ok} succeeded + ${r.passTxs.length - ok} failed after the price move (price publishes, risk crank, keeper).`, '');
    L.push(`Keeper passes: ${r.passes.length} (the last did nothing). Option liquidations: ${liqTxs} transactions on ${liqAccounts} accounts. Balance liquidations: ${takes} takes on ${takeAccounts} accounts. Penalties to insurance: ${fmt(toIns)} USDC-native.`, '');
    const rb = r.rebalance;
    L.push(`Rebalances: ${rb.moves} \`rebalance_accounts\` on ${rb.destinations} of the ${rb.fed} policy-fed accounts (${rb.fedUnderTrigger} were under their trigger after the move, ${rb.fedUnderMaint} of them under maintenance); ${fmt(rb.moved)} USDC-native moved from reserves, ${fmt(rb.fees)} in keeper fees. Policy-fed accounts liquidated anyway: ${rb.fedLiquidated}; bankrupt: ${rb.fedBankrupt}.`, '');
    const steps = r.passes.flatMap((p) => p.liquidationSteps.flatMap((x) => x.steps));
    L.push(`Liquidation steps by kind: ${steps.filter((k) => k === 'options').length} option contracts, ${steps.filter((k) => k === 'balances').length} balance takes (tried). Steps where the account offered both kinds (the keeper chose): ${[...r.choices].map(([k, c]) => `${k} ${c}`).join(', ') || 'none'}.`, '');
    L.push(`Bankruptcies resolved: ${r.bankrupt.count}; shortfall ${fmt(r.bankrupt.owed)} USDC-native (${(Number(r.bankrupt.owed) / 1e6).toFixed(2)} USDC), insurance used ${fmt(r.bankrupt.covered)}, socialized ${fmt(r.bankrupt.socialized)}.`, '');
    L.push('| Instruction (after the move) | count | CU total | CU max |', '|---|---:|---:|---:|');
    for (const [k, v] of [...cuByInstruction(r.passTxs)].sort()) L.push(`| ${k} | ${v.count} | ${fmt(v.total)} | ${fmt(v.max)} |`);
    L.push('', '| Instruction (building) | count | CU total | CU max |', '|---|---:|---:|---:|');
    for (const [k, v] of [...cuByInstruction(r.built.rpc.txs.slice(0, r.built.buildTxs))].sort()) L.push(`| ${k} | ${v.count} | ${fmt(v.total)} | ${fmt(v.max)} |`);
    L.push('', '| Check | result | detail |', '|---|---|---|');
    for (const c of r.checks) L.push(`| ${c.name} | ${c.ok ? 'PASS' : 'FAIL'} | ${c.detail.replace(/\|/g, '\\|')} |`);
    L.push('');
    L.push(`Failed transactions after the move, by error: ${[...r.failedKeeperTxs].map(([e, f]) => `${e} ${f.count}`).join(', ') || 'none'}. Keeper warnings/errors logged: ${r.warnings.length}.`, '');
    for (const wl of r.warnings.slice(0, 5)) L.push(`- \`${wl.slice(0, 400)}\``);
    if (r.badAccounts.length) {
      L.push('', 'Accounts left under maintenance with something to take:', '');
      for (const b of r.badAccounts.slice(0, 10)) L.push(`- ${b}`);
    }
    for (const [e, f] of r.failedKeeperTxs) {
      if (e === 'NotLiquidatable' || e === 'NotBankrupt') continue; // the expected stops
      L.push('', `Logs of the first failed transaction with ${e}:`, '', '```', ...f.logs, '```');
    }
    L.push('');
  }
  return L.join('\n') + '\n';
}

const say = (s: string) => console.log(`crash-sim: ${s}`);
const start = Date.now();
const results: ScenarioResult[] = [];
for (const [name, price] of [['crash', 90n], ['rally', 240n]] as const) {
  const r = await scenario(name, price, say);
  for (const c of r.checks) say(`${name}: ${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
  for (const [e, f] of r.failedKeeperTxs) say(`${name}: ${f.count} failed txs with ${e}; first:\n  ${f.logs.join('\n  ')}`);
  for (const b of r.badAccounts.slice(0, 5)) say(`${name}: left under maintenance: ${b}`);
  for (const wl of r.warnings.slice(0, 5)) say(`${name}: keeper ${wl}`);
  results.push(r);
}
writeFileSync(OUT, report(results, (Date.now() - start) / 1000));
say(`wrote ${OUT} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
