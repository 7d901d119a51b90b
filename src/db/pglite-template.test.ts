import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './connection.ts';
import { migrationStatus, runMigrations } from './migrate.ts';
import { buildPgliteTemplate } from './build-template.ts';
import { templateKey, unpackTemplate, usableTemplate } from './pglite-template.ts';

describe('embedded database template', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-template-test-'));
  const template = path.join(dir, 'template.tgz');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is built migrated, and a data directory unpacked from it opens as an up-to-date database', async () => {
    const built = await buildPgliteTemplate({ path: template });
    expect(built.built).toBe(true);
    expect(usableTemplate(template)).toBe(template);
    expect((await buildPgliteTemplate({ path: template, ifNeeded: true })).built).toBe(false);

    const dataDir = path.join(dir, 'data');
    await unpackTemplate(template, path.join(dataDir, 'pg'));
    expect(fs.readFileSync(path.join(dataDir, 'pg', 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    const database = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const status = await migrationStatus(database);
      expect(status.current).toBe(true);
      expect(status.applied).toBe(status.expected);
      expect((await runMigrations(database)).applied).toBe(0);
      await database.pool.query(`insert into workspaces (id, name) values ('00000000-0000-7000-8000-000000000001', 'From template')`);
    } finally {
      await database.close();
    }
    const reopened = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const { rows } = await reopened.pool.query(`select name from workspaces where id = '00000000-0000-7000-8000-000000000001'`);
      expect(rows).toEqual([{ name: 'From template' }]);
    } finally {
      await reopened.close();
    }
  }, 120_000);

  it('is not used when it was built from other migrations or another PGlite', () => {
    fs.writeFileSync(`${template}.key`, 'something-else\n');
    expect(usableTemplate(template)).toBeUndefined();
    fs.writeFileSync(`${template}.key`, `${templateKey()}\n`);
    expect(usableTemplate(template)).toBe(template);
    expect(usableTemplate(path.join(dir, 'missing.tgz'))).toBeUndefined();
  });

  it('refuses an archive that ends in the middle of a file', async () => {
    const broken = path.join(dir, 'broken.tgz');
    const zlib = await import('node:zlib');
    const whole = zlib.gunzipSync(fs.readFileSync(template));
    // Cut inside the data of the first regular file.
    let at = 0;
    while (String.fromCharCode(whole[at + 156]!) !== '0') at += 512 + Math.ceil(parseInt(whole.toString('utf8', at + 124, at + 135), 8) / 512) * 512;
    fs.writeFileSync(broken, zlib.gzipSync(whole.subarray(0, at + 512 + 10)));
    await expect(unpackTemplate(broken, path.join(dir, 'broken'))).rejects.toThrow(/ends in the middle of a file/);
  });
});
