// HTTP routes of the analytics area (docs/analytics.md): reports for the analytics pages, a
// customer's scores and recommendations, "bought together" for a product, settings, and a refresh
// that runs in the background (heavy work never runs in a request).
import { Type } from 'typebox';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { getCustomerRow } from '../customers/customers.ts';
import { getProductRow } from '../commerce/products.ts';
import { can } from '../workspaces/roles.ts';
import { ANALYTICS_PARTS, enqueueAnalyticsRefresh } from './jobs.ts';
import {
  analyticsOverview,
  atRiskList,
  basketRulesReport,
  clvReport,
  cohortsReport,
  customerAnalytics,
  dormantList,
  gradesReport,
  recommendationEvaluation,
  rfmReport,
} from './reports.ts';
import { AnalyticsSettingsPatch, AnalyticsSettingsSchema, getAnalyticsSettings, updateAnalyticsSettings } from './settings.ts';

const Uuid = Type.String({ format: 'uuid' });
// Reports are documented in docs/analytics.md; their shape is plain JSON objects.
const Report = Type.Object({}, { additionalProperties: true });
const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
};

export async function registerAnalyticsRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  const tags = ['analytics'];
  const read = { auth: 'analytics.read' as const };
  const pii = (request: Parameters<typeof caller>[0]) => can(caller(request).role, 'pii.read');

  app.get('/api/analytics/overview', { config: read, schema: { tags, summary: 'Analytics at a glance: last runs, KPIs, at-risk and dormant counts', response: { 200: Report } } }, (request) =>
    analyticsOverview(db, { workspaceId: caller(request).workspaceId }),
  );
  app.get('/api/analytics/rfm', { config: read, schema: { tags, summary: 'RFM grid (R × F counts and revenue), named segments and cut points', response: { 200: Report } } }, (request) =>
    rfmReport(db, { workspaceId: caller(request).workspaceId }),
  );
  app.get(
    '/api/analytics/grades',
    {
      config: read,
      schema: {
        tags,
        summary: 'Customers per grade and grade movements over the last days',
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })) }, { additionalProperties: false }),
        response: { 200: Report },
      },
    },
    (request) => gradesReport(db, { workspaceId: caller(request).workspaceId, days: request.query.days }),
  );
  app.get('/api/analytics/clv', { config: read, schema: { tags, summary: 'CLV and P(alive) distributions, fitted models and the holdout check', response: { 200: Report } } }, (request) =>
    clvReport(db, { workspaceId: caller(request).workspaceId }),
  );
  app.get(
    '/api/analytics/at-risk',
    {
      config: read,
      schema: { tags, summary: 'Customers flagged at risk of churning, most valuable first', querystring: Type.Object(Paging, { additionalProperties: false }), response: { 200: Report } },
    },
    (request) => atRiskList(db, { workspaceId: caller(request).workspaceId, pii: pii(request), ...request.query }),
  );
  app.get(
    '/api/analytics/dormant',
    {
      config: read,
      schema: {
        tags,
        summary: 'Dormant customers (no activity for N days, default the workspace setting) for reactivation',
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })), ...Paging }, { additionalProperties: false }),
        response: { 200: Report },
      },
    },
    (request) => dormantList(db, { workspaceId: caller(request).workspaceId, pii: pii(request), ...request.query }),
  );
  app.get('/api/analytics/cohorts', { config: read, schema: { tags, summary: 'Monthly acquisition cohorts (retention, revenue) and KPIs', response: { 200: Report } } }, (request) =>
    cohortsReport(db, { workspaceId: caller(request).workspaceId }),
  );
  app.get(
    '/api/analytics/basket-rules',
    {
      config: read,
      schema: {
        tags,
        summary: 'Association rules (one item on the right) by lift, by product or category',
        querystring: Type.Object(
          {
            level: Type.Optional(Type.Union([Type.Literal('product'), Type.Literal('category')], { default: 'product' })),
            minLift: Type.Optional(Type.Number({ minimum: 0 })),
            minConfidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
            item: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
            ...Paging,
          },
          { additionalProperties: false },
        ),
        response: { 200: Report },
      },
    },
    (request) => basketRulesReport(db, { workspaceId: caller(request).workspaceId, ...request.query, level: request.query.level ?? 'product' }),
  );
  app.get(
    '/api/analytics/recommendations/evaluation',
    { config: read, schema: { tags, summary: 'Offline evaluation of the recommenders (MAP@k, nDCG@k, MRR, precision/recall@k)', response: { 200: Report } } },
    (request) => recommendationEvaluation(db, { workspaceId: caller(request).workspaceId }),
  );

  app.get('/api/analytics/settings', { config: read, schema: { tags, summary: 'RFM window, grades, churn thresholds, CLV horizon', response: { 200: AnalyticsSettingsSchema } } }, (request) =>
    getAnalyticsSettings(db, { workspaceId: caller(request).workspaceId }),
  );
  app.put(
    '/api/analytics/settings',
    { config: { auth: 'workspace.manage' }, schema: { tags, summary: 'Change analytics settings (the next refresh applies them)', body: AnalyticsSettingsPatch, response: { 200: AnalyticsSettingsSchema } } },
    async (request) => {
      const c = caller(request);
      return db.transaction((tx) => updateAnalyticsSettings(tx, { workspaceId: c.workspaceId, actor: c.actor, patch: request.body }));
    },
  );
  app.post(
    '/api/analytics/refresh',
    {
      config: { auth: 'workspace.manage' },
      schema: {
        tags,
        summary: 'Recompute scores, cohorts, basket rules, affinities and recommendations in the background',
        body: Type.Object(
          {
            parts: Type.Optional(Type.Array(Type.Union(ANALYTICS_PARTS.map((p) => Type.Literal(p))), { minItems: 1, uniqueItems: true })),
            mode: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('incremental')])),
          },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ jobId: Uuid, deduped: Type.Boolean() }) },
      },
    },
    async (request, reply) => {
      const job = await enqueueAnalyticsRefresh(db, { workspaceId: caller(request).workspaceId, ...request.body });
      return reply.status(202).send({ jobId: job.id, deduped: job.deduped });
    },
  );

  const customerOf = async (workspaceId: string, id: string) => {
    const row = await getCustomerRow(db, { workspaceId, id, includeDeleted: true });
    if (!row) throw new AppError('not_found', `customer ${id} not found`);
    if (row.mergedIntoId) throw new AppError('not_found', `customer ${id} was merged into ${row.mergedIntoId}`, { mergedIntoId: row.mergedIntoId });
    return row;
  };
  app.get(
    '/api/customers/:id/analytics',
    { config: { auth: 'customers.read' }, schema: { tags, summary: "The customer's RFM scores, segment, grade, P(alive), CLV, affinities and recommendations", params: Type.Object({ id: Uuid }), response: { 200: Report } } },
    async (request) => {
      const c = caller(request);
      const row = await customerOf(c.workspaceId, request.params.id);
      return customerAnalytics(db, { workspaceId: c.workspaceId, customerId: row.id });
    },
  );
  app.get(
    '/api/customers/:id/recommendations',
    { config: { auth: 'customers.read' }, schema: { tags, summary: 'Products recommended to the customer (cross-sell and up-sell), best first', params: Type.Object({ id: Uuid }), response: { 200: Report } } },
    async (request) => {
      const c = caller(request);
      const row = await customerOf(c.workspaceId, request.params.id);
      const a = await customerAnalytics(db, { workspaceId: c.workspaceId, customerId: row.id });
      return { customerId: row.id, computedAt: a.recommendationsComputedAt, recommendations: a.recommendations };
    },
  );
  app.get(
    '/api/products/:id/bought-together',
    {
      config: { auth: 'customers.read' },
      schema: { tags, summary: 'Products bought together with this one (basket rules whose antecedent holds it)', params: Type.Object({ id: Uuid }), querystring: Type.Object(Paging, { additionalProperties: false }), response: { 200: Report } },
    },
    async (request) => {
      const c = caller(request);
      const product = await getProductRow(db, { workspaceId: c.workspaceId, id: request.params.id });
      if (!product) throw new AppError('not_found', `product ${request.params.id} not found`);
      const report = await basketRulesReport(db, { workspaceId: c.workspaceId, level: 'product', item: product.id, limit: request.query.limit ?? 10, offset: request.query.offset });
      // Only rules that lead away from the product: what to offer with it.
      return { productId: product.id, computedAt: report.computedAt, rules: report.rules.filter((r) => r.consequent.id !== product.id) };
    },
  );
}
