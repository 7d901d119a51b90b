// The workspace the OpenAPI fuzz run works on: customers with notes, identities and a merge,
// attributes, a saved view, products, orders, events, segments, an import, API keys and
// members, made through the API, with their ids for the path parameters of the fuzzed routes.
import { expect } from 'vitest';
import type { Database } from '../../src/db/connection.ts';
import { addTestMember, type TestWorkspace } from '../../src/db/test-helpers.ts';
import type { App } from '../../src/http/app.ts';
import type { Client, TestResponse } from '../../src/http/test-client.ts';

export type Seeded = {
  secretKey: string;
  writeKey: string;
  /** Real ids for the parameter `param` of the route `path` (those a request may spend: throwaway keys and members). */
  idsFor(path: string, param: string): string[];
  /** Every id made, for uuid-formatted fields anywhere. */
  allIds(): string[];
};

const ok = (res: TestResponse, what: string) => {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
};

export async function seedWorkspace(app: App, database: Database, shop: TestWorkspace, owner: Client): Promise<Seeded> {
  const ids: Record<string, string[]> = {};
  const add = (kind: string, id: unknown) => {
    if (typeof id === 'string') (ids[kind] ??= []).push(id);
  };

  ok(await owner.post('/api/customer-attributes', { key: 'region', label: '지역', type: 'text', purpose: 'service' }), 'attribute');
  ok(await owner.post('/api/customer-attributes', { key: 'visits', label: 'Visits', type: 'number', purpose: 'analytics' }), 'attribute');
  add('attribute', 'region');
  add('attribute', 'visits');

  for (let i = 0; i < 10; i++) {
    const body = ok(
      await owner.post('/api/customers', {
        name: `퍼즈 고객 ${i}`,
        email: `fuzz-${i}@example.com`,
        phone: `010-5555-${String(1000 + i)}`,
        birthday: `19${80 + i}-0${1 + (i % 9)}-1${i}`,
        tags: i % 2 ? ['vip'] : ['new'],
        attributes: { region: i % 2 ? '서울' : '부산', visits: i },
      }),
      'customer',
    );
    add('customer', body.id);
  }
  const customers = ids.customer!;
  for (const id of customers.slice(0, 4)) {
    add('note', ok(await owner.post(`/api/customers/${id}/notes`, { body: '전화 요청 · asked for a call' }), 'note').id);
    for (const identity of ok(await owner.get(`/api/customers/${id}/identities`), 'identities').items ?? []) add('identity', identity.id);
  }
  const merged = ok(await owner.post(`/api/customers/${customers[8]}/merge`, { otherId: customers[9] }), 'merge');
  add('merge', merged.mergeId ?? merged.merge?.id ?? merged.id);
  for (const m of ok(await owner.get(`/api/customers/${customers[8]}/merges`), 'merges').items ?? []) add('merge', m.id);

  add('view', ok(await owner.post('/api/customer-views', { name: 'VIP', query: { tag: ['vip'] }, columns: ['name', 'email'] }), 'view').id);

  for (let i = 0; i < 3; i++) {
    add('product', ok(await owner.post('/api/products', { sku: `FZ-${i}`, name: `Mug ${i}`, price: 1000 * (i + 1), currency: 'KRW', category: 'Kitchen > Mugs' }), 'product').id);
  }
  for (let i = 0; i < 3; i++) {
    const order = ok(await owner.post('/api/orders', { customerId: customers[i], currency: 'KRW', items: [{ sku: `FZ-${i}`, unitPrice: 1000, quantity: 2 }] }), 'order');
    add('order', order.id ?? order.items?.[0]?.id);
  }

  const secret = ok(await owner.post('/api/keys', { kind: 'secret', role: 'admin', name: 'fuzz secret' }), 'secret key');
  const write = ok(await owner.post('/api/keys', { kind: 'write', name: 'fuzz write' }), 'write key');
  for (let i = 0; i < 3; i++) add('key', ok(await owner.post('/api/keys', { kind: 'secret', name: `throwaway ${i}` }), 'key').id);

  const batch = [
    { type: 'identify', userId: 'fuzz-user-0', traits: { email: 'fuzz-0@example.com', name: '퍼즈 고객 0' } },
    { type: 'track', userId: 'fuzz-user-0', event: 'Product Viewed', properties: { sku: 'FZ-0', price: 1000 } },
    { type: 'track', anonymousId: 'anon-fuzz', event: 'Product Added', properties: { sku: 'FZ-1', price: 2000, quantity: 1, currency: 'KRW' } },
    { type: 'page', anonymousId: 'anon-fuzz', name: 'Home', properties: { url: 'https://shop.example/?q=x' } },
  ];
  ok(await owner.request('POST', '/v1/batch', { batch }, { authorization: `Bearer ${secret.key}`, cookie: '' }), 'events');
  for (const e of ok(await owner.get('/api/events?limit=20'), 'events').items ?? []) add('event', e.id);

  ok(await owner.post('/api/segments/starters'), 'starter segments');
  for (const s of ok(await owner.get('/api/segments'), 'segments').segments ?? []) add('segment', s.id);

  const boundary = '----rapportfuzzseed';
  const csv = 'email,name,region\nimport-1@example.com,가져온 고객,서울\nbad-email,누구,\n';
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="mapping"\r\n\r\n{"email":"email","name":"name","region":"attributes.region"}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`,
  );
  add('import', ok(await owner.request('POST', '/api/imports', payload, { 'content-type': `multipart/form-data; boundary=${boundary}` }), 'import').id);
  const uploaded = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`);
  add('import', ok(await owner.request('POST', '/api/imports', uploaded, { 'content-type': `multipart/form-data; boundary=${boundary}` }), 'import').id);

  for (let i = 0; i < 3; i++) add('member', (await addTestMember(database, shop.workspace.id, 'marketer')).id);
  void app;

  const byPrefix: [string, string][] = [
    ['/api/customer-attributes', 'attribute'],
    ['/api/customer-views', 'view'],
    ['/api/customers', 'customer'],
    ['/api/products', 'product'],
    ['/api/orders', 'order'],
    ['/api/segments', 'segment'],
    ['/api/imports', 'import'],
    ['/api/keys', 'key'],
    ['/api/events', 'event'],
  ];
  const byParam: Record<string, string> = { userId: 'member', noteId: 'note', identityId: 'identity', mergeId: 'merge', key: 'attribute' };
  return {
    secretKey: secret.key,
    writeKey: write.key,
    idsFor(path, param) {
      const kind = byParam[param] ?? byPrefix.find(([prefix]) => path.startsWith(prefix))?.[1];
      return kind ? (ids[kind] ?? []) : [];
    },
    allIds: () => Object.entries(ids).flatMap(([kind, list]) => (kind === 'attribute' ? [] : list)),
  };
}
