import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import '../areas.ts';
import { clock } from '../clock.ts';
import { describeEachDb } from '../db/test-helpers.ts';
import { createTwoShops, type TwoShops } from './test-client.ts';

describeEachDb('demo fast-forward', (getDb, backend) => {
  let s: TwoShops;
  beforeAll(async () => {
    s = await createTwoShops(getDb(), { env: { RAPPORT_DEMO: '1' } });
  }, 120_000);
  afterAll(async () => {
    await s?.app.close();
  });
  afterEach(() => clock.reset());

  it('moves Rapport’s clock only in the embedded demo’s workspace, for its managers', async () => {
    const before = await s.ownerA.get('/api/demo/clock');
    expect(before.status).toBe(200);
    // On a PostgreSQL server several processes share the data: no one may move the clock there.
    expect(before.body).toMatchObject({ enabled: backend === 'pglite', aheadMinutes: 0 });
    const moved = await s.ownerA.post('/api/demo/clock/advance', { minutes: 90 });
    if (backend === 'pglite') {
      expect(moved.status).toBe(200);
      expect(moved.body.aheadMinutes).toBe(90);
      expect(clock.nowMs() - Date.now()).toBeGreaterThan(89 * 60_000);
    } else {
      expect(moved.status).toBe(403);
      expect(clock.nowMs() - Date.now()).toBeLessThan(60_000);
    }
    // Another workspace is not the demo; a marketer does not manage the workspace.
    expect((await s.ownerB.post('/api/demo/clock/advance', { minutes: 5 })).status).toBe(403);
    expect((await s.as.marketer.post('/api/demo/clock/advance', { minutes: 5 })).status).toBe(403);
    expect((await s.ownerA.post('/api/demo/clock/advance', { minutes: 0 })).status).toBe(400);
  });
});
