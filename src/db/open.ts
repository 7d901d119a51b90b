import type { Config } from '../config.ts';
import { openDatabase, type Database } from './connection.ts';

/** The database the configuration names: a PostgreSQL server when DATABASE_URL is set, else embedded PGlite in the data directory. */
export function openConfiguredDatabase(config: Config, opts: { max?: number } = {}): Promise<Database> {
  return config.databaseUrl
    ? openDatabase({ kind: 'postgres', url: config.databaseUrl, max: opts.max })
    : openDatabase({ kind: 'pglite', dataDir: config.dataDir });
}
