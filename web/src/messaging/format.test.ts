import { describe, expect, it } from 'vitest';
import { formatAddress, formatPhone, insertAt, splitReason, statsByDay, statsChartRows, statsRange, statsTotals, variableSnippet } from './format.ts';

describe('formatPhone', () => {
  it.each([
    ['+821012345678', 'ko', '010-1234-5678'],
    ['01012345678', 'ko', '010-1234-5678'],
    ['010-1234-5678', 'ko', '010-1234-5678'],
    ['+821012345678', 'en', '+82 10-1234-5678'],
    ['+8225551234', 'ko', '02-555-1234'],
    ['+8225551234', 'en', '+82 2-555-1234'],
    ['+14155552671', 'ko', '+1 415 555 2671'],
    ['+82******5678', 'ko', '+82******5678'],
    ['12', 'ko', '12'],
    ['', 'ko', ''],
    [null, 'en', ''],
  ])('%s in %s → %s', (phone, language, expected) => {
    expect(formatPhone(phone, language)).toBe(expected);
  });
});

describe('formatAddress', () => {
  it('formats phones for SMS and Kakao, names a push subscription by its service, keeps e-mail', () => {
    expect(formatAddress('sms', '+821012345678', 'ko')).toBe('010-1234-5678');
    expect(formatAddress('kakao', '+821012345678', 'en')).toBe('+82 10-1234-5678');
    expect(formatAddress('push', JSON.stringify({ endpoint: 'https://fcm.googleapis.com/fcm/send/abc', keys: {} }), 'en')).toBe('fcm.googleapis.com');
    expect(formatAddress('push', '{not json', 'en')).toBe('');
    expect(formatAddress('email', 'minji@example.com', 'ko')).toBe('minji@example.com');
    expect(formatAddress('email', null, 'ko')).toBe('');
  });
});

describe('splitReason', () => {
  it.each([
    ['no_consent', { code: 'no_consent', detail: null }],
    ['frequency_cap:day', { code: 'frequency_cap', detail: 'day' }],
    ['smtp 550 mailbox unavailable', { code: 'smtp', detail: '550 mailbox unavailable' }],
    [null, { code: null, detail: null }],
  ])('%s', (reason, expected) => {
    expect(splitReason(reason)).toEqual(expected);
  });
});

describe('stats', () => {
  const days = [
    { day: '2026-12-07', sent: 5, delivered: 4, opened: 2, clicked: 1, bounced: 1, suppressed: 3 },
    { day: '2026-12-06', sent: 2, delivered: 2, opened: 1, clicked: 0, bounced: 0, suppressed: 0 },
  ];

  it('orders the days and labels them in the language', () => {
    const rows = statsChartRows(days, 'en');
    expect(rows.map((r) => r.label)).toEqual(['Dec 6', 'Dec 7']);
    expect(statsChartRows(days, 'ko').map((r) => r.label)).toEqual(['12월 6일', '12월 7일']);
    expect(rows[1]!.sent).toBe(5);
  });

  it('adds up the days', () => {
    expect(statsTotals(days)).toEqual({ sent: 7, delivered: 6, opened: 3, clicked: 1, bounced: 1, suppressed: 3 });
  });

  it('asks for the last days up to today in the workspace’s time zone', () => {
    expect(statsRange(new Date('2026-12-07T05:30:00Z'), 14, 'UTC')).toEqual({ from: '2026-11-24', to: '2026-12-07' });
    // 20:00 UTC is already the next day in Seoul.
    expect(statsRange(new Date('2026-12-07T20:00:00Z'), 7, 'Asia/Seoul')).toEqual({ from: '2026-12-02', to: '2026-12-08' });
  });
});

describe('variables', () => {
  it('writes Liquid, with a default when given', () => {
    expect(variableSnippet('customer.name')).toBe('{{ customer.name }}');
    expect(variableSnippet('customer.name', '고객"님')).toBe('{{ customer.name | default: "고객님" }}');
  });

  it('inserts at the caret or over the selection', () => {
    expect(insertAt('Hello !', '{{ customer.name }}', 6)).toEqual({ text: 'Hello {{ customer.name }}!', caret: 25 });
    expect(insertAt('Hello NAME!', 'X', 6, 10)).toEqual({ text: 'Hello X!', caret: 7 });
    expect(insertAt('ab', 'X', 99)).toEqual({ text: 'abX', caret: 3 });
  });
});

describe('statsByDay', () => {
  it('fills the days without messages', () => {
    const days = statsByDay(
      { byDay: [{ day: '2026-12-06', sent: 4, delivered: 3, opened: 1, clicked: 0, bounced: 0, suppressed: 1, failed: 0 }] },
      { from: '2026-12-05', to: '2026-12-07' },
    );
    expect(days.map((d) => [d.day, d.sent, d.delivered, d.suppressed])).toEqual([
      ['2026-12-05', 0, 0, 0],
      ['2026-12-06', 4, 3, 1],
      ['2026-12-07', 0, 0, 0],
    ]);
  });
});
