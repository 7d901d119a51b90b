// HTTP tests of customer import (multipart upload, start, progress, rejected rows) and of the CSV
// export: content, filters, masking, roles and workspace isolation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops, type Method, type TestResponse } from '../http/test-client.ts';
import { can, ROLES, type Permission, type Role } from '../workspaces/roles.ts';

/** A multipart/form-data body, built by hand as a browser would send it. */
function multipart(parts: { name: string; value: string | Buffer; filename?: string }[]): { payload: Buffer; contentType: string } {
  const boundary = `----rapport${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename ? 'Content-Type: text/csv\r\n' : ''}\r\n`));
    chunks.push(typeof p.value === 'string' ? Buffer.from(p.value) : p.value);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(client: Client, csv: string | Buffer, fields: Record<string, string> = {}, filename = 'customers.csv') {
  const { payload, contentType } = multipart([...Object.entries(fields).map(([name, value]) => ({ name, value })), { name: 'file', value: csv, filename }]);
  return client.request('POST', '/api/imports', payload, { 'content-type': contentType });
}

async function waitForImport(client: Client, id: string): Promise<TestResponse['body']> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await client.get(`/api/imports/${id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (res.body.status === 'done' || res.body.status === 'failed') return res.body;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${res.body.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const csvRows = (text: string) => parse(text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];

describeEachDb('imports API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let ownerA: Client;
  let ownerB: Client;
  let as: Record<Role, Client>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-import-routes-'));
  const uploads = path.join(dataDir, 'uploads');
  const uploaded = () => (fs.existsSync(uploads) ? fs.readdirSync(uploads) : []);

  beforeAll(async () => {
    ({ app, a, b, ownerA, ownerB, as } = await createTwoShops(getDb(), { env: { RAPPORT_DATA_DIR: dataDir }, names: ['Import A', 'Import B'] }));
    const attr = await ownerA.post('/api/customer-attributes', { key: 'region', label: '지역', type: 'text', purpose: 'service' });
    expect(attr.status).toBe(201);
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  describe('upload, mapping and progress', () => {
    it('uploads a CP949 file, suggests a mapping, then imports it when started', async () => {
      const csv = '회원번호,이름,이메일,휴대폰,지역,메모\nA1,김민지,minji@naver.com,010-1234-5678,서울,x\nA2,박서준,kim@,010-2222-3333,부산,\nA3,이서연,seoyeon@gmail.com,010-3333-4444,경기,\n';
      const res = await upload(ownerA, iconv.encode(csv, 'cp949'), {}, '고객.csv');
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({
        status: 'uploaded',
        fileName: '고객.csv',
        encoding: 'cp949',
        delimiter: ',',
        headers: ['회원번호', '이름', '이메일', '휴대폰', '지역', '메모'],
        suggestedMapping: { 회원번호: 'externalId', 이름: 'name', 이메일: 'email', 휴대폰: 'phone', 지역: 'attributes.region', 메모: '' },
        progress: 0,
        rowsTotal: 0,
      });
      expect(res.body.sample).toHaveLength(3);
      expect(res.body.sample[0]).toEqual(['A1', '김민지', 'minji@naver.com', '010-1234-5678', '서울', 'x']);
      const id: string = res.body.id;
      expect(uploaded()).toContain(`${id}.csv`);

      const badTarget = await ownerA.post(`/api/imports/${id}/start`, { mapping: { ...res.body.suggestedMapping, 메모: 'memo' } });
      expect(badTarget.status).toBe(400);
      expect(badTarget.body.error.message).toContain('body.mapping["메모"]: "memo" is not an import target');
      const notInFile = await ownerA.post(`/api/imports/${id}/start`, { mapping: { Nope: 'email' } });
      expect(notInFile.status).toBe(400);
      expect(notInFile.body.error.message).toContain('body.mapping["Nope"]: is not a column of the file');

      const started = await ownerA.post(`/api/imports/${id}/start`, { mapping: res.body.suggestedMapping, matchBy: 'externalId' });
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      expect(started.body.status).toBe('running');
      expect((await ownerA.post(`/api/imports/${id}/start`, { mapping: res.body.suggestedMapping })).status).toBe(409);

      const done = await waitForImport(ownerA, id);
      expect(done).toMatchObject({ status: 'done', progress: 1, rowsTotal: 3, rowsCreated: 2, rowsUpdated: 0, rowsFailed: 1, matchBy: 'externalId', failure: null });
      expect(done.errors).toEqual([{ line: 3, column: '이메일', message: '"kim@" is not an e-mail address' }]);
      expect(done.finishedAt).not.toBeNull();
      expect(uploaded()).not.toContain(`${id}.csv`);
      expect((await ownerA.post(`/api/imports/${id}/start`, { mapping: res.body.suggestedMapping })).status).toBe(409);

      const list = await ownerA.get('/api/customers?q=김민지');
      expect(list.body.items[0]).toMatchObject({ externalId: 'A1', phone: '+821012345678', attributes: { region: '서울' } });
      const audit = await ownerA.get(`/api/audit?entityType=customer_import&entityId=${id}`);
      expect(audit.body.items[0]).toMatchObject({ action: 'customer.import', after: { rowsCreated: 2, rowsFailed: 1 } });
    });

    it('starts at once when the upload carries a mapping; errors page and download as CSV', async () => {
      const lines = ['email,name,stage'];
      for (let i = 0; i < 30; i++) lines.push(i % 3 === 0 ? `bad${i}@,n${i},lead` : `ok${i}@example.com,n${i},${i % 3 === 1 ? 'Customer' : 'Evangelist'}`);
      const res = await upload(ownerA, lines.join('\n'), { mapping: JSON.stringify({ email: 'email', name: 'name', stage: 'lifecycleStage' }), matchBy: 'email' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.status).toBe('running');
      const done = await waitForImport(ownerA, res.body.id);
      expect(done).toMatchObject({ rowsTotal: 30, rowsCreated: 20, rowsFailed: 10 });

      const page1 = await ownerA.get(`/api/imports/${res.body.id}/errors?limit=4`);
      expect(page1.status).toBe(200);
      expect(page1.body.items.map((e: { line: number }) => e.line)).toEqual([2, 5, 8, 11]);
      const page2 = await ownerA.get(`/api/imports/${res.body.id}/errors?limit=4&cursor=${page1.body.nextCursor}`);
      expect(page2.body.items.map((e: { line: number }) => e.line)).toEqual([14, 17, 20, 23]);
      const page3 = await ownerA.get(`/api/imports/${res.body.id}/errors?limit=4&cursor=${page2.body.nextCursor}`);
      expect(page3.body.items.map((e: { line: number }) => e.line)).toEqual([26, 29]);
      expect(page3.body.nextCursor).toBeNull();
      expect((await ownerA.get(`/api/imports/${res.body.id}/errors?cursor=garbage`)).status).toBe(400);

      const download = await ownerA.get(`/api/imports/${res.body.id}/errors.csv`);
      expect(download.status).toBe(200);
      expect(String(download.headers['content-type'])).toContain('text/csv');
      const rows = csvRows(download.body);
      expect(rows).toHaveLength(10);
      expect(rows[0]).toEqual({ line: '2', column: 'email', message: '"bad0@" is not an e-mail address' });

      const recent = await ownerA.get('/api/imports');
      expect(recent.body.items[0].id).toBe(res.body.id);
    });

    it('streams an upload larger than the JSON body limit to disk', async () => {
      const lines = ['email,name'];
      for (let i = 0; i < 80_000; i++) lines.push(`big${i}@example.com,고객 ${i}`);
      const csv = Buffer.from(lines.join('\n'));
      expect(csv.length).toBeGreaterThan(2 * 1024 * 1024);
      const res = await upload(ownerA, csv);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ fileBytes: csv.length, headers: ['email', 'name'], status: 'uploaded' });
      expect(fs.statSync(path.join(uploads, `${res.body.id}.csv`)).size).toBe(csv.length);
    });

    it('refuses uploads that are not what it needs', async () => {
      const before = new Set(uploaded());
      expect((await ownerA.post('/api/imports', { file: 'x' })).status).toBe(400);
      const { payload, contentType } = multipart([{ name: 'mapping', value: '{}' }]);
      const noFile = await ownerA.request('POST', '/api/imports', payload, { 'content-type': contentType });
      expect(noFile.status).toBe(400);
      expect(noFile.body.error.message).toContain('body.file');
      const badMapping = await upload(ownerA, 'email\na@b.io\n', { mapping: '{"email": "mail"}' });
      expect(badMapping.status).toBe(400);
      expect(badMapping.body.error.message).toContain('body.mapping["email"]: "mail" is not an import target');
      expect((await upload(ownerA, 'email\na@b.io\n', { mapping: 'not json' })).status).toBe(400);
      expect((await upload(ownerA, 'email\na@b.io\n', { encoding: 'latin1' })).status).toBe(400);
      expect((await upload(ownerA, 'email\na@b.io\n', { matchBy: 'name' })).status).toBe(400);
      expect((await upload(ownerA, '')).status).toBe(400);
      // Nothing of the refused uploads stays on disk.
      expect(uploaded().filter((f) => !before.has(f))).toEqual([]);
    });

    it('marks imports a dead process left running as failed', async () => {
      const { failInterruptedImports } = await import('./import/imports.ts');
      const res = await upload(ownerA, 'email\nx@y.io\n');
      const { sql } = await import('drizzle-orm');
      await getDb().db.execute(sql`update customer_imports set status = 'running' where id = ${res.body.id}`);
      expect(await failInterruptedImports(getDb().db)).toBeGreaterThanOrEqual(1);
      const after = await ownerA.get(`/api/imports/${res.body.id}`);
      expect(after.body).toMatchObject({ status: 'failed', failure: expect.stringContaining('interrupted by a restart') });
      expect(uploaded()).not.toContain(`${res.body.id}.csv`);
    });
  });

  describe('export', () => {
    beforeAll(async () => {
      const bulk = await ownerA.post('/api/customers/bulk', {
        customers: [
          { externalId: 'E1', name: '김수출', email: 'export1@naver.com', phone: '010-1000-0001', lifecycleStage: 'customer', tags: ['vip', 'export'], attributes: { region: '서울' } },
          { externalId: 'E2', name: '박수출', email: 'export2@naver.com', phone: '010-1000-0002', lifecycleStage: 'lead', tags: ['export'], attributes: { region: '부산' } },
          { externalId: 'E3', name: '=HYPERLINK("http://x")', email: 'export3@naver.com', lifecycleStage: 'lead', tags: ['export'] },
        ],
      });
      expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
      const inB = await ownerB.post('/api/customers', { externalId: 'E1', name: 'B의 고객', email: 'export-b@naver.com', tags: ['export'] });
      expect(inB.status).toBe(201);
    });

    it('streams the filtered list as UTF-8 CSV with a BOM, default columns including attributes', async () => {
      const res = await ownerA.get('/api/customers/export?tag=export&sort=name');
      expect(res.status).toBe(200);
      expect(String(res.headers['content-type'])).toBe('text/csv; charset=utf-8');
      expect(String(res.headers['content-disposition'])).toMatch(/^attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"$/);
      expect(res.body.startsWith('\uFEFF')).toBe(true);
      const rows = csvRows(res.body);
      expect(Object.keys(rows[0]!)).toEqual(['id', 'externalId', 'name', 'email', 'phone', 'gender', 'birthday', 'lifecycleStage', 'tags', 'source', 'signedUpAt', 'createdAt', 'attributes.region']);
      expect(rows.map((r) => r.externalId)).toEqual(['E3', 'E1', 'E2']);
      expect(rows[1]).toMatchObject({ name: '김수출', email: 'export1@naver.com', phone: '+821010000001', tags: 'vip|export', 'attributes.region': '서울' });
      // A value a spreadsheet would run as a formula is escaped.
      expect(rows[0]!.name).toBe(`'=HYPERLINK("http://x")`);
    });

    it('applies the list filters and the columns asked for', async () => {
      const filter = encodeURIComponent(JSON.stringify([{ field: 'attributes.region', op: 'eq', value: '부산' }]));
      const res = await ownerA.get(`/api/customers/export?tag=export&filter=${filter}&columns=externalId,name,attributes.region`);
      expect(res.status).toBe(200);
      expect(csvRows(res.body)).toEqual([{ externalId: 'E2', name: '박수출', 'attributes.region': '부산' }]);
      const staged = csvRows((await ownerA.get('/api/customers/export?tag=export&stage=customer&columns=externalId')).body);
      expect(staged).toEqual([{ externalId: 'E1' }]);
      const bad = await ownerA.get('/api/customers/export?columns=externalId,password');
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('query.columns: "password" is not a column');
      expect((await ownerA.get('/api/customers/export?sort=shoeSize')).status).toBe(400);
    });

    it('pages through more rows than one batch', async () => {
      const customers = Array.from({ length: 1205 }, (_, i) => ({ externalId: `P${i}`, name: `페이지${i}`, tags: ['paged'] }));
      for (let i = 0; i < customers.length; i += 1000) {
        const res = await ownerA.post('/api/customers/bulk', { customers: customers.slice(i, i + 1000) });
        expect(res.status).toBe(200);
      }
      const rows = csvRows((await ownerA.get('/api/customers/export?tag=paged&columns=externalId')).body);
      expect(rows).toHaveLength(1205);
      expect(new Set(rows.map((r) => r.externalId)).size).toBe(1205);
    });

    it('masks e-mail and phone for an analyst, who may export', async () => {
      const res = await as.analyst!.get('/api/customers/export?tag=export&columns=externalId,email,phone&sort=name');
      expect(res.status).toBe(200);
      const e1 = csvRows(res.body).find((r) => r.externalId === 'E1')!;
      expect(e1.email).toBe('ex***@naver.com');
      expect(e1.phone).toBe("'+8210****0001"); // escaped: a spreadsheet would compute 8210*0001
      expect(res.body).not.toContain('export1@naver.com');
    });

    it("never includes another workspace's customers", async () => {
      const rowsA = csvRows((await ownerA.get('/api/customers/export?tag=export&columns=externalId,name')).body);
      expect(rowsA.map((r) => r.name)).not.toContain('B의 고객');
      const rowsB = csvRows((await ownerB.get('/api/customers/export?columns=externalId,name')).body);
      expect(rowsB).toEqual([{ externalId: 'E1', name: 'B의 고객' }]);
    });
  });

  // Every endpoint of this file with the permission it needs.
  const endpoints: { method: Method; url: string; permission: Permission; body?: unknown }[] = [
    { method: 'GET', url: '/api/imports', permission: 'customers.write' },
    { method: 'GET', url: '/api/imports/00000000-0000-7000-8000-000000000000', permission: 'customers.write' },
    { method: 'GET', url: '/api/imports/00000000-0000-7000-8000-000000000000/errors', permission: 'customers.write' },
    { method: 'GET', url: '/api/imports/00000000-0000-7000-8000-000000000000/errors.csv', permission: 'customers.write' },
    { method: 'POST', url: '/api/imports/00000000-0000-7000-8000-000000000000/start', permission: 'customers.write', body: { mapping: {} } },
    { method: 'POST', url: '/api/imports', permission: 'customers.write', body: { not: 'multipart' } },
    { method: 'GET', url: '/api/customers/export?columns=externalId', permission: 'customers.export' },
  ];

  describe('roles', () => {
    const cases = ROLES.flatMap((role) => endpoints.map((e) => ({ role, ...e })));
    it.each(cases)('$role → $method $url', async ({ role, method, url, body, permission }) => {
      const res = await as[role]!.request(method, url, body);
      if (can(role, permission)) expect(res.status, JSON.stringify(res.body)).not.toBe(403);
      else {
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain(permission);
      }
    });

    it('a viewer cannot upload a file', async () => {
      const res = await upload(as.viewer!, 'email\nviewer@example.com\n');
      expect(res.status).toBe(403);
    });
  });

  describe('workspace isolation', () => {
    let importOfA: string;
    beforeAll(async () => {
      const res = await upload(ownerA, 'email\nisolated@example.com\n');
      importOfA = res.body.id;
    });

    it.each([
      ['GET', ''],
      ['GET', '/errors'],
      ['GET', '/errors.csv'],
      ['POST', '/start'],
    ] as const)("B cannot see or start A's import: %s …%s", async (method, suffix) => {
      const res = await ownerB.request(method, `/api/imports/${importOfA}${suffix}`, method === 'POST' ? { mapping: { email: 'email' } } : undefined);
      expect(res.status).toBe(404);
    });

    it("A's import is not in B's list, and stays startable by A", async () => {
      const list = await ownerB.get('/api/imports');
      expect(list.body.items.some((i: { id: string }) => i.id === importOfA)).toBe(false);
      expect((await ownerA.get(`/api/imports/${importOfA}`)).body.status).toBe('uploaded');
    });
  });
});
