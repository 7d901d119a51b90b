// Integration tests of ingestBatch: storing, deduplication, identity resolution and the
// identity calls (identify traits, alias, group), on PGlite and PostgreSQL.
import { sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { createAttributeDef } from '../customers/attributes.ts';
import { createCustomer } from '../customers/customers.ts';
import { addIdentity } from '../customers/identities.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { createApiKey, revokeApiKey } from '../workspaces/api-keys.ts';
import { systemActor } from '../workspaces/audit.ts';
import { ingestBatch, storeRequests } from './ingest.ts';
import { readMessages } from './segment-message.ts';
import { createKeyCache } from './write-keys.ts';

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

describeEachDb('ingestBatch', (getDb) => {
  let ws: string;
  beforeEach(async () => {
    ws = (await createTestWorkspace(getDb())).workspace.id;
  });

  const db = () => getDb().db;
  async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
    return (await db().execute(query)).rows as T[];
  }
  const eventsOf = (workspaceId = ws) =>
    rows<{ message_id: string; customer_id: string | null; type: string; name: string | null; user_id: string | null; anonymous_id: string | null; session_id: string | null; properties: Record<string, unknown>; timestamp: Date }>(
      sql`select message_id, customer_id, type, name, user_id, anonymous_id, session_id, properties, timestamp from events where workspace_id = ${workspaceId} order by message_id`,
    );
  const ownerOf = async (kind: string, value: string) =>
    (await rows<{ customer_id: string }>(sql`select customer_id from customer_identities where workspace_id = ${ws} and kind = ${kind} and value = ${value}`))[0]?.customer_id;
  const metricsOf = async (customerId: string) =>
    (await rows<{ event_count: number; page_views: number }>(sql`select event_count, page_views from customer_metrics where workspace_id = ${ws} and customer_id = ${customerId}`))[0];

  it('stores valid messages, reports invalid ones and creates the customers of new user ids', async () => {
    const result = await ingestBatch(db(), {
      workspaceId: ws,
      messages: [
        { type: 'page', messageId: 'm1', userId: 'user-1', name: 'Home', context: { sessionId: 's1' }, timestamp: at(3) },
        { type: 'track', messageId: 'm2', userId: 'user-1' }, // no event name
        { type: 'track', messageId: 'm3', anonymousId: 'anon-x', event: 'Product Viewed', properties: { sku: 'A' }, timestamp: at(2) },
      ],
      context: { library: { name: 'test' } },
    });
    expect(result).toEqual({ stored: 2, duplicates: 0, errors: [{ index: 1, message: 'batch[1].event: required for a track call' }] });
    const stored = await eventsOf();
    expect(stored.map((e) => e.message_id)).toEqual(['m1', 'm3']);
    const customer = await ownerOf('user_id', 'user-1');
    expect(customer).toBeDefined();
    expect(stored[0]).toMatchObject({ customer_id: customer, type: 'page', name: 'Home', user_id: 'user-1', session_id: 's1' });
    expect(stored[1]).toMatchObject({ customer_id: null, anonymous_id: 'anon-x', name: 'Product Viewed', properties: { sku: 'A' } });
    const [profile] = await rows<{ source: string }>(sql`select source from customers where workspace_id = ${ws} and id = ${customer}`);
    expect(profile?.source).toBe('events');
    // The effects ran on the stored event of the known customer.
    expect(await metricsOf(customer!)).toMatchObject({ event_count: 1, page_views: 1 });
  });

  it('stores a retried batch once and runs its effects once', async () => {
    const batch = [
      { type: 'page', messageId: 'r1', userId: 'retry-user', timestamp: at(5) },
      { type: 'page', messageId: 'r2', userId: 'retry-user', timestamp: at(4) },
    ];
    expect(await ingestBatch(db(), { workspaceId: ws, messages: batch })).toMatchObject({ stored: 2, duplicates: 0 });
    expect(await ingestBatch(db(), { workspaceId: ws, messages: batch })).toMatchObject({ stored: 0, duplicates: 2 });
    // A messageId repeated within one batch is a duplicate too.
    expect(await ingestBatch(db(), { workspaceId: ws, messages: [batch[0], { ...batch[0], messageId: 'r3' }, { ...batch[0], messageId: 'r3' }] })).toMatchObject({ stored: 1, duplicates: 2 });
    expect((await eventsOf()).map((e) => e.message_id)).toEqual(['r1', 'r2', 'r3']);
    const customer = await ownerOf('user_id', 'retry-user');
    expect(await metricsOf(customer!)).toMatchObject({ event_count: 3, page_views: 3 });
  });

  it('writes nothing when no message is valid', async () => {
    const result = await ingestBatch(db(), { workspaceId: ws, messages: [{ type: 'track', userId: 'nobody-1' }, 'x'] });
    expect(result.stored).toBe(0);
    expect(result.errors.map((e) => e.index)).toEqual([0, 1]);
    expect(await eventsOf()).toEqual([]);
    expect(await ownerOf('user_id', 'nobody-1')).toBeUndefined();
  });

  it('keeps messageIds apart per workspace', async () => {
    const other = (await createTestWorkspace(getDb())).workspace.id;
    const message = { type: 'track', messageId: 'same-id', anonymousId: 'a', event: 'X' };
    expect((await ingestBatch(db(), { workspaceId: ws, messages: [message] })).stored).toBe(1);
    expect((await ingestBatch(db(), { workspaceId: other, messages: [message] })).stored).toBe(1);
    expect(await eventsOf(other)).toHaveLength(1);
  });

  it('links an anonymous visitor to the user who logs in, moving their earlier events', async () => {
    await ingestBatch(db(), { workspaceId: ws, messages: [{ type: 'page', messageId: 'v1', anonymousId: 'visitor-1', timestamp: at(10) }] });
    expect((await eventsOf())[0]!.customer_id).toBeNull();
    await ingestBatch(db(), {
      workspaceId: ws,
      messages: [
        { type: 'track', messageId: 'v2', anonymousId: 'visitor-1', userId: 'member-1', event: 'Signed In', timestamp: at(5) },
        { type: 'page', messageId: 'v3', anonymousId: 'visitor-1', timestamp: at(4) },
      ],
    });
    const customer = await ownerOf('user_id', 'member-1');
    expect(await ownerOf('anonymous_id', 'visitor-1')).toBe(customer);
    expect((await eventsOf()).map((e) => e.customer_id)).toEqual([customer, customer, customer]);
    expect((await metricsOf(customer!))?.event_count).toBeGreaterThanOrEqual(2);
  });

  it('identify updates the profile from traits, and a bad trait is reported while the event is kept', async () => {
    await createAttributeDef(db(), { workspaceId: ws, actor: systemActor, input: { key: 'region', label: 'Region', type: 'enum', options: ['서울', '부산'], purpose: 'service' } });
    const result = await ingestBatch(db(), {
      workspaceId: ws,
      messages: [
        {
          type: 'identify',
          messageId: 'i1',
          userId: 'member-2',
          anonymousId: 'visitor-2',
          traits: { email: 'Jiwoo@Example.com', firstName: '지우', lastName: '한', region: '부산', plan: 'gold', birthday: 'someday' },
        },
      ],
    });
    expect(result.stored).toBe(1);
    expect(result.errors).toEqual([{ index: 0, message: 'batch[0].traits.birthday: "someday" is not a date of birth (YYYY-MM-DD, not in the future)' }]);
    const customer = await ownerOf('user_id', 'member-2');
    expect(await ownerOf('email', 'jiwoo@example.com')).toBe(customer);
    expect(await ownerOf('anonymous_id', 'visitor-2')).toBe(customer);
    const [profile] = await rows<{ name: string; email: string; attributes: Record<string, unknown> }>(sql`select name, email, attributes from customers where workspace_id = ${ws} and id = ${customer}`);
    expect(profile).toEqual({ name: '한지우', email: 'jiwoo@example.com', attributes: { region: '부산' } });
    expect((await eventsOf())[0]).toMatchObject({ customer_id: customer, properties: { plan: 'gold', email: 'Jiwoo@Example.com' } });
  });

  it('identify writes a profile change once: repeated traits change nothing and audit nothing', async () => {
    const send = (messageId: string, name: string) =>
      ingestBatch(db(), { workspaceId: ws, messages: [{ type: 'identify', messageId, userId: 'repeat-user', traits: { name, email: 'repeat@example.com' } }] });
    await send('rep-1', 'Lee');
    await send('rep-2', 'Lee');
    await send('rep-3', 'Lee');
    const customer = await ownerOf('user_id', 'repeat-user');
    const audits = await rows<{ n: number }>(sql`select count(*)::int as n from audit_log where workspace_id = ${ws} and entity_id = ${customer} and action = 'customer.update'`);
    expect(audits[0]!.n).toBe(1);
    await send('rep-4', 'Lee Jiwon');
    const [profile] = await rows<{ name: string }>(sql`select name from customers where workspace_id = ${ws} and id = ${customer}`);
    expect(profile?.name).toBe('Lee Jiwon');
    expect((await eventsOf()).map((e) => e.customer_id)).toEqual([customer, customer, customer, customer]);
  });

  it('identify leaves a deleted profile deleted and unchanged, and still stores the event', async () => {
    await ingestBatch(db(), { workspaceId: ws, messages: [{ type: 'track', messageId: 'del-1', userId: 'gone-user', event: 'X' }] });
    const customer = await ownerOf('user_id', 'gone-user');
    await db().execute(sql`update customers set deleted_at = now() where workspace_id = ${ws} and id = ${customer}`);
    const result = await ingestBatch(db(), { workspaceId: ws, messages: [{ type: 'identify', messageId: 'del-2', userId: 'gone-user', traits: { name: 'Back Again' } }] });
    expect(result).toEqual({ stored: 1, duplicates: 0, errors: [] });
    const [profile] = await rows<{ name: string | null; deleted: boolean }>(sql`select name, deleted_at is not null as deleted from customers where workspace_id = ${ws} and id = ${customer}`);
    expect(profile).toEqual({ name: null, deleted: true });
  });

  it('identify with an e-mail already owned by someone else stores the event and reports the conflict', async () => {
    const owner = await createCustomer(db(), { workspaceId: ws, actor: systemActor, input: { email: 'taken@example.com' } });
    const result = await ingestBatch(db(), { workspaceId: ws, messages: [{ type: 'identify', messageId: 'c1', userId: 'member-3', traits: { email: 'taken@example.com', name: 'Kim' } }] });
    expect(result.stored).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toMatch(/^batch\[0\]\.traits\.email: belongs to another customer/);
    expect(result.errors[0]!.message).toContain(owner.id);
    expect((await eventsOf())[0]!.customer_id).toBe(await ownerOf('user_id', 'member-3'));
  });

  it('identify by e-mail alone finds the known customer and claims the visitor', async () => {
    const known = await createCustomer(db(), { workspaceId: ws, actor: systemActor, input: { email: 'known@example.com', name: 'Known' } });
    await ingestBatch(db(), {
      workspaceId: ws,
      messages: [
        { type: 'page', messageId: 'e1', anonymousId: 'visitor-3', timestamp: at(3) },
        { type: 'identify', messageId: 'e2', anonymousId: 'visitor-3', traits: { email: 'KNOWN@example.com' }, timestamp: at(2) },
      ],
    });
    expect(await ownerOf('anonymous_id', 'visitor-3')).toBe(known.id);
    expect((await eventsOf()).map((e) => e.customer_id)).toEqual([known.id, known.id]);
  });

  it('alias links the previous anonymous id, and merges two known customers', async () => {
    await ingestBatch(db(), { workspaceId: ws, messages: [{ type: 'page', messageId: 'a1', anonymousId: 'old-anon', timestamp: at(9) }] });
    await ingestBatch(db(), { workspaceId: ws, messages: [{ type: 'alias', messageId: 'a2', previousId: 'old-anon', userId: 'new-user', timestamp: at(8) }] });
    const customer = await ownerOf('user_id', 'new-user');
    expect(await ownerOf('anonymous_id', 'old-anon')).toBe(customer);
    expect((await eventsOf()).find((e) => e.message_id === 'a1')!.customer_id).toBe(customer);

    await ingestBatch(db(), { workspaceId: ws, messages: [{ type: 'track', messageId: 'a3', userId: 'legacy-user', event: 'Old', timestamp: at(7) }] });
    const legacy = await ownerOf('user_id', 'legacy-user');
    expect(legacy).not.toBe(customer);
    const result = await ingestBatch(db(), { workspaceId: ws, messages: [{ type: 'alias', messageId: 'a4', previousId: 'legacy-user', userId: 'new-user', timestamp: at(6) }] });
    expect(result).toEqual({ stored: 1, duplicates: 0, errors: [] });
    expect(await ownerOf('user_id', 'legacy-user')).toBe(customer);
    expect((await eventsOf()).find((e) => e.message_id === 'a3')!.customer_id).toBe(customer);
    const [merged] = await rows<{ merged_into_id: string }>(sql`select merged_into_id from customers where workspace_id = ${ws} and id = ${legacy}`);
    expect(merged?.merged_into_id).toBe(customer);
  });

  it('group creates or updates the company and links the customer', async () => {
    await ingestBatch(db(), {
      workspaceId: ws,
      messages: [
        { type: 'group', messageId: 'g1', userId: 'employee-1', groupId: 'acme', traits: { name: 'Acme', industry: 'Retail', website: 'https://www.acme.co.kr/about', employees: 40 } },
        { type: 'group', messageId: 'g2', userId: 'employee-2', groupId: 'acme', traits: { employees: 41 } },
      ],
    });
    const companies = await rows<{ id: string; name: string; domain: string; industry: string; traits: Record<string, unknown> }>(
      sql`select id, name, domain, industry, traits from companies where workspace_id = ${ws}`,
    );
    expect(companies).toHaveLength(1);
    expect(companies[0]).toMatchObject({ name: 'Acme', domain: 'acme.co.kr', industry: 'Retail', traits: { employees: 41 } });
    const links = await rows<{ customer_id: string }>(sql`select customer_id from customer_companies where workspace_id = ${ws} and company_id = ${companies[0]!.id} order by customer_id`);
    expect(links.map((l) => l.customer_id).sort()).toEqual([await ownerOf('user_id', 'employee-1'), await ownerOf('user_id', 'employee-2')].sort());
  });

  it('a visitor known by an anonymous id already keeps their events when another user shares the device', async () => {
    const first = await createCustomer(db(), { workspaceId: ws, actor: systemActor, input: { email: 'first@example.com' } });
    await addIdentity(db(), { workspaceId: ws, actor: systemActor, customerId: first.id, kind: 'anonymous_id', value: 'shared-device' });
    await ingestBatch(db(), { workspaceId: ws, messages: [{ type: 'page', messageId: 'd1', userId: 'second-user', anonymousId: 'shared-device' }, { type: 'page', messageId: 'd2', anonymousId: 'shared-device' }] });
    expect(await ownerOf('anonymous_id', 'shared-device')).toBe(first.id);
    const [d1, d2] = await eventsOf();
    expect(d1!.customer_id).toBe(await ownerOf('user_id', 'second-user'));
    expect(d2!.customer_id).toBe(first.id);
  });

  it('concurrent batches with the same new user ids create one customer each', async () => {
    const batch = (tag: string) => Array.from({ length: 20 }, (_, i) => ({ type: 'track', messageId: `${tag}-${i}`, userId: `concurrent-${i % 5}`, event: 'X' }));
    const results = await Promise.all(['p', 'q', 'r', 's'].map((tag) => ingestBatch(db(), { workspaceId: ws, messages: batch(tag) })));
    expect(results.map((r) => r.stored)).toEqual([20, 20, 20, 20]);
    const owners = await rows<{ n: number }>(sql`select count(distinct customer_id)::int as n from customer_identities where workspace_id = ${ws} and kind = 'user_id'`);
    expect(owners[0]!.n).toBe(5);
    const customers = await rows<{ n: number }>(sql`select count(*)::int as n from customers where workspace_id = ${ws}`);
    expect(customers[0]!.n).toBe(5);
    const orphans = await rows<{ n: number }>(sql`select count(*)::int as n from events e where workspace_id = ${ws} and not exists (select 1 from customers c where c.workspace_id = e.workspace_id and c.id = e.customer_id)`);
    expect(orphans[0]!.n).toBe(0);
  });

  it('stores several requests in one transaction, each with its own counts and error paths', async () => {
    const receivedAt = new Date();
    const read = (messages: unknown[]) => readMessages(messages, { receivedAt }).messages;
    const results = await storeRequests(db(), {
      workspaceId: ws,
      requests: [
        { messages: read([{ type: 'track', messageId: 'g-1', userId: 'grouped', event: 'A' }, { type: 'track', messageId: 'g-2', userId: 'grouped', event: 'B' }]), pathOf: (i) => `batch[${i}]` },
        {
          messages: read([{ type: 'identify', messageId: 'g-3', userId: 'grouped', traits: { email: 'not-an-email' } }, { type: 'track', messageId: 'g-1', userId: 'grouped', event: 'A' }]),
          pathOf: () => 'body',
        },
      ],
    });
    expect(results).toEqual([
      { stored: 2, duplicates: 0, errors: [] },
      { stored: 1, duplicates: 1, errors: [{ index: 0, message: 'body.traits.email: "not-an-email" is not an e-mail address' }] },
    ]);
    expect((await eventsOf()).map((e) => e.message_id)).toEqual(['g-1', 'g-2', 'g-3']);
  });

  it('works inside a caller transaction (as a savepoint)', async () => {
    await db().transaction(async (tx) => {
      const result = await ingestBatch(tx, { workspaceId: ws, messages: [{ type: 'track', messageId: 't1', anonymousId: 'a', event: 'X' }] });
      expect(result.stored).toBe(1);
    });
    expect(await eventsOf()).toHaveLength(1);
  });

  it('the key cache resolves a key once and notices revocation after its lifetime', async () => {
    const { key, apiKey } = await createApiKey(db(), { workspaceId: ws, actor: systemActor, actorRole: 'owner', kind: 'write', name: 'site' });
    let now = 1_000_000;
    const cache = createKeyCache({ ttlMs: 5000, now: () => now });
    expect((await cache.resolve(db(), key))?.workspaceId).toBe(ws);
    await revokeApiKey(db(), { workspaceId: ws, actor: systemActor, id: apiKey.id });
    now += 4000;
    expect((await cache.resolve(db(), key))?.id).toBe(apiKey.id); // still cached
    now += 1001;
    expect(await cache.resolve(db(), key)).toBeUndefined();
    expect(await cache.resolve(db(), 'wk_unknown')).toBeUndefined();
  });
});
