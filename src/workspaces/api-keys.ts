// Workspace API keys. Secret keys (rk_…) call the REST API with a role; write keys (wk_…)
// may only send events and are safe to embed in a web page. Stored hashed, shown once.
import { and, asc, eq, isNull } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError, notFound } from '../errors.ts';
import { recordAudit, type Actor } from './audit.ts';
import { mayGrant, type Role } from './roles.ts';
import { apiKeys, workspaces } from './schema.ts';
import { randomString, sha256 } from './secrets.ts';

export type ApiKeyKind = 'secret' | 'write';
export type ApiKey = {
  id: string;
  kind: ApiKeyKind;
  role: Role | null;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

const PREFIX: Record<ApiKeyKind, string> = { secret: 'rk_', write: 'wk_' };

function toApiKey(row: typeof apiKeys.$inferSelect): ApiKey {
  return {
    id: row.id,
    kind: row.kind as ApiKeyKind,
    role: (row.role as Role | null) ?? null,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export async function createApiKey(
  db: Queryable,
  opts: { workspaceId: string; actor: Actor; actorRole: Role | null; kind: ApiKeyKind; role?: Role; name: string; createdBy?: string },
): Promise<{ key: string; apiKey: ApiKey }> {
  const name = opts.name.trim();
  if (!name) throw new AppError('invalid_input', 'name: must not be empty');
  if (opts.kind === 'write' && opts.role) throw new AppError('invalid_input', 'role: write keys only send events and take no role');
  const role: Role | null = opts.kind === 'secret' ? (opts.role ?? 'admin') : null;
  if (role === 'owner') throw new AppError('invalid_input', 'role: API keys cannot hold the owner role');
  if (role && opts.actorRole && !mayGrant(opts.actorRole, role)) {
    throw new AppError('forbidden', `role: a ${opts.actorRole} cannot create a key with the ${role} role`);
  }
  const key = PREFIX[opts.kind] + randomString(40);
  const [row] = await db
    .insert(apiKeys)
    .values({
      workspaceId: opts.workspaceId,
      id: uuidv7(),
      kind: opts.kind,
      role,
      name,
      prefix: key.slice(0, 9),
      keyHash: sha256(key),
      createdBy: opts.createdBy ?? null,
    })
    .returning();
  const apiKey = toApiKey(row!);
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'api_key.created', entityType: 'api_key', entityId: apiKey.id, after: apiKey });
  return { key, apiKey };
}

export async function listApiKeys(db: Queryable, workspaceId: string): Promise<ApiKey[]> {
  const rows = await db.select().from(apiKeys).where(eq(apiKeys.workspaceId, workspaceId)).orderBy(asc(apiKeys.createdAt));
  return rows.map(toApiKey);
}

export async function revokeApiKey(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string }): Promise<ApiKey> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.workspaceId, opts.workspaceId), eq(apiKeys.id, opts.id), isNull(apiKeys.revokedAt)))
    .returning();
  if (!row) throw notFound('API key');
  const apiKey = toApiKey(row);
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'api_key.revoked', entityType: 'api_key', entityId: apiKey.id, before: { ...apiKey, revokedAt: null }, after: apiKey });
  return apiKey;
}

export type ResolvedKey = { id: string; workspaceId: string; kind: ApiKeyKind; role: Role | null; name: string };

/** The live key matching this secret, or undefined. */
export async function resolveApiKey(db: Queryable, key: string): Promise<ResolvedKey | undefined> {
  if (!key.startsWith('rk_') && !key.startsWith('wk_')) return undefined;
  const [row] = await db
    .select({ k: apiKeys })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(and(eq(apiKeys.keyHash, sha256(key)), isNull(apiKeys.revokedAt), isNull(workspaces.deletedAt)))
    .limit(1);
  if (!row) return undefined;
  return { id: row.k.id, workspaceId: row.k.workspaceId, kind: row.k.kind as ApiKeyKind, role: row.k.role as Role | null, name: row.k.name };
}

/** Records use at most once a minute per key, so a busy key does not write on every request. */
const lastTouched = new Map<string, number>();
export async function touchApiKey(db: Queryable, key: ResolvedKey): Promise<void> {
  const now = Date.now();
  if ((lastTouched.get(key.id) ?? 0) > now - 60_000) return;
  lastTouched.set(key.id, now);
  await db.update(apiKeys).set({ lastUsedAt: new Date(now) }).where(and(eq(apiKeys.workspaceId, key.workspaceId), eq(apiKeys.id, key.id)));
}
