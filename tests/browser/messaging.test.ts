// Messaging in a real Chromium against a real server started as a newcomer starts it (the demo
// workspace, whose sandbox channels deliver e-mail over Rapport's own SMTP server into the
// Sandbox inbox): the owner writes an e-mail template with {{ customer.name }} in the editor,
// previews it on a demo customer, sends it to that customer, and finds it in the Sandbox inbox
// rendered with the customer's name; the message log shows it with its status and history; the
// SMS editor counts bytes live (45 Hangul syllables are an SMS, 46 an LMS) and the inbox draws a
// text message as a phone bubble with its type and size; a viewer sees the log
// but no way to write or send.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addMember, apiAs, eventually, launchBrowser, logIn, newPage, screenshot, type Api } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let call: Api;

const poll = { timeout: 30_000 };
type Customer = { id: string; name: string | null; email: string | null };

/** A demo customer with a name and an e-mail address (the demo loads in the background). */
async function demoCustomer(): Promise<Customer> {
  return eventually(
    'the demo customers',
    async () => {
      const res = await call<{ items: Customer[] }>('GET', '/api/customers?limit=50');
      return res.body.items?.find((c) => c.name && c.name.length >= 2 && c.email);
    },
    90_000,
  );
}

beforeAll(async () => {
  app = await startApp({ env: { RAPPORT_DEMO: '1', RAPPORT_DEMO_CUSTOMERS: '40' } });
  browser = await launchBrowser();
  call = await apiAs(app.url, app.email, app.password);
  expect(await addMember(app.url, call, { email: 'viewer@example.com', role: 'viewer', name: 'viewer', password: 'viewer-password-1' })).toBe(200);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

beforeEach(async () => {
  ({ context, page } = await newPage(browser, app.url));
  await logIn(page, app.email, app.password);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await screenshot(page, `failed-messaging-${ctx.task.name}`).catch(() => undefined);
  await context.close();
});

describe('messaging', () => {
  let customer: Customer;
  let templateId = '';

  it('writes a template with {{ customer.name }}, previews it on a demo customer, sends it, and finds it in the Sandbox inbox', async () => {
    customer = await demoCustomer();
    const name = customer.name!;

    // Write: an order-style (transactional) e-mail whose subject and body greet the customer by name.
    await page.getByTestId('nav-messages-templates').click();
    await page.getByRole('heading', { name: 'Message templates' }).waitFor();
    await page.getByTestId('new-template').click();
    await page.getByTestId('template-name').fill('Welcome e-mail');
    await page.getByTestId('template-purpose').getByText('Information (transactional)').click();
    await page.getByTestId('template-subject').fill('Hello ');
    // The variable picker puts {{ customer.name }} where the caret is.
    await page.getByTestId('variable-picker').click();
    await page.getByTestId('variable-customer.name').click();
    await expect.poll(() => page.getByTestId('template-subject').inputValue()).toBe('Hello {{ customer.name | default: "customer" }}');
    await page
      .getByTestId('template-body')
      .fill('<mjml><mj-body><mj-section><mj-column><mj-text>Dear {{ customer.name }}, thank you for shopping with us.</mj-text></mj-column></mj-section></mj-body></mjml>');

    // A misspelt variable is refused as it is typed, under the body.
    await page.getByTestId('template-body').fill('<mjml><mj-body><mj-section><mj-column><mj-text>Dear {{ customer.nmae }}</mj-text></mj-column></mj-section></mj-body></mjml>');
    const bodyError = page.getByTestId('template-body-error');
    await expect.poll(() => bodyError.textContent().catch(() => ''), poll).toContain('customer.nmae');
    expect(await page.getByTestId('template-subject-error').count()).toBe(0);
    await screenshot(page, 'messaging-template-error');
    await page
      .getByTestId('template-body')
      .fill('<mjml><mj-body><mj-section><mj-column><mj-text>Dear {{ customer.name }}, thank you for shopping with us.</mj-text></mj-column></mj-section></mj-body></mjml>');
    await expect.poll(() => bodyError.count(), poll).toBe(0);

    await page.getByTestId('template-save').click();
    await page.waitForURL(/\/messages\/templates\/[0-9a-f-]{36}$/);
    templateId = page.url().split('/').pop()!;
    const saved = await call<{ name: string; latestVersion: number }>('GET', `/api/templates/${templateId}`);
    expect(saved.body).toMatchObject({ name: 'Welcome e-mail', latestVersion: 1 });

    // Preview on the demo customer, found by name as elsewhere in the app.
    await page.getByTestId('preview-customer').fill(name.slice(0, 2));
    await page.getByRole('option', { name: new RegExp(name) }).first().click();
    await page.getByTestId('preview-email').waitFor();
    await expect.poll(() => page.getByTestId('preview-email-subject').textContent(), poll).toBe(`Hello ${name}`);
    const frame = page.frameLocator('[data-testid="preview-email"]');
    await expect.poll(() => frame.locator('body').textContent(), poll).toContain(`Dear ${name}, thank you`);
    expect(await page.getByTestId('preview-email').getAttribute('sandbox')).toBe('');
    await page.getByTestId('preview-email-width').getByText('Phone').click();
    expect(await page.getByTestId('preview-email').getAttribute('data-width')).toBe('mobile');
    await screenshot(page, 'messaging-template-preview');

    // Send it to that customer: the answer says in words what happened.
    await page.getByTestId('template-send').click();
    await page.getByTestId('send-submit').click();
    const result = page.getByTestId('send-result');
    await result.waitFor();
    expect(['queued', 'sending', 'sent', 'delivered']).toContain(await result.getAttribute('data-status'));
    await screenshot(page, 'messaging-send-result');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();

    // The Sandbox inbox shows it as the customer sees it.
    await page.getByTestId('nav-messages-sandbox').click();
    await page.getByRole('heading', { name: 'Sandbox inbox' }).waitFor();
    const item = page.getByTestId('sandbox-item').filter({ hasText: `Hello ${name}` });
    await item.first().waitFor({ timeout: 30_000 });
    await item.first().click();
    await expect.poll(() => page.getByTestId('sandbox-email-subject').textContent(), poll).toBe(`Hello ${name}`);
    const inbox = page.frameLocator('[data-testid="sandbox-email"]');
    await expect.poll(() => inbox.locator('body').textContent(), poll).toContain(`Dear ${name}, thank you`);
    expect(await page.getByTestId('sandbox-view').textContent()).toContain(customer.email!);
    await screenshot(page, 'messaging-sandbox');
  });

  it('lists the message in the log with its status and history, filtered by customer', async () => {
    expect(templateId).not.toBe('');
    const listed = await eventually('the sent message', async () => {
      const res = await call<{ items: { id: string; status: string; templateId: string | null }[] }>('GET', `/api/messages?customerId=${customer.id}`);
      return res.body.items.find((m) => m.templateId === templateId && ['sent', 'delivered', 'opened', 'clicked'].includes(m.status));
    }, 30_000);
    await page.goto(`/messages?customer=${customer.id}`);
    const row = page.locator(`[data-testid="message-row"][data-id="${listed.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Welcome e-mail');
    expect(await row.textContent()).toContain(customer.name!);
    await row.click();
    await page.getByTestId('message-history').waitFor();
    // The drawer shows the history the API records, in order (polled: a receipt may still arrive).
    const shown = () => page.getByTestId('message-history-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    await expect
      .poll(async () => {
        const detail = await call<{ history: { status: string }[] }>('GET', `/api/messages/${listed.id}`);
        const ui = await shown();
        return JSON.stringify(ui) === JSON.stringify(detail.body.history.map((h) => h.status)) ? ui : `${ui} ≠ ${detail.body.history.map((h) => h.status)}`;
      }, poll)
      .toContain('sent');
    // No ids or raw JSON in front of the marketer: those are in the analysts' details.
    expect(await page.getByTestId('message-detail').locator('pre').isVisible()).toBe(false);
    await page.getByTestId('message-stats-chart').locator('svg').first().waitFor();
    await screenshot(page, 'messaging-log');
  });

  it('draws a text message in the Sandbox inbox as the phone shows it: LMS with its byte count', async () => {
    const sent = await call<{ id: string; status: string }>('POST', '/api/messages', { to: '010-2345-6789', channel: 'sms', content: { body: '가'.repeat(46) }, purpose: 'transactional', idempotencyKey: 'browser-sms-1' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    await page.goto('/messages/sandbox');
    const item = page.locator('[data-testid="sandbox-item"][data-kind="sms"]');
    await item.first().waitFor({ timeout: 30_000 });
    // The number reads as people write it, not as stored (+82…).
    expect(await item.first().textContent()).toContain('+82 10-2345-6789');
    await item.first().click();
    await page.getByTestId('sms-bubble').waitFor();
    expect(await page.getByTestId('sms-bubble').textContent()).toContain('가'.repeat(46));
    expect(await page.getByTestId('sms-type').textContent()).toBe('LMS');
    expect(await page.getByTestId('sms-bytes').getAttribute('data-bytes')).toBe('92');
    await screenshot(page, 'messaging-sandbox-sms');
  });

  it('counts an SMS in bytes as it is typed: 45 Hangul syllables are an SMS, 46 an LMS', async () => {
    await page.goto('/messages/templates/new');
    await page.getByTestId('template-kind').getByText('SMS/LMS').click();
    await page.getByTestId('template-purpose').getByText('Information (transactional)').click();
    await page.getByTestId('template-body').fill('가'.repeat(45));
    const counter = page.getByTestId('sms-counter');
    await expect.poll(() => counter.getAttribute('data-bytes'), poll).toBe('90');
    expect(await counter.getAttribute('data-type')).toBe('SMS');
    await page.getByTestId('template-body').fill('가'.repeat(46));
    await expect.poll(() => counter.getAttribute('data-bytes'), poll).toBe('92');
    expect(await counter.getAttribute('data-type')).toBe('LMS');
    expect(await page.getByTestId('sms-counter-type').textContent()).toBe('LMS');
    await screenshot(page, 'messaging-sms-counter');
  });

  it('adds an SMTP channel whose password is write-only, refusing a bad server at its field', async () => {
    await page.goto('/settings/channels');
    await page.getByTestId('channel-list').waitFor();
    await page.getByTestId('channel-add').click();
    await page.getByTestId('channel-provider').click();
    await page.getByRole('option', { name: 'SMTP server' }).click();
    await page.getByTestId('channel-name').fill('Shop mail');
    await page.getByTestId('channel-field-host').fill('not a host!');
    await page.getByTestId('channel-field-port').fill('587');
    await page.getByTestId('channel-field-from').fill('Shop <news@shop.example>');
    await page.getByTestId('channel-field-user').fill('news');
    await page.getByTestId('channel-field-password').fill('very-secret-password');
    await page.getByTestId('channel-save').click();
    await expect.poll(() => page.getByTestId('channel-form').textContent(), poll).toContain('is not a host name');
    await page.getByTestId('channel-field-host').fill('smtp.shop.example');
    await page.getByTestId('channel-save').click();
    const row = page.locator('[data-testid="channel-row"]').filter({ hasText: 'Shop mail' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Password: set');
    const listed = await call<{ items: { name: string; secretsSet: Record<string, boolean> }[] }>('GET', '/api/channels');
    expect(listed.body.items.find((c) => c.name === 'Shop mail')?.secretsSet).toMatchObject({ user: true, password: true });
    expect(JSON.stringify(listed.body)).not.toContain('very-secret-password');
    // Editing shows the secret as set, never its value.
    await row.getByTestId('channel-menu').click();
    await page.getByTestId('channel-edit').click();
    expect(await page.getByTestId('channel-field-password').inputValue()).toBe('');
    expect(await page.getByTestId('channel-field-password').getAttribute('placeholder')).toBe('set');
    await screenshot(page, 'messaging-channel-edit');
  });

  it('shows a viewer the log without ways to write or send', async () => {
    const other = await newPage(browser, app.url);
    try {
      await logIn(other.page, 'viewer@example.com', 'viewer-password-1');
      await other.page.goto('/messages');
      await other.page.getByTestId('message-log').waitFor();
      expect(await other.page.getByTestId('nav-messages-sandbox').count()).toBe(0);
      await other.page.goto('/messages/templates');
      await other.page.getByTestId('template-list').waitFor();
      expect(await other.page.getByTestId('new-template').count()).toBe(0);
      await other.page.goto(`/customers/${customer.id}`);
      await other.page.getByTestId('customer-name').waitFor();
      expect(await other.page.getByTestId('customer-send-message').count()).toBe(0);
    } finally {
      await other.context.close();
    }
  });
});
