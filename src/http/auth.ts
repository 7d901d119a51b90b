// Authentication and authorisation for every request. A route states what it needs in
// `config.auth`; this hook enforces it, so no route can forget to check.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../workspaces/audit.ts';
import { resolveApiKey, touchApiKey, type ResolvedKey } from '../workspaces/api-keys.ts';
import { can, type Permission, type Role } from '../workspaces/roles.ts';
import { csrfTokenFor, resolveSessionCaller } from '../workspaces/sessions.ts';

export const SESSION_COOKIE = 'rapport_session';

/**
 * - `public`: no credentials (health, login, docs)
 * - `user`: a logged-in person, with or without a workspace chosen (me, workspace list)
 * - `any`: a logged-in person or a secret key
 * - a permission: a member or secret key of the active workspace whose role holds it
 */
export type RouteAuth = 'public' | 'user' | 'any' | Permission;

export type AuthContext = {
  actor: Actor;
  via: 'session' | 'api_key';
  userId: string | null;
  sessionToken: string | null;
  apiKey: ResolvedKey | null;
  workspaceId: string | null;
  role: Role | null;
};

/** What a workspace-scoped handler knows about its caller. */
export type Caller = { workspaceId: string; actor: Actor; role: Role; userId: string | null };

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function headerWorkspace(request: FastifyRequest): string | undefined {
  const raw = request.headers['x-workspace-id'];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value || !UUID.test(value)) throw new AppError('invalid_input', 'X-Workspace-Id: must be a workspace id (UUID)');
  return value.toLowerCase();
}

async function authenticate(database: Database, request: FastifyRequest): Promise<AuthContext> {
  const { db } = database;
  const header = request.headers.authorization;
  if (header) {
    const [scheme, key] = header.split(' ', 2);
    if (scheme?.toLowerCase() !== 'bearer' || !key) {
      throw new AppError('unauthenticated', 'Authorization: expected "Bearer rk_…" with a secret API key');
    }
    const apiKey = await resolveApiKey(db, key.trim());
    if (!apiKey) throw new AppError('unauthenticated', 'Authorization: the API key is unknown or revoked');
    if (apiKey.kind !== 'secret') {
      throw new AppError('forbidden', 'Authorization: a write key can only send events to /v1; use a secret key (rk_…) for the REST API');
    }
    const wanted = headerWorkspace(request);
    if (wanted && wanted !== apiKey.workspaceId) throw new AppError('forbidden', 'X-Workspace-Id: this API key belongs to another workspace');
    await touchApiKey(db, apiKey);
    return {
      actor: { type: 'api_key', id: apiKey.id, label: `key ${apiKey.name}` },
      via: 'api_key',
      userId: null,
      sessionToken: null,
      apiKey,
      workspaceId: apiKey.workspaceId,
      role: apiKey.role,
    };
  }

  const token = request.cookies[SESSION_COOKIE];
  if (!token) throw new AppError('unauthenticated', 'Not logged in: send the session cookie or an API key');
  const found = await resolveSessionCaller(db, token, headerWorkspace(request));
  if (!found) throw new AppError('unauthenticated', 'The session has expired or was ended: log in again');
  if (UNSAFE.has(request.method)) {
    const sent = request.headers['x-csrf-token'];
    if (sent !== csrfTokenFor(token)) throw new AppError('forbidden', 'X-CSRF-Token: missing or wrong for this session');
  }
  const { user, role } = found;
  if (!user) throw new AppError('unauthenticated', 'The user of this session no longer exists');
  // An explicit header for a workspace the user is not in is refused; a stale session choice is dropped.
  if (found.workspaceId && !role && request.headers['x-workspace-id']) throw new AppError('forbidden', 'X-Workspace-Id: you are not a member of this workspace');
  return {
    actor: { type: 'user', id: user.id, label: user.email },
    via: 'session',
    userId: user.id,
    sessionToken: token,
    apiKey: null,
    workspaceId: role ? found.workspaceId : null,
    role: role ?? null,
  };
}

export function authHook(database: Database) {
  return async function checkAuth(request: FastifyRequest, _reply: FastifyReply) {
    request.auth = null;
    if (request.is404) return; // the not-found handler answers
    const needed = request.routeOptions.config.auth;
    if (needed === undefined) {
      // Routes outside /api and /v1 (the UI's files, docs) are public; API routes must say what they need.
      if (request.url.startsWith('/api/')) throw new AppError('internal', `route ${request.routeOptions.url} declares no auth`);
      return;
    }
    if (needed === 'public') return;
    const auth = await authenticate(database, request);
    request.auth = auth;
    if (needed === 'user') {
      if (auth.via !== 'session') throw new AppError('forbidden', 'This endpoint needs a logged-in user, not an API key');
      return;
    }
    if (needed === 'any') return;
    if (!auth.workspaceId || !auth.role) throw new AppError('forbidden', 'No workspace selected: send X-Workspace-Id or choose one with PUT /api/me/workspace');
    if (!can(auth.role, needed)) throw new AppError('forbidden', `Your role (${auth.role}) does not allow ${needed}`);
  };
}

/** The caller of a workspace-scoped route (its hook already checked everything). */
export function caller(request: FastifyRequest): Caller {
  const auth = request.auth;
  if (!auth?.workspaceId || !auth.role) throw new AppError('forbidden', 'No workspace selected');
  return { workspaceId: auth.workspaceId, actor: auth.actor, role: auth.role, userId: auth.userId };
}
