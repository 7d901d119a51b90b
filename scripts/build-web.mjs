#!/usr/bin/env node
// Builds the web UI (web/ → dist/web) with Vite. `--if-needed` skips the build when
// dist/web/index.html is newer than every file under web/ and package-lock.json (npm start uses it).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const webDir = path.join(root, 'web');
const outIndex = path.join(root, 'dist', 'web', 'index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

/** Is dist/web missing or older than its sources? */
export function webBuildIsStale() {
  if (!fs.existsSync(outIndex)) return true;
  const built = fs.statSync(outIndex).mtimeMs;
  const lock = path.join(root, 'package-lock.json');
  const sources = Math.max(newestMtime(webDir), fs.existsSync(lock) ? fs.statSync(lock).mtimeMs : 0);
  return sources >= built;
}

/** Build the UI; with ifNeeded, only when it is stale. Returns whether it built. */
export async function buildWeb({ ifNeeded = false, quiet = false } = {}) {
  if (ifNeeded && !webBuildIsStale()) {
    if (!quiet) console.log('Web UI is up to date (dist/web).');
    return false;
  }
  const { build } = await import('vite');
  await build({ configFile: path.join(webDir, 'vite.config.ts'), logLevel: quiet ? 'warn' : 'info' });
  // Vite copies files with their own times; mark the build as made now.
  const now = new Date();
  fs.utimesSync(outIndex, now, now);
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  buildWeb({ ifNeeded: args.includes('--if-needed'), quiet: args.includes('--quiet') }).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
