// The first start's demo workspace, filled in the background once the server answers (loading a
// thousand customers through the import path takes longer than the rest of the start together):
// messaging first (sandbox channels, sending rules, templates: a newcomer can send a message in
// the first minute), then the demo customers, then the starter segments over them, then the shop
// behaviour (with two starter journeys live, so its sign-ups and churn warnings walk them), a job of its own (events, carts, orders) that ends with an analytics refresh.
import { loadDemoCustomers } from '../customers/demo.ts';
import type { Db } from '../db/connection.ts';
import { DEMO_BEHAVIOUR_JOB, type DemoBehaviourJobPayload } from '../events/demo.ts';
import { setupDemoMessaging } from '../messaging/demo.ts';
import { createStarterSegments } from '../segments/starter-segments.ts';
import { setupDemoJourneys } from '../journeys/demo.ts';
import { enqueueJob } from './queue.ts';

export const DEMO_WORKSPACE_JOB = 'demo.workspace';

export type DemoWorkspaceJobPayload = {
  /** How many demo customers to create. */
  customers: number;
  /** How many of them (the first ones) get shop behaviour. */
  behaviourCustomers: number;
  /** The day the customers are generated "as of" (ISO). */
  customersAsOf: string;
};

export async function runDemoWorkspaceJob(
  db: Db,
  job: { workspaceId: string | null; payload: unknown },
): Promise<{ customers: number; duplicates: number; segments: number; templates: number; journeys: number }> {
  const payload = job.payload as Partial<DemoWorkspaceJobPayload> | null;
  const workspaceId = job.workspaceId;
  if (
    !workspaceId ||
    !payload ||
    !Number.isInteger(payload.customers) ||
    !Number.isInteger(payload.behaviourCustomers) ||
    typeof payload.customersAsOf !== 'string' ||
    Number.isNaN(Date.parse(payload.customersAsOf))
  ) {
    throw new Error(`${DEMO_WORKSPACE_JOB}: expected a workspace and { customers, behaviourCustomers, customersAsOf }`);
  }
  const actor = { type: 'system' as const, label: 'demo data' };
  // Seconds, where the customers take a minute: the templates are there before the customers.
  const messaging = await setupDemoMessaging(db, workspaceId, actor);
  // Idempotent (customers are matched by external id): a retry after a stop mid-way completes the set.
  const demo = await loadDemoCustomers(db, { workspaceId, actor, count: payload.customers!, now: new Date(payload.customersAsOf), behaviourCustomers: 0 });
  // After the customers, so their first computation already counts them.
  const starters = await db.transaction((tx) => createStarterSegments(tx, { workspaceId, actor }));
  // Before the behaviour: its sign-ups and churn warnings then walk the journeys.
  const journeys = await db.transaction((tx) => setupDemoJourneys(tx, { workspaceId, actor }));
  if (payload.behaviourCustomers! > 0) {
    const behaviour: DemoBehaviourJobPayload = { customers: payload.behaviourCustomers!, customersAsOf: payload.customersAsOf };
    await enqueueJob(db, { type: DEMO_BEHAVIOUR_JOB, workspaceId, payload: behaviour, dedupeKey: `demo-behaviour:${workspaceId}` });
  }
  return { customers: demo.created, duplicates: demo.duplicates.length, segments: starters.created.length, templates: messaging.templatesCreated.length, journeys };
}
