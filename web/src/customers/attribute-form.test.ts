import { describe, expect, it } from 'vitest';
import { attributeFormErrors, keyFromLabel, type AttributeForm } from './attribute-form.ts';

const form: AttributeForm = { key: 'height_cm', label: 'Height', type: 'number', options: [], purpose: 'service', description: '', required: false };

describe('attributeFormErrors', () => {
  it('accepts a complete form', () => {
    expect(attributeFormErrors(form)).toEqual({});
  });

  it.each([
    [{ key: 'Height' }, 'key'],
    [{ key: '1st' }, 'key'],
    [{ key: '' }, 'key'],
    [{ label: '  ' }, 'label'],
    [{ purpose: null }, 'purpose'],
    [{ type: 'enum' as const, options: [] }, 'options'],
  ])('%j is refused for %s', (change, field) => {
    expect(Object.keys(attributeFormErrors({ ...form, ...change }))).toEqual([field]);
  });

  it('lets a list have no options', () => {
    expect(attributeFormErrors({ ...form, type: 'list' })).toEqual({});
  });
});

describe('keyFromLabel', () => {
  it.each([
    ['Height (cm)', 'height_cm'],
    ['  Favourite  colour ', 'favourite_colour'],
    ['Café visits', 'cafe_visits'],
    ['2nd address', 'nd_address'],
    ['지역', ''],
  ])('%s → %s', (label, key) => {
    expect(keyFromLabel(label)).toBe(key);
  });
});
