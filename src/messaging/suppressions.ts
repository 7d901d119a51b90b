// The suppression list: addresses no message goes to (hard bounces, complaints, and the ones
// staff add by hand). An address is kept only as the SHA-256 of its normalised form and a masked
// hint, so the list survives a privacy erase without holding the address. Hashing and hints are
// the gate's (src/messaging/gate.ts), so what is listed here is what the gate refuses.
import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import { clock } from '../clock.ts';
import { normaliseEmail, normalisePhone } from '../customers/fields.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { addressHash, addressHint } from './gate.ts';
import { suppressions } from './schema.ts';
import type { ChannelKind } from './types.ts';

/** Phone channels share one entry: a number that bounces SMS takes no KakaoTalk either. */
export const SUPPRESSION_KINDS = ['email', 'sms', 'push'] as const;
export type SuppressionKind = (typeof SUPPRESSION_KINDS)[number];
export const SUPPRESSION_LIST_REASONS = ['hard_bounce', 'complaint', 'manual'] as const;
export type SuppressionListReason = (typeof SUPPRESSION_LIST_REASONS)[number];

/** The list's kind for a channel kind (KakaoTalk is listed under sms); null for webhooks, which have no list. */
export function suppressionKindOf(kind: ChannelKind | SuppressionKind | string): SuppressionKind | null {
  const k = kind === 'kakao' ? 'sms' : kind;
  return (SUPPRESSION_KINDS as readonly string[]).includes(k) ? (k as SuppressionKind) : null;
}

export type Suppression = { kind: SuppressionKind; addressHash: string; hint: string; reason: string; detail: string | null; createdAt: string };

type Row = typeof suppressions.$inferSelect;
const toSuppression = (r: Row): Suppression => ({ kind: r.kind as SuppressionKind, addressHash: r.addressHash, hint: r.hint, reason: r.reason, detail: r.detail, createdAt: r.createdAt.toISOString() });

/**
 * An address as staff type it, in the form messages are sent to (lower-cased e-mail, E.164
 * phone): a manual entry must hash as the address the gate will check. A 400 naming `field` when
 * it is not an address of that kind.
 */
export function addressForKind(kind: SuppressionKind, address: string, field = 'address'): string {
  if (kind === 'email') {
    const email = normaliseEmail(address);
    if (!email) throw new AppError('invalid_input', `${field}: is not an e-mail address`);
    return email;
  }
  if (kind === 'sms') {
    const phone = normalisePhone(address);
    if (!phone) throw new AppError('invalid_input', `${field}: is not a phone number`);
    return phone;
  }
  const a = address.trim();
  if (!a) throw new AppError('invalid_input', `${field}: must not be empty`);
  return a;
}

/**
 * Lists an address (an address already listed keeps its first reason and time). `kind` may be a
 * channel kind; the address is used as given, in the form messages are sent to.
 */
export async function addSuppression(
  db: Queryable,
  opts: { workspaceId: string; kind: ChannelKind | SuppressionKind; address: string; reason: SuppressionListReason; detail?: string | null; actor?: Actor },
): Promise<{ suppression: Suppression; created: boolean }> {
  const kind = suppressionKindOf(opts.kind);
  if (!kind) throw new AppError('invalid_input', `kind: ${opts.kind} has no suppression list`);
  const hash = addressHash(kind, opts.address);
  const inserted = await db
    .insert(suppressions)
    .values({ workspaceId: opts.workspaceId, kind, addressHash: hash, hint: addressHint(kind, opts.address), reason: opts.reason, detail: opts.detail ?? null, createdAt: clock.now() })
    .onConflictDoNothing()
    .returning();
  const row = inserted[0] ?? (await getRow(db, opts.workspaceId, kind, hash));
  if (!row) throw new Error('suppression: neither inserted nor found');
  if (inserted[0] && opts.actor) {
    await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'suppression.add', entityType: 'suppression', entityId: `${kind}:${hash}`, after: { kind, hint: row.hint, reason: row.reason } });
  }
  return { suppression: toSuppression(row), created: inserted.length > 0 };
}

async function getRow(db: Queryable, workspaceId: string, kind: string, hash: string): Promise<Row | undefined> {
  const [row] = await db
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.workspaceId, workspaceId), eq(suppressions.kind, kind), eq(suppressions.addressHash, hash)));
  return row;
}

export async function getSuppression(db: Queryable, opts: { workspaceId: string; kind: SuppressionKind; addressHash: string }): Promise<Suppression | null> {
  const row = await getRow(db, opts.workspaceId, opts.kind, opts.addressHash);
  return row ? toSuppression(row) : null;
}

/** Which of these addresses (as given) are listed, in one query. */
export async function isSuppressedMany(db: Queryable, workspaceId: string, kind: ChannelKind | SuppressionKind, addresses: string[]): Promise<Set<string>> {
  const listKind = suppressionKindOf(kind);
  if (!listKind || addresses.length === 0) return new Set();
  const hashes = addresses.map((a) => addressHash(listKind, a));
  const { rows } = await db.execute<{ address_hash: string }>(sql`
    select address_hash from suppressions
    where workspace_id = ${workspaceId}::uuid and kind = ${listKind} and address_hash = any(${sql.param([...new Set(hashes)])}::text[])`);
  const listed = new Set(rows.map((r) => r.address_hash));
  return new Set(addresses.filter((_, i) => listed.has(hashes[i]!)));
}

type Cursor = { at: Date; kind: string; hash: string };

function encodeCursor(s: Suppression): string {
  return Buffer.from(JSON.stringify([s.createdAt, s.kind, s.addressHash])).toString('base64url');
}

function decodeCursor(raw: string): Cursor {
  try {
    const [at, kind, hash] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [string, string, string];
    const d = new Date(at);
    if (typeof kind === 'string' && typeof hash === 'string' && !Number.isNaN(d.getTime())) return { at: d, kind, hash };
  } catch {
    /* fall through */
  }
  throw new AppError('invalid_input', 'query.cursor: is not a cursor from this list (use nextCursor as given)');
}

/**
 * Newest first, `limit` a page. `address` finds one address (hashed as the gate would): the only
 * way to look an address up, since the list does not hold it.
 */
export async function listSuppressions(
  db: Queryable,
  opts: { workspaceId: string; kind?: SuppressionKind; reason?: SuppressionListReason; address?: string; limit: number; cursor?: string },
): Promise<{ items: Suppression[]; nextCursor: string | null }> {
  const where: (SQL | undefined)[] = [eq(suppressions.workspaceId, opts.workspaceId)];
  if (opts.kind) where.push(eq(suppressions.kind, opts.kind));
  if (opts.reason) where.push(eq(suppressions.reason, opts.reason));
  if (opts.address !== undefined) {
    // Without a kind, the address is tried as each kind it could be.
    const kinds = opts.kind ? [opts.kind] : SUPPRESSION_KINDS;
    where.push(or(...kinds.map((k) => and(eq(suppressions.kind, k), eq(suppressions.addressHash, addressHash(k, lookupForm(k, opts.address!)))))));
  }
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor);
    // (created_at desc, kind, address_hash) order: the rows after the cursor's.
    where.push(
      or(
        lt(suppressions.createdAt, c.at),
        and(eq(suppressions.createdAt, c.at), sql`(${suppressions.kind}, ${suppressions.addressHash}) > (${c.kind}, ${c.hash})`),
      ),
    );
  }
  const rows = await db
    .select()
    .from(suppressions)
    .where(and(...where))
    .orderBy(desc(suppressions.createdAt), suppressions.kind, suppressions.addressHash)
    .limit(opts.limit + 1);
  const items = rows.slice(0, opts.limit).map(toSuppression);
  return { items, nextCursor: rows.length > opts.limit ? encodeCursor(items.at(-1)!) : null };
}

/** What an address typed into a search is hashed as: its sending form when it is one, else as typed. */
function lookupForm(kind: SuppressionKind, address: string): string {
  if (kind === 'email') return normaliseEmail(address) ?? address;
  if (kind === 'sms') return normalisePhone(address) ?? address;
  return address;
}

/** Takes an address off the list (messages may go to it again); false when it was not listed. */
export async function removeSuppression(db: Queryable, opts: { workspaceId: string; kind: SuppressionKind; addressHash: string; actor?: Actor }): Promise<boolean> {
  const deleted = await db
    .delete(suppressions)
    .where(and(eq(suppressions.workspaceId, opts.workspaceId), eq(suppressions.kind, opts.kind), eq(suppressions.addressHash, opts.addressHash)))
    .returning();
  const row = deleted[0];
  if (row && opts.actor) {
    await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'suppression.remove', entityType: 'suppression', entityId: `${row.kind}:${row.addressHash}`, before: { kind: row.kind, hint: row.hint, reason: row.reason } });
  }
  return Boolean(row);
}

/** A hint as a role without pii.read sees it: the e-mail's domain, the phone's last two digits, the push service. */
export function maskHint(s: Suppression): Suppression {
  if (s.kind === 'email') return { ...s, hint: s.hint.includes('@') ? `***${s.hint.slice(s.hint.lastIndexOf('@'))}` : '***' };
  if (s.kind === 'sms') return { ...s, hint: `***${s.hint.slice(-2)}` };
  return s;
}
