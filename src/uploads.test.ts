// Uploaded files wait in a directory only Rapport's user can read, on either database: never in
// a shared temp directory, never in a directory someone else made or can write to.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { createTestWorkspace, describeEachDb, TEST_PASSWORD } from './db/test-helpers.ts';
import type { App } from './http/app.ts';
import { type Client, createTestApp, loginClient } from './http/test-client.ts';
import { ensurePrivateDir, UnsafeDirectoryError } from './uploads.ts';

const modeOf = (p: string) => fs.statSync(p).mode & 0o777;
const tmpDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

function multipart(file: string, filename = 'upload.csv'): { payload: Buffer; contentType: string } {
  const boundary = `----rapport${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n${file}\r\n--${boundary}--\r\n`,
  );
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('upload directory', () => {
  it('is under the data directory unless RAPPORT_UPLOAD_DIR names one, on a server database too', () => {
    expect(loadConfig({ RAPPORT_DATA_DIR: '/var/lib/rapport', DATABASE_URL: 'postgres://db/x' }).uploadDir).toBe('/var/lib/rapport/uploads');
    expect(loadConfig({ RAPPORT_DATA_DIR: '/var/lib/rapport', RAPPORT_UPLOAD_DIR: '/srv/rapport-uploads' }).uploadDir).toBe('/srv/rapport-uploads');
  });

  it('is made 0700, and an existing one of ours is tightened to 0700', () => {
    const root = tmpDir('rapport-private-');
    try {
      const made = path.join(root, 'a', 'uploads');
      ensurePrivateDir(made);
      expect(modeOf(made)).toBe(0o700);
      const loose = path.join(root, 'loose');
      fs.mkdirSync(loose, { mode: 0o755 });
      fs.chmodSync(loose, 0o755);
      ensurePrivateDir(loose);
      expect(modeOf(loose)).toBe(0o700);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a directory that others can write to', () => {
    const root = tmpDir('rapport-private-');
    try {
      for (const mode of [0o777, 0o1777, 0o770]) {
        fs.chmodSync(root, mode);
        expect(() => ensurePrivateDir(root)).toThrow(UnsafeDirectoryError);
        expect(() => ensurePrivateDir(root)).toThrow(/writable by other users/);
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a directory another user owns (as root here: owned by nobody)', () => {
    const root = tmpDir('rapport-private-');
    try {
      fs.chmodSync(root, 0o700);
      fs.chownSync(root, 65534, 65534);
      expect(() => ensurePrivateDir(root)).toThrow(/belongs to another user \(uid 65534,/);
      expect(modeOf(root)).toBe(0o700);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describeEachDb('uploads through the API', (getDb) => {
  let app: App;
  let owner: Client;
  const dataDir = tmpDir('rapport-uploads-test-');

  beforeAll(async () => {
    app = await createTestApp(getDb(), { RAPPORT_DATA_DIR: dataDir });
    const shop = await createTestWorkspace(getDb(), 'Upload shop');
    owner = await loginClient(app, shop.owner.email, TEST_PASSWORD);
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps a customer CSV waiting to be imported in <data>/uploads, 0700, the file 0600', async () => {
    const { payload, contentType } = multipart('email,name\nmin@example.com,Min\n');
    const res = await owner.request('POST', '/api/imports', payload, { 'content-type': contentType });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const dir = path.join(dataDir, 'uploads');
    const file = path.join(dir, `${res.body.id}.csv`);
    expect(fs.existsSync(file)).toBe(true);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(file)).toBe(0o600);
  });

  it('writes a commerce CSV in the same private directory', async () => {
    const { payload, contentType } = multipart('sku,name,price\nP-1,Cap,1000\n', 'products.csv');
    const seen: string[] = [];
    const dir = path.join(dataDir, 'uploads');
    fs.rmSync(dir, { recursive: true, force: true });
    const res = await owner.request('POST', '/api/commerce/imports?kind=products', payload, { 'content-type': contentType });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    seen.push(...fs.readdirSync(dir));
    expect(modeOf(dir)).toBe(0o700);
    expect(seen).toEqual([]); // removed once imported
  });

  it('answers an upload with an error, writing nothing, when the upload directory is open to others', async () => {
    const open = tmpDir('rapport-open-uploads-');
    fs.chmodSync(open, 0o777);
    const loose = await createTestApp(getDb(), { RAPPORT_DATA_DIR: dataDir, RAPPORT_UPLOAD_DIR: open });
    try {
      const shop = await createTestWorkspace(getDb(), 'Loose upload shop');
      const client = await loginClient(loose, shop.owner.email, TEST_PASSWORD);
      const { payload, contentType } = multipart('email\nx@example.com\n');
      const res = await client.request('POST', '/api/imports', payload, { 'content-type': contentType });
      expect(res.status).toBe(500);
      expect(fs.readdirSync(open)).toEqual([]);
    } finally {
      await loose.close();
      fs.rmSync(open, { recursive: true, force: true });
    }
  });
});
