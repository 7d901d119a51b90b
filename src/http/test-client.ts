// HTTP test helpers: an in-process app and clients that call it as a logged-in person or with an API key.
import type { Database } from '../db/connection.ts';
import { addTestMember, createTestWorkspace, TEST_PASSWORD, testConfig, type TestWorkspace } from '../db/test-helpers.ts';
import { ROLES, type Role } from '../workspaces/roles.ts';
import { buildApp } from './app.ts';
import type { App } from './deps.ts';

export async function createTestApp(database: Database, env: Record<string, string> = {}): Promise<App> {
  // Tests log in many times from one address: the login limit is tested on its own with a low value.
  const app = await buildApp({ database, config: testConfig({ RAPPORT_LOGIN_RATE_LIMIT: '10000', ...env }) }, { logger: false });
  await app.ready();
  return app;
}

export type TestResponse = { status: number; body: any; headers: Record<string, unknown> };
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Client = {
  request(method: Method, url: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  get(url: string, headers?: Record<string, string>): Promise<TestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  patch(url: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  put(url: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  delete(url: string, headers?: Record<string, string>): Promise<TestResponse>;
};

function parse(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}

export function makeClient(app: App, baseHeaders: Record<string, string>): Client {
  const request = async (method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: { ...baseHeaders, ...headers },
      ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }),
    });
    return { status: res.statusCode, body: parse(res.payload), headers: res.headers };
  };
  return {
    request,
    get: (url, headers) => request('GET', url, undefined, headers),
    post: (url, body, headers) => request('POST', url, body ?? {}, headers),
    patch: (url, body, headers) => request('PATCH', url, body ?? {}, headers),
    put: (url, body, headers) => request('PUT', url, body ?? {}, headers),
    delete: (url, headers) => request('DELETE', url, undefined, headers),
  };
}

/** Logs in and returns a client that sends the session cookie and CSRF token. */
export async function loginClient(app: App, email: string, password: string, workspaceId?: string): Promise<Client> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed for ${email}: ${res.statusCode} ${res.payload}`);
  const cookie = res.cookies.find((c) => c.name === 'rapport_session');
  if (!cookie) throw new Error('login set no session cookie');
  const csrf = (JSON.parse(res.payload) as { csrfToken: string }).csrfToken;
  return makeClient(app, {
    cookie: `rapport_session=${cookie.value}`,
    'x-csrf-token': csrf,
    ...(workspaceId ? { 'x-workspace-id': workspaceId } : {}),
  });
}

export function keyClient(app: App, key: string): Client {
  return makeClient(app, { authorization: `Bearer ${key}` });
}

/** A logged-in client for every role in the workspace: its owner, and a new member for each other role. */
export async function roleClients(app: App, database: Database, shop: TestWorkspace, owner?: Client): Promise<Record<Role, Client>> {
  const as = { owner: owner ?? (await loginClient(app, shop.owner.email, TEST_PASSWORD)) } as Record<Role, Client>;
  for (const role of ROLES.filter((r) => r !== 'owner')) {
    const user = await addTestMember(database, shop.workspace.id, role);
    as[role] = await loginClient(app, user.email, TEST_PASSWORD, shop.workspace.id);
  }
  return as;
}

export type TwoShops = { app: App; a: TestWorkspace; b: TestWorkspace; ownerA: Client; ownerB: Client; as: Record<Role, Client> };

/**
 * What the role and isolation tests of an area start from: an app, two workspaces with their
 * owners logged in, and a logged-in client of workspace A for every role.
 */
export async function createTwoShops(database: Database, opts: { env?: Record<string, string>; names?: [string, string] } = {}): Promise<TwoShops> {
  const [nameA, nameB] = opts.names ?? ['Shop A', 'Shop B'];
  const app = await createTestApp(database, opts.env);
  const a = await createTestWorkspace(database, nameA);
  const b = await createTestWorkspace(database, nameB);
  const ownerA = await loginClient(app, a.owner.email, TEST_PASSWORD);
  const ownerB = await loginClient(app, b.owner.email, TEST_PASSWORD);
  return { app, a, b, ownerA, ownerB, as: await roleClients(app, database, a, ownerA) };
}
