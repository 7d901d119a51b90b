// The key figures the campaign list shows beside each campaign, for a whole page in one query,
// counted as the report counts them (recipients and their messages through the message id fixed
// at the freeze). Conversions stay in the report: each campaign has its own goal and window, and
// counting them means joining its recipients with the orders or events, the report's dearest part.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';

export type CampaignListFigures = {
  /** Frozen recipients, the holdout included (0 before sending starts). */
  recipients: number;
  /** Recipients in the variants (the holdout apart): whom the campaign meant to send to. */
  targeted: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
};

const NONE: CampaignListFigures = { recipients: 0, targeted: 0, sent: 0, delivered: 0, opened: 0, clicked: 0 };

type Row = { campaign_id: string; recipients: number; targeted: number; sent: number; delivered: number; opened: number; clicked: number };

/** Figures for each of `campaignIds` (campaigns of the workspace; one without recipients has zeros). */
export async function campaignListFigures(db: Queryable, opts: { workspaceId: string; campaignIds: readonly string[] }): Promise<Map<string, CampaignListFigures>> {
  const figures = new Map<string, CampaignListFigures>(opts.campaignIds.map((id) => [id, NONE]));
  if (opts.campaignIds.length === 0) return figures;
  const ws = sql`${opts.workspaceId}::uuid`;
  const ids = sql`${sql.param([...opts.campaignIds])}::uuid[]`;
  // The messages are found through the campaigns' origin index, not the whole table.
  const { rows } = await db.execute<Row>(sql`
    with m as (
      select id, sent_at, delivered_at, opened_at, clicked_at
      from messages where workspace_id = ${ws} and origin = 'campaign' and origin_id = any(${ids}))
    select r.campaign_id, count(*)::int as recipients, count(*) filter (where r.variant <> 'holdout')::int as targeted,
      count(m.sent_at)::int as sent, count(m.delivered_at)::int as delivered, count(m.opened_at)::int as opened, count(m.clicked_at)::int as clicked
    from campaign_recipients r left join m on m.id = r.message_id
    where r.workspace_id = ${ws} and r.campaign_id = any(${ids})
    group by r.campaign_id`);
  for (const r of rows) {
    figures.set(r.campaign_id, { recipients: Number(r.recipients), targeted: Number(r.targeted), sent: Number(r.sent), delivered: Number(r.delivered), opened: Number(r.opened), clicked: Number(r.clicked) });
  }
  return figures;
}
