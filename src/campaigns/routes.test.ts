import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { describeEachDb } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { createTwoShops, type TwoShops } from '../http/test-client.ts';
import { addCustomers, granted } from '../messaging/delivery-test-fixture.ts';
import { runEnqueue, addMembers } from './test-fixture.ts';

describeEachDb('campaigns API', (getDb) => {
  let s: TwoShops;
  let segmentId: string;
  let templateA: string;
  let templateB: string;
  let customerIds: string[];
  beforeAll(async () => {
    s = await createTwoShops(getDb(), { names: ['캠페인샵', 'Other shop'] });
    const db = getDb().db;
    customerIds = await addCustomers(db, s.a.workspace.id, Array.from({ length: 200 }, (_, i) => ({ email: `r${i}@campaign-api.test`, phone: `010-5555-${String(1000 + i)}`, name: `수신자${i}`, consents: granted('email', 'marketing', 'night_ads') })));
    const segment = await s.ownerA.post('/api/segments', { name: '캠페인 대상', kind: 'static' });
    expect(segment.status).toBe(201);
    segmentId = segment.body.id;
    await addMembers(db, s.a.workspace.id, segmentId, customerIds);
    const template = async (v: string) => {
      const res = await s.ownerA.post('/api/templates', { name: `시안 ${v}`, kind: 'email', format: 'html', purpose: 'marketing', subject: `[${v}] {{ customer.name }}님`, body: `<p>${v}</p>` });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    templateA = await template('A');
    templateB = await template('B');
  }, 120_000);
  afterAll(async () => {
    await s?.app.close();
  });
  afterEach(() => clock.reset());

  const body = () => ({
    name: '휴면 고객 A/B',
    kind: 'email',
    audience: { segmentIds: [segmentId] },
    variants: [
      { templateId: templateA, share: 45 },
      { templateId: templateB, share: 45 },
    ],
    holdoutShare: 10,
  });

  it('creates, changes and lists campaigns within the workspace; other workspaces and roles without messaging.write are refused', async () => {
    const created = await s.ownerA.post('/api/campaigns', body());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', holdoutShare: 10, variants: [{ key: 'A', name: '시안 A', share: 45 }, { key: 'B', name: '시안 B' }], goal: { event: 'Order Completed', windowDays: 7 } });
    const id = created.body.id as string;
    const renamed = await s.ownerA.patch(`/api/campaigns/${id}`, { name: '휴면 고객 재활성화' });
    expect(renamed.body.name).toBe('휴면 고객 재활성화');
    expect((await s.ownerA.get('/api/campaigns')).body.items.map((c: { id: string }) => c.id)).toContain(id);

    expect((await s.ownerB.get(`/api/campaigns/${id}`)).status).toBe(404);
    expect((await s.ownerB.post(`/api/campaigns/${id}/schedule`, {})).status).toBe(404);
    expect((await s.ownerB.get('/api/campaigns')).body.items).toEqual([]);
    // Workspace B cannot aim a campaign at A's segment.
    expect((await s.ownerB.post('/api/campaigns', body())).status).toBe(404);
    for (const role of ['viewer', 'analyst', 'sales', 'support'] as const) {
      expect((await s.as[role].post('/api/campaigns', body())).status, role).toBe(403);
      expect((await s.as[role].get(`/api/campaigns/${id}`)).status, role).toBe(200);
    }
    expect((await s.as.marketer.post('/api/campaigns', body())).status).toBe(201);

    const wrong = await s.ownerA.post('/api/campaigns', { ...body(), holdoutShare: 20 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/^variants: the shares and the holdout must add up to 100 \(they add up to 110\)/);
  });

  it('counts the audience live, sends, and reports conversions per group with the uplift against the holdout', async () => {
    const db = getDb().db;
    const ws = s.a.workspace.id;
    const count = await s.ownerA.post('/api/campaigns/audience-count', { audience: { segmentIds: [segmentId] } });
    expect(count.body).toEqual({ total: 200, globalControl: 0, targeted: 200 });

    clock.set(new Date('2026-06-01T01:00:00Z'));
    const created = await s.ownerA.post('/api/campaigns', body());
    const id = created.body.id as string;
    const started = await s.ownerA.post(`/api/campaigns/${id}/schedule`, {});
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ status: 'sending', audienceSize: 200, startedAt: '2026-06-01T01:00:00.000Z' });
    await runEnqueue(db, ws, id);

    const { rows } = await db.execute<{ customer_id: string; variant: string }>(sql`select customer_id, variant from campaign_recipients where workspace_id = ${ws}::uuid and campaign_id = ${id}::uuid`);
    // Every other A recipient orders ₩30,000 on day 2; one holdout customer orders on day 3; one B
    // recipient ordered the day before the campaign and one 8 days after it (outside the 7-day window).
    const a = rows.filter((r) => r.variant === 'A');
    const buyersA = a.filter((_, i) => i % 2 === 0);
    const holdout = rows.filter((r) => r.variant === 'holdout');
    const b = rows.filter((r) => r.variant === 'B');
    const order = (customerId: string, at: string, total: number) =>
      db.execute(sql`insert into orders (workspace_id, id, customer_id, currency, total, source, placed_at) values (${ws}::uuid, ${uuidv7()}::uuid, ${customerId}::uuid, 'KRW', ${total}, 'api', ${at}::timestamptz)`);
    for (const r of buyersA) await order(r.customer_id, '2026-06-02T05:00:00Z', 30_000);
    await order(holdout[0]!.customer_id, '2026-06-03T05:00:00Z', 50_000);
    await order(b[0]!.customer_id, '2026-05-31T05:00:00Z', 10_000);
    await order(b[1]!.customer_id, '2026-06-09T05:00:00Z', 10_000);

    const report = await s.as.viewer.get(`/api/campaigns/${id}/report`);
    expect(report.status).toBe(200);
    const group = (key: string) => report.body.groups.find((g: { key: string }) => g.key === key);
    expect(group('A')).toMatchObject({ targeted: a.length, converted: buyersA.length, revenue: buyersA.length * 30_000 });
    expect(group('B')).toMatchObject({ targeted: b.length, converted: 0, revenue: 0 });
    expect(group('holdout')).toMatchObject({ targeted: holdout.length, converted: 1, revenue: 50_000, sent: 0 });
    expect(report.body.windowTo).toBe('2026-06-08T01:00:00.000Z');
    const aVsHoldout = report.body.comparisons.find((c: { variant: string; against: string }) => c.variant === 'A' && c.against === 'holdout');
    expect(aVsHoldout.conversion.diff).toBeCloseTo(buyersA.length / a.length - 1 / holdout.length, 10);
    expect(aVsHoldout.conversionWords.ko).toMatch(/홀드아웃/);
    expect(report.body.comparisons.map((c: { variant: string; against: string }) => `${c.variant}-${c.against}`)).toEqual(['A-holdout', 'B-holdout', 'B-A']);
    expect((await s.ownerB.get(`/api/campaigns/${id}/report`)).status).toBe(404);
  });

  it('lists recipients with their group, masking addresses for roles without pii.read; the CSV needs customers.export', async () => {
    const created = await s.ownerA.post('/api/campaigns', body());
    const id = created.body.id as string;
    await s.ownerA.post(`/api/campaigns/${id}/schedule`, {});
    const owner = await s.ownerA.get(`/api/campaigns/${id}/recipients?limit=500`);
    expect(owner.body.items).toHaveLength(200);
    expect(owner.body.items.find((r: { email: string }) => r.email === 'r0@campaign-api.test')).toBeTruthy();
    const viewer = await s.as.viewer.get(`/api/campaigns/${id}/recipients?limit=500`);
    expect(viewer.body.items.some((r: { email: string }) => r.email === 'r0@campaign-api.test')).toBe(false);
    expect(viewer.body.items[0].email).toMatch(/\*/);
    const holdoutPage = await s.ownerA.get(`/api/campaigns/${id}/recipients?variant=holdout&limit=500`);
    expect(holdoutPage.body.items.every((r: { variant: string; status: string }) => r.variant === 'holdout' && r.status === 'holdout')).toBe(true);
    expect((await s.as.viewer.get(`/api/campaigns/${id}/recipients?format=csv`)).status).toBe(403);
    const csv = await s.as.analyst.get(`/api/campaigns/${id}/recipients?format=csv`);
    expect(csv.status).toBe(200);
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines).toHaveLength(201);
    expect(lines.some((l) => l.includes('r0@campaign-api.test'))).toBe(false);
    expect((await s.ownerB.get(`/api/campaigns/${id}/recipients`)).status).toBe(404);
  });

  it('gives each recipient the time their message is due, in the list and the CSV: none for the holdout, before the message is made, or while the campaign is paused', async () => {
    const db = getDb().db;
    const ws = s.a.workspace.id;
    type Row = { customerId: string; variant: string; status: string; messageId: string | null; sendAt: string | null; sentAt: string | null };
    clock.set(new Date('2026-07-01T00:00:00Z'));
    const id = (await s.ownerA.post('/api/campaigns', { ...body(), throttlePerMinute: 50 })).body.id as string;
    expect((await s.ownerA.post(`/api/campaigns/${id}/schedule`, {})).status).toBe(200);
    const list = async () => (await s.ownerA.get(`/api/campaigns/${id}/recipients?limit=500`)).body.items as Row[];
    expect((await list()).every((r) => r.sendAt === null && r.sentAt === null)).toBe(true);

    await runEnqueue(db, ws, id);
    const { rows } = await db.execute<{ id: string; send_at: Date | string }>(sql`select id, send_at from messages where workspace_id = ${ws}::uuid and origin_id = ${id}::uuid`);
    const due = new Map(rows.map((r) => [r.id, new Date(r.send_at).toISOString()]));
    const made = await list();
    for (const r of made) expect(r.sendAt, r.variant).toBe(r.variant === 'holdout' ? null : due.get(r.messageId!));
    // 50 a minute: the messages are due over several minutes from the start.
    const times = [...new Set(made.flatMap((r) => (r.sendAt ? [r.sendAt] : [])))].sort();
    expect(times[0]).toBe('2026-07-01T00:00:00.000Z');
    expect(times.length).toBeGreaterThan(2);

    const csv = await s.ownerA.get(`/api/campaigns/${id}/recipients?format=csv`);
    const [header, ...lines] = String(csv.body).trim().split('\r\n');
    expect(header).toBe('customer_id,external_id,name,email,phone,variant,status,reason,send_at,sent_at');
    const column = header!.split(',').indexOf('send_at');
    const sendAt = new Map(made.map((r) => [r.customerId, r.sendAt ?? '']));
    expect(lines).toHaveLength(200);
    for (const line of lines) expect(line.split(',')[column]).toBe(sendAt.get(line.split(',')[0]!));

    // Paused, the messages wait with no time; resumed, they are due again from now.
    expect((await s.ownerA.post(`/api/campaigns/${id}/pause`, {})).status).toBe(200);
    expect((await list()).every((r) => r.sendAt === null)).toBe(true);
    clock.set(new Date('2026-07-01T02:00:00Z'));
    expect((await s.ownerA.post(`/api/campaigns/${id}/resume`, {})).status).toBe(200);
    const resumed = (await list()).filter((r) => r.variant !== 'holdout');
    expect(resumed.every((r) => r.sendAt !== null && r.sendAt >= '2026-07-01T02:00:00.000Z')).toBe(true);
  });

  it('sets the global control group only for workspace managers', async () => {
    expect((await s.as.marketer.put('/api/campaigns/settings', { globalControlShare: 5 })).status).toBe(403);
    const set = await s.ownerA.put('/api/campaigns/settings', { globalControlShare: 5, costs: { sms: 9, lms: 30, alimtalk: 7 } });
    expect(set.body).toEqual({ globalControlShare: 5, costs: { sms: 9, lms: 30, alimtalk: 7 } });
    expect((await s.ownerB.get('/api/campaigns/settings')).body.globalControlShare).toBe(0);
    const bad = await s.ownerA.put('/api/campaigns/settings', { costs: { fax: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^costs\.fax/);
    const count = await s.ownerA.post('/api/campaigns/audience-count', { audience: { segmentIds: [segmentId] } });
    expect(count.body.globalControl).toBeGreaterThan(0);
    expect(count.body.targeted).toBe(200 - count.body.globalControl);
    await s.ownerA.put('/api/campaigns/settings', { globalControlShare: 0 });
  });
});
