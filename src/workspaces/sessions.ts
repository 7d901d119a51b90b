// Login sessions behind the HTTP-only cookie. Only a hash of the cookie token is stored.
import { eq, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { deleteStaleLoginRecords } from './login-throttle.ts';
import { isRole, type Role } from './roles.ts';
import { randomString, sha256 } from './secrets.ts';
import { memberships, sessions, users, workspaces } from './schema.ts';

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

export type SessionCaller = {
  session: Session;
  /** Undefined when the session's user no longer exists. */
  user: { id: string; email: string } | undefined;
  /** The caller's role in `wanted` (or the session's chosen workspace when none is wanted); undefined when not a member. */
  role: Role | undefined;
  /** The workspace the role is for. */
  workspaceId: string | null;
};

/**
 * Everything a cookie-authenticated request needs, in one round trip: the live session, its
 * user, and the user's role in the wanted workspace (a header's choice, else the session's).
 */
export async function resolveSessionCaller(db: Queryable, token: string, wanted?: string): Promise<SessionCaller | undefined> {
  const tokenHash = sha256(token);
  const { rows } = await db.execute<{
    user_id: string;
    current_workspace_id: string | null;
    expires_at: Date | string;
    email: string | null;
    workspace_id: string | null;
    role: string | null;
  }>(sql`
    select s.user_id, s.current_workspace_id, s.expires_at, u.email, coalesce(${wanted ?? null}::uuid, s.current_workspace_id) as workspace_id, m.role
    from ${sessions} s
    left join ${users} u on u.id = s.user_id
    left join lateral (
      select mm.role from ${memberships} mm join ${workspaces} w on w.id = mm.workspace_id and w.deleted_at is null
      where mm.user_id = s.user_id and mm.workspace_id = coalesce(${wanted ?? null}::uuid, s.current_workspace_id)
      limit 1) m on true
    where s.token_hash = ${tokenHash} and s.expires_at > ${new Date().toISOString()}::timestamptz
    limit 1`);
  const row = rows[0];
  if (!row) return undefined;
  return {
    session: { tokenHash, userId: row.user_id, currentWorkspaceId: row.current_workspace_id, expiresAt: new Date(row.expires_at) },
    user: row.email === null ? undefined : { id: row.user_id, email: row.email },
    role: isRole(row.role) ? row.role : undefined,
    workspaceId: row.workspace_id,
  };
}

export async function setSessionWorkspace(db: Queryable, tokenHash: string, workspaceId: string): Promise<void> {
  await db.update(sessions).set({ currentWorkspaceId: workspaceId, lastSeenAt: new Date() }).where(eq(sessions.tokenHash, tokenHash));
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, sha256(token)));
}

export async function deleteExpiredSessions(db: Queryable): Promise<number> {
  await deleteStaleLoginRecords(db);
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
