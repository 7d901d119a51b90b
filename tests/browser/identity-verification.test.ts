// Identity verification in a real Chromium against a real server: an admin makes and shows the
// secret on the API keys page (English and Korean), and the tracker's identify changes a known
// customer only when it carries the user hash the shop's server made with it.
import crypto from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, launchBrowser, logIn, newPage, screenshot, type Api } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;
let api: Api;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  api = await apiAs(app.url, app.email, app.password);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** The secret as the settings page shows it, made there first when `make`. */
async function secretFromSettings(page: Page, labels: { show: string; create: string; rotate: string }, make: boolean): Promise<string> {
  await page.goto('/settings/api-keys');
  const card = page.getByTestId('identity-verification');
  await card.getByRole('button', { name: labels.show }).click();
  if (make) {
    await card.getByRole('button', { name: labels.create }).click();
    await page.getByRole('dialog').getByRole('button', { name: labels.rotate }).click();
  }
  const shown = card.getByTestId('verification-secret');
  await shown.waitFor();
  return ((await shown.textContent()) ?? '').trim();
}

describe('identity verification', () => {
  it('an admin makes the secret on the API keys page and sees it again, in English and Korean', async () => {
    const { context, page } = await newPage(browser, app.url);
    try {
      await logIn(page, app.email, app.password);
      await page.goto('/settings/api-keys');
      await page.getByRole('heading', { name: 'Identity verification' }).waitFor();
      // Hidden until asked for; none yet.
      expect(await page.getByTestId('verification-secret').count()).toBe(0);
      await page.getByTestId('identity-verification').getByRole('button', { name: 'Show secret' }).click();
      await page.getByText('No secret yet').waitFor();
      const made = await secretFromSettings(page, { show: 'Show secret', create: 'Create secret', rotate: 'Rotate secret' }, true);
      expect(made).toMatch(/^iv_[A-Za-z0-9_-]{40,}$/);
      await screenshot(page, 'identity-verification-en');
      expect((await api<{ secret: string }>('GET', '/api/identity-verification')).body.secret).toBe(made);
    } finally {
      await context.close();
    }

    const ko = await newPage(browser, app.url, { locale: 'ko-KR' });
    try {
      await ko.page.goto('/login');
      await ko.page.evaluate(() => localStorage.setItem('rapport.language', 'ko'));
      await ko.page.goto('/login');
      await ko.page.locator('input[name="email"]').fill(app.email);
      await ko.page.locator('input[name="password"]').fill(app.password);
      await ko.page.locator('button[type="submit"]').click();
      await ko.page.getByTestId('navbar').waitFor();
      await ko.page.goto('/settings/api-keys');
      await ko.page.getByRole('heading', { name: '신원 확인' }).waitFor();
      const shown = await secretFromSettings(ko.page, { show: '비밀 값 보기', create: '비밀 값 만들기', rotate: '비밀 값 교체' }, false);
      expect(shown).toMatch(/^iv_/);
      await screenshot(ko.page, 'identity-verification-ko');
    } finally {
      await ko.context.close();
    }
  });

  it("the tracker's identify changes a known customer only with the user hash", async () => {
    const writeKey = (await api<{ key: string }>('POST', '/api/keys', { kind: 'write', name: 'site' })).body.key;
    const secretKey = (await api<{ key: string }>('POST', '/api/keys', { kind: 'secret', role: 'admin', name: 'server' })).body.key;
    const secret = (await api<{ secret: string }>('POST', '/api/identity-verification/rotate')).body.secret;
    // A known customer, made by the shop's server.
    const userId = `known-${crypto.randomUUID()}`;
    const sent = await fetch(`${app.url}/v1/identify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secretKey}` },
      body: JSON.stringify({ userId, traits: { name: '박서준', email: `${userId}@shop.kr` } }),
    });
    expect(sent.status).toBe(200);
    const customerOf = async () => {
      const res = await api<{ items: { id: string; name: string }[] }>('GET', `/api/customers?q=${encodeURIComponent(`${userId}@shop.kr`)}`);
      return res.body.items[0]!;
    };
    const customer = await customerOf();

    const identifyIn = async (hash: string | undefined, name: string) => {
      const { context, page } = await newPage(browser, app.url);
      try {
        await page.goto('/api/health');
        await page.evaluate(
          ({ key }) =>
            new Promise<void>((resolve) => {
              const s = document.createElement('script');
              s.src = '/t.js';
              s.setAttribute('data-write-key', key);
              s.setAttribute('data-auto-page', 'false');
              s.onload = () => resolve();
              document.head.appendChild(s);
            }),
          { key: writeKey },
        );
        const delivered = page.waitForResponse((r) => r.url().endsWith('/v1/batch') && r.request().method() === 'POST');
        await page.evaluate(
          ({ id, name, hash }) => {
            const w = window as unknown as { rapport: (...args: unknown[]) => void };
            w.rapport('identify', id, { name }, hash ? { userHash: hash } : undefined);
            w.rapport('flush');
          },
          { id: userId, name, hash },
        );
        const res = await delivered;
        expect(res.status()).toBe(200);
        const body = JSON.parse(res.request().postData() ?? '{}') as { batch: { context: Record<string, unknown>; traits: Record<string, unknown> }[] };
        // The hash travels in context, never among the traits.
        expect(body.batch[0]!.context.userHash).toBe(hash);
        expect(body.batch[0]!.traits).toEqual({ name });
        return await page.evaluate(() => localStorage.getItem('rapport_aid'));
      } finally {
        await context.close();
      }
    };

    const strangerDevice = await identifyIn(undefined, '사칭');
    expect((await customerOf()).name).toBe('박서준');
    const hash = crypto.createHmac('sha256', secret).update(userId).digest('hex');
    const ownDevice = await identifyIn(hash, '박서준 고객');
    expect((await customerOf()).name).toBe('박서준 고객');

    const identities = (await api<{ identities: { kind: string; value: string }[] }>('GET', `/api/customers/${customer.id}`)).body.identities;
    const anonymous = identities.filter((i) => i.kind === 'anonymous_id').map((i) => i.value);
    expect(anonymous).toContain(ownDevice);
    expect(anonymous).not.toContain(strangerDevice);
  });
});
