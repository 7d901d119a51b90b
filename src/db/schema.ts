// All tables, gathered for Drizzle's typed queries. Each area owns its own schema file.
import * as workspaces from '../workspaces/schema.ts';
import * as worker from '../worker/schema.ts';
import * as customers from '../customers/schema.ts';
import * as events from '../events/schema.ts';
import * as commerce from '../commerce/schema.ts';
import * as sales from '../sales/schema.ts';
import * as analytics from '../analytics/schema.ts';
import * as segments from '../segments/schema.ts';

export const schema = { ...workspaces, ...worker, ...customers, ...events, ...commerce, ...sales, ...analytics, ...segments };
