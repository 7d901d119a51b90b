// Workspaces (tenants) and their members. People join through invitations (invitations.ts);
// addMember is for the operator (CLI, tests), who may add anyone directly.
import { and, asc, count, eq, isNull } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError, notFound } from '../errors.ts';
import { recordAudit, type Actor } from './audit.ts';
import { isRole, mayGrant, type Role } from './roles.ts';
import { memberships, users, workspaces } from './schema.ts';
import { createUser, findUserByEmail } from './users.ts';

export type Workspace = { id: string; name: string; timeZone: string; currency: string; createdAt: string };
export type Member = { userId: string; email: string; name: string; role: Role; joinedAt: string };

function toWorkspace(row: typeof workspaces.$inferSelect): Workspace {
  return { id: row.id, name: row.name, timeZone: row.timeZone, currency: row.currency, createdAt: row.createdAt.toISOString() };
}

export function validateTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new AppError('invalid_input', `timeZone: "${timeZone}" is not an IANA time zone (e.g. Asia/Seoul)`);
  }
}

function validateName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('invalid_input', 'name: must not be empty');
  return trimmed;
}

export async function createWorkspace(
  db: Queryable,
  opts: { name: string; ownerId: string; actor: Actor; timeZone?: string; currency?: string },
): Promise<Workspace> {
  if (opts.timeZone) validateTimeZone(opts.timeZone);
  if (opts.currency && !/^[A-Z]{3}$/.test(opts.currency)) throw new AppError('invalid_input', 'currency: must be an ISO 4217 code such as KRW');
  const [row] = await db
    .insert(workspaces)
    .values({ id: uuidv7(), name: validateName(opts.name), timeZone: opts.timeZone ?? 'Asia/Seoul', currency: opts.currency ?? 'KRW' })
    .returning();
  const ws = toWorkspace(row!);
  await db.insert(memberships).values({ workspaceId: ws.id, userId: opts.ownerId, role: 'owner' });
  await recordAudit(db, { workspaceId: ws.id, actor: opts.actor, action: 'workspace.created', entityType: 'workspace', entityId: ws.id, after: ws });
  return ws;
}

export async function getWorkspace(db: Queryable, id: string): Promise<Workspace | undefined> {
  const [row] = await db.select().from(workspaces).where(and(eq(workspaces.id, id), isNull(workspaces.deletedAt))).limit(1);
  return row ? toWorkspace(row) : undefined;
}

export async function updateWorkspace(
  db: Queryable,
  opts: { workspaceId: string; actor: Actor; name?: string; timeZone?: string; currency?: string },
): Promise<Workspace> {
  const before = await getWorkspace(db, opts.workspaceId);
  if (!before) throw notFound('workspace');
  if (opts.timeZone !== undefined) validateTimeZone(opts.timeZone);
  if (opts.currency !== undefined && !/^[A-Z]{3}$/.test(opts.currency)) throw new AppError('invalid_input', 'currency: must be an ISO 4217 code such as KRW');
  const changes = {
    ...(opts.name !== undefined ? { name: validateName(opts.name) } : {}),
    ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}),
    ...(opts.currency !== undefined ? { currency: opts.currency } : {}),
  };
  // Nothing to change (an empty PATCH) is no update: Drizzle refuses an empty SET.
  if (Object.keys(changes).length === 0) return before;
  const [row] = await db.update(workspaces).set(changes).where(eq(workspaces.id, opts.workspaceId)).returning();
  const after = toWorkspace(row!);
  await recordAudit(db, { workspaceId: after.id, actor: opts.actor, action: 'workspace.updated', entityType: 'workspace', entityId: after.id, before, after });
  return after;
}

export async function listWorkspacesOfUser(db: Queryable, userId: string): Promise<(Workspace & { role: Role })[]> {
  const rows = await db
    .select({ ws: workspaces, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(memberships.userId, userId), isNull(workspaces.deletedAt)))
    .orderBy(asc(workspaces.createdAt));
  return rows.map((r) => ({ ...toWorkspace(r.ws), role: r.role as Role }));
}

/** The oldest workspace not deleted (the one first start creates and `rapport demo` fills), or null. */
export async function firstWorkspaceId(db: Queryable): Promise<string | null> {
  const [first] = await db.select({ id: workspaces.id }).from(workspaces).where(isNull(workspaces.deletedAt)).orderBy(asc(workspaces.createdAt)).limit(1);
  return first?.id ?? null;
}

export async function getMembershipRole(db: Queryable, workspaceId: string, userId: string): Promise<Role | undefined> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId), isNull(workspaces.deletedAt)))
    .limit(1);
  return row && isRole(row.role) ? row.role : undefined;
}

export async function listMembers(db: Queryable, workspaceId: string): Promise<Member[]> {
  const rows = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(memberships.createdAt));
  return rows.map((r) => ({ ...r, role: r.role as Role, joinedAt: r.joinedAt.toISOString() }));
}

async function countOwners(db: Queryable, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'owner')));
  return row?.n ?? 0;
}

/**
 * Adds a person to a workspace. An unknown e-mail creates the user, with the given password;
 * the caller shows that password once.
 */
export async function addMember(
  db: Queryable,
  opts: { workspaceId: string; actor: Actor; actorRole: Role; email: string; role: Role; name?: string; password?: string },
): Promise<Member> {
  if (!mayGrant(opts.actorRole, opts.role)) throw new AppError('forbidden', `role: a ${opts.actorRole} cannot grant the ${opts.role} role`);
  let user = await findUserByEmail(db, opts.email);
  if (!user) {
    if (!opts.password) throw new AppError('invalid_input', `password: ${opts.email} has no account yet, so a first password is required`);
    const created = await createUser(db, { email: opts.email, password: opts.password, name: opts.name });
    user = (await findUserByEmail(db, created.email))!;
  }
  const existing = await getMembershipRole(db, opts.workspaceId, user.id);
  if (existing) throw new AppError('conflict', `email: ${user.email} is already a member of this workspace`);
  const [row] = await db.insert(memberships).values({ workspaceId: opts.workspaceId, userId: user.id, role: opts.role }).returning();
  const member: Member = { userId: user.id, email: user.email, name: user.name, role: opts.role, joinedAt: row!.createdAt.toISOString() };
  await recordAudit(db, {
    workspaceId: opts.workspaceId,
    actor: opts.actor,
    action: 'member.added',
    entityType: 'member',
    entityId: user.id,
    after: { email: member.email, role: member.role },
  });
  return member;
}

export async function changeMemberRole(
  db: Queryable,
  opts: { workspaceId: string; actor: Actor; actorRole: Role; userId: string; role: Role },
): Promise<Member> {
  const current = await getMembershipRole(db, opts.workspaceId, opts.userId);
  if (!current) throw notFound('member');
  if (!mayGrant(opts.actorRole, opts.role)) throw new AppError('forbidden', `role: a ${opts.actorRole} cannot grant the ${opts.role} role`);
  if (current === 'owner' && opts.actorRole !== 'owner') throw new AppError('forbidden', 'only an owner can change the role of an owner');
  if (current === 'owner' && opts.role !== 'owner' && (await countOwners(db, opts.workspaceId)) <= 1) {
    throw new AppError('conflict', 'role: the workspace must keep at least one owner');
  }
  await db
    .update(memberships)
    .set({ role: opts.role })
    .where(and(eq(memberships.workspaceId, opts.workspaceId), eq(memberships.userId, opts.userId)));
  await recordAudit(db, {
    workspaceId: opts.workspaceId,
    actor: opts.actor,
    action: 'member.role_changed',
    entityType: 'member',
    entityId: opts.userId,
    before: { role: current },
    after: { role: opts.role },
  });
  const member = (await listMembers(db, opts.workspaceId)).find((m) => m.userId === opts.userId);
  return member!;
}

export async function removeMember(db: Queryable, opts: { workspaceId: string; actor: Actor; actorRole: Role; userId: string }): Promise<void> {
  const current = await getMembershipRole(db, opts.workspaceId, opts.userId);
  if (!current) throw notFound('member');
  if (current === 'owner' && opts.actorRole !== 'owner') throw new AppError('forbidden', 'only an owner can remove an owner');
  if (current === 'owner' && (await countOwners(db, opts.workspaceId)) <= 1) {
    throw new AppError('conflict', 'the workspace must keep at least one owner');
  }
  await db.delete(memberships).where(and(eq(memberships.workspaceId, opts.workspaceId), eq(memberships.userId, opts.userId)));
  await recordAudit(db, {
    workspaceId: opts.workspaceId,
    actor: opts.actor,
    action: 'member.removed',
    entityType: 'member',
    entityId: opts.userId,
    before: { role: current },
  });
}
