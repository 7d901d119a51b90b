import { describe, expect, it } from 'vitest';
import type { CampaignTimeline } from './api.ts';
import { conversionsChartData, roundShare } from './conversions-timeline.ts';

const groups = [
  { key: 'A', targeted: 200 },
  { key: 'B', targeted: 100 },
  { key: 'holdout', targeted: 50 },
];
const timeline: CampaignTimeline = {
  days: ['2026-06-01', '2026-06-02', '2026-06-03'],
  groups: [
    { key: 'holdout', converted: [0, 1, 2], revenue: [0, 10_000, 25_000] },
    { key: 'A', converted: [2, 10, 24], revenue: [60_000, 300_000, 720_000] },
    { key: 'B', converted: [0, 3, 5], revenue: [0, 30_000, 50_000] },
  ],
};

describe('conversionsChartData', () => {
  it('gives each group’s cumulative conversion rate per day, of its targeted customers, in the report’s order', () => {
    const data = conversionsChartData(timeline, groups, 'en')!;
    expect(data.keys).toEqual(['A', 'B', 'holdout']);
    expect(data.rows).toEqual([
      { day: '2026-06-01', label: 'Jun 1', A: 0.01, B: 0, holdout: 0 },
      { day: '2026-06-02', label: 'Jun 2', A: 0.05, B: 0.03, holdout: 0.02 },
      { day: '2026-06-03', label: 'Jun 3', A: 0.12, B: 0.05, holdout: 0.04 },
    ]);
    expect(data.days[2]!.groups[0]).toEqual({ key: 'A', converted: 24, targeted: 200, rate: 0.12, revenue: 720_000 });
    expect(data.yMax).toBeCloseTo(0.2);
    expect(data.anyConverted).toBe(true);
  });

  it('writes the days in the UI’s language, on the workspace’s calendar whatever the browser’s zone, with the year when they span two', () => {
    expect(conversionsChartData(timeline, groups, 'ko')!.rows.map((r) => r.label)).toEqual(['6월 1일', '6월 2일', '6월 3일']);
    const turn = conversionsChartData({ days: ['2026-12-31', '2027-01-01'], groups: [{ key: 'A', converted: [0, 1], revenue: [0, 1] }] }, groups, 'en')!;
    expect(turn.rows.map((r) => r.label)).toEqual(['Dec 31, 2026', 'Jan 1, 2027']);
  });

  it('has nothing to draw without a timeline, days or a group with customers; says when no one converted yet', () => {
    expect(conversionsChartData(undefined, groups, 'en')).toBeNull();
    expect(conversionsChartData(null, groups, 'en')).toBeNull();
    expect(conversionsChartData({ days: [], groups: [] }, groups, 'en')).toBeNull();
    expect(conversionsChartData({ days: ['2026-06-01'], groups: [{ key: 'A', converted: [0], revenue: [0] }] }, [{ key: 'A', targeted: 0 }], 'en')).toBeNull();
    // A group the report does not know (or one the timeline lacks) is left out rather than drawn at zero.
    const partial = conversionsChartData({ days: ['2026-06-01'], groups: [{ key: 'A', converted: [0], revenue: [0] }, { key: 'Z', converted: [9], revenue: [0] }] }, groups, 'en')!;
    expect(partial.keys).toEqual(['A']);
    expect(partial.anyConverted).toBe(false);
    expect(partial.yMax).toBe(0.01);
  });
});

describe('roundShare', () => {
  it.each([
    [0, 0.01],
    [0.004, 0.01],
    [0.012, 0.02],
    [0.02, 0.02],
    [0.021, 0.025],
    [0.03, 0.05],
    [0.12, 0.2],
    [0.45, 0.5],
    [0.51, 1],
    [1, 1],
  ])('%s → %s', (share, expected) => {
    expect(roundShare(share)).toBeCloseTo(expected, 10);
  });
});
