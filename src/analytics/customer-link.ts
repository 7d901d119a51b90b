// The analytics area's part in a customer's life. Scores live on customer_metrics (rebuilt by
// the metrics link and rescored by the next run; a deletion, restore or merge marks them for
// it); recommendations are dropped when the customer changes (merge, undo, erase) and made
// again by the next run; a data export includes them.
import { sql } from 'drizzle-orm';
import type { CustomerLink } from '../customers/links.ts';
import type { Queryable } from '../db/connection.ts';
import { customerAnalytics } from './reports.ts';

/**
 * A customer deleted (by hand or by a merge) or brought back is marked as never scored. A
 * maintained RFM run rescores only the customers whose inputs moved (RFM_DIRTY in rfm-scores.ts)
 * and ranks only live ones: the mark stays while the customer is deleted, so whichever way the
 * customer comes back, the next run scores them against the cut points of the day.
 */
async function markUnscored(db: Queryable, workspaceId: string, customerIds: string[]): Promise<void> {
  await db.execute(sql`update customer_metrics set scores_updated_at = null where workspace_id = ${workspaceId}::uuid and customer_id = any(${sql.param(customerIds)}::uuid[])`);
}

export const analyticsCustomerLink: CustomerLink = {
  area: 'analytics',
  async reassign(db, { workspaceId, fromId, toId }) {
    // Both histories changed: what was recommended to either no longer fits the survivor.
    await db.execute(sql`delete from customer_recommendations where workspace_id = ${workspaceId}::uuid and customer_id in (${fromId}::uuid, ${toId}::uuid)`);
    await markUnscored(db, workspaceId, [fromId, toId]);
    return {};
  },
  async undoReassign(db, { workspaceId, fromId, toId }) {
    await db.execute(sql`delete from customer_recommendations where workspace_id = ${workspaceId}::uuid and customer_id in (${fromId}::uuid, ${toId}::uuid)`);
    await markUnscored(db, workspaceId, [fromId, toId]);
  },
  async erase(db, { workspaceId, customerId }) {
    // What was recommended follows from what the person bought: it goes with the person.
    await db.execute(sql`delete from customer_recommendations where workspace_id = ${workspaceId}::uuid and customer_id = ${customerId}::uuid`);
  },
  async changed(db, { workspaceId, customerIds, changes }) {
    if (changes.includes('all')) await markUnscored(db, workspaceId, customerIds);
  },
  async exportData(db, { workspaceId, customerId }) {
    const a = await customerAnalytics(db, { workspaceId, customerId });
    return { scores: a.scores, affinities: a.affinities, recommendations: a.recommendations };
  },
};
