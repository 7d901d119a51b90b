import { describe, expect, it } from 'vitest';
import { generatePurchases, syntheticProducts } from '../demo-data/purchases.ts';
import {
  blendedRecommender,
  evaluateRecommenders,
  itemKnnRecommender,
  popularityRecommender,
  recommend,
  recommendForAll,
  trainBlended,
  trainItemKnn,
  trainPopularity,
  type Purchase,
} from './recommend.ts';

const day = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000);
const buy = (customerId: string, productId: string, d: number, quantity?: number): Purchase => ({ customerId, productId, at: day(d), quantity });
const ids = (recs: { productId: string }[]) => recs.map((r) => r.productId);

// Shoes go with socks (bought together by u1..u3); the hat is the best seller but unrelated.
const history: Purchase[] = [
  buy('u1', 'shoes', 1), buy('u1', 'socks', 2),
  buy('u2', 'shoes', 3), buy('u2', 'socks', 3),
  buy('u3', 'shoes', 4), buy('u3', 'socks', 5), buy('u3', 'laces', 5),
  buy('u4', 'laces', 2), buy('u4', 'shoes', 6),
  buy('h1', 'hat', 1, 3), buy('h2', 'hat', 2, 3), buy('h3', 'hat', 3),
  buy('u5', 'shoes', 60),
];
const products = [
  { productId: 'shoes', category: 'Women > Shoes > Sneakers' },
  { productId: 'socks', category: 'Women > Shoes > Socks' },
  { productId: 'laces', category: 'Women > Shoes > Care' },
  { productId: 'hat', category: 'Women > Accessories > Hats' },
];
const now = day(70);

describe('popularity', () => {
  it('ranks by units bought and leaves out what the customer bought', () => {
    const model = trainPopularity(history);
    // Units: hat 3+3+1 = 7, shoes 5, socks 3, laces 2.
    expect(ids(recommend(model, 'nobody', { k: 4, now }))).toEqual(['hat', 'shoes', 'socks', 'laces']);
    expect(ids(recommend(model, 'u5', { k: 4, now }))).toEqual(['hat', 'socks', 'laces']);
    expect(recommend(model, 'nobody', { k: 1, now })[0]).toEqual({ productId: 'hat', score: 7, reasons: ['popular'] });
  });
});

describe('item kNN', () => {
  it('recommends what is bought with what the customer has', () => {
    const model = trainItemKnn(history, { minCoCount: 2 });
    // u5 has shoes. co(shoes, socks) = 3, co(shoes, laces) = 2; buyers: shoes 5, socks 3, laces 2.
    // cos(shoes, socks) = 3/√15 = 0.775 > cos(shoes, laces) = 2/√10 = 0.632; the hat comes from the popularity fallback.
    const recs = recommend(model, 'u5', { k: 3, now });
    expect(ids(recs)).toEqual(['socks', 'laces', 'hat']);
    expect(recs[0]!.score).toBeCloseTo(3 / Math.sqrt(15), 6);
    expect(recs.map((r) => r.reasons[0])).toEqual(['similar', 'similar', 'popular']);
  });
});

describe('blended', () => {
  it('puts the co-purchased product first and says why', () => {
    const model = trainBlended(history, { products, minCoCount: 2 });
    const recs = recommend(model, 'u5', { k: 3, now });
    expect(ids(recs)).toEqual(['socks', 'laces', 'hat']);
    expect(recs[0]!.reasons).toEqual(expect.arrayContaining(['co_purchase', 'similar']));
    expect(recs.every((r, i) => i === 0 || r.score <= recs[i - 1]!.score)).toBe(true);
  });

  it('never recommends what the customer bought, unless repeatable and outside the recent window', () => {
    const repeatable = products.map((p) => (p.productId === 'shoes' ? { ...p, repeatable: true } : p));
    const model = trainBlended(history, { products: repeatable, minCoCount: 1 });
    // u1 bought shoes on day 1: repeatable and 69 days ago, so it may come back; socks may not.
    expect(ids(recommend(model, 'u1', { k: 4, now }))).not.toContain('socks');
    expect(ids(recommend(model, 'u1', { k: 4, now }))).toContain('shoes');
    // u5 bought shoes 10 days before `now`: inside the 30-day window even though repeatable.
    expect(ids(recommend(model, 'u5', { k: 4, now }))).not.toContain('shoes');
    // A wider window takes u1's shoes out too.
    const strict = trainBlended(history, { products: repeatable, minCoCount: 1, recentWindowDays: 90 });
    expect(ids(recommend(strict, 'u1', { k: 4, now }))).not.toContain('shoes');
  });

  it('honours an explicit exclude list', () => {
    const model = trainBlended(history, { products, minCoCount: 2 });
    expect(ids(recommend(model, 'u5', { k: 3, now, exclude: ['socks'] }))).toEqual(['laces', 'hat']);
  });

  it('falls back to best sellers for cold customers', () => {
    const model = trainBlended(history, { products });
    const recs = recommend(model, 'never-seen', { k: 2, now });
    expect(recs.map((r) => [r.productId, r.reasons])).toEqual([['hat', ['popular']], ['shoes', ['popular']]]);
  });

  it('brings in best sellers of the categories the customer likes', () => {
    // A customer with no co-purchase evidence but a strong inferred taste for accessories.
    const model = trainBlended([...history, buy('u6', 'laces', 65)], {
      products,
      minCoCount: 3,
      categoryAffinity: (id) => (id === 'u6' ? [{ key: 'Women > Accessories > Hats', weight: 1 }] : undefined),
    });
    const recs = recommend(model, 'u6', { k: 1, now });
    expect(recs[0]).toMatchObject({ productId: 'hat', reasons: ['category'] });
    // Affinities passed with the call win over the model's.
    expect(recommend(model, 'u6', { k: 1, now, categories: [{ key: 'Women > Shoes', weight: 1 }] })[0]!.productId).toBe('shoes');
  });

  it('recommendForAll streams one row per customer, lazily', () => {
    const model = trainBlended(history, { products, minCoCount: 2 });
    const rows = recommendForAll(model, ['u5', 'nobody'], 2, { now });
    const first = rows.next();
    expect(first.done).toBe(false);
    expect(first.value).toMatchObject({ customerId: 'u5' });
    expect([...rows].map((r) => r.customerId)).toEqual(['nobody']);
  });
});

describe('evaluateRecommenders', () => {
  it('reports each recommender side by side on a time split', () => {
    // Before day 50: u1..u4 as above. After: u4 buys socks (new to u4); u1 buys shoes again (not new, ignored);
    // u9 has no training history (left out).
    const all = [...history.filter((p) => p.customerId !== 'u5'), buy('u4', 'socks', 55), buy('u1', 'shoes', 56), buy('u9', 'hat', 57)];
    const rows = evaluateRecommenders({
      history: all,
      splitAt: day(50),
      k: 2,
      recommenders: [popularityRecommender(), itemKnnRecommender({ minCoCount: 2 })],
    });
    expect(rows.map((r) => Object.keys(r).sort())).toEqual(
      Array(2).fill(['mapAtK', 'mrr', 'name', 'ndcgAtK', 'precisionAtK', 'recallAtK', 'users']),
    );
    // Popularity offers u4 [hat, socks]: socks at rank 2 → AP = 1/2, RR = 1/2. Item kNN offers socks first → AP = 1.
    expect(rows[0]).toMatchObject({ name: 'popularity', users: 1, mapAtK: 0.5, mrr: 0.5, precisionAtK: 0.5, recallAtK: 1 });
    expect(rows[1]).toMatchObject({ name: 'item-knn', users: 1, mapAtK: 1, mrr: 1, recallAtK: 1 });
  });

  it('blended and item kNN beat popularity on a history with planted co-purchase structure', () => {
    const opts = { seed: 7, customers: 3000, products: 500 };
    const productsMeta = syntheticProducts(opts);
    const rows = evaluateRecommenders({
      history: generatePurchases(opts),
      splitAt: new Date('2025-10-01T00:00:00Z'),
      k: 10,
      recommenders: [popularityRecommender(), itemKnnRecommender(), blendedRecommender({ products: productsMeta })],
    });
    const map = Object.fromEntries(rows.map((r) => [r.name, r.mapAtK]));
    expect(rows[0]!.users).toBeGreaterThan(500);
    expect(map['item-knn']!).toBeGreaterThan(map.popularity! * 1.5);
    expect(map.blended!).toBeGreaterThan(map.popularity! * 1.5);
  });
});
