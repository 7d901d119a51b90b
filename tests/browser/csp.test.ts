// The web UI and the API docs under Rapport's Content-Security-Policy, in a real Chromium:
// they must render with no violation reported (inline scripts or foreign sources would be).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, logIn, newPage, screenshot } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** Collects every CSP violation the page reports, from the console and the DOM event. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) seen.push(msg.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Refused to load (CSP ${e.violatedDirective}): ${e.blockedURI}`);
    });
  });
  return seen;
}

it('the UI renders its pages with no CSP violation', async () => {
  const { context, page } = await newPage(browser, app.url);
  try {
    const violations = await watchViolations(page);
    const response = await page.goto('/login');
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await logIn(page, app.email, app.password);
    for (const path of ['/', '/customers', '/segments', '/analytics', '/settings/members', '/settings/general']) {
      await page.goto(path);
      await page.getByTestId('navbar').waitFor();
      await page.waitForLoadState('networkidle');
    }
    await screenshot(page, 'csp-ui');
    expect(violations).toEqual([]);
    // The watch is not blind: an injected inline script is refused and reported.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.appendChild(script);
    });
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
  } finally {
    await context.close();
  }
});

it('/docs (Swagger UI) renders the API with no CSP violation', async () => {
  const { context, page } = await newPage(browser, app.url);
  try {
    const violations = await watchViolations(page);
    const response = await page.goto('/docs');
    await page.locator('.swagger-ui .info .title').waitFor();
    await page.locator('.swagger-ui .opblock').first().waitFor();
    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('Rapport API');
    expect(response?.headers()['x-content-type-options']).toBe('nosniff');
    await screenshot(page, 'csp-docs');
    expect(violations).toEqual([]);
  } finally {
    await context.close();
  }
});
