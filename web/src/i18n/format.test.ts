import { describe, expect, it } from 'vitest';
import { currencyLabel, formatDate, formatDateTime, initials } from './format.ts';

describe('initials', () => {
  it.each([
    ['Kim Minji', 'a@b.c', 'KM'],
    ['Admin', 'admin@rapport.local', 'AD'],
    ['', 'owner@example.com', 'OW'],
    ['김민지', 'minji@example.com', '김'],
    ['  Lee   Jae  Won ', 'x@y.z', 'LJ'],
  ])('%s / %s → %s', (name, email, expected) => {
    expect(initials(name, email)).toBe(expected);
  });
});

describe('dates', () => {
  const iso = '2026-01-31T23:30:00.000Z';

  it('formats in the workspace time zone when given one', () => {
    // 23:30 UTC on 31 January is already 1 February in Seoul (UTC+9).
    expect(formatDate(iso, 'en', 'Asia/Seoul')).toBe('Feb 1, 2026');
    expect(formatDate(iso, 'en', 'UTC')).toBe('Jan 31, 2026');
  });

  it('formats in Korean for Korean', () => {
    expect(formatDate(iso, 'ko', 'Asia/Seoul')).toBe('2026. 2. 1.');
    expect(formatDateTime(iso, 'ko', 'Asia/Seoul')).toMatch(/^2026\. 2\. 1\. .*8:30$/);
  });

  it('returns nothing for a missing date and the input for a broken one', () => {
    expect(formatDate(null, 'en')).toBe('');
    expect(formatDateTime('not a date', 'en')).toBe('not a date');
  });
});

describe('currencyLabel', () => {
  it('names the currency in the UI language', () => {
    expect(currencyLabel('KRW', 'en')).toBe('KRW · South Korean Won');
    expect(currencyLabel('USD', 'ko')).toBe('USD · 미국 달러');
  });
});
