// The keeper bot, a long-lived process: `npm run keeper -- --config keeper.json [--once]`.
// Passes (pass.ts) every pollIntervalMs until maxIterations or maxRunSecs (0 = unbounded) or
// SIGINT/SIGTERM; a failing pass is logged and the loop goes on.
import { pathToFileURL } from 'node:url';

import { address } from '@solana/kit';

import { MaxwellClient } from '../client.js';
import { connect } from '../transactions.js';
import { loadConfig, loadKeeperSigner } from './config.js';
import { stdoutLogger } from './log.js';
import { runPass } from './pass.js';

export function parseArgs(argv: readonly string[]): { config: string | null; once: boolean } {
  const i = argv.indexOf('--config');
  return { config: i >= 0 ? (argv[i + 1] ?? null) : null, once: argv.includes('--once') };
}

export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const cfg = loadConfig(args.config);
  const log = stdoutLogger;
  if (!cfg.exchange) throw new Error('keeper config: exchange is required');
  const signer = await loadKeeperSigner(cfg);
  const client = new MaxwellClient(connect(cfg.rpcUrl, cfg.wsUrl), address(cfg.exchange));
  const liquidatorAccount = await client.marginAccountAddress(signer.address, cfg.liquidatorAccountId);
  log('info', 'keeper_start', { exchange: cfg.exchange, keeper: signer.address, liquidatorAccount, once: args.once, pollIntervalMs: cfg.pollIntervalMs });
  let stopping = false;
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => { stopping = true; });
  const started = Date.now();
  for (let it = 1; !stopping; it++) {
    try {
      await runPass({ client, signer, liquidatorAccount, log, maxContractsPerAccount: cfg.maxContractsPerAccount, jobs: cfg });
    } catch (e) {
      log('error', 'pass_failed', { iteration: it, error: String(e) });
    }
    if (args.once || (cfg.maxIterations > 0 && it >= cfg.maxIterations)) break;
    if (cfg.maxRunSecs > 0 && Date.now() - started >= cfg.maxRunSecs * 1000) break;
    await new Promise((r) => setTimeout(r, cfg.pollIntervalMs));
  }
  log('info', 'keeper_stop', { runSecs: (Date.now() - started) / 1000 });
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
