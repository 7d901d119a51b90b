// All tables, gathered for Drizzle's typed queries. Each area owns its own schema file.
import * as workspaces from '../workspaces/schema.ts';
import * as worker from '../worker/schema.ts';

export const schema = { ...workspaces, ...worker };
