// Association rules with one item on the right-hand side (what arules' apriori returns by default),
// read off frequent itemsets, and the per-product cross-sell lists built from them.
import { AppError } from '../errors.ts';
import type { FrequentItemsets } from './fp-growth.ts';

export type AssociationRule = {
  antecedent: string[];
  consequent: string;
  /** Baskets holding the antecedent and the consequent together. */
  count: number;
  support: number;
  confidence: number;
  lift: number;
};

export type AssociationRuleOptions = { minConfidence: number; minLift?: number; maxRules?: number };

const keyOf = (items: readonly string[]) => items.join('\u0000');

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every rule X → {y} with X ∪ {y} frequent and confidence = count(X ∪ {y}) / count(X) at least
 * `minConfidence`, sorted by lift, then confidence (both descending), then count, antecedent and
 * consequent so that equal rules always come out in the same order. Rules with an empty antecedent,
 * which arules also lists when one item's support reaches the confidence, are left out: they say
 * nothing about what goes with what.
 */
export function associationRules(result: FrequentItemsets, options: AssociationRuleOptions): AssociationRule[] {
  const { minConfidence, minLift = 0, maxRules = Infinity } = options;
  if (!(minConfidence >= 0 && minConfidence <= 1)) throw new AppError('invalid_input', `minConfidence: must be in [0, 1], not ${minConfidence}`);
  if (!(minLift >= 0)) throw new AppError('invalid_input', `minLift: must be >= 0, not ${minLift}`);
  if (!(maxRules >= 0)) throw new AppError('invalid_input', `maxRules: must be >= 0, not ${maxRules}`);
  const n = result.baskets;
  // frequentItemsets sorts the items of each itemset, and dropping one item keeps the rest sorted,
  // so the antecedent's key can be looked up without sorting again.
  const countOf = new Map<string, number>();
  for (const set of result.itemsets) countOf.set(keyOf(set.items), set.count);

  const rules: (AssociationRule & { key: string })[] = [];
  for (const set of result.itemsets) {
    const size = set.items.length;
    if (size < 2) continue;
    for (let i = 0; i < size; i++) {
      const consequent = set.items[i]!;
      const antecedent = set.items.filter((_, j) => j !== i);
      const key = keyOf(antecedent);
      const antecedentCount = countOf.get(key);
      const consequentCount = countOf.get(consequent);
      // Every subset of a frequent itemset is frequent; a miss means the itemsets were not mined together.
      if (antecedentCount === undefined || consequentCount === undefined) throw new AppError('invalid_input', `itemsets: {${antecedent.join(', ')}} or {${consequent}} is missing`);
      const confidence = set.count / antecedentCount;
      if (confidence < minConfidence) continue;
      const lift = (set.count * n) / (antecedentCount * consequentCount);
      if (lift < minLift) continue;
      rules.push({ antecedent, consequent, count: set.count, support: set.count / n, confidence, lift, key });
    }
  }
  rules.sort(
    (a, b) =>
      b.lift - a.lift ||
      b.confidence - a.confidence ||
      b.count - a.count ||
      a.antecedent.length - b.antecedent.length ||
      compareKeys(a.key, b.key) ||
      compareKeys(a.consequent, b.consequent),
  );
  return rules.slice(0, maxRules).map(({ key: _key, ...rule }) => rule);
}

/** For each item, the rules whose antecedent contains it, in the order given (by lift when from associationRules). */
export function rulesByItem(rules: readonly AssociationRule[]): Map<string, AssociationRule[]> {
  const byItem = new Map<string, AssociationRule[]>();
  for (const rule of rules) {
    for (const item of rule.antecedent) {
      const list = byItem.get(item);
      if (list) list.push(rule);
      else byItem.set(item, [rule]);
    }
  }
  return byItem;
}

/**
 * "Customers who bought X also bought …": the rules whose antecedent is exactly {item}, best first,
 * at most `limit`. Rules with a larger antecedent are left out because they need the other items in
 * the cart too; rulesByItem has them.
 */
export function boughtTogether(rules: readonly AssociationRule[], item: string, limit = 10): AssociationRule[] {
  const found: AssociationRule[] = [];
  for (const rule of rules) {
    if (found.length >= limit) break;
    if (rule.antecedent.length === 1 && rule.antecedent[0] === item) found.push(rule);
  }
  return found;
}
