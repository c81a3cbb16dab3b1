// The cluster's clock: what the program compares expiries and oracle ages to (the Clock
// sysvar's unix timestamp, not this machine's clock).
import { clusterTime } from './oracle.js';
import type { Connection } from './transactions.js';

export { clusterTime };

/** Polls the Clock sysvar until its unix timestamp is at least `t`; returns it. */
export async function waitForClusterTime(
  conn: Connection,
  t: bigint,
  opts: { timeoutMs?: number; pollMs?: number } = {},
): Promise<bigint> {
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  for (;;) {
    const now = await clusterTime(conn);
    if (now >= t) return now;
    if (Date.now() > deadline) throw new Error(`cluster clock ${now} did not reach ${t} in time`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1_000));
  }
}
