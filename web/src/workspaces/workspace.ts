// A workspace as the API returns it. Apart from api.ts, whose hooks read the session, so that the
// session (auth/session.ts) can name it without the two importing each other.
import type { Role } from './roles.ts';

export type Workspace = { id: string; name: string; timeZone: string; currency: string; createdAt: string };
export type WorkspaceWithRole = Workspace & { role: Role };
