#!/usr/bin/env node
// Bundles the server (src/ → dist/server/main.mjs) with esbuild for `npm start`. Running the
// TypeScript through a loader at run time costs ~90 MB of memory; the bundle starts leaner and
// faster. Paths the code resolves from import.meta.url (drizzle/, dist/web/, the PGlite thread)
// sit at the same depth from dist/server/ as from src/<area>/; the SMTP thread is copied beside
// the bundle.
//
// How package.json's "start" runs the bundle (package.json has no comments, so here). Each was
// measured with `npm run bench -- startup` and by leaving it out (RSS after first start / restart):
//   MALLOC_MMAP_THRESHOLD_=131072  glibc otherwise raises its mmap threshold up to 32 MB once a
//       large block is freed; from then on PGlite's multi-MB buffers come out of per-thread arenas
//       that keep the memory after it is freed. Fixed at its 128 KB default, big blocks get
//       mappings of their own that go back to the OS (−40 / −25 MB). Other C libraries ignore it.
//   --v8-pool-size=1  one V8 background thread instead of four: the WebAssembly compiler's
//       scratch memory (tens of MB for PostgreSQL's largest functions) then piles up in one malloc
//       arena instead of one per thread (−30 to −70 / up to −40 MB). Queries run as fast.
//   --max-semi-space-size=2  the app's young generation stays at 2 × 2 MB instead of growing to
//       2 × 16 MB during start-up and keeping it (−15 to −25 MB).
//   --optimize-for-size  V8 collects the old generation sooner instead of growing it: while the
//       first start's demo behaviour job runs through ingestion, the main heap otherwise swelled
//       to ~60 MB of mostly garbage and the process peaked at ~255 MB (232 MB with it); idle RSS
//       is the same either way (~216 MB).
//   ${DATABASE_URL:+--no-optimize-for-size --max-semi-space-size=16}  with a PostgreSQL server
//       the process holds no database, and the two memory savings above cost request throughput:
//       the customer list's first page at 20 concurrent requests on 1M customers ran 275 req/s
//       with them and 780 without (young-generation collections every few requests, and V8's
//       optimising compiler held back). Later flags win, so these undo them in that case only.
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
  // npm packages are bundled too: resolving and compiling ~250 package files one by one was
  // half of the time to the first line of Rapport's code (~0.9 s → ~0.4 s). Kept external: the
  // native argon2 binding, and packages that read files next to their own code at run time
  // (PGlite's WebAssembly and data files, the Swagger UI's static assets), and dev tools.
  external: ['argon2', 'pg-native', '@electric-sql/pglite', '@electric-sql/pglite/*', '@electric-sql/pglite-socket', '@fastify/swagger-ui', 'esbuild', 'vite', 'vitest', 'playwright-core', 'drizzle-kit'],
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: { js: "import { createRequire as __rapportCreateRequire } from 'node:module'; const require = __rapportCreateRequire(import.meta.url);" },
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
fs.copyFileSync(path.join(root, 'src/db/pglite-host.js'), path.join(outDir, 'pglite-host.js'));
// The SMTP thread (src/messaging/providers/smtp-thread.ts starts it from beside itself); it imports nodemailer from node_modules.
fs.copyFileSync(path.join(root, 'src/messaging/providers/smtp-thread.mjs'), path.join(outDir, 'smtp-thread.mjs'));
