import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { compileSegment } from '../segments/compile.ts';
import { compileContext } from '../segments/membership.ts';
import { addChannel, addCustomers, addMessageRow } from './delivery-test-fixture.ts';
import { nextStatus, recordStatuses } from './status.ts';

describe('nextStatus', () => {
  it.each([
    ['queued', 'sending', 'sending'],
    ['sending', 'sent', 'sent'],
    ['sent', 'delivered', 'delivered'],
    ['delivered', 'opened', 'opened'],
    ['opened', 'delivered', 'opened'],
    ['clicked', 'opened', 'clicked'],
    ['sending', 'queued', 'queued'],
    ['sent', 'queued', 'sent'],
    ['sent', 'failed', 'sent'],
    ['opened', 'unsubscribed', 'unsubscribed'],
  ] as const)('%s then %s → %s', (current, next, expected) => {
    expect(nextStatus(current, next)).toBe(expected);
  });
});

describeEachDb('recordStatuses', (getDb) => {
  afterEach(() => clock.reset());

  it('keeps the furthest status, records every change in the history and tells the customer events once', async () => {
    const { db } = getDb();
    const { workspace } = await createTestWorkspace(getDb());
    const ws = workspace.id;
    const [customerId] = await addCustomers(db, ws, [{ email: 'status@example.com', name: 'Status' }]);
    const channelId = await addChannel(db, ws, { kind: 'email', provider: 'sandbox' });
    const id = await addMessageRow(db, ws, { channelId, customerId, status: 'sending' });
    const other = await addMessageRow(db, ws, { channelId, customerId, status: 'sending' });
    const t0 = new Date('2026-05-01T01:00:00Z');
    clock.set(t0);

    // Sent and delivered in one batch (a provider that knows at once), another message retried.
    await recordStatuses(db, [
      { workspaceId: ws, messageId: id, status: 'sent', providerMessageId: 'p-1' },
      { workspaceId: ws, messageId: id, status: 'delivered', at: new Date(t0.getTime() + 1000) },
      { workspaceId: ws, messageId: other, status: 'queued', reason: 'smtp 451', sendAt: new Date(t0.getTime() + 60_000) },
    ]);
    await recordStatuses(db, [{ workspaceId: ws, messageId: id, status: 'opened', at: new Date(t0.getTime() + 5000) }]);
    // A late receipt does not move it back; a second open is one event.
    await recordStatuses(db, [
      { workspaceId: ws, messageId: id, status: 'delivered', at: new Date(t0.getTime() + 6000) },
      { workspaceId: ws, messageId: id, status: 'opened', at: new Date(t0.getTime() + 7000) },
    ]);

    const { rows } = await db.execute<{ id: string; status: string; reason: string | null; provider_message_id: string | null; sent_at: string; delivered_at: string; opened_at: string; send_at: string; locked_by: string | null }>(
      sql`select id, status, reason, provider_message_id, sent_at, delivered_at, opened_at, send_at, locked_by from messages where workspace_id = ${ws}::uuid order by id`,
    );
    const m = rows.find((r) => r.id === id)!;
    expect(m.status).toBe('opened');
    expect(m.provider_message_id).toBe('p-1');
    expect(new Date(m.sent_at).toISOString()).toBe(t0.toISOString());
    expect(new Date(m.delivered_at).toISOString()).toBe(new Date(t0.getTime() + 1000).toISOString());
    expect(new Date(m.opened_at).toISOString()).toBe(new Date(t0.getTime() + 5000).toISOString());
    const o = rows.find((r) => r.id === other)!;
    expect(o.status).toBe('queued');
    expect(o.reason).toBe('smtp 451');
    expect(new Date(o.send_at).toISOString()).toBe(new Date(t0.getTime() + 60_000).toISOString());

    const { rows: history } = await db.execute<{ status: string }>(sql`select status from message_status_history where workspace_id = ${ws}::uuid and message_id = ${id}::uuid order by at, id`);
    expect(history.map((h) => h.status)).toEqual(['sent', 'delivered', 'opened', 'delivered', 'opened']);

    const { rows: events } = await db.execute<{ name: string; message_id: string; properties: Record<string, unknown>; customer_id: string }>(
      sql`select name, message_id, properties, customer_id from events where workspace_id = ${ws}::uuid order by name`,
    );
    expect(events.map((e) => e.name)).toEqual(['Message Delivered', 'Message Opened', 'Message Sent']);
    expect(events[1]!.message_id).toBe(`message:${id}:opened`);
    expect(events[1]!.customer_id).toBe(customerId);
    expect(events[1]!.properties).toMatchObject({ channel: 'email', purpose: 'marketing', message_id: id, origin: 'api' });
    expect(JSON.stringify(events)).not.toContain('status@example.com');

    // A segment on "performed Message Opened in the last 30 days" finds the customer.
    const def = { type: 'event' as const, name: 'Message Opened', within: { days: 30 } };
    const { rows: members } = await db.execute<{ customer_id: string }>(compileSegment(def, compileContext({ workspaceId: ws, now: new Date(t0.getTime() + 86_400_000) })));
    expect(members.map((r) => r.customer_id)).toEqual([customerId]);
  });
});
