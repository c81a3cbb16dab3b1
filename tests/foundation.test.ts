// Foundation slice, end to end on a real validator (run through scripts/with-validator.sh, see
// `npm test`): deploy, account create, deposit, withdraw through the generated client; after
// each step the token balances (wallet, vault), the margin balances and conservation are checked.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { collateralBalance, getBank, getExchange } from '../app/src/accounts.js';
import { maxwellErrorCode } from '../app/src/errors.js';
import { MAXWELL_ERROR__INSUFFICIENT_BALANCE } from '../app/src/generated/maxwell/index.js';
import { ProgramFailure } from '../app/src/transactions.js';
import { EXCHANGE_PARAMS, LOCALNET_TIMELOCK_SECS, SOL_PARAMS, SOL_PRICE } from '../migrations/deploy.js';
import { assertConservation, newTrader, newWorld, refreshSolPrice, snapshot, type Trader, type World } from './support.js';

const USDC = (n: bigint) => n * 1_000_000n;
const SOL = (n: bigint) => n * 1_000_000_000n;

/** Quote value of `lamports` at SOL_PRICE (scale 10^(expo + 6 - 9)), floored, then weighted. */
const solValue = (lamports: bigint, weightBps: number) =>
  ((lamports * SOL_PRICE.price) / 10n ** BigInt(-(SOL_PRICE.exponent + 6 - 9)) * BigInt(weightBps)) / 10_000n;

let w: World;
let alice: Trader;
let bob: Trader;

describe('foundation: deploy, account, deposit, withdraw', () => {
  before(async () => {
    w = await newWorld();
  });

  it('deploys the exchange and both banks', async () => {
    const ex = await getExchange(w.conn, w.d.exchange);
    assert.equal(ex.data.admin, w.d.admin);
    assert.equal(ex.data.quoteMint, w.usdc.mint);
    assert.equal(ex.data.params.imFactorBps, EXCHANGE_PARAMS.imFactorBps);
    // Governance at exchange_init: the local deployment's short timelock, every role the admin's, no proposal yet.
    assert.equal(ex.data.gov.timelockSecs, LOCALNET_TIMELOCK_SECS);
    assert.deepEqual([ex.data.gov.guardian, ex.data.gov.riskAdmin], [w.d.admin, w.d.admin]);
    assert.equal(ex.data.gov.proposalCount, 0n);
    assert.equal(ex.data.bankCount, 2);
    const usdc = await getBank(w.conn, w.usdc.bank);
    assert.equal(usdc.data.isQuote, 1);
    assert.equal(usdc.data.vault, w.usdc.vault);
    const sol = await getBank(w.conn, w.sol.bank);
    assert.equal(sol.data.isQuote, 0);
    assert.equal(sol.data.oracle, w.sol.oracle);
    assert.equal(sol.data.decimals, 9);
    assert.equal(sol.data.initAssetWeightBps, SOL_PARAMS.initAssetWeightBps);
    assert.equal(sol.data.tokenProgram, w.sol.tokenProgram);
  });

  it('creates margin accounts, found by owner through getProgramAccounts', async () => {
    const a = await newTrader(w, { USDC: USDC(10_000n), SOL: SOL(20n) });
    const b = await newTrader(w, { USDC: USDC(5_000n), SOL: SOL(50n) });
    alice = { ...a, account: (await w.client.createAccount(a.signer, 0)).address };
    bob = { ...b, account: (await w.client.createAccount(b.signer, 7)).address };
    const acc = (await w.client.marginAccount(alice.account)).data;
    assert.equal(acc.owner, alice.signer.address);
    assert.equal(acc.exchange, w.d.exchange);
    assert.equal(acc.id, 0);
    assert.ok(acc.collateral.every((s) => s.inUse === 0));
    const bobs = await w.client.marginAccountsOf(bob.signer.address);
    assert.deepEqual(bobs.map((x) => [x.address, x.data.id]), [[bob.account, 7]]);
  });

  it('deposits USDC (SPL Token): wallet -> vault, margin balance, health = amount', async () => {
    const before = await snapshot(w, alice, w.usdc);
    const { event } = await w.client.deposit(alice.signer, alice.account, w.usdc.bank, alice.wallet.USDC!, USDC(5_000n));
    const after = await snapshot(w, alice, w.usdc);
    assert.equal(after.wallet, before.wallet - USDC(5_000n));
    assert.equal(after.vault, before.vault + USDC(5_000n));
    assert.equal(after.margin, USDC(5_000n));
    assert.equal(event.balanceAfter, USDC(5_000n));
    assert.equal(event.initHealth, USDC(5_000n));
    assert.equal(event.maintHealth, USDC(5_000n));
    await assertConservation(w, w.usdc);
  });

  it('deposits SOL (Token-2022): health adds price x weight', async () => {
    const before = await snapshot(w, alice, w.sol);
    const { event } = await w.client.deposit(alice.signer, alice.account, w.sol.bank, alice.wallet.SOL!, SOL(10n));
    const after = await snapshot(w, alice, w.sol);
    assert.equal(after.wallet, before.wallet - SOL(10n));
    assert.equal(after.vault, before.vault + SOL(10n));
    assert.equal(after.margin, SOL(10n));
    assert.equal(event.initHealth, USDC(5_000n) + solValue(SOL(10n), SOL_PARAMS.initAssetWeightBps));
    assert.equal(event.maintHealth, USDC(5_000n) + solValue(SOL(10n), SOL_PARAMS.maintAssetWeightBps));
    const acc = (await w.client.marginAccount(alice.account)).data;
    assert.equal(acc.initHealth, event.initHealth, 'cached health = event health');
    assert.equal(acc.maintHealth, event.maintHealth);
    await assertConservation(w, w.sol);
  });

  it('a second trader deposits both mints; conservation holds across accounts', async () => {
    await w.client.deposit(bob.signer, bob.account, w.sol.bank, bob.wallet.SOL!, SOL(40n));
    await w.client.deposit(bob.signer, bob.account, w.usdc.bank, bob.wallet.USDC!, USDC(2_000n));
    const acc = (await w.client.marginAccount(bob.account)).data;
    // Slot 0 is reserved for the quote bank (USDC); SOL takes the first free slot after it.
    assert.deepEqual(acc.collateral.slice(0, 2).map((s) => s.bankIndex), [w.usdc.bankIndex, w.sol.bankIndex]);
    await assertConservation(w, w.usdc);
    await assertConservation(w, w.sol);
  });

  it('withdraws part of a balance: vault -> wallet, health recomputed', async () => {
    await refreshSolPrice(w);
    const before = await snapshot(w, alice, w.usdc);
    const { event } = await w.client.withdraw(alice.signer, alice.account, w.usdc.bank, alice.wallet.USDC!, USDC(1_000n));
    const after = await snapshot(w, alice, w.usdc);
    assert.equal(after.wallet, before.wallet + USDC(1_000n));
    assert.equal(after.vault, before.vault - USDC(1_000n));
    assert.equal(after.margin, USDC(4_000n));
    assert.equal(event.balanceAfter, USDC(4_000n));
    assert.equal(event.initHealth, USDC(4_000n) + solValue(SOL(10n), SOL_PARAMS.initAssetWeightBps));
    await assertConservation(w, w.usdc);
  });

  it('refuses a withdrawal above the balance with InsufficientBalance (6018), changing nothing', async () => {
    const before = await snapshot(w, alice, w.usdc);
    assert.ok(before.vault > USDC(4_500n), 'the vault could pay: the refusal is about the balance');
    await assert.rejects(
      w.client.withdraw(alice.signer, alice.account, w.usdc.bank, alice.wallet.USDC!, USDC(4_500n)),
      (e: unknown) => {
        assert.ok(e instanceof ProgramFailure, `not a ProgramFailure: ${String(e)}`);
        assert.equal(e.code, 6018);
        assert.equal(e.code, MAXWELL_ERROR__INSUFFICIENT_BALANCE);
        assert.equal(e.errorName, 'InsufficientBalance');
        assert.equal(maxwellErrorCode('InsufficientBalance'), 6018);
        return true;
      },
    );
    assert.deepEqual(await snapshot(w, alice, w.usdc), before);
    await assertConservation(w, w.usdc);
  });

  it('withdrawing a whole balance frees the slot; an emptied account closes', async () => {
    await refreshSolPrice(w);
    await w.client.withdraw(alice.signer, alice.account, w.sol.bank, alice.wallet.SOL!, SOL(10n));
    let acc = (await w.client.marginAccount(alice.account)).data;
    assert.equal(collateralBalance(acc, (await getBank(w.conn, w.sol.bank)).data), 0n);
    assert.equal(acc.collateral.filter((s) => s.inUse === 1).length, 1, 'only the USDC slot is left');
    const { event } = await w.client.withdraw(alice.signer, alice.account, w.usdc.bank, alice.wallet.USDC!, USDC(4_000n));
    assert.equal(event.initHealth, 0n);
    acc = (await w.client.marginAccount(alice.account)).data;
    assert.ok(acc.collateral.every((s) => s.inUse === 0));
    assert.equal(await snapshot(w, alice, w.usdc).then((s) => s.wallet), USDC(10_000n));
    await assertConservation(w, w.usdc);
    await assertConservation(w, w.sol);
    await w.client.closeAccount(alice.signer, alice.account);
    assert.deepEqual(await w.client.marginAccountsOf(alice.signer.address), []);
  });
});
