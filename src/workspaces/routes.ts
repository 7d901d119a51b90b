// HTTP routes of the workspaces area: login, me, workspaces, members, API keys, audit log.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App, AppDeps } from '../http/deps.ts';
import { caller, SESSION_COOKIE } from '../http/auth.ts';

import { AppError } from '../errors.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';
import { listAudit } from './audit.ts';
import { chargeLoginAttempt, clearLoginFailures, rememberDevice, slowedDown, throttleKey } from './login-throttle.ts';
import { permissionsOf, ROLES } from './roles.ts';
import { sha256 } from './secrets.ts';
import { createSession, csrfTokenFor, deleteSession, setSessionWorkspace } from './sessions.ts';
import { authenticate, getUser, type User } from './users.ts';
import { registerInvitationRoutes } from './invitation-routes.ts';
import {
  ApiKeyListSchema,
  ApiKeySchema,
  AuditPageSchema,
  CurrentWorkspaceSchema,
  MemberListSchema,
  MemberSchema,
  MeSchema,
  MyWorkspaceSchema,
  NewApiKeySchema,
  OkSchema,
  SessionSchema,
  WorkspaceListSchema,
  WorkspaceSchema,
} from './contract.ts';
import {
  changeMemberRole,
  createWorkspace,
  getMembershipRole,
  getWorkspace,
  listMembers,
  listWorkspacesOfUser,
  removeMember,
  updateWorkspace,
} from './workspaces.ts';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Uuid = Type.String({ format: 'uuid' });
/** Marks a browser that logged in to an account before (see login-throttle.ts). */
const DEVICE_COOKIE = 'rapport_device';


export async function registerWorkspaceRoutes(app: App, { database, config }: AppDeps) {
  const { db } = database;

  function setSessionCookie(reply: FastifyReply, token: string, expires: Date) {
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, path: '/', expires });
  }

  /** Logs `user` in: the session cookie, this browser remembered, the login response. */
  async function startSession(request: FastifyRequest, reply: FastifyReply, user: User, workspaceId?: string) {
    const device = await rememberDevice(db, { userId: user.id, deviceToken: request.cookies[DEVICE_COOKIE] });
    reply.setCookie(DEVICE_COOKIE, device, { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, path: '/api/auth', maxAge: 365 * 86_400 });
    const workspaces = await listWorkspacesOfUser(db, user.id);
    const { token, session } = await createSession(db, {
      userId: user.id,
      workspaceId: workspaceId ?? workspaces[0]?.id ?? null,
      days: config.sessionDays,
      userAgent: request.headers['user-agent'],
      ip: request.ip,
    });
    setSessionCookie(reply, token, session.expiresAt);
    return { user, workspaces, currentWorkspaceId: session.currentWorkspaceId, csrfToken: csrfTokenFor(token) };
  }

  app.post(
    '/api/auth/login',
    {
      config: { auth: 'public', rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute', allowList: () => false, keyGenerator: (r) => `login:${r.ip}` } },
      schema: {
        tags: ['auth'],
        summary: 'Log in with e-mail and password; sets the session cookie',
        body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        response: { 200: SessionSchema },
      },
    },
    async (request, reply) => {
      const deviceToken = request.cookies[DEVICE_COOKIE];
      const throttle = await throttleKey(db, { email: request.body.email, deviceToken });
      const wait = await chargeLoginAttempt(db, throttle);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw slowedDown(wait);
      }
      const user = await authenticate(db, request.body.email, request.body.password);
      if (!user) throw new AppError('unauthenticated', 'E-mail or password is wrong');
      await clearLoginFailures(db, { email: request.body.email, key: throttle });
      return startSession(request, reply, user);
    },
  );

  app.post('/api/auth/logout', { config: { auth: 'user' }, schema: { tags: ['auth'], summary: 'End the session', response: { 200: OkSchema } } }, async (request, reply) => {
    await deleteSession(db, request.auth!.sessionToken!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/api/me', { config: { auth: 'any' }, schema: { tags: ['auth'], summary: 'Who is calling, in which workspace, with which role', response: { 200: MeSchema } } }, async (request) => {
    const auth = request.auth!;
    const workspace = auth.workspaceId ? await getWorkspace(db, auth.workspaceId) : undefined;
    if (auth.via === 'api_key') {
      return {
        apiKey: { id: auth.apiKey!.id, name: auth.apiKey!.name, kind: auth.apiKey!.kind },
        workspace,
        role: auth.role,
        permissions: auth.role ? permissionsOf(auth.role) : [],
      };
    }
    return {
      user: await getUser(db, auth.userId!),
      workspaces: await listWorkspacesOfUser(db, auth.userId!),
      workspace: workspace ?? null,
      role: auth.role,
      permissions: auth.role ? permissionsOf(auth.role) : [],
      csrfToken: csrfTokenFor(auth.sessionToken!),
    };
  });

  app.put(
    '/api/me/workspace',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['auth'],
        summary: "Choose the session's current workspace",
        body: Type.Object({ workspaceId: Uuid }, { additionalProperties: false }),
        response: { 200: CurrentWorkspaceSchema },
      },
    },
    async (request) => {
      const auth = request.auth!;
      const role = await getMembershipRole(db, request.body.workspaceId, auth.userId!);
      if (!role) throw new AppError('forbidden', 'workspaceId: you are not a member of this workspace');
      await setSessionWorkspace(db, sha256(auth.sessionToken!), request.body.workspaceId);
      return { workspace: await getWorkspace(db, request.body.workspaceId), role };
    },
  );

  app.get('/api/workspaces', { config: { auth: 'user' }, schema: { tags: ['workspaces'], summary: 'Workspaces you belong to', response: { 200: WorkspaceListSchema } } }, async (request) => ({
    items: await listWorkspacesOfUser(db, request.auth!.userId!),
  }));

  app.post(
    '/api/workspaces',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['workspaces'],
        summary: 'Create a workspace; you become its owner',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200 }), timeZone: Type.Optional(Type.String({ maxLength: 64 })), currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })) },
          { additionalProperties: false },
        ),
        response: { 201: MyWorkspaceSchema },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      const ws = await db.transaction((tx) => createWorkspace(tx, { ...request.body, ownerId: auth.userId!, actor: auth.actor }));
      return reply.status(201).send({ ...ws, role: 'owner' });
    },
  );

  app.get('/api/workspace', { config: { auth: 'workspace.read' }, schema: { tags: ['workspaces'], summary: 'The active workspace', response: { 200: WorkspaceSchema } } }, async (request) =>
    getWorkspace(db, caller(request).workspaceId),
  );

  app.patch(
    '/api/workspace',
    {
      config: { auth: 'workspace.manage' },
      schema: {
        tags: ['workspaces'],
        summary: 'Change the active workspace',
        body: Type.Object(
          { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), timeZone: Type.Optional(Type.String({ maxLength: 64 })), currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })) },
          { additionalProperties: false },
        ),
        response: { 200: WorkspaceSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      return db.transaction((tx) => updateWorkspace(tx, { workspaceId: c.workspaceId, actor: c.actor, ...request.body }));
    },
  );

  app.get('/api/members', { config: { auth: 'members.read' }, schema: { tags: ['members'], summary: 'Members of the workspace and their roles', response: { 200: MemberListSchema } } }, async (request) => ({
    items: await listMembers(db, caller(request).workspaceId),
  }));

  // People are added by invitation only (invitation-routes.ts): adding an existing account
  // directly told who had one and made people members, even owners, without asking them.
  await registerInvitationRoutes(app, { database, config }, startSession);

  app.patch(
    '/api/members/:userId',
    {
      config: { auth: 'members.manage' },
      schema: {
        tags: ['members'],
        summary: "Change a member's role",
        params: Type.Object({ userId: Uuid }),
        body: Type.Object({ role: RoleSchema }, { additionalProperties: false }),
        response: { 200: MemberSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      return db.transaction((tx) =>
        changeMemberRole(tx, { workspaceId: c.workspaceId, actor: c.actor, actorRole: c.role, userId: request.params.userId, role: request.body.role }),
      );
    },
  );

  app.delete(
    '/api/members/:userId',
    { config: { auth: 'members.manage' }, schema: { tags: ['members'], summary: 'Remove a member', params: Type.Object({ userId: Uuid }), response: { 200: OkSchema } } },
    async (request) => {
      const c = caller(request);
      await db.transaction((tx) => removeMember(tx, { workspaceId: c.workspaceId, actor: c.actor, actorRole: c.role, userId: request.params.userId }));
      return { ok: true };
    },
  );

  app.get('/api/keys', { config: { auth: 'keys.manage' }, schema: { tags: ['api keys'], summary: 'API keys of the workspace (never the keys themselves)', response: { 200: ApiKeyListSchema } } }, async (request) => ({
    items: await listApiKeys(db, caller(request).workspaceId),
  }));

  app.post(
    '/api/keys',
    {
      config: { auth: 'keys.manage' },
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key; the response holds the key, shown this once',
        body: Type.Object(
          { kind: Type.Union([Type.Literal('secret'), Type.Literal('write')]), role: Type.Optional(RoleSchema), name: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 201: NewApiKeySchema },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const { key, apiKey } = await db.transaction((tx) =>
        createApiKey(tx, { workspaceId: c.workspaceId, actor: c.actor, actorRole: c.role, createdBy: c.userId ?? undefined, ...request.body }),
      );
      return reply.status(201).send({ ...apiKey, key });
    },
  );

  app.delete(
    '/api/keys/:id',
    { config: { auth: 'keys.manage' }, schema: { tags: ['api keys'], summary: 'Revoke an API key', params: Type.Object({ id: Uuid }), response: { 200: ApiKeySchema } } },
    async (request) => {
      const c = caller(request);
      return db.transaction((tx) => revokeApiKey(tx, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id }));
    },
  );

  app.get(
    '/api/audit',
    {
      config: { auth: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'Who changed what, newest first',
        querystring: Type.Object(
          {
            entityType: Type.Optional(Type.String({ maxLength: 100 })),
            entityId: Type.Optional(Type.String({ maxLength: 200 })),
            action: Type.Optional(Type.String({ maxLength: 100 })),
            cursor: Type.Optional(Uuid),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: AuditPageSchema },
      },
    },
    async (request) => {
      const q = request.query;
      return listAudit(db, {
        workspaceId: caller(request).workspaceId,
        entityType: q.entityType,
        entityId: q.entityId,
        action: q.action,
        before: q.cursor,
        limit: q.limit ?? 50,
      });
    },
  );
}
