// Addresses between base58 text and their 32 bytes, as @solana/kit's getAddressEncoder /
// getAddressDecoder convert them but with small-integer arithmetic instead of BigInt (about 15x
// faster): the keeper converts one or two keys per margin account per pass, 10,000s of them.
// Equality with kit's codec is pinned by tests/keeper-unit.test.ts.
import type { Address } from '@solana/kit';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;

/** The 32 bytes of `address`. Throws on a character outside the alphabet or a value above 32 bytes. */
export function addressBytes(address: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < address.length; i++) {
    let carry = DIGIT[address.charCodeAt(i)] ?? -1;
    if (carry < 0) throw new Error(`not a base58 address: ${address}`);
    for (let j = 31; j >= 0; j--) {
      carry += out[j]! * 58;
      out[j] = carry & 0xff;
      carry >>= 8;
    }
    if (carry !== 0) throw new Error(`address longer than 32 bytes: ${address}`);
  }
  return out;
}

/** The address (base58) of the 32 bytes of `bytes` at `offset`. */
export function addressAt(bytes: Uint8Array, offset = 0): Address {
  const digits: number[] = []; // base 58, least significant first
  let zeros = 0;
  while (zeros < 32 && bytes[offset + zeros] === 0) zeros++;
  for (let i = offset + zeros; i < offset + 32; i++) {
    let carry = bytes[i]!;
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j]! * 256;
      digits[j] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = (carry / 58) | 0;
    }
  }
  let s = '1'.repeat(zeros);
  for (let j = digits.length - 1; j >= 0; j--) s += ALPHABET[digits[j]!];
  return s as Address;
}
