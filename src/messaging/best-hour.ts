// "At the customer's best hour": the hour of day the customer is most active (customer_metrics
// counts it in the workspace's time zone), else the workspace's best hour, at its next occurrence
// within 24 hours. Quiet hours are the gate's to apply afterwards (an ad due at 22:00 is deferred).
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { nextLocalMinute } from './quiet-hours.ts';

/** The next occurrence of `hour` (0–23, in `timeZone`) at or after `now`. Pure. */
export function nextHour(now: Date, timeZone: string, hour: number): Date {
  return nextLocalMinute(now, timeZone, hour * 60);
}

/** When each customer's message goes: their most active hour, else `fallbackHour`, else now. */
export async function bestHourTimes(
  db: Queryable,
  opts: { workspaceId: string; customerIds: string[]; timeZone: string; fallbackHour: number | null; now: Date },
): Promise<Map<string, Date>> {
  const result = new Map<string, Date>();
  const ids = [...new Set(opts.customerIds)];
  const hours = new Map<string, number>();
  if (ids.length) {
    const { rows } = await db.execute<{ customer_id: string; most_active_hour: number | null }>(sql`
      select customer_id, most_active_hour from customer_metrics
      where workspace_id = ${opts.workspaceId}::uuid and customer_id = any(${sql.param(ids)}::uuid[]) and most_active_hour is not null`);
    for (const r of rows) if (r.most_active_hour !== null) hours.set(r.customer_id, Number(r.most_active_hour));
  }
  for (const id of ids) {
    const hour = hours.get(id) ?? opts.fallbackHour;
    result.set(id, hour === null || hour === undefined ? opts.now : nextHour(opts.now, opts.timeZone, hour));
  }
  return result;
}
