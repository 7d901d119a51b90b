import { describe, expect, it } from 'vitest';
import { displayName, downloadName, formatAttributeValue, parseTags, totalLabel } from './format.ts';

const base = { id: '0193abcd-1234-7000-8000-000000000000', name: null, email: null, phone: null, externalId: null };

describe('displayName', () => {
  it.each([
    [{ ...base, name: ' 김민지 ' }, '김민지'],
    [{ ...base, name: '', email: 'mi***@naver.com' }, 'mi***@naver.com'],
    [{ ...base, phone: '+8210****5678' }, '+8210****5678'],
    [{ ...base, externalId: 'C0000001' }, 'C0000001'],
    [base, '#0193abcd'],
  ])('%j → %s', (c, expected) => {
    expect(displayName(c)).toBe(expected);
  });
});

describe('totalLabel', () => {
  it.each([
    [123, true, { kind: 'exact', count: 123 }],
    [10_000, true, { kind: 'exact', count: 10_000 }],
    [1_234_567, false, { kind: 'approx', count: 1_234_567 }],
    [8_000, false, { kind: 'atLeast', count: 10_000 }],
  ] as const)('%d (exact %s)', (total, exact, expected) => {
    expect(totalLabel(total, exact)).toEqual(expected);
  });
});

describe('formatAttributeValue', () => {
  const opts = { language: 'en', yes: 'Yes', no: 'No' };
  it.each([
    [null, 'text', ''],
    ['', 'text', ''],
    ['서울', 'text', '서울'],
    [1234.5, 'number', '1,234.5'],
    [true, 'boolean', 'Yes'],
    [false, 'boolean', 'No'],
    [['a', 'b'], 'list', 'a, b'],
    ['2024-03-07', 'date', 'Mar 7, 2024'],
    ['not-a-date', 'date', 'not-a-date'],
  ] as const)('%j (%s) → %s', (value, type, expected) => {
    expect(formatAttributeValue(value, type, opts)).toBe(expected);
  });
});

describe('parseTags', () => {
  it('splits, trims and de-duplicates', () => {
    expect(parseTags(' vip, 서울 ,,vip')).toEqual(['vip', '서울']);
  });
});

describe('downloadName', () => {
  it('is safe as a file name', () => {
    expect(downloadName('customer', { ...base, name: '김 민지/VIP' }, 'json')).toBe('customer-김-민지-VIP-0193abcd.json');
    expect(downloadName('customer', base, 'json')).toBe('customer-0193abcd.json');
  });
});
