import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceDataDir } from '../analytics/reference-data.ts';
import { basketCommand } from './basket.ts';

const groceries = path.join(referenceDataDir(), 'baskets', 'groceries.csv');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-cli-basket-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await basketCommand(args, (line) => lines.push(line));
  return { code, lines };
}

describe('rapport basket', () => {
  it('prints the itemset counts by size, the rule count and the top rules of Groceries', async () => {
    const { code, lines } = await run(['--baskets', groceries, '--min-support', '0.001', '--min-confidence', '0.8', '--top', '1']);
    expect(code).toBe(0);
    expect(lines).toEqual([
      `${groceries}: 9,835 baskets, 169 items`,
      'Frequent itemsets (support >= 0.001, in >= 10 baskets): 13,492',
      '  size 1: 157',
      '  size 2: 2,981',
      '  size 3: 6,831',
      '  size 4: 3,137',
      '  size 5: 376',
      '  size 6: 10',
      'Rules with one item on the right (confidence >= 0.8): 410',
      'Top 1 by lift:',
      '  {liquor, red/blush wine} => {bottled beer}  support 0.0019  confidence 0.905  lift 11.235  (19 baskets)',
    ]);
  });

  it('prints one well-formed JSON object, with every rule unless --top says otherwise', async () => {
    const { code, lines } = await run(['--baskets', groceries, '--sep', ',', '--min-support', '0.001', '--min-confidence', '0.5', '--json']);
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as { baskets: number; items: number; itemsets: { total: number; bySize: Record<string, number> }; rules: { count: number; top: { antecedent: string[]; consequent: string; lift: number }[] } };
    expect(out).toMatchObject({ baskets: 9835, items: 169, itemsets: { total: 13492, bySize: { 1: 157, 2: 2981, 3: 6831, 4: 3137, 5: 376, 6: 10 } }, rules: { count: 5668 } });
    expect(out.rules.top).toHaveLength(5668);
    expect(out.rules.top[0]).toMatchObject({ antecedent: ['Instant food products', 'soda'], consequent: 'hamburger meat' });
    expect(out.rules.top[0]!.lift).toBeCloseTo(18.996, 3);
  });

  it('reads whitespace-separated files and honours --max-length and --top', async () => {
    const file = path.join(dir, 'small.dat');
    fs.writeFileSync(file, '1 2 3\n1 2\n\n2 3 \n1 2 3\n');
    const { code, lines } = await run(['--baskets', file, '--min-support', '0.5', '--min-confidence', '0.9', '--max-length', '2', '--top', '0', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(lines[0]!)).toEqual({ baskets: 4, items: 3, itemsets: { total: 6, bySize: { 1: 3, 2: 3 } }, rules: { count: 2, top: [] } });
  });

  it.each([
    [['--min-support', '0.1', '--min-confidence', '0.5'], /--baskets: name the basket file/],
    [['--baskets', 'x.csv', '--min-confidence', '0.5'], /--min-support: required/],
    [['--baskets', 'x.csv', '--min-support', '0', '--min-confidence', '0.5'], /--min-support: must be a fraction/],
    [['--baskets', 'x.csv', '--min-support', 'abc', '--min-confidence', '0.5'], /--min-support: must be a fraction in \(0, 1\], not "abc"/],
    [['--baskets', 'x.csv', '--min-support', '0.1'], /--min-confidence: required/],
    [['--baskets', 'x.csv', '--min-support', '0.1', '--min-confidence', '1.5'], /--min-confidence: must be in/],
    [['--baskets', 'x.csv', '--min-support', '0.1', '--min-confidence', '0.5', '--max-length', '0'], /--max-length/],
    [['--baskets', 'x.csv', '--min-support', '0.1', '--min-confidence', '0.5', '--top', '-1'], /--top/],
    [['--baskets', 'x.csv', '--min-support', '0.1', '--min-confidence', '0.5', '--sep', ''], /--sep/],
    [['--baskets', 'x.csv', '--min-support', '0.1', '--min-confidence', '0.5', '--minsupport', '1'], /Unknown option '--minsupport'/],
  ])('refuses %j, naming the flag, with exit code 1', async (args, message) => {
    const { code, lines } = await run(args);
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(message);
  });

  it('names a file it cannot read, or one without baskets', async () => {
    const missing = path.join(dir, 'missing.csv');
    expect(await run(['--baskets', missing, '--min-support', '0.1', '--min-confidence', '0.5'])).toEqual({ code: 1, lines: [`Error: cannot read ${missing}: no such file`] });
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, '\n\n');
    const { code, lines } = await run(['--baskets', empty, '--min-support', '0.1', '--min-confidence', '0.5']);
    expect(code).toBe(1);
    expect(lines[0]).toContain(`${empty} holds no baskets`);
    expect((await run(['--baskets', dir, '--min-support', '0.1', '--min-confidence', '0.5'])).lines[0]).toBe(`Error: cannot read ${dir}: is a directory`);
  });
});
