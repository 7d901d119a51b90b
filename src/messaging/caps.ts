// Frequency caps: "at most 2 marketing messages a day and 5 a week per customer" (all channels
// together, or per channel). What counts is what was sent in the rolling window before the
// message's send time, plus the messages of the same batch that have already passed the gate.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import type { Cap } from './settings.ts';

const WINDOW_MS = { day: 86_400_000, week: 7 * 86_400_000 } as const;

export type SentRecord = { kind: string; purpose: string; sentAt: Date };
export type CapItem = { customerId: string; kind: string; purpose: string; at: Date };

/** Whether `item` would go over one of `caps` given what the customer was already sent. Pure. */
export function overCap(caps: readonly Cap[], item: CapItem, sent: readonly SentRecord[]): boolean {
  for (const cap of caps) {
    if (cap.purpose !== item.purpose || (cap.channel !== null && cap.channel !== item.kind)) continue;
    const from = item.at.getTime() - WINDOW_MS[cap.per];
    let count = 0;
    for (const r of sent) {
      if (r.purpose === cap.purpose && (cap.channel === null || r.kind === cap.channel) && r.sentAt.getTime() > from && r.sentAt.getTime() <= item.at.getTime()) count++;
    }
    if (count >= cap.max) return true;
  }
  return false;
}

/** What the customers of one workspace were sent in the longest cap window before `until`, by customer. One query. */
export async function recentlySent(
  db: Queryable,
  opts: { workspaceId: string; customerIds: string[]; purposes: string[]; from: Date; until: Date; exceptMessageIds: string[] },
): Promise<Map<string, SentRecord[]>> {
  const result = new Map<string, SentRecord[]>();
  if (opts.customerIds.length === 0 || opts.purposes.length === 0) return result;
  const { rows } = await db.execute<{ customer_id: string; kind: string; purpose: string; sent_at: string | Date }>(sql`
    select customer_id, kind, purpose, sent_at from messages
    where workspace_id = ${opts.workspaceId}::uuid and customer_id = any(${sql.param([...new Set(opts.customerIds)])}::uuid[])
      and sent_at is not null and sent_at > ${opts.from} and sent_at <= ${opts.until}
      and purpose = any(${sql.param(opts.purposes)}::text[])
      and not (id = any(${sql.param(opts.exceptMessageIds)}::uuid[]))`);
  for (const r of rows) {
    const list = result.get(r.customer_id) ?? [];
    list.push({ kind: r.kind, purpose: r.purpose, sentAt: new Date(r.sent_at) });
    result.set(r.customer_id, list);
  }
  return result;
}

export const longestWindowMs = (caps: readonly Cap[]) => Math.max(0, ...caps.map((c) => WINDOW_MS[c.per]));
