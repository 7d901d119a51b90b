// Start-up benchmark: process start → /api/health OK on PGlite (fresh and existing data) and on
// PostgreSQL, RSS after start, and /api/health latency while a job holds PGlite with a 3 s query.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { freePort, startCommand } from './server.ts';
import { percentile, type BenchResult, type Figure } from './harness.ts';
import { openDatabase } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { buildApp } from '../src/http/app.ts';
import { loadConfig } from '../src/config.ts';
import { enqueueJob } from '../src/worker/queue.ts';
import { startWorker } from '../src/worker/runner.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Resident memory of a process and all its descendants (an engine started in a child process counts too). */
function treeRssMb(pid: number): number {
  let kb = 0;
  const visit = (p: number) => {
    let status: string;
    try {
      status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
    } catch {
      return; // exited meanwhile
    }
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    let children = '';
    try {
      for (const task of fs.readdirSync(`/proc/${p}/task`)) children += ` ${fs.readFileSync(`/proc/${p}/task/${task}/children`, 'utf8')}`;
    } catch {
      /* a thread or the process ended meanwhile */
    }
    for (const child of children.split(' ').filter(Boolean)) visit(Number(child));
  };
  visit(pid);
  return kb / 1024;
}


const BENCH_ADMIN = { email: 'bench@rapport.local', password: 'bench-startup-password' };

/** What a person does first: open the web UI, log in, look at the workspace and the customer list, search it. */
async function useApp(base: string): Promise<void> {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(BENCH_ADMIN),
  });
  await login.arrayBuffer();
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const web = await fetch(`${base}/`); // 503 when the web UI is not built: npm start builds it, the bench does not
  await web.arrayBuffer();
  for (const url of ['/api/me', '/api/workspaces', '/api/customers?limit=50', '/api/customers?q=kim', '/api/health']) {
    const res = await fetch(`${base}${url}`, { headers: { cookie } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  }
}

/** Runs `npm start`'s command, returns ms until /api/health answers 200 and the RSS after a few requests. */
async function timeStart(env: Record<string, string>): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const t0 = performance.now();
  // Exactly what `npm start` runs (the bundled server, with its Node options).
  const start = startCommand({ ...process.env, ...env });
  const child = spawn(process.execPath, start.args, {
    cwd: root,
    env: {
      ...process.env,
      ...start.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RAPPORT_DEMO: '0',
      RAPPORT_ADMIN_EMAIL: BENCH_ADMIN.email,
      RAPPORT_ADMIN_PASSWORD: BENCH_ADMIN.password,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`);
        if (res.status === 200) break;
      } catch {
        /* not listening yet */
      }
      if (performance.now() - t0 > 60_000) throw new Error('server did not become healthy in 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = performance.now() - t0;
    // The memory of the running app: after a few ordinary requests and a moment of idleness,
    // summed over the server's process tree.
    await useApp(`http://127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 1000));
    return { ms, rss: treeRssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function healthUnderLoad(): Promise<{ p50: number; p99: number; max: number; n: number; queryMs: number }> {
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  await runMigrations(database);
  const app = await buildApp({ database, config: loadConfig({ LOG_LEVEL: 'silent', RAPPORT_DEMO: '0' }) }, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as net.AddressInfo).port;
  let queryMs = 0;
  let done = false;
  const worker = startWorker(database, {
    handlers: {
      'bench.heavy-query': async (_job, { db }) => {
        const t = performance.now();
        // An analytics-sized query: PGlite is busy with it for ~3 s.
        await db.execute(sql`select count(*) from generate_series(1, 8000000) a where md5(a::text) like '0%'`);
        queryMs = performance.now() - t;
        done = true;
      },
    },
    pollMs: 20,
  });
  await enqueueJob(database.db, { type: 'bench.heavy-query' });
  const latencies: number[] = [];
  while (!done) {
    const t = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`health answered ${res.status}`);
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 10));
  }
  await worker.stop();
  await app.close();
  await database.close();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1)!, n: latencies.length, queryMs };
}

export async function run(): Promise<BenchResult> {
  // What `npm start`'s prestart does once after install: bundle the server and build the migrated
  // embedded database template that a new data directory is unpacked from.
  execFileSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], { stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(root, 'dist/server/main.mjs'), 'db-template', '--if-needed'], { stdio: 'inherit' });
  const figures: Figure[] = [];
  const notes: string[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-bench-'));
  try {
    // What npm start does by default: the first start loads the demo data set.
    const cold = await timeStart({ RAPPORT_DATA_DIR: dataDir, RAPPORT_DEMO: '1' });
    figures.push({ name: 'pglite first start (demo data) → healthy', value: cold.ms, unit: 'ms', target: '≤ 5000', ok: cold.ms <= 5000 });
    figures.push({ name: 'pglite RSS after first start', value: cold.rss, unit: 'MB', target: '≤ 250', ok: cold.rss <= 250 });
    const warm = await timeStart({ RAPPORT_DATA_DIR: dataDir });
    figures.push({ name: 'pglite restart → healthy', value: warm.ms, unit: 'ms', target: '≤ 5000', ok: warm.ms <= 5000 });
    figures.push({ name: 'pglite RSS after start', value: warm.rss, unit: 'MB', target: '≤ 250', ok: warm.rss <= 250 });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-bench-'));
  try {
    const empty = await timeStart({ RAPPORT_DATA_DIR: emptyDir, RAPPORT_DEMO: '0' });
    figures.push({ name: 'pglite first start (RAPPORT_DEMO=0) → healthy', value: empty.ms, unit: 'ms' });
    figures.push({ name: 'pglite RSS after first start (RAPPORT_DEMO=0)', value: empty.rss, unit: 'MB', target: '≤ 250', ok: empty.rss <= 250 });
  } finally {
    fs.rmSync(emptyDir, { recursive: true, force: true });
  }

  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `rapport_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    try {
      const url = new URL(serverUrl);
      url.pathname = `/${dbName}`;
      const first = await timeStart({ DATABASE_URL: url.toString() });
      figures.push({ name: 'postgres first start → healthy', value: first.ms, unit: 'ms' });
      const again = await timeStart({ DATABASE_URL: url.toString() });
      figures.push({ name: 'postgres restart → healthy', value: again.ms, unit: 'ms' });
      figures.push({ name: 'postgres RSS after start', value: again.rss, unit: 'MB' });
    } finally {
      await admin.query(`drop database if exists ${dbName} with (force)`);
    }
  } catch (err) {
    notes.push(`PostgreSQL figures skipped: ${(err as Error).message} (set BENCH_DATABASE_URL)`);
  } finally {
    await admin.end().catch(() => {});
  }

  const load = await healthUnderLoad();
  figures.push({ name: 'pglite job query duration', value: load.queryMs, unit: 'ms' });
  figures.push({ name: 'health p50 during query', value: load.p50, unit: 'ms' });
  figures.push({ name: 'health p99 during query', value: load.p99, unit: 'ms', target: '≤ 100', ok: load.p99 <= 100 });
  figures.push({ name: 'health requests during query', value: load.n, unit: 'req' });
  return { bench: 'startup', figures, notes };
}
