import { describe, expect, it } from 'vitest';
import { gridChanges, gridOf, setCell } from './consent.ts';

describe('consent grid', () => {
  it('fills every channel × purpose, unknown by default', () => {
    const grid = gridOf([{ channel: 'sms', purpose: 'marketing', status: 'granted', source: 'import', updatedAt: null }]);
    expect(Object.keys(grid)).toEqual(['email', 'sms', 'kakao', 'push']);
    expect(Object.keys(grid.email)).toEqual(['marketing', 'transactional', 'profiling', 'night_ads']);
    expect(grid.sms.marketing).toBe('granted');
    expect(grid.push.night_ads).toBe('unknown');
  });

  it('lists only the cells changed', () => {
    const before = gridOf([]);
    let after = setCell(before, 'email', 'marketing', 'granted');
    after = setCell(after, 'kakao', 'night_ads', 'denied');
    after = setCell(after, 'push', 'profiling', 'unknown');
    expect(gridChanges(before, after)).toEqual([
      { channel: 'email', purpose: 'marketing', status: 'granted' },
      { channel: 'kakao', purpose: 'night_ads', status: 'denied' },
    ]);
    expect(before.email.marketing).toBe('unknown');
  });
});
