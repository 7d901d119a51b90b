// HTTP routes of the behaviour metrics (see docs/customers.md, "Behaviour metrics"): a
// customer's figures, and a rebuild of a workspace's figures from history.
import { Type } from 'typebox';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { getCustomerRow } from '../customers/customers.ts';
import { enqueueMetricsRecompute, getCustomerMetrics } from './metrics.ts';

const Uuid = Type.String({ format: 'uuid' });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
// Not Type.Record: the serialiser matches a record's keys with `^.*$` and drops a category name with a line break.
const Counts = Type.Object({}, { additionalProperties: Type.Number(), description: 'By top-level category' });

export const CustomerMetricsSchema = Type.Object({
  customerId: Uuid,
  currency: Type.String({ description: 'ISO 4217 code of the money figures, which are in minor units' }),
  timeZone: Type.String({ description: 'The time zone hours are counted in (the workspace time zone)' }),
  firstSeenAt: nullable(DateTime),
  lastSeenAt: nullable(DateTime),
  eventCount: Type.Integer(),
  sessions: Type.Integer(),
  bounces: Type.Integer({ description: 'Sessions with a single event' }),
  bounceRate: nullable(Type.Number({ minimum: 0, maximum: 1 })),
  pageViews: Type.Integer(),
  productViews: Type.Integer(),
  productClicks: Type.Integer(),
  dwellMs: Type.Integer({ description: 'Time product pages were visible in the foreground' }),
  categoryDwellMs: Counts,
  categoryViews: Counts,
  topCategories: Type.Array(Type.Object({ category: Type.String(), dwellMs: Type.Integer(), views: Type.Integer() })),
  viewsSinceLastOrder: Type.Integer(),
  meanProductsViewedBeforePurchase: nullable(Type.Number()),
  cartAdds: Type.Integer(),
  cartRemoves: Type.Integer(),
  abandonedCartItems: Type.Integer(),
  favourites: Type.Integer(),
  checkoutsStarted: Type.Integer(),
  orderCount: Type.Integer(),
  totalSpend: Type.Integer({ description: 'Minor units, net of refunds' }),
  averageOrderValue: nullable(Type.Integer()),
  firstOrderAt: nullable(DateTime),
  lastOrderAt: nullable(DateTime),
  hourCounts: Type.Array(Type.Integer(), { minItems: 24, maxItems: 24 }),
  mostActiveHour: nullable(Type.Integer({ minimum: 0, maximum: 23 })),
  updatedAt: nullable(DateTime),
});

const RecomputeBody = Type.Object(
  { customerIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 10_000 })) },
  { additionalProperties: false },
);

export async function registerMetricsRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  const tags = ['customers'];

  app.get(
    '/api/customers/:id/metrics',
    {
      config: { auth: 'customers.read' },
      schema: {
        tags,
        summary: "The customer's behaviour metrics: visits, product interest, carts, orders and active hours",
        params: Type.Object({ id: Uuid }),
        response: { 200: CustomerMetricsSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const row = await getCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id, includeDeleted: true });
      if (!row) throw new AppError('not_found', `customer ${request.params.id} not found`);
      if (row.mergedIntoId) throw new AppError('not_found', `customer ${request.params.id} was merged into ${row.mergedIntoId}`, { mergedIntoId: row.mergedIntoId });
      return getCustomerMetrics(db, { workspaceId: c.workspaceId, customerId: row.id });
    },
  );

  app.post(
    '/api/metrics/recompute',
    {
      config: { auth: 'workspace.manage' },
      schema: {
        tags,
        summary: 'Rebuild behaviour metrics from history (all customers, or the given ones) in the background',
        body: RecomputeBody,
        response: { 202: Type.Object({ jobId: Uuid, deduped: Type.Boolean() }) },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const job = await enqueueMetricsRecompute(db, { workspaceId: c.workspaceId, customerIds: request.body.customerIds });
      return reply.status(202).send({ jobId: job.id, deduped: job.deduped });
    },
  );
}
