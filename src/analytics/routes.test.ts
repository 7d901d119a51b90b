// HTTP tests of the analytics area: every endpoint's roles, workspace isolation (a refresh of one
// workspace never shows in another, foreign ids are 404), malformed bodies and queries (400 naming
// the field), personal data masked for roles without pii.read, and the reports after a refresh.
import { sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops, type Method } from '../http/test-client.ts';
import { can, ROLES, type Role } from '../workspaces/roles.ts';
import { refreshAnalytics } from './jobs.ts';

const DAY = 86_400_000;

describeEachDb('analytics API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let ownerA: Client;
  let ownerB: Client;
  let as: Record<Role, Client>;
  const customersA: string[] = [];
  const productsA: string[] = [];

  beforeAll(async () => {
    ({ app, a, b, ownerA, ownerB, as } = await createTwoShops(getDb()));
    // Shop A: 30 customers, 4 products, repeat orders over a year; two products often bought together.
    for (let p = 0; p < 4; p++) {
      const res = await ownerA.post('/api/products', { sku: `P-${p}`, name: `상품 ${p}`, category: p < 2 ? 'Women > Tops' : 'Men > Shoes', price: 10_000 * (p + 1) });
      expect(res.status).toBe(201);
      productsA.push(res.body.id);
    }
    for (let i = 0; i < 30; i++) {
      const c = await ownerA.post('/api/customers', { name: `구매자 ${i}`, email: `buyer${i}-${uuidv7().slice(-8)}@example.com`, phone: `+8210${String(20000000 + i * 7919).padStart(8, '0')}` });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      customersA.push(c.body.id);
      const orders = 1 + (i % 5);
      for (let k = 0; k < orders; k++) {
        const daysAgo = 10 + ((i * 37 + k * 53) % 300);
        const items = [{ productId: productsA[(i + k) % 2]!, unitPrice: 10_000, quantity: 1 }];
        if ((i + k) % 3 !== 0) items.push({ productId: productsA[2 + ((i + k) % 2)]!, unitPrice: 30_000, quantity: 1 });
        const res = await ownerA.post('/api/orders', { externalId: `A-${i}-${k}`, customerId: c.body.id, placedAt: new Date(Date.now() - daysAgo * DAY).toISOString(), items });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
    }
    await refreshAnalytics(getDb().db, { workspaceId: a.workspace.id });
  });
  afterAll(async () => {
    await app.close();
  });

  const readPaths = [
    '/api/analytics/overview',
    '/api/analytics/rfm',
    '/api/analytics/grades',
    '/api/analytics/clv',
    '/api/analytics/at-risk',
    '/api/analytics/dormant',
    '/api/analytics/cohorts',
    '/api/analytics/basket-rules',
    '/api/analytics/recommendations/evaluation',
    '/api/analytics/settings',
  ];

  describe('roles', () => {
    const cases: [Method, string, unknown, 'analytics.read' | 'workspace.manage' | 'customers.read'][] = [
      ...readPaths.map((p) => ['GET', p, undefined, 'analytics.read'] as [Method, string, unknown, 'analytics.read']),
      ['PUT', '/api/analytics/settings', { dormantDays: 45 }, 'workspace.manage'],
      ['POST', '/api/analytics/refresh', { parts: ['cohorts'] }, 'workspace.manage'],
    ];
    it.each(ROLES.flatMap((role) => cases.map((c) => [role, ...c] as const)))('%s %s %s', async (role, method, path, body, permission) => {
      const res = await as[role]!.request(method, path, body);
      if (can(role, permission)) expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      else expect(res.status).toBe(403);
    });

    it('a customer’s analytics and recommendations need customers.read; bought-together too', async () => {
      for (const role of ROLES) {
        expect((await as[role]!.get(`/api/customers/${customersA[0]}/analytics`)).status).toBe(200);
        expect((await as[role]!.get(`/api/customers/${customersA[0]}/recommendations`)).status).toBe(200);
        expect((await as[role]!.get(`/api/products/${productsA[0]}/bought-together`)).status).toBe(200);
      }
    });
  });

  describe('reports after a refresh', () => {
    it('RFM cells and segments add up to the buyers; grades, CLV and cohorts are filled', async () => {
      const rfm = (await ownerA.get('/api/analytics/rfm')).body;
      const cells = rfm.cells as { customers: number }[];
      expect(cells.reduce((s, c) => s + c.customers, 0)).toBe(30);
      expect((rfm.segments as { customers: number }[]).reduce((s, c) => s + c.customers, 0)).toBe(30);
      const grades = (await ownerA.get('/api/analytics/grades')).body;
      expect((grades.distribution as { customers: number }[]).reduce((s, g) => s + g.customers, 0)).toBe(30);
      const clv = (await ownerA.get('/api/analytics/clv')).body;
      expect(clv.models.bgnbd.r).toBeGreaterThan(0);
      // 30 customers' histories are too short to show dropout: the report says so.
      const { a, b } = clv.models.bgnbd;
      expect(clv.models.warnings.includes('bgnbd-no-dropout')).toBe(a / (a + b) < 1e-4);
      expect(Array.isArray(clv.models.warnings)).toBe(true);
      expect(clv.customers).toBe(30);
      expect(clv.holdout === null || Array.isArray(clv.holdout.buckets)).toBe(true);
      const cohorts = (await ownerA.get('/api/analytics/cohorts')).body;
      expect((cohorts.kpis.cohorts as { size: number }[]).reduce((s, c) => s + c.size, 0)).toBe(30);
      expect(cohorts.kpis.orders).toBe(90);
      const overview = (await ownerA.get('/api/analytics/overview')).body;
      expect(overview.customers.buyers).toBe(30);
      expect(overview.runs.scores.status).toBe('succeeded');
    });

    it('basket rules find the products bought together, with their names; bought-together lists them', async () => {
      const rules = (await ownerA.get('/api/analytics/basket-rules?level=product&limit=100')).body;
      expect(rules.total).toBeGreaterThan(0);
      const pair = (rules.rules as { antecedent: { id: string; name: string }[]; consequent: { id: string; name: string }; lift: number }[]).find(
        (r) => r.antecedent.length === 1 && r.antecedent[0]!.id === productsA[0],
      );
      expect(pair?.consequent.name).toMatch(/^상품 [23]$/);
      const together = (await ownerA.get(`/api/products/${productsA[0]}/bought-together`)).body;
      expect(together.rules.length).toBeGreaterThan(0);
      const category = (await ownerA.get('/api/analytics/basket-rules?level=category')).body;
      expect(category.level).toBe('category');
    });

    it('each buyer has recommendations that exclude what they bought, and an evaluation of three recommenders', async () => {
      const customerId = customersA[3]!;
      const rec = (await ownerA.get(`/api/customers/${customerId}/recommendations`)).body;
      const { rows } = await getDb().db.execute<{ product_id: string }>(
        sql`select distinct i.product_id from orders o join order_items i on i.workspace_id = o.workspace_id and i.order_id = o.id where o.workspace_id = ${a.workspace.id}::uuid and o.customer_id = ${customerId}::uuid`,
      );
      const bought = new Set(rows.map((r) => r.product_id));
      for (const r of rec.recommendations as { productId: string }[]) expect(bought.has(r.productId)).toBe(false);
      const evaluation = (await ownerA.get('/api/analytics/recommendations/evaluation')).body;
      expect((evaluation.evaluation.rows as { name: string }[]).map((r) => r.name).sort()).toEqual(['blended', 'item-knn', 'popularity']);
    });

    it('masks e-mail and phone for roles without pii.read', async () => {
      await getDb().db.execute(sql`update customer_metrics set churn_risk = true, churn_priority = 1 where workspace_id = ${a.workspace.id}::uuid and customer_id = ${customersA[1]}::uuid`);
      const full = (await ownerA.get('/api/analytics/at-risk')).body.customers.find((c: { customerId: string }) => c.customerId === customersA[1]);
      const masked = (await as.analyst!.get('/api/analytics/at-risk')).body.customers.find((c: { customerId: string }) => c.customerId === customersA[1]);
      expect(full.email).toMatch(/^buyer1-.*@example\.com$/);
      expect(masked.email).not.toBe(full.email);
      expect(masked.phone).not.toBe(full.phone);
    });
  });

  describe('workspace isolation', () => {
    it('shop B sees none of shop A’s figures and none of its customers or products', async () => {
      const rfm = (await ownerB.get('/api/analytics/rfm')).body;
      expect(rfm.cells).toEqual([]);
      expect((await ownerB.get('/api/analytics/overview')).body.customers.buyers).toBe(0);
      expect((await ownerB.get('/api/analytics/basket-rules')).body.total).toBe(0);
      expect((await ownerB.get('/api/analytics/at-risk')).body.total).toBe(0);
      expect((await ownerB.get(`/api/customers/${customersA[0]}/analytics`)).status).toBe(404);
      expect((await ownerB.get(`/api/customers/${customersA[0]}/recommendations`)).status).toBe(404);
      expect((await ownerB.get(`/api/products/${productsA[0]}/bought-together`)).status).toBe(404);
      // A's settings are A's.
      expect((await ownerA.put('/api/analytics/settings', { dormantDays: 77 })).status).toBe(200);
      expect((await ownerB.get('/api/analytics/settings')).body.dormantDays).toBe(30);
    });
  });

  describe('bad input', () => {
    it.each([
      ['PUT', '/api/analytics/settings', { churnPAlive: 2 }, /churnPAlive/],
      ['PUT', '/api/analytics/settings', { dormantDays: 'soon' }, /dormantDays/],
      ['PUT', '/api/analytics/settings', { nope: 1 }, /nope|additional/i],
      ['PUT', '/api/analytics/settings', { grades: [{ name: 'VIP', rule: { kind: 'spend', min: -1 } }] }, /body\.grades\[0\]\.rule\.min/],
      ['PUT', '/api/analytics/settings', { grades: [{ name: 'Base', rule: { kind: 'always' } }, { name: 'Top', rule: { kind: 'orders', min: 3 } }] }, /grades\[0\]\.rule\.kind/],
      ['POST', '/api/analytics/refresh', { parts: ['everything'] }, /parts/],
      ['POST', '/api/analytics/refresh', { mode: 'sometimes' }, /mode/],
      ['GET', '/api/analytics/at-risk?limit=0', undefined, /limit/],
      ['GET', '/api/analytics/basket-rules?level=brand', undefined, /level/],
      ['GET', '/api/analytics/basket-rules?minConfidence=3', undefined, /minConfidence/],
      ['GET', '/api/customers/not-a-uuid/analytics', undefined, /id/],
    ] as const)('%s %s %j → 400', async (method, path, body, message) => {
      const res = await ownerA.request(method, path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    });

    it('an unknown customer or product is a 404', async () => {
      expect((await ownerA.get(`/api/customers/${uuidv7()}/analytics`)).status).toBe(404);
      expect((await ownerA.get(`/api/products/${uuidv7()}/bought-together`)).status).toBe(404);
    });
  });
});
