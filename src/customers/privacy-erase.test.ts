// A privacy erase leaves the customer's e-mail nowhere: one address is planted in every place
// Rapport stores it (profile, identities, attributes, notes, audit, merges, events at any depth
// and inside URLs, segment definitions, saved views, import error rows, a file waiting to be
// imported, the server's logs), the customer is erased, and then every table (listed from
// information_schema, each row cast to text), the upload directory and the logs are searched.
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb, TEST_PASSWORD, testConfig, type TestWorkspace } from '../db/test-helpers.ts';
import { buildApp } from '../http/app.ts';
import type { App } from '../http/deps.ts';
import { type Client, keyClient, loginClient } from '../http/test-client.ts';
import { createApiKey } from '../workspaces/api-keys.ts';
import { systemActor } from '../workspaces/audit.ts';

function multipart(parts: { name: string; value: string; filename?: string }[]): { payload: Buffer; contentType: string } {
  const boundary = `----rapport${Math.random().toString(16).slice(2)}`;
  const chunks = parts.map((p) => {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    return `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename ? 'Content-Type: text/csv\r\n' : ''}\r\n${p.value}\r\n`;
  });
  return { payload: Buffer.from(`${chunks.join('')}--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
}

describeEachDb('privacy erase', (getDb) => {
  let app: App;
  let shop: TestWorkspace;
  let owner: Client;
  let secret: Client;
  const logLines: string[] = [];
  const run = Date.now().toString(36);
  const token = `carol.planted${run}`;
  const email = `${token}@example.com`;
  const phone = '010-5550-7321';
  const phoneDigits = /5550[\s.-]?7321/;

  beforeAll(async () => {
    const logs = new PassThrough();
    logs.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    app = await buildApp({ database: getDb(), config: testConfig({ RAPPORT_LOGIN_RATE_LIMIT: '10000', LOG_LEVEL: 'info' }) }, { logStream: logs });
    // A route whose query fails with the e-mail among its parameters: the log must not hold it.
    app.get('/api/test/failing-query', { config: { auth: 'customers.read' } }, async () => getDb().db.execute(sql`select ${email}::int as n`));
    await app.ready();
    shop = await createTestWorkspace(getDb(), 'Erase shop');
    owner = await loginClient(app, shop.owner.email, TEST_PASSWORD);
    const { key } = await createApiKey(getDb().db, { workspaceId: shop.workspace.id, actor: systemActor, actorRole: 'owner', kind: 'secret', name: 'server' });
    secret = keyClient(app, key);
  });
  afterAll(async () => {
    await app.close();
  });

  async function upload(csv: string, filename: string) {
    const { payload, contentType } = multipart([{ name: 'file', value: csv, filename }]);
    const res = await owner.request('POST', '/api/imports', payload, { 'content-type': contentType });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  }

  async function waitForImport(id: string) {
    for (let i = 0; i < 2000; i++) {
      const res = await owner.get(`/api/imports/${id}`);
      if (res.body.status === 'done' || res.body.status === 'failed') return res.body;
      await new Promise((r) => setImmediate(r));
    }
    throw new Error(`import ${id} did not finish`);
  }

  /** Every base table of the schema, each row as text, that holds `pattern` (ILIKE). */
  async function tablesHolding(like: string): Promise<Record<string, number>> {
    const { rows: tables } = await getDb().db.execute<{ table_name: string }>(sql`
      select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`);
    expect(tables.length).toBeGreaterThan(20);
    const found: Record<string, number> = {};
    for (const { table_name } of tables) {
      const { rows } = await getDb().db.execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table_name)} x where x::text ilike ${like}`);
      if (Number(rows[0]!.n) > 0) found[table_name] = Number(rows[0]!.n);
    }
    return found;
  }

  it('plants one e-mail everywhere Rapport keeps it, erases the customer and finds it nowhere', async () => {
    const ws = shop.workspace.id;
    expect((await owner.post('/api/customer-attributes', { key: 'backup_contact', label: 'Backup contact', type: 'text', purpose: 'service' })).status).toBe(201);
    expect((await owner.post('/api/customer-attributes', { key: 'height_cm', label: 'Height', type: 'number', purpose: 'analytics' })).status).toBe(201);

    // Profile, identities, attributes, a note, profile changes (audit), consent.
    const created = await owner.post('/api/customers', { name: '캐롤', email, phone, externalId: `ext-${run}`, attributes: { backup_contact: email } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id: string = created.body.id;
    expect((await owner.patch(`/api/customers/${id}`, { name: '캐롤 신' })).status).toBe(200);
    const note = await owner.post(`/api/customers/${id}/notes`, { body: `연락처 ${email}, ${phone}` });
    expect(note.status).toBe(201);
    expect((await owner.put(`/api/customers/${id}/consents`, { consents: [{ channel: 'email', purpose: 'marketing', status: 'granted' }] })).status).toBe(200);
    // A second profile of the same person merged in (the merge keeps snapshots).
    const dup = await owner.post('/api/customers', { name: '캐롤 중복', attributes: { backup_contact: `${email.toUpperCase()}` } });
    expect(dup.status).toBe(201);
    expect((await owner.post(`/api/customers/${id}/merge`, { otherId: dup.body.id })).status).toBe(200);

    // Events through the real ingestion: traits, properties and context at any depth, inside URLs.
    const url = `https://shop.example/thanks?email=${encodeURIComponent(email)}&order=A-1`;
    const batch = await secret.post('/v1/batch', {
      batch: [
        { type: 'page', messageId: `m-${run}-0`, anonymousId: `anon-${run}`, name: 'Thanks', properties: { url, referrer: `https://mail.example/?to=${email}` }, context: { page: { url, referrer: url } } },
        { type: 'identify', messageId: `m-${run}-1`, anonymousId: `anon-${run}`, userId: email, traits: { email, name: '캐롤', phone, phone_number: phone, shipping_address: { line1: '테헤란로 152', note: email } } },
        {
          type: 'track',
          messageId: `m-${run}-2`,
          userId: email,
          event: 'Order Completed',
          properties: { order_id: `o-${run}`, total: 39000, currency: 'KRW', coupon: email, Email: email, customer: { email }, billing: { phone }, phone_number: phone, shipping_address: `${email} 서울` },
          context: { traits: { email }, ip: '203.0.113.9' },
        },
      ],
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    // The user id made a profile of its own: the same person, merged into theirs.
    const { rows: owners } = await getDb().db.execute<{ customer_id: string }>(sql`select distinct customer_id from events where workspace_id = ${ws} and customer_id is not null`);
    expect(owners).toHaveLength(1);
    if (owners[0]!.customer_id !== id) expect((await owner.post(`/api/customers/${id}/merge`, { otherId: owners[0]!.customer_id })).status).toBe(200);

    // A segment and a saved view that name the e-mail; a search for it and a failing query with it (logs).
    expect((await owner.post('/api/segments', { name: `VIP ${email}`, definition: { type: 'attribute', field: 'email', op: 'in', value: [email, 'someone@example.com'] } })).status).toBe(201);
    expect((await owner.post('/api/customer-views', { name: `찾기 ${email}`, query: { q: email }, columns: ['name'] })).status).toBe(201);
    expect((await owner.get(`/api/customers?q=${encodeURIComponent(email)}`)).status).toBe(200);
    expect((await owner.get('/api/test/failing-query')).status).toBe(500);

    // An import with a rejected row quoting the e-mail, and a file uploaded but not started.
    const ran = await upload(`email,name,height\nother-${run}@example.org,다른,${email}\n`, 'people.csv');
    expect((await owner.post(`/api/imports/${ran.id}/start`, { mapping: { email: 'email', name: 'name', height: 'attributes.height_cm' } })).status).toBe(200);
    const done = await waitForImport(ran.id);
    expect(done.rowsFailed).toBe(1);
    const pending = await upload(`email,name,phone\n${email},캐롤,${phone}\nsomeone-${run}@example.net,남은 사람,010-2222-3333\n`, `${email}.csv`);
    const { rows: files } = await getDb().db.execute<{ file_path: string }>(sql`select file_path from customer_imports where workspace_id = ${ws} and id = ${pending.id}`);
    const uploadDir = path.dirname(files[0]!.file_path);

    // Everything was planted: each place holds the e-mail before the erase.
    const before = await tablesHolding(`%${token}%`);
    for (const table of ['customers', 'orders', 'customer_identities', 'customer_notes', 'customer_merges', 'audit_log', 'events', 'segments', 'customer_views', 'customer_import_errors', 'customer_imports']) {
      expect(before[table], `${table} holds the planted e-mail before the erase`).toBeGreaterThan(0);
    }
    expect(fs.readFileSync(files[0]!.file_path, 'utf8')).toContain(email);

    // The export holds the audit entries and the import's rejected row about them.
    const exported = await owner.get(`/api/customers/${id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.audit.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['customer.create', 'customer.update']));
    expect(exported.body.importErrors).toEqual([expect.objectContaining({ importId: ran.id, line: 2, message: expect.stringContaining(email) })]);

    expect((await owner.post(`/api/customers/${id}/erase`)).status).toBe(200);

    // Nowhere in the database, on both spellings of the address.
    expect(await tablesHolding(`%${token}%`)).toEqual({});
    const phones = await getDb().db.execute<{ n: number }>(sql`
      select count(*)::int as n from events where workspace_id = ${ws} and (properties::text ~ '5550[ .-]?7321' or context::text ~ '5550[ .-]?7321')`);
    expect(phones.rows[0]!.n).toBe(0);
    // What is not personal stays: the events, their amounts, the other row of the pending file.
    const kept = await getDb().db.execute<{ n: number; total: number }>(sql`
      select count(*)::int as n, max((properties->>'total')::int) as total from events where workspace_id = ${ws} and customer_id = ${id}`);
    expect(kept.rows[0]).toMatchObject({ n: 3, total: 39000 });
    // Nowhere in the upload directory.
    for (const file of fs.readdirSync(uploadDir)) {
      const text = fs.readFileSync(path.join(uploadDir, file), 'utf8');
      expect(text, file).not.toContain(token);
      expect(text, file).not.toMatch(phoneDigits);
    }
    expect(fs.readFileSync(files[0]!.file_path, 'utf8')).toContain('남은 사람');
    // Nowhere in the logs, which hold neither search terms nor query parameters.
    expect(logLines.some((l) => l.includes('failing-query'))).toBe(true);
    const leaked = logLines.filter((l) => l.includes(token) || l.includes('%40example') || phoneDigits.test(l) || /[?&]q=/.test(l));
    expect(leaked).toEqual([]);
    expect(logLines.some((l) => l.includes('params: 1 values'))).toBe(true);
  });
});
