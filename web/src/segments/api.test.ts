import { describe, expect, it } from 'vitest';
import { isComputing } from './api.ts';

describe('isComputing', () => {
  it.each([
    ['a new dynamic segment', { kind: 'dynamic', lastComputedAt: null, updatedAt: '2026-01-01T00:00:00.000Z' }, true],
    ['one redefined after its last run', { kind: 'dynamic', lastComputedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:05.000Z' }, true],
    ['one computed since', { kind: 'dynamic', lastComputedAt: '2026-01-01T00:00:06.000Z', updatedAt: '2026-01-01T00:00:05.000Z' }, false],
    ['a static segment', { kind: 'static', lastComputedAt: null, updatedAt: '2026-01-01T00:00:00.000Z' }, false],
  ] as const)('%s: %s', (_name, s, expected) => {
    expect(isComputing(s, Date.parse('2026-01-01T00:01:00.000Z'))).toBe(expected);
  });

  it('stops watching a changed segment after ten minutes (a rename runs nothing)', () => {
    expect(isComputing({ kind: 'dynamic', lastComputedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:05.000Z' }, Date.parse('2026-01-01T00:20:00.000Z'))).toBe(false);
  });
});
