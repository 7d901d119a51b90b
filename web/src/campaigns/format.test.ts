import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { en } from '../i18n/en.ts';
import { ko } from '../i18n/ko.ts';
import type { Comparison, GroupFigures } from './api.ts';
import { formatPoints, funnelRows, groupLabel, groupTemplateName, intervalChart, keyFigures, recipientStatusText, suppressionReason, winnerDueAt, winnerPlanText } from './format.ts';
import { planOf } from './wizard-state.ts';

const i18n = i18next.createInstance();
beforeAll(async () => {
  await i18n.init({ resources: { en: { translation: en }, ko: { translation: ko } }, lng: 'en', fallbackLng: 'en', interpolation: { escapeValue: false } });
});

function group(key: string, figures: Partial<GroupFigures>): GroupFigures {
  return {
    key, name: key, share: 0, targeted: 0, waiting: 0, suppressed: 0, suppressedBy: {}, sent: 0, delivered: 0, opened: 0, clicked: 0, unsubscribed: 0, bounced: 0, failed: 0,
    converted: 0, conversionRate: null, revenue: 0, revenuePerRecipient: null, attributedOrders: 0, attributedRevenue: 0, cost: 0, ...figures,
  };
}

function comparison(variant: string, against: string, diff: number | null, low: number | null, high: number | null, verdict: Comparison['conversionWords']['verdict']): Comparison {
  const conversion = { level: 0.95, treatedN: 100, controlN: 100, treatedRate: 0, controlRate: 0, diff, low, high, significant: verdict === 'better' || verdict === 'worse', pValue: null };
  const words = { verdict, en: '', ko: '' };
  return { variant, against, conversion, revenuePerRecipient: { ...conversion, treatedMean: 0, controlMean: 0, df: null }, conversionWords: words, revenueWords: words } as Comparison;
}

const groups = [group('A', { targeted: 45, sent: 40, delivered: 39, opened: 20, clicked: 5, converted: 9 }), group('B', { targeted: 45, sent: 41, converted: 3 }), group('holdout', { targeted: 10, converted: 1 })];

describe('keyFigures', () => {
  it('counts what the variants sent and the share of their recipients who converted (the holdout apart)', () => {
    expect(keyFigures({ groups })).toEqual({ sent: 81, conversionRate: 12 / 90 });
    expect(keyFigures({ groups: [group('holdout', { targeted: 3 })] })).toEqual({ sent: 0, conversionRate: null });
  });
});

describe('funnelRows', () => {
  it('has a row per stage, from targeted to converted, with a column per group', () => {
    const rows = funnelRows(groups, (s) => s.toUpperCase());
    expect(rows.map((r) => r.stage)).toEqual(['TARGETED', 'SENT', 'DELIVERED', 'OPENED', 'CLICKED', 'CONVERTED']);
    expect(rows[0]).toEqual({ stage: 'TARGETED', A: 45, B: 45, holdout: 10 });
    expect(rows[5]).toEqual({ stage: 'CONVERTED', A: 9, B: 3, holdout: 1 });
  });
});

describe('intervalChart', () => {
  it('puts every interval and zero on one axis, and leaves out comparisons the server cannot judge yet', () => {
    const chart = intervalChart([comparison('A', 'holdout', 0.1, 0.02, 0.18, 'better'), comparison('B', 'holdout', -0.05, -0.2, 0.1, 'unclear'), comparison('C', 'holdout', null, null, null, 'not_enough_data'), comparison('D', 'holdout', 0.1, -0.5, 0.6, 'not_enough_data')], 400);
    expect(chart.rows.map((r) => r.variant)).toEqual(['A', 'B']);
    expect(chart.min).toBeLessThan(-0.2);
    expect(chart.max).toBeGreaterThan(0.18);
    const [a, b] = chart.rows;
    for (const r of chart.rows) {
      expect(r.x0).toBeGreaterThanOrEqual(0);
      expect(r.x1).toBeLessThanOrEqual(400);
      expect(r.x0).toBeLessThanOrEqual(r.x);
      expect(r.x).toBeLessThanOrEqual(r.x1);
    }
    expect(a!.x0).toBeGreaterThan(chart.zeroX);
    expect(b!.x0).toBeLessThan(chart.zeroX);
    expect(b!.x1).toBeGreaterThan(chart.zeroX);
  });

  it('keeps zero on the axis when every interval is on one side, and has an axis when all is zero', () => {
    const chart = intervalChart([comparison('A', 'holdout', 0.3, 0.2, 0.4, 'better')], 100);
    expect(chart.zeroX).toBeGreaterThanOrEqual(0);
    expect(chart.zeroX).toBeLessThan(chart.rows[0]!.x0);
    const flat = intervalChart([comparison('A', 'holdout', 0, 0, 0, 'unclear')], 100);
    expect(flat.rows[0]!.x).toBeCloseTo(50);
  });
});

describe('words', () => {
  it.each([
    ['en', 'campaign_cancelled', 'The campaign was cancelled'],
    ['en', 'cancelled', 'The campaign was cancelled'],
    ['ko', 'campaign_paused', '대기 중: 캠페인이 일시 중지됨'],
    ['ko', 'no_consent', '수신 동의 없음'],
    ['en', 'frequency_cap:day', 'Already reached the message limit (day)'],
    ['en', 'something_new', 'Reason: something_new'],
  ])('%s: %s reads "%s"', async (language, reason, expected) => {
    await i18n.changeLanguage(language);
    expect(suppressionReason(i18n.t, reason, language)).toBe(expected);
  });

  it('names the groups and the statuses of recipients', async () => {
    await i18n.changeLanguage('ko');
    expect(groupLabel(i18n.t, 'B')).toBe('변형 B');
    expect(groupLabel(i18n.t, 'holdout')).toBe('홀드아웃');
    expect(recipientStatusText(i18n.t, { status: 'holdout', reason: null }, 'ko')).toEqual({ status: '홀드아웃 (발송 안 함)', reason: null });
    await i18n.changeLanguage('en');
    expect(recipientStatusText(i18n.t, { status: 'suppressed', reason: 'no_consent' }, 'en')).toEqual({ status: 'Not sent', reason: 'No consent to receive this' });
    expect(recipientStatusText(i18n.t, { status: 'deferred', reason: 'campaign_paused' }, 'en')).toEqual({ status: 'Waiting', reason: 'Waiting: the campaign is paused' });
  });

  it('names the rest of a winner test: before the pick, and as the winner once picked', async () => {
    await i18n.changeLanguage('en');
    expect(groupLabel(i18n.t, 'winner')).toBe('Rest — gets the winner');
    expect(groupLabel(i18n.t, 'winner', null)).toBe('Rest — gets the winner');
    expect(groupLabel(i18n.t, 'winner', 'B')).toBe('Winner (B)');
    expect(groupLabel(i18n.t, 'B', 'B')).toBe('Variant B');
    await i18n.changeLanguage('ko');
    expect(groupLabel(i18n.t, 'winner')).toBe('나머지 — 승자를 받음');
    expect(groupLabel(i18n.t, 'winner', 'B')).toBe('승자 (B)');
  });

  it('shows the winner’s template under the rest, never the server’s "winner" name, and nothing under the holdout', () => {
    const named = [group('A', { name: 'Win-back A' }), group('B', { name: 'Win-back B' }), group('winner', { name: 'winner' }), group('holdout', { name: 'holdout' })];
    expect(groupTemplateName(named, 'A', null)).toBe('Win-back A');
    expect(groupTemplateName(named, 'winner', null)).toBeNull();
    expect(groupTemplateName(named, 'winner', 'B')).toBe('Win-back B');
    expect(groupTemplateName(named, 'holdout', 'B')).toBeNull();
  });

  it.each([
    ['en', 10, 20, 4, 'conversion', 'A and B go to 18% of the audience first (20% of those outside the holdout); after 4 hours, the one with the higher conversion rate goes to the other 72%.'],
    ['en', 0, 50, 1, 'click', 'A and B go to 50% of the audience first (50% of those outside the holdout); after 1 hour, the one with the higher click rate goes to the other 50%.'],
    ['en', 15, 25, 24, 'conversion', 'A and B go to 21.3% of the audience first (25% of those outside the holdout); after 24 hours, the one with the higher conversion rate goes to the other 63.8%.'],
    ['ko', 10, 20, 4, 'click', '먼저 대상의 18%(홀드아웃을 뺀 대상의 20%)에게 A 및 B 변형을 보내고, 4시간 뒤 클릭률이 더 높은 변형을 나머지 72%에게 보냅니다.'],
  ] as const)('says the plan in %s: holdout %i, test share %i, wait %i, by %s', async (language, holdout, testShare, afterHours, by, expected) => {
    await i18n.changeLanguage(language);
    expect(winnerPlanText(i18n.t, planOf(['A', 'B'], holdout, { testShare, afterHours, by }), language)).toBe(expected);
  });

  it('lists three variants as a list in words', async () => {
    await i18n.changeLanguage('en');
    expect(winnerPlanText(i18n.t, planOf(['A', 'B', 'C'], 10, { testShare: 20, afterHours: 4, by: 'conversion' }), 'en')).toMatch(/^A, B, and C go to 18%/);
  });

  it('is due to pick the winner the hours to wait after the start, and has no time before the start', () => {
    expect(winnerDueAt({ startedAt: '2026-03-01T09:30:00.000Z', winner: { testShare: 20, afterHours: 4, by: 'conversion' } })).toBe('2026-03-01T13:30:00.000Z');
    expect(winnerDueAt({ startedAt: '2026-03-01T09:30:00.000Z', winner: { testShare: 20, afterHours: 168, by: 'click' } })).toBe('2026-03-08T09:30:00.000Z');
    expect(winnerDueAt({ startedAt: null, winner: { testShare: 20, afterHours: 4, by: 'conversion' } })).toBeNull();
    expect(winnerDueAt({ startedAt: '2026-03-01T09:30:00.000Z', winner: null })).toBeNull();
  });

  it('writes percentage points with a sign and a real minus', () => {
    expect(formatPoints(0.015, 'en')).toBe('+1.5');
    expect(formatPoints(-0.2, 'ko')).toBe('\u221220.0');
    expect(formatPoints(0, 'en')).toBe('0.0');
  });
});
