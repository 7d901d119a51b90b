// Debian's Chromium driven by playwright-core (never a downloaded browser), and helpers the
// browser tests share.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './server.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const resultsDir = path.join(repoRoot, 'test-results');

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  // A fresh temporary profile each launch.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export async function newPage(browser: Browser, baseURL: string, opts: { locale?: string; width?: number; height?: number } = {}) {
  const context: BrowserContext = await browser.newContext({
    baseURL,
    locale: opts.locale ?? 'en-US',
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 860 },
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name.replace(/[^\w.-]+/g, '-').slice(0, 120)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('navbar').waitFor();
}

/** A call of the REST API: method, path, optional JSON body → status and parsed body. */
export type Api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;

/** The REST API as a member (session cookie + CSRF token), to set up data the way a client would. */
export async function apiAs(url: string, email: string, password: string): Promise<Api> {
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return async (method, p, body) => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as never };
  };
}

/**
 * Adds a person the way people join: an invitation from `api` (a member manager), accepted by
 * creating the account. Returns the status of the accepting call (200 when they joined).
 */
export async function addMember(url: string, api: Api, member: { email: string; role: string; password: string; name?: string }): Promise<number> {
  const invited = await api<{ url: string }>('POST', '/api/invitations', { email: member.email, role: member.role });
  if (invited.status !== 201) return invited.status;
  const token = invited.body.url.split('#')[1];
  const res = await fetch(`${url}/api/invitations/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, password: member.password, ...(member.name ? { name: member.name } : {}) }),
  });
  return res.status;
}

/** Polls until `check` returns a value (not undefined), or fails with what it was waiting for. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
