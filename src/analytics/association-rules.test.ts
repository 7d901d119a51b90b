import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { associationRules, boughtTogether, rulesByItem } from './association-rules.ts';
import { parseBaskets } from './basket-input.ts';
import { frequentItemsets } from './fp-growth.ts';
import { referenceDataDir } from './reference-data.ts';

describe('associationRules', () => {
  const small = frequentItemsets([['a', 'b'], ['a', 'b'], ['a', 'c'], ['b'], ['c']], { minCount: 1 });

  it('reads rules with one item on the right off the itemsets', () => {
    expect(associationRules(small, { minConfidence: 0.6 })).toEqual([
      { antecedent: ['a'], consequent: 'b', count: 2, support: 0.4, confidence: 2 / 3, lift: (2 * 5) / (3 * 3) },
      { antecedent: ['b'], consequent: 'a', count: 2, support: 0.4, confidence: 2 / 3, lift: (2 * 5) / (3 * 3) },
    ]);
  });

  it('filters by lift and cuts at maxRules', () => {
    expect(associationRules(small, { minConfidence: 0, minLift: 1 })).toHaveLength(2);
    expect(associationRules(small, { minConfidence: 0 })).toHaveLength(4);
    expect(associationRules(small, { minConfidence: 0, maxRules: 1 })).toHaveLength(1);
  });

  it('refuses a confidence outside [0, 1]', () => {
    expect(() => associationRules(small, { minConfidence: 1.2 })).toThrow(/minConfidence/);
  });

  describe('on arules\' Groceries at support 0.001', () => {
    const baskets = parseBaskets(fs.readFileSync(path.join(referenceDataDir(), 'baskets', 'groceries.csv'), 'utf8'));
    const itemsets = frequentItemsets(baskets, { minSupport: 0.001 });
    const rules = associationRules(itemsets, { minConfidence: 0.5 });

    it('finds the 410 rules of confidence 0.8 and the 5,668 of 0.5 that arules finds', () => {
      expect(associationRules(itemsets, { minConfidence: 0.8 })).toHaveLength(410);
      expect(rules).toHaveLength(5668);
    });

    it('puts {Instant food products, soda} → {hamburger meat} first, at lift 18.996', () => {
      const [top] = rules;
      expect(top).toMatchObject({ antecedent: ['Instant food products', 'soda'], consequent: 'hamburger meat', count: 12 });
      expect(top!.lift).toBeCloseTo(18.996, 3);
      expect(top!.confidence).toBeCloseTo(0.632, 3);
    });

    it('sorts by lift, then confidence, then count, the same way every time', () => {
      for (let i = 1; i < rules.length; i++) {
        const [a, b] = [rules[i - 1]!, rules[i]!];
        expect(a.lift > b.lift || (a.lift === b.lift && (a.confidence > b.confidence || (a.confidence === b.confidence && a.count >= b.count)))).toBe(true);
      }
      expect(associationRules(frequentItemsets([...baskets].reverse(), { minSupport: 0.001 }), { minConfidence: 0.5 })).toEqual(rules);
    });

    it('lists, per product, the rules that start from it', () => {
      const byItem = rulesByItem(rules);
      const curd = byItem.get('curd') ?? [];
      expect(curd.length).toBeGreaterThan(0);
      expect(curd.every((r) => r.antecedent.includes('curd'))).toBe(true);
      expect(curd).toEqual(rules.filter((r) => r.antecedent.includes('curd')));
    });

    it('answers "customers who bought X also bought …" from single-item antecedents, best lift first', () => {
      const atHalf = associationRules(itemsets, { minConfidence: 0.2 });
      const alsoBought = boughtTogether(atHalf, 'butter', 3);
      expect(alsoBought).toHaveLength(3);
      expect(alsoBought.every((r) => r.antecedent.length === 1 && r.antecedent[0] === 'butter')).toBe(true);
      expect(alsoBought.map((r) => r.lift)).toEqual([...alsoBought.map((r) => r.lift)].sort((a, b) => b - a));
      expect(boughtTogether(atHalf, 'no such product', 3)).toEqual([]);
    });
  });
});
