// HTTP tests of the commerce CSV imports: products and orders, as a text body or multipart,
// UTF-8 and CP949, rejected rows by line with the good rows kept, roles and isolation.
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb, TEST_PASSWORD, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTestApp, loginClient, roleClients } from '../http/test-client.ts';
import { can, ROLES, type Role } from '../workspaces/roles.ts';

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

const csvBody = (client: Client, kind: string, csv: string | Buffer) => client.request('POST', `/api/commerce/imports?kind=${kind}`, csv, { 'content-type': 'text/csv' });
function upload(client: Client, kind: string, csv: string | Buffer, fields: Record<string, string> = {}) {
  const { payload, contentType } = multipart([...Object.entries(fields).map(([name, value]) => ({ name, value })), { name: 'file', value: csv, filename: `${kind}.csv` }]);
  return client.request('POST', `/api/commerce/imports?kind=${kind}`, payload, { 'content-type': contentType });
}

describeEachDb('commerce imports API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let ownerA: Client;
  let as: Record<Role, Client>;

  beforeAll(async () => {
    app = await createTestApp(getDb());
    a = await createTestWorkspace(getDb(), 'Import shop');
    as = await roleClients(app, getDb(), a);
    ownerA = as.owner;
  });
  afterAll(async () => {
    await app.close();
  });

  it('imports products from a text/csv body: prices in major units, other columns as attributes, bad rows by line', async () => {
    const csv = [
      'SKU,Product Name,Brand,Category,Price,Currency,Colour',
      'P-100,"Linen Shirt, navy",Rapport,Men > Shirts,"59,000",,navy',
      'P-101,Cap,,Acc,12.99,USD,',
      ',Nameless,,,1000,,',
      'P-102,Tee,,,"free",,',
      'P-103,"Broken "" quote,,,1,,',
      '',
      'P-100,Linen Shirt,,,49000,,',
    ].join('\r\n');
    const res = await csvBody(ownerA, 'products', csv);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ kind: 'products', encoding: 'utf-8', rows: 6, created: 2, updated: 1, failed: 3 });
    expect(res.body.errors).toEqual([
      { line: 4, column: 'SKU', message: 'the SKU is empty' },
      { line: 5, column: 'Price', message: '"free" is not an amount (write 12.99 or 89,000)' },
      { line: 6, message: expect.stringContaining('column 2') },
    ]);
    const list = await ownerA.get('/api/products?q=P-10');
    const bySku = Object.fromEntries(list.body.items.map((p: { sku: string }) => [p.sku, p]));
    expect(bySku['P-100']).toMatchObject({ name: 'Linen Shirt', brand: 'Rapport', category: 'Men > Shirts', price: 49000, currency: 'KRW', attributes: { Colour: 'navy' } });
    expect(bySku['P-101']).toMatchObject({ name: 'Cap', price: 1299, currency: 'USD', attributes: {} });
  });

  it('imports orders from a CP949 upload: lines grouped by order id, customers by e-mail, bad orders reported, re-import changes nothing', async () => {
    const c = await ownerA.post('/api/customers', { name: '김민지', email: 'minji.import@example.com' });
    const csv = [
      '주문번호,주문일시,이메일,상품코드,상품명,수량,단가,배송비,결제금액',
      '2001,2024-05-01 13:45,minji.import@example.com,A-1,셔츠,2,"30,000",3000,"63,000"',
      '2001,,,A-2,양말,1,"5,000",,',
      '2002,2024-05-02,nobody@example.com,A-1,셔츠,1,30000,,',
      '2003,2024-05-03,,A-9,모자,x,1000,,',
      '2004,2024-05-04,,A-1,셔츠,1,30000,,',
      '2001,2024-05-05,,A-1,셔츠,1,30000,,',
    ].join('\n');
    const res = await upload(ownerA, 'orders', iconv.encode(csv, 'cp949'));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ kind: 'orders', encoding: 'cp949', rows: 6, created: 2, updated: 0, failed: 3 });
    expect(res.body.errors).toEqual([
      { line: 4, message: 'order "2002".customer.email: no customer has the e-mail "nobody@example.com"' },
      { line: 5, column: '수량', message: '"x" is not a quantity (a whole number ≥ 1)' },
      { line: 7, message: 'order "2001" appeared on earlier rows: keep the lines of an order on consecutive rows' },
    ]);
    const orders = await ownerA.get(`/api/customers/${c.body.id}/orders`);
    expect(orders.body.items).toHaveLength(1);
    expect(orders.body.items[0]).toMatchObject({
      externalId: '2001',
      source: 'import',
      placedAt: '2024-05-01T04:45:00.000Z',
      shipping: 3000,
      total: 63000,
      subtotal: 65000,
      items: [
        { line: 1, sku: 'A-1', name: '셔츠', quantity: 2, unitPrice: 30000 },
        { line: 2, sku: 'A-2', name: '양말', quantity: 1, unitPrice: 5000 },
      ],
    });
    const again = await upload(ownerA, 'orders', iconv.encode(csv, 'cp949'), { encoding: 'cp949' });
    expect(again.body).toMatchObject({ created: 0, updated: 2, failed: 3 });
    const audit = await ownerA.get('/api/audit?action=commerce.import_orders');
    expect(audit.body.items[0].after).toMatchObject({ fileName: 'orders.csv', encoding: 'cp949', rows: 6, created: 0, updated: 2, failed: 3 });
  });

  it.each([
    ['products', 'name,price\nx,1\n', 'file: no column holds the SKU'],
    ['orders', 'sku,price\nx,1\n', 'file: no column holds the order id'],
    ['products', '', 'body: send the CSV'],
    ['stock', 'sku\nx\n', 'query.kind'],
  ])('refuses a %s import of %j with a 400 naming the problem', async (kind, csv, message) => {
    const res = await csvBody(ownerA, kind, csv);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
  });

  it('refuses a multipart body without a file and an unknown encoding', async () => {
    const { payload, contentType } = multipart([{ name: 'encoding', value: 'utf-8' }]);
    const res = await ownerA.request('POST', '/api/commerce/imports?kind=products', payload, { 'content-type': contentType });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('body.file: is required');
    const latin = await ownerA.request('POST', '/api/commerce/imports?kind=products&encoding=latin1', 'sku\nx\n', { 'content-type': 'text/csv' });
    expect(latin.status).toBe(400);
    expect(latin.body.error.message).toContain('query.encoding');
  });

  it.each(ROLES.map((r) => [r]))('%s may import only with commerce.write', async (role) => {
    const res = await csvBody(as[role]!, 'products', `sku,name\nROLE-${role},x\n`);
    expect(res.status).toBe(can(role, 'commerce.write') ? 200 : 403);
  });

  it('imports into the caller’s workspace only', async () => {
    const b = await createTestWorkspace(getDb(), 'Other shop');
    const ownerB = await loginClient(app, b.owner.email, TEST_PASSWORD);
    expect((await csvBody(ownerB, 'products', 'sku,name\nONLY-B,b\n')).body.created).toBe(1);
    expect((await ownerA.get('/api/products?q=ONLY-B')).body.items).toHaveLength(0);
    // The same order id in another workspace is another order.
    expect((await csvBody(ownerB, 'orders', 'order_id,sku,price\n2001,A-1,1\n')).body.created).toBe(1);
    expect((await ownerB.get('/api/orders')).body.items).toHaveLength(1);
  });
});
