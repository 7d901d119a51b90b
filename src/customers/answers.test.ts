// Free-form objects in the customers API's answers (a saved view's query, a timeline entry's data,
// an upload's suggested mapping) reach the caller whole through the response serialiser: a key
// with a line break in it too (a record's `^.*$` pattern does not match it, and the key was dropped).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb, type TestWorkspace } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops } from '../http/test-client.ts';

const KEYS = { 'line\nbreak': 1, 'carriage\rreturn': 2, 'separator\u2028line': 3, plain: 4 };

describeEachDb('customers answers keep every key', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let ownerA: Client;

  beforeAll(async () => {
    ({ app, a, ownerA } = await createTwoShops(getDb()));
  });
  afterAll(async () => {
    await app.close();
  });

  it('a saved view keeps its query', async () => {
    const created = await ownerA.post('/api/customer-views', { name: 'keys', query: { ...KEYS, nested: KEYS }, columns: ['name'] });
    expect(created.status).toBe(201);
    expect(created.body.query).toEqual({ ...KEYS, nested: KEYS });
    const listed = (await ownerA.get('/api/customer-views')).body.items.find((v: { id: string }) => v.id === created.body.id);
    expect(listed.query).toEqual({ ...KEYS, nested: KEYS });
  });

  it('a timeline entry keeps its data', async () => {
    const c = (await ownerA.post('/api/customers', { name: '키' })).body;
    await getDb().db.execute(sql`
      insert into events (workspace_id, id, message_id, customer_id, type, name, properties, context, timestamp)
      values (${a.workspace.id}, ${uuidv7()}, ${uuidv7()}, ${c.id}, 'track', 'Keys', ${JSON.stringify(KEYS)}::jsonb, '{}'::jsonb, now())`);
    const timeline = await ownerA.get(`/api/customers/${c.id}/timeline`);
    expect(timeline.status).toBe(200);
    const entry = timeline.body.items.find((e: { area: string }) => e.area === 'events');
    expect(entry.data.properties).toEqual(KEYS);
  });

  it('an upload keeps the suggested mapping of a header with a line break', async () => {
    const boundary = '----keys';
    const csv = 'email,"first\nline"\nkeys@example.com,x\n';
    const payload = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="k.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`);
    const res = await ownerA.request('POST', '/api/imports', payload, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.headers).toEqual(['email', 'first\nline']);
    expect(Object.keys(res.body.suggestedMapping).sort()).toEqual(['email', 'first\nline']);
  });
});
