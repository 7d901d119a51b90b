import { describe, expect, it } from 'vitest';
import { attributeKeyOf, availableColumns, DEFAULT_COLUMNS, exportColumnsOf, parseColumns, sortFieldOf, toggleColumn } from './columns.ts';

describe('columns', () => {
  it('parses a URL parameter or a saved list, once each, known ones only', () => {
    expect(parseColumns('name,email,name,nope,attributes.region,attributes.Bad')).toEqual(['name', 'email', 'attributes.region']);
    expect(parseColumns(['phone', 3, 'tags'])).toEqual(['phone', 'tags']);
  });

  it('falls back to the defaults', () => {
    expect(parseColumns(null)).toEqual(DEFAULT_COLUMNS);
    expect(parseColumns('')).toEqual(DEFAULT_COLUMNS);
    expect(parseColumns('x,y')).toEqual(DEFAULT_COLUMNS);
  });

  it('knows which headers sort the list', () => {
    expect(sortFieldOf('name')).toBe('name');
    expect(sortFieldOf('createdAt')).toBe('createdAt');
    expect(sortFieldOf('signedUpAt')).toBe('signedUpAt');
    expect(sortFieldOf('email')).toBeUndefined();
    expect(sortFieldOf('attributes.region')).toBeUndefined();
  });

  it('names the attribute of an attribute column', () => {
    expect(attributeKeyOf('attributes.height_cm')).toBe('height_cm');
    expect(attributeKeyOf('email')).toBeNull();
  });

  it('toggles a column in chooser order and never removes the last one', () => {
    const order = availableColumns(['region']);
    expect(toggleColumn(['name', 'createdAt'], 'email', order)).toEqual(['name', 'email', 'createdAt']);
    expect(toggleColumn(['name', 'email'], 'attributes.region', order)).toEqual(['name', 'email', 'attributes.region']);
    expect(toggleColumn(['name', 'email'], 'email', order)).toEqual(['name']);
    expect(toggleColumn(['name'], 'name', order)).toEqual(['name']);
  });

  it('exports the id and the shown columns, without archived attributes', () => {
    expect(exportColumnsOf(['name', 'attributes.region', 'attributes.gone'], ['region'])).toEqual(['id', 'name', 'attributes.region']);
  });
});
