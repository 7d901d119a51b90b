// CLI commands for headless installs: create API keys and users.
import type { Database } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { createApiKey } from '../workspaces/api-keys.ts';
import { systemActor } from '../workspaces/audit.ts';
import { isRole } from '../workspaces/roles.ts';
import { addMember, getWorkspace } from '../workspaces/workspaces.ts';
import { workspaces } from '../workspaces/schema.ts';
import { asc, isNull } from 'drizzle-orm';

type Options = Record<string, string | undefined>;

export async function pickWorkspace(database: Database, id: string | undefined): Promise<string> {
  if (id) {
    if (!(await getWorkspace(database.db, id).catch(() => undefined))) throw new AppError('not_found', `--workspace: no workspace with id ${id}`);
    return id;
  }
  const [first] = await database.db.select({ id: workspaces.id }).from(workspaces).where(isNull(workspaces.deletedAt)).orderBy(asc(workspaces.createdAt)).limit(1);
  if (!first) throw new AppError('not_found', 'there is no workspace yet: start Rapport once (npm start) to create one');
  return first.id;
}

export async function createKeyCommand(database: Database, o: Options): Promise<string> {
  if (o.kind !== 'write' && o.kind !== 'secret') throw new AppError('invalid_input', '--kind: must be "write" or "secret"');
  if (o.role !== undefined && !isRole(o.role)) throw new AppError('invalid_input', `--role: "${o.role}" is not a role`);
  const workspaceId = await pickWorkspace(database, o.workspace);
  const { key } = await database.db.transaction((tx) =>
    createApiKey(tx, {
      workspaceId,
      actor: { type: 'system', label: 'cli' },
      actorRole: null,
      kind: o.kind as 'write' | 'secret',
      role: o.role as Parameters<typeof createApiKey>[1]['role'],
      name: o.name ?? `${o.kind} key (cli)`,
    }),
  );
  return key;
}

export async function createUserCommand(database: Database, o: Options): Promise<string> {
  if (!o.email) throw new AppError('invalid_input', '--email: is required');
  if (!o.role || !isRole(o.role)) throw new AppError('invalid_input', `--role: must be one of owner, admin, marketer, sales, support, analyst, viewer`);
  const workspaceId = await pickWorkspace(database, o.workspace);
  const member = await database.db.transaction((tx) =>
    addMember(tx, { workspaceId, actor: systemActor, actorRole: 'owner', email: o.email!, role: o.role as 'owner', name: o.name, password: o.password }),
  );
  return `${member.email} is now ${member.role} of workspace ${workspaceId}`;
}
