// Web push subscriptions: what a browser's push service gave the tracker (src/events/tracker/push.js),
// kept once per (workspace, endpoint), tied to the visitor who asked and to their customer when
// known, and revoked when the push service answers that the browser dropped it (404/410).
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { findIdentityOwners } from '../customers/identities.ts';
import { pushSubscriptions } from './schema.ts';

export type PushKeys = { p256dh: string; auth: string };

export type PushSubscription = {
  id: string;
  customerId: string | null;
  anonymousId: string | null;
  endpoint: string;
  keys: PushKeys;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  revokedAt: Date | null;
};

/**
 * The push services of the browsers people use (Chrome, Edge, Firefox, Safari, and the Chromium
 * browsers on FCM). The dispatcher POSTs to a subscription's endpoint from Rapport's own server,
 * and anyone can send a subscription with a shop's public write key: an endpoint anywhere else
 * (an address inside the operator's network) would make Rapport call it.
 */
export const PUSH_SERVICE_HOSTS = ['fcm.googleapis.com', 'android.googleapis.com', 'updates.push.services.mozilla.com', 'notify.windows.com', 'push.apple.com'];

function knownPushService(host: string): boolean {
  return PUSH_SERVICE_HOSTS.some((h) => host === h || host.endsWith(`.${h}`));
}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function decoded(value: string): Buffer | null {
  if (!BASE64URL.test(value)) return null;
  return Buffer.from(value.replace(/=+$/, ''), 'base64url');
}

/**
 * Checks a subscription as the browser's PushSubscription.toJSON() gives it; a 400 naming the
 * field otherwise. `path` is where it sits in the request (`body.subscription`).
 */
export function checkSubscription(input: { endpoint: string; keys: PushKeys }, path = 'body.subscription'): { endpoint: string; keys: PushKeys } {
  let url: URL;
  try {
    url = new URL(input.endpoint);
  } catch {
    throw new AppError('invalid_input', `${path}.endpoint: is not a URL`);
  }
  if (url.protocol !== 'https:') throw new AppError('invalid_input', `${path}.endpoint: must be an https URL`);
  if (url.username || url.password || url.port) throw new AppError('invalid_input', `${path}.endpoint: must not hold a user name, a password or a port`);
  if (!knownPushService(url.hostname.toLowerCase())) {
    throw new AppError('invalid_input', `${path}.endpoint: ${url.hostname} is not a browser push service (${PUSH_SERVICE_HOSTS.join(', ')})`);
  }
  // web-push encrypts with the browser's P-256 public key (65 bytes, uncompressed) and its 16-byte auth secret.
  const p256dh = decoded(input.keys.p256dh);
  if (!p256dh || p256dh.length !== 65 || p256dh[0] !== 0x04) throw new AppError('invalid_input', `${path}.keys.p256dh: must be the browser's P-256 public key (65 bytes, base64url)`);
  const auth = decoded(input.keys.auth);
  if (!auth || auth.length !== 16) throw new AppError('invalid_input', `${path}.keys.auth: must be the 16-byte auth secret (base64url)`);
  return { endpoint: url.toString(), keys: { p256dh: p256dh.toString('base64url'), auth: auth.toString('base64url') } };
}

/**
 * The customer a browser's subscription belongs to, by the rules event ingestion follows for a
 * public write key (src/events/ingest.ts): the customer the anonymous id is already linked to;
 * a user id's customer only when the shop's server signed it (`verified`) or the anonymous id is
 * already theirs. Nobody is created here: the tracker's identify call does that, and the
 * subscription follows its anonymous id (see pushSubscriptionsFor).
 */
export async function pushCustomerOf(db: Queryable, opts: { workspaceId: string; anonymousId: string | null; userId: string | null; verified: boolean }): Promise<string | null> {
  const owners = await findIdentityOwners(db, {
    workspaceId: opts.workspaceId,
    userIds: opts.userId ? [opts.userId] : [],
    anonymousIds: opts.anonymousId ? [opts.anonymousId] : [],
  });
  const anonymousOwner = opts.anonymousId ? (owners.anonymous.get(opts.anonymousId)?.customerId ?? null) : null;
  const userOwner = opts.userId ? (owners.users.get(opts.userId) ?? null) : null;
  if (userOwner && (opts.verified || anonymousOwner === userOwner)) return userOwner;
  return anonymousOwner;
}

const columns = {
  id: pushSubscriptions.id,
  customerId: pushSubscriptions.customerId,
  anonymousId: pushSubscriptions.anonymousId,
  endpoint: pushSubscriptions.endpoint,
  p256dh: pushSubscriptions.p256dh,
  auth: pushSubscriptions.auth,
  userAgent: pushSubscriptions.userAgent,
  createdAt: pushSubscriptions.createdAt,
  lastSeenAt: pushSubscriptions.lastSeenAt,
  revokedAt: pushSubscriptions.revokedAt,
};
type Row = Pick<typeof pushSubscriptions.$inferSelect, keyof typeof columns>;

function toSubscription(r: Row): PushSubscription {
  return {
    id: r.id,
    customerId: r.customerId,
    anonymousId: r.anonymousId,
    endpoint: r.endpoint,
    keys: { p256dh: r.p256dh, auth: r.auth },
    userAgent: r.userAgent,
    createdAt: r.createdAt,
    lastSeenAt: r.lastSeenAt,
    revokedAt: r.revokedAt,
  };
}

/**
 * Keeps a browser's subscription: one row per (workspace, endpoint). Subscribing again with the
 * same endpoint refreshes its keys and last-seen time, brings a revoked one back, and moves it to
 * the visitor who asked now (a shared computer after a sign-out). The customer is kept when the
 * same visitor asks again without one being resolved.
 */
export async function savePushSubscription(
  db: Queryable,
  opts: { workspaceId: string; endpoint: string; keys: PushKeys; anonymousId: string | null; customerId: string | null; userAgent?: string | null },
): Promise<{ subscription: PushSubscription; created: boolean }> {
  const now = clock.now();
  const id = uuidv7();
  const [row] = await db
    .insert(pushSubscriptions)
    .values({
      workspaceId: opts.workspaceId,
      id,
      customerId: opts.customerId,
      anonymousId: opts.anonymousId,
      endpoint: opts.endpoint,
      p256dh: opts.keys.p256dh,
      auth: opts.keys.auth,
      userAgent: opts.userAgent ?? null,
      createdAt: now,
      lastSeenAt: now,
    })
    .onConflictDoUpdate({
      target: [pushSubscriptions.workspaceId, pushSubscriptions.endpoint],
      set: {
        p256dh: sql`excluded.p256dh`,
        auth: sql`excluded.auth`,
        customerId: sql`case when excluded.customer_id is not null then excluded.customer_id
          when ${pushSubscriptions.anonymousId} is not distinct from excluded.anonymous_id then ${pushSubscriptions.customerId} end`,
        anonymousId: sql`excluded.anonymous_id`,
        userAgent: sql`coalesce(excluded.user_agent, ${pushSubscriptions.userAgent})`,
        lastSeenAt: now,
        revokedAt: null,
      },
    })
    .returning(columns);
  return { subscription: toSubscription(row!), created: row!.id === id };
}

/** Removes a subscription the browser gave up (push.unsubscribe). False when there was none. */
export async function removePushSubscription(db: Queryable, opts: { workspaceId: string; endpoint: string }): Promise<boolean> {
  const rows = await db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.workspaceId, opts.workspaceId), eq(pushSubscriptions.endpoint, opts.endpoint)))
    .returning({ id: pushSubscriptions.id });
  return rows.length > 0;
}

/**
 * Marks subscriptions dead: the push service answered 404 or 410 for them (the browser dropped
 * them). No message goes to them again unless the browser subscribes with the endpoint anew.
 * Returns how many were live.
 */
export async function revokePushSubscriptions(db: Queryable, opts: { workspaceId: string; endpoints: string[]; at?: Date }): Promise<number> {
  if (opts.endpoints.length === 0) return 0;
  const rows = await db
    .update(pushSubscriptions)
    .set({ revokedAt: opts.at ?? clock.now() })
    .where(and(eq(pushSubscriptions.workspaceId, opts.workspaceId), inArray(pushSubscriptions.endpoint, opts.endpoints), isNull(pushSubscriptions.revokedAt)))
    .returning({ id: pushSubscriptions.id });
  return rows.length;
}

/**
 * The live subscriptions of these customers, newest first: those linked to them, and those of an
 * anonymous id that is now one of theirs. The second kind covers a visitor identified after
 * subscribing whose link was made without claiming (customers/identities.ts linkAnonymousIds
 * skips claims for a visitor whose first message already named them), so no subscription is lost
 * to the order in which the tracker's two requests arrive.
 */
export async function pushSubscriptionsFor(db: Queryable, workspaceId: string, customerIds: string[]): Promise<Map<string, PushSubscription[]>> {
  const result = new Map<string, PushSubscription[]>();
  const ids = [...new Set(customerIds)];
  if (ids.length === 0) return result;
  const { rows } = await db.execute<{
    owner: string;
    id: string;
    customer_id: string | null;
    anonymous_id: string | null;
    endpoint: string;
    p256dh: string;
    auth: string;
    user_agent: string | null;
    created_at: Date | string;
    last_seen_at: Date | string;
  }>(sql`
    select s.customer_id as owner, s.id, s.customer_id, s.anonymous_id, s.endpoint, s.p256dh, s.auth, s.user_agent, s.created_at, s.last_seen_at
    from push_subscriptions s
    where s.workspace_id = ${workspaceId}::uuid and s.customer_id = any(${sql.param(ids)}::uuid[]) and s.revoked_at is null
    union all
    select i.customer_id as owner, s.id, s.customer_id, s.anonymous_id, s.endpoint, s.p256dh, s.auth, s.user_agent, s.created_at, s.last_seen_at
    from customer_identities i
    join push_subscriptions s on s.workspace_id = i.workspace_id and s.anonymous_id = i.value and s.customer_id is null and s.revoked_at is null
    where i.workspace_id = ${workspaceId}::uuid and i.kind = 'anonymous_id' and i.customer_id = any(${sql.param(ids)}::uuid[])
    order by last_seen_at desc, id`);
  for (const r of rows) {
    const list = result.get(r.owner) ?? [];
    list.push({
      id: r.id,
      customerId: r.customer_id,
      anonymousId: r.anonymous_id,
      endpoint: r.endpoint,
      keys: { p256dh: r.p256dh, auth: r.auth },
      userAgent: r.user_agent,
      createdAt: new Date(r.created_at),
      lastSeenAt: new Date(r.last_seen_at),
      revokedAt: null,
    });
    result.set(r.owner, list);
  }
  return result;
}

/** What a web push provider is given as a message's `to`: the subscription as the browser gave it. */
export function pushAddress(s: Pick<PushSubscription, 'endpoint' | 'keys'>): string {
  return JSON.stringify({ endpoint: s.endpoint, keys: s.keys });
}

/** For the admin API: a workspace's subscriptions, by customer or visitor, newest first. */
export async function listPushSubscriptions(
  db: Queryable,
  opts: { workspaceId: string; customerId?: string; anonymousId?: string; limit: number },
): Promise<PushSubscription[]> {
  const rows = await db
    .select(columns)
    .from(pushSubscriptions)
    .where(
      and(
        eq(pushSubscriptions.workspaceId, opts.workspaceId),
        opts.customerId ? eq(pushSubscriptions.customerId, opts.customerId) : undefined,
        opts.anonymousId ? eq(pushSubscriptions.anonymousId, opts.anonymousId) : undefined,
      ),
    )
    .orderBy(sql`${pushSubscriptions.lastSeenAt} desc, ${pushSubscriptions.id}`)
    .limit(opts.limit);
  return rows.map(toSubscription);
}

// --- for the messaging area's customer link (merge, stitching, erase, export) ------------------

/** Subscriptions made under an anonymous id before anyone knew who it was now belong to the customer. */
export async function claimAnonymousPushSubscriptions(db: Queryable, opts: { workspaceId: string; anonymousId: string; customerId: string }): Promise<number> {
  const rows = await db
    .update(pushSubscriptions)
    .set({ customerId: opts.customerId })
    .where(and(eq(pushSubscriptions.workspaceId, opts.workspaceId), eq(pushSubscriptions.anonymousId, opts.anonymousId), isNull(pushSubscriptions.customerId)))
    .returning({ id: pushSubscriptions.id });
  return rows.length;
}

/** Moves a customer's subscriptions to another (a merge); returns their ids, for the undo. */
export async function reassignPushSubscriptions(db: Queryable, opts: { workspaceId: string; fromId: string; toId: string }): Promise<string[]> {
  const rows = await db
    .update(pushSubscriptions)
    .set({ customerId: opts.toId })
    .where(and(eq(pushSubscriptions.workspaceId, opts.workspaceId), eq(pushSubscriptions.customerId, opts.fromId)))
    .returning({ id: pushSubscriptions.id });
  return rows.map((r) => r.id);
}

/** Deletes a customer's subscriptions, and those of their anonymous ids (an erase leaves no device behind). */
export async function erasePushSubscriptions(db: Queryable, opts: { workspaceId: string; customerId: string; anonymousIds?: string[] }): Promise<number> {
  let removed = (
    await db
      .delete(pushSubscriptions)
      .where(and(eq(pushSubscriptions.workspaceId, opts.workspaceId), eq(pushSubscriptions.customerId, opts.customerId)))
      .returning({ id: pushSubscriptions.id })
  ).length;
  if (opts.anonymousIds?.length) {
    removed += (
      await db
        .delete(pushSubscriptions)
        .where(and(eq(pushSubscriptions.workspaceId, opts.workspaceId), inArray(pushSubscriptions.anonymousId, opts.anonymousIds)))
        .returning({ id: pushSubscriptions.id })
    ).length;
  }
  return removed;
}
