// The `metrics.recompute` job: rebuilds a workspace's behaviour metrics from history, one range
// of customers per job (each its own short transaction), each job enqueuing the next range.
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { Db, Queryable } from '../../db/connection.ts';
import { AppError } from '../../errors.ts';
import { enqueueJob } from '../../worker/queue.ts';
import { nextCustomerRange, RECOMPUTE_CHUNK, recomputeCustomers } from './recompute.ts';

export const METRICS_RECOMPUTE_JOB = 'metrics.recompute';

export const MetricsRecomputePayload = Type.Object(
  {
    /** Rebuild only these customers; absent: the whole workspace, range by range. */
    customerIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 10_000 })),
    /** The range starts after this customer id. */
    after: Type.Optional(Type.String({ format: 'uuid' })),
    /** Customers per range. */
    rangeSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 5_000 })),
  },
  { additionalProperties: false },
);
export type MetricsRecomputePayload = Static<typeof MetricsRecomputePayload>;

/** Queues a rebuild of the workspace's metrics (or of some customers); one at a time per workspace. */
export async function enqueueMetricsRecompute(
  db: Queryable,
  opts: { workspaceId: string; customerIds?: string[]; rangeSize?: number },
): Promise<{ id: string; deduped: boolean }> {
  const payload: MetricsRecomputePayload = {};
  if (opts.customerIds) payload.customerIds = opts.customerIds;
  if (opts.rangeSize) payload.rangeSize = opts.rangeSize;
  checkPayload(payload);
  return enqueueJob(db, {
    type: METRICS_RECOMPUTE_JOB,
    workspaceId: opts.workspaceId,
    payload,
    dedupeKey: opts.customerIds ? undefined : `${METRICS_RECOMPUTE_JOB}:${opts.workspaceId}`,
  });
}

function checkPayload(payload: unknown): asserts payload is MetricsRecomputePayload {
  if (Value.Check(MetricsRecomputePayload, payload)) return;
  const [first] = Value.Errors(MetricsRecomputePayload, payload);
  const where = first?.instancePath ? `payload${first.instancePath.replaceAll('/', '.')}` : 'payload';
  throw new AppError('invalid_input', `${where}: ${first?.message ?? 'invalid'}`);
}

/** Runs one `metrics.recompute` job: some customers, or one range and the next range queued. */
export async function runMetricsRecomputeJob(
  db: Db,
  job: { workspaceId: string | null; payload: unknown },
): Promise<{ customers: number; next: string | null }> {
  if (!job.workspaceId) throw new AppError('invalid_input', 'workspaceId: a metrics.recompute job belongs to a workspace');
  const workspaceId = job.workspaceId;
  const payload = job.payload ?? {};
  checkPayload(payload);
  if (payload.customerIds) {
    const customers = await db.transaction((tx) => recomputeCustomers(tx, { workspaceId, customerIds: payload.customerIds! }));
    return { customers, next: null };
  }
  const rangeSize = payload.rangeSize ?? RECOMPUTE_CHUNK;
  return db.transaction(async (tx) => {
    const ids = await nextCustomerRange(tx, { workspaceId, after: payload.after ?? null, limit: rangeSize });
    await recomputeCustomers(tx, { workspaceId, customerIds: ids });
    const next = ids.length === rangeSize ? ids[ids.length - 1]! : null;
    if (next) {
      await enqueueJob(tx, {
        type: METRICS_RECOMPUTE_JOB,
        workspaceId,
        payload: { after: next, rangeSize } satisfies MetricsRecomputePayload,
        dedupeKey: `${METRICS_RECOMPUTE_JOB}:${workspaceId}:${next}`,
      });
    }
    return { customers: ids.length, next };
  });
}
