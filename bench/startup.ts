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
import { percentile, type BenchResult, type Figure } from './harness.ts';
import { openDatabase } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { buildApp } from '../src/http/app.ts';
import { loadConfig } from '../src/config.ts';
import { enqueueJob } from '../src/worker/queue.ts';
import { startWorker } from '../src/worker/runner.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Spawns `rapport serve`, returns ms until /api/health answers 200 and the RSS then. */
async function timeStart(env: Record<string, string>): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const t0 = performance.now();
  // What `npm start` runs: the bundled server.
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'dist/server/main.mjs'), 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RAPPORT_DEMO: '0', ...env },
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
    await new Promise((r) => setTimeout(r, 1000));
    return { ms, rss: rssMb(child.pid!) };
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
  execFileSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], { stdio: 'inherit' });
  const figures: Figure[] = [];
  const notes: string[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-bench-'));
  try {
    const cold = await timeStart({ RAPPORT_DATA_DIR: dataDir });
    figures.push({ name: 'pglite first start → healthy', value: cold.ms, unit: 'ms', target: '≤ 5000', ok: cold.ms <= 5000 });
    figures.push({ name: 'pglite RSS after first start', value: cold.rss, unit: 'MB', target: '≤ 250', ok: cold.rss <= 250 });
    const warm = await timeStart({ RAPPORT_DATA_DIR: dataDir });
    figures.push({ name: 'pglite restart → healthy', value: warm.ms, unit: 'ms', target: '≤ 5000', ok: warm.ms <= 5000 });
    figures.push({ name: 'pglite RSS after start', value: warm.rss, unit: 'MB', target: '≤ 250', ok: warm.rss <= 250 });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
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
