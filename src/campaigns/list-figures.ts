// The key figures the campaign list shows beside each campaign, for a whole page in one query,
// counted as the report counts them (recipients from the frozen audience, messages by their
// campaign: a merged-away recipient's message was still sent). Conversions stay in the report: each campaign has its own goal and window, and
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
  // Two aggregates, each through its own index (recipients by campaign, messages by origin), joined per campaign.
  const { rows } = await db.execute<Row>(sql`
    with r as (
      select campaign_id, count(*)::int as recipients, count(*) filter (where variant <> 'holdout')::int as targeted
      from campaign_recipients where workspace_id = ${ws} and campaign_id = any(${ids}) group by 1),
    m as (
      select origin_id as campaign_id, count(sent_at)::int as sent, count(delivered_at)::int as delivered, count(opened_at)::int as opened, count(clicked_at)::int as clicked
      from messages where workspace_id = ${ws} and origin = 'campaign' and origin_id = any(${ids}) group by 1)
    select r.campaign_id, r.recipients, r.targeted, coalesce(m.sent, 0) as sent, coalesce(m.delivered, 0) as delivered, coalesce(m.opened, 0) as opened, coalesce(m.clicked, 0) as clicked
    from r left join m using (campaign_id)`);
  for (const r of rows) {
    figures.set(r.campaign_id, { recipients: Number(r.recipients), targeted: Number(r.targeted), sent: Number(r.sent), delivered: Number(r.delivered), opened: Number(r.opened), clicked: Number(r.clicked) });
  }
  return figures;
}
