// The segment preview is no oracle of personal data for roles without pii.read: conditions on
// personal event properties and attributes, at any depth, are refused; texts that are e-mails or
// phones count as absent whatever their key.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb, type TestWorkspace } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops } from '../http/test-client.ts';
import type { Role } from '../workspaces/roles.ts';

describeEachDb('segment preview PII guard', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let ownerA: Client;
  let as: Record<Role, Client>;

  beforeAll(async () => {
    ({ app, a, ownerA, as } = await createTwoShops(getDb()));
    expect((await ownerA.post('/api/customer-attributes', { key: 'personal_email', label: 'Personal e-mail', type: 'text', purpose: 'service' })).status).toBe(201);
    expect((await ownerA.post('/api/customer-attributes', { key: 'backup', label: 'Backup contact', type: 'text', purpose: 'service' })).status).toBe(201);
    const c = await ownerA.post('/api/customers', { name: '오라클', attributes: { personal_email: 'carol.s@example.com', backup: '010-3141-5926' } });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    await getDb().db.execute(sql`
      insert into events (workspace_id, id, message_id, customer_id, type, name, properties, context, timestamp)
      values (${a.workspace.id}, ${uuidv7()}, ${uuidv7()}, ${c.body.id}, 'track', 'Signed Up',
        ${JSON.stringify({ email: 'carol.s@example.com', contact: 'carol.s@example.com', customer: { email: 'carol.s@example.com' }, billing: { phone: '010-3141-5926' }, plan: 'gold' })}::jsonb, '{}'::jsonb, now())`);
  });
  afterAll(async () => {
    await app.close();
  });

  const preview = (client: Client, definition: unknown) => client.post('/api/segments/preview', { definition, exact: true });
  const event = (field: string, value = 'carol.s') => ({ type: 'event', name: 'Signed Up', where: [{ field, op: 'starts_with', value }] });

  it.each([
    ['an event property', event('email'), 'definition.where[0].field'],
    ['a nested event property', event('customer.email'), 'definition.where[0].field'],
    ['a phone in a nested property', event('billing.phone', '010'), 'definition.where[0].field'],
    ['a condition nested in and/not', { and: [{ type: 'event', name: 'Signed Up' }, { not: { not: event('email') } }] }, 'definition.and[1].not.not.where[0].field'],
    ['a personal custom attribute', { type: 'attribute', field: 'attributes.personal_email', op: 'starts_with', value: 'carol.s' }, 'definition.field'],
  ])('refuses %s to viewers and analysts, naming where it is', async (_what, definition, path) => {
    for (const role of ['viewer', 'analyst'] as const) {
      const res = await preview(as[role]!, definition);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.message).toContain(path);
    }
    const full = await preview(as.marketer!, definition);
    expect(full.status).toBe(200);
    expect(full.body.count).toBe(1);
  });

  it('refuses the same oracle in the customer list filter: a personal custom attribute', async () => {
    const filter = encodeURIComponent(JSON.stringify([{ field: 'attributes.personal_email', op: 'starts_with', value: 'carol.s' }]));
    for (const role of ['viewer', 'analyst'] as const) {
      const res = await as[role]!.get(`/api/customers?filter=${filter}`);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.message).toContain('query.filter[0].field');
    }
    expect((await as.marketer!.get(`/api/customers?filter=${filter}`)).body.items).toHaveLength(1);
    // Nor does the profile show such attributes in clear.
    const listed = JSON.stringify((await as.viewer!.get('/api/customers')).body.items);
    expect(listed).toContain('personal_email');
    expect(listed).not.toMatch(/carol\.s|3141/);
  });

  it('treats e-mail and phone values under other keys as absent for viewers and analysts', async () => {
    const byValue = [event('contact'), { type: 'attribute', field: 'attributes.backup', op: 'starts_with', value: '010-3141' }, { type: 'event', name: 'Signed Up', where: [{ field: 'contact', op: 'eq', value: 'carol.s@example.com' }] }];
    for (const definition of byValue) {
      for (const role of ['viewer', 'analyst'] as const) {
        const res = await preview(as[role]!, definition);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.count).toBe(0);
      }
      expect((await preview(as.marketer!, definition)).body.count).toBe(1);
    }
    // Conditions on what is not personal still answer.
    expect((await preview(as.viewer!, { type: 'event', name: 'Signed Up', where: [{ field: 'plan', op: 'eq', value: 'gold' }] })).body.count).toBe(1);
  });
});
