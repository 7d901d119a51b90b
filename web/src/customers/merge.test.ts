import { describe, expect, it } from 'vitest';
import { defaultChoices, filledOnlyByOther, mergeConflicts, mergeFields, undoable } from './merge.ts';
import { customerFixture } from './test-data.ts';

const survivor = customerFixture({
  id: 'a',
  name: '김민지',
  email: 'minji.kim@gmail.com',
  birthday: '1994-03-07',
  tags: ['vip'],
  attributes: { region: '서울', height_cm: 162 },
  updatedAt: '2025-02-01T00:00:00.000Z',
});
const other = customerFixture({
  id: 'b',
  name: '김 민지',
  email: 'minjikim@gmail.com',
  phone: '+821012345678',
  birthday: '1994-03-07',
  tags: ['newsletter'],
  attributes: { region: '경기', shoe: 240 },
  updatedAt: '2025-03-01T00:00:00.000Z',
});

describe('mergeConflicts', () => {
  it('lists fields both fill differently, then tags and attributes as wholes', () => {
    expect(mergeConflicts(survivor, other).map((c) => c.field)).toEqual(['name', 'email', 'tags', 'attributes']);
  });

  it('names the attribute keys in conflict', () => {
    const attrs = mergeConflicts(survivor, other).find((c) => c.kind === 'attributes');
    expect(attrs && attrs.kind === 'attributes' ? attrs.keys : null).toEqual(['region']);
  });

  it('finds nothing between a profile and itself, or tags in another order', () => {
    expect(mergeConflicts(survivor, survivor)).toEqual([]);
    expect(mergeConflicts(customerFixture({ tags: ['a', 'b'] }), customerFixture({ tags: ['b', 'a'] }))).toEqual([]);
  });
});

describe('choices', () => {
  it('default to the profile changed last for fields, and combining for tags and attributes', () => {
    const conflicts = mergeConflicts(survivor, other);
    expect(defaultChoices(conflicts, survivor, other)).toEqual({ name: 'other', email: 'other', tags: 'combine', attributes: 'combine' });
    expect(defaultChoices(conflicts, other, survivor)).toMatchObject({ name: 'survivor', email: 'survivor' });
  });

  it('send every field choice and leave combined parts out', () => {
    const conflicts = mergeConflicts(survivor, other);
    expect(mergeFields(conflicts, { name: 'survivor', tags: 'combine', attributes: 'other' })).toEqual({ name: 'survivor', email: 'survivor', attributes: 'other' });
  });

  it('need none where only the other profile has a value', () => {
    expect(filledOnlyByOther(survivor, other)).toEqual(['phone']);
  });
});

describe('undoable', () => {
  const now = new Date('2025-03-10T00:00:00Z');
  it.each([
    [{ undoableUntil: '2025-04-01T00:00:00Z', undoneAt: null }, true],
    [{ undoableUntil: '2025-03-01T00:00:00Z', undoneAt: null }, false],
    [{ undoableUntil: '2025-04-01T00:00:00Z', undoneAt: '2025-03-05T00:00:00Z' }, false],
  ])('%j → %s', (merge, expected) => {
    expect(undoable(merge, now)).toBe(expected);
  });
});
