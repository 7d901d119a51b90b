// The campaigns area's part in a customer's life. A merge moves the merged customer's places in
// campaign audiences to the survivor (where both were targeted by one campaign the survivor's
// place stays, and the other is kept aside for an undo); an erase leaves the rows, which hold no
// personal data, only that an id was targeted and in which group (the reports' counts stay right);
// an access request lists the campaigns that targeted the customer.
import { sql } from 'drizzle-orm';
import type { CustomerLink } from '../customers/links.ts';

type Place = { campaign_id: string; variant: string; status: string; message_id: string | null; seq: number };
type Moved = { moved: string[]; dropped: Place[] };

export const campaignsCustomerLink: CustomerLink = {
  area: 'campaigns',

  async reassign(db, { workspaceId, fromId, toId }): Promise<Moved> {
    const { rows: dropped } = await db.execute<Place>(sql`
      delete from campaign_recipients f
      where f.workspace_id = ${workspaceId}::uuid and f.customer_id = ${fromId}::uuid
        and exists (select 1 from campaign_recipients t where t.workspace_id = f.workspace_id and t.campaign_id = f.campaign_id and t.customer_id = ${toId}::uuid)
      returning f.campaign_id, f.variant, f.status, f.message_id, f.seq`);
    const { rows: moved } = await db.execute<{ campaign_id: string }>(sql`
      update campaign_recipients set customer_id = ${toId}::uuid
      where workspace_id = ${workspaceId}::uuid and customer_id = ${fromId}::uuid
      returning campaign_id`);
    return { moved: moved.map((r) => r.campaign_id), dropped };
  },

  async undoReassign(db, { workspaceId, fromId, toId, moved }) {
    const m = moved as Moved;
    if (m.moved.length) {
      await db.execute(sql`
        update campaign_recipients set customer_id = ${fromId}::uuid
        where workspace_id = ${workspaceId}::uuid and customer_id = ${toId}::uuid and campaign_id = any(${sql.param(m.moved)}::uuid[])`);
    }
    for (const p of m.dropped) {
      await db.execute(sql`
        insert into campaign_recipients (workspace_id, campaign_id, customer_id, variant, status, message_id, seq)
        values (${workspaceId}::uuid, ${p.campaign_id}::uuid, ${fromId}::uuid, ${p.variant}, ${p.status}, ${p.message_id}::uuid, ${p.seq})
        on conflict do nothing`);
    }
  },

  // Nothing personal is held here: the rows say an id was targeted and in which group.
  async erase() {},

  async exportData(db, { workspaceId, customerId }) {
    const { rows } = await db.execute<{ campaign: string; group: string; status: string; started_at: Date | string | null }>(sql`
      select c.name as campaign, r.variant as group, r.status, c.started_at
      from campaign_recipients r join campaigns c on c.workspace_id = r.workspace_id and c.id = r.campaign_id
      where r.workspace_id = ${workspaceId}::uuid and r.customer_id = ${customerId}::uuid
      order by c.started_at`);
    return rows.map((r) => ({ campaign: r.campaign, group: r.group, status: r.status, startedAt: r.started_at === null ? null : new Date(r.started_at).toISOString() }));
  },
};
