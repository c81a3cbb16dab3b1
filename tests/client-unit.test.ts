// Unit tests of the hand-written client layer that need no validator: health-account order,
// slot projection, error names, event decoding, unit formatting. `npm run test:unit`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AccountRole, address, getAddressEncoder, getI64Encoder, getU64Encoder, type Address } from '@solana/kit';

import { maxwellErrorCode, maxwellErrorName } from '../app/src/errors.js';
import { depositLogs, eventDiscriminator } from '../app/src/events.js';
import { formatUnits, parseUnits } from '../app/src/format.js';
import { healthAccountMetas, slotsAfter, type HealthBank } from '../app/src/health-accounts.js';

const A = (n: number): Address => address(['11111111111111111111111111111111', 'SysvarC1ock11111111111111111111111111111111', 'SysvarRent111111111111111111111111111111111', 'Vote111111111111111111111111111111111111111', 'Stake11111111111111111111111111111111111111'][n]!);
const empty = () => Array.from({ length: 16 }, () => ({ balance: 0n, bankIndex: 0, inUse: 0, pad: new Uint8Array(5) }));
const quote: HealthBank = { address: A(0), bank: { bankIndex: 0, isQuote: 1, oracle: A(0) } };
const sol: HealthBank = { address: A(1), bank: { bankIndex: 1, isQuote: 0, oracle: A(2) } };

describe('health accounts', () => {
  it('a first deposit opens the first free slot; order is slot order, oracle after its bank', () => {
    let slots = slotsAfter(empty(), 1, 5n);
    slots = slotsAfter(slots, 0, 7n);
    assert.deepEqual(slots.slice(0, 2).map((s) => [s.bankIndex, s.balance, s.inUse]), [[1, 5n, 1], [0, 7n, 1]]);
    assert.deepEqual(healthAccountMetas(slots, [quote, sol]), [
      { address: A(1), role: AccountRole.READONLY },
      { address: A(2), role: AccountRole.READONLY },
      { address: A(0), role: AccountRole.READONLY },
    ]);
  });

  it('withdrawing a whole balance frees the slot; a withdrawal without a slot opens none', () => {
    let slots = slotsAfter(empty(), 1, 5n);
    slots = slotsAfter(slots, 1, -5n);
    assert.ok(slots.every((s) => s.inUse === 0));
    assert.deepEqual(healthAccountMetas(slotsAfter(empty(), 1, -3n), [quote, sol]), []);
  });

  it('a slot whose bank is unknown is an error, not a silently short list', () => {
    assert.throws(() => healthAccountMetas(slotsAfter(empty(), 9, 1n), [quote]), /no bank with index 9/);
  });
});

describe('errors', () => {
  it('names codes from the generated enum (6000 + index in error.rs)', () => {
    assert.equal(maxwellErrorName(6000), 'InstructionDisabled');
    assert.equal(maxwellErrorName(6018), 'InsufficientBalance');
    assert.equal(maxwellErrorName(6038), 'MarginAccountInvariant');
    assert.equal(maxwellErrorName(7000), null);
    assert.equal(maxwellErrorCode('InitialMarginViolated'), 6021);
  });
});

describe('events', () => {
  it('decodes a DepositLog from `Program data:`', () => {
    const bytes = new Uint8Array([
      ...eventDiscriminator('DepositLog'),
      ...[0, 1, 2, 3].flatMap((i) => [...getAddressEncoder().encode(A(i))]),
      ...getU64Encoder().encode(42n),
      ...getI64Encoder().encode(42n),
      ...getI64Encoder().encode(-1n),
      ...getI64Encoder().encode(7n),
      1,
    ]);
    const logs = ['Program log: Instruction: Deposit', `Program data: ${Buffer.from(bytes).toString('base64')}`];
    const [e] = depositLogs(logs);
    assert.ok(e);
    assert.equal(e.signer, A(3));
    assert.equal(e.amount, 42n);
    assert.equal(e.initHealth, -1n);
    assert.equal(e.oraclesFresh, true);
  });
});

describe('format', () => {
  it('formats and parses native units exactly', () => {
    assert.equal(formatUnits(1_234_567_890n, 6), '1,234.56789');
    assert.equal(formatUnits(-5n, 9), '-0.000000005');
    assert.equal(formatUnits(1_999n, 3, 2), '1.99');
    assert.equal(parseUnits('5.5', 9), 5_500_000_000n);
    assert.equal(parseUnits('10000', 6), 10_000_000_000n);
    assert.throws(() => parseUnits('0.0000001', 6));
  });
});
