// Login sessions behind the HTTP-only cookie. Only a hash of the cookie token is stored.
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { randomString, sha256 } from './secrets.ts';
import { sessions } from './schema.ts';

export type Session = { tokenHash: string; userId: string; currentWorkspaceId: string | null; expiresAt: Date };

export async function createSession(
  db: Queryable,
  opts: { userId: string; workspaceId: string | null; days: number; userAgent?: string; ip?: string },
): Promise<{ token: string; session: Session }> {
  const token = randomString(43);
  const expiresAt = new Date(Date.now() + opts.days * 86_400_000);
  await db.insert(sessions).values({
    tokenHash: sha256(token),
    userId: opts.userId,
    currentWorkspaceId: opts.workspaceId,
    expiresAt,
    userAgent: opts.userAgent?.slice(0, 300) ?? null,
    ip: opts.ip ?? null,
  });
  return { token, session: { tokenHash: sha256(token), userId: opts.userId, currentWorkspaceId: opts.workspaceId, expiresAt } };
}

export async function resolveSession(db: Queryable, token: string): Promise<Session | undefined> {
  const [row] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.tokenHash, sha256(token)), gt(sessions.expiresAt, new Date())))
    .limit(1);
  if (!row) return undefined;
  return { tokenHash: row.tokenHash, userId: row.userId, currentWorkspaceId: row.currentWorkspaceId, expiresAt: row.expiresAt };
}

export async function setSessionWorkspace(db: Queryable, tokenHash: string, workspaceId: string): Promise<void> {
  await db.update(sessions).set({ currentWorkspaceId: workspaceId, lastSeenAt: new Date() }).where(eq(sessions.tokenHash, tokenHash));
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, sha256(token)));
}

export async function deleteExpiredSessions(db: Queryable): Promise<number> {
  const rows = await db.delete(sessions).where(lt(sessions.expiresAt, new Date())).returning({ t: sessions.tokenHash });
  return rows.length;
}

/**
 * The CSRF token for a session: derived from the session token, so it needs no storage and
 * cannot be computed by a page that does not already hold the session cookie.
 */
export function csrfTokenFor(sessionToken: string): string {
  return sha256(`csrf:${sessionToken}`).slice(0, 40);
}
