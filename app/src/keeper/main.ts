// The keeper bot, a long-lived process: `npm run keeper -- --config keeper.json [--once]
// [--status-file status.json]` (or `maxwell keeper`). Passes (pass.ts) every pollIntervalMs until
// maxIterations or maxRunSecs (0 = unbounded) or SIGINT/SIGTERM; a failing pass is logged and the
// loop goes on. Shutdown on SIGINT/SIGTERM is graceful: the transaction in flight completes, the
// pass stops at its next job or account (pass.ts `shouldStop`), the final status is written
// (status.ts) and the process exits 0; a second signal exits at once (130).
import { pathToFileURL } from 'node:url';

import { address } from '@solana/kit';

import { MaxwellClient } from '../client.js';
import { connect } from '../transactions.js';
import { loadConfig, loadKeeperSigner, type KeeperConfig } from './config.js';
import { stdoutLogger } from './log.js';
import { runPass, type PassReport } from './pass.js';
import { StatusTracker } from './status.js';

export function parseArgs(argv: readonly string[]): { config: string | null; once: boolean } {
  const i = argv.indexOf('--config');
  return { config: i >= 0 ? (argv[i + 1] ?? null) : null, once: argv.includes('--once') };
}

/** `--status-file <path>` (status.ts), or null. */
export function statusFileArg(argv: readonly string[]): string | null {
  const j = argv.indexOf('--status-file');
  return j >= 0 ? (argv[j + 1] ?? null) : null;
}

/** `overrides` win over the config file (the CLI's --url, --keypair, --exchange). */
export async function main(argv: readonly string[], overrides: Partial<KeeperConfig> = {}): Promise<void> {
  const args = { ...parseArgs(argv), statusFile: statusFileArg(argv) };
  const cfg = loadConfig(args.config, overrides);
  if (!cfg.exchange) throw new Error('keeper config: exchange is required');
  const signer = await loadKeeperSigner(cfg);
  const client = new MaxwellClient(connect(cfg.rpcUrl, cfg.wsUrl), address(cfg.exchange));
  const liquidatorAccount = await client.marginAccountAddress(signer.address, cfg.liquidatorAccountId);
  const status = new StatusTracker(args.statusFile, { keeper: signer.address, exchange: client.exchange, liquidatorAccount });
  const log = status.logger(stdoutLogger);
  log('info', 'keeper_start', { exchange: cfg.exchange, keeper: signer.address, liquidatorAccount, once: args.once, pollIntervalMs: cfg.pollIntervalMs, statusFile: args.statusFile });
  let stopping = false;
  let wake: (() => void) | null = null;
  for (const s of ['SIGINT', 'SIGTERM'] as const) {
    process.on(s, () => {
      if (stopping) {
        log('warn', 'keeper_abort', { signal: s });
        process.exit(130);
      }
      stopping = true;
      log('info', 'keeper_stopping', { signal: s });
      status.setState('stopping');
      wake?.();
    });
  }
  const slot = () => client.conn.rpc.getSlot({ commitment: 'confirmed' }).send();
  const started = Date.now();
  for (let it = 1; !stopping; it++) {
    status.beginPass();
    const t0 = performance.now();
    let report: PassReport | null = null;
    let slots: { start: bigint; end: bigint } | null = null;
    try {
      const start = await slot();
      report = await runPass({ client, signer, liquidatorAccount, log, maxContractsPerAccount: cfg.maxContractsPerAccount, jobs: cfg, shouldStop: () => stopping });
      slots = { start, end: await slot() };
    } catch (e) {
      log('error', 'pass_failed', { iteration: it, error: String(e) });
    }
    status.endPass(report, performance.now() - t0, slots);
    if (args.once || (cfg.maxIterations > 0 && it >= cfg.maxIterations)) break;
    if (cfg.maxRunSecs > 0 && Date.now() - started >= cfg.maxRunSecs * 1000) break;
    if (!stopping) await new Promise<void>((r) => { wake = r; setTimeout(r, cfg.pollIntervalMs); });
    wake = null;
  }
  status.setState('stopped');
  log('info', 'keeper_stop', { runSecs: (Date.now() - started) / 1000, passes: status.status.passes });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e) => {
      stdoutLogger('error', 'keeper_fatal', { error: String(e) });
      process.exit(1);
    },
  );
}
