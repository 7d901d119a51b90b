import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBaskets } from './basket-input.ts';
import { frequentItemsets, minCountFor, type FrequentItemset } from './fp-growth.ts';
import { referenceDataDir } from './reference-data.ts';

/** mulberry32: a small seeded generator, so the random cases are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every subset of the item universe, counted by scanning every basket: slow, obviously right. */
function bruteForce(baskets: string[][], minCount: number, maxLength: number): Map<string, number> {
  const universe = [...new Set(baskets.flat())].sort();
  const sets = baskets.map((b) => new Set(b));
  const found = new Map<string, number>();
  for (let mask = 1; mask < 1 << universe.length; mask++) {
    const items = universe.filter((_, i) => mask & (1 << i));
    if (items.length > maxLength) continue;
    const count = sets.filter((s) => items.every((item) => s.has(item))).length;
    if (count >= minCount) found.set(items.join(','), count);
  }
  return found;
}

const asMap = (itemsets: FrequentItemset[]) => new Map(itemsets.map((s) => [s.items.join(','), s.count]));

describe('frequentItemsets', () => {
  it('counts a small example by hand', () => {
    const result = frequentItemsets([['bread', 'milk'], ['bread', 'diapers', 'beer', 'eggs'], ['milk', 'diapers', 'beer', 'cola'], ['bread', 'milk', 'diapers', 'beer'], ['bread', 'milk', 'diapers', 'cola']], {
      minCount: 3,
    });
    expect(result).toMatchObject({ baskets: 5, items: 6, minCount: 3 });
    expect(result.itemsets).toEqual([
      { items: ['bread'], count: 4, support: 0.8 },
      { items: ['diapers'], count: 4, support: 0.8 },
      { items: ['milk'], count: 4, support: 0.8 },
      { items: ['beer'], count: 3, support: 0.6 },
      { items: ['beer', 'diapers'], count: 3, support: 0.6 },
      { items: ['bread', 'diapers'], count: 3, support: 0.6 },
      { items: ['bread', 'milk'], count: 3, support: 0.6 },
      { items: ['diapers', 'milk'], count: 3, support: 0.6 },
    ]);
  });

  it('counts an item repeated within a basket once', () => {
    const result = frequentItemsets([['a', 'a', 'b'], ['a', 'b', 'b', 'a']], { minCount: 1 });
    expect(asMap(result.itemsets)).toEqual(new Map([['a', 2], ['b', 2], ['a,b', 2]]));
  });

  it('finds nothing in no baskets, or when nothing is frequent', () => {
    expect(frequentItemsets([], { minSupport: 0.5 }).itemsets).toEqual([]);
    expect(frequentItemsets([['a'], ['b']], { minCount: 2 }).itemsets).toEqual([]);
  });

  it.each([
    [9835, { minSupport: 0.001 }, 10],
    [100, { minSupport: 0.07 }, 7],
    [88162, { minSupport: 0.01 }, 882],
    [10, { minSupport: 0.5, minCount: 7 }, 7],
    [10, { minSupport: 0.5, minCount: 2 }, 5],
    [10, {}, 1],
    [1000, {}, 100],
  ])('needs, of %i baskets with %j, %i baskets', (baskets, options, expected) => {
    expect(minCountFor(baskets, options)).toBe(expected);
  });

  it.each([[{ minSupport: 0 }], [{ minSupport: 1.5 }], [{ minCount: 0 }], [{ minCount: 2.5 }], [{ maxLength: 0 }]])('refuses %j', (options) => {
    expect(() => frequentItemsets([['a']], options)).toThrow(/must be/);
  });

  // Random data dense enough for long itemsets and single-path conditional trees, sparse enough to branch.
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('equals a brute-force enumeration on seeded random baskets (seed %i)', (seed) => {
    const random = seeded(seed);
    const universe = Array.from({ length: 6 + (seed % 7) }, (_, i) => `item${i}`);
    const weights = universe.map(() => random());
    const baskets = Array.from({ length: 20 + Math.floor(random() * 200) }, () => universe.filter((_, i) => random() < weights[i]! * 0.8));
    baskets.push([universe[0]!, universe[0]!]);
    for (const minCount of [1, 2, 5, Math.ceil(baskets.length / 4)]) {
      for (const maxLength of [Infinity, 3, 2, 1]) {
        const result = frequentItemsets(baskets, { minCount, maxLength });
        expect(asMap(result.itemsets)).toEqual(bruteForce(baskets, minCount, maxLength));
      }
    }
  });

  it('equals a brute-force enumeration on a wider seeded set, where nodes have many children', () => {
    const random = seeded(99);
    const universe = Array.from({ length: 14 }, (_, i) => `p${i}`);
    const baskets = Array.from({ length: 400 }, () => universe.filter((_, i) => random() < 0.5 / (1 + i / 4)));
    for (const minCount of [3, 12]) expect(asMap(frequentItemsets(baskets, { minCount }).itemsets)).toEqual(bruteForce(baskets, minCount, Infinity));
  });

  describe('on arules\' Groceries (9,835 baskets)', () => {
    const baskets = parseBaskets(fs.readFileSync(path.join(referenceDataDir(), 'baskets', 'groceries.csv'), 'utf8'));

    it('finds the 13,492 itemsets arules finds at support 0.001, by size', () => {
      const result = frequentItemsets(baskets, { minSupport: 0.001 });
      expect(result).toMatchObject({ baskets: 9835, items: 169, minCount: 10 });
      expect(result.itemsets).toHaveLength(13492);
      const bySize = new Map<number, number>();
      for (const set of result.itemsets) bySize.set(set.items.length, (bySize.get(set.items.length) ?? 0) + 1);
      expect([...bySize]).toEqual([[1, 157], [2, 2981], [3, 6831], [4, 3137], [5, 376], [6, 10]]);
      expect(result.itemsets[0]).toEqual({ items: ['whole milk'], count: 2513, support: 2513 / 9835 });
    });

    it('counts every one of a seeded sample of its itemsets as a scan of the baskets does', () => {
      const result = frequentItemsets(baskets, { minSupport: 0.001 });
      const sets = baskets.map((b) => new Set(b));
      const random = seeded(7);
      for (let i = 0; i < 150; i++) {
        const set = result.itemsets[Math.floor(random() * result.itemsets.length)]!;
        expect([set.items, sets.filter((s) => set.items.every((item) => s.has(item))).length]).toEqual([set.items, set.count]);
      }
    });

    it('stops at maxLength', () => {
      const result = frequentItemsets(baskets, { minSupport: 0.001, maxLength: 3 });
      expect(result.itemsets).toHaveLength(157 + 2981 + 6831);
    });
  });
});
