// Workspace settings in a real Chromium against a real server: API keys, members, general, audit log.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, logIn, newPage, screenshot } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

beforeEach(async () => {
  ({ context, page } = await newPage(browser, app.url));
  await logIn(page, app.email, app.password);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await screenshot(page, `failed-${ctx.task.name}`).catch(() => undefined);
  await context.close();
});

const poll = { timeout: 10_000 };

async function statusWithKey(key: string): Promise<number> {
  const res = await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${key}` } });
  return res.status;
}

describe('API keys', () => {
  it('creates a secret key, shows it once, lists it by prefix and revokes it', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    await page.goto('/settings/api-keys');
    await page.getByRole('heading', { name: 'API keys', exact: true }).waitFor();
    await page.getByText('No API keys yet').waitFor();

    await page.getByTestId('create-key').click();
    const form = page.getByRole('dialog', { name: 'Create an API key' });
    await form.getByLabel('Name').fill('Shop backend');
    await form.getByRole('button', { name: 'Create API key' }).click();

    const reveal = page.getByRole('dialog', { name: 'Your new API key' });
    await reveal.waitFor();
    const key = (await reveal.getByTestId('new-api-key').textContent())?.trim() ?? '';
    expect(key).toMatch(/^rk_[A-Za-z0-9_-]{30,}$/);
    expect(await reveal.textContent()).toContain('Rapport shows it only this once');
    await reveal.getByRole('button', { name: 'Copy' }).click();
    await reveal.getByRole('button', { name: 'Copied', exact: true }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await screenshot(page, 'api-key-reveal');

    await reveal.getByTestId('key-reveal-done').click();
    await reveal.waitFor({ state: 'hidden' });
    const row = page.locator(`[data-testid="key-row"][data-prefix="${key.slice(0, 9)}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(`${key.slice(0, 9)}…`);
    expect(await row.textContent()).toContain('Shop backend');
    expect(await row.getByTestId('key-status').textContent()).toBe('Active');
    // Shown once: the secret is nowhere on the page any more, and a reload does not bring it back.
    expect(await page.content()).not.toContain(key);
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(key);
    expect(await statusWithKey(key)).toBe(200);

    await row.getByRole('button', { name: 'Revoke Shop backend' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke API key' });
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await expect.poll(() => row.getByTestId('key-status').textContent(), poll).toBe('Revoked');
    expect(await row.getAttribute('data-revoked')).toBe('true');
    expect(await row.getByRole('button', { name: 'Revoke Shop backend' }).count()).toBe(0);
    expect(await statusWithKey(key)).toBe(401);
  });

  it('creates a write key without a role', async () => {
    await page.goto('/settings/api-keys');
    await page.getByTestId('create-key').click();
    const form = page.getByRole('dialog', { name: 'Create an API key' });
    await form.getByLabel('Name').fill('Website tracking');
    await form.getByText('Write key', { exact: true }).click();
    expect(await form.getByLabel('Role').count()).toBe(0);
    await form.getByRole('button', { name: 'Create API key' }).click();

    const reveal = page.getByRole('dialog', { name: 'Your new API key' });
    const key = (await reveal.getByTestId('new-api-key').textContent())?.trim() ?? '';
    expect(key).toMatch(/^wk_/);
    await reveal.getByTestId('key-reveal-done').click();
    const row = page.locator(`[data-testid="key-row"][data-prefix="${key.slice(0, 9)}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Write key');
  });
});

describe('members', () => {
  it('invites a member with a role, who joins through the link and sees no management controls', async () => {
    await page.goto('/settings/members');
    await page.getByTestId('invite-member').click();
    const form = page.getByRole('dialog', { name: 'Invite a member' });
    await form.getByLabel('E-mail').fill('minji@example.com');
    await form.getByLabel('Role').click();
    await page.getByRole('option', { name: 'Marketer' }).click();
    await form.getByRole('button', { name: 'Create invitation' }).click();
    const link = (await page.getByTestId('invitation-url').textContent())!;
    expect(link).toMatch(new RegExp(`^${app.url}/invite#\\w+$`));
    await page.getByTestId('invitation-done').click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.locator('[data-testid="invitation-row"][data-email="minji@example.com"]').waitFor();
    // Invited is not a member yet.
    expect(await page.locator('[data-testid="member-row"][data-email="minji@example.com"]').count()).toBe(0);
    await screenshot(page, 'members-invited');

    // The new member: joins with the link, then sees members but no API keys, audit log or invite button.
    const other = await newPage(browser, app.url);
    try {
      await other.page.goto(link);
      await other.page.getByLabel('Your name').fill('Kim Minji');
      await other.page.locator('input[name="password"]').fill('minji-first-pass');
      await other.page.getByTestId('register-and-join').click();
      await other.page.getByTestId('navbar').waitFor();
      expect(await other.page.getByTestId('home-role').textContent()).toBe('Marketer');
      await other.page.getByTestId('nav-settings').click();
      await other.page.getByTestId('nav-members').waitFor();
      expect(await other.page.getByTestId('nav-api-keys').count()).toBe(0);
      expect(await other.page.getByTestId('nav-audit').count()).toBe(0);
      await other.page.getByTestId('nav-members').click();
      await other.page.locator('[data-testid="member-row"][data-email="owner@example.com"]').waitFor();
      expect(await other.page.getByTestId('invite-member').count()).toBe(0);
      expect(await other.page.getByRole('button', { name: /^Remove / }).count()).toBe(0);
      await other.page.goto('/settings/api-keys');
      await other.page.getByText('Not available for your role').waitFor();
    } finally {
      await other.context.close();
    }
    await page.reload();
    const row = page.locator('[data-testid="member-row"][data-email="minji@example.com"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Kim Minji');
    expect(await row.locator('input[aria-label="Change the role of minji@example.com"]').inputValue()).toBe('Marketer');
    expect(await page.locator('[data-testid="invitation-row"][data-email="minji@example.com"]').count()).toBe(0);
    await screenshot(page, 'members');
  });

  it("changes a member's role", async () => {
    await page.goto('/settings/members');
    const select = page.locator('input[aria-label="Change the role of minji@example.com"]');
    await select.click();
    await page.getByRole('option', { name: 'Analyst' }).click();
    await page.getByText('minji@example.com is now Analyst').waitFor();
    await page.reload();
    await expect.poll(() => page.locator('input[aria-label="Change the role of minji@example.com"]').inputValue(), poll).toBe('Analyst');
  });

  it('shows the server’s message when inviting someone who is already a member', async () => {
    await page.goto('/settings/members');
    await page.getByTestId('invite-member').click();
    const form = page.getByRole('dialog', { name: 'Invite a member' });
    await form.getByLabel('E-mail').fill(app.email);
    await form.getByRole('button', { name: 'Create invitation' }).click();
    await page.getByText(`email: ${app.email} is already a member of this workspace`).waitFor();
    expect(await form.isVisible()).toBe(true);
  });
});

describe('general settings and audit log', () => {
  it('renames the workspace and finds the change in the audit log', async () => {
    await page.goto('/settings/general');
    const name = page.getByLabel('Workspace name');
    await expect.poll(() => name.inputValue(), poll).toBe('My workspace');
    await name.fill('Seoul Store');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('current-workspace-name').textContent(), poll).toBe('Seoul Store');

    await page.getByTestId('navbar').getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', exact: true }).waitFor();
    const renamed = page.locator('[data-testid="audit-row"][data-action="workspace.updated"]').first();
    await renamed.waitFor();
    expect(await renamed.textContent()).toContain('Workspace changed');
    expect(await renamed.textContent()).toContain('My workspace → Seoul Store');
    expect(await renamed.textContent()).toContain(app.email);
    await screenshot(page, 'audit-log');
  });
});
