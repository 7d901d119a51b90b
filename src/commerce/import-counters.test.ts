// A commerce import is recorded (commerce_imports) with counters written in the transaction of
// each batch they count: whatever stops the import, the record says what was committed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { openDatabase, type Database } from '../db/connection.ts';
import { runMigrations } from '../db/migrate.ts';
import { createCustomer } from '../customers/customers.ts';
import { systemActor } from '../workspaces/audit.ts';
import { csvBufferSource, failInterruptedCommerceImports, importCommerceCsv } from './imports.ts';
import { runUntilStoppedThenKill } from '../db/kill-child.ts';

const productsCsv = (n: number, tag: string) => {
  const lines = ['sku,name,price'];
  for (let i = 0; i < n; i++) lines.push(i % 10 === 9 ? `${tag}-${i},bad,free` : `${tag}-${i},Product ${i},1000`);
  return Buffer.from(lines.join('\n'));
};
const ordersCsv = (n: number, tag: string) => {
  const lines = ['order_id,email,sku,quantity,price,ordered_at'];
  for (let i = 0; i < n; i++) lines.push(`${tag}-${i},buyer@orders.test,SKU-${i % 7},1,${i % 10 === 9 ? 'free' : '1000'},2026-01-0${1 + (i % 9)}T10:00:00Z`);
  return Buffer.from(lines.join('\n'));
};

async function latestImport(database: Database, workspaceId: string) {
  const { rows } = await database.db.execute(sql`
    select id, kind, status, failure, rows_total, rows_created, rows_updated, rows_failed from commerce_imports
    where workspace_id = ${workspaceId}::uuid order by started_at desc, id desc limit 1`);
  return rows[0] as { id: string; kind: string; status: string; failure: string | null; rows_total: number; rows_created: number; rows_updated: number; rows_failed: number } | undefined;
}

/** Makes the counter write of one workspace's imports fail once the rows recorded pass `after`. */
async function failCounterWrites(database: Database, workspaceId: string, after: number): Promise<() => Promise<void>> {
  const fn = `rapport_test_fail_${workspaceId.replaceAll('-', '')}`;
  await database.db.execute(sql.raw(`create function ${fn}() returns trigger language plpgsql as $$ begin if new.rows_total > ${after} then raise exception 'counter write failed'; end if; return new; end $$`));
  await database.db.execute(sql.raw(`create trigger ${fn} before update on commerce_imports for each row when (new.workspace_id = '${workspaceId}'::uuid) execute function ${fn}()`));
  return async () => {
    await database.db.execute(sql.raw(`drop trigger ${fn} on commerce_imports`));
    await database.db.execute(sql.raw(`drop function ${fn}()`));
  };
}

describeEachDb('commerce import counters', (getDb) => {
  it('records an import with its counts', async () => {
    const { workspace } = await createTestWorkspace(getDb(), 'Counted shop');
    const result = await importCommerceCsv(getDb().db, { workspaceId: workspace.id, actor: systemActor, kind: 'products', source: csvBufferSource(productsCsv(30, 'P')), fileName: 'p.csv' });
    expect(result).toMatchObject({ rows: 30, created: 27, failed: 3 });
    expect(await latestImport(getDb(), workspace.id)).toMatchObject({ id: result.importId, kind: 'products', status: 'done', rows_total: 30, rows_created: 27, rows_updated: 0, rows_failed: 3 });
  });

  describe.each(['products', 'orders'] as const)('%s', (kind) => {
    it('roll back with their batch: a batch whose counters cannot be written leaves nothing behind', async () => {
      const database = getDb();
      const { workspace } = await createTestWorkspace(database, `Crash ${kind}`);
      await createCustomer(database.db, { workspaceId: workspace.id, actor: systemActor, input: { email: 'buyer@orders.test' } });
      const csv = kind === 'products' ? productsCsv(2500, 'P') : ordersCsv(1200, 'O');
      const restore = await failCounterWrites(database, workspace.id, kind === 'products' ? 1500 : 700);
      try {
        const err = await importCommerceCsv(database.db, { workspaceId: workspace.id, actor: systemActor, kind, source: csvBufferSource(csv) }).then(
          () => undefined,
          (e: Error & { cause?: Error }) => e,
        );
        expect(err?.cause?.message ?? err?.message).toMatch(/counter write failed/);
      } finally {
        await restore();
      }
      const table = kind === 'products' ? 'products' : 'orders';
      const { rows } = await database.db.execute(sql`select count(*)::int as n from ${sql.raw(table)} where workspace_id = ${workspace.id}::uuid`);
      const stored = Number(rows[0]!.n);
      const imp = (await latestImport(database, workspace.id))!;
      expect(stored).toBeGreaterThan(0); // the first batch is in
      expect(imp.rows_created + imp.rows_updated).toBe(stored);
      expect(imp).toMatchObject({ status: 'failed' });

      // A restart fails what a crash left running.
      await database.db.execute(sql`update commerce_imports set status = 'running', failure = null where workspace_id = ${workspace.id}::uuid`);
      expect(await failInterruptedCommerceImports(database.db)).toBeGreaterThanOrEqual(1);
      expect(await latestImport(database, workspace.id)).toMatchObject({ status: 'failed', failure: expect.stringContaining('interrupted') });
    });
  });
});

const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-commerce-crash-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Backend = { name: string; open: (dataDir: string) => Promise<Database>; child: (dataDir: string) => object; keepOpen: boolean };
const backends: Backend[] = [{ name: 'pglite', open: (dataDir) => openDatabase({ kind: 'pglite', dataDir }), child: (dataDir) => ({ kind: 'pglite', dataDir }), keepOpen: false }];
if (process.env.TEST_DATABASE_URL) {
  const url = process.env.TEST_DATABASE_URL;
  backends.push({ name: 'postgres', open: () => openDatabase({ kind: 'postgres', url, max: 3 }), child: () => ({ kind: 'postgres', url, max: 3 }), keepOpen: true });
}

for (const backend of backends) {
  describe(`commerce import counters after kill -9 [${backend.name}]`, () => {
    it('match the products committed when the process is killed in the middle of an import', async () => {
      const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
      let database = await backend.open(dataDir);
      await runMigrations(database);
      const { workspace } = await createTestWorkspace(database, 'Killed shop');
      if (!backend.keepOpen) await database.close();
      const csvPath = path.join(tmp, `products-${backend.name}.csv`);
      fs.writeFileSync(csvPath, productsCsv(4000, 'K'));

      // The importing process stops for good at its third counter write, then is killed, as a
      // kill -9 landing there would; commits reach the disk before they return (see
      // src/customers/import/crash-counters.test.ts).
      const script = `
        await import(${JSON.stringify(path.join(root, 'src/areas.ts'))});
        const { openDatabase } = await import(${JSON.stringify(path.join(root, 'src/db/connection.ts'))});
        const { csvFileSource, importCommerceCsv } = await import(${JSON.stringify(path.join(root, 'src/commerce/imports.ts'))});
        const database = await openDatabase(${JSON.stringify(backend.child(dataDir))});
        let writes = 0;
        database.pool.on('connect', (client) => {
          const query = client.query.bind(client);
          client.query = (...args) => {
            const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
            if (/update "commerce_imports" set "rows_total"/.test(text ?? '') && ++writes === 3) {
              console.log('STOPPED');
              return new Promise(() => {});
            }
            if (/synchronous_commit = off/.test(text ?? '')) args[0] = typeof args[0] === 'string' ? 'select 1' : { ...args[0], text: 'select 1' };
            return query(...args);
          };
        });
        const source = await csvFileSource(${JSON.stringify(csvPath)});
        await importCommerceCsv(database.db, { workspaceId: ${JSON.stringify(workspace.id)}, actor: ${JSON.stringify(systemActor)}, kind: 'products', source });
        console.log('FINISHED');`;
      await runUntilStoppedThenKill(path.join(tmp, `child-${backend.name}.mjs`), script, root);

      if (!backend.keepOpen) database = await backend.open(dataDir);
      try {
        const { rows } = await database.db.execute(sql`select count(*)::int as n from products where workspace_id = ${workspace.id}::uuid`);
        const stored = Number(rows[0]!.n);
        const imp = (await latestImport(database, workspace.id))!;
        expect(stored).toBeGreaterThanOrEqual(1800); // two batches at least were committed before the kill
        expect(imp).toMatchObject({ status: 'running', rows_created: stored, rows_updated: 0 });
        expect(imp.rows_created + imp.rows_failed).toBe(imp.rows_total);
      } finally {
        await database.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }, 120_000);
  });
}
