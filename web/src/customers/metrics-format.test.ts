import { describe, expect, it } from 'vitest';
import { categoryShares, formatDuration, formatHourSpan, formatMean, formatMinorUnits, formatRate, hourShares } from './metrics-format.ts';

describe('formatMinorUnits', () => {
  it.each([
    [89_000, 'KRW', 'ko', '₩89,000'],
    [1299, 'USD', 'en', '$12.99'],
    [500, 'JPY', 'en', '¥500'],
  ])('%d %s in %s → %s', (minor, currency, language, expected) => {
    expect(formatMinorUnits(minor, currency, language)).toBe(expected);
  });

  it('falls back to a plain number for a code Intl does not take', () => {
    expect(formatMinorUnits(1234, 'NOT-A-CODE', 'en')).toBe('1,234');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 sec'],
    [45_400, '45 sec'],
    [200_000, '3 min 20 sec'],
    [180_000, '3 min'],
    [2 * 3_600_000 + 5 * 60_000, '2 hr 5 min'],
    [3_600_000, '1 hr'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatDuration(ms, 'en')).toBe(expected);
  });

  it('speaks Korean', () => {
    expect(formatDuration(200_000, 'ko')).toBe('3분 20초');
  });
});

describe('rates, means and hours', () => {
  it('formats rates and means, with a dash when there is nothing to show', () => {
    expect(formatRate(0.456, 'en')).toBe('46%');
    expect(formatRate(null, 'en')).toBe('–');
    expect(formatMean(3.25, 'en')).toBe('3.3');
    expect(formatMean(null, 'ko')).toBe('–');
  });

  it('gives the span of an hour of day on the 24-hour clock', () => {
    expect(formatHourSpan(14)).toBe('14:00–15:00');
    expect(formatHourSpan(0)).toBe('00:00–01:00');
    expect(formatHourSpan(23)).toBe('23:00–00:00');
  });

  it('scales hours and categories to the largest', () => {
    expect(hourShares([0, 2, 4])).toEqual([0, 0.5, 1]);
    expect(hourShares([0, 0])).toEqual([0, 0]);
    expect(categoryShares([{ category: 'A', dwellMs: 300 }, { category: 'B', dwellMs: 100 }]).map((c) => c.share)).toEqual([1, 1 / 3]);
  });
});
