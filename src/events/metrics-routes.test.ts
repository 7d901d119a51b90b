// HTTP tests of the behaviour metrics: the customer's figures, the rebuild job, roles, workspace
// isolation, and the metrics following merges, undo, identity stitching, erase and export.
import { and, eq, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops, makeClient } from '../http/test-client.ts';
import { customerLinks } from '../customers/links.ts';
import { getJob } from '../worker/queue.ts';
import { ROLES, type Role } from '../workspaces/roles.ts';
import { systemJobHandlers } from '../worker/handlers.ts';
import { METRICS_RECOMPUTE_JOB, runMetricsRecomputeJob, updateMetricsForEvents } from './metrics.ts';
import { customerMetrics, events } from './schema.ts';
import type { StoredEvent } from './types.ts';

type Draft = { customerId?: string | null; anonymousId?: string; at: string; name?: string; properties?: Record<string, unknown> };

describeEachDb('behaviour metrics API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let ownerB: Client;
  let as: Record<Role, Client>;

  beforeAll(async () => {
    ({ app, a, b, ownerB, as } = await createTwoShops(getDb()));
  });
  afterAll(async () => {
    await app.close();
  });

  let seq = 0;
  async function customer(client: Client = as.owner): Promise<string> {
    seq++;
    const res = await client.post('/api/customers', { name: `고객${seq}`, email: `m${seq}-${uuidv7()}@example.com` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  }

  /** Stores events and moves the metrics forward, as ingestion does. */
  async function ingest(workspaceId: string, drafts: Draft[]) {
    const list: StoredEvent[] = drafts.map((d) => {
      const id = uuidv7();
      return {
        id,
        messageId: id,
        customerId: d.customerId ?? null,
        anonymousId: d.anonymousId ?? null,
        userId: null,
        type: d.name ? 'track' : 'page',
        name: d.name ?? null,
        sessionId: null,
        properties: d.properties ?? {},
        context: {},
        timestamp: new Date(d.at),
        receivedAt: new Date(),
      };
    });
    await getDb().db.transaction(async (tx) => {
      await tx.insert(events).values(list.map((e) => ({ ...e, workspaceId })));
      await updateMetricsForEvents(tx, { workspaceId, events: list });
    });
  }

  const browse = (customerId: string | null, day: string, extra: Partial<Draft> = {}): Draft[] => [
    { customerId, at: `${day}T01:00:00Z`, ...extra },
    { customerId, at: `${day}T01:01:00Z`, name: 'Product Viewed', properties: { sku: 'S1', category: 'Women > Shoes' } },
    { customerId, at: `${day}T01:02:00Z`, name: 'Product Dwell', properties: { sku: 'S1', category: 'Women > Shoes', dwell_ms: 30_000 } },
    { customerId, at: `${day}T01:03:00Z`, name: 'Product Added', properties: { sku: 'S1' } },
    { customerId, at: `${day}T05:00:00Z`, ...extra },
  ].map((d) => ({ ...d, ...extra }));

  async function rowExists(customerId: string) {
    const rows = await getDb().db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, a.workspace.id), eq(customerMetrics.customerId, customerId)));
    return rows.length > 0;
  }

  it('GET /api/customers/{id}/metrics gives the figures and the derived ones', async () => {
    const id = await customer();
    await ingest(a.workspace.id, browse(id, '2024-05-01'));
    const res = await as.owner.get(`/api/customers/${id}/metrics`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      customerId: id,
      currency: 'KRW',
      timeZone: 'Asia/Seoul',
      eventCount: 5,
      sessions: 2,
      bounces: 1,
      bounceRate: 0.5,
      pageViews: 2,
      productViews: 1,
      dwellMs: 30_000,
      topCategories: [{ category: 'Women', dwellMs: 30_000, views: 1 }],
      cartAdds: 1,
      orderCount: 0,
      averageOrderValue: null,
      meanProductsViewedBeforePurchase: null,
      mostActiveHour: 10,
      firstSeenAt: '2024-05-01T01:00:00.000Z',
      lastSeenAt: '2024-05-01T05:00:00.000Z',
    });
    expect(res.body.hourCounts).toHaveLength(24);
    expect(res.body.updatedAt).not.toBeNull();
  });

  it('sends per-category figures of a category whose name has a line break (the serialiser dropped such keys)', async () => {
    const id = await customer();
    await ingest(a.workspace.id, [
      { customerId: id, at: '2024-05-03T01:00:00Z', name: 'Product Viewed', properties: { sku: 'S9', category: 'Line\nbreak > Shoes' } },
      { customerId: id, at: '2024-05-03T01:01:00Z', name: 'Product Dwell', properties: { sku: 'S9', category: 'Line\nbreak > Shoes', dwell_ms: 1_000 } },
    ]);
    const res = await as.owner.get(`/api/customers/${id}/metrics`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.categoryViews).toEqual({ 'Line\nbreak': 1 });
    expect(res.body.categoryDwellMs).toEqual({ 'Line\nbreak': 1_000 });
    expect(res.body.topCategories).toEqual([{ category: 'Line\nbreak', dwellMs: 1_000, views: 1 }]);
  });

  it('gives zeros for a customer with no behaviour yet, 404 for unknown ones and 400 for a malformed id', async () => {
    const id = await customer();
    const res = await as.owner.get(`/api/customers/${id}/metrics`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ eventCount: 0, sessions: 0, bounceRate: null, mostActiveHour: null, updatedAt: null, topCategories: [] });
    expect((await as.owner.get(`/api/customers/${uuidv7()}/metrics`)).status).toBe(404);
    const bad = await as.owner.get('/api/customers/not-a-uuid/metrics');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('id');
  });

  it('lets every role read, and nobody without a session', async () => {
    const id = await customer();
    for (const role of ROLES) expect((await as[role].get(`/api/customers/${id}/metrics`)).status, role).toBe(200);
    expect((await makeClient(app, {}).get(`/api/customers/${id}/metrics`)).status).toBe(401);
  });

  it("never shows another workspace's customer", async () => {
    const id = await customer();
    await ingest(a.workspace.id, browse(id, '2024-05-02'));
    expect((await ownerB.get(`/api/customers/${id}/metrics`)).status).toBe(404);
    // The same customer id in another workspace holds nothing of this one.
    await ingest(b.workspace.id, [{ customerId: id, at: '2024-05-03T00:00:00Z' }]);
    expect((await as.owner.get(`/api/customers/${id}/metrics`)).body.eventCount).toBe(5);
  });

  it('POST /api/metrics/recompute queues a rebuild for owners and admins only; the job rebuilds range by range', async () => {
    const ids = [await customer(), await customer(), await customer()];
    for (const id of ids) await ingest(a.workspace.id, browse(id, '2024-05-04'));
    // Spoil the figures, as a bug or a manual fix could.
    await getDb().db.update(customerMetrics).set({ sessions: 99, productViews: 0 }).where(eq(customerMetrics.workspaceId, a.workspace.id));

    for (const role of ['marketer', 'sales', 'support', 'analyst', 'viewer'] as const) expect((await as[role].post('/api/metrics/recompute', {})).status, role).toBe(403);
    expect((await as.owner.post('/api/metrics/recompute', { customerIds: ['nope'] })).status).toBe(400);
    expect((await as.owner.post('/api/metrics/recompute', { everything: true })).status).toBe(400);
    const res = await as.admin.post('/api/metrics/recompute', {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect((await as.owner.post('/api/metrics/recompute', {})).body).toMatchObject({ jobId: res.body.jobId, deduped: true });

    // Run the chain through the worker's handler, with ranges of two customers.
    const handler = systemJobHandlers()[METRICS_RECOMPUTE_JOB]!;
    const signal = new AbortController().signal;
    let job = (await getJob(getDb().db, res.body.jobId, { workspaceId: a.workspace.id }))!;
    let payload: unknown = { ...(job.payload as object), rangeSize: 2 };
    let ranges = 0;
    for (;;) {
      const out = (await handler({ id: uuidv7(), type: METRICS_RECOMPUTE_JOB, payload, workspaceId: a.workspace.id, attempt: 1, maxAttempts: 5 }, { db: getDb().db, signal })) as { next: string | null };
      ranges++;
      if (!out.next) break;
      // The next range was queued by the one before.
      const queued = await getDb().db.execute(sql`select payload from jobs where type = ${METRICS_RECOMPUTE_JOB} and workspace_id = ${a.workspace.id} and payload->>'after' = ${out.next}`);
      expect(queued.rows).toHaveLength(1);
      payload = (queued.rows[0] as { payload: unknown }).payload;
    }
    expect(ranges).toBeGreaterThan(1);
    for (const id of ids) expect((await as.owner.get(`/api/customers/${id}/metrics`)).body).toMatchObject({ sessions: 2, productViews: 1 });
    // Another workspace's job cannot be seen from here.
    expect(await getJob(getDb().db, res.body.jobId, { workspaceId: b.workspace.id })).toBeUndefined();
    job = (await getJob(getDb().db, res.body.jobId, { workspaceId: a.workspace.id }))!;
    expect(job.workspaceId).toBe(a.workspace.id);
    await expect(runMetricsRecomputeJob(getDb().db, { workspaceId: a.workspace.id, payload: { after: 'x' } })).rejects.toThrow('payload.after');
  });

  it('is in the OpenAPI document', async () => {
    const doc = await as.owner.get('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/customers/{id}/metrics', '/api/metrics/recompute']));
  });

  it('is registered after the areas whose rows it rebuilds from', () => {
    expect(customerLinks().at(-1)?.area).toBe('metrics');
  });

  it('follows a merge (the survivor holds both histories, the merged row is emptied) and its undo', async () => {
    const survivor = await customer();
    const other = await customer();
    await ingest(a.workspace.id, browse(survivor, '2024-05-05'));
    await ingest(a.workspace.id, browse(other, '2024-05-06'));
    const merged = await as.owner.post(`/api/customers/${survivor}/merge`, { otherId: other });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect((await as.owner.get(`/api/customers/${survivor}/metrics`)).body).toMatchObject({ eventCount: 10, sessions: 4, productViews: 2, dwellMs: 60_000, lastSeenAt: '2024-05-06T05:00:00.000Z' });
    // The row stays, with nothing in it (the scores job still accounts for what it held).
    const { rows: emptied } = await getDb().db.execute<{ event_count: number; order_count: number; last_seen_at: Date | null }>(
      sql`select event_count, order_count, last_seen_at from customer_metrics where workspace_id = ${a.workspace.id} and customer_id = ${other}`,
    );
    expect(emptied).toEqual([{ event_count: 0, order_count: 0, last_seen_at: null }]);
    expect((await as.owner.get(`/api/customers/${other}/metrics`)).status).toBe(404);

    const undo = await as.owner.post(`/api/customers/merges/${merged.body.merge.id}/undo`);
    expect(undo.status, JSON.stringify(undo.body)).toBe(200);
    expect((await as.owner.get(`/api/customers/${survivor}/metrics`)).body).toMatchObject({ eventCount: 5, sessions: 2, lastSeenAt: '2024-05-05T05:00:00.000Z' });
    expect((await as.owner.get(`/api/customers/${other}/metrics`)).body).toMatchObject({ eventCount: 5, sessions: 2, lastSeenAt: '2024-05-06T05:00:00.000Z' });
  });

  it("counts a visitor's earlier events once the visitor is known (identity stitching)", async () => {
    const id = await customer();
    const visitor = `anon-${uuidv7()}`;
    await ingest(a.workspace.id, browse(null, '2024-05-07', { anonymousId: visitor }));
    await ingest(a.workspace.id, [{ customerId: id, at: '2024-05-08T00:00:00Z' }]);
    expect((await as.owner.get(`/api/customers/${id}/metrics`)).body.eventCount).toBe(1);
    const linked = await as.owner.post(`/api/customers/${id}/identities`, { kind: 'anonymous_id', value: visitor });
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    expect((await as.owner.get(`/api/customers/${id}/metrics`)).body).toMatchObject({ eventCount: 6, sessions: 3, productViews: 1, firstSeenAt: '2024-05-07T01:00:00.000Z' });
  });

  it('keeps the aggregates on erase and puts them in the data export', async () => {
    const id = await customer();
    await ingest(a.workspace.id, browse(id, '2024-05-09'));
    const exported = await as.owner.get(`/api/customers/${id}/export`);
    expect(exported.status).toBe(200);
    const body = typeof exported.body === 'string' ? JSON.parse(exported.body) : exported.body;
    expect(body.metrics).toMatchObject({ customerId: id, eventCount: 5, productViews: 1 });
    expect((await as.owner.post(`/api/customers/${id}/erase`)).status).toBe(200);
    expect(await rowExists(id)).toBe(true);
  });
});
