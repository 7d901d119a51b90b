// Durability of ingestion: the real server (`node bin/rapport.js serve`, in its own process) is
// killed with SIGKILL in the middle of a stream from the real @segment/analytics-node client,
// restarted on the same data, and every event the client sent is then stored exactly once: a
// 200 means committed, and the client's retries of unanswered batches are deduplicated.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Analytics } from '@segment/analytics-node';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import '../areas.ts';
import { openDatabase, type Database } from '../db/connection.ts';
import { runMigrations } from '../db/migrate.ts';
import { createTestWorkspace } from '../db/test-helpers.ts';
import { createApiKey } from '../workspaces/api-keys.ts';
import { systemActor } from '../workspaces/audit.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const EVENTS = 3000;
const KILL_AFTER_BATCHES = 8;

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

type Server = { child: ChildProcess; output: () => string; exited: Promise<string> };

function startServer(env: NodeJS.ProcessEnv): Server {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'rapport.js'), 'serve'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  return { child, output: () => output, exited };
}

async function waitHealthy(url: string, server: Server): Promise<void> {
  let done = false;
  void server.exited.then(() => (done = true));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (done) throw new Error(`server exited before it was healthy:\n${server.output()}`);
    try {
      if ((await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) })).status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not healthy in time:\n${server.output()}`);
}

type Backend = { name: string; env: (dataDir: string) => NodeJS.ProcessEnv; open: (dataDir: string) => Promise<Database>; keepOpen: boolean };

const backends: Backend[] = [
  {
    name: 'pglite',
    env: (dataDir) => ({ RAPPORT_DATA_DIR: dataDir }),
    // The server holds the embedded database while it runs: the test opens it only before and after.
    open: (dataDir) => openDatabase({ kind: 'pglite', dataDir }),
    keepOpen: false,
  },
];
if (process.env.TEST_DATABASE_URL) {
  const url = process.env.TEST_DATABASE_URL;
  backends.push({ name: 'postgres', env: () => ({ DATABASE_URL: url }), open: () => openDatabase({ kind: 'postgres', url, max: 2 }), keepOpen: true });
}

for (const backend of backends) {
  describe(`ingestion durability [${backend.name}]`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-durability-'));
    const running: Server[] = [];
    afterAll(async () => {
      for (const s of running) {
        if (s.child.exitCode === null && s.child.signalCode === null) {
          s.child.kill('SIGKILL');
          await s.exited;
        }
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('stores every event exactly once across a SIGKILL and a restart', async () => {
      // The workspace and its write key, made before the server starts (it then finds a workspace and creates none).
      let database = await backend.open(dataDir);
      await runMigrations(database);
      const workspaceId = (await createTestWorkspace(database, 'Durability')).workspace.id;
      const { key } = await createApiKey(database.db, { workspaceId, actor: systemActor, actorRole: 'owner', kind: 'write', name: 'durability' });
      if (!backend.keepOpen) await database.close();

      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', RAPPORT_DEMO: '0', RAPPORT_WORKER: '0', LOG_LEVEL: 'warn' };
      delete env.DATABASE_URL;
      delete env.RAPPORT_DATA_DIR;
      Object.assign(env, backend.env(dataDir));

      let server = startServer(env);
      running.push(server);
      await waitHealthy(url, server);

      const analytics = new Analytics({ writeKey: key, host: url, path: '/v1/batch', flushAt: 25, flushInterval: 20, maxRetries: 20, httpRequestTimeout: 5000 });
      let answered = 0;
      let attempts = 0;
      const failed: unknown[] = [];
      analytics.on('http_request', () => attempts++);
      analytics.on('http_response', (r) => {
        if (r.status === 200) answered++;
      });
      analytics.on('error', (err) => failed.push(err));

      let killed = false;
      let restarted: Promise<void> | undefined;
      for (let seq = 0; seq < EVENTS; seq++) {
        analytics.track({ userId: `durable-${seq % 50}`, anonymousId: `anon-${seq % 50}`, event: seq % 3 ? 'Product Viewed' : 'Page Scrolled', properties: { seq, sku: `SKU-${seq % 40}` } });
        if (seq % 25 === 24) await new Promise((r) => setTimeout(r, 10));
        // A third of the way in, once some batches are committed, with others in flight.
        if (!killed && seq >= EVENTS / 3) {
          while (answered < KILL_AFTER_BATCHES) await new Promise((r) => setTimeout(r, 10));
          // No goodbye, no flush.
          killed = true;
          server.child.kill('SIGKILL');
          await server.exited;
          restarted = (async () => {
            await new Promise((r) => setTimeout(r, 500)); // the client meets a closed port for a while
            server = startServer(env);
            running.push(server);
            await waitHealthy(url, server);
          })();
        }
      }
      expect(killed).toBe(true);
      await restarted;
      await analytics.closeAndFlush({ timeout: 240_000 });
      expect(failed).toEqual([]);
      // Some requests met the dead server and were retried.
      expect(attempts).toBeGreaterThan(answered);

      server.child.kill('SIGTERM');
      expect(await server.exited).toBeTruthy();
      if (!backend.keepOpen) database = await backend.open(dataDir);
      try {
        const { rows } = await database.db.execute<{ total: number; distinct_seq: number; lowest: number; highest: number }>(sql`
          select count(*)::int as total, count(distinct (properties->>'seq')::int)::int as distinct_seq,
                 min((properties->>'seq')::int) as lowest, max((properties->>'seq')::int) as highest
          from events where workspace_id = ${workspaceId}`);
        expect(rows[0]).toEqual({ total: EVENTS, distinct_seq: EVENTS, lowest: 0, highest: EVENTS - 1 });
        // The effects ran once per stored event too.
        const metrics = await database.db.execute<{ events: number }>(sql`select coalesce(sum(event_count), 0)::int as events from customer_metrics where workspace_id = ${workspaceId}`);
        expect(metrics.rows[0]!.events).toBe(EVENTS);
      } finally {
        await database.close();
      }
    }, 420_000);
  });
}
