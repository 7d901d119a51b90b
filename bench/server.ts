// Starting the server for a benchmark the way `npm start` runs it, in a process of its own.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The command `npm start` runs, from package.json: leading VAR=value settings, `node`, its
 * arguments. `${VAR:+words}` becomes `words` when `env` (what the server will see) sets VAR, as
 * the shell npm runs the script with would do.
 */
export function startCommand(env: Record<string, string | undefined>): { env: Record<string, string>; args: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const script = pkg.scripts.start!.replace(/\$\{([A-Z_][A-Z0-9_]*):\+([^}]*)\}/g, (_, name: string, words: string) => (env[name] ? words : ''));
  const words = script.trim().split(/\s+/);
  const settings: Record<string, string> = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? '')) {
    const [name, ...value] = words.shift()!.split('=');
    settings[name!] = value.join('=');
  }
  if (words.shift() !== 'node') throw new Error(`bench: cannot follow the start script "${pkg.scripts.start}"`);
  return { env: settings, args: words };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Builds the server bundle `npm start` runs (dist/server). */
export function buildServer(): void {
  execFileSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], { stdio: 'ignore' });
}

export async function startServer(env: Record<string, string>): Promise<{ port: number; child: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const start = startCommand({ ...process.env, ...env });
  // BENCH_SERVER_NODE_ARGS: extra Node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, ...start.args], {
    cwd: root,
    env: { ...process.env, ...start.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RAPPORT_DEMO: '0', RAPPORT_WORKER: '0', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const t0 = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bench: server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - t0 > 120_000) throw new Error('bench: server did not become healthy in 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** POSTs a JSON body to one of the server's Segment-compatible paths (`/v1/batch`, `/v1/track`…) with a write key's Basic auth. */
export function postSegment(agent: http.Agent, port: number, auth: string, path: string, body: string): Promise<{ status: number; retryAfter: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers['retry-after'] ?? 1), text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
