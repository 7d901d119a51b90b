// Tests of GET /api/messaging/stats on both databases: each outcome counted once on the day it
// happened in the workspace's time zone (Asia/Seoul: 15:00 UTC is the next day's midnight), by
// channel and by day with empty days kept, and the range's checks.
import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { describeEachDb, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops } from '../http/test-client.ts';
import { createMessage } from './send.ts';
import { recordStatuses } from './status.ts';
import type { MessageStatus } from './types.ts';

const env = { RAPPORT_SECRET_KEY: crypto.randomBytes(32).toString('base64') };
const t = (iso: string) => new Date(iso);

describeEachDb('messaging stats', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let ownerA: Client;
  let ownerB: Client;

  beforeAll(async () => {
    ({ app, a, ownerA, ownerB } = await createTwoShops(getDb(), { env, names: ['Stats A', 'Stats B'] }));
    const customer = await ownerA.post('/api/customers', { name: '통계', email: 'stats@example.com' });
    const db = getDb().db;
    const workspaceId = a.workspace.id;
    const make = async (kind: 'email' | 'sms', to: string, opts: { customerId?: string; purpose?: 'marketing' | 'transactional'; at?: Date } = {}) => {
      if (opts.at) clock.set(opts.at);
      const { message } = await createMessage(db, {
        workspaceId,
        kind,
        to,
        customerId: opts.customerId,
        content: { subject: 's', body: 'b' },
        purpose: opts.purpose ?? 'transactional',
        idempotencyKey: crypto.randomUUID(),
      });
      clock.reset();
      return message.id;
    };
    const m1 = await make('email', 'one@example.com');
    const m2 = await make('sms', '010-1111-2222');
    const m3 = await make('email', 'three@example.com');
    const early = await make('email', 'early@example.com');
    const m5 = await make('sms', '010-3333-4444');
    await make('email', 'stats@example.com', { customerId: customer.body.id, purpose: 'marketing', at: t('2026-03-02T03:00:00Z') }); // suppressed: no consent
    const at = (messageId: string, status: MessageStatus, iso: string) => ({ workspaceId, messageId, status, at: t(iso) });
    await recordStatuses(db, [
      at(m1, 'sent', '2026-03-01T15:30:00Z'), // KST 03-02 00:30
      at(m1, 'delivered', '2026-03-01T15:31:00Z'),
      at(m1, 'opened', '2026-03-02T16:00:00Z'), // KST 03-03 01:00
      at(m2, 'sent', '2026-02-28T15:00:00Z'), // KST 03-01 00:00: the range's first instant
      at(m3, 'sent', '2026-03-01T01:00:00Z'),
      at(m3, 'bounced', '2026-03-01T01:05:00Z'),
      at(early, 'sent', '2026-02-28T14:59:59Z'), // KST 02-28 23:59:59: before the range
      at(m5, 'failed', '2026-03-02T20:00:00Z'), // KST 03-03 05:00
    ]);
    await recordStatuses(db, [at(m1, 'clicked', '2026-03-02T16:05:00Z')]);
  });
  afterEach(() => clock.reset());
  afterAll(async () => {
    await app.close();
  });

  const zero = { sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, suppressed: 0, failed: 0 };

  it('counts each outcome on its day in the workspace’s time zone, by channel and by day', async () => {
    const res = await ownerA.get('/api/messaging/stats?from=2026-03-01&to=2026-03-03');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ from: '2026-03-01', to: '2026-03-03', timeZone: 'Asia/Seoul' });
    expect(res.body.totals).toEqual({ sent: 3, delivered: 1, opened: 1, clicked: 1, bounced: 1, suppressed: 1, failed: 1 });
    expect(res.body.byDay).toEqual([
      { day: '2026-03-01', ...zero, sent: 2, bounced: 1 },
      { day: '2026-03-02', ...zero, sent: 1, delivered: 1, suppressed: 1 },
      { day: '2026-03-03', ...zero, opened: 1, clicked: 1, failed: 1 },
    ]);
    const byKind = Object.fromEntries(res.body.byChannel.map(({ kind, ...c }: { kind: string }) => [kind, c]));
    expect(byKind.email).toEqual({ ...zero, sent: 2, delivered: 1, opened: 1, clicked: 1, bounced: 1, suppressed: 1 });
    expect(byKind.sms).toEqual({ ...zero, sent: 1, failed: 1 });
    expect(byKind.push).toEqual(zero);
  });

  it('includes the day before only when asked, and shows another workspace nothing', async () => {
    const wider = await ownerA.get('/api/messaging/stats?from=2026-02-28&to=2026-02-28');
    expect(wider.body.totals.sent).toBe(1);
    const theirs = await ownerB.get('/api/messaging/stats?from=2026-02-01&to=2026-03-31');
    expect(theirs.status).toBe(200);
    expect(theirs.body.totals).toEqual(zero);
    expect(theirs.body.byDay).toHaveLength(59);
  });

  it('defaults to the last 30 days up to today', async () => {
    clock.set(t('2026-03-03T16:00:00Z')); // KST 03-04 01:00
    const res = await ownerA.get('/api/messaging/stats');
    expect(res.body).toMatchObject({ from: '2026-02-03', to: '2026-03-04' });
    expect(res.body.byDay).toHaveLength(30);
    expect(res.body.totals.sent).toBe(4);
  });

  it.each([
    ['from=2026-03-05&to=2026-03-01', 'query.to'],
    ['from=2024-01-01&to=2026-03-01', 'query.from'],
    ['from=2026-02-30', 'query.from'],
    ['to=yesterday', 'query.to'],
  ])('refuses %s with a 400 naming %s', async (query, path) => {
    const res = await ownerA.get(`/api/messaging/stats?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain(path);
  });
});
