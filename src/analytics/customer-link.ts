// The analytics area's part in a customer's life. Scores live on customer_metrics (rebuilt by
// the metrics link and rescored by the next run); recommendations are dropped when the customer
// changes (merge, undo, erase) and made again by the next run; a data export includes them.
import { sql } from 'drizzle-orm';
import type { CustomerLink } from '../customers/links.ts';
import { customerAnalytics } from './reports.ts';

export const analyticsCustomerLink: CustomerLink = {
  area: 'analytics',
  async reassign(db, { workspaceId, fromId, toId }) {
    // Both histories changed: what was recommended to either no longer fits the survivor.
    await db.execute(sql`delete from customer_recommendations where workspace_id = ${workspaceId}::uuid and customer_id in (${fromId}::uuid, ${toId}::uuid)`);
    return {};
  },
  async undoReassign(db, { workspaceId, fromId, toId }) {
    await db.execute(sql`delete from customer_recommendations where workspace_id = ${workspaceId}::uuid and customer_id in (${fromId}::uuid, ${toId}::uuid)`);
  },
  async erase(db, { workspaceId, customerId }) {
    // What was recommended follows from what the person bought: it goes with the person.
    await db.execute(sql`delete from customer_recommendations where workspace_id = ${workspaceId}::uuid and customer_id = ${customerId}::uuid`);
  },
  async exportData(db, { workspaceId, customerId }) {
    const a = await customerAnalytics(db, { workspaceId, customerId });
    return { scores: a.scores, affinities: a.affinities, recommendations: a.recommendations };
  },
};
