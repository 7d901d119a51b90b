import { describe, expect, it } from 'vitest';
import { compressRows, summarizeTransactions } from './clv-summary.ts';
import { cdnowPublishedFrequencySummary, cdnowPublishedSummary, cdnowRebuiltSummary } from './cdnow-reference.ts';

const day = (s: string) => new Date(`${s}T00:00:00Z`);

describe('summarizeTransactions', () => {
  it('merges same-day purchases, measures tx and T from the first purchase and averages repeat spend', () => {
    const { customers, holdoutDuration } = summarizeTransactions({
      transactions: [
        { customerId: 'a', at: day('2024-01-01'), amount: 10 },
        { customerId: 'a', at: day('2024-01-08'), amount: 5 },
        { customerId: 'a', at: day('2024-01-08'), amount: 7 },
        { customerId: 'a', at: day('2024-01-15'), amount: 8 },
        { customerId: 'a', at: day('2024-01-20'), amount: 3 },
        { customerId: 'a', at: day('2024-02-20'), amount: 99 },
        { customerId: 'b', at: day('2024-01-14'), amount: 4 },
        { customerId: 'c', at: day('2024-01-16'), amount: 4 },
      ],
      calibrationEnd: day('2024-01-15'),
      holdoutEnd: day('2024-01-29'),
      timeUnitDays: 7,
    });
    expect(customers).toEqual([
      { customerId: 'a', x: 2, tx: 2, T: 2, zbar: 10, holdoutX: 1, holdoutSpend: 3 },
      { customerId: 'b', x: 0, tx: 0, T: 1 / 7, zbar: 0, holdoutX: 0, holdoutSpend: 0 },
    ]);
    expect(holdoutDuration).toBe(2);
  });

  it('rebuilds the published CDNOW summaries row for row from CDNOW_sample.txt', () => {
    const rebuilt = new Map(cdnowRebuiltSummary().customers.map((c) => [c.customerId, c]));
    const published = cdnowPublishedSummary();
    const frequency = cdnowPublishedFrequencySummary();
    expect(rebuilt.size).toBe(2357);
    expect(published).toHaveLength(2357);
    expect(frequency).toHaveLength(2357);
    const mismatches: string[] = [];
    const near = (a: number, b: number) => Math.abs(a - b) <= 0.005 + 1e-9;
    for (const p of published) {
      const r = rebuilt.get(p.customerId);
      if (!r || r.x !== p.x || !near(r.tx, p.tx) || !near(r.T, p.T) || !near(r.zbar, p.zbar)) mismatches.push(`${p.customerId}: ${JSON.stringify(r)} vs ${JSON.stringify(p)}`);
    }
    for (const p of frequency) {
      const r = rebuilt.get(p.customerId);
      if (!r || r.x !== p.x || !near(r.tx, p.tx) || !near(r.T, p.T)) mismatches.push(`${p.customerId}: ${JSON.stringify(r)} vs ${JSON.stringify(p)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('counts the CDNOW holdout purchases (1997-10-01 to 1998-06-30, 39 weeks)', () => {
    const { customers, holdoutDuration } = cdnowRebuiltSummary(true);
    expect(holdoutDuration).toBeCloseTo(39, 10);
    const total = customers.reduce((s, c) => s + c.holdoutX!, 0);
    expect(total).toBeGreaterThan(1000);
  });
});

describe('compressRows', () => {
  it('sums the weights of identical (x, tx, T) rows', () => {
    expect(compressRows([{ x: 0, tx: 0, T: 3 }, { x: 0, tx: 0, T: 3, weight: 2 }, { x: 1, tx: 1, T: 3 }])).toEqual([
      { x: 0, tx: 0, T: 3, weight: 3 },
      { x: 1, tx: 1, T: 3, weight: 1 },
    ]);
  });
  it('reduces CDNOW to fewer distinct rows', () => {
    const rows = compressRows(cdnowPublishedSummary());
    expect(rows.length).toBeLessThan(2357);
    expect(rows.reduce((s, r) => s + r.weight, 0)).toBe(2357);
  });
});
