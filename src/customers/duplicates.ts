// Likely duplicates: profiles that share a match key (canonical e-mail, phone, name + birthday,
// name + phone tail), scored by what they share; pairs a person dismissed are left out.
import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { requireCustomerRow } from './customers.ts';
import { customerDuplicateDismissals } from './schema.ts';

import type { DuplicateReason } from './vocabulary.ts';

const REASON_OF: Record<string, DuplicateReason> = { e: 'email', p: 'phone', nb: 'name_birthday', nt: 'name_phone_tail' };
/** How sure each shared key alone makes us. */
const WEIGHT: Record<DuplicateReason, number> = { email: 0.95, phone: 0.9, name_birthday: 0.8, name_phone_tail: 0.7 };

/** Several independent pieces of evidence: 1 − Π(1 − wᵢ), rounded to 3 digits. */
export function duplicateScore(reasons: readonly DuplicateReason[]): number {
  const miss = [...new Set(reasons)].reduce((p, r) => p * (1 - WEIGHT[r]), 1);
  return Math.round((1 - miss) * 1000) / 1000;
}

export type DuplicatePair = { aId: string; bId: string; score: number; reasons: DuplicateReason[] };

/**
 * Pairs of live profiles sharing a key, best first. With `customerId`, only that customer's
 * pairs (fast: one index lookup); without, the whole workspace (a set-based scan).
 */
export async function findDuplicates(db: Queryable, opts: { workspaceId: string; customerId?: string; limit: number }): Promise<DuplicatePair[]> {
  // Keys shared by very many profiles (a family phone, a shop's test address) say little.
  const rows = opts.customerId
    ? await db.execute<{ a: string; b: string; keys: string[] }>(sql`
        select least(c.id, o.id) as a, greatest(c.id, o.id) as b, array_agg(k) as keys
        from customers c cross join lateral unnest(c.match_keys) k
        join customers o on o.workspace_id = c.workspace_id and o.match_keys @> array[k] and o.id <> c.id and o.deleted_at is null
        where c.workspace_id = ${opts.workspaceId} and c.id = ${opts.customerId}
        group by 1, 2`)
    : await db.execute<{ a: string; b: string; keys: string[] }>(sql`
        with keyed as (
          select k, array_agg(id order by id) as ids
          from customers, unnest(match_keys) k
          where workspace_id = ${opts.workspaceId} and deleted_at is null
          group by k having count(*) between 2 and 20
        )
        select x as a, y as b, array_agg(k) as keys
        from keyed, unnest(ids) x, unnest(ids) y
        where x < y
        group by x, y`);
  const dismissed = await db
    .select()
    .from(customerDuplicateDismissals)
    .where(eq(customerDuplicateDismissals.workspaceId, opts.workspaceId));
  const skip = new Set(dismissed.map((d) => `${d.aId}:${d.bId}`));
  const pairs = rows.rows
    .filter((r) => !skip.has(`${r.a}:${r.b}`))
    .map((r) => {
      const reasons = [...new Set(r.keys.map((k) => REASON_OF[k.slice(0, k.indexOf(':'))]!).filter(Boolean))].sort() as DuplicateReason[];
      return { aId: r.a, bId: r.b, reasons, score: duplicateScore(reasons) };
    });
  pairs.sort((x, y) => y.score - x.score || x.aId.localeCompare(y.aId) || x.bId.localeCompare(y.bId));
  return pairs.slice(0, opts.limit);
}

export async function dismissDuplicate(db: Queryable, opts: { workspaceId: string; actor: Actor; aId: string; bId: string }): Promise<void> {
  if (opts.aId === opts.bId) throw new AppError('invalid_input', 'body.bId: must differ from aId');
  await requireCustomerRow(db, { workspaceId: opts.workspaceId, id: opts.aId });
  await requireCustomerRow(db, { workspaceId: opts.workspaceId, id: opts.bId });
  const [aId, bId] = [opts.aId, opts.bId].sort() as [string, string];
  await db.insert(customerDuplicateDismissals).values({ workspaceId: opts.workspaceId, aId, bId }).onConflictDoNothing();
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'customer.duplicate_dismiss', entityType: 'customer', entityId: aId, after: { notDuplicateOf: bId } });
}
