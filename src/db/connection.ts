// Opens the database: embedded PGlite (in a worker thread, reached over a private Unix
// socket) or a PostgreSQL server. Both are driven by the same `pg` driver and Drizzle,
// so queries, type parsing and transactions behave the same way on both.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { lockDataDir } from './data-dir-lock.ts';
import { unpackTemplate, usableTemplate } from './pglite-template.ts';
import { schema } from './schema.ts';

export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything a query can run on: the database or an open transaction. */
export type Queryable = Db | Tx;

export type Database = {
  db: Db;
  pool: pg.Pool;
  kind: 'pglite' | 'postgres';
  /** True while every connection is checked out (PGlite: a query is running). */
  busySince(): number | undefined;
  close(): Promise<void>;
};

export { DatabaseInUseError } from './data-dir-lock.ts';

// int8 (counts, sums, money in minor units) and numeric come back as JS numbers on both
// databases. Set on pg's global parsers because Drizzle passes its own per-query parser that
// falls back to them.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value: string) => Number(value));

export type OpenOptions =
  | { kind: 'postgres'; url: string; max?: number }
  /**
   * `dataDir` null keeps the database in memory (tests). `dumpTo` saves the data directory as a
   * tarball there on close (how the start-up template is made).
   */
  | { kind: 'pglite'; dataDir: string | null; dumpTo?: string; lockWaitMs?: number };

/** Makes the data directory (if need be) and claims it for this process (see data-dir-lock.ts). */
async function claimDataDir(dataDir: string, waitMs: number | undefined): Promise<() => void> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The database files hold personal data: only Rapport's user may enter (older versions made it 0755).
  const st = fs.statSync(dataDir);
  if (st.mode & 0o077 && st.uid === process.getuid?.()) fs.chmodSync(dataDir, 0o700);
  return lockDataDir(dataDir, { waitMs });
}

async function startPglite(dataDir: string | null, dumpTo?: string, lockWaitMs?: number): Promise<{ socketDir: string; stop: () => Promise<void> }> {
  const release = dataDir ? await claimDataDir(dataDir, lockWaitMs) : () => {};
  const pgDir = dataDir ? path.join(dataDir, 'pg') : null;
  // A new database starts from the prebuilt template when there is one for this code.
  const template = dumpTo ? undefined : usableTemplate();
  try {
    // Creating a database leaves PGlite's memory grown (to ~800 MB after initdb) for the life of
    // its thread: create it in a thread of its own, then serve from a fresh one.
    // A new data directory unpacked from the template opens like an existing one.
    if (pgDir && !fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
      if (template) await unpackTemplate(template, pgDir);
      else await (await startPgliteThread(pgDir)).stop();
    }
    const thread = await startPgliteThread(pgDir, { template: pgDir ? undefined : template, dumpTo });
    return {
      socketDir: thread.socketDir,
      stop: async () => {
        await thread.stop();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

async function startPgliteThread(
  pgDir: string | null,
  opts: { template?: string; dumpTo?: string } = {},
): Promise<{ socketDir: string; stop: () => Promise<void> }> {
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-pg-'));
  fs.chmodSync(socketDir, 0o700);
  const worker = new Worker(new URL('./pglite-host.js', import.meta.url), {
    workerData: { dataDir: pgDir, socketPath: path.join(socketDir, '.s.PGSQL.5432'), templatePath: opts.template, dumpTo: opts.dumpTo },
    // PGlite's own memory is WebAssembly memory; the thread's JS heap stays small.
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (m: { type: string; message?: string }) =>
        m.type === 'ready' ? resolve() : reject(new Error(`PGlite failed to start: ${m.message}`)),
      );
    });
  } catch (err) {
    await worker.terminate();
    fs.rmSync(socketDir, { recursive: true, force: true });
    throw err;
  }
  return {
    socketDir,
    stop: async () => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        worker.once('message', () => {
          clearTimeout(timer);
          resolve();
        });
        worker.postMessage({ type: 'close' });
      });
      await worker.terminate();
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  let pool: pg.Pool;
  let stopEngine = async () => {};
  if (options.kind === 'postgres') {
    pool = new pg.Pool({ connectionString: options.url, max: options.max ?? 10 });
  } else {
    const engine = await startPglite(options.dataDir, options.dumpTo, options.lockWaitMs);
    stopEngine = engine.stop;
    // PGlite runs one query at a time: one connection, which a transaction holds to itself.
    pool = new pg.Pool({
      host: engine.socketDir,
      port: 5432,
      user: 'postgres',
      database: 'postgres',
      max: 1,
      idleTimeoutMillis: 0,
      connectionTimeoutMillis: 120_000,
    });
  }
  pool.on('error', () => {
    /* an idle client lost its connection; the pool replaces it */
  });
  let checkedOut = 0;
  let busyFrom: number | undefined;
  pool.on('acquire', () => {
    checkedOut++;
    if (checkedOut >= (pool.options.max ?? 10)) busyFrom ??= Date.now();
  });
  pool.on('release', () => {
    checkedOut--;
    if (checkedOut < (pool.options.max ?? 10)) busyFrom = undefined;
  });

  const db = drizzle({ client: pool, schema });
  let closed = false;
  return {
    db,
    pool,
    kind: options.kind,
    busySince: () => busyFrom,
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
      await stopEngine();
    },
  };
}
