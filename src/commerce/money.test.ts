import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMoney, fromMinorUnits, normaliseCurrency, toMinorUnits } from './money.ts';

describe('money', () => {
  it.each([
    ['KRW', 0],
    ['JPY', 0],
    ['USD', 2],
    ['EUR', 2],
    ['KWD', 3],
    ['CLF', 4],
    ['XYZ', 2],
  ])('%s has %i minor digits', (currency, digits) => {
    expect(currencyExponent(currency)).toBe(digits);
  });

  it.each<[unknown, string, number | undefined]>([
    [12.99, 'USD', 1299],
    ['12.99', 'USD', 1299],
    [0.1 + 0.2, 'USD', 30],
    [1.005, 'USD', 101],
    ['-3.505', 'USD', -351],
    [89000, 'KRW', 89000],
    ['₩89,000', 'KRW', 89000],
    ['89,000원', 'KRW', 89000],
    ['USD 1 234.50', 'USD', 123450],
    ['$5', 'USD', 500],
    ['.5', 'EUR', 50],
    ['12.5', 'KRW', 13],
    [1000, 'JPY', 1000],
    [1.2345, 'KWD', 1235],
    [1e-7, 'USD', 0],
    ['abc', 'USD', undefined],
    ['', 'USD', undefined],
    [Number.NaN, 'USD', undefined],
    [Infinity, 'USD', undefined],
    [1e21, 'USD', undefined],
    [null, 'USD', undefined],
    [{}, 'USD', undefined],
  ])('toMinorUnits(%j, %s) = %j', (amount, currency, expected) => {
    expect(toMinorUnits(amount, currency)).toBe(expected);
  });

  it('goes back to major units and formats with the currency sign', () => {
    expect(fromMinorUnits(1299, 'USD')).toBe(12.99);
    expect(fromMinorUnits(89000, 'KRW')).toBe(89000);
    expect(formatMoney(89000, 'KRW')).toBe('₩89,000');
    expect(formatMoney(1299, 'USD')).toBe('$12.99');
    expect(formatMoney(50, 'EUR')).toBe('€0.50');
    expect(formatMoney(1000, 'JPY')).toBe('¥1,000');
  });

  it('reads currency codes in any case, and nothing else', () => {
    expect(normaliseCurrency(' usd ')).toBe('USD');
    expect(normaliseCurrency('US$')).toBeUndefined();
    expect(normaliseCurrency(840)).toBeUndefined();
  });
});
