// First start: on an empty database, create a workspace and its owner.
import { count } from 'drizzle-orm';
import type { Db } from '../db/connection.ts';
import { systemActor } from './audit.ts';
import { users } from './schema.ts';
import { generatePassword } from './secrets.ts';
import { createUser } from './users.ts';
import { createWorkspace, type Workspace } from './workspaces.ts';

export type FirstStart = { email: string; password: string; passwordGenerated: boolean; workspace: Workspace };

export async function ensureFirstWorkspace(
  db: Db,
  opts: { adminEmail?: string; adminPassword?: string; workspaceName: string },
): Promise<FirstStart | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ n: count() }).from(users);
    if ((row?.n ?? 0) > 0) return undefined;
    const password = opts.adminPassword ?? generatePassword();
    const user = await createUser(tx, { email: opts.adminEmail ?? 'admin@rapport.local', password, name: 'Admin' });
    const workspace = await createWorkspace(tx, { name: opts.workspaceName, ownerId: user.id, actor: systemActor });
    return { email: user.email, password, passwordGenerated: !opts.adminPassword, workspace };
  });
}
