// Runs embedded PostgreSQL (PGlite) in a worker thread and serves it on a private
// Unix socket, so the main thread talks to it with the same `pg` driver as a server
// and a long query never blocks the HTTP event loop.
// Plain JavaScript: worker threads are loaded by Node itself, without the TS loader.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

import fs from 'node:fs';

const { dataDir, socketPath, templatePath, dumpTo } = workerData;

let db;
let server;
try {
  // PostgreSQL's default 128 MB of shared buffers is most of PGlite's memory; one embedded
  // process does well with far less (16 MB: PGlite's RSS drops by ~110 MB).
  // A new database is unpacked from the prebuilt template (see pglite-template.ts) when given one.
  const loadDataDir = templatePath ? new Blob([fs.readFileSync(templatePath)]) : undefined;
  db = await PGlite.create(dataDir ?? undefined, { extensions: { pg_trgm }, postgresqlconf: ["shared_buffers = '16MB'"], loadDataDir });
  // The server's pool holds one connection at a time (the socket queue would interleave the
  // extended-protocol messages of two busy clients). Two are allowed because pg's pool drops a
  // client after a failed query and connects anew while the old socket is still closing: with
  // one, that new connection is refused and the next query fails.
  server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 2 });
  await server.start();
  parentPort.postMessage({ type: 'ready' });
} catch (err) {
  parentPort.postMessage({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
}

parentPort.on('message', async (msg) => {
  if (msg?.type !== 'close') return;
  try {
    await server?.stop();
    // Checkpointed first, so a database unpacked from the dump opens without replaying the WAL.
    if (dumpTo && db) await db.exec('checkpoint');
    if (dumpTo && db) fs.writeFileSync(dumpTo, Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer()));
    await db?.close();
    parentPort.postMessage({ type: 'closed' });
  } catch (err) {
    parentPort.postMessage({ type: 'closed', message: err instanceof Error ? err.message : String(err) });
  }
});
