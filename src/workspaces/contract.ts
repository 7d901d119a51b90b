// Response schemas of the workspaces area (login, me, workspaces, members, invitations, API keys,
// audit log) and of /api/health, for the OpenAPI document (and the fuzz run that checks answers
// against it). Objects keep fields they do not name (additionalProperties): a field another
// change adds is sent, not dropped by the serialiser.
import { Type } from 'typebox';
import { ROLES, type Role } from './roles.ts';

const Text = Type.Union([Type.String(), Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const MaybeTime = Type.Union([Time, Type.Null()]);
const Uuid = Type.String({ format: 'uuid' });
const RoleName = Type.Unsafe<Role>({ type: 'string', enum: [...ROLES] });
// A role that may be missing: the OpenAPI document says nullable, which an enum without null would contradict.
const MaybeRole = Type.Union([Type.Unsafe<Role>({ type: 'string', description: ROLES.join(', ') }), Type.Null()]);
const open = { additionalProperties: true };

export const OkSchema = Type.Object({ ok: Type.Boolean() }, open);

export const WorkspaceSchema = Type.Object({ id: Uuid, name: Type.String(), timeZone: Type.String(), currency: Type.String(), createdAt: Time }, open);

/** A workspace with the caller's role in it. */
export const MyWorkspaceSchema = Type.Object({ ...WorkspaceSchema.properties, role: RoleName }, open);

export const WorkspaceListSchema = Type.Object({ items: Type.Array(MyWorkspaceSchema) }, open);

export const UserSchema = Type.Object({ id: Uuid, email: Type.String(), name: Type.String(), locale: Text, createdAt: Time }, open);

/** The answer of logging in (POST /api/auth/login, POST /api/invitations/register). */
export const SessionSchema = Type.Object(
  {
    user: UserSchema,
    workspaces: Type.Array(MyWorkspaceSchema),
    currentWorkspaceId: Type.Union([Uuid, Type.Null()]),
    csrfToken: Type.String({ description: 'Send as X-CSRF-Token with requests that change something' }),
  },
  open,
);

export const MeSchema = Type.Object(
  {
    user: Type.Optional(UserSchema),
    workspaces: Type.Optional(Type.Array(MyWorkspaceSchema)),
    apiKey: Type.Optional(Type.Object({ id: Uuid, name: Type.String(), kind: Type.String() }, open)),
    workspace: Type.Optional(Type.Union([WorkspaceSchema, Type.Null()])),
    role: Type.Optional(MaybeRole),
    permissions: Type.Array(Type.String()),
    csrfToken: Type.Optional(Type.String()),
  },
  { ...open, description: 'A session has user, workspaces and csrfToken; an API key has apiKey' },
);

export const CurrentWorkspaceSchema = Type.Object({ workspace: Type.Optional(WorkspaceSchema), role: RoleName }, open);

export const MemberSchema = Type.Object({ userId: Uuid, email: Type.String(), name: Type.String(), role: RoleName, joinedAt: Time }, open);

export const MemberListSchema = Type.Object({ items: Type.Array(MemberSchema) }, open);

export const InvitationSchema = Type.Object(
  { id: Uuid, email: Type.String(), role: RoleName, invitedBy: Type.Union([Uuid, Type.Null()]), createdAt: Time, expiresAt: Time },
  open,
);

export const InvitationListSchema = Type.Object({ items: Type.Array(InvitationSchema) }, open);

/** A new invitation with its token and link, shown this once. */
export const NewInvitationSchema = Type.Object({ ...InvitationSchema.properties, token: Type.String(), url: Type.String() }, open);

export const InvitationPreviewSchema = Type.Object(
  { workspaceName: Type.String(), email: Type.String(), role: RoleName, invitedBy: Type.Union([Type.String(), Type.Null()], { description: "The inviter's name or e-mail" }), expiresAt: Time },
  open,
);

export const JoinedSchema = Type.Object({ workspaceId: Uuid, role: RoleName }, open);

export const ApiKeySchema = Type.Object(
  {
    id: Uuid,
    kind: Type.Union([Type.Literal('secret'), Type.Literal('write')]),
    role: MaybeRole,
    name: Type.String(),
    prefix: Type.String(),
    createdAt: Time,
    lastUsedAt: MaybeTime,
    revokedAt: MaybeTime,
  },
  open,
);

export const ApiKeyListSchema = Type.Object({ items: Type.Array(ApiKeySchema) }, open);

/** A new API key with the key itself, shown this once. */
export const NewApiKeySchema = Type.Object({ ...ApiKeySchema.properties, key: Type.String() }, open);

export const AuditPageSchema = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          id: Uuid,
          at: Time,
          actor: Type.Object({ type: Type.String(), id: Text, label: Text }, open),
          action: Type.String(),
          entityType: Type.String(),
          entityId: Text,
          before: Type.Unknown(),
          after: Type.Unknown(),
          diff: Type.Unknown(),
        },
        open,
      ),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Older entries: pass as cursor' }),
  },
  open,
);

const Migrations = Type.Object({ current: Type.Boolean(), applied: Type.Integer(), expected: Type.Integer(), latest: Type.Optional(Type.String()) }, open);

export const HealthSchema = Type.Object(
  {
    status: Type.String({ description: 'ok, migrations_pending or unavailable' }),
    database: Type.Object(
      {
        kind: Type.String(),
        reachable: Type.Boolean(),
        busyForMs: Type.Optional(Type.Integer({ description: 'The embedded database is busy with a long query' })),
        error: Type.Optional(Type.String()),
      },
      open,
    ),
    migrations: Type.Optional(Migrations),
  },
  open,
);
