// Governance end to end on a real validator (docs/governance.md): the local deployment's 10 s
// timelock (migrations/deploy.ts LOCALNET_TIMELOCK_SECS), the client (app/src/governance.ts) and
// the keeper's own pass (runPass, in process, as `npm run keeper -- --once`).
// 1. A SOL bank with a depositor: bank_set_params is refused (BankInUse); a stranger cannot queue
//    a change (NotProposer).
// 2. The admin queues the SOL bank's asset weights 500 bps down (the per-step maximum): the
//    GovProposedLog and the Proposal show the change and its unlock time; executing it before
//    then is refused (ProposalLocked) and changes nothing; after the timelock one keeper pass
//    executes it (GovExecutedLog), the bank's weights and the depositor's health move; a second
//    execution is refused (ProposalNotPending) and the next pass executes nothing.
// 3. A queued change cancelled by the guardian; the guardian clears a volatility breaker; the
//    two-step admin transfer. Each refusal with its exact code.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { Address, KeyPairSigner, Signature } from '@solana/kit';

import { getBank, getExchange, getProposal } from '../app/src/accounts.js';
import { clusterTime, waitForClusterTime } from '../app/src/clock.js';
import { COMMITMENT } from '../app/src/config.js';
import { maxwellErrorCode } from '../app/src/errors.js';
import { govExecutedLogs, singleEvent } from '../app/src/events.js';
import {
  acceptAdminTransfer,
  cancelProposal,
  clearVolBreaker,
  currentBankParams,
  executeProposal,
  listProposals,
  proposeAdminTransfer,
  proposeChange,
  PROPOSAL_CANCELLED,
  PROPOSAL_EXECUTED,
  PROPOSAL_PENDING,
  type ChangeArgs,
} from '../app/src/governance.js';
import { jsonLine, type Logger } from '../app/src/keeper/log.js';
import { runPass, type PassReport } from '../app/src/keeper/pass.js';
import { setBankParams } from '../app/src/lending.js';
import { proposalAddress } from '../app/src/pdas.js';
import { ProgramFailure } from '../app/src/transactions.js';
import { fundedSigner } from '../app/src/wallet.js';
import { LOCALNET_TIMELOCK_SECS, SOL_PARAMS, solUnderlyingParams } from '../migrations/deploy.js';
import { newTrader, newWorld, refreshSolPrice, type Trader, type World } from './support.js';

const USD = (n: bigint) => n * 1_000_000n;
const SOL = (n: bigint) => n * 1_000_000_000n;
const DEFAULT_ADDRESS = '11111111111111111111111111111111' as Address;

let w: World;
let keeper: Trader;
let holder: Trader;
let stranger: KeyPairSigner;
/** The queued weight cut. */
let proposal: Address;
let unlockTs: bigint;
let change: Extract<ChangeArgs, { __kind: 'BankParams' }>;

/** `p` is refused by Maxwell with error `name` (`code`). */
async function refused(p: Promise<unknown>, name: string, code: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ProgramFailure, `expected a ProgramFailure, got ${String(e)}`);
    assert.deepEqual([e.errorName, e.code], [name, code]);
    return true;
  });
}

type Logged = { level: string; event: string; fields: Record<string, unknown> };

/** One keeper pass by `keeper`, its structured log kept (and printed as TAP comments). */
async function keeperPass(): Promise<{ report: PassReport; logged: Logged[] }> {
  const logged: Logged[] = [];
  const log: Logger = (level, event, fields = {}) => {
    logged.push({ level, event, fields });
    console.log(jsonLine(level, event, fields));
  };
  const report = await runPass({ client: w.client, signer: keeper.signer, liquidatorAccount: keeper.account, log, maxContractsPerAccount: 10 });
  return { report, logged };
}

async function txLogs(signature: string): Promise<readonly string[]> {
  const tx = await w.conn.rpc
    .getTransaction(signature as Signature, { commitment: COMMITMENT, encoding: 'json', maxSupportedTransactionVersion: 0 })
    .send();
  return tx?.meta?.logMessages ?? [];
}

const solBank = async () => (await getBank(w.conn, w.sol.bank)).data;

describe('governance: a timelocked change through the client and the keeper pass', () => {
  before(async () => {
    w = await newWorld();
    const k = await newTrader(w, { USDC: USD(1_000n) });
    keeper = { ...k, account: (await w.client.createAccount(k.signer, 0)).address };
    await w.client.deposit(keeper.signer, keeper.account, w.usdc.bank, keeper.wallet.USDC!, USD(1_000n));
    const h = await newTrader(w, { SOL: SOL(10n) });
    holder = { ...h, account: (await w.client.createAccount(h.signer, 0)).address };
    await w.client.deposit(holder.signer, holder.account, w.sol.bank, holder.wallet.SOL!, SOL(10n));
    stranger = await fundedSigner(w.conn, 2n);
  });

  it('a bank with users takes no immediate parameter change: bank_set_params is refused BankInUse (6149)', async () => {
    const before = await solBank();
    assert.ok(before.depositShares > 0n);
    await refused(setBankParams(w.client, w.admin, w.sol.bank, { ...SOL_PARAMS, initAssetWeightBps: 7_500 }), 'BankInUse', 6149);
    assert.deepEqual(await solBank(), before, 'nothing changed');
  });

  it('a stranger cannot queue a change: NotProposer (6139), nothing queued', async () => {
    const params = { ...currentBankParams(await solBank()), borrowCap: SOL(1_000n) };
    await refused(proposeChange(w.client, stranger, { __kind: 'BankParams', bank: w.sol.bank, params }), 'NotProposer', 6139);
    assert.equal((await getExchange(w.conn, w.d.exchange)).data.gov.proposalCount, 0n);
    assert.deepEqual(await listProposals(w.client), []);
  });

  it('the admin queues the SOL asset weights 500 bps down: GovProposedLog and the Proposal show it with its unlock time', async () => {
    const b = await solBank();
    assert.deepEqual([b.initAssetWeightBps, b.maintAssetWeightBps], [SOL_PARAMS.initAssetWeightBps, SOL_PARAMS.maintAssetWeightBps]);
    const params = { ...currentBankParams(b), initAssetWeightBps: b.initAssetWeightBps - 500, maintAssetWeightBps: b.maintAssetWeightBps - 500 };
    change = { __kind: 'BankParams', bank: w.sol.bank, params };
    const r = await proposeChange(w.client, w.admin, change);
    const e = r.event;
    const shown = e.change.__kind === 'BankParams' ? { ...e.change, params: { ...e.change.params, feedId: Buffer.from(e.change.params.feedId).toString('hex') } } : e.change;
    console.log(`GovProposedLog: id ${e.id}, kind ${e.kind}, proposer ${e.proposer}, unlock ${e.unlockTs}, change ${JSON.stringify(shown, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
    assert.equal(r.id, 0n, 'the first proposal of the exchange');
    proposal = r.proposal;
    assert.equal(proposal, await proposalAddress(w.d.exchange, 0n));
    assert.deepEqual([e.exchange, e.proposal, e.id, e.proposer, e.kind], [w.d.exchange, proposal, 0n, w.admin.address, 0]);
    assert.ok(e.change.__kind === 'BankParams');
    assert.equal(e.change.bank, w.sol.bank);
    assert.deepEqual({ ...e.change.params, feedId: [...e.change.params.feedId] }, { ...params, feedId: [...params.feedId] }, 'the event carries the whole change');
    unlockTs = e.unlockTs;

    const listed = await listProposals(w.client);
    assert.equal(listed.length, 1);
    const p = listed[0]!;
    assert.equal(p.address, proposal);
    assert.deepEqual([p.data.exchange, p.data.id, p.data.proposer, p.data.state], [w.d.exchange, 0n, w.admin.address, PROPOSAL_PENDING]);
    assert.equal(p.data.unlockTs, unlockTs);
    assert.equal(p.data.unlockTs - p.data.proposedTs, BigInt(LOCALNET_TIMELOCK_SECS), 'unlock = proposed + the exchange timelock');
    assert.deepEqual(p.data.change, e.change, 'the Proposal holds what the event showed');
    assert.equal((await getExchange(w.conn, w.d.exchange)).data.gov.proposalCount, 1n);
  });

  it('executing before the unlock time is refused ProposalLocked (6140) and changes nothing', async () => {
    const now = await clusterTime(w.conn);
    assert.ok(now < unlockTs, `the cluster clock (${now}) must still be before the unlock (${unlockTs}) for this check`);
    const before = await solBank();
    await refused(executeProposal(w.client, stranger, proposal), 'ProposalLocked', 6140);
    assert.deepEqual(await solBank(), before, 'the bank is unchanged');
    assert.equal((await getProposal(w.conn, proposal)).data.state, PROPOSAL_PENDING);
  });

  it('after the timelock one keeper pass executes it: GovExecutedLog, the weights and the depositor\'s health move', async () => {
    await refreshSolPrice(w);
    const h0 = await w.client.health(holder.account, holder.signer.address);
    assert.equal(h0.initHealth, USD(1_500n) * 8_000n / 10_000n, '10 SOL x 150 x 0.80');
    assert.equal(h0.maintHealth, USD(1_500n) * 9_000n / 10_000n, '10 SOL x 150 x 0.90');
    const b0 = await solBank();

    const now = await waitForClusterTime(w.conn, unlockTs);
    console.log(`cluster clock ${now} >= unlock ${unlockTs}`);
    const { report, logged } = await keeperPass();
    assert.deepEqual(
      report.governanceExecuted.map((g) => [g.proposal, g.id, g.change, g.target]),
      [[proposal, 0n, 'BankParams', w.sol.bank]],
      'the pass executed the due proposal with its target bank',
    );
    const line = logged.filter((l) => l.event === 'gov_execute');
    assert.equal(line.length, 1, 'one JSON line per execution');
    assert.equal(line[0]!.fields.signature, report.governanceExecuted[0]!.signature);
    const done = logged.find((l) => l.event === 'pass_done')!.fields.governanceExecuted;
    assert.deepEqual(done, [{ id: 0n, change: 'BankParams', target: w.sol.bank }]);

    const e = singleEvent(govExecutedLogs(await txLogs(report.governanceExecuted[0]!.signature)), 'GovExecutedLog');
    console.log(`GovExecutedLog: id ${e.id}, kind ${e.kind}, executor ${e.executor}`);
    assert.deepEqual([e.exchange, e.proposal, e.id, e.kind, e.executor], [w.d.exchange, proposal, 0n, 0, keeper.signer.address]);

    const b1 = await solBank();
    assert.deepEqual(
      [b1.initAssetWeightBps, b1.maintAssetWeightBps],
      [change.params.initAssetWeightBps, change.params.maintAssetWeightBps],
      'asset weights 500 bps down each',
    );
    assert.deepEqual(currentBankParams(b1), { ...currentBankParams(b0), initAssetWeightBps: 7_500, maintAssetWeightBps: 8_500 }, 'nothing else changed');
    assert.equal((await getProposal(w.conn, proposal)).data.state, PROPOSAL_EXECUTED);

    await refreshSolPrice(w);
    const h1 = await w.client.health(holder.account, holder.signer.address);
    assert.equal(h1.initHealth, USD(1_500n) * 7_500n / 10_000n, '10 SOL x 150 x 0.75');
    assert.equal(h1.maintHealth, USD(1_500n) * 8_500n / 10_000n, '10 SOL x 150 x 0.85');
  });

  it('a second execution is refused ProposalNotPending (6141); the next pass executes nothing', async () => {
    const before = await solBank();
    await refused(executeProposal(w.client, stranger, proposal), 'ProposalNotPending', 6141);
    const { report } = await keeperPass();
    assert.deepEqual(report.governanceExecuted, []);
    assert.deepEqual(currentBankParams(await solBank()), currentBankParams(before), 'the weights stay where the one execution put them');
  });

  it('a queued change cancelled by the guardian never lands: GovCancelledLog; a stranger cannot cancel (NotGuardian 6136)', async () => {
    const usdc = (await getBank(w.conn, w.usdc.bank)).data;
    const { id, proposal: p, event } = await proposeChange(w.client, w.admin, {
      __kind: 'BankParams', bank: w.usdc.bank, params: { ...currentBankParams(usdc), borrowCap: USD(1_000_000n) },
    });
    assert.equal(id, 1n);
    assert.equal(event.id, 1n);
    await refused(cancelProposal(w.client, stranger, p), 'NotGuardian', 6136);
    // The guardian is the admin until a Roles change says otherwise.
    assert.equal((await getExchange(w.conn, w.d.exchange)).data.gov.guardian, w.admin.address);
    const { event: c } = await cancelProposal(w.client, w.admin, p);
    assert.deepEqual([c.exchange, c.proposal, c.id, c.kind, c.by], [w.d.exchange, p, 1n, 0, w.admin.address]);
    assert.equal((await getProposal(w.conn, p)).data.state, PROPOSAL_CANCELLED);
    await waitForClusterTime(w.conn, event.unlockTs);
    await refused(executeProposal(w.client, stranger, p), 'ProposalNotPending', 6141);
    await refused(cancelProposal(w.client, w.admin, p), 'ProposalNotPending', 6141);
    assert.equal((await getBank(w.conn, w.usdc.bank)).data.borrowCap, usdc.borrowCap, 'the cap never changed');
    assert.deepEqual((await listProposals(w.client)).map((x) => [x.data.id, x.data.state]), [[0n, PROPOSAL_EXECUTED], [1n, PROPOSAL_CANCELLED]]);
  });

  it('the guardian clears a volatility breaker: VolBreakerLog; a stranger cannot (NotGuardian 6136)', async () => {
    const { address: underlying } = await w.client.createUnderlying(w.admin, {
      oracle: w.sol.oracle!, spotBank: w.sol.bank, params: solUnderlyingParams(w.admin.address),
    });
    await refused(clearVolBreaker(w.client, stranger, underlying), 'NotGuardian', 6136);
    const { event } = await clearVolBreaker(w.client, w.admin, underlying);
    assert.deepEqual([event.underlying, event.tripped, event.windowMoveBps, event.by], [underlying, false, 0n, w.admin.address]);
    const g = (await w.client.underlying(underlying)).data.volGuard;
    assert.deepEqual([g.trippedTs, g.windowStart, g.windowMoveBps], [0n, event.ts, 0n], 'the window restarts at the clear');
  });

  it('two-step admin transfer: only the named key accepts (NotPendingAdmin 6138); the old admin then proposes no roles change', async () => {
    const successor = await fundedSigner(w.conn, 2n);
    await refused(proposeAdminTransfer(w.client, stranger, successor.address), 'NotAdmin', maxwellErrorCode('NotAdmin'));
    const { event: offered } = await proposeAdminTransfer(w.client, w.admin, successor.address);
    assert.deepEqual([offered.admin, offered.pendingAdmin, offered.accepted], [w.admin.address, successor.address, false]);
    assert.equal((await getExchange(w.conn, w.d.exchange)).data.gov.pendingAdmin, successor.address);
    await refused(acceptAdminTransfer(w.client, stranger), 'NotPendingAdmin', 6138);
    const { event: accepted } = await acceptAdminTransfer(w.client, successor);
    assert.deepEqual([accepted.admin, accepted.pendingAdmin, accepted.accepted], [successor.address, DEFAULT_ADDRESS, true]);
    const ex = (await getExchange(w.conn, w.d.exchange)).data;
    assert.deepEqual([ex.admin, ex.gov.pendingAdmin], [successor.address, DEFAULT_ADDRESS]);
    // The roles the old admin still held pass to the successor: the retired key keeps none.
    assert.deepEqual([ex.gov.guardian, ex.gov.riskAdmin], [successor.address, successor.address]);
    // Roles are the admin's alone to propose: the previous admin can no longer queue one.
    await refused(
      proposeChange(w.client, w.admin, { __kind: 'Roles', guardian: w.admin.address, riskAdmin: w.admin.address }),
      'NotProposer',
      6139,
    );
    // The new admin can.
    const { event } = await proposeChange(w.client, successor, { __kind: 'Roles', guardian: successor.address, riskAdmin: successor.address });
    assert.deepEqual([event.id, event.kind, event.proposer], [2n, 6, successor.address]);
  });
});
