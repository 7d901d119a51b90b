// Integration-test helpers: every test file runs on embedded PGlite, and also on the
// PostgreSQL server named by TEST_DATABASE_URL when it is set. Each test makes its own
// workspace, so tests never see each other's data even on a shared server database.
import { afterAll, beforeAll, describe } from 'vitest';
import '../areas.ts';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase, type Database } from './connection.ts';
import { runMigrations } from './migrate.ts';
import { randomString } from '../workspaces/secrets.ts';
import { createUser, type User } from '../workspaces/users.ts';
import { addMember, createWorkspace, type Workspace } from '../workspaces/workspaces.ts';
import { systemActor } from '../workspaces/audit.ts';
import type { Role } from '../workspaces/roles.ts';

export type Backend = { name: 'pglite' | 'postgres'; open: () => Promise<Database> };

export function testBackends(): Backend[] {
  const list: Backend[] = [{ name: 'pglite', open: () => openDatabase({ kind: 'pglite', dataDir: null }) }];
  const url = process.env.TEST_DATABASE_URL;
  if (url) list.push({ name: 'postgres', open: () => openDatabase({ kind: 'postgres', url, max: 5 }) });
  return list;
}

/**
 * Runs `body` once per database backend. `body` receives a getter for the open, migrated
 * database of that backend.
 */
export function describeEachDb(name: string, body: (db: () => Database, backend: Backend['name']) => void): void {
  for (const backend of testBackends()) {
    describe(`${name} [${backend.name}]`, () => {
      let database: Database | undefined;
      beforeAll(async () => {
        database = await backend.open();
        await runMigrations(database);
      }, 60_000);
      afterAll(async () => {
        await database?.close();
      });
      body(() => {
        if (!database) throw new Error('database not open yet: use it inside a test or hook');
        return database;
      }, backend.name);
    });
  }
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ RAPPORT_DEMO: '0', LOG_LEVEL: 'silent', RAPPORT_WORKER: '0', ...overrides });
}

export const TEST_PASSWORD = 'correct horse battery';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomString(10).toLowerCase()}@test.rapport.local`;
}

export type TestWorkspace = { workspace: Workspace; owner: User; password: string };

/** A fresh workspace with an owner (password TEST_PASSWORD). */
export async function createTestWorkspace(database: Database, name = 'Test workspace'): Promise<TestWorkspace> {
  return database.db.transaction(async (tx) => {
    const owner = await createUser(tx, { email: uniqueEmail('owner'), password: TEST_PASSWORD, name: 'Owner' });
    const workspace = await createWorkspace(tx, { name, ownerId: owner.id, actor: systemActor });
    return { workspace, owner, password: TEST_PASSWORD };
  });
}

/** Adds a new person with `role` to the workspace (password TEST_PASSWORD). */
export async function addTestMember(database: Database, workspaceId: string, role: Role): Promise<User> {
  const email = uniqueEmail(role);
  const member = await database.db.transaction((tx) =>
    addMember(tx, { workspaceId, actor: systemActor, actorRole: 'owner', email, role, password: TEST_PASSWORD }),
  );
  return { id: member.userId, email: member.email, name: member.name, locale: null, createdAt: member.joinedAt };
}
