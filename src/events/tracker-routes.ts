// Serves the browser tracker (`/t.js`) and the demo shop that uses it (`/demo-shop`). Public
// pages: no credentials are read or needed; the shop's write key comes from demo-shop/write-key.ts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { generateCatalogue, type SyntheticProduct } from '../demo-data/generate.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { renderCart, renderCategory, renderCheckout, renderHome, renderOrder, renderProduct, renderSignIn, productSvg, type Lang, type PageOptions } from './demo-shop/pages.ts';
import { demoKeySource, writeKeyOrNull } from './demo-shop/write-key.ts';

// The same depth from src/events/ and from the server bundle in dist/server/.
const sourceDir = (name: string) => fileURLToPath(new URL(`../../src/events/${name}`, import.meta.url));

/** The seed of the demo data: the shop shows the catalogue the demo behaviour was made with. */
export const DEMO_SEED = 42;

const KEY_COOKIE = 'rapport_demo_key';
const LANG_COOKIE = 'rapport_demo_lang';
const PUBLIC = { auth: 'public' as const };
const HIDDEN = { hide: true };

type Asset = { body: Buffer; etag: string; type: string };

function asset(file: string, type: string): Asset {
  const body = fs.readFileSync(file);
  return { body, etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`, type };
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, a: Asset, cacheControl: string) {
  reply.header('cache-control', cacheControl).header('etag', a.etag).header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === a.etag) return reply.status(304).send();
  return reply.type(a.type).send(a.body);
}

function langOf(request: FastifyRequest, reply: FastifyReply): Lang {
  const asked = (request.query as Record<string, unknown>).lang;
  if (asked === 'ko' || asked === 'en') {
    reply.setCookie(LANG_COOKIE, asked, { path: '/demo-shop', sameSite: 'lax', maxAge: 365 * 86_400 });
    return asked;
  }
  const kept = request.cookies[LANG_COOKIE];
  if (kept === 'ko' || kept === 'en') return kept;
  const accept = String(request.headers['accept-language'] ?? '').toLowerCase();
  // Korean unless the browser prefers another language.
  return accept === '' || accept.startsWith('ko') ? 'ko' : 'en';
}

export async function registerTrackerRoutes(app: App, { database, config }: AppDeps): Promise<void> {
  const tracker = asset(sourceDir('tracker/t.js'), 'application/javascript; charset=utf-8');
  const shopJs = asset(sourceDir('demo-shop/shop.js'), 'application/javascript; charset=utf-8');
  const shopCss = asset(sourceDir('demo-shop/shop.css'), 'text/css; charset=utf-8');
  const catalogue: SyntheticProduct[] = generateCatalogue({ seed: DEMO_SEED });
  const products = () => catalogue;
  const demoKey = demoKeySource(database, {
    enabled: config.demo,
    dataDir: config.dataDir,
    demoSku: catalogue[0]!.sku,
    log: (message) => app.log.warn(message),
  });

  app.get('/t.js', { config: PUBLIC, schema: HIDDEN }, async (request, reply) => {
    // Sites embed it from another origin; an hour of caching, revalidated by ETag after that.
    reply.header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin');
    return sendAsset(request, reply, tracker, 'public, max-age=3600, stale-while-revalidate=86400');
  });

  app.get('/demo-shop/shop.js', { config: PUBLIC, schema: HIDDEN }, (request, reply) => sendAsset(request, reply, shopJs, 'public, max-age=300'));
  app.get('/demo-shop/shop.css', { config: PUBLIC, schema: HIDDEN }, (request, reply) => sendAsset(request, reply, shopCss, 'public, max-age=300'));

  app.get('/demo-shop/img/:file', { config: PUBLIC, schema: HIDDEN }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const sku = file.replace(/\.svg$/, '');
    const product = products().find((p) => p.sku === sku);
    if (!product || !file.endsWith('.svg')) return reply.status(404).type('text/plain; charset=utf-8').send('No such picture');
    return reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml; charset=utf-8').send(productSvg(product));
  });

  /** Renders a page with the write key and language of this request; 404 when `render` finds nothing. */
  const page = (render: (o: PageOptions, params: Record<string, string>) => string | undefined) => async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, unknown>;
    let writeKey: string | null = null;
    if (typeof query.key === 'string') {
      // ?key= chooses the workspace the shop sends to; an empty one goes back to the default.
      writeKey = writeKeyOrNull(query.key);
      if (writeKey) reply.setCookie(KEY_COOKIE, writeKey, { path: '/demo-shop', sameSite: 'lax', httpOnly: true, maxAge: 30 * 86_400 });
      else reply.clearCookie(KEY_COOKIE, { path: '/demo-shop' });
    } else {
      writeKey = writeKeyOrNull(request.cookies[KEY_COOKIE]);
    }
    writeKey ??= await demoKey.get();
    const lang = langOf(request, reply);
    const path = request.url.split('?')[0] ?? '/demo-shop';
    const html = render({ lang, writeKey, path, catalogue: products() }, request.params as Record<string, string>);
    // Revalidated every time, but not no-store: that would keep pages out of the back/forward
    // cache, and a product page coming back from it is how dwell time resumes after a visit elsewhere.
    reply.header('cache-control', 'private, no-cache').header('referrer-policy', 'same-origin');
    if (html === undefined) return reply.status(404).type('text/plain; charset=utf-8').send('Not found in the demo shop');
    return reply.type('text/html; charset=utf-8').send(html);
  };

  app.get('/demo-shop', { config: PUBLIC, schema: HIDDEN }, page(renderHome));
  app.get('/demo-shop/', { config: PUBLIC, schema: HIDDEN }, page(renderHome));
  app.get('/demo-shop/c/:department/:key', { config: PUBLIC, schema: HIDDEN }, page((o, p) => renderCategory(o, p.department!, p.key!)));
  app.get('/demo-shop/p/:sku', { config: PUBLIC, schema: HIDDEN }, page((o, p) => renderProduct(o, p.sku!)));
  app.get('/demo-shop/cart', { config: PUBLIC, schema: HIDDEN }, page(renderCart));
  app.get('/demo-shop/checkout', { config: PUBLIC, schema: HIDDEN }, page(renderCheckout));
  app.get('/demo-shop/order', { config: PUBLIC, schema: HIDDEN }, page(renderOrder));
  app.get('/demo-shop/signin', { config: PUBLIC, schema: HIDDEN }, page(renderSignIn));
}
