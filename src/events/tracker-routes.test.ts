import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalogue } from '../demo-data/generate.ts';
import { upsertProducts } from '../commerce/products.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { createTestApp } from '../http/test-client.ts';
import type { App } from '../http/deps.ts';
import { systemActor } from '../workspaces/audit.ts';
import { createApiKey, listApiKeys, resolveApiKey, revokeApiKey } from '../workspaces/api-keys.ts';
import { DEMO_SHOP_KEY_FILE, DEMO_SHOP_KEY_NAME, demoKeySource } from './demo-shop/write-key.ts';
import { DEMO_SEED } from './tracker-routes.ts';

const catalogue = generateCatalogue({ seed: DEMO_SEED });
const product = catalogue.find((p) => p.category === '여성 > 신발 > 스니커즈')!;

describeEachDb('tracker and demo shop routes', (database) => {
  let app: App;
  let writeKey: string;
  let secretKey: string;
  beforeAll(async () => {
    app = await createTestApp(database());
    const { workspace } = await createTestWorkspace(database());
    const make = (kind: 'write' | 'secret') =>
      database().db.transaction((tx) => createApiKey(tx, { workspaceId: workspace.id, actor: systemActor, actorRole: null, kind, name: `test ${kind}` }));
    writeKey = (await make('write')).key;
    secretKey = (await make('secret')).key;
  });
  afterAll(async () => {
    await app?.close();
  });
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  describe('/t.js', () => {
    it('serves the tracker to anyone, cacheable and revalidated by ETag', async () => {
      const res = await get('/t.js');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
      expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+/);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.body).toContain("library: { name: 'rapport.js'");
      const etag = String(res.headers.etag);
      expect(etag).toMatch(/^"[\w-]{22}"$/);
      const again = await get('/t.js', { 'if-none-match': etag });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect((await get('/t.js', { 'if-none-match': '"other"' })).statusCode).toBe(200);
    });
  });

  describe('/demo-shop', () => {
    it('without a key (RAPPORT_DEMO off) shows the shop, no tracker, and how to give a key', async () => {
      const res = await get('/demo-shop');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('data-testid="no-key"');
      expect(res.body).not.toContain('src="/t.js"');
      expect(res.body).toContain('data-rapport-list="home-new-arrivals"');
    });

    it('embeds a write key given with ?key= and keeps it in a cookie for the other pages', async () => {
      const res = await get(`/demo-shop?key=${writeKey}`);
      expect(res.body).toContain(`<script src="/t.js" data-write-key="${writeKey}"`);
      expect(res.body).not.toContain('data-testid="no-key"');
      const cookie = res.cookies.find((c) => c.name === 'rapport_demo_key')!;
      expect(cookie).toMatchObject({ value: writeKey, path: '/demo-shop', httpOnly: true, sameSite: 'Lax' });
      const next = await get(`/demo-shop/p/${product.sku}`, { cookie: `rapport_demo_key=${writeKey}` });
      expect(next.body).toContain(`data-write-key="${writeKey}"`);
      // An empty ?key= forgets it.
      const cleared = await get('/demo-shop?key=', { cookie: `rapport_demo_key=${writeKey}` });
      expect(cleared.body).toContain('data-testid="no-key"');
      expect(cleared.cookies.find((c) => c.name === 'rapport_demo_key')?.value).toBe('');
    });

    it.each([
      ['a secret key', () => secretKey],
      ['markup', () => '"><script>alert(1)</script>'],
      ['a key of the wrong shape', () => 'wk_short'],
    ])('never embeds %s given as a key', async (_what, key) => {
      const res = await get(`/demo-shop?key=${encodeURIComponent(key())}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('src="/t.js"');
      expect(res.body).not.toContain(key());
      expect(res.body).toContain('data-testid="no-key"');
    });

    it('marks a product page for the tracker with the catalogue product', async () => {
      const res = await get(`/demo-shop/p/${product.sku}?key=${writeKey}`);
      expect(res.statusCode).toBe(200);
      for (const attr of [
        'data-rapport-product',
        `data-sku="${product.sku}"`,
        `data-name="${product.name}"`,
        `data-brand="${product.brand}"`,
        'data-category="여성 &gt; 신발 &gt; 스니커즈"',
        `data-price="${product.price}"`,
        'data-currency="KRW"',
        'data-rapport-click="Size Guide Opened"',
        'data-rapport-list="related"',
        'data-testid="add-to-cart"',
      ]) {
        expect(res.body).toContain(attr);
      }
      expect((await get('/demo-shop/p/NOPE-0000')).statusCode).toBe(404);
    });

    it('lists a category with its products as a tracked list', async () => {
      const res = await get('/demo-shop/c/women/shoes');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('data-rapport-list="women-shoes" data-category="여성 &gt; 신발"');
      const shown = res.body.match(/data-testid="product-card"/g)?.length ?? 0;
      expect(shown).toBe(catalogue.filter((p) => p.department === 'women' && p.categoryKey === 'shoes').length);
      expect((await get('/demo-shop/c/women/spaceships')).statusCode).toBe(404);
    });

    it.each(['/demo-shop/cart', '/demo-shop/checkout', '/demo-shop/order', '/demo-shop/signin', '/demo-shop/'])('serves %s', async (url) => {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<script src="/demo-shop/shop.js" defer></script>');
      expect(res.headers['cache-control']).toBe('private, no-cache');
    });

    it('speaks Korean or English: Accept-Language, then ?lang= kept in a cookie', async () => {
      expect((await get(`/demo-shop/p/${product.sku}`, { 'accept-language': 'ko-KR,ko;q=0.9' })).body).toContain('장바구니 담기');
      expect((await get(`/demo-shop/p/${product.sku}`, { 'accept-language': 'en-US,en;q=0.9' })).body).toContain('Add to cart');
      const res = await get('/demo-shop?lang=ko', { 'accept-language': 'en-US' });
      expect(res.body).toContain('<html lang="ko">');
      expect(res.cookies.find((c) => c.name === 'rapport_demo_lang')?.value).toBe('ko');
      expect((await get('/demo-shop', { 'accept-language': 'en-US', cookie: 'rapport_demo_lang=ko' })).body).toContain('<html lang="ko">');
    });

    it('serves the shop script, stylesheet and product pictures', async () => {
      const js = await get('/demo-shop/shop.js');
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toBe('application/javascript; charset=utf-8');
      expect((await get('/demo-shop/shop.css')).headers['content-type']).toBe('text/css; charset=utf-8');
      const svg = await get(product.imageUrl);
      expect(svg.statusCode).toBe(200);
      expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(svg.body).toContain(product.attributes.colourHex);
      expect((await get('/demo-shop/img/NOPE-0000.svg')).statusCode).toBe(404);
      expect((await get(`/demo-shop/img/${product.sku}.png`)).statusCode).toBe(404);
    });
  });

  describe('the demo workspace key (RAPPORT_DEMO on)', () => {
    const dirs: string[] = [];
    const tempDir = () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-demo-key-'));
      dirs.push(dir);
      return dir;
    };
    afterAll(() => {
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    });
    async function demoWorkspace(withDemoData: boolean) {
      const { workspace } = await createTestWorkspace(database());
      if (withDemoData) {
        await upsertProducts(database().db, { workspaceId: workspace.id, defaultCurrency: 'KRW', products: [{ sku: catalogue[0]!.sku, name: catalogue[0]!.name, price: catalogue[0]!.price }] });
      }
      return workspace.id;
    }
    const source = (workspaceId: string, dataDir: string, enabled = true) =>
      demoKeySource(database(), { enabled, dataDir, demoSku: catalogue[0]!.sku, demoWorkspace: async () => workspaceId });

    it('creates a write key in the demo workspace once and keeps it in the data directory', async () => {
      const workspaceId = await demoWorkspace(true);
      const dataDir = tempDir();
      const key = await source(workspaceId, dataDir).get();
      expect(key).toMatch(/^wk_/);
      const resolved = await resolveApiKey(database().db, key!);
      expect(resolved).toMatchObject({ workspaceId, kind: 'write', name: DEMO_SHOP_KEY_NAME, role: null });
      const file = path.join(dataDir, DEMO_SHOP_KEY_FILE);
      expect(fs.readFileSync(file, 'utf8').trim()).toBe(key);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      // A restart reads it back instead of making another.
      expect(await source(workspaceId, dataDir).get()).toBe(key);
      expect((await listApiKeys(database().db, workspaceId)).filter((k) => k.name === DEMO_SHOP_KEY_NAME)).toHaveLength(1);
    });

    it('stops embedding a revoked key and never replaces it', async () => {
      const workspaceId = await demoWorkspace(true);
      const dataDir = tempDir();
      const key = (await source(workspaceId, dataDir).get())!;
      const { id } = (await resolveApiKey(database().db, key))!;
      await database().db.transaction((tx) => revokeApiKey(tx, { workspaceId, actor: systemActor, id }));
      expect(await source(workspaceId, dataDir).get()).toBeNull();
      expect((await listApiKeys(database().db, workspaceId)).filter((k) => k.name === DEMO_SHOP_KEY_NAME && !k.revokedAt)).toHaveLength(0);
    });

    it('makes no key for a workspace without the demo data, or with RAPPORT_DEMO off', async () => {
      const plain = await demoWorkspace(false);
      expect(await source(plain, tempDir()).get()).toBeNull();
      expect(await listApiKeys(database().db, plain)).toEqual([]);
      const demo = await demoWorkspace(true);
      const dataDir = tempDir();
      expect(await source(demo, dataDir, false).get()).toBeNull();
      expect(fs.existsSync(path.join(dataDir, DEMO_SHOP_KEY_FILE))).toBe(false);
      expect(await listApiKeys(database().db, demo)).toEqual([]);
    });
  });
});
