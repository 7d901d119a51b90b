// A campaign as the marketer writes it: a name, who (segments or a list, minus exclusions), what
// (one template per variant, up to five, with a split and a holdout), when (now, at a time, or at
// each customer's best hour, optionally throttled) and what counts as success (a goal event within
// a window). Saved as a draft and changed freely until sending starts; after that only its name.
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { AppError } from '../errors.ts';
import { listChannels } from '../messaging/channels.ts';
import { messageTemplates } from '../messaging/schema.ts';
import { CHANNEL_KINDS, MESSAGE_PURPOSES, type ChannelKind, type MessagePurpose } from '../messaging/types.ts';
import { segments } from '../segments/schema.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { campaigns, type CampaignAudience, type CampaignGoal, type CampaignSchedule, type CampaignVariant, type CampaignWinner } from './schema.ts';

export type CampaignRow = typeof campaigns.$inferSelect;
export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'sent' | 'cancelled';
export const CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled'];
export const VARIANT_KEYS = ['A', 'B', 'C', 'D', 'E'] as const;
export const DEFAULT_GOAL: CampaignGoal = { event: 'Order Completed', filters: [], windowDays: 7 };
export const MAX_LIST = 100_000;

export type CampaignInput = {
  name: string;
  purpose?: MessagePurpose;
  kind: ChannelKind;
  channelId?: string | null;
  audience: { segmentIds?: string[]; customerIds?: string[]; excludeSegmentIds?: string[] };
  variants: { name?: string; templateId: string; share: number }[];
  holdoutShare?: number;
  schedule?: CampaignSchedule;
  throttlePerMinute?: number;
  goal?: Partial<CampaignGoal>;
  winner?: CampaignWinner | null;
};

export type CampaignPatch = Partial<CampaignInput>;

const bad = (message: string) => new AppError('invalid_input', message);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

function uuids(list: unknown, path: string, max: number): string[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw bad(`${path}: must be a list of ids`);
  if (list.length > max) throw bad(`${path}: at most ${max.toLocaleString('en-US')} ids`);
  list.forEach((id, i) => {
    if (typeof id !== 'string' || !UUID.test(id)) throw bad(`${path}[${i}]: must be an id`);
  });
  return [...new Set((list as string[]).map((id) => id.toLowerCase()))];
}

function checkSchedule(s: CampaignSchedule | undefined, now: Date): CampaignSchedule {
  if (s === undefined) return { mode: 'now' };
  if (typeof s !== 'object' || s === null) throw bad('schedule: must be { mode: "now" | "at" | "best_hour" }');
  if (s.mode === 'now' || s.mode === 'best_hour') return { mode: s.mode };
  if (s.mode !== 'at') throw bad('schedule.mode: must be now, at or best_hour');
  if (typeof s.at !== 'string') throw bad('schedule.at: is required for a scheduled campaign');
  if (s.customerTimeZone) {
    if (!LOCAL_TIME.test(s.at) || Number.isNaN(Date.parse(`${s.at}:00Z`))) throw bad('schedule.at: in each customer’s time zone, give a local date and time (YYYY-MM-DDTHH:mm)');
    return { mode: 'at', at: s.at, customerTimeZone: true };
  }
  const at = new Date(s.at);
  if (Number.isNaN(at.getTime()) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(s.at)) throw bad('schedule.at: must be a time with its offset (ISO 8601, e.g. 2026-12-24T10:00:00+09:00)');
  if (at.getTime() < now.getTime() - 60_000) throw bad('schedule.at: is in the past');
  return { mode: 'at', at: at.toISOString() };
}

function checkGoal(g: Partial<CampaignGoal> | undefined): CampaignGoal {
  if (g === undefined) return DEFAULT_GOAL;
  const event = g.event === undefined ? DEFAULT_GOAL.event : g.event;
  if (typeof event !== 'string' || event.trim() === '' || event.length > 200) throw bad('goal.event: must be an event name');
  const windowDays = g.windowDays ?? DEFAULT_GOAL.windowDays;
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 90) throw bad('goal.windowDays: must be a whole number of days from 1 to 90');
  const filters = g.filters ?? [];
  if (!Array.isArray(filters) || filters.length > 10) throw bad('goal.filters: at most 10 filters');
  filters.forEach((f, i) => {
    if (typeof f?.property !== 'string' || !/^[A-Za-z0-9_.$-]{1,100}$/.test(f.property)) throw bad(`goal.filters[${i}].property: must be a property name`);
    if (f.op !== 'eq' && f.op !== 'gte' && f.op !== 'lte') throw bad(`goal.filters[${i}].op: must be eq, gte or lte`);
    if (f.op !== 'eq' && (typeof f.value !== 'number' || !Number.isFinite(f.value))) throw bad(`goal.filters[${i}].value: must be a number for ${f.op}`);
    if (typeof f.value !== 'number' && typeof f.value !== 'string') throw bad(`goal.filters[${i}].value: must be a number or a text`);
  });
  return { event: event.trim(), windowDays, filters: filters.map((f) => ({ property: f.property, op: f.op, value: f.value })) };
}

type Checked = Omit<
  CampaignRow,
  'workspaceId' | 'id' | 'status' | 'createdBy' | 'updatedBy' | 'createdAt' | 'updatedAt' | 'startedAt' | 'enqueuedAt' | 'pausedAt' | 'cancelledAt' | 'audienceSize' | 'excludedGlobalControl' | 'sendAnchorAt' | 'sendAnchorSeq' | 'enqueuedSeq' | 'testSize' | 'winnerKey' | 'winnerPickedAt'
>;

function checkWinner(w: CampaignWinner | null | undefined, variants: number): CampaignWinner | null {
  if (w === undefined || w === null) return null;
  if (typeof w !== 'object') throw bad('winner: must be { testShare, afterHours, by } or null');
  if (variants < 2) throw bad('winner: picking a winner needs at least two variants');
  if (!Number.isInteger(w.testShare) || w.testShare < 5 || w.testShare > 50) throw bad('winner.testShare: must be a whole per cent from 5 to 50');
  if (!Number.isInteger(w.afterHours) || w.afterHours < 1 || w.afterHours > 168) throw bad('winner.afterHours: must be a whole number of hours from 1 to 168');
  if (w.by !== 'conversion' && w.by !== 'click') throw bad('winner.by: must be conversion or click');
  return { testShare: w.testShare, afterHours: w.afterHours, by: w.by };
}

/** The input checked against the workspace (segments, channel, templates exist and fit): a 400 naming the field otherwise. */
async function checkInput(db: Queryable, workspaceId: string, input: CampaignInput): Promise<Checked> {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > 200) throw bad('name: must be 1–200 characters');
  const purpose = input.purpose ?? 'marketing';
  if (!(MESSAGE_PURPOSES as readonly string[]).includes(purpose)) throw bad(`purpose: must be one of ${MESSAGE_PURPOSES.join(', ')}`);
  if (!(CHANNEL_KINDS as readonly string[]).includes(input.kind)) throw bad(`kind: must be one of ${CHANNEL_KINDS.join(', ')}`);
  const kind = input.kind;
  let channelId: string | null = null;
  if (input.channelId !== undefined && input.channelId !== null) {
    if (typeof input.channelId !== 'string' || !UUID.test(input.channelId)) throw bad('channelId: must be a channel id');
    const channel = (await listChannels(db, workspaceId)).find((c) => c.id === input.channelId!.toLowerCase());
    if (!channel) throw new AppError('not_found', 'channelId: channel not found');
    if (channel.kind !== kind) throw bad(`channelId: the channel sends ${channel.kind}, not ${kind}`);
    channelId = channel.id;
  }

  const a = input.audience;
  if (typeof a !== 'object' || a === null) throw bad('audience: must name segments or customers');
  const audience: CampaignAudience = {
    segmentIds: uuids(a.segmentIds, 'audience.segmentIds', 20),
    customerIds: uuids(a.customerIds, 'audience.customerIds', MAX_LIST),
    excludeSegmentIds: uuids(a.excludeSegmentIds, 'audience.excludeSegmentIds', 20),
  };
  if (audience.segmentIds.length === 0 && audience.customerIds.length === 0) throw bad('audience.segmentIds: name at least one segment, or give customerIds');
  const wanted = [...audience.segmentIds, ...audience.excludeSegmentIds];
  if (wanted.length) {
    const found = await db
      .select({ id: segments.id })
      .from(segments)
      .where(and(eq(segments.workspaceId, workspaceId), sql`${segments.id} = any(${sql.param(wanted)}::uuid[])`, sql`${segments.deletedAt} is null`));
    const ids = new Set(found.map((r) => r.id));
    for (const [path, list] of [['audience.segmentIds', audience.segmentIds], ['audience.excludeSegmentIds', audience.excludeSegmentIds]] as const) {
      const i = list.findIndex((id) => !ids.has(id));
      if (i >= 0) throw new AppError('not_found', `${path}[${i}]: segment not found`);
    }
  }

  const holdoutShare = input.holdoutShare ?? 0;
  if (!Number.isInteger(holdoutShare) || holdoutShare < 0 || holdoutShare > 50) throw bad('holdoutShare: must be a whole per cent from 0 to 50');
  if (!Array.isArray(input.variants) || input.variants.length === 0) throw bad('variants: give at least one variant (a template and its share)');
  if (input.variants.length > VARIANT_KEYS.length) throw bad(`variants: at most ${VARIANT_KEYS.length}`);
  const templateIds = input.variants.map((v, i) => {
    if (typeof v?.templateId !== 'string' || !UUID.test(v.templateId)) throw bad(`variants[${i}].templateId: must be a template id`);
    if (!Number.isInteger(v.share) || v.share < 1 || v.share > 100) throw bad(`variants[${i}].share: must be a whole per cent from 1 to 100`);
    if (v.name !== undefined && (typeof v.name !== 'string' || v.name.length > 100)) throw bad(`variants[${i}].name: at most 100 characters`);
    return v.templateId.toLowerCase();
  });
  const total = input.variants.reduce((n, v) => n + v.share, 0) + holdoutShare;
  if (total !== 100) throw bad(`variants: the shares and the holdout must add up to 100 (they add up to ${total})`);
  const templates = await db
    .select({ id: messageTemplates.id, kind: messageTemplates.kind, name: messageTemplates.name })
    .from(messageTemplates)
    .where(and(eq(messageTemplates.workspaceId, workspaceId), sql`${messageTemplates.id} = any(${sql.param(templateIds)}::uuid[])`, sql`${messageTemplates.archivedAt} is null`));
  const byId = new Map(templates.map((t) => [t.id, t]));
  const variants: CampaignVariant[] = input.variants.map((v, i) => {
    const t = byId.get(templateIds[i]!);
    if (!t) throw new AppError('not_found', `variants[${i}].templateId: template not found`);
    if (t.kind !== kind) throw bad(`variants[${i}].templateId: the template is for ${t.kind}, the campaign sends ${kind}`);
    return { key: VARIANT_KEYS[i]!, name: v.name?.trim() || t.name, templateId: t.id, share: v.share };
  });

  const throttlePerMinute = input.throttlePerMinute ?? 0;
  if (!Number.isInteger(throttlePerMinute) || throttlePerMinute < 0 || throttlePerMinute > 1_000_000) throw bad('throttlePerMinute: must be a whole number from 0 (no limit) to 1,000,000');
  const schedule = checkSchedule(input.schedule, clock.now());
  if (schedule.mode === 'best_hour' && throttlePerMinute > 0) throw bad('throttlePerMinute: a campaign at each customer’s best hour is already spread over the day; leave the throttle at 0');
  const winner = checkWinner(input.winner, variants.length);
  return { name, purpose, kind, channelId, audience, variants, holdoutShare, schedule, throttlePerMinute, goal: checkGoal(input.goal), winner };
}

export async function createCampaign(db: Queryable, opts: { workspaceId: string; actor: Actor; input: CampaignInput }): Promise<CampaignRow> {
  const checked = await checkInput(db, opts.workspaceId, opts.input);
  const now = clock.now();
  const [row] = await db
    .insert(campaigns)
    .values({ workspaceId: opts.workspaceId, id: uuidv7(), status: 'draft', ...checked, createdBy: opts.actor.label, updatedBy: opts.actor.label, createdAt: now, updatedAt: now })
    .returning();
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'campaign.created', entityType: 'campaign', entityId: row!.id, after: { name: row!.name, kind: row!.kind, variants: row!.variants.length, holdoutShare: row!.holdoutShare } });
  return row!;
}

export async function getCampaign(db: Queryable, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<CampaignRow> {
  if (!UUID.test(id)) throw new AppError('not_found', 'campaign not found');
  const q = db.select().from(campaigns).where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id.toLowerCase())));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  if (!row) throw new AppError('not_found', 'campaign not found');
  return row;
}

/** A draft or scheduled campaign takes any change; once sending has started only the name changes. */
export async function updateCampaign(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string; patch: CampaignPatch }): Promise<CampaignRow> {
  const current = await getCampaign(db, opts.workspaceId, opts.id, { forUpdate: true });
  const { patch } = opts;
  const onlyName = Object.keys(patch).every((k) => k === 'name');
  if (current.status !== 'draft' && current.status !== 'scheduled' && !onlyName) throw new AppError('conflict', `status: a ${current.status} campaign can only be renamed`);
  const merged: CampaignInput = {
    name: patch.name ?? current.name,
    purpose: patch.purpose ?? (current.purpose as MessagePurpose),
    kind: patch.kind ?? (current.kind as ChannelKind),
    channelId: patch.channelId !== undefined ? patch.channelId : current.channelId,
    audience: patch.audience ?? current.audience,
    variants: patch.variants ?? current.variants,
    holdoutShare: patch.holdoutShare ?? current.holdoutShare,
    schedule: patch.schedule ?? current.schedule,
    throttlePerMinute: patch.throttlePerMinute ?? current.throttlePerMinute,
    goal: patch.goal ?? current.goal,
    winner: patch.winner !== undefined ? patch.winner : current.winner,
  };
  // A started campaign's schedule may lie in the past now: only the name is checked then.
  const checked = onlyName && current.status !== 'draft' && current.status !== 'scheduled' ? null : await checkInput(db, opts.workspaceId, merged);
  const name = typeof merged.name === 'string' ? merged.name.trim() : '';
  if (!name || name.length > 200) throw bad('name: must be 1–200 characters');
  const [row] = await db
    .update(campaigns)
    .set({ ...(checked ?? { name }), updatedBy: opts.actor.label, updatedAt: clock.now() })
    .where(and(eq(campaigns.workspaceId, opts.workspaceId), eq(campaigns.id, current.id)))
    .returning();
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'campaign.updated', entityType: 'campaign', entityId: current.id, after: { fields: Object.keys(patch) } });
  return row!;
}

/** Newest first, a page at a time (cursor: the last row's created time and id). */
export async function listCampaigns(db: Queryable, opts: { workspaceId: string; status?: CampaignStatus; before?: { at: Date; id: string }; limit: number }): Promise<CampaignRow[]> {
  const conditions = [eq(campaigns.workspaceId, opts.workspaceId)];
  if (opts.status) conditions.push(eq(campaigns.status, opts.status));
  if (opts.before) conditions.push(or(lt(campaigns.createdAt, opts.before.at), and(eq(campaigns.createdAt, opts.before.at), lt(campaigns.id, opts.before.id)))!);
  return db
    .select()
    .from(campaigns)
    .where(and(...conditions))
    .orderBy(desc(campaigns.createdAt), desc(campaigns.id))
    .limit(opts.limit);
}
