import { describe, expect, it } from 'vitest';
import { cleanPreferences, samePreferences, splitPreferences } from './preferences.ts';

describe('cleanPreferences', () => {
  it('trims, drops blanks, clamps and keeps the last of a category', () => {
    expect(
      cleanPreferences([
        { category: ' outer ', weight: 0.456 },
        { category: '', weight: 1 },
        { category: 'shoes', weight: 3 },
        { category: 'bags', weight: -1 },
        { category: 'outer', weight: 0.2 },
        { category: 'hats', weight: Number.NaN },
      ]),
    ).toEqual([
      { category: 'shoes', weight: 1 },
      { category: 'bags', weight: 0 },
      { category: 'outer', weight: 0.2 },
      { category: 'hats', weight: 0 },
    ]);
  });
});

describe('splitPreferences', () => {
  it('separates stated from inferred, heaviest first', () => {
    const at = '2025-01-01T00:00:00Z';
    const { stated, inferred } = splitPreferences([
      { category: 'a', weight: 0.2, source: 'survey', updatedAt: at },
      { category: 'b', weight: 0.9, source: 'inferred', updatedAt: at },
      { category: 'c', weight: 0.7, source: 'survey', updatedAt: at },
    ]);
    expect(stated.map((p) => p.category)).toEqual(['c', 'a']);
    expect(inferred.map((p) => p.category)).toEqual(['b']);
  });
});

describe('samePreferences', () => {
  it('ignores order and blank rows', () => {
    expect(samePreferences([{ category: 'a', weight: 0.5 }, { category: 'b', weight: 1 }], [{ category: 'b', weight: 1 }, { category: '', weight: 0 }, { category: 'a', weight: 0.5 }])).toBe(true);
    expect(samePreferences([{ category: 'a', weight: 0.5 }], [{ category: 'a', weight: 0.6 }])).toBe(false);
  });
});
