import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DatabaseInUseError, openDatabase } from './connection.ts';
import { migrationStatus, runMigrations } from './migrate.ts';
import { ensureFirstWorkspace } from '../workspaces/bootstrap.ts';
import { authenticate } from '../workspaces/users.ts';
import { createTestApp } from '../http/test-client.ts';

function tmpDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-conn-'));
}

describe('embedded database', () => {
  it('keeps data across a restart and refuses a second opener of the same directory', async () => {
    const dir = tmpDir();
    try {
      const first = await openDatabase({ kind: 'pglite', dataDir: dir });
      await runMigrations(first);
      const created = await ensureFirstWorkspace(first.db, { adminEmail: 'boss@shop.kr', workspaceName: 'Demo Shop' });
      expect(created?.passwordGenerated).toBe(true);
      expect(created!.password.length).toBeGreaterThanOrEqual(16);
      await expect(openDatabase({ kind: 'pglite', dataDir: dir })).rejects.toBeInstanceOf(DatabaseInUseError);
      await first.close();

      const again = await openDatabase({ kind: 'pglite', dataDir: dir });
      try {
        expect((await migrationStatus(again)).current).toBe(true);
        // First start happens once: the owner made before is still there and can log in.
        expect(await ensureFirstWorkspace(again.db, { workspaceName: 'Demo Shop' })).toBeUndefined();
        expect(await authenticate(again.db, 'boss@shop.kr', created!.password)).toMatchObject({ email: 'boss@shop.kr' });
      } finally {
        await again.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('makes the data directory private (0700), also one an older version left open', async () => {
    const dir = tmpDir();
    try {
      fs.chmodSync(dir, 0o755);
      const database = await openDatabase({ kind: 'pglite', dataDir: dir });
      await database.close();
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      const fresh = path.join(dir, 'new', 'data');
      const again = await openDatabase({ kind: 'pglite', dataDir: fresh });
      await again.close();
      expect(fs.statSync(fresh).mode & 0o777).toBe(0o700);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('takes over a lock left by a process that is gone', async () => {
    const dir = tmpDir();
    try {
      fs.writeFileSync(path.join(dir, 'rapport.lock'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
      const database = await openDatabase({ kind: 'pglite', dataDir: dir });
      await database.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('returns int8 and numeric as numbers, as on a server', async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    try {
      const { rows } = await database.db.execute(sql`select 9007199254740::int8 as big, 12.5::numeric as num, now() as at`);
      expect(rows[0]).toMatchObject({ big: 9007199254740, num: 12.5 });
      // Raw SQL leaves timestamps as text (Drizzle's typed selects turn them into Dates).
      expect(Number.isNaN(Date.parse(String(rows[0]!.at)))).toBe(false);
    } finally {
      await database.close();
    }
  });

  it('serves the next query after one that failed (the pool reconnects after an error)', async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    try {
      for (let i = 0; i < 3; i++) {
        await expect(database.db.execute(sql`select ${'not a number'}::int`)).rejects.toThrow();
        const { rows } = await database.db.execute(sql`select ${i}::int as i`);
        expect(rows[0]).toEqual({ i });
      }
    } finally {
      await database.close();
    }
  });

  it('answers /api/health while a long query holds the embedded database', async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    await runMigrations(database);
    const app = await createTestApp(database);
    try {
      let finished = false;
      const long = database.db.execute(sql`select pg_sleep(2)`).then(() => (finished = true));
      await new Promise((r) => setTimeout(r, 200));
      const res = await app.inject({ method: 'GET', url: '/api/health' });
      expect(finished).toBe(false); // answered without waiting for the query
      expect(res.statusCode).toBe(200);
      expect(res.json().database.busyForMs).toBeGreaterThan(0);
      await long;
    } finally {
      await app.close();
      await database.close();
    }
  }, 60_000);
});
