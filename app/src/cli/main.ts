#!/usr/bin/env node
// `maxwell`: the command-line tool of the Maxwell client (app/README.md, "CLI").
//   maxwell account create|show|deposit|withdraw   margin accounts
//   maxwell trade ...                               bilateral trades, RFQ partial signing
//   maxwell risk                                    health, Greeks, scenarios, liquidation spot, what-if
//   maxwell dashboard [--account A] [--port 8787]   the local risk dashboard (127.0.0.1)
//   maxwell keeper [--config f] [--once] [--status-file f]
//   maxwell markets [--underlying U]                listed expiries and series, slots, generations
//   maxwell metrics                                 banks and underlyings
//   maxwell gov propose|execute|cancel|list         the governance queue
// Global options: --url <rpc> (--ws <url>), --keypair <file> (Solana CLI JSON, default
// ~/.config/solana/id.json), --exchange <address> (or $MAXWELL_EXCHANGE), --json.
// Exit codes: 0 done, 1 refused or failed (the program's error name in the message), 2 bad usage.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { collectMetrics, type Metrics } from '../metrics.js';
import { ProgramFailure } from '../transactions.js';
import { main as keeperMain } from '../keeper/main.js';
import { accountCommand } from './account.js';
import { dashboardCommand } from './dashboard.js';
import { flag, only, opt, parseArgs, UsageError } from './args.js';
import { context, exchangeOf, toJson, websocketUrlFor } from './context.js';
import { govCommand } from './gov.js';
import { marketsCommand } from './markets.js';
import { riskCommand } from './risk.js';
import { tradeCommand } from './trade.js';

export const USAGE = `maxwell <command> [options]

  account create [--id N]                       create your margin account (PDA of exchange, owner, id)
  account show [--account A | --id N]           balances, positions, health
  account deposit --bank B --amount X [--from T] [--account A | --id N]
  account withdraw --bank B --amount X [--to T] [--account A | --id N]
                                                B: bank address, mint or index; X: token units (12.5)
  trade --underlying U --taker-account A --leg S:SIZE:PRICE [--leg ...] [--account A | --id N]
        (--taker-keypair F | --sign-partial OUT.json [--taker SIGNER])
                                                legs from the taker's side (SIZE > 0: the taker buys);
                                                PRICE per contract in quote units
  trade --complete OUT.json                     the taker signs and sends the maker's partial transaction
  risk [--account A | --id N]                   health, per-underlying Greeks, scenario matrix, liquidation spot
                                                (the program's Rust in WASM) and account_health; positions
  risk ... --with A --underlying U --leg S:SIZE:PRICE [--leg ...] [--as taker|maker]
                                                what-if of that trade for both sides, and the maximum size
  dashboard [--account A | --id N] [--port P] [--interval S] [--samples N]
                                                the local risk dashboard on 127.0.0.1 (default port 8787,
                                                a sample every 5 s): health over time, Greeks, scenario
                                                heatmap, liquidation spots, banks; Ctrl-C stops
  keeper [--config F] [--once] [--status-file F] the keeper bot (app/src/keeper/config.ts fields)
  markets [--underlying U]                      listed expiries and series by slot (the S of --leg), series
                                                generations, free slots left by retired expiries
  metrics                                       banks (utilization, rates) and underlyings (open interest)
  gov propose --change JSON|@FILE               queue a governance change
  gov execute|cancel (--id N | --proposal P)
  gov list

global: --url RPC [--ws WS] --keypair FILE --exchange ADDRESS --json`;

export async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const [cmd, sub, ...rest] = args.positionals;
  const json = flag(args, 'json');
  try {
    if (!cmd || flag(args, 'help') || cmd === 'help') {
      process.stdout.write(USAGE + '\n');
      return cmd || flag(args, 'help') ? 0 : 2;
    }
    const extra = cmd === 'account' || cmd === 'gov' ? rest : [sub, ...rest].filter((x) => x !== undefined);
    if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
    const ctx = context(args);
    switch (cmd) {
      case 'account':
        await accountCommand(ctx, sub);
        break;
      case 'trade':
        await tradeCommand(ctx);
        break;
      case 'risk':
        await riskCommand(ctx);
        break;
      case 'dashboard':
        await dashboardCommand(ctx);
        break;
      case 'gov':
        await govCommand(ctx, sub);
        break;
      case 'markets':
        await marketsCommand(ctx);
        break;
      case 'metrics': {
        only(args, []);
        const m: Metrics = await collectMetrics(ctx.client());
        process.stdout.write(toJson(m) + '\n');
        break;
      }
      case 'keeper': {
        only(args, ['config', 'once', 'status-file']);
        const url = opt(args, 'url');
        const kp = opt(args, 'keypair');
        const argvK = [...(opt(args, 'config') ? ['--config', opt(args, 'config')!] : []), ...(flag(args, 'once') ? ['--once'] : []), ...(opt(args, 'status-file') ? ['--status-file', opt(args, 'status-file')!] : [])];
        await keeperMain(argvK, {
          ...(url ? { rpcUrl: url, wsUrl: opt(args, 'ws') ?? websocketUrlFor(url) } : {}),
          ...(kp ? { keypairPath: kp } : {}),
          ...(opt(args, 'exchange') || process.env.MAXWELL_EXCHANGE ? { exchange: exchangeOf(args) } : {}),
        });
        break;
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(cmd)} (maxwell --help)`);
    }
    return 0;
  } catch (e) {
    const usage = e instanceof UsageError;
    const pf = e instanceof ProgramFailure ? e : null;
    const message = pf ? `refused: ${pf.errorName ?? 'custom error'} (${pf.code}): ${pf.message}` : (e as Error)?.message ?? String(e);
    if (json) process.stdout.write(toJson({ error: message, ...(pf ? { errorName: pf.errorName, code: pf.code } : {}), usage }) + '\n');
    process.stderr.write(`maxwell: ${message}\n${usage ? 'usage: maxwell --help\n' : ''}`);
    return usage ? 2 : 1;
  }
}

function isEntry(): boolean {
  const a = process.argv[1];
  if (!a) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(a)).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`maxwell: ${String(e)}\n`);
      process.exit(1);
    },
  );
}
