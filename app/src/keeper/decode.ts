// A MarginAccount from its bytes, field for field what the generated decoder
// (getMarginAccountDecoder) returns, many times faster: the generated number decoders copy every
// field into a fresh ArrayBuffer, which costs ~1-2 ms for an account's 128 positions, 10-20 s per
// pass at 10,000 accounts. Offsets below follow the field order and sizes of
// app/src/generated/maxwell/accounts/marginAccount.ts (CollateralSlot and Position from
// ../types); tests/keeper-unit.test.ts checks equality with the generated decoder on random
// bytes, so a layout change after `npm run codegen` fails that test instead of misreading
// accounts. The program writes a freed slot or position as all zeros: those decode to one shared
// frozen value each (most of an account's 128 positions), so a pass does not allocate them again
// for every account; byte fields (discriminator, pads, reserved) are views into `bytes`, not
// copies. Decoded accounts are read-only.
import { getMarginAccountSize, type MarginAccount } from '../generated/maxwell/index.js';
import { addressAt } from '../base58.js';

type Slot = MarginAccount['collateral'][number];
type Position = MarginAccount['positions'][number];

/** Byte offsets in the account data (8-byte discriminator first). */
const AT = {
  exchange: 8, owner: 40, delegate: 72, id: 104, bump: 108, pad0: 109, createdTs: 112, initHealth: 120, maintHealth: 128,
  healthSlot: 136, collateral: 144, positions: 400, lastLiquidationTs: 3472, lastBreachTs: 3480, repCleanSecs: 3488,
  repLastObsTs: 3496, repPeakReq: 3504, repLastReq: 3512, reserved: 3520,
} as const;
const SLOTS = 16;
const SLOT_SIZE = 16; // balance i64 | bank_index u16 | in_use u8 | pad 5
const POSITIONS = 128;
const POSITION_SIZE = 24; // size i64 | cost_basis i64 | underlying_index u16 | series_index u16 | in_use u8 | pad u8 | generation u16

const ZERO_SLOT: Slot = Object.freeze({ balance: 0n, bankIndex: 0, inUse: 0, pad: new Uint8Array(5) });
const ZERO_POSITION: Position = Object.freeze({ size: 0n, costBasis: 0n, underlyingIndex: 0, seriesIndex: 0, inUse: 0, pad: 0, generation: 0 });

/** True if the `n` bytes at `o` (a multiple of 4) are all zero. */
function zeros(v: DataView, o: number, n: number): boolean {
  for (let i = o; i < o + n; i += 4) if (v.getUint32(i, true) !== 0) return false;
  return true;
}

function slotAt(bytes: Uint8Array, v: DataView, o: number): Slot {
  if (zeros(v, o, SLOT_SIZE)) return ZERO_SLOT;
  return { balance: v.getBigInt64(o, true), bankIndex: v.getUint16(o + 8, true), inUse: v.getUint8(o + 10), pad: bytes.subarray(o + 11, o + 16) };
}

function positionAt(bytes: Uint8Array, v: DataView, o: number): Position {
  if (zeros(v, o, POSITION_SIZE)) return ZERO_POSITION;
  return {
    size: v.getBigInt64(o, true), costBasis: v.getBigInt64(o + 8, true), underlyingIndex: v.getUint16(o + 16, true),
    seriesIndex: v.getUint16(o + 18, true), inUse: v.getUint8(o + 20), pad: v.getUint8(o + 21), generation: v.getUint16(o + 22, true),
  };
}

export function decodeMarginAccountBytes(bytes: Uint8Array): MarginAccount {
  if (bytes.length !== getMarginAccountSize()) throw new Error(`margin account: ${bytes.length} bytes, expected ${getMarginAccountSize()}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const i64 = (o: number) => v.getBigInt64(o, true);
  const collateral: Slot[] = new Array(SLOTS);
  for (let i = 0; i < SLOTS; i++) collateral[i] = slotAt(bytes, v, AT.collateral + i * SLOT_SIZE);
  const positions: Position[] = new Array(POSITIONS);
  for (let i = 0; i < POSITIONS; i++) positions[i] = positionAt(bytes, v, AT.positions + i * POSITION_SIZE);
  return {
    discriminator: bytes.subarray(0, 8),
    exchange: addressAt(bytes, AT.exchange),
    owner: addressAt(bytes, AT.owner),
    delegate: addressAt(bytes, AT.delegate),
    id: v.getUint32(AT.id, true),
    bump: v.getUint8(AT.bump),
    pad0: bytes.subarray(AT.pad0, AT.pad0 + 3),
    createdTs: i64(AT.createdTs),
    initHealth: i64(AT.initHealth),
    maintHealth: i64(AT.maintHealth),
    healthSlot: v.getBigUint64(AT.healthSlot, true),
    collateral,
    positions,
    lastLiquidationTs: i64(AT.lastLiquidationTs),
    lastBreachTs: i64(AT.lastBreachTs),
    repCleanSecs: i64(AT.repCleanSecs),
    repLastObsTs: i64(AT.repLastObsTs),
    repPeakReq: i64(AT.repPeakReq),
    repLastReq: i64(AT.repLastReq),
    reserved: bytes.subarray(AT.reserved),
  };
}
