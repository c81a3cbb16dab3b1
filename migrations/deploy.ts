// Deploys a Maxwell exchange on a running local validator whose programs are preloaded
// (scripts/with-validator.sh): a USDC-like quote mint (SPL Token, 6 decimals), a SOL-like
// collateral mint (Token-2022, 9 decimals), a TEST ONLY mock Pyth SOL/USD price, the exchange
// and its two banks. Writes target/localnet.json. Run: `scripts/with-validator.sh npm run deploy`.
// Idempotent per validator: if target/localnet.json belongs to this cluster (same genesis hash)
// and its exchange exists, it reports that and changes nothing (pass --force to deploy anew).
// Governance: this local deployment's timelock is LOCALNET_TIMELOCK_SECS (10 s, the program's
// minimum) so that the demo and the e2e tests can queue a change and see it land within a test;
// a production exchange takes a day or more (docs/governance.md).
import { pathToFileURL } from 'node:url';

import { fetchEncodedAccount, type Address, type KeyPairSigner } from '@solana/kit';

import { getBank } from '../app/src/accounts.js';
import { COMMITMENT, LOCALNET_FILE, RPC_URL, SPL_TOKEN_PROGRAM, TOKEN_2022_PROGRAM } from '../app/src/config.js';
import { MAXWELL_PROGRAM_ADDRESS } from '../app/src/generated/maxwell/index.js';
import { bankCreateIx, exchangeInitIx, type BankParams, type ExchangeParams } from '../app/src/instructions.js';
import type { UnderlyingParams } from '../app/src/markets.js';
import { saveDeployment, tryLoadDeployment, type BankRecord, type Deployment } from '../app/src/localnet.js';
import { createMockPrice, SOL_USD_FEED_ID } from '../app/src/oracle.js';
import { bankAddress, exchangeAddress, vaultAddress } from '../app/src/pdas.js';
import { createMintIxs } from '../app/src/token.js';
import { connect, sendAndConfirm, type Connection } from '../app/src/transactions.js';
import { airdrop, LAMPORTS_PER_SOL, newLocalSigner } from '../app/src/wallet.js';

/** Must satisfy ExchangeParamsArgs::validate (im factor in [1.25, 3], penalties <= 20%, band bounds). */
export const EXCHANGE_PARAMS: ExchangeParams = {
  imFactorBps: 15_000,
  liqPenaltyMinBps: 100,
  liqPenaltyMaxBps: 500,
  insuranceShareBps: 2_000,
  // Trade prices within mark +- max(5 vol points of vega, 0.1% of spot).
  tradeBandVolBps: 500,
  tradeBandMinBps: 10,
};

/**
 * The governance timelock of the local deployments (demo and e2e tests): 10 s, the program's
 * lower bound (maxwell_engine::governance::TIMELOCK_MIN_SECS), so that a queued change lands
 * within a test. Production uses a day (TIMELOCK_DEFAULT_SECS) or more; see docs/governance.md.
 */
export const LOCALNET_TIMELOCK_SECS = 10;

const NO_FEED = new Uint8Array(32);

/** A rate curve is annual bps (crates/maxwell-lending/src/curve.rs; bounds checked on-chain). */
export type RateCurve = BankParams['rate'];

/**
 * No interest at any utilization (a valid curve: kink within [10%, 99%], rates non-decreasing).
 * The e2e test deployment uses it so that every index stays exactly 1.0 (shares == native
 * units) and the tests' exact-number assertions hold whatever time elapses.
 */
export const FLAT_RATE: RateCurve = { kinkUtilBps: 8_000, baseRateBps: 0, kinkRateBps: 0, maxRateBps: 0, reserveBps: 0 };

/** A realistic USDC curve: 2% at 0% utilization, 10% at the 80% kink, 100% when fully lent; 10% of interest to the reserve. */
export const QUOTE_RATE: RateCurve = { kinkUtilBps: 8_000, baseRateBps: 200, kinkRateBps: 1_000, maxRateBps: 10_000, reserveBps: 1_000 };

/** SOL (borrowing it is off: no borrow cap; the curve only matters once a cap is set: the demo queues one through governance). */
export const SOL_RATE: RateCurve = { kinkUtilBps: 7_000, baseRateBps: 100, kinkRateBps: 700, maxRateBps: 15_000, reserveBps: 1_000 };

/**
 * The quote bank is priced at exactly 1 and never borrows against itself: weights 1. These are
 * the e2e tests' parameters: no borrowing through withdraw (borrow cap 0; a withdrawal above
 * the balance is InsufficientBalance) and a flat zero rate.
 */
export const USDC_PARAMS: BankParams = {
  feedId: NO_FEED,
  oracleMaxAgeSecs: 60,
  oracleMaxConfBps: 200,
  initAssetWeightBps: 10_000,
  maintAssetWeightBps: 10_000,
  initLiabWeightBps: 10_000,
  maintLiabWeightBps: 10_000,
  depositCap: 1_000_000_000n * 1_000_000n, // 1e9 USDC
  borrowCap: 0n,
  rate: FLAT_RATE,
};

export const SOL_PARAMS: BankParams = {
  feedId: SOL_USD_FEED_ID,
  oracleMaxAgeSecs: 60,
  oracleMaxConfBps: 200,
  initAssetWeightBps: 8_000,
  maintAssetWeightBps: 9_000,
  initLiabWeightBps: 12_000,
  maintLiabWeightBps: 11_000,
  depositCap: 10_000_000n * LAMPORTS_PER_SOL, // 1e7 SOL
  borrowCap: 0n,
  rate: FLAT_RATE,
};

/** The demo deployment (`npm run deploy`): USDC lends up to 1e6 USDC on QUOTE_RATE. */
export const DEMO_USDC_PARAMS: BankParams = { ...USDC_PARAMS, borrowCap: 1_000_000n * 1_000_000n, rate: QUOTE_RATE };
export const DEMO_SOL_PARAMS: BankParams = { ...SOL_PARAMS, rate: SOL_RATE };

/**
 * `lending: 'off'` (the e2e tests): USDC_PARAMS / SOL_PARAMS, indices stay 1.0 (until a loss is
 * socialized). `'demo'` (the default, `npm run deploy`): DEMO_USDC_PARAMS / DEMO_SOL_PARAMS.
 * `usdc` / `sol`: other bank parameters at creation (e.g. a borrow cap), replacing those of the
 * lending choice. A bank's parameters change without the timelock only while nobody uses it
 * (bank_set_params; BankInUse after the first deposit); a test that needs other caps states them
 * here, before anyone deposits. `timelockSecs`: the governance delay (default
 * LOCALNET_TIMELOCK_SECS).
 */
export type DeployOptions = { lending?: 'off' | 'demo'; usdc?: BankParams; sol?: BankParams; timelockSecs?: number };

/** SOL/USD 150.00 +- 0.05 (Pyth exponent -8). */
export const SOL_PRICE = { price: 15_000_000_000n, conf: 5_000_000n, exponent: -8 };

/**
 * A SOL options underlying on the SOL/USD feed (underlying_create bounds: oracle age 1..600 s,
 * surface age up to 7 days, risk arrays up to 1 h old, spot tolerance 1..500 bps).
 */
export function solUnderlyingParams(volOracle: Address): UnderlyingParams {
  return {
    feedId: SOL_USD_FEED_ID,
    volOracle,
    oracleMaxAgeSecs: 60,
    oracleMaxConfBps: 200,
    surfaceMaxAgeSecs: 3_600,
    riskMaxAgeSecs: 600,
    riskSpotToleranceBps: 100,
  };
}

async function assertProgramsLoaded(conn: Connection): Promise<void> {
  const program = await fetchEncodedAccount(conn.rpc, MAXWELL_PROGRAM_ADDRESS, { commitment: COMMITMENT });
  if (!program.exists || !program.executable) {
    throw new Error(`Maxwell (${MAXWELL_PROGRAM_ADDRESS}) is not deployed at ${RPC_URL}: use scripts/with-validator.sh`);
  }
}

async function createMint(conn: Connection, admin: KeyPairSigner, decimals: number, tokenProgram: Address) {
  const { mint, instructions } = await createMintIxs(conn, {
    payer: admin,
    mintAuthority: admin.address,
    decimals,
    tokenProgram,
  });
  await sendAndConfirm(conn, admin, instructions);
  return mint.address;
}

async function createBank(
  conn: Connection,
  admin: KeyPairSigner,
  exchange: Address,
  spec: { symbol: string; mint: Address; decimals: number; tokenProgram: Address; oracle: Address | null; params: BankParams },
): Promise<BankRecord> {
  const ix = await bankCreateIx({
    admin,
    exchange,
    mint: spec.mint,
    tokenProgram: spec.tokenProgram,
    ...(spec.oracle ? { oracle: spec.oracle } : {}),
    params: spec.params,
  });
  await sendAndConfirm(conn, admin, [ix]);
  const bank = await bankAddress(exchange, spec.mint);
  const state = await getBank(conn, bank);
  return {
    symbol: spec.symbol,
    mint: spec.mint,
    decimals: spec.decimals,
    tokenProgram: spec.tokenProgram,
    bank,
    vault: await vaultAddress(bank),
    bankIndex: state.data.bankIndex,
    oracle: spec.oracle,
    feedId: spec.oracle ? Buffer.from(spec.params.feedId).toString('hex') : null,
  };
}

/** Deploys a fresh exchange (new admin key) and returns its record (not saved). */
export async function deployExchange(
  conn: Connection,
  log: (s: string) => void = () => {},
  opts: DeployOptions = {},
): Promise<Deployment> {
  const demo = (opts.lending ?? 'demo') === 'demo';
  const usdcParams = opts.usdc ?? (demo ? DEMO_USDC_PARAMS : USDC_PARAMS);
  const solParams = opts.sol ?? (demo ? DEMO_SOL_PARAMS : SOL_PARAMS);
  const timelockSecs = opts.timelockSecs ?? LOCALNET_TIMELOCK_SECS;
  await assertProgramsLoaded(conn);
  const { signer: admin, secretHex } = await newLocalSigner();
  await airdrop(conn, admin.address, 100n * LAMPORTS_PER_SOL);
  log(`admin            ${admin.address}`);

  const usdcMint = await createMint(conn, admin, 6, SPL_TOKEN_PROGRAM);
  log(`USDC mint        ${usdcMint} (SPL Token, 6 decimals)`);
  const solMint = await createMint(conn, admin, 9, TOKEN_2022_PROGRAM);
  log(`SOL mint         ${solMint} (Token-2022, 9 decimals)`);
  const solOracle = await createMockPrice(conn, admin, { feedId: SOL_USD_FEED_ID, ...SOL_PRICE });
  log(`SOL/USD oracle   ${solOracle} (mock Pyth, TEST ONLY)`);

  const exchange = await exchangeAddress(admin.address);
  await sendAndConfirm(conn, admin, [await exchangeInitIx(admin, usdcMint, EXCHANGE_PARAMS, timelockSecs)]);
  log(`exchange         ${exchange} (governance timelock ${timelockSecs} s)`);

  const quote = await createBank(conn, admin, exchange, {
    symbol: 'USDC', mint: usdcMint, decimals: 6, tokenProgram: SPL_TOKEN_PROGRAM, oracle: null, params: usdcParams,
  });
  const curve = (r: RateCurve) =>
    r.maxRateBps === 0 ? 'no interest' : `rate ${r.baseRateBps / 100}% -> ${r.kinkRateBps / 100}% at ${r.kinkUtilBps / 100}% -> ${r.maxRateBps / 100}%, reserve ${r.reserveBps / 100}%`;
  log(`USDC bank        ${quote.bank} (vault ${quote.vault}; borrow cap ${usdcParams.borrowCap}, ${curve(usdcParams.rate)})`);
  const sol = await createBank(conn, admin, exchange, {
    symbol: 'SOL', mint: solMint, decimals: 9, tokenProgram: TOKEN_2022_PROGRAM, oracle: solOracle, params: solParams,
  });
  log(`SOL bank         ${sol.bank} (vault ${sol.vault})`);

  return {
    programId: MAXWELL_PROGRAM_ADDRESS,
    rpcUrl: RPC_URL,
    genesisHash: await conn.rpc.getGenesisHash().send(),
    adminSecretHex: secretHex,
    admin: admin.address,
    exchange,
    quote,
    collateral: [sol],
  };
}

/** The saved record if it belongs to this cluster and its exchange exists, else null. */
export async function existingDeployment(conn: Connection): Promise<Deployment | null> {
  const d = tryLoadDeployment();
  if (!d || d.genesisHash !== (await conn.rpc.getGenesisHash().send())) return null;
  const ex = await fetchEncodedAccount(conn.rpc, d.exchange, { commitment: COMMITMENT });
  return ex.exists ? d : null;
}

async function main(): Promise<void> {
  const conn = connect();
  const force = process.argv.includes('--force');
  const existing = force ? null : await existingDeployment(conn);
  if (existing) {
    console.log(`deploy: exchange ${existing.exchange} already deployed on this validator (${LOCALNET_FILE}); --force deploys a new one`);
    return;
  }
  const d = await deployExchange(conn, (s) => console.log(`deploy: ${s}`));
  saveDeployment(d);
  console.log(`deploy: wrote ${LOCALNET_FILE}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error('deploy failed:', e);
    process.exit(1);
  });
}
