// Event ingestion: validated Segment messages become stored events, in one transaction per
// batch. The hot path is set-based whatever the batch size: one query resolves every user id
// and anonymous id, one creates the customers of new user ids, one inserts the events
// (deduplicated by messageId), then the effects (commerce, behaviour metrics) run on the events
// that are new. Only messages that change who someone is (identify traits, a user id first seen
// with an anonymous id, alias, group) cost a few queries each, in a savepoint of their own,
// before the events are written.
import { sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { listAttributeDefs, type AttributeDef } from '../customers/attributes.ts';
import { ensureUserIdCustomers, findIdentityOwners, identify, linkAnonymousIds, mayBrowserIdentify, updateProfilesInBulk, type IdentityOwners } from '../customers/identities.ts';
import type { CustomerInput } from '../customers/profile-input.ts';
import { mergeCustomers } from '../customers/merge.ts';
import { upsertGroupCompany } from '../sales/companies.ts';
import type { Actor } from '../workspaces/audit.ts';
import { applyEventEffects } from './effects.ts';
import { readMessages, type IngestMessage, type ItemError } from './segment-message.ts';
import { profileFromTraits, type ProfileFromTraits } from './segment-traits.ts';
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

/**
 * Messages sent with a browser's public write key, which anyone can copy from a shop's pages.
 * They may create and enrich anonymous profiles and customers of user ids never seen before, but
 * change or stitch into a known customer only when `verified` (a valid userHash, see
 * identity-verification.ts) or when the browser's anonymous id is already that customer's. What
 * they may not do is left undone without a word: an error would tell a stranger who is a customer.
 * Without it (a secret key, the server's own calls) messages are trusted.
 */
export type BrowserSender = { verified: (m: IngestMessage) => boolean };

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
  const result = await storeMessages(db, { workspaceId: opts.workspaceId, messages: read.messages, pathOf: opts.pathOf, actor: opts.actor });
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
const ATTEMPTS = 5;

/** Stores messages already read by `readMessages` (see `ingestBatch`). */
export async function storeMessages(
  db: Queryable,
  opts: { workspaceId: string; messages: IngestMessage[]; pathOf?: (index: number) => string; actor?: Actor; browser?: BrowserSender },
): Promise<IngestResult> {
  const { stored, errors } = await storeAll(db, opts);
  return { stored: stored.size, duplicates: opts.messages.length - stored.size, errors };
}

/**
 * Stores the messages of several requests to one workspace in one transaction (group commit, see
 * ingest-queue.ts); each request's messages keep their own indexes and paths in its result.
 */
export async function storeRequests(
  db: Queryable,
  opts: { workspaceId: string; actor?: Actor; requests: { messages: IngestMessage[]; pathOf: (index: number) => string; browser?: BrowserSender }[] },
): Promise<IngestResult[]> {
  if (opts.requests.length === 1) return [await storeMessages(db, { workspaceId: opts.workspaceId, actor: opts.actor, ...opts.requests[0]! })];
  // Message i of request r becomes message offset[r] + i of the whole.
  const offsets: number[] = [];
  const all: IngestMessage[] = [];
  const owner: { request: number; index: number }[] = [];
  opts.requests.forEach((req, r) => {
    offsets.push(all.length);
    req.messages.forEach((m) => {
      owner[offsets[r]! + m.index] = { request: r, index: m.index };
      all.push({ ...m, index: offsets[r]! + m.index });
    });
  });
  const pathOf = (global: number) => {
    const o = owner[global]!;
    return opts.requests[o.request]!.pathOf(o.index);
  };
  // Each message keeps its own request's trust.
  const browser: BrowserSender | undefined = opts.requests.some((r) => r.browser)
    ? {
        verified: (m) => {
          const o = owner[m.index]!;
          const req = opts.requests[o.request]!;
          return !req.browser || req.browser.verified({ ...m, index: o.index });
        },
      }
    : undefined;
  const { stored, errors } = await storeAll(db, { workspaceId: opts.workspaceId, actor: opts.actor, messages: all, pathOf, browser });
  const results: IngestResult[] = opts.requests.map((req) => ({ stored: 0, duplicates: req.messages.length, errors: [] }));
  for (const global of stored) {
    const r = results[owner[global]!.request]!;
    r.stored++;
    r.duplicates--;
  }
  for (const e of errors) results[owner[e.index]!.request]!.errors.push({ index: owner[e.index]!.index, message: e.message });
  return results;
}

async function storeAll(
  db: Queryable,
  opts: { workspaceId: string; messages: IngestMessage[]; pathOf?: (index: number) => string; actor?: Actor; browser?: BrowserSender },
): Promise<{ stored: Set<number>; errors: ItemError[] }> {
  // A messageId repeated within the batch is a duplicate like any other.
  const seen = new Set<string>();
  const unique: IngestMessage[] = [];
  for (const m of opts.messages) {
    if (seen.has(m.messageId)) continue;
    seen.add(m.messageId);
    unique.push(m);
  }
  const known = db instanceof PgTransaction ? undefined : await retrying(() => createIdentitiesFirst(db, { workspaceId: opts.workspaceId, messages: unique, browser: opts.browser }));
  return retrying(() => db.transaction((tx) => storeInTransaction(tx, { ...opts, messages: unique, known })));
}

async function retrying<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const code = pgCode(err);
      if (attempt >= ATTEMPTS || !code || !RETRYABLE.has(code)) throw err;
    }
  }
}

/**
 * Resolves the batch's user ids and anonymous ids. The customers of user ids never seen, and the
 * links of anonymous ids met with a user id for the first time, are made here, first, in a short
 * transaction of their own: concurrent batches naming the same new person then wait for that,
 * not for each other's whole batch. Both are facts that hold whatever becomes of the batch, and
 * making them again changes nothing.
 */
async function createIdentitiesFirst(db: Queryable, opts: { workspaceId: string; messages: IngestMessage[]; browser?: BrowserSender }): Promise<Known> {
  const { workspaceId } = opts;
  const ids = idsOf(opts.messages);
  const owners = await findIdentityOwners(db, { workspaceId, ...ids });
  const unseen = ids.userIds.filter((u) => !owners.users.has(u));
  const fresh = new Set(unseen);
  const may = mayChange(opts.browser, owners, fresh);
  const pairs = opts.messages.filter((m) => m.userId && m.anonymousId && !owners.anonymous.has(m.anonymousId) && may(m.userId, m.anonymousId, m));
  if (unseen.length === 0 && pairs.length === 0) return { owners, fresh };
  // Only a visitor with events nobody was known for has anything for the areas to claim: carts
  // and orders under an anonymous id come from its events. Most links are of a known user's new
  // device, whose first message already named them.
  const withHistory = new Set<string>();
  if (pairs.length) {
    const { rows } = await db.execute<{ anonymous_id: string }>(sql`
      select distinct anonymous_id from events
      where workspace_id = ${workspaceId}::uuid and customer_id is null and anonymous_id = any(${sql.param([...new Set(pairs.map((m) => m.anonymousId!))])}::text[])`);
    for (const r of rows) withHistory.add(r.anonymous_id);
  }
  await db.transaction(async (tx) => {
    if (unseen.length) {
      for (const [userId, customerId] of await ensureUserIdCustomers(tx, { workspaceId, userIds: unseen, source: 'events' })) owners.users.set(userId, customerId);
    }
    const links = pairs.map((m) => ({ anonymousId: m.anonymousId!, customerId: owners.users.get(m.userId!)! }));
    for (const l of await linkAnonymousIds(tx, { workspaceId, links, source: 'events', hasHistory: (id) => withHistory.has(id) })) {
      owners.anonymous.set(l.anonymousId, { customerId: l.customerId, known: true });
    }
  });
  return { owners, fresh };
}

/** The owners of a batch's ids, and the user ids the batch is the first to name. */
type Known = { owners: IdentityOwners; fresh: Set<string> };

type MayChange = (userId: string, anonymousId: string | null, m: IngestMessage) => boolean;

/**
 * Whether a message may change the customer of `userId` or link `anonymousId` to them: always
 * for trusted senders; from a browser when verified, when the batch is the first to name the user
 * id (nobody else's customer), or when the anonymous id is already theirs.
 */
function mayChange(browser: BrowserSender | undefined, owners: IdentityOwners, fresh: Set<string>): MayChange {
  if (!browser) return () => true;
  return (userId, anonymousId, m) => {
    if (fresh.has(userId) || browser.verified(m)) return true;
    const customerId = owners.users.get(userId);
    return anonymousId !== null && customerId !== undefined && owners.anonymous.get(anonymousId)?.customerId === customerId;
  };
}

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
  opts: { workspaceId: string; messages: IngestMessage[]; pathOf?: (index: number) => string; actor?: Actor; known?: Known; browser?: BrowserSender },
): Promise<{ stored: Set<number>; errors: ItemError[] }> {
  const { workspaceId, messages } = opts;
  let owners: IdentityOwners;
  let firstNamed: Set<string>;
  if (opts.known) {
    // A copy: the identity calls note their links in it, and a retried attempt starts afresh.
    owners = { users: new Map(opts.known.owners.users), anonymous: new Map(opts.known.owners.anonymous) };
    firstNamed = opts.known.fresh;
  } else {
    const ids = idsOf(messages);
    owners = await findIdentityOwners(tx, { workspaceId, ...ids });
    const unseen = ids.userIds.filter((u) => !owners.users.has(u));
    firstNamed = new Set(unseen);
    if (unseen.length) {
      for (const [userId, customerId] of await ensureUserIdCustomers(tx, { workspaceId, userIds: unseen, source: 'events' })) owners.users.set(userId, customerId);
    }
  }

  // Identity calls run before the events are written, so that what they rebuild (a stitched
  // visitor's history, a merge) does not already hold this batch's events. They are idempotent:
  // a retried batch repeats them harmlessly.
  let identityErrors: ItemError[] = [];
  const may = mayChange(opts.browser, owners, firstNamed);
  const calls = messages.filter((m) => needsIdentityCall(m, owners, may));
  if (calls.length) {
    identityErrors = await applyIdentityCalls(tx, { workspaceId, messages: calls, owners, may, browser: opts.browser, pathOf: opts.pathOf, actor: opts.actor ?? eventsActor });
  }

  const records = messages.map((m) => ({
    id: uuidv7(),
    m: m.messageId,
    a: m.anonymousId,
    u: m.userId,
    t: m.type,
    n: m.name,
    s: m.sessionId,
    p: m.properties,
    x: m.context,
    ts: m.timestamp.toISOString(),
    ra: m.receivedAt.toISOString(),
  }));
  // One JSON parameter rather than a dozen bind parameters per event; sorted by messageId so two
  // concurrent retries of one batch take their index locks in the same order. Each event's
  // customer is looked up as the row is written, so it is the owner of its ids as of now, after
  // any link or merge a moment ago.
  const inserted = await tx.execute<{ id: string; customer_id: string | null }>(sql`
    insert into events (workspace_id, id, message_id, customer_id, anonymous_id, user_id, type, name, session_id, properties, context, timestamp, received_at)
    select ${workspaceId}::uuid, r.id, r.m,
      case when r.u is not null then
        (select i.customer_id from customer_identities i where i.workspace_id = ${workspaceId}::uuid and i.kind = 'user_id' and i.value = r.u)
      else
        (select i.customer_id from customer_identities i where i.workspace_id = ${workspaceId}::uuid and i.kind = 'anonymous_id' and i.value = r.a)
      end,
      r.a, r.u, r.t, r.n, r.s, coalesce(r.p, '{}'::jsonb), coalesce(r.x, '{}'::jsonb), r.ts, r.ra
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
      as r(id uuid, m text, a text, u text, t text, n text, s text, p jsonb, x jsonb, ts timestamptz, ra timestamptz)
    order by r.m
    on conflict (workspace_id, message_id) do nothing
    returning id, customer_id`);
  const customerOfRow = new Map(inserted.rows.map((r) => [r.id, r.customer_id]));
  const fresh: StoredEvent[] = [];
  const stored = new Set<number>();
  messages.forEach((m, i) => {
    const id = records[i]!.id;
    if (!customerOfRow.has(id)) return; // a duplicate
    stored.add(m.index);
    fresh.push({
      id,
      messageId: m.messageId,
      customerId: customerOfRow.get(id) ?? null,
      anonymousId: m.anonymousId,
      userId: m.userId,
      type: m.type,
      name: m.name,
      sessionId: m.sessionId,
      properties: m.properties,
      context: m.context,
      timestamp: m.timestamp,
      receivedAt: m.receivedAt,
    });
  });
  fresh.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  await applyEventEffects(tx, { workspaceId, events: fresh });
  return { stored, errors: identityErrors };
}

/** An anonymous id met with a user id it is not linked to yet (or owned by a profile nobody has identified). */
function needsLink(m: IngestMessage, owners: IdentityOwners, may: MayChange): boolean {
  if (!m.userId || !m.anonymousId) return false;
  const owner = owners.anonymous.get(m.anonymousId);
  return (!owner || (owner.customerId !== owners.users.get(m.userId) && !owner.known)) && may(m.userId, m.anonymousId, m);
}

function needsIdentityCall(m: IngestMessage, owners: IdentityOwners, may: MayChange): boolean {
  if (m.type === 'alias' || m.type === 'group') return true;
  if (m.type === 'identify' && m.traits && Object.keys(m.traits).length > 0) return true;
  return needsLink(m, owners, may);
}

/**
 * The messages that change who someone is. Set-based where it is common: the profile changes of
 * known users' identify calls go in one bulk update, and anonymous ids met with a user id for the
 * first time are linked in one insert. Rarer calls go one by one, each in a savepoint, through
 * the customers area's identify and merge: an identify by e-mail alone, a visitor whose own
 * profile must fold into the user's, alias and group. A problem is reported for its message; the
 * event is stored all the same.
 */
async function applyIdentityCalls(
  tx: Queryable,
  opts: { workspaceId: string; messages: IngestMessage[]; owners: IdentityOwners; may: MayChange; browser?: BrowserSender; pathOf?: (index: number) => string; actor: Actor },
): Promise<ItemError[]> {
  const { workspaceId, owners, actor, may } = opts;
  const errors: ItemError[] = [];
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

  // Identify traits. Several calls for one customer in a batch fold into one change, later wins.
  const identifies = opts.messages.filter((m) => m.type === 'identify' && m.traits && Object.keys(m.traits).length > 0);
  const defs: AttributeDef[] = identifies.length ? await listAttributeDefs(tx, { workspaceId }) : [];
  const profiles = new Map<string, { index: number; input: CustomerInput }>();
  const byEmailOrPhone: { m: IngestMessage; profile: ProfileFromTraits }[] = [];
  for (const m of identifies) {
    const profile = profileFromTraits(m.traits!, defs, { path: `${pathOf(m.index)}.traits`, now: m.receivedAt });
    for (const issue of profile.issues) errors.push({ index: m.index, message: issue });
    if (Object.keys(profile.input).length === 0) continue;
    const customerId = m.userId ? owners.users.get(m.userId) : undefined;
    if (customerId && !may(m.userId!, m.anonymousId, m)) continue;
    if (customerId) {
      const had = profiles.get(customerId)?.input;
      const input = had ? { ...had, ...profile.input, ...(had.attributes || profile.input.attributes ? { attributes: { ...had.attributes, ...profile.input.attributes } } : {}) } : profile.input;
      profiles.set(customerId, { index: m.index, input });
    } else if (profile.email || profile.phone) byEmailOrPhone.push({ m, profile });
  }
  if (profiles.size) {
    const updates = [...profiles].map(([customerId, p]) => ({ customerId, input: p.input, path: `${pathOf(p.index)}.traits` }));
    const results = await updateProfilesInBulk(tx, { workspaceId, actor, updates, defs });
    for (const r of results) {
      if (r.status !== 'failed') continue;
      const index = profiles.get(r.customerId)!.index;
      for (const issue of r.errors ?? []) {
        // Whose e-mail or phone it is, is no business of a browser: no oracle of customers.
        if (opts.browser && issue.message.startsWith('belongs to another customer')) continue;
        errors.push({ index, message: `${issue.path}: ${issue.message}` });
      }
    }
  }
  for (const { m, profile } of byEmailOrPhone) {
    await attempt(m, 'traits', async (sp) => {
      // No user id to verify: a browser may only enrich its own visitor or name someone new.
      if (opts.browser && !(await mayBrowserIdentify(sp, { workspaceId, anonymousId: m.anonymousId, email: profile.email, phone: profile.phone }))) return;
      await identify(sp, { workspaceId, actor, input: { anonymousId: m.anonymousId ?? undefined, email: profile.email, phone: profile.phone, traits: profile.input, source: 'events' } });
    });
  }

  // Anonymous ids met with a user id they are not linked to.
  const links: { anonymousId: string; customerId: string }[] = [];
  const folds: IngestMessage[] = [];
  for (const m of opts.messages) {
    if (!needsLink(m, owners, may)) continue;
    const customerId = owners.users.get(m.userId!)!;
    if (owners.anonymous.has(m.anonymousId!)) folds.push(m); // the visitor's own profile folds into the user's
    else links.push({ anonymousId: m.anonymousId!, customerId });
    owners.anonymous.set(m.anonymousId!, { customerId, known: true });
  }
  await linkAnonymousIds(tx, { workspaceId, links, source: 'events' });
  for (const m of folds) {
    await attempt(m, 'anonymousId', async (sp) => {
      await identify(sp, { workspaceId, actor, input: { userId: m.userId!, anonymousId: m.anonymousId!, source: 'events' } });
    });
  }

  for (const m of opts.messages) {
    if (m.type === 'alias') {
      const userId = m.userId!;
      const previousId = m.previousId!;
      await attempt(m, 'previousId', async (sp) => {
        const survivorId = owners.users.get(userId)!;
        const previous = await findIdentityOwners(sp, { workspaceId, userIds: [previousId], anonymousIds: [previousId] });
        const asUser = previous.users.get(previousId);
        if (asUser) {
          // Merging two people known by user ids is for the shop's server (a secret key): a
          // userHash proves one of them only.
          if (asUser !== survivorId && !opts.browser) await mergeCustomers(sp, { workspaceId, actor, survivorId, mergedId: asUser });
          return;
        }
        if (previous.anonymous.get(previousId)?.customerId === survivorId) return;
        if (!may(userId, null, m)) return;
        await identify(sp, { workspaceId, actor, input: { userId, anonymousId: previousId, source: 'events' } });
      });
    } else if (m.type === 'group') {
      const customerId = customerOf(owners, m);
      await attempt(m, 'traits', async (sp) => {
        await upsertGroupCompany(sp, { workspaceId, groupId: m.groupId!, traits: m.traits ?? {}, customerId });
      });
    }
  }
  return errors;
}
