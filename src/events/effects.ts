// What happens, in the ingesting transaction, once a batch of new events is stored: the
// commerce area derives products, carts and orders; the behaviour metrics move forward; the
// segments area notes the customers to re-evaluate (a row and a deduplicated job: the work
// itself runs right after commit, in the worker, so ingestion stays fast); then the areas that
// registered a hook (src/areas.ts) hear of them.
// Duplicates (a retried messageId) never reach here, so every effect runs once per event.
import type { Queryable } from '../db/connection.ts';
import { recordCommerceEvents } from '../commerce/event-effects.ts';
import { updateMetricsForEvents } from './metrics.ts';
import { recordSegmentEventChanges } from '../segments/jobs.ts';
import type { StoredEvent } from './types.ts';
import { runEventsHooks } from './hooks.ts';

export async function applyEventEffects(db: Queryable, opts: { workspaceId: string; events: StoredEvent[] }): Promise<void> {
  if (opts.events.length === 0) return;
  // Commerce first: an order it creates updates the order figures of the metrics row, which the
  // behaviour update then finds in place.
  await recordCommerceEvents(db, opts);
  await updateMetricsForEvents(db, opts);
  await recordSegmentEventChanges(db, opts);
  // Last: what registered above events (journeys) sees the customer's figures already moved.
  await runEventsHooks(db, opts);
}
