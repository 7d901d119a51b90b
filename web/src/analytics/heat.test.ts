import { describe, expect, it } from 'vitest';
import { cohortTable, heatStyle, monthOf, monthsBetween, rfmGrid } from './heat.ts';

describe('heatStyle', () => {
  it('has no colour for nothing', () => {
    for (const v of [0, null, undefined, -1, Number.NaN]) expect(heatStyle(v, 10).background).toBe('transparent');
    expect(heatStyle(5, 0).background).toBe('transparent');
  });

  it('ramps opacity with the value and turns the text white on dark cells', () => {
    const low = heatStyle(1, 10);
    const high = heatStyle(10, 10);
    expect(low.background).toBe('rgba(34, 139, 230, 0.144)');
    expect(low.color).toBeUndefined();
    expect(high.background).toBe('rgba(34, 139, 230, 0.900)');
    expect(high.color).toBe('white');
    expect(heatStyle(20, 10).intensity).toBe(1);
  });
});

describe('rfmGrid', () => {
  it('fills the 5 × 5 grid, R 5 on top, F 1 to 5 across, empty cells zero', () => {
    const { rows, maxCustomers } = rfmGrid([
      { r: 5, f: 1, customers: 3, revenue: 300 },
      { r: 1, f: 5, customers: 7, revenue: 900 },
      { r: 3, f: 3, customers: 1, revenue: 10 },
    ]);
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row[0]!.r)).toEqual([5, 4, 3, 2, 1]);
    expect(rows[0]!.map((c) => c.f)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]![0]).toEqual({ r: 5, f: 1, customers: 3, revenue: 300 });
    expect(rows[4]![4]).toEqual({ r: 1, f: 5, customers: 7, revenue: 900 });
    expect(rows[2]![2]!.customers).toBe(1);
    expect(rows[1]![1]).toEqual({ r: 4, f: 2, customers: 0, revenue: 0 });
    expect(maxCustomers).toBe(7);
  });

  it('has a max of zero when nobody is scored', () => {
    expect(rfmGrid([]).maxCustomers).toBe(0);
  });
});

describe('cohorts', () => {
  it('counts months between YYYY-MM', () => {
    expect(monthsBetween('2025-11', '2026-02')).toBe(3);
    expect(monthsBetween('2026-02', '2026-02')).toBe(0);
    expect(monthsBetween('bad', '2026-02')).toBeNaN();
  });

  it('cuts months in the workspace time zone', () => {
    expect(monthOf('2026-01-31T16:00:00Z', 'Asia/Seoul')).toBe('2026-02');
    expect(monthOf('2026-01-31T16:00:00Z', 'UTC')).toBe('2026-01');
  });

  const cohorts = [
    { cohort: '2026-01', size: 4, retention: [1, 0.5], revenue: [400, 100] },
    { cohort: '2026-02', size: 2, retention: [1, 0, 0.5], revenue: [200, 0, 50] },
    { cohort: '2026-04', size: 1, retention: [1], revenue: [70] },
  ];

  it('fills passed months with zero and leaves months to come blank', () => {
    const table = cohortTable(cohorts, 'retention', '2026-04');
    expect(table.months).toEqual([0, 1, 2, 3]);
    expect(table.rows.map((r) => r.cells)).toEqual([
      [1, 0.5, 0, 0],
      [1, 0, 0.5, null],
      [1, null, null, null],
    ]);
    // Month 0 is always 100 %: the scale is the best later month.
    expect(table.max).toBe(0.5);
  });

  it('shows revenue on a scale of all months', () => {
    const table = cohortTable(cohorts, 'revenue', '2026-04');
    expect(table.rows[0]!.cells).toEqual([400, 100, 0, 0]);
    expect(table.max).toBe(400);
  });

  it('without the month of the run, shows what the server sent', () => {
    const table = cohortTable(cohorts, 'retention', null);
    expect(table.months).toEqual([0, 1, 2]);
    expect(table.rows[0]!.cells).toEqual([1, 0.5, null]);
  });

  it('has a usable scale when only first months exist', () => {
    expect(cohortTable([{ cohort: '2026-04', size: 1, retention: [1], revenue: [5] }], 'retention', '2026-04').max).toBe(1);
    expect(cohortTable([], 'retention', '2026-04')).toEqual({ months: [], rows: [], max: 0 });
  });
});
