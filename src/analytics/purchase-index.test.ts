import { describe, expect, it } from 'vitest';
import { addPurchase, buildIndex, buildNeighbours, packedPurchases, type Purchase } from './purchase-index.ts';

const day = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000);
const buy = (customerId: string, productId: string, d: number, quantity?: number): Purchase => ({ customerId, productId, at: day(d), quantity });

// u1: a, b, a again (2 units); u2: a, b; u3: a, c; u4: c.
const history = [buy('u1', 'a', 1), buy('u1', 'b', 2), buy('u1', 'a', 5, 2), buy('u2', 'a', 3), buy('u2', 'b', 3), buy('u3', 'a', 4), buy('u3', 'c', 4), buy('u4', 'c', 6)];

describe('buildIndex', () => {
  const index = buildIndex(history, {});
  const row = (id: string) => {
    const c = index.customerIndex.get(id)!;
    return Array.from(index.items.subarray(index.offsets[c]!, index.offsets[c + 1]!), (i, t) => [index.productIds[i], index.lastAt[index.offsets[c]! + t]]);
  };

  it('keeps one entry per customer and product, with the latest purchase time', () => {
    expect(row('u1')).toEqual([
      ['a', day(5).getTime() / 1000],
      ['b', day(2).getTime() / 1000],
    ]);
    expect(index.latestAt).toBe(day(6).getTime());
  });

  it('counts units for popularity and distinct customers for buyers', () => {
    const at = (id: string) => index.productIndex.get(id)!;
    // a: 1 + 2 + 1 + 1 = 5 units by 3 customers; b: 2 by 2; c: 2 by 2. Ties keep first-seen order.
    expect([index.popularity[at('a')], index.buyers[at('a')]]).toEqual([5, 3]);
    expect(Array.from(index.popularOrder, (i) => index.productIds[i])).toEqual(['a', 'b', 'c']);
  });

  it('keeps only the most recent products of very large baskets for co-occurrence', () => {
    const big = buildIndex([buy('r', 'old', 1), buy('r', 'mid', 2), buy('r', 'new', 3)], { maxItemsPerCustomer: 2 });
    expect(Array.from(big.items.subarray(0, 2), (i) => big.productIds[i])).toEqual(['new', 'mid']);
  });
});

describe('buildNeighbours', () => {
  const index = buildIndex(history, {});
  const nb = buildNeighbours(index, 10, 1, (cosine) => cosine);
  const list = (id: string) => {
    const i = index.productIndex.get(id)!;
    return Array.from({ length: nb.count[i]! }, (_, s) => ({
      id: index.productIds[nb.ids[i * nb.n + s]!],
      similarity: nb.similarity[i * nb.n + s]!,
      confidence: nb.confidence[i * nb.n + s]!,
      lift: nb.lift[i * nb.n + s]!,
    }));
  };

  it('computes cosine, confidence and lift from co-purchase counts', () => {
    // Buyers: a 3, b 2, c 2, of 4 customers. co(a, b) = 2, co(a, c) = 1.
    // a → b: cosine 2/√6 = 0.8165, confidence 2/3, lift 2·4/(3·2) = 1.333.
    // a → c: cosine 1/√6 = 0.4082, confidence 1/3, lift 1·4/(3·2) = 0.667.
    const a = list('a');
    expect(a.map((x) => x.id)).toEqual(['b', 'c']);
    expect(a[0]!.similarity).toBeCloseTo(2 / Math.sqrt(6), 6);
    expect(a[0]!.confidence).toBeCloseTo(2 / 3, 6);
    expect(a[0]!.lift).toBeCloseTo(4 / 3, 6);
    expect(a[1]!.lift).toBeCloseTo(2 / 3, 6);
    // c → a: confidence 1/2 (rules are directional), same cosine and lift.
    expect(list('c')[0]).toMatchObject({ id: 'a', confidence: 0.5 });
  });

  it('drops pairs below the minimum co-count and keeps only the top n', () => {
    const strict = buildNeighbours(index, 10, 2, (cosine) => cosine);
    expect(strict.count[index.productIndex.get('c')!]).toBe(0);
    const one = buildNeighbours(index, 1, 1, (cosine) => cosine);
    expect(one.count[index.productIndex.get('a')!]).toBe(1);
    expect(index.productIds[one.ids[index.productIndex.get('a')! * one.n]!]).toBe('b');
  });
});

describe('packed purchases', () => {
  const packed = packedPurchases();
  for (const p of history) addPurchase(packed, p.customerId, p.productId, p.at.getTime(), p.quantity);

  it('give the purchases back, and index as the purchases themselves do', () => {
    expect([...packed]).toEqual(history.map((p) => ({ ...p, quantity: p.quantity ?? 1 })));
    expect(buildIndex(packed, {})).toEqual(buildIndex(history, {}));
  });
});
