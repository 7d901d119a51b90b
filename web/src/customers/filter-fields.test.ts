import { describe, expect, it } from 'vitest';
import type { AttributeDef } from './api.ts';
import { filterFields, findFilterField, sameCondition } from './filter-fields.ts';

const size: AttributeDef = { key: 'size', label: 'Size', type: 'enum', options: ['S', 'M', 'L'], purpose: 'service', description: null, required: false, createdAt: '' };

describe('filterFields', () => {
  it('offers standard fields and attributes with their kind of value', () => {
    const fields = filterFields([size]);
    expect(findFilterField(fields, 'gender')).toMatchObject({ kind: 'enum', options: ['F', 'M', 'X'] });
    expect(findFilterField(fields, 'birthday')?.kind).toBe('date');
    expect(findFilterField(fields, 'attributes.size')).toMatchObject({ kind: 'enum', options: ['S', 'M', 'L'], attribute: size });
    expect(findFilterField(fields, 'attributes.nope')).toBeUndefined();
  });

  it('leaves out e-mail and phone for roles that may not see them', () => {
    const ids = filterFields([], { pii: false }).map((f) => f.id);
    expect(ids).not.toContain('email');
    expect(ids).not.toContain('phone');
    expect(ids).toContain('name');
  });

  it('compares conditions by value', () => {
    expect(sameCondition({ field: 'tags', op: 'in', value: ['a'] }, { field: 'tags', op: 'in', value: ['a'] })).toBe(true);
    expect(sameCondition({ field: 'tags', op: 'in', value: ['a'] }, { field: 'tags', op: 'in', value: ['b'] })).toBe(false);
  });
});
