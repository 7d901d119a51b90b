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

  it("lets https images load (an e-mail's product images in the Sandbox and template previews, srcdoc iframes that take this policy) and widens nothing else", async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    const directives = Object.fromEntries(
      String(res.headers['content-security-policy'])
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...sources]) => [name!, sources]),
    );
    expect(directives['img-src']).toEqual(["'self'", 'data:', 'blob:', 'https:']);
    // Plain http images stay out (mixed content), and no other directive takes outside sources.
    expect(directives['img-src']).not.toContain('http:');
    expect(directives['img-src']).not.toContain('*');
    for (const [name, sources] of Object.entries(directives)) {
      if (name !== 'img-src') expect(sources, name).not.toContain('https:');
    }
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
  });

  it('the demo shop (a stand-in for a shop’s own site, inline tracker snippet) and the tracker script keep nosniff only', async () => {
    for (const url of ['/t.js', '/demo-shop']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBeUndefined();
    }
  });
});
