// The invitation accept page in a real Chromium, in Korean and in English: a new person creates
// the account with the link; a person with an account logs in and accepts; a used link is refused.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiAs, launchBrowser, newPage, screenshot, type Api } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;
let owner: Api;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  owner = await apiAs(app.url, app.email, app.password);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function invite(api: Api, email: string, role: string): Promise<string> {
  const res = await api<{ url: string }>('POST', '/api/invitations', { email, role });
  expect(res.status).toBe(201);
  return `${app.url}${res.body.url}`;
}

it('in Korean, a new person sees the workspace and role, creates the account and joins', async () => {
  const link = await invite(owner, 'seoyeon@example.com', 'marketer');
  const { context, page } = await newPage(browser, app.url, { locale: 'ko-KR' });
  try {
    await page.goto(link);
    await page.getByTestId('invitation-title').getByText('My workspace에 참여하기').waitFor();
    expect(await page.getByTestId('invitation-offer').textContent()).toContain('seoyeon@example.com님을 마케터(으)로 초대했습니다');
    // The token leaves the address bar.
    expect(page.url()).toBe(`${app.url}/invite`);
    await page.getByLabel('이름').fill('이서연');
    await page.locator('input[name="password"]').fill('seoyeon-pass-1');
    await screenshot(page, 'invitation-accept-ko');
    await page.getByRole('button', { name: '계정 만들고 참여하기' }).click();
    await page.getByTestId('navbar').waitFor();
    await page.getByText('My workspace에 마케터(으)로 참여했습니다').waitFor();
    expect(await page.getByTestId('home-role').textContent()).toBe('마케터');

    // The same link again: used.
    const again = await newPage(browser, app.url, { locale: 'ko-KR' });
    try {
      await again.page.goto(link);
      await again.page.getByText('유효하지 않은 초대 링크입니다').waitFor();
    } finally {
      await again.context.close();
    }
  } finally {
    await context.close();
  }
});

it('in English, a person who has an account logs in from the page and accepts', async () => {
  // Min-jun has an account already (he joined another workspace).
  const created = await owner<{ id: string }>('POST', '/api/workspaces', { name: 'Other shop' });
  const asOther = await apiAs(app.url, app.email, app.password);
  await asOther('PUT', '/api/me/workspace', { workspaceId: created.body.id });
  const first = (await invite(asOther, 'minjun@example.com', 'viewer')).split('#')[1]!;
  const joined = await fetch(`${app.url}/api/invitations/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: first, password: 'minjun-pass-1', name: 'Park Minjun' }),
  });
  expect(joined.status).toBe(200);

  const link = await invite(owner, 'minjun@example.com', 'analyst');
  const { context, page } = await newPage(browser, app.url, { locale: 'en-US' });
  try {
    await page.goto(link);
    await page.getByRole('heading', { name: 'Join My workspace' }).waitFor();
    expect(await page.getByTestId('invitation-offer').textContent()).toContain('invited minjun@example.com to join as Analyst');
    await screenshot(page, 'invitation-accept-en');
    await page.getByTestId('login-to-accept').click();
    await page.getByLabel('E-mail').fill('minjun@example.com');
    await page.locator('input[name="password"]').fill('minjun-pass-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    // Back on the invitation, logged in as the invited e-mail.
    await page.getByText('You are logged in as minjun@example.com.').waitFor();
    await page.getByRole('button', { name: 'Accept and join' }).click();
    await page.getByTestId('navbar').waitFor();
    await page.getByText('You joined My workspace as Analyst').waitFor();
    expect(await page.getByTestId('home-role').textContent()).toBe('Analyst');
  } finally {
    await context.close();
  }
  const members = await owner<{ items: { email: string; role: string }[] }>('GET', '/api/members');
  expect(members.body.items.find((m) => m.email === 'minjun@example.com')?.role).toBe('analyst');
});
