// TEST ONLY price accounts: the mock Pyth receiver (programs/mock-pyth) writes PriceUpdateV2
// accounts in the real receiver's layout on a local validator. Prices are Pyth mantissas with
// an exponent (150.00 USD at exponent -8 = 15_000_000_000n).
import { generateKeyPairSigner, type Address, type TransactionSigner } from '@solana/kit';
import { fetchSysvarClock } from '@solana/sysvars';

import { fetchPriceUpdateV2, getPriceCreateInstruction, getPriceUpdateInstruction } from './generated/mock-pyth/index.js';
import { COMMITMENT } from './config.js';
import type { WindowPriceRequest, WindowPriceSource } from './keeper/settle.js';
import { sendAndConfirm, type Connection } from './transactions.js';

/** Pyth's SOL/USD feed id. */
export const SOL_USD_FEED_ID = hexToBytes('ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d');

export type MockPrice = {
  feedId: Uint8Array;
  /** Mantissa. */
  price: bigint;
  /** Confidence, same exponent as the price. */
  conf: bigint;
  exponent: number;
  /** Unix seconds; defaults to the validator's clock. */
  publishTime?: bigint;
  /** False writes a partially verified update (Maxwell refuses it). */
  fullyVerified?: boolean;
};

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** The cluster's clock (the Clock sysvar's unix timestamp, what the program compares to). */
export async function clusterTime(conn: Connection): Promise<bigint> {
  return (await fetchSysvarClock(conn.rpc, { commitment: COMMITMENT })).unixTimestamp;
}

async function args(conn: Connection, p: MockPrice) {
  return {
    feedId: p.feedId,
    price: p.price,
    conf: p.conf,
    exponent: p.exponent,
    publishTime: p.publishTime ?? (await clusterTime(conn)),
    fullyVerified: p.fullyVerified ?? true,
  };
}

/** Creates a price account (fresh keypair) written by `authority`; returns its address. */
export async function createMockPrice(conn: Connection, authority: TransactionSigner, p: MockPrice): Promise<Address> {
  const priceUpdate = await generateKeyPairSigner();
  const ix = getPriceCreateInstruction({ authority, priceUpdate, args: await args(conn, p) });
  await sendAndConfirm(conn, authority, [ix]);
  return priceUpdate.address;
}

/** Overwrites the price (publish time = now unless given). */
export async function updateMockPrice(
  conn: Connection,
  authority: TransactionSigner,
  priceUpdate: Address,
  p: MockPrice,
): Promise<void> {
  const ix = getPriceUpdateInstruction({ authority, priceUpdate, args: await args(conn, p) });
  await sendAndConfirm(conn, authority, [ix]);
}

/**
 * TEST ONLY: the keeper's window price source on a local validator (keeper/settle.ts). For an
 * expiry whose oracle account holds no price of the settlement window, writes a fully verified
 * PriceUpdateV2 of the feed into a fresh account (mock Pyth, `authority` pays), published
 * `publishOffsetSecs` after the expiry (default 0; never beyond now or the window's end), and
 * returns its address. The price: `price(req)`, or by default the oracle account's current price
 * (a local validator has no price history). On a real cluster a keeper would fetch the
 * historical update at that publish time from Hermes and post it through the Pyth receiver: that
 * source is not built here.
 */
export function mockWindowPriceSource(
  conn: Connection,
  authority: TransactionSigner,
  opts: {
    price?: (req: WindowPriceRequest) => Promise<Omit<MockPrice, 'feedId' | 'publishTime'>> | Omit<MockPrice, 'feedId' | 'publishTime'>;
    publishOffsetSecs?: bigint;
  } = {},
): WindowPriceSource {
  return async (req) => {
    const p = opts.price
      ? await opts.price(req)
      : await fetchPriceUpdateV2(conn.rpc, req.oracle, { commitment: COMMITMENT }).then(({ data: { priceMessage: m } }) => ({ price: m.price, conf: m.conf, exponent: m.exponent }));
    let publishTime = req.expiry + (opts.publishOffsetSecs ?? 0n);
    if (publishTime > req.windowEnd) publishTime = req.windowEnd;
    if (publishTime > req.now) publishTime = req.now;
    return createMockPrice(conn, authority, { ...p, feedId: Uint8Array.from(req.feedId), publishTime });
  };
}
