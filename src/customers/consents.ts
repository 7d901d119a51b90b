// Consent per customer, channel and purpose: the current state, an append-only history of
// every change, and signed one-click unsubscribe links.
import crypto from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { CHANNELS, PURPOSES, type Channel, type ConsentPurpose, type ConsentStatus } from './fields.ts';
import { notifyCustomersChanged } from './links.ts';
import { customerConsentHistory, customerConsents, customers, customerUnsubscribeKeys } from './schema.ts';

export type ConsentState = { channel: Channel; purpose: ConsentPurpose; status: ConsentStatus; source: string | null; updatedAt: string | null };
export type ConsentChange = { channel: Channel; purpose: ConsentPurpose; status: ConsentStatus; source: string | null };
export type ConsentHistoryEntry = {
  id: string;
  channel: string;
  purpose: string;
  status: string;
  previousStatus: string | null;
  source: string | null;
  actorLabel: string | null;
  at: string;
};

/**
 * Records consent changes for one customer. A change to the status it already has is not a
 * change: the history only grows when something really changed.
 */
export async function setConsents(
  db: Queryable,
  opts: { workspaceId: string; customerId: string; actor: Actor; consents: ConsentChange[]; audit?: boolean },
): Promise<number> {
  const changes = await setConsentsBulk(db, {
    workspaceId: opts.workspaceId,
    actorLabel: opts.actor.label,
    consents: opts.consents.map((c) => ({ ...c, customerId: opts.customerId })),
  });
  if (changes.length && opts.audit !== false) {
    await recordAudit(db, {
      workspaceId: opts.workspaceId,
      actor: opts.actor,
      action: 'customer.consent',
      entityType: 'customer',
      entityId: opts.customerId,
      before: Object.fromEntries(changes.map((c) => [`${c.channel}.${c.purpose}`, c.previous ?? 'unknown'])),
      after: Object.fromEntries(changes.map((c) => [`${c.channel}.${c.purpose}`, c.status])),
    });
  }
  return changes.length;
}

/**
 * Consent changes of many customers in three statements (imports, demo data). The last value
 * given for a customer × channel × purpose wins; unchanged ones are skipped.
 */
export async function setConsentsBulk(
  db: Queryable,
  opts: {
    workspaceId: string;
    actorLabel: string;
    consents: (ConsentChange & { customerId: string })[];
    /** false: the caller tells the other areas itself (with its own changes, in one notification). */
    notify?: boolean;
    /** Customers the caller created in this transaction: they have no consent to read yet. */
    created?: ReadonlySet<string>;
  },
): Promise<(ConsentChange & { customerId: string; previous: string | null })[]> {
  if (opts.consents.length === 0) return [];
  const customerIds = [...new Set(opts.consents.map((c) => c.customerId))].filter((id) => !opts.created?.has(id));
  const rows = customerIds.length
    ? await db
        .select({ customerId: customerConsents.customerId, channel: customerConsents.channel, purpose: customerConsents.purpose, status: customerConsents.status })
        .from(customerConsents)
        .where(and(eq(customerConsents.workspaceId, opts.workspaceId), sql`${customerConsents.customerId} = any(${sql.param(customerIds)}::uuid[])`))
    : [];
  const now = new Map(rows.map((r) => [`${r.customerId}:${r.channel}:${r.purpose}`, r.status]));
  const last = new Map<string, ConsentChange & { customerId: string }>();
  for (const c of opts.consents) last.set(`${c.customerId}:${c.channel}:${c.purpose}`, c);
  const changes: (ConsentChange & { customerId: string; previous: string | null })[] = [];
  for (const [key, c] of last) {
    const previous = now.get(key) ?? null;
    if ((previous ?? 'unknown') !== c.status) changes.push({ ...c, previous });
  }
  if (changes.length === 0) return [];
  const json = JSON.stringify(changes.map((c) => ({ id: uuidv7(), customer_id: c.customerId, channel: c.channel, purpose: c.purpose, status: c.status, previous: c.previous, source: c.source })));
  const recordset = sql.raw('r(id uuid, customer_id uuid, channel text, purpose text, status text, previous text, source text)');
  await db.execute(sql`
    insert into customer_consents (workspace_id, customer_id, channel, purpose, status, source, updated_at)
    select ${opts.workspaceId}::uuid, r.customer_id, r.channel, r.purpose, r.status, r.source, now()
    from jsonb_to_recordset(${json}::jsonb) as ${recordset}
    on conflict (workspace_id, customer_id, channel, purpose) do update set status = excluded.status, source = excluded.source, updated_at = now()`);
  await db.execute(sql`
    insert into customer_consent_history (workspace_id, id, customer_id, channel, purpose, status, previous_status, source, actor_label, at)
    select ${opts.workspaceId}::uuid, r.id, r.customer_id, r.channel, r.purpose, r.status, r.previous, r.source, ${opts.actorLabel}, now()
    from jsonb_to_recordset(${json}::jsonb) as ${recordset}`);
  if (opts.notify !== false) {
    await notifyCustomersChanged(db, { workspaceId: opts.workspaceId, customerIds: [...new Set(changes.map((c) => c.customerId))], changes: ['consent'] });
  }
  return changes;
}

/** Every channel × purpose, `unknown` where nothing was ever recorded. */
export async function getConsents(db: Queryable, opts: { workspaceId: string; customerId: string }): Promise<ConsentState[]> {
  const rows = await db
    .select()
    .from(customerConsents)
    .where(and(eq(customerConsents.workspaceId, opts.workspaceId), eq(customerConsents.customerId, opts.customerId)));
  const byKey = new Map(rows.map((r) => [`${r.channel}:${r.purpose}`, r]));
  return CHANNELS.flatMap((channel) =>
    PURPOSES.map((purpose) => {
      const r = byKey.get(`${channel}:${purpose}`);
      return { channel, purpose, status: (r?.status ?? 'unknown') as ConsentStatus, source: r?.source ?? null, updatedAt: r ? r.updatedAt.toISOString() : null };
    }),
  );
}

export async function getConsentHistory(db: Queryable, opts: { workspaceId: string; customerId: string; limit?: number }): Promise<ConsentHistoryEntry[]> {
  const rows = await db
    .select()
    .from(customerConsentHistory)
    .where(and(eq(customerConsentHistory.workspaceId, opts.workspaceId), eq(customerConsentHistory.customerId, opts.customerId)))
    .orderBy(desc(customerConsentHistory.id))
    .limit(opts.limit ?? 500);
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    purpose: r.purpose,
    status: r.status,
    previousStatus: r.previousStatus,
    source: r.source,
    actorLabel: r.actorLabel,
    at: r.at.toISOString(),
  }));
}

/** Whether a message of this purpose may go to the customer on this channel (messaging asks). */
export async function hasConsent(db: Queryable, opts: { workspaceId: string; customerId: string; channel: Channel; purpose: ConsentPurpose }): Promise<boolean> {
  const [row] = await db
    .select({ status: customerConsents.status })
    .from(customerConsents)
    .where(
      and(
        eq(customerConsents.workspaceId, opts.workspaceId),
        eq(customerConsents.customerId, opts.customerId),
        eq(customerConsents.channel, opts.channel),
        eq(customerConsents.purpose, opts.purpose),
      ),
    );
  return row?.status === 'granted';
}

// --- one-click unsubscribe ---------------------------------------------------------------

async function unsubscribeSecret(db: Queryable, workspaceId: string): Promise<Buffer> {
  const [row] = await db.select().from(customerUnsubscribeKeys).where(eq(customerUnsubscribeKeys.workspaceId, workspaceId));
  if (row) return Buffer.from(row.secret, 'base64url');
  const secret = crypto.randomBytes(32).toString('base64url');
  await db.insert(customerUnsubscribeKeys).values({ workspaceId, secret }).onConflictDoNothing();
  const [again] = await db.select().from(customerUnsubscribeKeys).where(eq(customerUnsubscribeKeys.workspaceId, workspaceId));
  return Buffer.from(again!.secret, 'base64url');
}

function sign(secret: Buffer, payload: string): string {
  return crypto.createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 32);
}

const uuidToB64 = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url');
function b64ToUuid(s: string): string | undefined {
  const hex = Buffer.from(s, 'base64url').toString('hex');
  if (hex.length !== 32) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A token for an unsubscribe link: workspace, customer and channel, signed with the workspace's
 * key. It only ever unsubscribes, so it can sit in every message.
 */
export async function unsubscribeToken(db: Queryable, opts: { workspaceId: string; customerId: string; channel: Channel }): Promise<string> {
  const secret = await unsubscribeSecret(db, opts.workspaceId);
  const payload = `${uuidToB64(opts.workspaceId)}.${uuidToB64(opts.customerId)}.${opts.channel}`;
  return `${payload}.${sign(secret, payload)}`;
}

export type UnsubscribeTarget = { workspaceId: string; customerId: string; channel: Channel };

export async function verifyUnsubscribeToken(db: Queryable, token: string): Promise<UnsubscribeTarget> {
  const bad = new AppError('not_found', 'This unsubscribe link is not valid');
  const parts = token.split('.');
  if (parts.length !== 4) throw bad;
  const [ws, cust, channel, mac] = parts as [string, string, string, string];
  const workspaceId = b64ToUuid(ws);
  const customerId = b64ToUuid(cust);
  if (!workspaceId || !customerId || !(CHANNELS as readonly string[]).includes(channel)) throw bad;
  const [key] = await db.select().from(customerUnsubscribeKeys).where(eq(customerUnsubscribeKeys.workspaceId, workspaceId));
  if (!key) throw bad;
  const expected = sign(Buffer.from(key.secret, 'base64url'), `${ws}.${cust}.${channel}`);
  if (expected.length !== mac.length || !crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(mac))) throw bad;
  return { workspaceId, customerId, channel: channel as Channel };
}

/** Denies marketing (and night-time ads) on the link's channel. */
export async function unsubscribe(db: Queryable, token: string): Promise<UnsubscribeTarget> {
  const target = await verifyUnsubscribeToken(db, token);
  const [row] = await db
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.workspaceId, target.workspaceId), eq(customers.id, target.customerId)));
  if (!row) throw new AppError('not_found', 'This unsubscribe link is not valid');
  await setConsents(db, {
    workspaceId: target.workspaceId,
    customerId: target.customerId,
    actor: { type: 'system', label: 'unsubscribe link' },
    consents: [
      { channel: target.channel, purpose: 'marketing', status: 'denied', source: 'unsubscribe_link' },
      { channel: target.channel, purpose: 'night_ads', status: 'denied', source: 'unsubscribe_link' },
    ],
  });
  return target;
}
