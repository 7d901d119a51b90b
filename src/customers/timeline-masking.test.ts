// The customer timeline as roles without pii.read see it: every area's entries masked by the
// detector the event explorer uses (personal keys at any depth, e-mails and phones by value).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb, type TestWorkspace } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops } from '../http/test-client.ts';
import type { Role } from '../workspaces/roles.ts';

describeEachDb('customer timeline masking', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let ownerA: Client;
  let as: Record<Role, Client>;

  beforeAll(async () => {
    ({ app, a, ownerA, as } = await createTwoShops(getDb()));
  });
  afterAll(async () => {
    await app.close();
  });

  async function insertEvent(customerId: string, type: string, name: string | null, properties: Record<string, unknown>, context: Record<string, unknown> = {}) {
    await getDb().db.execute(sql`
      insert into events (workspace_id, id, message_id, customer_id, type, name, properties, context, timestamp)
      values (${a.workspace.id}, ${uuidv7()}, ${uuidv7()}, ${customerId}, ${type}, ${name}, ${JSON.stringify(properties)}::jsonb, ${JSON.stringify(context)}::jsonb, now())`);
  }

  it('masks identify traits, nested contact data, notes and profile changes for viewers and analysts, not for roles with pii.read', async () => {
    const res = await ownerA.post('/api/customers', { name: '타임라인', email: 'timeline.carol@example.com', phone: '010-2468-1357' });
    expect(res.status).toBe(201);
    const c = res.body;
    expect((await ownerA.patch(`/api/customers/${c.id}`, { email: 'timeline.carol2@example.com', phone: '010-1357-2468' })).status).toBe(200);
    expect((await ownerA.post(`/api/customers/${c.id}/notes`, { body: '연락 timeline.carol@example.com / 010-2468-1357' })).status).toBe(201);
    await insertEvent(c.id, 'identify', null, { name: '김캐롤', email: 'timeline.carol@example.com', phone: '+82 10 2468 1357', plan: 'gold' });
    await insertEvent(c.id, 'track', 'Order Completed', {
      total: 39000,
      phone_number: '010-2468-1357',
      shipping_address: { line1: '테헤란로 152', city: '서울' },
      customer: { email: 'timeline.carol@example.com' },
      billing: { phone: '+821024681357' },
      contact: 'timeline.carol@example.com',
    });
    await insertEvent(c.id, 'page', 'Thanks', { url: 'https://shop.example/thanks?email=timeline.carol%40example.com', referrer: 'https://mail.example/?u=timeline.carol@example.com' });

    // Masked phones keep their last four digits, as on the profile (+8210****1357).
    const leaks = /timeline\.carol|2468|테헤란로|김캐롤/;
    for (const role of ['viewer', 'analyst'] as const) {
      const timeline = await as[role]!.get(`/api/customers/${c.id}/timeline?limit=100`);
      expect(timeline.status).toBe(200);
      const text = JSON.stringify(timeline.body.items);
      expect(text, `${role} sees ${text.slice(Math.max(0, (text.match(leaks)?.index ?? 0) - 80), (text.match(leaks)?.index ?? 0) + 40)}`).not.toMatch(leaks);
      // What is not personal stays readable.
      expect(text).toContain('39000');
      expect(text).toContain('gold');
      expect(text).toContain('Order Completed');
    }
    const full = JSON.stringify((await as.marketer!.get(`/api/customers/${c.id}/timeline?limit=100`)).body.items);
    expect(full).toContain('timeline.carol@example.com');
    expect(full).toContain('테헤란로 152');
  });
});
