import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../demo-data/random.ts';
import { applyRfmCutPoints, rfmCutPoints, RFM_SEGMENT_RULES, RFM_SEGMENTS, rfmSegment, rfmValues, scoredRows, scoreRfm, type RfmAggregate, type RfmSegment } from './rfm.ts';

const score = (rows: RfmAggregate[], asOf: Date) => {
  const table = scoreRfm(rows, { asOf });
  return { table, customers: scoredRows(table), cutPoints: table.cutPoints };
};

const asOf = new Date('2026-12-01T00:00:00Z');
const daysAgo = (d: number, hours = 0) => new Date(asOf.getTime() - d * 86_400_000 - hours * 3_600_000);

describe('rfmValues', () => {
  const orders = [
    { customerId: 'a', at: daysAgo(10), amount: 100 },
    { customerId: 'a', at: daysAgo(2, 5), amount: 300 },
    { customerId: 'b', at: daysAgo(400), amount: 50 },
    { customerId: 'a', at: daysAgo(200), amount: 1000 },
    { customerId: 'c', at: new Date('2026-12-02T00:00:00Z'), amount: 70 }, // after asOf: ignored
    { customerId: 'a', at: daysAgo(0, 3), amount: 0 },
  ];

  it('sums every order up to asOf without a window', () => {
    expect(rfmValues(orders, { asOf })).toEqual([
      { customerId: 'a', lastOrderAt: daysAgo(0, 3), orderCount: 4, totalSpend: 1400, recency: 0, frequency: 4, monetary: 1400, meanMonetary: 350 },
      { customerId: 'b', lastOrderAt: daysAgo(400), orderCount: 1, totalSpend: 50, recency: 400, frequency: 1, monetary: 50, meanMonetary: 50 },
    ]);
  });

  it('counts frequency and monetary in the window only, keeping recency from the last order', () => {
    const rows = rfmValues(orders, { asOf, windowDays: 30 });
    expect(rows.map(({ customerId, recency, frequency, monetary, meanMonetary }) => ({ customerId, recency, frequency, monetary, meanMonetary }))).toEqual([
      { customerId: 'a', recency: 0, frequency: 3, monetary: 400, meanMonetary: 400 / 3 },
      { customerId: 'b', recency: 400, frequency: 0, monetary: 0, meanMonetary: 0 },
    ]);
  });

  it('names the bad order or option', () => {
    expect(() => rfmValues([{ customerId: 'a', at: daysAgo(1), amount: Number.NaN }], { asOf })).toThrow('orders[0].amount: must be a finite number');
    expect(() => rfmValues([], { asOf, windowDays: 0 })).toThrow('windowDays: must be a positive number of days');
    expect(() => rfmValues([], { asOf: new Date('') })).toThrow('asOf: must be a valid date');
  });
});

// Ten customers with hand-computed quintiles. n = 10, so score s ≥ 2 needs at least
// ceil((s − 1) × 10 / 5) = 2, 4, 6, 8 values strictly below.
//   recency (days) sorted worst first: 300 200 90 90 60 30 30 30 7 1
//     -> below counts 0 1 2 2 4 5 5 5 8 9 -> R 1 1 2 2 3 3 3 3 5 5; cuts (max days) 90, 60, 7, 7
//   frequency sorted: 1 1 1 1 2 2 3 5 8 13 -> below 0 0 0 0 4 4 6 7 8 9 -> F 1 1 1 1 3 3 4 4 5 5
//     cuts 2, 2, 3, 8 (nobody scores 2)
//   monetary sorted: 10 20 30 40 50 60 70 80 90 100 -> M 1 1 2 2 3 3 4 4 5 5; cuts 30, 50, 70, 90
const fixture: (RfmAggregate & { expect: [number, number, number] })[] = [
  { customerId: 'c1', lastOrderAt: daysAgo(300), orderCount: 1, totalSpend: 10, expect: [1, 1, 1] },
  { customerId: 'c2', lastOrderAt: daysAgo(200), orderCount: 1, totalSpend: 20, expect: [1, 1, 1] },
  { customerId: 'c3', lastOrderAt: daysAgo(90), orderCount: 1, totalSpend: 30, expect: [2, 1, 2] },
  { customerId: 'c4', lastOrderAt: daysAgo(90, 6), orderCount: 1, totalSpend: 40, expect: [2, 1, 2] },
  { customerId: 'c5', lastOrderAt: daysAgo(60), orderCount: 2, totalSpend: 50, expect: [3, 3, 3] },
  { customerId: 'c6', lastOrderAt: daysAgo(30), orderCount: 2, totalSpend: 60, expect: [3, 3, 3] },
  { customerId: 'c7', lastOrderAt: daysAgo(30), orderCount: 3, totalSpend: 70, expect: [3, 4, 4] },
  { customerId: 'c8', lastOrderAt: daysAgo(30, 23), orderCount: 5, totalSpend: 80, expect: [3, 4, 4] },
  { customerId: 'c9', lastOrderAt: daysAgo(7), orderCount: 8, totalSpend: 90, expect: [5, 5, 5] },
  { customerId: 'c10', lastOrderAt: daysAgo(1), orderCount: 13, totalSpend: 100, expect: [5, 5, 5] },
];

// The rule written the slow way: 1 + floor(5 × (values strictly below) / n), and the cut points
// read off a sorted copy.
const below = (v: number, all: number[]) => all.filter((x) => x < v).length;
const rule = (all: number[]) => all.map((v) => 1 + Math.floor((5 * below(v, all)) / all.length));
function sortedCuts(all: number[]): (number | null)[] {
  const sorted = [...all].sort((a, b) => a - b);
  return [1, 2, 3, 4].map((q) => {
    let j = Math.ceil((q * sorted.length) / 5);
    while (j > 0 && j < sorted.length && sorted[j] === sorted[j - 1]) j++;
    return j < sorted.length ? sorted[j]! : null;
  });
}

describe('scoreRfm', () => {
  it('scores a hand-computed fixture and returns the cut points used', () => {
    const { customers, cutPoints } = score(fixture, asOf);
    expect(customers.map((c) => [c.r, c.f, c.m])).toEqual(fixture.map((c) => c.expect));
    expect(customers[6]).toEqual({ customerId: 'c7', recency: 30, frequency: 3, monetary: 70, r: 3, f: 4, m: 4, score: 11 });
    expect(cutPoints).toEqual({ recency: [90, 60, 7, 7], frequency: [2, 2, 3, 8], monetary: [30, 50, 70, 90] });
  });

  it('gives equal values the same score, the lowest their rank allows', () => {
    const rows = [5, 5, 5, 5, 5, 5, 9, 9, 9, 9].map((v, i) => ({ customerId: `t${i}`, lastOrderAt: daysAgo(1), orderCount: v, totalSpend: v }));
    const { customers, cutPoints } = score(rows, asOf);
    expect(customers.map((c) => c.f)).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 4, 4]);
    expect(cutPoints.frequency).toEqual([9, 9, 9, null]);
    // Everyone tied: everyone scores 1 and no higher score has a cut point.
    expect(customers.map((c) => c.r)).toEqual(Array(10).fill(1));
    expect(cutPoints.recency).toEqual([null, null, null, null]);
  });

  it('does not depend on the input order', () => {
    const rnd = createRandom(7);
    const rows: RfmAggregate[] = Array.from({ length: 500 }, (_, i) => ({
      customerId: `x${i}`,
      lastOrderAt: daysAgo(rnd.int(0, 60)),
      orderCount: rnd.int(1, 6),
      totalSpend: rnd.int(1, 40) * 1000,
    }));
    const shuffled = [...rows];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rnd.int(0, i);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const a = score(rows, asOf);
    const b = score(shuffled, asOf);
    const byId = new Map(b.customers.map((c) => [c.customerId, c]));
    expect(a.customers.map((c) => byId.get(c.customerId))).toEqual(a.customers);
    expect(b.cutPoints).toEqual(a.cutPoints);
    expect([...a.table.r].every((r) => r >= 1 && r <= 5)).toBe(true);
    // Every score agrees with the rank rule: 1 + floor(5 × (values strictly below) / n).
    const fs = rows.map((r) => r.orderCount);
    expect(a.customers.map((c) => c.f)).toEqual(fs.map((v) => 1 + Math.floor((5 * below(v, fs)) / fs.length)));
  });

  it('agrees with the rank rule and a sort-based cut point on random data with heavy ties', () => {
    const row = fc.record({ days: fc.integer({ min: 0, max: 9 }), orders: fc.integer({ min: 0, max: 4 }), spend: fc.integer({ min: 0, max: 30 }) });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 80 }), (drawn) => {
        const rows = drawn.map((d, i) => ({ customerId: `p${i}`, lastOrderAt: daysAgo(d.days), orderCount: d.orders, totalSpend: d.spend }));
        const { customers, cutPoints } = score(rows, asOf);
        const days = drawn.map((d) => d.days);
        expect(customers.map((c) => c.r)).toEqual(rule(days.map((d) => -d)));
        expect(customers.map((c) => c.f)).toEqual(rule(drawn.map((d) => d.orders)));
        expect(customers.map((c) => c.m)).toEqual(rule(drawn.map((d) => d.spend)));
        expect(cutPoints.recency).toEqual(sortedCuts(days.map((d) => -d)).map((c) => (c === null ? null : -c || 0)));
        expect(cutPoints.frequency).toEqual(sortedCuts(drawn.map((d) => d.orders)));
        expect(cutPoints.monetary).toEqual(sortedCuts(drawn.map((d) => d.spend)));
      }),
      { numRuns: 300, seed: 20261203 },
    );
  });

  it.each<[string, (i: number) => number]>([
    ['ascending', (i) => i],
    ['descending', (i) => -i],
    ['all equal', () => 7],
    ['organ pipe', (i) => Math.min(i, 30_000 - i)],
    ['two values', (i) => i % 2],
    ['sawtooth', (i) => i % 1000],
  ])('finds the cut points of 30,000 %s spends', (_, spend) => {
    const spends = Array.from({ length: 30_000 }, (_, i) => spend(i));
    const rows = spends.map((totalSpend, i) => ({ customerId: `s${i}`, lastOrderAt: daysAgo(1), orderCount: 1, totalSpend }));
    expect(scoreRfm(rows, { asOf }).cutPoints.monetary).toEqual(sortedCuts(spends));
  });

  it('applyRfmCutPoints agrees with scoreRfm on the rows it scored, and scores newcomers', () => {
    const { customers, cutPoints } = score(fixture, asOf);
    for (const [i, row] of fixture.entries()) {
      const { r, f, m } = customers[i]!;
      expect(applyRfmCutPoints(row, { asOf, cutPoints })).toEqual({ r, f, m });
    }
    expect(applyRfmCutPoints({ customerId: 'n', lastOrderAt: daysAgo(0), orderCount: 1, totalSpend: 1000 }, { asOf, cutPoints })).toEqual({ r: 5, f: 1, m: 5 });
    expect(applyRfmCutPoints({ customerId: 'n', lastOrderAt: daysAgo(61), orderCount: 2, totalSpend: 49 }, { asOf, cutPoints })).toEqual({ r: 2, f: 3, m: 2 });
  });

  it('handles no rows and one row', () => {
    expect(score([], asOf)).toMatchObject({ customers: [], cutPoints: { recency: [null, null, null, null], frequency: [null, null, null, null], monetary: [null, null, null, null] } });
    expect(score([fixture[0]!], asOf).customers[0]).toMatchObject({ r: 1, f: 1, m: 1, score: 3 });
  });

  it('names the bad row', () => {
    expect(() => score([{ customerId: 'a', lastOrderAt: new Date('nope'), orderCount: 1, totalSpend: 1 }], asOf)).toThrow('rows[0].lastOrderAt: must be a valid date');
  });
});

describe('rfmSegment', () => {
  const cells: { r: number; f: number; m: number }[] = [];
  for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) cells.push({ r, f, m });

  it('maps each of the 125 cells to exactly one rule, and uses every segment', () => {
    for (const c of cells) {
      const fm = (c.f + c.m) / 2;
      const matching = RFM_SEGMENT_RULES.filter((rule) => c.r >= rule.r[0] && c.r <= rule.r[1] && fm >= rule.fm[0] && fm <= rule.fm[1]);
      expect(matching, JSON.stringify(c)).toHaveLength(1);
    }
    expect(new Set(cells.map(rfmSegment))).toEqual(new Set(RFM_SEGMENTS));
  });

  it.each<[number, number, number, RfmSegment]>([
    [5, 5, 5, 'Champions'],
    [4, 4, 5, 'Champions'],
    [4, 3, 5, 'Champions'],
    [5, 3, 3, 'Loyal'],
    [4, 4, 3, 'Loyal'],
    [3, 5, 5, 'Loyal'],
    [3, 3, 3, 'Loyal'],
    [5, 2, 2, 'Potential Loyalist'],
    [4, 1, 4, 'Potential Loyalist'],
    [5, 1, 1, 'New'],
    [5, 1, 2, 'New'],
    [4, 1, 1, 'Promising'],
    [4, 2, 1, 'Promising'],
    [3, 2, 2, 'Need Attention'],
    [3, 3, 2, 'Need Attention'],
    [3, 1, 1, 'About to Sleep'],
    [3, 1, 2, 'About to Sleep'],
    [2, 5, 5, 'At Risk'],
    [2, 3, 3, 'At Risk'],
    [1, 3, 4, 'At Risk'],
    [1, 5, 5, "Can't Lose Them"],
    [1, 4, 4, "Can't Lose Them"],
    [2, 2, 2, 'Hibernating'],
    [2, 1, 1, 'Hibernating'],
    [1, 2, 3, 'Lost'],
    [1, 1, 1, 'Lost'],
  ])('r=%i f=%i m=%i is %s', (r, f, m, segment) => {
    expect(rfmSegment({ r, f, m })).toBe(segment);
  });

  it.each([
    [0, 1, 1],
    [6, 1, 1],
    [3, 0, 1],
  ])('refuses scores outside 1–5 (%i, %i, %i)', (r, f, m) => {
    expect(() => rfmSegment({ r, f, m })).toThrow(/whole numbers from 1 to 5/);
  });
});

describe('rfmCutPoints', () => {
  it('finds the cut points scoreRfm uses, from bare columns', () => {
    const asOf = new Date('2026-06-30T00:00:00Z');
    let seed = 11;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const rows = Array.from({ length: 997 }, (_, i) => ({
      customerId: `c${i}`,
      lastOrderAt: new Date(asOf.getTime() - Math.floor(rand() * 400) * 86_400_000),
      orderCount: 1 + Math.floor(rand() * rand() * 12),
      totalSpend: Math.floor(rand() * 50) * 10_000,
    }));
    const table = scoreRfm(rows, { asOf });
    const cuts = rfmCutPoints({
      recencyDays: Float64Array.from(rows, (r) => Math.floor((asOf.getTime() - r.lastOrderAt.getTime()) / 86_400_000)),
      frequency: Float64Array.from(rows, (r) => r.orderCount),
      monetary: Float64Array.from(rows, (r) => r.totalSpend),
    });
    expect(cuts).toEqual(table.cutPoints);
  });
});
