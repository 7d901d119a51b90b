// Test data for the delivery tests (send, gate, dispatcher, status): customers with consent, a
// channel, and messages, in a workspace of the test's own.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { upsertCustomers } from '../customers/customers.ts';
import type { CustomerInput } from '../customers/profile-input.ts';
import { systemActor } from '../workspaces/audit.ts';
import { channels, messages } from './schema.ts';

/** Creates customers (each row as given) and returns their ids in order. */
export async function addCustomers(db: Queryable, workspaceId: string, rows: CustomerInput[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += 2000) {
    const results = await db.transaction((tx) => upsertCustomers(tx, { workspaceId, actor: systemActor, rows: rows.slice(i, i + 2000), matchBy: 'none' }));
    for (const r of results) {
      if (!r.id) throw new Error(`customer ${i + r.index} not created: ${JSON.stringify(r.errors)}`);
      ids.push(r.id);
    }
  }
  return ids;
}

export const granted = (channel: string, ...purposes: string[]) => purposes.map((purpose) => ({ channel, purpose, status: 'granted', source: 'test' }));

/** A channel row (the default of its kind unless told otherwise). */
export async function addChannel(
  db: Queryable,
  workspaceId: string,
  opts: { kind: string; provider: string; settings?: Record<string, unknown>; isDefault?: boolean; secrets?: string | null },
): Promise<string> {
  const id = uuidv7();
  await db.insert(channels).values({ workspaceId, id, kind: opts.kind, provider: opts.provider, name: `${opts.kind} ${opts.provider}`, settings: opts.settings ?? {}, isDefault: opts.isDefault ?? true, secrets: opts.secrets ?? null });
  return id;
}

/** A message row as the dispatcher finds it, for tests of recording alone. */
export async function addMessageRow(db: Queryable, workspaceId: string, opts: { channelId: string; customerId?: string | null; kind?: string; purpose?: string; status?: string }): Promise<string> {
  const id = uuidv7();
  await db.insert(messages).values({
    workspaceId,
    id,
    idempotencyKey: `test:${id}`,
    customerId: opts.customerId ?? null,
    channelId: opts.channelId,
    kind: opts.kind ?? 'email',
    purpose: opts.purpose ?? 'marketing',
    lane: 'bulk',
    status: opts.status ?? 'queued',
    sendAt: sql`now()`,
  });
  return id;
}
