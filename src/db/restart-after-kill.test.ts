// `npm start` as a container runs it: the server (`node dist/server/main.mjs serve`, built as
// `npm start`'s prestart builds it) is pid 1 of its own PID namespace, killed with SIGKILL and
// started again at once on the same embedded data directory, 10 times in a row. Each start must
// come up healthy with every customer written before. (A pid written in a lock file used to
// name pid 1, which is every restart's own pid: the restart refused to start.) A second server
// started on the directory while one lives is refused.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../areas.ts';
import { createTestWorkspace } from './test-helpers.ts';
import { openDatabase } from './connection.ts';
import { runMigrations } from './migrate.ts';
import { createApiKey } from '../workspaces/api-keys.ts';
import { systemActor } from '../workspaces/audit.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = 10;

function hasUnshare(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('unshare', ['-fp', '--mount-proc', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

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

/** The pid (as this process sees it) of the namespace's pid 1: the child `unshare -f` forked. */
function pidOneOf(unsharePid: number): number | undefined {
  for (const p of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
      const ppid = /^PPid:\s+(\d+)/m.exec(status)?.[1];
      const nspid = /^NSpid:\s+(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/);
      if (ppid === String(unsharePid) && nspid?.at(-1) === '1') return Number(p);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

describe.skipIf(!hasUnshare())('restart after kill -9 as pid 1 of a container', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-pid1-'));
  const started: ChildProcess[] = [];
  let startCommand = '';

  beforeAll(() => {
    // What `npm start`'s prestart builds for the server (the web UI is not needed for this).
    execFileSync(process.execPath, ['scripts/build-server.mjs'], { cwd: root, stdio: 'inherit', timeout: 300_000 });
    execFileSync(process.execPath, ['dist/server/main.mjs', 'db-template', '--if-needed'], { cwd: root, stdio: 'inherit', timeout: 300_000 });
    startCommand = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  }, 600_000);
  afterAll(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`comes up healthy with all its data after SIGKILL and an immediate restart, ${ROUNDS} times in a row`, async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir });
    await runMigrations(database);
    const { workspace } = await createTestWorkspace(database, 'Pid one');
    const { key } = await createApiKey(database.db, { workspaceId: workspace.id, actor: systemActor, actorRole: 'owner', kind: 'secret', name: 'pid1', role: 'admin' });
    await database.close();

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', RAPPORT_DATA_DIR: dataDir, RAPPORT_DEMO: '0', LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    const start = () => {
      // `exec`: the start script's node itself is pid 1, as with `CMD ["npm", "start"]` minus npm.
      const child = spawn('unshare', ['-fp', '--mount-proc', '--kill-child', 'sh', '-c', `exec env ${startCommand}`], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      started.push(child);
      let output = '';
      child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      return { child, output: () => output };
    };
    const healthy = async (server: ReturnType<typeof start>) => {
      for (;;) {
        if (server.child.exitCode !== null) throw new Error(`the server exited (${server.child.exitCode}):\n${server.output()}`);
        try {
          const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
          if (res.status === 200) return;
        } catch {
          /* not up yet */
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const upMs: number[] = [];
    let server = start();
    await healthy(server);
    for (let round = 1; round <= ROUNDS; round++) {
      // Data written before the kill, answered 201.
      const created = await fetch(`${url}/api/customers`, { method: 'POST', headers: auth, body: JSON.stringify({ email: `round-${round}@pid1.test`, name: `Round ${round}` }) });
      expect(created.status, await created.clone().text()).toBe(201);

      let pidOne: number | undefined;
      while (!(pidOne = pidOneOf(server.child.pid!))) await new Promise((r) => setTimeout(r, 20));
      const killedAt = performance.now();
      process.kill(pidOne, 'SIGKILL');
      server = start(); // at once: the old one may still be dying
      await healthy(server);
      upMs.push(performance.now() - killedAt);

      const list = await fetch(`${url}/api/customers?limit=100`, { headers: auth });
      expect(list.status).toBe(200);
      const emails = ((await list.json()) as { items: { email: string }[] }).items.map((c) => c.email).sort();
      expect(emails).toEqual(Array.from({ length: round }, (_, i) => `round-${i + 1}@pid1.test`).sort());
    }

    // A second server on the same directory while the first lives is refused, saying why.
    const second = spawn(process.execPath, ['dist/server/main.mjs', 'serve'], { cwd: root, env: { ...env, PORT: String(await freePort()) }, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(second);
    let secondOutput = '';
    second.stdout!.on('data', (c: Buffer) => (secondOutput += c.toString()));
    second.stderr!.on('data', (c: Buffer) => (secondOutput += c.toString()));
    const code = await new Promise((resolve) => second.once('exit', resolve));
    expect(code).toBe(1);
    expect(secondOutput).toContain(`Error: The embedded database in ${dataDir} is in use by another Rapport process (pid 1 in another container or PID namespace)`);
    expect((await fetch(`${url}/api/health`)).status).toBe(200);

    server.child.kill('SIGTERM');
    console.log(`restart after kill -9 as pid 1: healthy after ${upMs.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`);
  }, 600_000);
});
