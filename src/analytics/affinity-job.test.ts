// The affinity job on the database: a full run infers every customer's affinities from their
// events; an incremental run rewrites only the customers whose metrics moved since, to what a
// full run gives them, and takes the inferred ones away from a touched customer with no signal left;
// a run writes only the customers whose inferred preferences changed.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { listPreferences, replacePreferences } from '../customers/preferences.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { ingestBatch } from '../events/ingest.ts';
import { refreshAffinities } from './affinity-job.ts';

describeEachDb('affinity job', (getDb) => {
  async function shop() {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    const workspaceId = workspace.id;
    const track = (userId: string, event: string, properties: Record<string, unknown> = {}) =>
      ingestBatch(database.db, { workspaceId, messages: [{ type: 'track', event, userId, properties, messageId: uuidv7() }] });
    const customerOf = async (userId: string) => {
      const { rows } = await database.db.execute<{ customer_id: string }>(
        sql`select customer_id from customer_identities where workspace_id = ${workspaceId}::uuid and kind = 'user_id' and value = ${userId}`,
      );
      return rows[0]!.customer_id;
    };
    const inferred = async (customerId: string) =>
      (await listPreferences(database.db, { workspaceId, customerId })).filter((p) => p.source === 'inferred').map((p) => [p.category, p.weight]);
    return { database, workspaceId, track, customerOf, inferred };
  }

  it('an incremental run rewrites only the touched customers, as a full run would', async () => {
    const { database, workspaceId, track, customerOf, inferred } = await shop();
    for (let i = 0; i < 3; i++) await track('ann', 'Product Viewed', { category: 'Shoes', brand: 'Acme' });
    await track('bob', 'Product Viewed', { category: 'Bags' });
    await track('bob', 'Product Added', { category: 'Bags' });
    await track('cy', 'Page Viewed');
    const [ann, bob, cy] = [await customerOf('ann'), await customerOf('bob'), await customerOf('cy')];
    const full = await refreshAffinities(database.db, { workspaceId });
    expect(full.customers).toBe(2);
    expect((await inferred(ann)).map(([c]) => c)).toEqual(['Shoes', 'brand:Acme']);
    expect((await inferred(bob)).map(([c]) => c)).toEqual(['Bags']);
    // Cy has no signal, but an inferred preference from an earlier time (say, signals since gone).
    await replacePreferences(database.db, { workspaceId, customerId: cy, source: 'inferred', preferences: [{ category: 'Hats', weight: 1 }] });
    // Bob's stored weight is changed by hand: a run that rewrote Bob would put it back.
    await database.db.execute(sql`update customer_preferences set weight = 0.5 where workspace_id = ${workspaceId}::uuid and customer_id = ${bob}::uuid`);

    await new Promise((r) => setTimeout(r, 5));
    await track('ann', 'Product Added', { category: 'Bags' });
    await track('ann', 'Product Added', { category: 'Bags' });
    await track('cy', 'Page Viewed');
    const inc = await refreshAffinities(database.db, { workspaceId, mode: 'incremental' });
    expect(inc.customers).toBe(2);
    const { rows: run } = await database.db.execute<{ mode: string }>(sql`select mode from analytics_runs where workspace_id = ${workspaceId}::uuid and id = ${inc.runId}::uuid`);
    expect(run[0]!.mode).toBe('incremental');
    const annAfter = await inferred(ann);
    expect(annAfter.map(([c]) => c).sort()).toEqual(['Bags', 'Shoes', 'brand:Acme']);
    expect(await inferred(bob)).toEqual([['Bags', 0.5]]);
    expect(await inferred(cy)).toEqual([]);

    // A full run now gives Ann exactly what the incremental one wrote, and Bob his weight back:
    // only Bob's are written (and reported changed).
    const again = await refreshAffinities(database.db, { workspaceId });
    expect(again.customers).toBe(1);
    expect(await inferred(ann)).toEqual(annAfter);
    expect(await inferred(bob)).toEqual([['Bags', 1]]);
  });
});
