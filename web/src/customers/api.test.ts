import { describe, expect, it } from 'vitest';
import { forEachLimited } from './api.ts';

describe('forEachLimited', () => {
  it('runs every item, at most `limit` at once, and counts failures', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    const result = await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      seen.push(n);
      if (n % 3 === 0) throw new Error(`no ${n}`);
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
    expect(result.failed).toBe(2);
    expect(result.errors.map((e) => (e as Error).message).sort()).toEqual(['no 3', 'no 6']);
  });

  it('does nothing for no items', async () => {
    expect(await forEachLimited([], 4, async () => undefined)).toEqual({ failed: 0, errors: [] });
  });
});
