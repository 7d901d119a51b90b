// Starts the real Rapport (`node bin/rapport.js serve`) on a free port with a fresh embedded
// database, for the browser tests; builds the web UI first if it is out of date.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export type RunningApp = {
  url: string;
  email: string;
  password: string;
  /** Everything the server printed so far (for failure messages). */
  output: () => string;
  stop: () => Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function ensureWebBuilt(): void {
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-web.mjs'), '--if-needed', '--quiet'], { cwd: repoRoot, stdio: 'inherit' });
}

async function waitForHealth(url: string, exited: () => string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit) throw new Error(`rapport serve stopped before it was healthy (${exit})`);
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`rapport serve was not healthy after ${timeoutMs} ms (last: ${last})`);
}

export async function startApp(opts: { email?: string; password?: string; env?: Record<string, string> } = {}): Promise<RunningApp> {
  ensureWebBuilt();
  const email = opts.email ?? 'owner@example.com';
  const password = opts.password ?? 'browser-test-password-1';
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-browser-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    RAPPORT_DATA_DIR: dataDir,
    RAPPORT_DEMO: '0',
    RAPPORT_ADMIN_EMAIL: email,
    RAPPORT_ADMIN_PASSWORD: password,
    LOG_LEVEL: 'warn',
    // Every test logs in afresh from 127.0.0.1; the default (10 a minute) would cap the suite's size.
    RAPPORT_LOGIN_RATE_LIMIT: '1000',
    ...opts.env,
  };
  delete env.DATABASE_URL; // always the fresh embedded database

  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'rapport.js'), 'serve'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitInfo = signal ?? `exit code ${code}`;
      if (signal !== 'SIGTERM' && code !== 0) console.error(`rapport serve stopped unexpectedly (${exitInfo}):\n${output}`);
      resolve();
    }),
  );

  async function stop() {
    if (!exitInfo) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, () => exitInfo, 90_000);
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : err}\n--- server output ---\n${output}`);
  }
  return { url, email, password, output: () => output, stop };
}
