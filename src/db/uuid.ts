// Row ids: UUIDv7 (RFC 9562), time-ordered so that new rows land at the right edge of the
// primary-key index, and increasing within this process (ingestion relies on that: see
// REBUILT_SETTING in src/events/metrics/recompute.ts).
//
// The layout is the uuid package's: 48 bits of Unix milliseconds, then a 32-bit sequence
// (seeded with 31 random bits each new millisecond, counted up within one; on overflow the
// millisecond moves on), then 42 random bits. The difference is where the randomness comes from: the
// package asks the operating system for 16 bytes per id (~6 µs each, which was a tenth of an
// import's time), this module draws them from a pool refilled 4 KB at a time.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
/** Random bytes each id takes: 4 to seed the sequence, 6 for the random tail. */
const TAKE = 10;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const h = (byte: number) => HEX[byte & 0xff]!;

let lastMs = -Infinity;
let seq = 0;

/** A new UUIDv7 as lower-case text, greater than every id this process made before. */
export function uuidv7(): string {
  if (poolAt + TAKE > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += TAKE;
  const now = Date.now();
  if (now > lastMs) {
    seq = pool.readUInt32BE(at) & 0x7fffffff; // a top bit of 0 leaves room to count up
    lastMs = now;
  } else {
    seq = (seq + 1) >>> 0;
    if (seq === 0) lastMs++; // 2³¹ ids in one millisecond: borrow the next one
  }
  const ms = lastMs;
  const hi = Math.floor(ms / 0x1000000); // the top 24 of the 48 time bits
  const lo = ms % 0x1000000;
  return (
    h(hi >>> 16) + h(hi >>> 8) + h(hi) + h(lo >>> 16) + '-' +
    h(lo >>> 8) + h(lo) + '-' +
    h(0x70 | (seq >>> 28)) + h(seq >>> 20) + '-' +
    h(0x80 | ((seq >>> 14) & 0x3f)) + h(seq >>> 6) + '-' +
    h(((seq << 2) & 0xfc) | (pool[at + 4]! & 0x03)) + h(pool[at + 5]!) + h(pool[at + 6]!) + h(pool[at + 7]!) + h(pool[at + 8]!) + h(pool[at + 9]!)
  );
}

/** The millisecond an id was made in (its first 48 bits). */
export function uuidv7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
