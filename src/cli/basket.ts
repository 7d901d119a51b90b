// `rapport basket --baskets FILE`: market-basket analysis of a basket file (one basket per line):
// frequent itemsets by FP-growth and the association rules read off them.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { associationRules, type AssociationRule } from '../analytics/association-rules.ts';
import { streamBaskets } from '../analytics/basket-input.ts';
import { frequentItemsets } from '../analytics/fp-growth.ts';

type BasketArgs = { file: string; separator: string; minSupport: number; minConfidence: number; maxLength?: number; top?: number; json: boolean };

const USAGE = 'usage: rapport basket --baskets FILE [--sep ,] --min-support S --min-confidence C [--max-length N] [--top N] [--json]';

/** The parsed arguments, or what is wrong with them. */
function parseBasketArgs(args: string[]): BasketArgs | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        baskets: { type: 'string' },
        sep: { type: 'string' },
        'min-support': { type: 'string' },
        'min-confidence': { type: 'string' },
        'max-length': { type: 'string' },
        top: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    return `${(err as Error).message}\n${USAGE}`;
  }
  const file = values.baskets;
  if (!file) return `--baskets: name the basket file\n${USAGE}`;
  const number = (flag: string, raw: string | undefined, ok: (x: number) => boolean, what: string): number | string | undefined => {
    if (raw === undefined) return undefined;
    const x = Number(raw);
    return raw.trim() !== '' && ok(x) ? x : `${flag}: must be ${what}, not "${raw}"`;
  };
  const minSupport = number('--min-support', values['min-support'], (x) => x > 0 && x <= 1, 'a fraction in (0, 1]') ?? '--min-support: required (a fraction of baskets, e.g. 0.001)';
  const minConfidence = number('--min-confidence', values['min-confidence'], (x) => x >= 0 && x <= 1, 'in [0, 1]') ?? '--min-confidence: required (e.g. 0.5)';
  const maxLength = number('--max-length', values['max-length'], (x) => Number.isInteger(x) && x >= 1, 'a whole number >= 1');
  const top = number('--top', values.top, (x) => Number.isInteger(x) && x >= 0, 'a whole number >= 0');
  for (const v of [minSupport, minConfidence, maxLength, top]) if (typeof v === 'string') return v;
  // Comma for .csv (arules' Groceries), whitespace otherwise (FIMI's .dat files).
  const sep = values.sep ?? (file.toLowerCase().endsWith('.csv') ? ',' : ' ');
  const separator = sep === 'space' || sep === 'whitespace' ? ' ' : sep === 'tab' ? '\t' : sep;
  if (separator === '') return '--sep: must not be empty (",", ";", "tab" or "whitespace")';
  return { file, separator, minSupport: minSupport as number, minConfidence: minConfidence as number, maxLength: maxLength as number | undefined, top: top as number | undefined, json: values.json ?? false };
}

async function readBaskets(file: string, separator: string): Promise<string[][]> {
  const baskets: string[][] = [];
  for await (const basket of streamBaskets(fs.createReadStream(file, { encoding: 'utf8' }), { separator })) baskets.push(basket);
  return baskets;
}

const n = (x: number) => x.toLocaleString('en-US');
const describeRule = (r: AssociationRule) =>
  `{${r.antecedent.join(', ')}} => {${r.consequent}}  support ${r.support.toFixed(4)}  confidence ${r.confidence.toFixed(3)}  lift ${r.lift.toFixed(3)}  (${n(r.count)} baskets)`;

/** Prints itemset and rule counts and the rules with the highest lift; 1 on bad input, naming the file or flag. */
export async function basketCommand(args: string[], print: (line: string) => void = console.log): Promise<number> {
  const parsed = parseBasketArgs(args);
  if (typeof parsed === 'string') {
    print(`Error: basket ${parsed}`);
    return 1;
  }
  let baskets: string[][];
  try {
    baskets = await readBaskets(parsed.file, parsed.separator);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    print(`Error: cannot read ${parsed.file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`);
    return 1;
  }
  if (baskets.length === 0) {
    print(`Error: ${parsed.file} holds no baskets (one basket per line, items separated by "${parsed.separator}")`);
    return 1;
  }
  const result = frequentItemsets(baskets, { minSupport: parsed.minSupport, maxLength: parsed.maxLength });
  const rules = associationRules(result, { minConfidence: parsed.minConfidence });
  const bySize: Record<string, number> = {};
  for (const set of result.itemsets) bySize[set.items.length] = (bySize[set.items.length] ?? 0) + 1;
  if (parsed.json) {
    const top = rules.slice(0, parsed.top ?? rules.length);
    print(JSON.stringify({ baskets: result.baskets, items: result.items, itemsets: { total: result.itemsets.length, bySize }, rules: { count: rules.length, top } }));
    return 0;
  }
  print(`${parsed.file}: ${n(result.baskets)} baskets, ${n(result.items)} items`);
  print(`Frequent itemsets (support >= ${parsed.minSupport}, in >= ${n(result.minCount)} baskets): ${n(result.itemsets.length)}`);
  for (const [size, count] of Object.entries(bySize)) print(`  size ${size}: ${n(count)}`);
  print(`Rules with one item on the right (confidence >= ${parsed.minConfidence}): ${n(rules.length)}`);
  const top = rules.slice(0, parsed.top ?? 10);
  if (top.length) print(`Top ${top.length} by lift:`);
  for (const rule of top) print(`  ${describeRule(rule)}`);
  return 0;
}
