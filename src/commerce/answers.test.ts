// A product's attributes reach the caller whole through the response serialiser, a key with a
// line break in it too (a record's `^.*$` key pattern does not match it, and the key was dropped).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops } from '../http/test-client.ts';

const ATTRIBUTES = { 'line\nbreak': '1', 'separator\u2028line': '2', colour: 'navy' };

describeEachDb('commerce answers keep every key', (getDb) => {
  let app: App;
  let ownerA: Client;

  beforeAll(async () => {
    ({ app, ownerA } = await createTwoShops(getDb()));
  });
  afterAll(async () => {
    await app.close();
  });

  it("a product keeps its attributes' keys", async () => {
    const created = await ownerA.post('/api/products', { sku: 'KEYS-01', name: '키', price: 1000, attributes: ATTRIBUTES });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.attributes).toEqual(ATTRIBUTES);
    const read = await ownerA.get(`/api/products/${created.body.id}`);
    expect(read.body.attributes).toEqual(ATTRIBUTES);
  });
});
