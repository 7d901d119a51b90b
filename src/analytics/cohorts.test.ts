import { describe, expect, it } from 'vitest';
import { acquisitionCohorts, averageOrderValue, monthOfDate, repeatPurchaseRate, revenueByGrade } from './cohorts.ts';
import { DEFAULT_GRADES } from './grades.ts';

const order = (customerId: string, at: string, amount: number) => ({ customerId, at: new Date(at), amount });

// Hand-computed, in Asia/Seoul (UTC+9), as of 15 March 2026:
//   a: Jan 100, Feb 50, Mar 20          -> January cohort
//   c: Jan 300                          -> January cohort
//   b: 2026-01-31T20:00Z = 1 Feb 05:00 in Seoul, 200 -> February cohort (January in UTC)
//   d: Feb 40 + 60, Mar 10              -> February cohort
//   e: April, after asOf                -> ignored
// January: size 2; active Jan {a, c}, Feb {a}, Mar {a}; revenue 400, 50, 20; per customer 200, 225, 235.
// February: size 2; active Feb {b, d}, Mar {d}; revenue 300, 10; per customer 150, 155.
const orders = [
  order('a', '2026-01-05T03:00:00Z', 100),
  order('b', '2026-01-31T20:00:00Z', 200),
  order('c', '2026-01-20T10:00:00Z', 300),
  order('a', '2026-02-10T10:00:00Z', 50),
  order('d', '2026-02-03T10:00:00Z', 40),
  order('d', '2026-02-20T10:00:00Z', 60),
  order('a', '2026-03-01T10:00:00Z', 20),
  order('d', '2026-03-10T10:00:00Z', 10),
  order('e', '2026-04-01T10:00:00Z', 120),
];
const asOf = new Date('2026-03-15T00:00:00Z');

describe('acquisitionCohorts', () => {
  it('builds monthly cohorts in the time zone asked for', () => {
    expect(acquisitionCohorts(orders, { timeZone: 'Asia/Seoul', asOf })).toEqual([
      { cohort: '2026-01', size: 2, retention: [1, 0.5, 0.5], revenue: [400, 50, 20], cumulativeRevenuePerCustomer: [200, 225, 235] },
      { cohort: '2026-02', size: 2, retention: [1, 0.5], revenue: [300, 10], cumulativeRevenuePerCustomer: [150, 155] },
    ]);
  });

  it('puts an order at 2026-01-31T20:00Z in February in Seoul and January in UTC', () => {
    const seoul = monthOfDate('Asia/Seoul');
    const utc = monthOfDate('UTC');
    const at = new Date('2026-01-31T20:00:00Z');
    expect(seoul(at) - utc(at)).toBe(1);
    expect(acquisitionCohorts(orders, { timeZone: 'UTC', asOf }).map((c) => [c.cohort, c.size])).toEqual([
      ['2026-01', 3],
      ['2026-02', 1],
    ]);
  });

  it('keeps the cohorts of the last `months` months, older orders still deciding who is new', () => {
    expect(acquisitionCohorts(orders, { timeZone: 'Asia/Seoul', asOf, months: 2 }).map((c) => c.cohort)).toEqual(['2026-02']);
    expect(acquisitionCohorts(orders, { timeZone: 'Asia/Seoul', asOf, months: 1 })).toEqual([]);
  });

  it('refuses an unknown time zone', () => {
    expect(() => acquisitionCohorts(orders, { timeZone: 'Mars/Olympus', asOf })).toThrow('timeZone: "Mars/Olympus" is not an IANA time zone');
  });
});

describe('KPIs', () => {
  it('repeat purchase rate: a and d of five customers ordered twice or more', () => {
    expect(repeatPurchaseRate(orders)).toBe(0.4);
    expect(repeatPurchaseRate([])).toBeNull();
  });

  it('average order value: 900 over 9 orders', () => {
    expect(averageOrderValue(orders)).toBe(100);
    expect(averageOrderValue([])).toBeNull();
  });

  it('revenue by grade, in the order of the definition, ungraded last', () => {
    const grades = new Map<string, string | null>([
      ['a', 'VIP'],
      ['b', 'Gold'],
      ['c', 'Gold'],
      ['d', null],
    ]);
    expect(revenueByGrade({ grades, orders, definition: DEFAULT_GRADES })).toEqual([
      { grade: 'VIP', customers: 1, orders: 3, revenue: 170, share: 170 / 900 },
      { grade: 'Gold', customers: 2, orders: 2, revenue: 500, share: 500 / 900 },
      { grade: 'Silver', customers: 0, orders: 0, revenue: 0, share: 0 },
      { grade: 'Bronze', customers: 0, orders: 0, revenue: 0, share: 0 },
      // d (graded null) and e (not in the map)
      { grade: null, customers: 2, orders: 4, revenue: 230, share: 230 / 900 },
    ]);
    expect(revenueByGrade({ grades, orders }).map((r) => r.grade)).toEqual(['Gold', 'VIP', null]);
  });
});
