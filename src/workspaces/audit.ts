// The audit log: who changed what. Every area records its changes through `recordAudit`.
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { auditLog } from './schema.ts';

export type Actor =
  | { type: 'user'; id: string; label: string }
  | { type: 'api_key'; id: string; label: string }
  | { type: 'system'; id?: undefined; label: string };

export const systemActor: Actor = { type: 'system', label: 'system' };

type Json = Record<string, unknown>;

// Never copy secrets into the log, even hashed.
const SECRET_FIELDS = new Set(['passwordHash', 'password_hash', 'password', 'keyHash', 'key_hash', 'token', 'tokenHash', 'key']);

function redact(value: Json | null | undefined): Json | null {
  if (!value) return null;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_FIELDS.has(k)) continue;
    out[k] = v instanceof Date ? v.toISOString() : v;
  }
  return out;
}

/** Field-by-field changes between two versions of a record: `{ field: { from, to } }`. */
export function diffRecords(before: Json | null, after: Json | null): Record<string, { from: unknown; to: unknown }> {
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    const from = before?.[key] ?? null;
    const to = after?.[key] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) diff[key] = { from, to };
  }
  return diff;
}

export type AuditInput = {
  workspaceId: string;
  actor: Actor;
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: Json | null;
  after?: Json | null;
  requestId?: string;
  ip?: string;
};

export async function recordAudit(db: Queryable, input: AuditInput): Promise<void> {
  const before = redact(input.before);
  const after = redact(input.after);
  await db.insert(auditLog).values({
    workspaceId: input.workspaceId,
    id: uuidv7(),
    actorType: input.actor.type,
    actorId: input.actor.id ?? null,
    actorLabel: input.actor.label,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId ?? null,
    before,
    after,
    diff: diffRecords(before, after),
    requestId: input.requestId ?? null,
    ip: input.ip ?? null,
  });
}

export type AuditEntry = {
  id: string;
  at: string;
  actor: { type: string; id: string | null; label: string | null };
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  diff: unknown;
};

export async function listAudit(
  db: Queryable,
  opts: { workspaceId: string; entityType?: string; entityId?: string; action?: string; before?: string; limit: number },
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const conditions: SQL[] = [eq(auditLog.workspaceId, opts.workspaceId)];
  if (opts.entityType) conditions.push(eq(auditLog.entityType, opts.entityType));
  if (opts.entityId) conditions.push(eq(auditLog.entityId, opts.entityId));
  if (opts.action) conditions.push(eq(auditLog.action, opts.action));
  // ids are UUIDv7, so id order is time order and the id is the cursor.
  if (opts.before) conditions.push(lt(auditLog.id, opts.before));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
      action: r.action,
      entityType: r.entityType,
      entityId: r.entityId,
      before: r.before,
      after: r.after,
      diff: r.diff,
    })),
    nextCursor: rows.length > opts.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
