// Applies the SQL migrations in ./drizzle (the same set on PGlite and PostgreSQL) and
// reports whether a database is up to date.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

type Journal = { entries: { idx: number; when: number; tag: string }[] };

function readJournal(): Journal {
  return JSON.parse(fs.readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as Journal;
}

// Any number: it only has to be the same in every Rapport process sharing a server.
const MIGRATION_LOCK = 7_261_070;

/** Takes the pool alone (not connection.ts's Database): opening a database may build the template, which migrates one. */
type Migratable = { pool: pg.Pool };

export async function runMigrations(database: Migratable): Promise<{ applied: number }> {
  const client = await database.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const before = await appliedCount(client);
      await migrate(drizzle({ client }), { migrationsFolder });
      return { applied: (await appliedCount(client)) - before };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

type Client = { query: (sql: string) => Promise<{ rows: Record<string, unknown>[] }> };

async function appliedCount(client: Client): Promise<number> {
  const exists = await client.query(`select to_regclass('drizzle.__drizzle_migrations') is not null as ok`);
  if (!exists.rows[0]?.ok) return 0;
  const { rows } = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
  return Number(rows[0]?.n ?? 0);
}

export type MigrationStatus = { current: boolean; applied: number; expected: number; latest: string | undefined };

export async function migrationStatus(database: Migratable): Promise<MigrationStatus> {
  const journal = readJournal();
  const client = await database.pool.connect();
  let applied = 0;
  let lastWhen = 0;
  try {
    applied = await appliedCount(client);
    if (applied > 0) {
      const { rows } = await client.query('select max(created_at) as w from drizzle.__drizzle_migrations');
      lastWhen = Number(rows[0]?.w ?? 0);
    }
  } finally {
    client.release();
  }
  const last = journal.entries.at(-1);
  return {
    current: last === undefined || (applied >= journal.entries.length && lastWhen >= last.when),
    applied,
    expected: journal.entries.length,
    latest: last?.tag,
  };
}
