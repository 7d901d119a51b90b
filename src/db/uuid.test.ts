import { describe, expect, it } from 'vitest';
import { v7 as packageV7 } from 'uuid';
import { uuidv7, uuidv7Time } from './uuid.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('makes RFC 9562 version-7 ids carrying the current millisecond', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(id).toMatch(V7);
    expect(uuidv7Time(id)).toBeGreaterThanOrEqual(before);
    expect(uuidv7Time(id)).toBeLessThanOrEqual(after);
  });

  it('increases strictly within one process, across pool refills and many ids per millisecond', () => {
    let prev = uuidv7();
    const seen = new Set([prev]);
    for (let i = 0; i < 200_000; i++) {
      const id = uuidv7();
      expect(id > prev).toBe(true);
      prev = id;
      seen.add(id);
    }
    expect(seen.size).toBe(200_001);
  });

  it('lays out time, version, sequence and variant as the uuid package does, so both sort together', () => {
    const a = packageV7();
    const b = uuidv7();
    const c = packageV7({ msecs: Date.now() + 5 });
    expect(uuidv7Time(a)).toBeLessThanOrEqual(uuidv7Time(b));
    expect(b < c).toBe(true);
  });

  it('varies its random tail', () => {
    const tails = new Set(Array.from({ length: 1000 }, () => uuidv7().slice(24)));
    expect(tails.size).toBe(1000);
  });
});
