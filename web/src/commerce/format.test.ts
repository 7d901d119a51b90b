import { describe, expect, it } from 'vitest';
import { cartItemsText, categoryLeaf, formatRate, moneyOrDash, statsFrom } from './format.ts';

describe('commerce formatting', () => {
  it.each([
    [39000, 'KRW', 'ko', '₩39,000'],
    [1299, 'USD', 'en', '$12.99'],
    [null, 'KRW', 'en', '—'],
  ])('money %s %s in %s → %s', (minor, currency, language, expected) => {
    expect(moneyOrDash(minor, currency, language)).toBe(expected);
  });

  it('formats rates as percentages, with a dash when undefined', () => {
    expect(formatRate(0.1234, 'en')).toBe('12.3%');
    expect(formatRate(1, 'ko')).toBe('100%');
    expect(formatRate(null, 'en')).toBe('—');
  });

  it('lists cart items with quantities and counts the rest', () => {
    const items = [
      { name: 'Linen shirt', sku: 'SH-1', quantity: 2 },
      { name: null, sku: 'SN-9', quantity: 1 },
      { name: 'Cap', sku: 'C-1', quantity: 1 },
      { name: 'Socks', sku: 'S-1', quantity: 3 },
    ];
    expect(cartItemsText(items)).toEqual({ text: 'Linen shirt × 2, SN-9, Cap', more: 1 });
    expect(cartItemsText([])).toEqual({ text: '', more: 0 });
  });

  it('takes the last level of a category path', () => {
    expect(categoryLeaf('Women > Shoes > Sneakers')).toBe('Sneakers');
    expect(categoryLeaf('Bags')).toBe('Bags');
    expect(categoryLeaf(null)).toBe('');
  });

  it('starts a statistics window the given days before now, to the minute', () => {
    expect(statsFrom(7, Date.UTC(2025, 4, 10, 12, 30, 45))).toBe('2025-05-03T12:30:00.000Z');
  });
});
