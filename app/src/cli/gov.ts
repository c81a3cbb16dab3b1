// `maxwell gov propose|execute|cancel|list`: the governance queue (app/src/governance.ts).
// `propose --change <json | @file>`: a `Change` as the generated client spells it, e.g.
// {"__kind":"OiCap","underlying":"<address>","seriesIndex":0,"oiCap":"500"}; integers may be
// JSON numbers or decimal strings (u64 values beyond 2^53 must be strings), byte arrays (feed
// ids) arrays of numbers or hex strings of 64 characters.
import { readFileSync } from 'node:fs';

import type { Account, Address } from '@solana/kit';

import { getProposal } from '../accounts.js';
import type { ChangeArgs, Proposal } from '../generated/maxwell/index.js';
import { CHANGE_KINDS, cancelProposal, executeProposal, listProposals, proposeChange, PROPOSAL_CANCELLED, PROPOSAL_EXECUTED } from '../governance.js';
import { proposalAddress } from '../pdas.js';
import { only, opt, UsageError } from './args.js';
import { addressArg, emit, type Ctx } from './context.js';

const STATES = ['pending', 'executed', 'cancelled'] as const;

/** JSON to the encoder's argument types: integer strings to bigint, hex-64 and byte arrays to bytes. */
export function changeFromJson(text: string): ChangeArgs {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--change: not JSON (${(e as Error).message})`);
  }
  const conv = (x: unknown, key: string): unknown => {
    if (typeof x === 'string' && /^-?\d+$/.test(x) && x.length < 40) return BigInt(x);
    if (typeof x === 'string' && /^[0-9a-f]{64}$/i.test(x) && /feed/i.test(key)) return Uint8Array.from(Buffer.from(x, 'hex'));
    if (Array.isArray(x) && x.length > 0 && x.every((b) => Number.isInteger(b) && b >= 0 && b <= 255) && /feed/i.test(key)) return Uint8Array.from(x as number[]);
    if (Array.isArray(x)) return x.map((y) => conv(y, key));
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, conv(y, k)]));
    return x;
  };
  const c = conv(v, '') as { __kind?: unknown };
  if (!c || typeof c !== 'object' || !CHANGE_KINDS.includes(c.__kind as (typeof CHANGE_KINDS)[number])) {
    throw new UsageError(`--change: expected an object whose "__kind" is one of ${CHANGE_KINDS.join(', ')}`);
  }
  return c as ChangeArgs;
}

/** `--id <n>` or `--proposal <address>`. */
async function proposalArg(ctx: Ctx): Promise<Account<Proposal>> {
  const id = opt(ctx.args, 'id');
  const p = opt(ctx.args, 'proposal');
  if ((id === undefined) === (p === undefined)) throw new UsageError('pass exactly one of --id <n> or --proposal <address>');
  if (id !== undefined && !/^\d+$/.test(id)) throw new UsageError(`--id: expected a proposal number, got ${JSON.stringify(id)}`);
  const address = p !== undefined ? addressArg(p, 'proposal') : await proposalAddress(ctx.client().exchange, BigInt(id!));
  try {
    return await getProposal(ctx.conn, address);
  } catch {
    throw new UsageError(`proposal ${id ?? address} does not exist on exchange ${ctx.client().exchange}`);
  }
}

type ProposalView = { id: bigint; proposal: Address; state: string; kind: string; proposer: Address; unlockTs: bigint; change: unknown };

function view(p: Account<Proposal>): ProposalView {
  return { id: p.data.id, proposal: p.address, state: STATES[p.data.state] ?? String(p.data.state), kind: p.data.change.__kind, proposer: p.data.proposer, unlockTs: p.data.unlockTs, change: p.data.change };
}

export async function govCommand(ctx: Ctx, sub: string | undefined): Promise<void> {
  const client = ctx.client();
  switch (sub) {
    case 'propose': {
      only(ctx.args, ['change']);
      const raw = opt(ctx.args, 'change');
      if (raw === undefined) throw new UsageError('--change <json | @file> is required');
      let text = raw;
      if (raw.startsWith('@')) {
        try {
          text = readFileSync(raw.slice(1), 'utf8');
        } catch (e) {
          throw new UsageError(`--change ${raw}: ${(e as Error).message}`);
        }
      }
      const change = changeFromJson(text);
      const r = await proposeChange(client, await ctx.signer(), change);
      emit(ctx, { id: r.id, proposal: r.proposal, kind: change.__kind, unlockTs: r.event.unlockTs, signature: r.result.signature, event: r.event }, (x) =>
        `proposed ${x.kind} as proposal ${x.id} (${x.proposal}); executable from ${x.unlockTs}\nsignature ${x.signature}`);
      return;
    }
    case 'execute': {
      only(ctx.args, ['id', 'proposal']);
      const p = await proposalArg(ctx);
      if (p.data.state === PROPOSAL_EXECUTED || p.data.state === PROPOSAL_CANCELLED) throw new UsageError(`proposal ${p.data.id} is already ${STATES[p.data.state]}`);
      const r = await executeProposal(client, await ctx.signer(), p);
      emit(ctx, { id: p.data.id, proposal: p.address, kind: p.data.change.__kind, signature: r.result.signature, event: r.event }, (x) => `executed proposal ${x.id} (${x.kind})\nsignature ${x.signature}`);
      return;
    }
    case 'cancel': {
      only(ctx.args, ['id', 'proposal']);
      const p = await proposalArg(ctx);
      const r = await cancelProposal(client, await ctx.signer(), p.address);
      emit(ctx, { id: p.data.id, proposal: p.address, signature: r.result.signature, event: r.event }, (x) => `cancelled proposal ${x.id}\nsignature ${x.signature}`);
      return;
    }
    case 'list': {
      only(ctx.args, []);
      const ps = (await listProposals(client)).map(view);
      emit(ctx, { exchange: client.exchange, proposals: ps }, (x) =>
        x.proposals.length ? x.proposals.map((p) => `${p.id} ${p.state} ${p.kind} unlock ${p.unlockTs} (${p.proposal})`).join('\n') : 'no proposals');
      return;
    }
    default:
      throw new UsageError(`gov: expected propose|execute|cancel|list, got ${sub ?? 'nothing'}`);
  }
}
