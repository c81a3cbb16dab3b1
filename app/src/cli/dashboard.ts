// `maxwell dashboard [--account A | --id N] [--port 8787] [--interval S] [--samples N]`: the local
// risk dashboard (app/src/dashboard.ts) on 127.0.0.1 only. Prints its URL (`--json`: one line
// {"url", "account", "port"}), samples the account every `--interval` seconds (default 5),
// keeps the last `--samples` (default 720) for the health chart, and stops on SIGINT/SIGTERM
// (exit 0).
import { startDashboard } from '../dashboard.js';
import { accountArg, fetchAccount } from './account.js';
import { intOpt, only } from './args.js';
import type { Ctx } from './context.js';

export async function dashboardCommand(ctx: Ctx): Promise<void> {
  only(ctx.args, ['account', 'id', 'port', 'interval', 'samples']);
  const account = await accountArg(ctx);
  await fetchAccount(ctx, account);
  const port = intOpt(ctx.args, 'port', 8787, 65_535);
  const interval = intOpt(ctx.args, 'interval', 5, 86_400);
  const samples = intOpt(ctx.args, 'samples', 720, 1_000_000);
  const d = await startDashboard({
    client: ctx.client(),
    account,
    port,
    intervalMs: Math.max(1, interval) * 1000,
    maxSamples: Math.max(1, samples),
    onSampleError: (e) => process.stderr.write(`maxwell dashboard: sample failed: ${(e as Error)?.message ?? String(e)}\n`),
  });
  const actualPort = Number(new URL(d.url).port);
  process.stdout.write(
    (ctx.json ? JSON.stringify({ url: d.url, account, port: actualPort }) : `dashboard of ${account}: ${d.url} (127.0.0.1 only; Ctrl-C stops)`) + '\n',
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await d.close();
}
