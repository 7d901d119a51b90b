// A campaign's send: start (freeze the audience, fix the template versions and the channel),
// then a job that turns the frozen recipients into messages a batch at a time, and pause, resume
// and cancel while it runs.
//
// Exactly once: a recipient's message has the idempotency key `campaign:<id>:customer:<id>`
// (unique in the messages table) and an id fixed at the freeze, and a batch's messages and the
// campaign's place in the send order are written in one transaction, so a job that dies mid-batch
// leaves the batch to do again and the next attempt makes the same messages (a key already taken
// inserts nothing). The dispatcher gates each
// message when it is due (consent, quiet hours, caps, suppressions) and records its outcome on the
// message, which the report reads.
import { and, eq, sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { bestHourTimes } from '../messaging/best-hour.ts';
import { ensureSandboxChannels, listChannels } from '../messaging/channels.ts';
import { messageTemplates, messageTemplateVersions } from '../messaging/schema.ts';
import { kakaoTypeOf, laneOf } from '../messaging/send.ts';
import { getMessagingSettings } from '../messaging/settings.ts';
import type { MessagePurpose } from '../messaging/types.ts';
import { enqueueJob, type Job } from '../worker/queue.ts';
import { recordAudit, systemActor, type Actor } from '../workspaces/audit.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { freezeAudience } from './audience.ts';
import { getCampaign, type CampaignRow } from './campaigns.ts';
import { campaignReport, type GroupFigures } from './report.ts';
import { campaigns, type CampaignVariant } from './schema.ts';

export const CAMPAIGN_ENQUEUE_JOB = 'campaigns.enqueue';
export const ENQUEUE_BATCH = 5000;
/** A campaign paused: its queued messages wait here until it resumes. */
const PAUSED_UNTIL = new Date('9999-12-31T00:00:00Z');

const conflict = (message: string) => new AppError('conflict', message);

/** The instant a local date and time (YYYY-MM-DDTHH:mm) is in a time zone (the later one on a DST overlap). */
export function zonedInstant(local: string, timeZone: string): Date {
  const guess = Date.parse(`${local}:00Z`);
  const offsetAt = (t: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
        .formatToParts(new Date(t))
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - t;
  };
  let t = guess - offsetAt(guess);
  t = guess - offsetAt(t);
  return new Date(t);
}

/** The first instant a local time occurs anywhere (UTC+14): when a per-zone campaign must start. */
const earliestZone = (local: string) => new Date(Date.parse(`${local}:00Z`) - 14 * 3600_000);

/**
 * Starts a draft campaign: now (or at its best-hour / per-zone schedule, whose messages carry
 * their own times), or, for a time in the future, marks it scheduled with a job that starts it then.
 */
export async function scheduleCampaign(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string }): Promise<CampaignRow> {
  return db.transaction(async (tx) => {
    const c = await getCampaign(tx, opts.workspaceId, opts.id, { forUpdate: true });
    if (c.status !== 'draft') throw conflict(`status: the campaign is ${c.status}; only a draft can be scheduled`);
    const now = clock.now();
    const startAt = c.schedule.mode === 'at' ? (c.schedule.customerTimeZone ? earliestZone(c.schedule.at) : new Date(c.schedule.at)) : now;
    if (startAt.getTime() > now.getTime() + 1000) {
      const [row] = await tx.update(campaigns).set({ status: 'scheduled', updatedAt: now, updatedBy: opts.actor.label }).where(and(eq(campaigns.workspaceId, c.workspaceId), eq(campaigns.id, c.id))).returning();
      await enqueueJob(tx, { type: CAMPAIGN_ENQUEUE_JOB, workspaceId: c.workspaceId, payload: { campaignId: c.id }, runAt: startAt, dedupeKey: `campaign:${c.id}` });
      await recordAudit(tx, { workspaceId: c.workspaceId, actor: opts.actor, action: 'campaign.scheduled', entityType: 'campaign', entityId: c.id, after: { at: startAt.toISOString() } });
      return row!;
    }
    const row = await start(tx, c, now);
    await recordAudit(tx, { workspaceId: c.workspaceId, actor: opts.actor, action: 'campaign.started', entityType: 'campaign', entityId: c.id, after: { recipients: row.audienceSize } });
    return row;
  });
}

/** Fixes what the send uses (channel, template versions), freezes the audience and enqueues the job. */
async function start(tx: Queryable, c: CampaignRow, now: Date): Promise<CampaignRow> {
  let channels = await listChannels(tx, c.workspaceId);
  let channel = c.channelId ? channels.find((ch) => ch.id === c.channelId) : channels.find((ch) => ch.kind === c.kind && ch.isDefault);
  if (!channel && !c.channelId) {
    channels = await ensureSandboxChannels(tx, c.workspaceId);
    channel = channels.find((ch) => ch.kind === c.kind && ch.isDefault);
  }
  if (!channel) throw conflict(`channelId: the campaign’s channel is gone; choose another`);
  const versions = await tx
    .select({ id: messageTemplates.id, version: messageTemplates.latestVersion, options: messageTemplateVersions.options, archivedAt: messageTemplates.archivedAt })
    .from(messageTemplates)
    .innerJoin(messageTemplateVersions, and(eq(messageTemplateVersions.workspaceId, messageTemplates.workspaceId), eq(messageTemplateVersions.templateId, messageTemplates.id), eq(messageTemplateVersions.version, messageTemplates.latestVersion)))
    .where(and(eq(messageTemplates.workspaceId, c.workspaceId), sql`${messageTemplates.id} = any(${sql.param(c.variants.map((v) => v.templateId))}::uuid[])`));
  const variants: CampaignVariant[] = c.variants.map((v, i) => {
    const t = versions.find((x) => x.id === v.templateId);
    if (!t || t.archivedAt) throw conflict(`variants[${i}].templateId: the template was archived; choose another`);
    if (c.kind === 'kakao' && c.purpose === 'marketing' && kakaoTypeOf(t.options, 'marketing') === 'alimtalk') throw new AppError('invalid_input', `variants[${i}].templateId: AlimTalk is for informational messages only; send an ad as FriendTalk`);
    return { ...v, version: t.version };
  });
  const counts = await freezeAudience(tx, c);
  const [row] = await tx
    .update(campaigns)
    .set({ status: 'sending', channelId: channel.id, variants, startedAt: now, sendAnchorAt: now, sendAnchorSeq: 1, audienceSize: counts.total, excludedGlobalControl: counts.globalControl, testSize: c.winner ? counts.test : null, updatedAt: now })
    .where(and(eq(campaigns.workspaceId, c.workspaceId), eq(campaigns.id, c.id)))
    .returning();
  await enqueueJob(tx, { type: CAMPAIGN_ENQUEUE_JOB, workspaceId: c.workspaceId, payload: { campaignId: c.id }, dedupeKey: `campaign:${c.id}` });
  return row!;
}

type Pending = { customer_id: string; seq: number; time_zone: string | null };

/** Per-customer times (best hour, or a local time in each customer's zone), for the recipients of seq from…to. */
async function customerTimes(db: Queryable, c: CampaignRow, from: number, to: number, now: Date): Promise<{ seq: number[]; at: Date[] }> {
  const { rows } = await db.execute<Pending>(sql`
    select r.customer_id, r.seq, cu.time_zone from campaign_recipients r
    left join customers cu on cu.workspace_id = r.workspace_id and cu.id = r.customer_id
    where r.workspace_id = ${c.workspaceId}::uuid and r.campaign_id = ${c.id}::uuid and r.variant <> 'holdout' and r.seq between ${from} and ${to}`);
  const zone = (await getWorkspace(db, c.workspaceId))?.timeZone ?? 'Asia/Seoul';
  const s = c.schedule;
  if (s.mode === 'best_hour') {
    const settings = await getMessagingSettings(db, c.workspaceId);
    const times = await bestHourTimes(db, { workspaceId: c.workspaceId, customerIds: rows.map((r) => r.customer_id), timeZone: zone, fallbackHour: settings.bestHour, now });
    return { seq: rows.map((r) => r.seq), at: rows.map((r) => times.get(r.customer_id) ?? now) };
  }
  const local = s.mode === 'at' && s.customerTimeZone ? s.at : null;
  return { seq: rows.map((r) => r.seq), at: rows.map((r) => (local ? zonedInstant(local, r.time_zone || zone) : now)) };
}

/**
 * Makes the messages of the next `size` recipients in send order, set-based: one statement inserts
 * them with the ids fixed at the freeze (a key already taken inserts nothing; no `queued` history
 * row: the message's creation is that moment), and the campaign's place moves on in the same
 * transaction. When each is due: the
 * schedule (an instant, each customer's best hour or local time), never before now, spread by the
 * throttle from the anchor. Returns how many recipients the range held (0: none left).
 */
async function enqueueBatch(db: Queryable, c: CampaignRow, now: Date, size: number): Promise<number> {
  const from = c.enqueuedSeq + 1;
  // Until the winner is picked only the test's recipients (the first testSize) are made.
  const to = c.winner && !c.winnerKey ? Math.min(c.enqueuedSeq + size, c.testSize ?? 0) : c.enqueuedSeq + size;
  if (to < from) return 0;
  const s = c.schedule;
  const perCustomer = s.mode === 'best_hour' || (s.mode === 'at' && s.customerTimeZone);
  const times = perCustomer ? await customerTimes(db, c, from, to, now) : null;
  const base = times
    ? sql`coalesce(t.at, ${now}::timestamptz)`
    : s.mode === 'at'
      ? sql`${new Date(s.at)}::timestamptz`
      : sql`${now}::timestamptz`;
  const throttled =
    c.throttlePerMinute > 0 && c.sendAnchorAt && c.sendAnchorSeq !== null
      ? sql`greatest(${base}, ${c.sendAnchorAt}::timestamptz + floor((r.seq - ${c.sendAnchorSeq}) / ${c.throttlePerMinute}::numeric) * interval '1 minute')`
      : base;
  // The rest of a campaign that picked a winner (group `winner`) get the winner's template.
  const picked = c.variants.find((v) => v.key === c.winnerKey);
  const groups = picked ? [...c.variants, { ...picked, key: 'winner' }] : c.variants;
  const variants = groups.map((v) => sql`when ${v.key} then ${v.templateId}::uuid`);
  const versions = groups.map((v) => sql`when ${v.key} then ${v.version ?? null}::int`);
  const purpose = c.purpose as MessagePurpose;
  const timing = s.mode === 'best_hour' ? 'best_hour' : s.mode === 'at' || c.throttlePerMinute > 0 ? 'at' : 'now';
  // No JIT for the batch; a batch lost with a server crash (not committed to disk yet) is made
  // again from the cursor it moved, so its commit need not wait for the disk.
  await db.execute(sql`select set_config('jit', 'off', true), set_config('synchronous_commit', 'off', true)`);
  const { rows } = await db.execute<{ n: number; last: number | null }>(sql`
    with r as (
      select r.* from campaign_recipients r
      where r.workspace_id = ${c.workspaceId}::uuid and r.campaign_id = ${c.id}::uuid and r.variant <> 'holdout' and r.seq between ${from} and ${to} and r.status = 'pending'),
    ins as (
      insert into messages (workspace_id, id, idempotency_key, customer_id, channel_id, kind, purpose, lane, template_id, template_version,
        data, status, send_at, timing, origin, origin_id, origin_group, created_by_label, created_at, updated_at)
      select r.workspace_id, r.message_id, 'campaign:' || r.campaign_id || ':customer:' || r.customer_id, r.customer_id, ${c.channelId}::uuid, ${c.kind}, ${purpose}, ${laneOf(purpose)},
        case r.variant ${sql.join(variants, sql` `)} end, case r.variant ${sql.join(versions, sql` `)} end,
        '{}'::jsonb, 'queued', greatest(${throttled}, ${now}::timestamptz), ${timing}, 'campaign', r.campaign_id, r.variant, ${c.name}, ${now}, ${now}
      from r ${times ? sql`left join unnest(${sql.param(times.seq)}::int[], ${sql.param(times.at)}::timestamptz[]) as t(seq, at) on t.seq = r.seq` : sql``}
      order by r.seq
      returning 1)
    select (select count(*) from r)::int as n,
      (select max(seq) from campaign_recipients where workspace_id = ${c.workspaceId}::uuid and campaign_id = ${c.id}::uuid and variant <> 'holdout' and seq between ${from} and ${to})::int as last`);
  const last = rows[0]?.last ?? null;
  if (last === null) return 0;
  await db.update(campaigns).set({ enqueuedSeq: last, updatedAt: now }).where(and(eq(campaigns.workspaceId, c.workspaceId), eq(campaigns.id, c.id)));
  return Math.max(1, Number(rows[0]?.n ?? 0));
}

/**
 * Picks the variant with the best rate among the test's recipients (the goal's conversions so far,
 * or clicks; a tie goes to the earlier variant) for the rest of the audience.
 */
async function pickWinner(tx: Queryable, c: CampaignRow, now: Date): Promise<void> {
  const report = await campaignReport(tx, c);
  const rate = (g: GroupFigures) => (g.targeted ? (c.winner!.by === 'click' ? g.clicked : g.converted) / g.targeted : 0);
  let best: GroupFigures | null = null;
  for (const g of report.groups) if (c.variants.some((v) => v.key === g.key) && (!best || rate(g) > rate(best))) best = g;
  const winnerKey = best?.key ?? c.variants[0]!.key;
  await tx.update(campaigns).set({ winnerKey, winnerPickedAt: now, updatedAt: now }).where(and(eq(campaigns.workspaceId, c.workspaceId), eq(campaigns.id, c.id)));
  await recordAudit(tx, {
    workspaceId: c.workspaceId,
    actor: systemActor,
    action: 'campaign.winner_picked',
    entityType: 'campaign',
    entityId: c.id,
    after: { winner: winnerKey, by: c.winner!.by, rates: Object.fromEntries(report.groups.filter((g) => g.key !== 'holdout').map((g) => [g.key, rate(g)])) },
  });
}

/** Messages of this campaign not yet sent (queued, deferred or being sent). */
async function unsent(db: Queryable, c: CampaignRow): Promise<number> {
  const { rows } = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from messages
    where workspace_id = ${c.workspaceId}::uuid and origin = 'campaign' and origin_id = ${c.id}::uuid and status in ('queued', 'deferred', 'sending')`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The job: starts a scheduled campaign when its time comes, makes the messages of pending
 * recipients a batch (one transaction) at a time while the campaign is sending, and once all are
 * made, looks again every 30 s until none is left unsent, then marks the campaign sent.
 */
export async function runCampaignEnqueueJob(db: Queryable, job: Pick<Job, 'workspaceId' | 'payload'>, opts: { batchSize?: number } = {}): Promise<unknown> {
  const campaignId = (job.payload as { campaignId?: string } | null)?.campaignId;
  if (!job.workspaceId || !campaignId) return { skipped: 'no campaign' };
  let made = 0;
  for (;;) {
    const step = await db.transaction(async (tx) => {
      const c = await getCampaign(tx, job.workspaceId!, campaignId, { forUpdate: true });
      const now = clock.now();
      if (c.status === 'scheduled') {
        await start(tx, c, now);
        return 'started' as const;
      }
      if (c.status !== 'sending') return 'stop' as const;
      if (c.winner && !c.winnerKey && c.enqueuedSeq >= (c.testSize ?? 0)) {
        const pickAt = new Date(c.startedAt!.getTime() + c.winner.afterHours * 3_600_000);
        if (now < pickAt) {
          await enqueueJob(tx, { type: CAMPAIGN_ENQUEUE_JOB, workspaceId: c.workspaceId, payload: { campaignId: c.id }, runAt: pickAt, dedupeKey: `campaign-winner:${c.id}` });
          return 'winner' as const;
        }
        await pickWinner(tx, c, now);
        return 'more' as const;
      }
      const n = await enqueueBatch(tx, c, now, opts.batchSize ?? ENQUEUE_BATCH);
      made += n;
      if (n > 0) return 'more' as const;
      if (!c.enqueuedAt) await tx.update(campaigns).set({ enqueuedAt: now, updatedAt: now }).where(and(eq(campaigns.workspaceId, c.workspaceId), eq(campaigns.id, c.id)));
      if ((await unsent(tx, c)) > 0) return 'wait' as const;
      await tx.update(campaigns).set({ status: 'sent', updatedAt: now }).where(and(eq(campaigns.workspaceId, c.workspaceId), eq(campaigns.id, c.id)));
      return 'done' as const;
    });
    // A newly started campaign's own job (enqueued by start) takes over; this one is the schedule's.
    if (step === 'started' || step === 'stop' || step === 'done' || step === 'winner') return { messages: made, step };
    if (step === 'wait') {
      await enqueueJob(db, { type: CAMPAIGN_ENQUEUE_JOB, workspaceId: job.workspaceId, payload: { campaignId }, delayMs: 30_000, dedupeKey: `campaign-check:${campaignId}` });
      return { messages: made, step };
    }
  }
}

/** Pause: nothing more is made or sent (messages being sent finish); its queued messages wait. */
export async function pauseCampaign(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string }): Promise<CampaignRow> {
  return db.transaction(async (tx) => {
    const c = await getCampaign(tx, opts.workspaceId, opts.id, { forUpdate: true });
    if (c.status !== 'sending') throw conflict(`status: the campaign is ${c.status}; only a sending campaign can be paused`);
    const now = clock.now();
    await holdMessages(tx, c, { status: 'deferred', reason: 'campaign_paused', sendAt: PAUSED_UNTIL, now });
    const [row] = await tx.update(campaigns).set({ status: 'paused', pausedAt: now, updatedAt: now, updatedBy: opts.actor.label }).where(and(eq(campaigns.workspaceId, c.workspaceId), eq(campaigns.id, c.id))).returning();
    await recordAudit(tx, { workspaceId: c.workspaceId, actor: opts.actor, action: 'campaign.paused', entityType: 'campaign', entityId: c.id });
    return row!;
  });
}

/** Resume: the waiting messages go again from now (spread by the throttle), and the rest are made. */
export async function resumeCampaign(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string }): Promise<CampaignRow> {
  return db.transaction(async (tx) => {
    const c = await getCampaign(tx, opts.workspaceId, opts.id, { forUpdate: true });
    if (c.status !== 'paused') throw conflict(`status: the campaign is ${c.status}; only a paused campaign can be resumed`);
    const now = clock.now();
    const { rows } = await tx.execute<{ seq: number | null }>(sql`
      select min(r.seq)::int as seq from campaign_recipients r join messages m on m.workspace_id = r.workspace_id and m.id = r.message_id
      where r.workspace_id = ${c.workspaceId}::uuid and r.campaign_id = ${c.id}::uuid and r.variant <> 'holdout'
        and m.status = 'deferred' and m.reason = 'campaign_paused'`);
    // From the first message that waited, else from the first not made yet.
    const anchorSeq = rows[0]?.seq ?? c.enqueuedSeq + 1;
    const per = c.throttlePerMinute;
    await tx.execute(sql`
      with m as (
        update messages m set status = 'queued', reason = null, updated_at = ${now},
          send_at = ${per > 0 ? sql`${now}::timestamptz + floor((r.seq - ${anchorSeq}) / ${per}::numeric) * interval '1 minute'` : sql`${now}::timestamptz`}
        from campaign_recipients r
        where m.workspace_id = ${c.workspaceId}::uuid and m.origin = 'campaign' and m.origin_id = ${c.id}::uuid and m.status = 'deferred' and m.reason = 'campaign_paused'
          and r.workspace_id = m.workspace_id and r.campaign_id = ${c.id}::uuid and r.message_id = m.id
        returning m.workspace_id, m.id)
      insert into message_status_history (workspace_id, id, message_id, status, reason, at)
      select workspace_id, gen_random_uuid(), id, 'queued', 'campaign_resumed', ${now} from m`);
    const [row] = await tx
      .update(campaigns)
      .set({ status: 'sending', pausedAt: null, sendAnchorAt: now, sendAnchorSeq: anchorSeq, updatedAt: now, updatedBy: opts.actor.label })
      .where(and(eq(campaigns.workspaceId, c.workspaceId), eq(campaigns.id, c.id)))
      .returning();
    await enqueueJob(tx, { type: CAMPAIGN_ENQUEUE_JOB, workspaceId: c.workspaceId, payload: { campaignId: c.id }, dedupeKey: `campaign:${c.id}` });
    await recordAudit(tx, { workspaceId: c.workspaceId, actor: opts.actor, action: 'campaign.resumed', entityType: 'campaign', entityId: c.id });
    return row!;
  });
}

/** Cancel: nothing more is sent; messages not yet sent are suppressed (reason campaign_cancelled), recipients not yet made are marked cancelled. */
export async function cancelCampaign(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string }): Promise<CampaignRow> {
  return db.transaction(async (tx) => {
    const c = await getCampaign(tx, opts.workspaceId, opts.id, { forUpdate: true });
    if (!['draft', 'scheduled', 'sending', 'paused'].includes(c.status)) throw conflict(`status: the campaign is ${c.status} and cannot be cancelled`);
    const now = clock.now();
    await holdMessages(tx, c, { status: 'suppressed', reason: 'campaign_cancelled', sendAt: null, now });
    await tx.execute(sql`
      update campaign_recipients set status = 'cancelled'
      where workspace_id = ${c.workspaceId}::uuid and campaign_id = ${c.id}::uuid and variant <> 'holdout' and seq > ${c.enqueuedSeq} and status = 'pending'`);
    const [row] = await tx.update(campaigns).set({ status: 'cancelled', cancelledAt: now, updatedAt: now, updatedBy: opts.actor.label }).where(and(eq(campaigns.workspaceId, c.workspaceId), eq(campaigns.id, c.id))).returning();
    await recordAudit(tx, { workspaceId: c.workspaceId, actor: opts.actor, action: 'campaign.cancelled', entityType: 'campaign', entityId: c.id });
    return row!;
  });
}

/** Moves the campaign's messages not yet being sent to `status`, with their history, in one statement. */
async function holdMessages(tx: Queryable, c: CampaignRow, opts: { status: 'deferred' | 'suppressed'; reason: string; sendAt: Date | null; now: Date }): Promise<void> {
  await tx.execute(sql`
    with m as (
      update messages set status = ${opts.status}, reason = ${opts.reason}, send_at = coalesce(${opts.sendAt}::timestamptz, send_at), updated_at = ${opts.now}
      where workspace_id = ${c.workspaceId}::uuid and origin = 'campaign' and origin_id = ${c.id}::uuid and status in ('queued', 'deferred')
      returning workspace_id, id)
    insert into message_status_history (workspace_id, id, message_id, status, reason, at)
    select workspace_id, gen_random_uuid(), id, ${opts.status}, ${opts.reason}, ${opts.now} from m`);
}
