// Headers that keep the UI and /docs from being framed, sniffed or made to run others' scripts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../db/test-helpers.ts';
import type { App } from './app.ts';
import { createTestApp } from './test-client.ts';

describeEachDb('security headers', (getDb) => {
  let app: App;
  beforeAll(async () => {
    app = await createTestApp(getDb());
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(['/', '/login', '/settings/members', '/invite', '/docs', '/docs/static/index.html', '/u/not-a-real-token-at-all', '/api/health', '/api/me'])(
    '%s has CSP with frame-ancestors, X-Frame-Options and nosniff',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("script-src 'self' 'unsafe-inline'");
      expect(csp).toContain("object-src 'none'");
    },
  );

  it('the demo shop (a stand-in for a shop’s own site, inline tracker snippet) and the tracker script keep nosniff only', async () => {
    for (const url of ['/t.js', '/demo-shop']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBeUndefined();
    }
  });
});
