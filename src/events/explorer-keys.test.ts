// The event explorer sends an event's properties and context whole: keys with a line break too
// (the serialiser matched a record's keys with `^.*$`, which does not match them, and dropped them).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb, type TestWorkspace } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops } from '../http/test-client.ts';

const KEYS = { 'line\nbreak': 1, 'carriage\rreturn': 2, 'separator\u2029paragraph': 3, plain: 4 };

describeEachDb('event explorer keys', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let ownerA: Client;

  beforeAll(async () => {
    ({ app, a, ownerA } = await createTwoShops(getDb()));
  });
  afterAll(async () => {
    await app.close();
  });

  it('keeps property and context keys with line breaks in the list and in one event', async () => {
    const id = uuidv7();
    await getDb().db.execute(sql`
      insert into events (workspace_id, id, message_id, type, name, anonymous_id, properties, context, timestamp)
      values (${a.workspace.id}, ${id}, ${uuidv7()}, 'track', 'Keys', 'anon-keys', ${JSON.stringify(KEYS)}::jsonb, ${JSON.stringify(KEYS)}::jsonb, now())`);
    const list = await ownerA.get('/api/events?limit=10');
    expect(list.status).toBe(200);
    expect(list.body.items.find((e: { id: string }) => e.id === id).properties).toEqual(KEYS);
    const one = await ownerA.get(`/api/events/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.properties).toEqual(KEYS);
    expect(one.body.context).toEqual(KEYS);
  });
});
