// `maxwell account create|show|deposit|withdraw`.
import { getCreateAssociatedTokenIdempotentInstruction } from '@solana-program/token';
import { fetchEncodedAccount, type Account, type Address } from '@solana/kit';

import { collateralBalance, type CollateralBank, type MarginAccount, type Underlying } from '../accounts.js';
import { formatUnits, parseUnits } from '../format.js';
import { HealthEngine, localHealth, type LocalHealth } from '../health-wasm.js';
import { isLeftover } from '../markets.js';
import { sendAndConfirm } from '../transactions.js';
import { associatedTokenAddress } from '../token.js';
import { intOpt, only, opt, required, UsageError } from './args.js';
import { addressArg, bankArg, emit, type Ctx } from './context.js';

/** `--account <address>`, else the keypair's account `--id` (default 0). */
export async function accountArg(ctx: Ctx): Promise<Address> {
  const a = opt(ctx.args, 'account');
  if (a !== undefined) return addressArg(a, 'account');
  const signer = await ctx.signer();
  return ctx.client().marginAccountAddress(signer.address, intOpt(ctx.args, 'id', 0));
}

/** The margin account, or a clear error if it does not exist. */
export async function fetchAccount(ctx: Ctx, account: Address): Promise<Account<MarginAccount>> {
  const raw = await fetchEncodedAccount(ctx.conn.rpc, account, { commitment: 'confirmed' });
  if (!raw.exists) throw new UsageError(`margin account ${account} does not exist (maxwell account create --id <n>)`);
  try {
    return await ctx.client().marginAccount(account);
  } catch {
    throw new UsageError(`${account} is not a Maxwell margin account`);
  }
}

/** Amount in token units (decimal string, e.g. 12.5) to native units of the bank's mint. */
export function amountArg(ctx: Ctx, bank: CollateralBank): bigint {
  const v = required(ctx.args, 'amount', 'token units, e.g. 100.5');
  if (!/^\d+(\.\d+)?$/.test(v)) throw new UsageError(`--amount ${v}: expected a positive decimal number of tokens`);
  let n: bigint;
  try {
    n = parseUnits(v, bank.decimals);
  } catch (e) {
    throw new UsageError(`--amount ${v}: ${(e as Error).message}`);
  }
  if (n <= 0n) throw new UsageError(`--amount ${v}: must be positive`);
  return n;
}

export type BalanceView = { bank: Address; bankIndex: number; mint: Address; decimals: number; shares: bigint; native: bigint; amount: string };
/**
 * `generation`: the series slot's generation the position opened in; `leftover`: the slot was
 * retired since (expiry_retire), so the position is worth zero and account_settle removes it.
 */
export type PositionView = { underlyingIndex: number; seriesIndex: number; generation: number; leftover: boolean; size: bigint; costBasis: bigint };

export type AccountView = {
  address: Address;
  exchange: Address;
  owner: Address;
  delegate: Address;
  id: number;
  balances: BalanceView[];
  positions: PositionView[];
  /** The program's health code in WASM, stale inputs tolerated (see oraclesFresh); null with healthError if it could not run. */
  health: LocalHealth | null;
  healthError?: string;
};

export async function accountView(ctx: Ctx, address: Address): Promise<AccountView> {
  const acc = await fetchAccount(ctx, address);
  const banks = await ctx.client().banksByIndex(true);
  const balances: BalanceView[] = [];
  for (const s of acc.data.collateral) {
    if (s.inUse !== 1) continue;
    const b = banks.get(s.bankIndex);
    if (!b) continue;
    const native = collateralBalance(acc.data, b.data);
    balances.push({ bank: b.address, bankIndex: s.bankIndex, mint: b.data.mint, decimals: b.data.decimals, shares: s.balance, native, amount: formatUnits(native, b.data.decimals) });
  }
  const held = acc.data.positions.filter((p) => p.inUse === 1);
  const unders = held.length ? await ctx.client().underlyingsByIndex(true) : new Map<number, Account<Underlying>>();
  const positions = held.map((p) => {
    const u = unders.get(p.underlyingIndex);
    return { underlyingIndex: p.underlyingIndex, seriesIndex: p.seriesIndex, generation: p.generation, leftover: u ? isLeftover(u.data, p) : false, size: p.size, costBasis: p.costBasis };
  });
  let health: LocalHealth | null = null;
  let healthError: string | undefined;
  try {
    health = (await localHealth(ctx.client(), HealthEngine.load(), address, false)).health;
  } catch (e) {
    healthError = (e as Error).message;
  }
  const d = acc.data;
  return { address, exchange: d.exchange, owner: d.owner, delegate: d.delegate, id: d.id, balances, positions, health, ...(healthError ? { healthError } : {}) };
}

export function showHuman(v: AccountView): string {
  const lines = [`account ${v.address} (owner ${v.owner}, id ${v.id})`];
  for (const b of v.balances) lines.push(`  bank ${b.bankIndex} ${b.mint}: ${b.amount}`);
  for (const p of v.positions) {
    lines.push(`  position underlying ${p.underlyingIndex} series ${p.seriesIndex} (generation ${p.generation}): ${p.size}${p.leftover ? ' [leftover of a retired expiry: worth 0, account_settle removes it]' : ''}`);
  }
  if (v.health) lines.push(`  health: initial ${v.health.initHealth} maintenance ${v.health.maintHealth} (quote native)${v.health.oraclesFresh ? '' : ' [stale inputs tolerated]'}`);
  else lines.push(`  health: unavailable (${v.healthError})`);
  return lines.join('\n');
}

export async function accountCommand(ctx: Ctx, sub: string | undefined): Promise<void> {
  switch (sub) {
    case 'create': {
      only(ctx.args, ['id']);
      const signer = await ctx.signer();
      const id = intOpt(ctx.args, 'id', 0);
      const address = await ctx.client().marginAccountAddress(signer.address, id);
      const existing = await fetchEncodedAccount(ctx.conn.rpc, address, { commitment: 'confirmed' });
      if (existing.exists) throw new Error(`margin account ${address} (owner ${signer.address}, id ${id}) already exists`);
      const { result } = await ctx.client().createAccount(signer, id);
      emit(ctx, { account: address, owner: signer.address, id, signature: result.signature }, (r) => `created margin account ${r.account} (id ${r.id})\nsignature ${r.signature}`);
      return;
    }
    case 'show': {
      only(ctx.args, ['account', 'id']);
      emit(ctx, await accountView(ctx, await accountArg(ctx)), showHuman);
      return;
    }
    case 'deposit':
    case 'withdraw': {
      only(ctx.args, ['account', 'id', 'bank', 'amount', sub === 'deposit' ? 'from' : 'to']);
      const signer = await ctx.signer();
      const account = await accountArg(ctx);
      await fetchAccount(ctx, account);
      const bank = await bankArg(ctx, required(ctx.args, 'bank', 'bank address, mint or index'));
      const amount = amountArg(ctx, bank.data);
      const ata = await associatedTokenAddress(signer.address, bank.data.mint, bank.data.tokenProgram);
      if (sub === 'deposit') {
        const from = opt(ctx.args, 'from');
        const source = from === undefined ? ata : addressArg(from, 'from');
        const { result, event } = await ctx.client().deposit(signer, account, bank.address, source, amount);
        emit(ctx, { account, bank: bank.address, source, amount: event.amount, balanceAfter: event.balanceAfter, initHealth: event.initHealth, maintHealth: event.maintHealth, signature: result.signature }, (r) =>
          `deposited ${formatUnits(r.amount, bank.data.decimals)} into ${account}; balance ${formatUnits(r.balanceAfter, bank.data.decimals)}; health initial ${r.initHealth} maintenance ${r.maintHealth}\nsignature ${r.signature}`);
      } else {
        const to = opt(ctx.args, 'to');
        const destination = to === undefined ? ata : addressArg(to, 'to');
        if (to === undefined) {
          const exists = (await fetchEncodedAccount(ctx.conn.rpc, ata, { commitment: 'confirmed' })).exists;
          if (!exists) {
            await sendAndConfirm(ctx.conn, signer, [
              getCreateAssociatedTokenIdempotentInstruction({ payer: signer, ata, owner: signer.address, mint: bank.data.mint, tokenProgram: bank.data.tokenProgram }),
            ]);
          }
        }
        const { result, event } = await ctx.client().withdraw(signer, account, bank.address, destination, amount);
        emit(ctx, { account, bank: bank.address, destination, amount: event.amount, balanceAfter: event.balanceAfter, initHealth: event.initHealth, maintHealth: event.maintHealth, signature: result.signature }, (r) =>
          `withdrew ${formatUnits(r.amount, bank.data.decimals)} from ${account}; balance ${formatUnits(r.balanceAfter, bank.data.decimals)}; health initial ${r.initHealth} maintenance ${r.maintHealth}\nsignature ${r.signature}`);
      }
      return;
    }
    default:
      throw new UsageError(`account: expected create|show|deposit|withdraw, got ${sub ?? 'nothing'}`);
  }
}
