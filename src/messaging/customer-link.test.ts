// The messaging area in a customer's life, through the customers area's own functions: merge and
// its undo, stitching an anonymous visitor, privacy erase (nothing of the person left in any
// table, counts kept), access-request export and the timeline (masked without pii.read).
import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { identify } from '../customers/identities.ts';
import { mergeCustomers, undoMerge } from '../customers/merge.ts';
import { eraseCustomer, exportCustomerData } from '../customers/privacy.ts';
import { customerTimeline } from '../customers/timeline.ts';
import type { Queryable } from '../db/connection.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { systemActor } from '../workspaces/audit.ts';
import { addChannel, addCustomers } from './delivery-test-fixture.ts';
import { browserKeys, fcmEndpoint } from './push-test-fixture.ts';
import { messages, messageTemplates, pushSubscriptions, sandboxMessages } from './schema.ts';
import { packContent } from './content-pack.ts';
import { recordStatuses } from './status.ts';
import { addSuppression, isSuppressedMany } from './suppressions.ts';

type MessageOpts = { channelId: string; customerId: string | null; to: string; kind?: string; key?: string; templateId?: string | null; status?: string; reason?: string | null; extra?: Record<string, unknown> };

async function addMessage(db: Queryable, workspaceId: string, opts: MessageOpts): Promise<string> {
  const id = uuidv7();
  await db.insert(messages).values({
    workspaceId,
    id,
    idempotencyKey: opts.key ?? `link:${id}`,
    customerId: opts.customerId,
    channelId: opts.channelId,
    kind: opts.kind ?? 'email',
    purpose: 'marketing',
    lane: 'bulk',
    status: opts.status ?? 'sent',
    reason: opts.reason ?? null,
    toAddress: opts.to,
    templateId: opts.templateId ?? null,
    templateVersion: opts.templateId ? 1 : null,
    sendAt: clock.now(),
    sentAt: opts.status === 'suppressed' ? null : clock.now(),
    createdAt: clock.now(),
    ...opts.extra,
  });
  return id;
}

async function addPushSubscription(db: Queryable, workspaceId: string, opts: { customerId?: string | null; anonymousId?: string | null }): Promise<string> {
  const id = uuidv7();
  await db.insert(pushSubscriptions).values({ workspaceId, id, customerId: opts.customerId ?? null, anonymousId: opts.anonymousId ?? null, endpoint: fcmEndpoint(), ...browserKeys(), userAgent: 'Chrome' });
  return id;
}

async function owners(db: Queryable, workspaceId: string, table: 'messages' | 'push_subscriptions', ids: string[]): Promise<(string | null)[]> {
  const { rows } = await db.execute<{ id: string; customer_id: string | null }>(sql`select id, customer_id from ${sql.identifier(table)} where workspace_id = ${workspaceId}::uuid and id = any(${sql.param(ids)}::uuid[])`);
  return ids.map((id) => rows.find((r) => r.id === id)?.customer_id ?? null);
}

describeEachDb('messaging customer link', (getDb) => {
  afterEach(() => clock.reset());

  it('messages and push subscriptions move with a merge and back with its undo; a visitor’s subscription is claimed', async () => {
    const { db } = getDb();
    const ws = (await createTestWorkspace(getDb())).workspace.id;
    const [keep, other] = await addCustomers(db, ws, [
      { email: 'keep@example.com', name: 'Keep' },
      { email: 'other@example.com', name: 'Other' },
    ]);
    const channelId = await addChannel(db, ws, { kind: 'email', provider: 'sandbox' });
    const m1 = await addMessage(db, ws, { channelId, customerId: other!, to: 'other@example.com' });
    const m2 = await addMessage(db, ws, { channelId, customerId: keep!, to: 'keep@example.com' });
    const s1 = await addPushSubscription(db, ws, { customerId: other! });
    const { merge } = await db.transaction((tx) => mergeCustomers(tx, { workspaceId: ws, actor: systemActor, survivorId: keep!, mergedId: other! }));
    expect(await owners(db, ws, 'messages', [m1, m2])).toEqual([keep, keep]);
    expect(await owners(db, ws, 'push_subscriptions', [s1])).toEqual([keep]);
    await db.transaction((tx) => undoMerge(tx, { workspaceId: ws, actor: systemActor, mergeId: merge.id }));
    expect(await owners(db, ws, 'messages', [m1, m2])).toEqual([other, keep]);
    expect(await owners(db, ws, 'push_subscriptions', [s1])).toEqual([other]);

    const visitor = await addPushSubscription(db, ws, { anonymousId: 'anon-visitor-1' });
    const { customer } = await db.transaction((tx) => identify(tx, { workspaceId: ws, actor: systemActor, input: { anonymousId: 'anon-visitor-1', email: 'keep@example.com' } }));
    expect(customer.id).toBe(keep);
    expect(await owners(db, ws, 'push_subscriptions', [visitor])).toEqual([keep]);
  });

  it('an erase leaves nothing of the person in any table, keeps the counts and the suppression hash', async () => {
    const { db } = getDb();
    const ws = (await createTestWorkspace(getDb())).workspace.id;
    const token = `dana.erase${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const email = `${token}@example.com`;
    const digits = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
    const phone = `+8210${digits}`;
    const [customerId] = await addCustomers(db, ws, [{ email, phone, name: 'Dana' }]);
    const emailChannel = await addChannel(db, ws, { kind: 'email', provider: 'sandbox' });
    const smsChannel = await addChannel(db, ws, { kind: 'sms', provider: 'sandbox' });
    const personal = {
      // An e-mail's content is stored packed (content-pack.ts): invisible to the text search below, checked on its own.
      contentPacked: packContent({ subject: `Hi ${email}`, html: `<p>${email}</p><a href="https://shop.example.com/?u=${encodeURIComponent(email)}">go</a>`, text: email }),
      source: { subject: 'Hi {{ data.email }}', body: `sent to ${email}` },
      data: { email, note: `call ${phone}` },
      links: [`https://shop.example.com/?u=${encodeURIComponent(email)}`],
    };
    const linked = await addMessage(db, ws, { channelId: emailChannel, customerId: customerId!, to: email, key: `welcome:${email}`, extra: personal });
    const sms = await addMessage(db, ws, { channelId: smsChannel, customerId: customerId!, kind: 'sms', to: phone, extra: { content: { text: `${phone} 고객님` } } });
    // Sent with `to` only, before anyone linked it to the customer.
    const unlinked = await addMessage(db, ws, { channelId: emailChannel, customerId: null, to: email.toUpperCase(), status: 'sending', extra: personal });
    await recordStatuses(db, [
      { workspaceId: ws, messageId: linked, status: 'delivered', detail: { answer: `250 ok <${email}>` } },
      { workspaceId: ws, messageId: linked, status: 'clicked', detail: { link: 0 } },
      { workspaceId: ws, messageId: unlinked, status: 'failed', reason: `550 5.1.1 <${email}> unknown`, detail: { code: '5.1.1' } },
    ]);
    await db.insert(sandboxMessages).values([
      { workspaceId: ws, id: uuidv7(), messageId: linked, kind: 'email', toAddress: email, subject: `Hi ${email}`, html: `<p>${email}</p>`, text: email, raw: `To: ${email}\r\n\r\n${email}` },
      { workspaceId: ws, id: uuidv7(), messageId: null, kind: 'email', toAddress: `Dana <${email}>`, subject: 'test', text: 'a test send' },
      { workspaceId: ws, id: uuidv7(), messageId: sms, kind: 'sms', toAddress: phone, text: `${phone} 고객님` },
    ]);
    await addPushSubscription(db, ws, { customerId: customerId! });
    await addSuppression(db, { workspaceId: ws, kind: 'email', address: email, reason: 'hard_bounce', detail: '5.1.1' });
    const historyBefore = await countHistory(db, ws);

    await db.transaction((tx) => eraseCustomer(tx, { workspaceId: ws, actor: systemActor, customerId: customerId! }));

    // Every base table, each row as text: neither the e-mail's unique part nor the phone's digits anywhere.
    expect(await tablesHolding(db, `%${token}%`, ws)).toEqual({});
    expect(await tablesHolding(db, `%${digits}%`, ws, { digits: true })).toEqual({});
    // The rows stay for the counts, with their statuses.
    const { rows } = await db.execute<{ id: string; status: string; reason: string | null; customer_id: string | null }>(
      sql`select id, status, reason, customer_id from messages where workspace_id = ${ws}::uuid order by id`,
    );
    expect(rows.map((r) => [r.id, r.status])).toEqual([linked, sms, unlinked].sort().map((id) => [id, id === linked ? 'clicked' : id === sms ? 'sent' : 'failed']));
    expect(rows.find((r) => r.id === unlinked)!.reason).toBeNull();
    const { rows: packed } = await db.execute<{ n: number }>(sql`select count(*)::int as n from messages where workspace_id = ${ws}::uuid and content_packed is not null`);
    expect(Number(packed[0]!.n)).toBe(0);
    expect(await countHistory(db, ws)).toBe(historyBefore);
    const { rows: left } = await db.execute<{ n: number }>(sql`select count(*)::int as n from sandbox_messages where workspace_id = ${ws}::uuid`);
    expect(Number(left[0]!.n)).toBe(0);
    const { rows: devices } = await db.execute<{ n: number }>(sql`select count(*)::int as n from push_subscriptions where workspace_id = ${ws}::uuid`);
    expect(Number(devices[0]!.n)).toBe(0);
    // The address stays suppressed: the list holds its hash.
    expect((await isSuppressedMany(db, ws, 'email', [email])).size).toBe(1);
    // Every table is read whole: slow on a shared server busy with other tests.
  }, 180_000);

  it('exports the messages with their history, and puts each on the timeline (masked without pii.read)', async () => {
    const { db } = getDb();
    const ws = (await createTestWorkspace(getDb())).workspace.id;
    const [customerId] = await addCustomers(db, ws, [{ email: 'timeline@example.com', name: 'Tim' }]);
    const channelId = await addChannel(db, ws, { kind: 'email', provider: 'sandbox' });
    const templateId = uuidv7();
    await db.insert(messageTemplates).values({ workspaceId: ws, id: templateId, name: 'Spring sale', kind: 'email' });
    clock.set(new Date('2026-04-01T09:00:00Z'));
    const sent = await addMessage(db, ws, { channelId, customerId: customerId!, to: 'timeline@example.com', templateId, extra: { contentPacked: packContent({ subject: 'Spring' }) } });
    await recordStatuses(db, [{ workspaceId: ws, messageId: sent, status: 'opened' }]);
    clock.set(new Date('2026-04-02T09:00:00Z'));
    const refused = await addMessage(db, ws, { channelId, customerId: customerId!, to: 'timeline@example.com', status: 'suppressed', reason: 'no_consent' });

    const exported = (await exportCustomerData(db, { workspaceId: ws, customerId: customerId! })) as { messaging: { messages: { id: string; template: string | null; content: unknown; history: { status: string }[] }[] } };
    expect(exported.messaging.messages.map((m) => m.id)).toEqual([refused, sent]);
    expect(exported.messaging.messages[1]).toMatchObject({ template: 'Spring sale', content: { subject: 'Spring' }, history: [{ status: 'queued' }, { status: 'opened' }] });

    const page = await customerTimeline(db, { workspaceId: ws, customerId: customerId!, limit: 50, pii: true });
    const entries = page.items.filter((e) => e.area === 'messaging');
    expect(entries.map((e) => [e.id, e.title])).toEqual([
      [`message:${refused}`, 'E-mail · marketing message · suppressed (no_consent)'],
      [`message:${sent}`, 'E-mail · Spring sale · opened'],
    ]);
    expect(entries[0]!.data).toMatchObject({ channel: 'email', status: 'suppressed', reason: 'no_consent', to: 'timeline@example.com' });
    const masked = await customerTimeline(db, { workspaceId: ws, customerId: customerId!, limit: 50, pii: false });
    const mine = masked.items.filter((e) => e.area === 'messaging');
    expect(mine.map((e) => e.data.to)).toEqual(['ti***@example.com', 'ti***@example.com']);
    expect(JSON.stringify(mine)).not.toContain('timeline@example.com');
    // Paging through the timeline one entry at a time meets each message once.
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const p = await customerTimeline(db, { workspaceId: ws, customerId: customerId!, limit: 1, cursor, pii: true });
      seen.push(...p.items.filter((e) => e.area === 'messaging').map((e) => e.id));
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    expect(seen).toEqual([`message:${refused}`, `message:${sent}`]);
  });
});

async function countHistory(db: Queryable, ws: string): Promise<number> {
  const { rows } = await db.execute<{ n: number }>(sql`select count(*)::int as n from message_status_history where workspace_id = ${ws}::uuid`);
  return Number(rows[0]!.n);
}

/**
 * Every base table (each row as text) holding `like`: the workspace's rows of tables that have
 * workspace_id, all rows of the others. `digits`: compared without separators as well.
 */
async function tablesHolding(db: Queryable, like: string, workspaceId: string, opts: { digits?: boolean } = {}): Promise<Record<string, number>> {
  const { rows: tables } = await db.execute<{ table_name: string; scoped: boolean }>(sql`
    select t.table_name, exists (select 1 from information_schema.columns c where c.table_schema = t.table_schema and c.table_name = t.table_name and c.column_name = 'workspace_id') as scoped
    from information_schema.tables t where t.table_schema = current_schema() and t.table_type = 'BASE TABLE' order by t.table_name`);
  expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['messages', 'message_status_history', 'sandbox_messages', 'push_subscriptions', 'suppressions', 'events']));
  const found: Record<string, number> = {};
  for (const { table_name, scoped } of tables) {
    const where = scoped ? sql`x.workspace_id = ${workspaceId}::uuid and` : sql``;
    const match = opts.digits ? sql`(x::text ilike ${like} or regexp_replace(x::text, '[\\s().-]', '', 'g') ilike ${like})` : sql`x::text ilike ${like}`;
    const { rows } = await db.execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table_name)} x where ${where} ${match}`);
    if (Number(rows[0]!.n) > 0) found[table_name] = Number(rows[0]!.n);
  }
  return found;
}
