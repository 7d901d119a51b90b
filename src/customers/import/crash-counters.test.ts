// An import's counters are written in the transaction of the rows they count, so whatever stops
// an import (a kill -9, a failed statement) the record says exactly what was committed. (They
// were written after each batch's commit: a kill between the two left 7,000 recorded of 7,500.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import '../../areas.ts';
import { openDatabase, type Database } from '../../db/connection.ts';
import { runMigrations } from '../../db/migrate.ts';
import { createTestWorkspace, describeEachDb } from '../../db/test-helpers.ts';
import { uuidv7 } from '../../db/uuid.ts';
import { systemActor } from '../../workspaces/audit.ts';
import { createImport, getImport, markImportRunning } from './imports.ts';
import { importCustomersFromFile } from './run.ts';
import { runUntilStoppedThenKill } from '../../db/kill-child.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-import-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A CSV of `n` new customers, one in ten with a bad e-mail. */
function csvFile(n: number, tag: string): string {
  const file = path.join(dir, `${tag}.csv`);
  const lines = ['email,name'];
  for (let i = 0; i < n; i++) lines.push(i % 10 === 9 ? `bad-${i}@,${tag} ${i}` : `${tag}-${i}@crash.test,${tag} ${i}`);
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

async function newImport(database: Database, workspaceId: string, filePath: string): Promise<string> {
  const id = uuidv7();
  await createImport(database.db, { workspaceId, actor: systemActor, id, fileName: path.basename(filePath), filePath, fileBytes: fs.statSync(filePath).size, encoding: 'utf-8', delimiter: ',', headers: ['email', 'name'], matchBy: 'auto' });
  await markImportRunning(database.db, { workspaceId, id, mapping: { email: 'email', name: 'name' } });
  return id;
}

/** What the record says against what the database holds. */
async function recordedAndStored(database: Database, workspaceId: string, id: string) {
  const imp = await getImport(database.db, { workspaceId, id });
  const { rows } = await database.db.execute(sql`select count(*)::int as n from customers where workspace_id = ${workspaceId}::uuid`);
  const { rows: errorRows } = await database.db.execute(sql`select count(*)::int as n from customer_import_errors where workspace_id = ${workspaceId}::uuid and import_id = ${id}::uuid`);
  return { imp, stored: Number(rows[0]!.n), errorRows: Number(errorRows[0]!.n) };
}

describeEachDb('customer import counters', (getDb) => {
  it('roll back with their batch: a batch whose counters cannot be written leaves no rows behind', async () => {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database, 'Counter shop');
    const filePath = csvFile(500, `trigger-${workspace.id.slice(-6)}`);
    const id = await newImport(database, workspace.id, filePath);
    // The counter update of the third batch fails (only for this import: the server database is shared).
    const fn = `rapport_test_fail_${id.replaceAll('-', '')}`;
    await database.db.execute(sql.raw(`create function ${fn}() returns trigger language plpgsql as $$ begin if new.rows_total > 200 then raise exception 'counter write failed'; end if; return new; end $$`));
    await database.db.execute(sql.raw(`create trigger ${fn} before update on customer_imports for each row when (new.id = '${id}'::uuid) execute function ${fn}()`));
    try {
      const err = await importCustomersFromFile(database.db, { workspaceId: workspace.id, actor: systemActor, filePath, importId: id, batchSize: 100 }).then(
        () => undefined,
        (e: Error & { cause?: Error }) => e,
      );
      expect(err?.cause?.message ?? err?.message).toMatch(/counter write failed/);
    } finally {
      await database.db.execute(sql.raw(`drop trigger ${fn} on customer_imports`));
      await database.db.execute(sql.raw(`drop function ${fn}()`));
    }
    const { imp, stored, errorRows } = await recordedAndStored(database, workspace.id, id);
    expect(imp.rowsTotal).toBe(200);
    expect(imp.rowsCreated).toBe(stored);
    expect(imp.rowsCreated + imp.rowsFailed).toBe(imp.rowsTotal);
    expect(imp.rowsFailed).toBe(errorRows);
  });
});

type Backend = { name: string; open: (dataDir: string) => Promise<Database>; child: (dataDir: string) => object; keepOpen: boolean };
const backends: Backend[] = [{ name: 'pglite', open: (dataDir) => openDatabase({ kind: 'pglite', dataDir }), child: (dataDir) => ({ kind: 'pglite', dataDir }), keepOpen: false }];
if (process.env.TEST_DATABASE_URL) {
  const url = process.env.TEST_DATABASE_URL;
  backends.push({ name: 'postgres', open: () => openDatabase({ kind: 'postgres', url, max: 3 }), child: () => ({ kind: 'postgres', url, max: 3 }), keepOpen: true });
}

for (const backend of backends) {
  describe(`customer import counters after kill -9 [${backend.name}]`, () => {
    it('match the rows committed when the process is killed in the middle of an import', async () => {
      const dataDir = fs.mkdtempSync(path.join(dir, 'data-'));
      let database = await backend.open(dataDir);
      await runMigrations(database);
      const { workspace } = await createTestWorkspace(database, 'Crash shop');
      const filePath = csvFile(1000, `kill-${backend.name}`);
      const id = await newImport(database, workspace.id, filePath);
      if (!backend.keepOpen) await database.close();

      // The importing process stops for good at its third counter write, then is killed, as a
      // kill -9 landing there would. (The counters used to be written after the batch's commit.)
      const script = `
        await import(${JSON.stringify(path.join(root, 'src/areas.ts'))});
        const { openDatabase } = await import(${JSON.stringify(path.join(root, 'src/db/connection.ts'))});
        const { importCustomersFromFile } = await import(${JSON.stringify(path.join(root, 'src/customers/import/run.ts'))});
        const database = await openDatabase(${JSON.stringify(backend.child(dataDir))});
        let writes = 0;
        database.pool.on('connect', (client) => {
          const query = client.query.bind(client);
          client.query = (...args) => {
            const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
            if (/update customer_imports set bytes_read/.test(text ?? '') && ++writes === 3) {
              console.log('STOPPED');
              return new Promise(() => {});
            }
            // Commits reach the disk before they return (as with synchronous_commit on), so that
            // what a batch committed survives the kill on PGlite too and can be compared.
            if (/synchronous_commit = off/.test(text ?? '')) args[0] = typeof args[0] === 'string' ? 'select 1' : { ...args[0], text: 'select 1' };
            return query(...args);
          };
        });
        await importCustomersFromFile(database.db, ${JSON.stringify({ workspaceId: workspace.id, actor: systemActor, filePath, importId: id, batchSize: 100 })});
        console.log('FINISHED');`;
      await runUntilStoppedThenKill(path.join(dir, `child-${backend.name}.mjs`), script, root);

      if (!backend.keepOpen) database = await backend.open(dataDir);
      try {
        const { imp, stored, errorRows } = await recordedAndStored(database, workspace.id, id);
        // Killed in the middle: some batches committed, not all of the 1,000 rows. (How many depends
        // on how the concurrent batches' counter writes interleave: one batch's refused rows may
        // take a write of their own, so the third write can be the second batch's.)
        expect(stored).toBeGreaterThan(0);
        expect(imp.rowsTotal).toBeLessThan(1000);
        expect(imp.rowsCreated).toBe(stored);
        expect(imp.rowsCreated + imp.rowsUpdated + imp.rowsFailed).toBe(imp.rowsTotal);
        expect(imp.rowsFailed).toBe(errorRows);
      } finally {
        await database.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }, 120_000);
  });
}
