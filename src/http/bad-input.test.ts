// Bad input anywhere under /api is a 400 naming the field, never a 500: malformed typed filter
// values, filter fields that are object keys, forged cursors, dates outside 1900-01-01…9999-01-01, binary uploads.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../db/test-helpers.ts';
import type { App } from './app.ts';
import { createTwoShops, type Client } from './test-client.ts';

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const filter = (f: unknown) => `/api/customers?filter=${encodeURIComponent(JSON.stringify([f]))}`;

function multipart(name: string, filename: string, value: Buffer): { payload: Buffer; contentType: string } {
  const boundary = '----rapportbadinput';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`),
    value,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The start of an Excel workbook (.xlsx, a zip): NULs and high bytes before any line break. */
const binary = Buffer.concat([
  Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00]),
  Buffer.from('[Content_Types].xml'),
  Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37) % 256)),
]);

describeEachDb('bad input is a 400 naming the field', (getDb) => {
  let app: App;
  let owner: Client;

  beforeAll(async () => {
    ({ app, ownerA: owner } = await createTwoShops(getDb(), { names: ['Bad input A', 'Bad input B'] }));
    for (let i = 0; i < 3; i++) expect((await owner.post('/api/customers', { name: `고객 ${i}`, email: `bad-input-${i}@example.com` })).status).toBe(201);
    expect((await owner.post('/api/products', { sku: 'BAD-1', name: 'Mug', price: 1000, currency: 'KRW' })).status).toBeLessThan(300);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** 400, and the message starts its first complaint with `path` (schema errors say querystring for query). */
  const expect400 = (res: { status: number; body: any }, path: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toMatch(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}:`));
  };

  it.each([
    ['ownerUserId not a UUID', { field: 'ownerUserId', op: 'eq', value: 'not-a-uuid' }, 'query.filter[0].value'],
    ['ownerUserId in with a bad UUID', { field: 'ownerUserId', op: 'in', value: ['x'] }, 'query.filter[0].value'],
    ['a bad birthday', { field: 'birthday', op: 'eq', value: 'yesterday' }, 'query.filter[0].value'],
    ['a birthday that is no day', { field: 'birthday', op: 'gte', value: '2023-02-30' }, 'query.filter[0].value'],
    ['a time out of range', { field: 'signedUpAt', op: 'gte', value: '0000-01-01T00:00:00Z' }, 'query.filter[0].value'],
    ['field __proto__', { field: '__proto__', op: 'eq', value: 'x' }, 'query.filter[0].field'],
    ['field constructor', { field: 'constructor', op: 'exists' }, 'query.filter[0].field'],
  ])('a list filter with %s', async (_what, f, path) => {
    expect400(await owner.get(filter(f)), path);
  });

  it.each([
    ['createdFrom=99999-01-01', '/api/customers?createdFrom=99999-01-01', 'query.createdFrom'],
    ['createdTo=0000-01-01', '/api/customers?createdTo=0000-01-01', 'query.createdTo'],
    ['events from=0000-01-01T00:00:00Z', '/api/events?from=0000-01-01T00:00:00Z', 'query.from'],
    ['orders from=0000-01-01T00:00:00Z', '/api/orders?from=0000-01-01T00:00:00Z', 'query.from'],
    ['orders to=+099999-01-01T00:00:00Z', `/api/orders?to=${encodeURIComponent('+099999-01-01T00:00:00Z')}`, 'query.to'],
  ])('an out-of-range date: %s', async (_what, url, path) => {
    expect400(await owner.get(url), path);
  });

  it('the event volume up to the last accepted day stays within the range (found by the fuzz run)', async () => {
    const res = await owner.get('/api/events/volume?name=x&to=9999-01-01T00:00:00Z');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.to).toMatch(/^\d{4}-/);
    expect400(await owner.get('/api/events/volume?name=x&to=9999-12-31T23:59:59Z'), 'query.to');
  });

  it("an out-of-range window of a product's statistics", async () => {
    const id = (await owner.get('/api/products')).body.items[0].id as string;
    expect400(await owner.get(`/api/products/${id}?from=0000-01-01`), 'query.from');
  });

  it.each(['0000-01-01T00:00:00Z', '+099999-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '0000-01-01 00:00:00+00'])('an order placed at %s', async (placedAt) => {
    expect400(await owner.post('/api/orders', { placedAt, currency: 'KRW', items: [{ sku: 'BAD-1', unitPrice: 1000, quantity: 1 }] }), 'body.placedAt');
  });

  it('an out-of-range signedUpAt in a profile', async () => {
    expect400(await owner.post('/api/customers', { name: '옛 고객', signedUpAt: '0000-01-01T00:00:00Z' }), 'body.signedUpAt');
    const id = (await owner.get('/api/customers?limit=1')).body.items[0].id as string;
    expect400(await owner.patch(`/api/customers/${id}`, { signedUpAt: '0000-01-01T00:00:00Z' }), 'body.signedUpAt');
  });

  it.each([
    ['a time sort with a text value', '-createdAt', ['yesterday', '01900000-0000-7000-8000-000000000000']],
    ['a time sort with a year-0 value', '-createdAt', ['0000-01-01 00:00:00+00', '01900000-0000-7000-8000-000000000000']],
    ['an id of dashes', 'name', ['a', '------------------------------------']],
    ['an id that is no UUID', 'name', ['a', 'x']],
    ['a number as value', 'name', [5, '01900000-0000-7000-8000-000000000000']],
  ])('a forged customers cursor: %s', async (_what, sort, value) => {
    expect400(await owner.get(`/api/customers?sort=${sort}&cursor=${cursorOf(value)}`), 'query.cursor');
  });

  it.each([
    ['an id that is no UUID', ['Mug', 'x']],
    ['an id of dashes', ['Mug', '------------------------------------']],
    ['a number as value', [5, '01900000-0000-7000-8000-000000000000']],
  ])('a forged products cursor: %s', async (_what, value) => {
    expect400(await owner.get(`/api/products?cursor=${cursorOf(value)}`), 'query.cursor');
  });

  it.each([
    ['an id that is no UUID', '/api/orders', ['2025-01-01T00:00:00.000Z', 'x']],
    ['a time of year 0', '/api/orders', ['0000-01-01T00:00:00.000Z', '01900000-0000-7000-8000-000000000000']],
    ['a time of year 0', '/api/carts/abandoned', ['0000-01-01T00:00:00.000Z', 'c:01900000-0000-7000-8000-000000000000']],
    ['a key with a NUL', '/api/carts/abandoned', ['2025-01-01T00:00:00.000Z', 'a:\u0000']],
  ])('a forged cursor (%s) on %s', async (_what, url, value) => {
    expect400(await owner.get(`${url}?cursor=${cursorOf(value)}`), 'query.cursor');
  });

  it('a preference weight too small for a real (found by the fuzz run) is stored as 0', async () => {
    const id = (await owner.get('/api/customers?limit=1')).body.items[0].id as string;
    const res = await owner.put(`/api/customers/${id}/preferences`, { source: 'inferred', preferences: [{ category: 'mugs', weight: 2.27e-213 }] });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    expect((await owner.get(`/api/customers/${id}/preferences`)).body.items).toMatchObject([{ category: 'mugs', weight: 0 }]);
  });

  it.each([
    ['a query number too small for PostgreSQL (found by the fuzz run)', '/api/analytics/basket-rules?minConfidence=5e-324', 'query.minConfidence'],
    ['a NUL in a search', '/api/customers?q=a%00b', 'query.q'],
    ['a NUL in a product search', '/api/products?q=%00', 'query.q'],
  ])('%s', async (_what, url, path) => {
    expect400(await owner.get(url), path);
  });

  it('an empty workspace change (found by the fuzz run) changes nothing', async () => {
    const before = (await owner.get('/api/workspace')).body;
    const res = await owner.patch('/api/workspace', {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual(before);
  });

  it('an empty attribute change (found by the fuzz run) changes nothing', async () => {
    expect((await owner.post('/api/customer-attributes', { key: 'visits', label: 'Visits', type: 'number', purpose: 'analytics' })).status).toBe(201);
    const res = await owner.patch('/api/customer-attributes/visits', {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ key: 'visits', label: 'Visits' });
  });

  it('analytics rates too small for a real (found by the fuzz run) are stored as 0', async () => {
    const res = await owner.put('/api/analytics/settings', { churnPAlive: 2.5e-39, clvDiscountRate: 8.1e-166 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ churnPAlive: 0, clvDiscountRate: 0 });
  });

  it('an id longer than the router takes is a 400 in the one error form', async () => {
    const res = await owner.get(`/api/customers/${'x'.repeat(300)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
  });

  it.each(['/api/carts/abandoned?minValue=7012993807886931&limit=1e309', '/api/orders?limit=1e309', '/api/customers?limit=-1e309'])('a limit of ±Infinity: %s (found by the fuzz run)', async (url) => {
    expect400(await owner.get(url), 'query.limit');
  });

  it.each(['constructor', '__proto__', 'toString'])('an import encoding named %s (found by the fuzz run)', async (encoding) => {
    const csv = 'order_id,sku,quantity,unit_price\nO-1,BAD-1,1,1000\n';
    expect400(await owner.request('POST', `/api/commerce/imports?kind=orders&encoding=${encoding}`, csv, { 'content-type': 'text/csv' }), 'query.encoding');
    const boundary = '----rapportencoding';
    const payload = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="encoding"\r\n\r\n${encoding}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\nContent-Type: text/csv\r\n\r\nemail\na@b.co\r\n--${boundary}--\r\n`,
    );
    expect400(await owner.request('POST', '/api/imports', payload, { 'content-type': `multipart/form-data; boundary=${boundary}` }), 'body.encoding');
  });

  it('a binary file uploaded as a customers CSV', async () => {
    const { payload, contentType } = multipart('file', 'customers.csv', binary);
    expect400(await owner.request('POST', '/api/imports', payload, { 'content-type': contentType }), 'file');
  });

  it('a binary file uploaded as a products CSV', async () => {
    const { payload, contentType } = multipart('file', 'products.csv', binary);
    const res = await owner.request('POST', '/api/commerce/imports?kind=products', payload, { 'content-type': contentType });
    expect400(res, 'file');
  });
});
