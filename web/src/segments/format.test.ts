import { describe, expect, it } from 'vitest';
import { formatWhen, historySeries, share } from './format.ts';

describe('segments format', () => {
  it('says nothing for never', () => {
    expect(formatWhen(null, 'en')).toBeNull();
    expect(formatWhen('2026-01-02T03:04:00Z', 'en')).toMatch(/2026/);
  });

  it('keeps one chart point per snapshot, in order', () => {
    const s = historySeries([{ at: '2026-01-01T00:00:00Z', size: 3, entered: 3, exited: 0 }, { at: '2026-01-02T00:00:00Z', size: 5, entered: 2, exited: 0 }], 'en');
    expect(s.map((p) => p.size)).toEqual([3, 5]);
  });

  it('shares of an empty whole are unknown', () => {
    expect(share(1, 4)).toBe(0.25);
    expect(share(0, 0)).toBeNull();
  });
});
