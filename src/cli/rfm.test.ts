import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rfmCommand } from './rfm.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-cli-rfm-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function run(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await rfmCommand(args, (l) => lines.push(l));
  return { code, lines };
}

// As of 2026-12-01 (the whole day counts, recency from its end):
//   a: 12-01 100, 11-01 50           recency 0,   F 2, M 150
//   b: 11-30T23:30+09:00 300         recency 1,   F 1, M 300
//   c: 10-01 1,000, 10-15 20, 09-01 30  recency 47, F 3, M 1050
//   d: 06-01 10                      recency 183, F 1, M 10
//   e: 11-25 60 (12-05 after as-of)  recency 6,   F 1, M 60
// Five customers: score = 1 + the number of customers strictly worse.
//   R: d 1, c 2, e 3, b 4, a 5.  F: 1 1 1 2 3 -> b, d, e 1; a 4; c 5.  M: d 1, e 2, a 3, b 4, c 5.
const orders = csv(
  'orders.csv',
  `customer_id,date,amount
a,2026-12-01,100
a,2026-11-01,50
b,2026-11-30T23:30:00+09:00,300
c,2026-10-01,"1,000"
c,2026-10-15,20
c,2026-09-01,30
d,2026-06-01,10
e,2026-11-25,60
e,2026-12-05,999
`,
);

describe('rapport rfm', () => {
  it('prints one JSON line per customer and a summary', async () => {
    const { code, lines } = await run(['--orders', orders, '--as-of', '2026-12-01', '--json']);
    expect(code).toBe(0);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.slice(0, 5)).toEqual([
      { customerId: 'a', recency: 0, frequency: 2, monetary: 150, r: 5, f: 4, m: 3, score: 12, segment: 'Loyal' },
      { customerId: 'b', recency: 1, frequency: 1, monetary: 300, r: 4, f: 1, m: 4, score: 9, segment: 'Potential Loyalist' },
      { customerId: 'c', recency: 47, frequency: 3, monetary: 1050, r: 2, f: 5, m: 5, score: 12, segment: 'At Risk' },
      { customerId: 'd', recency: 183, frequency: 1, monetary: 10, r: 1, f: 1, m: 1, score: 3, segment: 'Lost' },
      { customerId: 'e', recency: 6, frequency: 1, monetary: 60, r: 3, f: 1, m: 2, score: 6, segment: 'About to Sleep' },
    ]);
    expect(rows[5]).toEqual({
      summary: {
        customers: 5,
        orders: 8,
        asOf: '2026-12-01',
        windowDays: null,
        cutPoints: { recency: [47, 6, 1, 0], frequency: [2, 2, 2, 3], monetary: [60, 150, 300, 1050] },
        segments: {
          Champions: 0,
          Loyal: 1,
          'Potential Loyalist': 1,
          New: 0,
          Promising: 0,
          'Need Attention': 0,
          'About to Sleep': 1,
          'At Risk': 1,
          "Can't Lose Them": 0,
          Hibernating: 0,
          Lost: 1,
        },
      },
    });
  });

  it('counts frequency and monetary over --window-days', async () => {
    const { lines } = await run(['--orders', orders, '--as-of', '2026-12-01', '--window-days', '60', '--json']);
    const rows = lines.slice(0, 5).map((l) => JSON.parse(l) as { customerId: string; frequency: number; monetary: number });
    expect(rows.map((r) => [r.customerId, r.frequency, r.monetary])).toEqual([
      ['a', 2, 150],
      ['b', 1, 300],
      ['c', 1, 20],
      ['d', 0, 0],
      ['e', 1, 60],
    ]);
  });

  it('prints a table of segment counts without --json', async () => {
    const { code, lines } = await run(['--orders', orders, '--as-of', '2026-12-01']);
    expect(code).toBe(0);
    expect(lines[0]).toBe('RFM as of 2026-12-01: 5 customers, 8 orders');
    expect(lines.find((l) => l.startsWith('Loyal '))).toMatch(/^Loyal +1 +20\.0%$/);
    expect(lines).toContain('  recency at most 47 / 6 / 1 / 0 days');
  });

  it('reads other column names', async () => {
    const file = csv('mapped.csv', '\ufeff주문일,회원번호,결제금액\n2026-11-30,m1,59000\n2026-11-01,m2,"89,000"\n');
    const { code, lines } = await run(['--orders', file, '--as-of', '2026-12-01', '--id-column', '회원번호', '--date-column', '주문일', '--amount-column', '결제금액', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(lines[1]!)).toMatchObject({ customerId: 'm2', recency: 30, monetary: 89000 });
  });

  it('stops at bad rows, naming the line and column, and exits with 1', async () => {
    const file = csv('bad.csv', 'customer_id,date,amount\na,2026-11-01,10\nb,2026-02-30,10\n,2026-11-01,-5\nc,yesterday,ten\n');
    const { code, lines } = await run(['--orders', file, '--as-of', '2026-12-01', '--json']);
    expect(code).toBe(1);
    expect(lines).toEqual([
      `Error: ${file} has problems, nothing was scored:`,
      '  line 3, column "date": "2026-02-30" is not a date (YYYY-MM-DD or an ISO 8601 date-time)',
      '  line 4, column "customer_id": is empty',
      '  line 4, column "amount": "-5" is not an amount of 0 or more',
      '  line 5, column "date": "yesterday" is not a date (YYYY-MM-DD or an ISO 8601 date-time)',
      '  line 5, column "amount": "ten" is not an amount of 0 or more',
    ]);
  });

  it.each([
    [['--orders', 'x.csv'], /--as-of: must be a date/],
    [['--as-of', '2026-12-01'], /--orders: name the orders CSV/],
    [['--orders', 'x.csv', '--as-of', '2026-12-01', '--window-days', '0'], /--window-days/],
    [['--orders', path.join(dir, 'missing.csv'), '--as-of', '2026-12-01'], /cannot read .*missing\.csv: no such file/],
  ])('refuses %j', async (args, message) => {
    const { code, lines } = await run(args);
    expect(code).toBe(1);
    expect(lines[0]).toMatch(message);
  });

  it('names a missing column', async () => {
    const file = csv('cols.csv', 'id,date,amount\na,2026-11-01,10\n');
    const { code, lines } = await run(['--orders', file, '--as-of', '2026-12-01']);
    expect(code).toBe(1);
    expect(lines[1]).toBe('  line 1: no column "customer_id" in the header (id, date, amount); name it with --id-column');
  });
});
