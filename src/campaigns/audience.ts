// Who a campaign reaches, and in which group. Every assignment is a stable hash, so anyone can
// recompute it and get the same answer (reproducible and auditable): a customer's bucket
// 0–9999 for a campaign is the first 32 bits of md5("<campaign id>:<customer id>") modulo 10,000;
// buckets below holdout% × 100 are the holdout, the next ones variant A's share, then B's, ….
// The workspace's global control group (customers no marketing campaign reaches, to measure the
// long-run effect of all marketing) is the same hash over "<workspace salt>:<customer id>".
// The same formula runs in SQL (the freeze) and here (tests, audits): bucketSql and bucketOf.
import crypto from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { randomString } from '../workspaces/secrets.ts';
import { campaignSettings, type CampaignAudience, type CampaignVariant } from './schema.ts';
import type { CampaignRow } from './campaigns.ts';

export const BUCKETS = 10_000;

/** A customer's bucket (0–9999) under a key: a campaign id, or the workspace's global control salt. */
export function bucketOf(key: string, customerId: string): number {
  return crypto.createHash('md5').update(`${key}:${customerId}`).digest().readUInt32BE(0) % BUCKETS;
}

/** bucketOf in SQL, for a customer id column. */
export function bucketSql(key: string, customerColumn: SQL): SQL {
  return sql`(('x' || substr(md5(${key} || ':' || ${customerColumn}::text), 1, 8))::bit(32)::bigint % ${BUCKETS})`;
}

/** The id a recipient's message gets, fixed at the freeze: md5("message:<campaign id>:<customer id>") as a uuid. */
export function messageIdSql(campaignId: string, customerColumn: SQL): SQL {
  return sql`md5('message:' || ${campaignId} || ':' || ${customerColumn}::text)::uuid`;
}

/** A campaign that picks a winner tests on the customers whose test bucket (a second hash) is below testShare × 100; the rest wait for the winner. */
export const testKey = (campaignId: string) => `test:${campaignId}`;

/** A recipient's group: `holdout`, a variant's key, or `winner` (the rest of a campaign that picks a winner). */
export function recipientGroupOf(campaign: Pick<CampaignRow, 'id' | 'holdoutShare' | 'variants' | 'winner'>, customerId: string): string {
  const group = groupOf(bucketOf(campaign.id, customerId), campaign.holdoutShare, campaign.variants);
  if (group === 'holdout' || !campaign.winner) return group;
  return bucketOf(testKey(campaign.id), customerId) < campaign.winner.testShare * (BUCKETS / 100) ? group : 'winner';
}

/** The group of a bucket: `holdout` or a variant's key. */
export function groupOf(bucket: number, holdoutShare: number, variants: Pick<CampaignVariant, 'key' | 'share'>[]): string {
  let edge = holdoutShare * (BUCKETS / 100);
  if (bucket < edge) return 'holdout';
  for (const v of variants) {
    edge += v.share * (BUCKETS / 100);
    if (bucket < edge) return v.key;
  }
  return variants[variants.length - 1]!.key;
}

function groupSql(bucket: SQL, holdoutShare: number, variants: Pick<CampaignVariant, 'key' | 'share'>[]): SQL {
  let edge = holdoutShare * (BUCKETS / 100);
  const cases: SQL[] = [sql`when ${bucket} < ${edge} then 'holdout'`];
  for (const v of variants.slice(0, -1)) {
    edge += v.share * (BUCKETS / 100);
    cases.push(sql`when ${bucket} < ${edge} then ${v.key}`);
  }
  return sql`(case ${sql.join(cases, sql` `)} else ${variants[variants.length - 1]!.key} end)`;
}

// --- the workspace's settings --------------------------------------------------------------------

export type CampaignSettings = { globalControlShare: number; globalControlSalt: string; costs: Record<string, number> };

export const COST_KEYS = ['email', 'sms', 'lms', 'alimtalk', 'friendtalk', 'push', 'webhook'] as const;

export async function getCampaignSettings(db: Queryable, workspaceId: string): Promise<CampaignSettings> {
  const { rows } = await db.execute<{ global_control_share: number; global_control_salt: string; costs: Record<string, number> }>(
    sql`select global_control_share, global_control_salt, costs from campaign_settings where workspace_id = ${workspaceId}::uuid`,
  );
  if (rows[0]) return { globalControlShare: rows[0].global_control_share, globalControlSalt: rows[0].global_control_salt, costs: rows[0].costs };
  // The salt is made once and never changes: the control group must stay the same people.
  await db.insert(campaignSettings).values({ workspaceId, globalControlSalt: randomString(24) }).onConflictDoNothing();
  return getCampaignSettings(db, workspaceId);
}

export async function setCampaignSettings(db: Queryable, workspaceId: string, input: { globalControlShare?: number; costs?: Record<string, number> }): Promise<CampaignSettings> {
  const current = await getCampaignSettings(db, workspaceId);
  const share = input.globalControlShare ?? current.globalControlShare;
  if (!Number.isInteger(share) || share < 0 || share > 20) throw new AppError('invalid_input', 'globalControlShare: must be a whole per cent from 0 to 20');
  const costs = input.costs ?? current.costs;
  if (typeof costs !== 'object' || costs === null || Array.isArray(costs)) throw new AppError('invalid_input', 'costs: must map message types to prices');
  for (const [k, v] of Object.entries(costs)) {
    if (!(COST_KEYS as readonly string[]).includes(k)) throw new AppError('invalid_input', `costs.${k}: must be one of ${COST_KEYS.join(', ')}`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1_000_000) throw new AppError('invalid_input', `costs.${k}: must be a price from 0 to 1,000,000`);
  }
  await db.execute(sql`update campaign_settings set global_control_share = ${share}, costs = ${JSON.stringify(costs)}::jsonb, updated_at = ${clock.now()} where workspace_id = ${workspaceId}::uuid`);
  return { ...current, globalControlShare: share, costs };
}

// --- the audience --------------------------------------------------------------------------------

/** The customers of an audience (live), before the global control group: a subquery of `customer_id`. */
function audienceSql(workspaceId: string, audience: CampaignAudience): SQL {
  const parts: SQL[] = [];
  if (audience.segmentIds.length) parts.push(sql`select customer_id from segment_members where workspace_id = ${workspaceId}::uuid and segment_id = any(${sql.param(audience.segmentIds)}::uuid[])`);
  if (audience.customerIds.length) parts.push(sql`select unnest(${sql.param(audience.customerIds)}::uuid[]) as customer_id`);
  const union = sql.join(parts, sql` union `);
  const exclude = audience.excludeSegmentIds.length
    ? sql`and not exists (select 1 from segment_members x where x.workspace_id = ${workspaceId}::uuid and x.segment_id = any(${sql.param(audience.excludeSegmentIds)}::uuid[]) and x.customer_id = a.customer_id)`
    : sql``;
  // Deleted and erased customers are not an audience (the gate would refuse them anyway).
  return sql`select a.customer_id from (${union}) a
    join customers c on c.workspace_id = ${workspaceId}::uuid and c.id = a.customer_id and c.deleted_at is null and c.erased_at is null
    where true ${exclude}`;
}

export type AudienceCount = { total: number; globalControl: number; targeted: number };

/** How many the audience holds now, and how many of them the global control group keeps out (marketing only). */
export async function countAudience(db: Queryable, workspaceId: string, audience: CampaignAudience, purpose: string): Promise<AudienceCount> {
  const settings = await getCampaignSettings(db, workspaceId);
  const share = purpose === 'marketing' ? settings.globalControlShare : 0;
  const { rows } = await db.execute<{ total: number; control: number }>(sql`
    select count(*)::int as total, count(*) filter (where ${bucketSql(settings.globalControlSalt, sql`customer_id`)} < ${share * (BUCKETS / 100)})::int as control
    from (${audienceSql(workspaceId, audience)}) aud`);
  const total = Number(rows[0]?.total ?? 0);
  const control = Number(rows[0]?.control ?? 0);
  return { total, globalControl: control, targeted: total - control };
}

/**
 * Freezes the audience into campaign_recipients (in the caller's transaction): who is in it now,
 * minus the global control group, each in their group by the campaign's hash, with the id its
 * message will have. `seq` numbers the targeted in send order; the holdout's rows are `holdout`
 * and never sent.
 * Returns the counts stored on the campaign.
 */
export async function freezeAudience(db: Queryable, campaign: CampaignRow): Promise<AudienceCount & { test: number }> {
  const ws = campaign.workspaceId;
  const settings = await getCampaignSettings(db, ws);
  const share = campaign.purpose === 'marketing' ? settings.globalControlShare : 0;
  // Each hash once per customer: `offset 0` keeps the planner from copying the bucket expression
  // into every place the group is used (the CASE, the status, the message id, the numbering).
  const aud =
    share > 0
      ? sql`select customer_id, ${bucketSql(settings.globalControlSalt, sql`customer_id`)} < ${share * (BUCKETS / 100)} as in_control from (${audienceSql(ws, campaign.audience)}) a offset 0`
      : sql`select customer_id, false as in_control from (${audienceSql(ws, campaign.audience)}) a`;
  // A bulk statement: no JIT (compiling it costs seconds and saves none), sorts and hashes in memory.
  await db.execute(sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`);
  // Without a control group the audience is read once (the total is what was inserted).
  const { rows } = await db.execute<{ total: number; control: number; test: number }>(sql`
    with aud as ${share > 0 ? sql`materialized` : sql``} (${aud}),
    bucketed as (select customer_id, ${bucketSql(campaign.id, sql`customer_id`)} as bucket from aud where not in_control offset 0),
    grouped as (select customer_id, ${groupSql(sql`bucket`, campaign.holdoutShare, campaign.variants)} as variant from bucketed offset 0),
    kept as (${
      campaign.winner
        ? sql`select customer_id, case when variant = 'holdout' or ${bucketSql(testKey(campaign.id), sql`customer_id`)} < ${campaign.winner.testShare * (BUCKETS / 100)} then variant else 'winner' end as variant from grouped offset 0`
        : sql`select customer_id, variant from grouped`
    }),
    ins as (
      insert into campaign_recipients (workspace_id, campaign_id, customer_id, variant, status, message_id, seq)
      select ${ws}::uuid, ${campaign.id}::uuid, customer_id, variant, case when variant = 'holdout' then 'holdout' else 'pending' end,
        case when variant = 'holdout' then null else ${messageIdSql(campaign.id, sql`customer_id`)} end,
        row_number() over (partition by variant = 'holdout' order by variant = 'winner', customer_id)
      from kept
      returning variant)
    ${
      share > 0
        ? sql`select (select count(*) from aud)::int as total, (select count(*) from aud where in_control)::int as control, (select count(*) filter (where variant not in ('holdout', 'winner')) from ins)::int as test`
        : sql`select count(*)::int as total, 0 as control, count(*) filter (where variant not in ('holdout', 'winner'))::int as test from ins`
    }`);
  const total = Number(rows[0]?.total ?? 0);
  const control = Number(rows[0]?.control ?? 0);
  return { total, globalControl: control, targeted: total - control, test: Number(rows[0]?.test ?? 0) };
}
