#!/usr/bin/env node
// `npm run dev`: the API (rapport serve on port 3000) and the Vite dev server with hot reload
// (http://localhost:5173, proxying /api, /v1, /docs and /t.js to the API). Ctrl-C stops both.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const apiPort = process.env.PORT ?? '3000';
process.env.RAPPORT_API_URL ??= `http://localhost:${apiPort}`;

// In its own process group, so Ctrl-C reaches it once, from us, and it can shut its database down cleanly.
const apiProcess = spawn(process.execPath, [path.join(root, 'bin', 'rapport.js'), 'serve'], {
  cwd: root,
  env: { ...process.env, PORT: apiPort },
  stdio: 'inherit',
  detached: true,
});
const apiRunning = () => apiProcess.exitCode === null && apiProcess.signalCode === null;
process.on('exit', () => {
  if (apiRunning()) apiProcess.kill('SIGTERM');
});

const vite = await createServer({
  configFile: path.join(root, 'web', 'vite.config.ts'),
  server: { port: 5173 },
});
await vite.listen();
vite.printUrls();
console.log(`  ➜  API:     http://localhost:${apiPort} (proxied)\n`);

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await vite.close().catch(() => {});
  if (apiRunning()) {
    apiProcess.kill('SIGINT');
    await new Promise((resolve) => apiProcess.once('exit', resolve));
  }
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
apiProcess.on('exit', (code, signal) => {
  if (stopping) return;
  console.error(`The API server stopped (${signal ?? `exit code ${code}`}); stopping the dev server.`);
  void stop(code ?? 1);
});
