// Areas above segments that react when customers enter or leave a segment (journeys) register
// here in the composition root (src/areas.ts). A hook runs in the transaction that moved them and
// gets the moves as queries (`customer_id` rows), so 100,000 entries need not pass through Node.
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';

export type MembershipChange = {
  workspaceId: string;
  segmentId: string;
  at: Date;
  /** `select customer_id …` of those who entered / left at `at`. */
  entered: SQL;
  exited: SQL;
};
export type MembershipHook = (db: Queryable, change: MembershipChange) => Promise<void>;

const hooks: MembershipHook[] = [];

export function registerMembershipHook(hook: MembershipHook): void {
  if (!hooks.includes(hook)) hooks.push(hook);
}

export async function runMembershipHooks(
  db: Queryable,
  opts: { workspaceId: string; segmentId: string; at: Date; entered: number; exited: number; customerIds?: string[] },
): Promise<void> {
  if (hooks.length === 0 || opts.entered + opts.exited === 0) return;
  const only = opts.customerIds ? sql` and h.customer_id = any(${sql.param(opts.customerIds)}::uuid[])` : sql``;
  const ws = sql`${opts.workspaceId}::uuid`;
  const seg = sql`${opts.segmentId}::uuid`;
  const at = sql`${opts.at.toISOString()}::timestamptz`;
  const change: MembershipChange = {
    workspaceId: opts.workspaceId,
    segmentId: opts.segmentId,
    at: opts.at,
    entered: opts.entered
      ? sql`select h.customer_id from segment_membership_history h where h.workspace_id = ${ws} and h.segment_id = ${seg} and h.entered_at = ${at}${only}`
      : sql`select null::uuid as customer_id where false`,
    exited: opts.exited
      ? sql`select h.customer_id from segment_membership_history h where h.workspace_id = ${ws} and h.segment_id = ${seg} and h.exited_at = ${at}${only}`
      : sql`select null::uuid as customer_id where false`,
  };
  for (const hook of hooks) await hook(db, change);
}
