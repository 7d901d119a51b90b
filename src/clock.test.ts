import { afterEach, describe, expect, it } from 'vitest';
import { clock } from './clock.ts';

describe('clock', () => {
  afterEach(() => clock.reset());

  it('follows the machine until a test sets it', () => {
    const before = Date.now();
    const now = clock.nowMs();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('stays where a test set it and moves only when advanced', () => {
    clock.set(new Date('2026-03-01T09:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-03-01T09:00:00.000Z');
    clock.advance(90_000);
    expect(clock.now().toISOString()).toBe('2026-03-01T09:01:30.000Z');
  });

  it('jumps a running clock forward by what was advanced', () => {
    clock.advance(3_600_000);
    expect(clock.nowMs() - Date.now()).toBeGreaterThan(3_590_000);
    clock.reset();
    expect(Math.abs(clock.nowMs() - Date.now())).toBeLessThan(1000);
  });
});
