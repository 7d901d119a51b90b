import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { createSession } from '../workspaces/sessions.ts';
import { registerSystemSchedules, systemJobHandlers } from './handlers.ts';
import { recurringJobs } from './schema.ts';

describeEachDb('system jobs', (getDb) => {
  it('sessions.cleanup deletes expired sessions and keeps live ones', async () => {
    const database = getDb();
    const { owner } = await createTestWorkspace(database);
    await createSession(database.db, { userId: owner.id, workspaceId: null, days: -1 });
    const live = await createSession(database.db, { userId: owner.id, workspaceId: null, days: 1 });
    const cleanup = systemJobHandlers()['sessions.cleanup'];
    if (!cleanup) throw new Error('sessions.cleanup has no handler');
    const job = { id: 'x', type: 'sessions.cleanup', payload: {}, workspaceId: null, attempt: 1, maxAttempts: 5 };
    const result = await cleanup(job, { db: database.db, signal: new AbortController().signal });
    expect((result as { deleted: number }).deleted).toBeGreaterThanOrEqual(1);
    const { rows } = await database.db.execute(sql`select token_hash from sessions where user_id = ${owner.id}`);
    expect(rows).toEqual([{ token_hash: live.session.tokenHash }]);
  });

  it('registers the hourly schedule once, keeping its next run on restart', async () => {
    const { db } = getDb();
    await registerSystemSchedules(db);
    const [first] = await db.select().from(recurringJobs).where(eq(recurringJobs.name, 'system:sessions.cleanup'));
    await registerSystemSchedules(db);
    const rows = await db.select().from(recurringJobs).where(eq(recurringJobs.name, 'system:sessions.cleanup'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'sessions.cleanup', intervalSeconds: 3600, nextRunAt: first?.nextRunAt });
  });
});
