// Event ingestion: validated Segment messages become stored events, in one transaction per
// batch. The hot path is set-based whatever the batch size: one query resolves every user id
// and anonymous id, one creates the customers of new user ids, one inserts the events
// (deduplicated by messageId), then the effects (commerce, behaviour metrics) run on the events
// that are new. Only messages that change who someone is (identify traits, a user id first seen
// with an anonymous id, alias, group) cost a few queries each, in a savepoint of their own,
// before the events are written.
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { listAttributeDefs, type AttributeDef } from '../customers/attributes.ts';
import { ensureUserIdCustomers, findIdentityOwners, identify, type IdentityOwners } from '../customers/identities.ts';
import { mergeCustomers } from '../customers/merge.ts';
import { upsertGroupCompany } from '../sales/companies.ts';
import type { Actor } from '../workspaces/audit.ts';
import { applyEventEffects } from './effects.ts';
import { readMessages, type IngestMessage, type ItemError } from './segment-message.ts';
import { profileFromTraits } from './segment-traits.ts';
import type { EventType, StoredEvent } from './types.ts';

export type IngestResult = {
  /** Events stored by this call. */
  stored: number;
  /** Messages whose messageId the workspace already had (or that repeated one within the batch). */
  duplicates: number;
  /** Messages refused, and problems with stored messages (an identify trait that could not be applied). */
  errors: ItemError[];
};

export const eventsActor: Actor = { type: 'system', label: 'events' };

const by = (a: ItemError, b: ItemError) => a.index - b.index;

/**
 * Validates and stores a batch of Segment messages (`/v1/batch` items, or a single call with
 * `type` given). Runs its own transaction when given the database; given a transaction it works
 * in a savepoint of it. A 200 of the API means this resolved: the events are committed.
 */
export async function ingestBatch(
  db: Queryable,
  opts: {
    workspaceId: string;
    messages: unknown[];
    /** Batch-level context, merged into each message's (the message's keys win). */
    context?: Record<string, unknown> | null;
    /** Batch-level sentAt, for clock-skew correction of messages that carry none. */
    sentAt?: Date | null;
    receivedAt?: Date;
    /** The call type of a single-call path (`/v1/track`); each message names its own otherwise. */
    type?: EventType;
    /** How errors name message i: `batch[i]` by default. */
    pathOf?: (index: number) => string;
    actor?: Actor;
  },
): Promise<IngestResult> {
  const receivedAt = opts.receivedAt ?? new Date();
  const read = readMessages(opts.messages, { type: opts.type, context: opts.context, sentAt: opts.sentAt, receivedAt, pathOf: opts.pathOf });
  if (read.messages.length === 0) return { stored: 0, duplicates: 0, errors: read.errors };
  const result = await storeMessages(db, { workspaceId: opts.workspaceId, messages: read.messages, receivedAt, pathOf: opts.pathOf, actor: opts.actor });
  return { ...result, errors: [...read.errors, ...result.errors].sort(by) };
}

function pgCode(err: unknown): string | undefined {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

// Deadlock and serialisation failures: two batches touched the same rows in another order. The
// whole batch is tried again; nothing of the failed attempt was kept.
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

/** Stores messages already read by `readMessages` (see `ingestBatch`). */
export async function storeMessages(
  db: Queryable,
  opts: { workspaceId: string; messages: IngestMessage[]; receivedAt: Date; pathOf?: (index: number) => string; actor?: Actor },
): Promise<IngestResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => storeInTransaction(tx, opts));
    } catch (err) {
      const code = pgCode(err);
      if (attempt >= ATTEMPTS || !code || !RETRYABLE.has(code)) throw err;
    }
  }
}

type Row = { id: string; message: IngestMessage };

function customerOf(owners: IdentityOwners, m: IngestMessage): string | null {
  if (m.userId) return owners.users.get(m.userId) ?? null;
  if (m.anonymousId) return owners.anonymous.get(m.anonymousId)?.customerId ?? null;
  return null;
}

function idsOf(messages: IngestMessage[]) {
  const userIds = new Set<string>();
  const anonymousIds = new Set<string>();
  for (const m of messages) {
    if (m.userId) userIds.add(m.userId);
    if (m.anonymousId) anonymousIds.add(m.anonymousId);
  }
  return { userIds: [...userIds], anonymousIds: [...anonymousIds] };
}

async function storeInTransaction(
  tx: Queryable,
  opts: { workspaceId: string; messages: IngestMessage[]; receivedAt: Date; pathOf?: (index: number) => string; actor?: Actor },
): Promise<IngestResult> {
  const { workspaceId, receivedAt } = opts;
  // A messageId repeated within the batch is a duplicate like any other.
  const seen = new Set<string>();
  const unique: IngestMessage[] = [];
  for (const m of opts.messages) {
    if (seen.has(m.messageId)) continue;
    seen.add(m.messageId);
    unique.push(m);
  }

  const ids = idsOf(unique);
  let owners = await findIdentityOwners(tx, { workspaceId, ...ids });
  const unseen = ids.userIds.filter((u) => !owners.users.has(u));
  if (unseen.length) {
    for (const [userId, customerId] of await ensureUserIdCustomers(tx, { workspaceId, userIds: unseen, source: 'events' })) owners.users.set(userId, customerId);
  }

  // Identity calls run before the events are written, so that what they rebuild (a stitched
  // visitor's history, a merge) does not already hold this batch's events, and each event is
  // stored with its final customer. A message already stored (a retry) changes nothing again.
  let identityErrors: ItemError[] = [];
  const calls = unique.filter((m) => needsIdentityCall(m, owners));
  if (calls.length) {
    const stored = await tx.execute<{ message_id: string }>(sql`
      select message_id from events where workspace_id = ${workspaceId}::uuid and message_id = any(${sql.param(calls.map((m) => m.messageId))}::text[])`);
    const already = new Set(stored.rows.map((r) => r.message_id));
    const pending = calls.filter((m) => !already.has(m.messageId));
    if (pending.length) {
      identityErrors = await applyIdentityCalls(tx, { workspaceId, messages: pending, owners, receivedAt, pathOf: opts.pathOf, actor: opts.actor ?? eventsActor });
      owners = await findIdentityOwners(tx, { workspaceId, ...ids });
    }
  }

  const rows: StoredEvent[] = unique.map((m) => ({
    id: uuidv7(),
    messageId: m.messageId,
    customerId: customerOf(owners, m),
    anonymousId: m.anonymousId,
    userId: m.userId,
    type: m.type,
    name: m.name,
    sessionId: m.sessionId,
    properties: m.properties,
    context: m.context,
    timestamp: m.timestamp,
    receivedAt,
  }));
  const records = rows.map((e) => ({
    id: e.id,
    m: e.messageId,
    c: e.customerId,
    a: e.anonymousId,
    u: e.userId,
    t: e.type,
    n: e.name,
    s: e.sessionId,
    p: e.properties,
    x: e.context,
    ts: e.timestamp.toISOString(),
  }));
  // One JSON parameter rather than a dozen bind parameters per event; sorted by messageId so two
  // concurrent retries of one batch take their index locks in the same order.
  const inserted = await tx.execute<{ id: string }>(sql`
    insert into events (workspace_id, id, message_id, customer_id, anonymous_id, user_id, type, name, session_id, properties, context, timestamp, received_at)
    select ${workspaceId}::uuid, r.id, r.m, r.c, r.a, r.u, r.t, r.n, r.s, coalesce(r.p, '{}'::jsonb), coalesce(r.x, '{}'::jsonb), r.ts, ${receivedAt.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
      as r(id uuid, m text, c uuid, a text, u text, t text, n text, s text, p jsonb, x jsonb, ts timestamptz)
    order by r.m
    on conflict (workspace_id, message_id) do nothing
    returning id`);
  const insertedIds = new Set(inserted.rows.map((r) => r.id));
  const fresh = rows.filter((e) => insertedIds.has(e.id));
  fresh.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  await applyEventEffects(tx, { workspaceId, events: fresh });
  return { stored: fresh.length, duplicates: opts.messages.length - fresh.length, errors: identityErrors };
}

/** An anonymous id met with a user id it is not linked to yet (or owned by a profile nobody has identified). */
function needsLink(m: IngestMessage, owners: IdentityOwners): boolean {
  if (!m.userId || !m.anonymousId) return false;
  const owner = owners.anonymous.get(m.anonymousId);
  return !owner || (owner.customerId !== owners.users.get(m.userId) && !owner.known);
}

function needsIdentityCall(m: IngestMessage, owners: IdentityOwners): boolean {
  if (m.type === 'alias' || m.type === 'group') return true;
  if (m.type === 'identify' && m.traits && Object.keys(m.traits).length > 0) return true;
  return needsLink(m, owners);
}

/**
 * The messages that change who someone is: identify traits, a user id seen with an anonymous id
 * not yet linked to it, alias and group. Each runs in a savepoint: a problem is reported for its
 * message and the event stays stored.
 */
async function applyIdentityCalls(
  tx: Queryable,
  opts: { workspaceId: string; messages: IngestMessage[]; owners: IdentityOwners; receivedAt: Date; pathOf?: (index: number) => string; actor: Actor },
): Promise<ItemError[]> {
  const { workspaceId, owners, actor } = opts;
  const errors: ItemError[] = [];
  let defs: AttributeDef[] | undefined;
  const pathOf = opts.pathOf ?? ((i: number) => `batch[${i}]`);

  const attempt = async (m: IngestMessage, what: string, op: (sp: Queryable) => Promise<void>) => {
    for (let tries = 1; ; tries++) {
      try {
        await tx.transaction(op);
        return;
      } catch (err) {
        // Another batch linked the same identity a moment ago: once more sees its committed row.
        if (pgCode(err) === '23505' && tries < 2) continue;
        if (!(err instanceof AppError)) throw err;
        const message = err.message.replace(/^body\./, `${pathOf(m.index)}.${what}.`).replace(/^body:/, `${pathOf(m.index)}:`);
        errors.push({ index: m.index, message: message.startsWith(pathOf(m.index)) ? message : `${pathOf(m.index)}: ${message}` });
        return;
      }
    }
  };

  // Once linked, later messages of the batch with the same pair need nothing more.
  const linked = (m: IngestMessage) => {
    const customerId = owners.users.get(m.userId!);
    if (customerId && m.anonymousId) owners.anonymous.set(m.anonymousId, { customerId, known: true });
  };

  for (const m of opts.messages) {
    const path = pathOf(m.index);
    if (m.type === 'identify' && m.traits) {
      defs ??= await listAttributeDefs(tx, { workspaceId });
      const profile = profileFromTraits(m.traits, defs, { path: `${path}.traits`, now: opts.receivedAt });
      for (const issue of profile.issues) errors.push({ index: m.index, message: issue });
      const hasProfile = Object.keys(profile.input).length > 0;
      if (hasProfile && (m.userId || profile.email || profile.phone)) {
        await attempt(m, 'traits', async (sp) => {
          await identify(sp, {
            workspaceId,
            actor,
            input: {
              userId: m.userId ?? undefined,
              anonymousId: m.anonymousId ?? undefined,
              email: profile.email,
              phone: profile.phone,
              traits: profile.input,
              source: 'events',
            },
          });
        });
        if (m.userId) linked(m);
        continue;
      }
    }
    if (m.type === 'alias') {
      const userId = m.userId!;
      const previousId = m.previousId!;
      await attempt(m, 'previousId', async (sp) => {
        const survivorId = owners.users.get(userId)!;
        const previous = await findIdentityOwners(sp, { workspaceId, userIds: [previousId], anonymousIds: [previousId] });
        const asUser = previous.users.get(previousId);
        if (asUser) {
          if (asUser !== survivorId) await mergeCustomers(sp, { workspaceId, actor, survivorId, mergedId: asUser });
          return;
        }
        if (previous.anonymous.get(previousId)?.customerId === survivorId) return;
        await identify(sp, { workspaceId, actor, input: { userId, anonymousId: previousId, source: 'events' } });
      });
      continue;
    }
    if (m.type === 'group') {
      const customerId = customerOf(owners, m);
      await attempt(m, 'traits', async (sp) => {
        await upsertGroupCompany(sp, { workspaceId, groupId: m.groupId!, traits: m.traits ?? {}, customerId });
      });
    }
    // The user's customer claims the visitor's earlier events.
    if (needsLink(m, owners)) {
      await attempt(m, 'anonymousId', async (sp) => {
        await identify(sp, { workspaceId, actor, input: { userId: m.userId!, anonymousId: m.anonymousId!, source: 'events' } });
      });
      linked(m);
    }
  }
  return errors;
}
