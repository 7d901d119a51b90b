// The login page, the app shell and the language switch, in a real Chromium against a real server.
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
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await screenshot(page, `failed-${ctx.task.name}`).catch(() => undefined);
  await context.close();
});

const poll = { timeout: 10_000 };

describe('login', () => {
  it('sends a visitor to the login page and shows an error for a wrong password', async () => {
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.getByLabel('E-mail').fill(app.email);
    await page.locator('input[name="password"]').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();

    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('The e-mail or password is wrong.');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.getByTestId('navbar').count()).toBe(0);
  });

  it('logs the owner in to the shell: navigation, workspace name, role and API health', async () => {
    await logIn(page, app.email, app.password);
    expect(new URL(page.url()).pathname).toBe('/');

    const nav = page.getByTestId('navbar');
    expect(await nav.getByRole('link', { name: 'Home' }).isVisible()).toBe(true);
    await nav.getByTestId('nav-settings').waitFor();
    // The owner may open every settings page; the group opens on click.
    await nav.getByTestId('nav-settings').click();
    for (const name of ['General', 'Members', 'API keys', 'Audit log']) {
      await nav.getByRole('link', { name }).waitFor();
    }
    expect(await page.getByTestId('current-workspace-name').textContent()).toBe('My workspace');
    expect(await page.getByTestId('home-workspace-name').textContent()).toBe('My workspace');
    expect(await page.getByTestId('home-role').textContent()).toBe('Owner');
    await expect.poll(() => page.getByTestId('health-status').textContent(), poll).toContain('Operational');
    expect(await page.title()).toBe('Rapport');
    await screenshot(page, 'shell-desktop');
  });

  it('returns to the page asked for after logging in, and logs out', async () => {
    await page.goto('/settings/members');
    await page.waitForURL('**/login?next=*');
    await page.getByLabel('E-mail').fill(app.email);
    await page.locator('input[name="password"]').fill(app.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/settings/members');
    await page.getByRole('heading', { name: 'Members', exact: true }).waitFor();

    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.goto('/');
    await page.waitForURL('**/login');
    expect(await page.getByTestId('navbar').count()).toBe(0);
  });
});

describe('language', () => {
  it('switches to Korean and back, and remembers the choice', async () => {
    await logIn(page, app.email, app.password);
    const home = page.getByTestId('nav-home');
    expect((await home.textContent())?.trim()).toBe('Home');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-ko').click();
    await expect.poll(() => home.textContent(), poll).toBe('홈');
    expect(await page.locator('html').getAttribute('lang')).toBe('ko');
    expect(await page.getByTestId('home-role').textContent()).toBe('소유자');
    expect(await page.evaluate(() => localStorage.getItem('rapport.language'))).toBe('ko');

    await page.reload();
    await page.getByTestId('nav-home').waitFor();
    expect(await page.getByTestId('nav-home').textContent()).toBe('홈');
    await screenshot(page, 'shell-korean');

    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-en').click();
    await expect.poll(() => home.textContent(), poll).toBe('Home');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.evaluate(() => localStorage.getItem('rapport.language'))).toBe('en');
  });

  it('follows a Korean browser by default', async () => {
    const korean = await newPage(browser, app.url, { locale: 'ko-KR' });
    try {
      await korean.page.goto('/login');
      await korean.page.getByRole('heading', { name: 'Rapport 로그인', exact: true }).waitFor();
      expect(await korean.page.locator('html').getAttribute('lang')).toBe('ko');
      expect(await korean.page.getByRole('button', { name: '로그인' }).isVisible()).toBe(true);
    } finally {
      await korean.context.close();
    }
  });
});

describe('small screens', () => {
  it('hides the navigation behind a burger', async () => {
    await context.close();
    ({ context, page } = await newPage(browser, app.url, { width: 390, height: 844 }));
    await logIn(page, app.email, app.password);
    const burger = page.getByTestId('nav-burger');
    expect(await burger.isVisible()).toBe(true);
    // Mantine slides the collapsed navbar off the left edge of the screen.
    const navbarOnScreen = async () => {
      const box = await page.getByTestId('navbar').boundingBox();
      return box !== null && box.x + box.width > 1;
    };
    expect(await navbarOnScreen()).toBe(false);

    await burger.click();
    await expect.poll(navbarOnScreen, poll).toBe(true);
    await screenshot(page, 'shell-mobile-open');
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('navbar').getByRole('link', { name: 'Members' }).click();
    await page.waitForURL('**/settings/members');
    // Following a link closes the navigation again.
    await expect.poll(navbarOnScreen, poll).toBe(false);
    await page.getByRole('heading', { name: 'Members', exact: true }).waitFor();
  });
});
