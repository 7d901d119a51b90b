import { describe, expect, it } from 'vitest';
import { affinityCategoryKey, decay, inferAffinities, inferAffinity, priceBand, priceBands, viewWeight, type Signal } from './affinity.ts';

const now = new Date('2026-06-30T00:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const sig = (s: Partial<Signal> & Pick<Signal, 'kind'>): Signal => ({ customerId: 'c1', at: now, ...s });

describe('decay', () => {
  it.each([
    [0, 1],
    [30, 0.5],
    [60, 0.25],
    [-5, 1], // future signals count as fresh
  ])('%d days old → %d', (age, factor) => expect(decay(daysAgo(age), now, 30)).toBeCloseTo(factor, 12));

  it('halves a signal weight at the half-life', () => {
    const fresh = inferAffinity('c1', [sig({ kind: 'purchase', brand: 'a' }), sig({ kind: 'purchase', brand: 'b', at: daysAgo(14) })], { now, halfLifeDays: 14 });
    expect(fresh.brands).toEqual([{ key: 'a', weight: 1 }, { key: 'b', weight: 0.5 }]);
  });
});

describe('view weight', () => {
  it('grows with dwell on a log scale and stops at the cap', () => {
    expect(viewWeight(undefined)).toBe(1);
    expect(viewWeight(0)).toBe(1);
    // 1 + ln(1 + 10) / ln(1 + 120) = 1 + 2.398 / 4.796 = 1.5
    expect(viewWeight(10_000, 120)).toBeCloseTo(1 + Math.log(11) / Math.log(121), 12);
    expect(viewWeight(120_000, 120)).toBe(2);
    expect(viewWeight(3_600_000, 120)).toBe(2);
  });

  it('a long view counts more than a glance, less than a cart add', () => {
    const a = inferAffinity(
      'c1',
      [sig({ kind: 'view', brand: 'glance', dwellMs: 1000 }), sig({ kind: 'view', brand: 'long', dwellMs: 90_000 }), sig({ kind: 'cart_add', brand: 'cart' })],
      { now },
    );
    expect(a.brands.map((b) => b.key)).toEqual(['cart', 'long', 'glance']);
  });
});

describe('normalisation and lists', () => {
  it('scales the top entry to 1, keeps the top N and counts categories at two levels', () => {
    // Women > Shoes: purchase 5 + view 1 = 6; Men > Bags: favourite 4; Home > Kitchen: cart 3 → 1, 4/6, 3/6.
    const a = inferAffinity(
      'c1',
      [
        sig({ kind: 'purchase', category: 'Women > Shoes > Sneakers' }),
        sig({ kind: 'view', category: 'Women > Shoes > Boots' }),
        sig({ kind: 'favourite', category: 'Men > Bags' }),
        sig({ kind: 'cart_add', category: 'Home > Kitchen > Pans > Steel' }),
      ],
      { now, top: 2 },
    );
    expect(a.categories).toEqual([
      { key: 'Women > Shoes', weight: 1 },
      { key: 'Men > Bags', weight: 4 / 6 },
    ]);
    expect(a.brands).toEqual([]);
    expect(a.priceBands).toEqual([]);
  });

  it('streams one row per contiguous customer', () => {
    const rows = [...inferAffinities([sig({ kind: 'view', brand: 'x' }), sig({ kind: 'view', brand: 'y', customerId: 'c2' }), sig({ kind: 'purchase', brand: 'z', customerId: 'c2' })], { now })];
    expect(rows.map((r) => [r.customerId, r.brands[0]?.key])).toEqual([
      ['c1', 'x'],
      ['c2', 'z'],
    ]);
  });

  it.each([
    ['Women > Shoes > Sneakers', 'Women > Shoes'],
    ['Women', 'Women'],
    [' Men>Bags ', 'Men > Bags'],
  ])('category %s counts as %s', (path, key) => expect(affinityCategoryKey(path)).toBe(key));
});

describe('price bands', () => {
  // Prices 1..101: the 20/40/60/80% quantiles by type 7 are 1 + 100·q = 21, 41, 61, 81.
  const bands = priceBands(Array.from({ length: 101 }, (_, i) => i + 1));

  it('cuts at workspace quantiles with named labels', () => {
    expect(bands).toEqual({ cuts: [21, 41, 61, 81], labels: ['budget', 'value', 'mid', 'premium', 'luxury'] });
  });

  it.each([
    [1, 'budget'],
    [20.99, 'budget'],
    [21, 'value'],
    [50, 'mid'],
    [80, 'premium'],
    [500, 'luxury'],
  ])('%d is %s', (price, label) => expect(priceBand(bands, price)).toBe(label));

  it('other band counts get numbered labels; interpolation between prices', () => {
    expect(priceBands([10, 20, 30, 40], 2)).toEqual({ cuts: [25], labels: ['band1', 'band2'] });
  });

  it('weights the customer towards the bands they buy in', () => {
    const a = inferAffinity('c1', [sig({ kind: 'purchase', price: 90 }), sig({ kind: 'view', price: 5 })], { now, bands });
    expect(a.priceBands).toEqual([{ key: 'luxury', weight: 1 }, { key: 'budget', weight: 1 / 5 }]);
  });
});
