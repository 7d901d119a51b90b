import { describe, expect, it } from 'vitest';
import { parseValue, valueText } from './values.ts';

describe('parseValue', () => {
  it.each([
    ['42', 42],
    ['-3.5', -3.5],
    ['0', 0],
    ['007', '007'],
    ['1e3', '1e3'],
    ['true', true],
    ['false', false],
    ['True', 'True'],
    ['vip', 'vip'],
    ['', ''],
  ])('%j → %j', (text, value) => {
    expect(parseValue(text)).toBe(value);
  });

  it('reads back as typed', () => {
    expect(valueText(parseValue('12'))).toBe('12');
    expect(valueText(null)).toBe('');
  });
});
