import { describe, expect, it } from 'vitest';
import { generatePurchases, syntheticProducts } from './purchases.ts';

describe('generatePurchases', () => {
  it('is deterministic for a seed and different across seeds', () => {
    const take = (seed: number) => [...generatePurchases({ seed, customers: 50, products: 200 })].map((p) => `${p.customerId}:${p.productId}:${p.at.getTime()}`);
    expect(take(1)).toEqual(take(1));
    expect(take(1)).not.toEqual(take(2));
  });

  it('averages about the requested purchases per customer over known products and the time span', () => {
    const all = [...generatePurchases({ seed: 3, customers: 2000, products: 500, purchasesPerCustomer: 10, start: new Date('2025-01-01T00:00:00Z'), days: 365 })];
    expect(all.length / 2000).toBeGreaterThan(9);
    expect(all.length / 2000).toBeLessThan(11);
    const ids = new Set(syntheticProducts({ products: 500 }).map((p) => p.productId));
    expect(all.every((p) => ids.has(p.productId))).toBe(true);
    expect(all.every((p) => p.at >= new Date('2025-01-01T00:00:00Z') && p.at < new Date('2026-01-01T00:00:00Z'))).toBe(true);
  });
});
