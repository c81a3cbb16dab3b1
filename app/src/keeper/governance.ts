// Job `governance`: gov_execute on every pending proposal whose unlock time has passed on the
// cluster's clock (governance.ts dueProposals), oldest first, each with the bank or underlying
// its change names. Anyone may execute; the program validates the change again against the
// values of the moment, so a refusal (e.g. a step no longer within bounds after another change
// landed) is logged and the proposal stays pending until it lands or is cancelled. One JSON
// line per execution (`gov_execute`) or refusal (`gov_execute_failed`).
import type { TransactionSigner } from '@solana/kit';

import { clusterTime } from '../clock.js';
import type { MaxwellClient } from '../client.js';
import { changeTarget, dueProposals, executeProposal, listProposals } from '../governance.js';
import type { Logger } from './log.js';
import { errorNameOf, withRetry } from './retry.js';

export type GovernanceOutcome = {
  proposal: string;
  id: bigint;
  /** The Change variant (e.g. `BankParams`). */
  change: string;
  /** The bank or underlying it changed, if any. */
  target: string | null;
  signature: string;
};

export async function governanceJob(client: MaxwellClient, executor: TransactionSigner, log: Logger): Promise<GovernanceOutcome[]> {
  const [now, proposals] = await Promise.all([
    withRetry('clock', log, () => clusterTime(client.conn)),
    withRetry('proposals', log, () => listProposals(client)),
  ]);
  const done: GovernanceOutcome[] = [];
  for (const p of dueProposals(proposals, now)) {
    const t = changeTarget(p.data.change);
    const target = t.bank ?? t.underlying ?? null;
    const fields = { proposal: p.address, id: p.data.id, change: p.data.change.__kind, target, unlockTs: p.data.unlockTs };
    try {
      const { event, result } = await withRetry('gov_execute', log, () => executeProposal(client, executor, p));
      done.push({ proposal: p.address, id: event.id, change: p.data.change.__kind, target, signature: result.signature });
      log('info', 'gov_execute', { ...fields, kind: event.kind, executor: event.executor, signature: result.signature });
    } catch (e) {
      log('warn', 'gov_execute_failed', { ...fields, error: errorNameOf(e) ?? String(e) });
    }
  }
  return done;
}
