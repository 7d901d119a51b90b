// HTTP routes of invitations: invite, list and withdraw (members.manage); look at, accept, or
// accept by creating the account (the link's holder). Tokens travel in bodies, never in URLs.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { acceptInvitation, createInvitation, invitationPath, listInvitations, previewInvitation, registerAndAccept, revokeInvitation } from './invitations.ts';
import { ROLES } from './roles.ts';
import { InvitationListSchema, InvitationPreviewSchema, JoinedSchema, NewInvitationSchema, OkSchema, SessionSchema } from './contract.ts';
import { setSessionWorkspace } from './sessions.ts';
import { sha256 } from './secrets.ts';
import { getUser, type User } from './users.ts';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Token = Type.String({ minLength: 20, maxLength: 100 });

type StartSession = (request: FastifyRequest, reply: FastifyReply, user: User, workspaceId?: string) => Promise<Static<typeof SessionSchema>>;

export async function registerInvitationRoutes(app: App, { database, config }: AppDeps, startSession: StartSession) {
  const { db } = database;
  const tags = ['members'];
  // The link's holder may try tokens; the login limit per address applies to them too.
  const limited = { rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute', allowList: () => false, keyGenerator: (r: FastifyRequest) => `invite:${r.ip}` } };
  const url = (token: string) => `${config.publicUrl ?? ''}${invitationPath(token)}`;

  app.get('/api/invitations', { config: { auth: 'members.manage' }, schema: { tags, summary: 'Invitations waiting to be accepted', response: { 200: InvitationListSchema } } }, async (request) => ({
    items: await listInvitations(db, caller(request).workspaceId),
  }));

  app.post(
    '/api/invitations',
    {
      config: { auth: 'members.manage' },
      schema: {
        tags,
        summary: 'Invite a person by e-mail with a role; the response holds the link to send them, shown this once',
        description: 'The answer is the same whether the e-mail has an account or not. The person becomes a member only by accepting.',
        body: Type.Object({ email: Type.String({ format: 'email', maxLength: 320 }), role: RoleSchema }, { additionalProperties: false }),
        response: { 201: NewInvitationSchema },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const { invitation, token } = await db.transaction((tx) =>
        createInvitation(tx, { workspaceId: c.workspaceId, actor: c.actor, actorRole: c.role, invitedBy: c.userId, ...request.body }),
      );
      return reply.status(201).send({ ...invitation, token, url: url(token) });
    },
  );

  app.delete(
    '/api/invitations/:id',
    { config: { auth: 'members.manage' }, schema: { tags, summary: 'Withdraw an invitation', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 200: OkSchema } } },
    async (request) => {
      const c = caller(request);
      await db.transaction((tx) => revokeInvitation(tx, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id }));
      return { ok: true };
    },
  );

  app.post(
    '/api/invitations/preview',
    {
      config: { auth: 'public', ...limited },
      schema: {
        tags,
        summary: 'What an invitation offers: workspace, role, e-mail',
        body: Type.Object({ token: Token }, { additionalProperties: false }),
        response: { 200: InvitationPreviewSchema },
      },
    },
    async (request) => previewInvitation(db, request.body.token),
  );

  app.post(
    '/api/invitations/accept',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Accept an invitation as the logged-in person (the invited e-mail)',
        body: Type.Object({ token: Token }, { additionalProperties: false }),
        response: { 200: JoinedSchema },
      },
    },
    async (request) => {
      const auth = request.auth!;
      const user = await getUser(db, auth.userId!);
      if (!user) throw new AppError('unauthenticated', 'The user of this session no longer exists');
      const joined = await db.transaction((tx) => acceptInvitation(tx, { token: request.body.token, user }));
      await setSessionWorkspace(db, sha256(auth.sessionToken!), joined.workspaceId);
      return joined;
    },
  );

  app.post(
    '/api/invitations/register',
    {
      config: { auth: 'public', ...limited },
      schema: {
        tags,
        summary: 'Accept an invitation by creating the account of the invited e-mail; logs in',
        body: Type.Object(
          { token: Token, password: Type.String({ minLength: 8, maxLength: 256 }), name: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: SessionSchema },
      },
    },
    async (request, reply) => {
      const joined = await db.transaction((tx) => registerAndAccept(tx, request.body));
      return startSession(request, reply, joined.user, joined.workspaceId);
    },
  );
}
