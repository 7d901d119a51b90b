import { describe, expect, it } from 'vitest';
import { createRandom, generateCustomers } from './generate.ts';

describe('synthetic customers', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = [...generateCustomers({ seed: 7, count: 50 })];
    const b = [...generateCustomers({ seed: 7, count: 50 })];
    const c = [...generateCustomers({ seed: 8, count: 50 })];
    expect(a).toEqual(b);
    expect(a.map((x) => x.name)).not.toEqual(c.map((x) => x.name));
  });

  it('makes valid, unique contact data', () => {
    const list = [...generateCustomers({ seed: 1, count: 20_000 })];
    expect(new Set(list.map((c) => c.email)).size).toBe(list.length);
    expect(new Set(list.map((c) => c.externalId)).size).toBe(list.length);
    for (const c of list) {
      expect(c.phone).toMatch(/^\+8210\d{8}$/);
      expect(c.email).toMatch(/^[a-z]+\.[a-z]+\d+@[a-z.]+$/);
      expect(c.name).toMatch(/^[가-힣]{3}$/);
      expect(Number.isNaN(Date.parse(c.birthday))).toBe(false);
      expect(c.signedUpAt.getTime()).toBeLessThanOrEqual(new Date('2026-11-01T00:00:00Z').getTime());
    }
  });

  it('has believable proportions', () => {
    const list = [...generateCustomers({ seed: 3, count: 20_000 })];
    const share = (pred: (c: (typeof list)[number]) => boolean) => list.filter(pred).length / list.length;
    expect(share((c) => c.name.startsWith('김'))).toBeGreaterThan(0.2); // Kim carries 21.5 of the list's 78.5 weight: ~27 %
    expect(share((c) => c.name.startsWith('김'))).toBeLessThan(0.34);
    expect(share((c) => c.gender === 'F')).toBeCloseTo(0.68, 1);
    expect(share((c) => c.consents.some((k) => k.purpose === 'marketing' && k.status === 'granted'))).toBeGreaterThan(0.4);
    const nightAds = share((c) => c.consents.some((k) => k.purpose === 'night_ads' && k.status === 'granted'));
    expect(nightAds).toBeGreaterThan(0.1);
    expect(nightAds).toBeLessThan(0.3);
  });

  it('uses a uniform PRNG', () => {
    const rnd = createRandom(123);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[Math.floor(rnd.next() * 10)]++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});
