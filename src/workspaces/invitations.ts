// People join a workspace by invitation: a member who may manage members invites an e-mail with
// a role, and the person who holds the link accepts it, logged in as that e-mail or by creating
// the account. Inviting says nothing about whether the e-mail has an account, and nobody becomes
// a member (let alone an owner) without accepting.
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { clock } from '../clock.ts';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError, notFound } from '../errors.ts';
import { recordAudit, type Actor } from './audit.ts';
import { isRole, mayGrant, type Role } from './roles.ts';
import { invitations, memberships, users, workspaces } from './schema.ts';
import { randomString, sha256 } from './secrets.ts';
import { createUser, EMAIL_PATTERN, findUserByEmail, type User } from './users.ts';
import { getMembershipRole } from './workspaces.ts';

export const INVITATION_DAYS = 7;

export type Invitation = { id: string; email: string; role: Role; invitedBy: string | null; createdAt: string; expiresAt: string };
/** What the link's holder sees before accepting. */
export type InvitationPreview = { workspaceName: string; email: string; role: Role; invitedBy: string | null; expiresAt: string };

const INVALID = 'This invitation is not valid: it was used or withdrawn, or it has expired';

function toInvitation(row: typeof invitations.$inferSelect): Invitation {
  return { id: row.id, email: row.email, role: row.role as Role, invitedBy: row.invitedBy, createdAt: row.createdAt.toISOString(), expiresAt: row.expiresAt.toISOString() };
}

/** The path of the accept page; the token sits in the fragment, which browsers never send. */
export function invitationPath(token: string): string {
  return `/invite#${token}`;
}

/**
 * Invites `email` with `role`. The answer is the same whether the e-mail has an account or not;
 * an earlier pending invitation of the same e-mail is replaced. The token is returned once.
 */
export async function createInvitation(
  db: Queryable,
  opts: { workspaceId: string; actor: Actor; actorRole: Role; invitedBy: string | null; email: string; role: Role },
): Promise<{ invitation: Invitation; token: string }> {
  const email = opts.email.trim().toLowerCase();
  if (!EMAIL_PATTERN.test(email)) throw new AppError('invalid_input', `email: "${opts.email}" is not an e-mail address`);
  if (!mayGrant(opts.actorRole, opts.role)) throw new AppError('forbidden', `role: a ${opts.actorRole} cannot grant the ${opts.role} role`);
  const existing = await findUserByEmail(db, email);
  if (existing && (await getMembershipRole(db, opts.workspaceId, existing.id))) {
    // Only members are told, and they can read the member list anyway.
    throw new AppError('conflict', `email: ${email} is already a member of this workspace`);
  }
  const now = clock.now();
  await db
    .update(invitations)
    .set({ revokedAt: now })
    .where(and(eq(invitations.workspaceId, opts.workspaceId), eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
  const token = randomString(43);
  const [row] = await db
    .insert(invitations)
    .values({
      workspaceId: opts.workspaceId,
      id: uuidv7(),
      email,
      role: opts.role,
      tokenHash: sha256(token),
      invitedBy: opts.invitedBy,
      createdAt: now,
      expiresAt: new Date(now.getTime() + INVITATION_DAYS * 86_400_000),
    })
    .returning();
  const invitation = toInvitation(row!);
  await recordAudit(db, {
    workspaceId: opts.workspaceId,
    actor: opts.actor,
    action: 'member.invited',
    entityType: 'invitation',
    entityId: invitation.id,
    after: { email, role: opts.role },
  });
  return { invitation, token };
}

/** Invitations not yet accepted, withdrawn or expired. */
export async function listInvitations(db: Queryable, workspaceId: string): Promise<Invitation[]> {
  const rows = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, clock.now())))
    .orderBy(asc(invitations.createdAt));
  return rows.map(toInvitation);
}

export async function revokeInvitation(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string }): Promise<void> {
  const rows = await db
    .update(invitations)
    .set({ revokedAt: clock.now() })
    .where(and(eq(invitations.workspaceId, opts.workspaceId), eq(invitations.id, opts.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .returning();
  if (rows.length === 0) throw notFound('invitation');
  await recordAudit(db, {
    workspaceId: opts.workspaceId,
    actor: opts.actor,
    action: 'member.invitation_withdrawn',
    entityType: 'invitation',
    entityId: opts.id,
    before: { email: rows[0]!.email, role: rows[0]!.role },
  });
}

async function pendingByToken(db: Queryable, token: string) {
  const [found] = await db
    .select({ invitation: invitations, workspaceName: workspaces.name })
    .from(invitations)
    .innerJoin(workspaces, and(eq(workspaces.id, invitations.workspaceId), isNull(workspaces.deletedAt)))
    .where(and(eq(invitations.tokenHash, sha256(token)), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, clock.now())))
    .limit(1);
  if (!found || !isRole(found.invitation.role)) throw new AppError('not_found', INVALID);
  return found;
}

/** What the invitation offers, for the accept page. Says nothing about accounts. */
export async function previewInvitation(db: Queryable, token: string): Promise<InvitationPreview> {
  const { invitation, workspaceName } = await pendingByToken(db, token);
  let invitedBy: string | null = null;
  if (invitation.invitedBy) {
    const [inviter] = await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, invitation.invitedBy)).limit(1);
    invitedBy = inviter ? inviter.name || inviter.email : null;
  }
  return { workspaceName, email: invitation.email, role: invitation.role as Role, invitedBy, expiresAt: invitation.expiresAt.toISOString() };
}

/** The logged-in person accepts: they must be the invited e-mail. */
export async function acceptInvitation(db: Queryable, opts: { token: string; user: { id: string; email: string } }): Promise<{ workspaceId: string; role: Role }> {
  const { invitation } = await pendingByToken(db, opts.token);
  if (invitation.email !== opts.user.email.trim().toLowerCase()) {
    throw new AppError('forbidden', `token: this invitation is for ${invitation.email}; log in as that person to accept it`);
  }
  const role = invitation.role as Role;
  const current = await getMembershipRole(db, invitation.workspaceId, opts.user.id);
  const now = clock.now();
  await db
    .update(invitations)
    .set({ acceptedAt: now, acceptedBy: opts.user.id })
    .where(and(eq(invitations.workspaceId, invitation.workspaceId), eq(invitations.id, invitation.id)));
  if (current) return { workspaceId: invitation.workspaceId, role: current };
  await db.insert(memberships).values({ workspaceId: invitation.workspaceId, userId: opts.user.id, role, createdAt: now });
  await recordAudit(db, {
    workspaceId: invitation.workspaceId,
    actor: { type: 'user', id: opts.user.id, label: opts.user.email },
    action: 'member.added',
    entityType: 'member',
    entityId: opts.user.id,
    after: { email: invitation.email, role, invitation: invitation.id },
  });
  return { workspaceId: invitation.workspaceId, role };
}

/**
 * Someone without an account accepts by creating it with the invited e-mail. When the e-mail
 * already has an account, they are asked to log in instead (only the link's holder learns it).
 */
export async function registerAndAccept(
  db: Queryable,
  opts: { token: string; password: string; name?: string },
): Promise<{ user: User; workspaceId: string; role: Role }> {
  const { invitation } = await pendingByToken(db, opts.token);
  if (await findUserByEmail(db, invitation.email)) {
    throw new AppError('conflict', `email: ${invitation.email} already has an account: log in, then accept the invitation`);
  }
  const user = await createUser(db, { email: invitation.email, password: opts.password, name: opts.name });
  const joined = await acceptInvitation(db, { token: opts.token, user });
  return { user, ...joined };
}
