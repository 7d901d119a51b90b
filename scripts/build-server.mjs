#!/usr/bin/env node
// Bundles the server (src/ → dist/server/main.mjs) with esbuild for `npm start`. Running the
// TypeScript through a loader at run time costs ~90 MB of memory; the bundle starts leaner and
// faster. npm packages stay external. Paths the code resolves from import.meta.url (drizzle/,
// dist/web/, the PGlite thread) sit at the same depth from dist/server/ as from src/<area>/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(root, 'dist', 'server');

await build({
  entryPoints: [path.join(root, 'src/cli/main.ts')],
  outfile: path.join(outDir, 'main.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
fs.copyFileSync(path.join(root, 'src/db/pglite-host.js'), path.join(outDir, 'pglite-host.js'));
