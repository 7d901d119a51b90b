// Areas above events that react to stored events (journeys listening for a trigger, a wait or a
// goal) register here in the composition root (src/areas.ts) instead of being imported. Each hook
// runs in the transaction that stores the events, once per event: duplicates never reach it.
import type { Queryable } from '../db/connection.ts';

export type HookEvent = { messageId: string; customerId: string | null; name: string | null; properties: Record<string, unknown>; timestamp: Date };
export type EventsHook = (db: Queryable, opts: { workspaceId: string; events: HookEvent[] }) => Promise<void>;

const hooks: EventsHook[] = [];

export function registerEventsHook(hook: EventsHook): void {
  if (!hooks.includes(hook)) hooks.push(hook);
}

/** Runs the registered hooks on events just stored (ingested or observed). */
export async function runEventsHooks(db: Queryable, opts: { workspaceId: string; events: HookEvent[] }): Promise<void> {
  if (opts.events.length === 0) return;
  for (const hook of hooks) await hook(db, opts);
}
