// The customers area in a real Chromium against a real server: list (search, filter, sort,
// bulk tag, saved view), profile (edit, consent, notes), merging a near-duplicate (and undoing
// it), importing a CSV with a bad row, and custom attribute settings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addMember, apiAs, launchBrowser, logIn, newPage, screenshot, type Api } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let call: Api;



async function createCustomer(input: Record<string, unknown>): Promise<string> {
  const res = await call<{ id: string }>('POST', '/api/customers', input);
  if (res.status !== 201) throw new Error(`create customer: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  call = await apiAs(app.url, app.email, app.password);
  const region = await call('POST', '/api/customer-attributes', { key: 'region', label: 'Region', type: 'enum', options: ['서울', '경기', '부산'], purpose: 'marketing' });
  expect(region.status).toBe(201);
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

// The first test after the UI's build meets a cold server (its first queries, the JIT): one CI run needed more than 10 s.
const poll = { timeout: 20_000 };
const cookieHeader = async () => (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
const rows = () => page.getByTestId('customer-row');
const rowNames = () => page.getByTestId('customer-link').allTextContents();

describe('customer list and profile', () => {
  it('searches, filters and sorts the list, then opens a profile and edits it', async () => {
    await createCustomer({ name: '김민지', email: 'minji.kim@naver.com', phone: '010-1234-5678', lifecycleStage: 'customer', tags: ['vip'], attributes: { region: '서울' } });
    await createCustomer({ name: '이서준', email: 'seojun@daum.net', lifecycleStage: 'lead', source: 'instagram' });
    await createCustomer({ name: 'Park Jiwoo', email: 'jiwoo@example.com', lifecycleStage: 'loyal' });

    await page.getByTestId('nav-customers').click();
    await page.getByRole('heading', { name: 'Customers', exact: true }).waitFor();
    await expect.poll(() => rows().count(), poll).toBe(3);
    expect(await page.getByTestId('customer-total').textContent()).toBe('3 customers');

    // Search by a part of the phone number as people type it.
    await page.getByTestId('customer-search').fill('010-1234');
    await expect.poll(rowNames, poll).toEqual(['김민지']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('010-1234');
    await page.getByTestId('customer-search').fill('');
    await expect.poll(() => rows().count(), poll).toBe(3);

    // Filter by stage (the URL keeps it), then by an attribute condition.
    await page.getByTestId('filter-stage').click();
    await page.getByRole('option', { name: 'Lead' }).click();
    await page.keyboard.press('Escape');
    await expect.poll(rowNames, poll).toEqual(['이서준']);
    expect(new URL(page.url()).searchParams.getAll('stage')).toEqual(['lead']);
    await page.getByTestId('clear-filters').click();
    await page.getByTestId('add-condition').click();
    await page.getByTestId('condition-field').click();
    await page.getByRole('option', { name: 'Region' }).click();
    await page.getByTestId('condition-value').click();
    await page.getByRole('option', { name: '서울' }).click();
    await page.getByTestId('condition-add').click();
    await expect.poll(rowNames, poll).toEqual(['김민지']);
    expect(await page.getByTestId('condition-chip').textContent()).toBe('Region is 서울');
    await page.getByTestId('clear-filters').click();
    await expect.poll(() => rows().count(), poll).toBe(3);

    // Sort by clicking the name header: A→Z, then Z→A.
    await page.getByTestId('sort-name').click();
    await expect.poll(rowNames, poll).toEqual(['Park Jiwoo', '김민지', '이서준']);
    await page.getByTestId('sort-name').click();
    await expect.poll(rowNames, poll).toEqual(['이서준', '김민지', 'Park Jiwoo']);

    // A column for the custom attribute.
    await page.getByTestId('column-chooser').click();
    await page.getByTestId('column-attributes.region').click();
    await page.keyboard.press('Escape');
    await page.getByRole('columnheader', { name: 'Region' }).waitFor();
    await screenshot(page, 'customers-list');

    // Export the list as shown (filter and columns) as CSV.
    await page.getByTestId('customer-search').fill('minji');
    await expect.poll(rowNames, poll).toEqual(['김민지']);
    const href = (await page.getByTestId('export-csv').getAttribute('href'))!;
    expect(href).toContain('/api/customers/export?');
    const exported = await fetch(`${app.url}${href}`, { headers: { cookie: await cookieHeader() } });
    expect(exported.status).toBe(200);
    const csv = (await exported.text()).replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(csv).toHaveLength(2);
    expect(csv[0]).toContain('attributes.region');
    expect(csv[1]).toContain('김민지');
    expect(csv[1]).toContain('서울');
    await page.getByTestId('customer-search').fill('');
    await expect.poll(() => rows().count(), poll).toBe(3);

    // Open the profile and edit a field and the attribute.
    await page.getByTestId('customer-link').filter({ hasText: '김민지' }).click();
    await page.getByTestId('customer-name').filter({ hasText: '김민지' }).waitFor();
    expect(await page.getByTestId('stage-badge').first().textContent()).toBe('Customer');
    const region = page.getByTestId('attribute-region');
    expect(await region.getByTestId('field-value').textContent()).toBe('서울');
    expect(await region.getByTestId('purpose-badge').textContent()).toBe('Marketing');

    await page.getByTestId('edit-profile').click();
    const form = page.getByTestId('profile-form');
    await form.locator('input[name="source"]').fill('naver_ads');
    await form.getByTestId('attribute-input-region').click();
    await page.getByRole('option', { name: '부산' }).click();
    await form.getByTestId('save-profile').click();
    await page.getByText('Profile saved').waitFor();
    await expect.poll(() => page.getByTestId('field-source').getByTestId('field-value').textContent(), poll).toBe('naver_ads');
    expect(await region.getByTestId('field-value').textContent()).toBe('부산');
    await screenshot(page, 'customer-profile');

    // The server has it, and the timeline tells the change.
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const saved = await call<{ source: string; attributes: Record<string, unknown> }>('GET', `/api/customers/${id}`);
    expect(saved.body.source).toBe('naver_ads');
    expect(saved.body.attributes.region).toBe('부산');
    await page.getByTestId('tab-timeline').click();
    await page.locator('[data-testid="timeline-item"][data-kind="profile.updated"]').first().waitFor();

    // Consent: grant e-mail marketing; the history records it.
    await page.getByTestId('tab-consent').click();
    await page.getByLabel('E-mail, Marketing').selectOption('granted');
    await page.getByTestId('consent-save').click();
    await page.getByTestId('consent-history').getByText('Granted').waitFor();
    await expect.poll(() => page.getByTestId('consent-email-marketing').getAttribute('data-status'), poll).toBe('granted');
    await screenshot(page, 'customer-profile-consent');
  });

  it('tags selected customers at once and saves the list as a view', async () => {
    await createCustomer({ name: '정하늘', lifecycleStage: 'subscriber', tags: ['newsletter'] });
    await createCustomer({ name: '한바다', lifecycleStage: 'subscriber' });
    await createCustomer({ name: '윤가람', lifecycleStage: 'lead' });
    await page.goto('/customers?stage=subscriber');
    await expect.poll(() => rows().count(), poll).toBe(2);

    await page.getByTestId('select-all').click();
    expect(await page.getByTestId('selected-count').textContent()).toBe('Selected: 2');
    await page.getByTestId('bulk-add-tag').click();
    await page.getByTestId('bulk-tag-input').fill('spring-sale');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Tag “spring-sale” added to 2 customers').waitFor();
    await expect.poll(() => page.getByTestId('tag').filter({ hasText: 'spring-sale' }).count(), poll).toBe(2);

    await page.getByTestId('save-view').click();
    const dialog = page.getByRole('dialog', { name: 'Save this list as a view' });
    await dialog.locator('input[name="view-name"]').fill('Subscribers');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('View “Subscribers” saved').waitFor();

    // From the full list, picking the view brings its filter back.
    await page.goto('/customers');
    await expect.poll(() => rows().count(), poll).toBeGreaterThan(2);
    await page.getByTestId('view-select').click();
    await page.getByRole('option', { name: 'Subscribers' }).click();
    await expect.poll(() => rows().count(), poll).toBe(2);
    expect(new URL(page.url()).searchParams.getAll('stage')).toEqual(['subscriber']);

    // Delete one by bulk action; it shows among the deleted customers and can be restored.
    await page.goto('/customers?stage=lead');
    const garam = page.locator('[data-testid="customer-row"]').filter({ hasText: '윤가람' });
    await garam.getByRole('checkbox').check();
    await page.getByTestId('bulk-delete').click();
    await page.getByRole('dialog', { name: 'Delete customers' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Customers deleted: 1').waitFor();
    await expect.poll(() => garam.count(), poll).toBe(0);
    await page.getByTestId('filter-deleted').click();
    await garam.waitFor();
    await garam.getByTestId('restore-customer').click();
    await page.getByText('윤가람 was restored').waitFor();
    await expect.poll(() => garam.count(), poll).toBe(0);
    await page.getByTestId('filter-deleted').click();
    await garam.waitFor();
  });
});

describe('profile parts', () => {
  it('keeps notes, identities and stated preferences, and erases personal data', async () => {
    const id = await createCustomer({ name: '문지호', email: 'jiho.moon@kakao.com', preferences: [{ category: 'outer', weight: 0.4 }] });
    await page.goto(`/customers/${id}`);
    await page.getByTestId('customer-name').filter({ hasText: '문지호' }).waitFor();

    await page.getByTestId('note-body').fill('Asked about the spring collection.');
    await page.getByTestId('note-add').click();
    const note = page.getByTestId('note').filter({ hasText: 'Asked about the spring collection.' });
    await note.waitFor();
    await note.getByRole('button', { name: 'Delete note' }).click();
    await expect.poll(() => note.count(), poll).toBe(0);

    const identities = page.getByTestId('identities-panel');
    await identities.getByTestId('identity-value').fill('shop-user-77');
    await identities.getByTestId('identity-add').click();
    const linked = identities.locator('[data-testid="identity-row"][data-kind="user_id"]');
    await linked.waitFor();
    await linked.getByRole('button', { name: 'Unlink shop-user-77' }).click();
    await expect.poll(() => linked.count(), poll).toBe(0);

    await page.getByTestId('tab-preferences').click();
    await page.locator('[data-testid="preference-row"][data-category="outer"]').waitFor();
    await page.getByTestId('edit-preferences').click();
    await page.getByRole('button', { name: 'Add category' }).click();
    await page.getByTestId('preference-category').nth(1).fill('shoes');
    await page.getByTestId('preference-weight').nth(1).fill('0.9');
    await page.getByTestId('save-preferences').click();
    await page.getByText('Preferences saved').waitFor();
    const stated = page.getByTestId('stated-preferences').getByTestId('preference-row');
    await expect.poll(() => stated.evaluateAll((els) => els.map((e) => e.getAttribute('data-category'))), poll).toEqual(['shoes', 'outer']);
    const prefs = await call<{ items: { category: string; weight: number; source: string }[] }>('GET', `/api/customers/${id}/preferences`);
    expect(prefs.body.items.filter((p) => p.source === 'survey').map((p) => [p.category, p.weight]).sort()).toEqual([
      ['outer', 0.4],
      ['shoes', 0.9],
    ]);

    await page.getByTestId('privacy-menu').click();
    await page.getByTestId('erase-customer').click();
    await page.getByRole('dialog', { name: 'Erase personal data' }).getByRole('button', { name: 'Erase personal data' }).click();
    // Erased means deleted too: back to the list; among the deleted it shows as erased, without restore.
    await page.waitForURL('**/customers');
    expect((await call('GET', `/api/customers/${id}`)).status).toBe(404);
    await page.goto('/customers?deleted=true');
    const row = page.locator(`[data-testid="customer-row"][data-id="${id}"]`);
    await row.getByTestId('erased-badge').waitFor();
    expect(await row.getByTestId('restore-customer').count()).toBe(0);
    expect(await row.textContent()).not.toContain('문지호');
  });
});

describe('new customer', () => {
  it('creates a customer by hand, and links to the one who already has an e-mail', async () => {
    await page.goto('/customers');
    await page.getByTestId('new-customer').click();
    let dialog = page.getByRole('dialog', { name: 'New customer' });
    await dialog.locator('input[name="name"]').fill('강별');
    await dialog.locator('input[name="email"]').fill('Byul.Kang@Example.com');
    await dialog.locator('input[name="phone"]').fill('010-3333-4444');
    await dialog.getByTestId('new-customer-submit').click();
    await page.getByTestId('customer-name').filter({ hasText: '강별' }).waitFor();
    const firstId = new URL(page.url()).pathname.split('/').pop();
    // Stored as the server normalises it.
    expect(await page.getByTestId('field-email').getByTestId('field-value').textContent()).toBe('byul.kang@example.com');
    expect(await page.getByTestId('field-phone').getByTestId('field-value').textContent()).toBe('+821033334444');

    await page.goto('/customers');
    await page.getByTestId('new-customer').click();
    dialog = page.getByRole('dialog', { name: 'New customer' });
    await dialog.locator('input[name="name"]').fill('Another Byul');
    await dialog.locator('input[name="email"]').fill('byul.kang@example.com');
    await dialog.getByTestId('new-customer-submit').click();
    await dialog.getByTestId('new-customer-error').waitFor();
    await dialog.getByRole('link', { name: 'Open the customer who has it' }).click();
    await page.waitForURL(`**/customers/${firstId}`);
    await page.getByTestId('customer-name').filter({ hasText: '강별' }).waitFor();
  });
});

describe('duplicates', () => {
  it('merges a near-duplicate, choosing a value, and undoes the merge', async () => {
    const keepId = await createCustomer({ name: '최유나', birthday: '1990-05-05', email: 'yuna.choi@gmail.com', source: 'store', tags: ['vip'] });
    const otherId = await createCustomer({ name: '최유나', birthday: '1990-05-05', email: 'yunachoi@gmail.com', phone: '010-5555-1234', source: 'instagram' });

    await page.goto(`/customers/${keepId}`);
    const suggestion = page.locator(`[data-testid="duplicate"][data-id="${otherId}"]`);
    await suggestion.waitFor();
    expect(await suggestion.textContent()).toContain('Same name and birthday');
    await suggestion.getByTestId('duplicate-merge').click();

    const modal = page.getByRole('dialog', { name: 'Merge two profiles' });
    await modal.getByTestId('merge-table').waitFor();
    // The two e-mails and sources differ; keep this profile's source but the other's e-mail.
    expect(await modal.locator('[data-testid="merge-row"][data-conflict="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')))).toEqual(['email', 'source']);
    await modal.getByTestId('merge-pick-email-other').check();
    await modal.getByTestId('merge-pick-source-survivor').check();
    await screenshot(page, 'customer-merge');
    await modal.getByTestId('merge-confirm').click();
    await modal.waitFor({ state: 'hidden' });

    await page.getByTestId('just-merged').waitFor();
    await expect.poll(() => page.getByTestId('field-email').getByTestId('field-value').textContent(), poll).toBe('yunachoi@gmail.com');
    expect(await page.getByTestId('field-source').getByTestId('field-value').textContent()).toBe('store');
    expect(await page.getByTestId('field-phone').getByTestId('field-value').textContent()).toBe('+821055551234');
    expect((await call('GET', `/api/customers/${otherId}`)).status).toBe(404);
    await page.getByTestId('merges-panel').getByTestId('merge-entry').waitFor();

    await page.getByTestId('undo-merge').click();
    await page.getByText('Merge undone: 최유나 is back').waitFor();
    await expect.poll(async () => (await call('GET', `/api/customers/${otherId}`)).status, poll).toBe(200);
    await expect.poll(() => page.getByTestId('field-email').getByTestId('field-value').textContent(), poll).toBe('yuna.choi@gmail.com');
    expect(await page.locator('[data-testid="merge-entry"][data-undone="true"]').count()).toBe(1);
  });
});

describe('import', () => {
  it('imports a CSV and reports the bad row by its line number', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-import-'));
    const file = path.join(dir, 'shop-customers.csv');
    fs.writeFileSync(
      file,
      [
        'Email,이름,휴대폰,생년월일,Lifecycle Stage',
        'hana@example.com,오하나,010-2222-3333,1992-01-15,customer',
        'dul@example.com,김두리,010-4444-5555,1988-07-30,lead',
        'set@example.com,박세리,010-6666-7777,1990-13-45,lead',
        'net@example.com,최네모,010-8888-9999,1995-11-02,loyal',
      ].join('\n') + '\n',
    );
    try {
      await page.goto('/customers');
      await page.getByTestId('import-link').click();
      await page.getByRole('heading', { name: 'Import customers', exact: true }).waitFor();
      await page.getByTestId('import-upload').locator('input[type="file"]').setInputFiles(file);
      await page.getByTestId('import-upload-submit').click();

      const mapping = page.getByTestId('import-mapping');
      await mapping.waitFor();
      const target = (header: string) => mapping.locator(`[data-testid="mapping-row"][data-header="${header}"] input[data-testid="mapping-target"]`);
      expect(await target('Email').inputValue()).toBe('E-mail');
      expect(await target('생년월일').inputValue()).toBe('Birthday');
      expect(await page.getByTestId('sample-table').textContent()).toContain('오하나');
      await screenshot(page, 'customer-import-mapping');
      await page.getByTestId('import-start').click();

      const summary = page.getByTestId('import-summary');
      await summary.waitFor({ timeout: 30_000 });
      expect(await summary.getAttribute('data-status')).toBe('done');
      expect(await page.getByTestId('import-created').getAttribute('data-value')).toBe('3');
      expect(await page.getByTestId('import-failed').getAttribute('data-value')).toBe('1');
      const bad = page.locator('[data-testid="import-error"][data-line="4"]');
      await bad.waitFor();
      // The column as the file names it, and what was wrong with the value.
      expect(await bad.locator('td').nth(1).textContent()).toBe('생년월일');
      expect(await bad.locator('td').nth(2).textContent()).toContain('1990-13-45');
      expect(await page.getByTestId('import-error').count()).toBe(1);
      expect(await page.getByTestId('errors-csv').getAttribute('href')).toMatch(/^\/api\/imports\/[0-9a-f-]+\/errors\.csv$/);
      await screenshot(page, 'customer-import-summary');

      const csv = await fetch(`${app.url}${await page.getByTestId('errors-csv').getAttribute('href')}`, { headers: { cookie: await cookieHeader() } });
      expect(csv.status).toBe(200);
      expect(await csv.text()).toContain('4');

      await page.getByTestId('recent-imports').getByText('shop-customers.csv').waitFor();
      await page.goto('/customers?q=오하나');
      await expect.poll(rowNames, poll).toEqual(['오하나']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('custom attribute settings', () => {
  it('creates an attribute with a purpose, then edits it', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('nav-customer-attributes').click();
    await page.getByRole('heading', { name: 'Custom attributes', exact: true }).waitFor();
    await page.locator('[data-testid="attribute-row"][data-key="region"]').waitFor();

    await page.getByTestId('create-attribute').click();
    const dialog = page.getByRole('dialog', { name: 'New custom attribute' });
    await dialog.locator('input[name="label"]').fill('Shoe size');
    expect(await dialog.locator('input[name="key"]').inputValue()).toBe('shoe_size');
    await dialog.getByTestId('attribute-type').click();
    await page.getByRole('option', { name: 'Number' }).click();
    await dialog.getByTestId('attribute-purpose').click();
    await page.getByRole('option', { name: 'Service' }).click();
    await dialog.getByTestId('attribute-submit').click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.locator('[data-testid="attribute-row"][data-key="shoe_size"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Number');
    expect(await row.getByTestId('purpose-badge').textContent()).toBe('Service');

    await row.getByRole('button', { name: 'Edit Shoe size' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit “Shoe size”' });
    await edit.locator('input[name="label"]').fill('Shoe size (mm)');
    await edit.getByTestId('attribute-submit').click();
    await expect.poll(() => row.textContent(), poll).toContain('Shoe size (mm)');
    await screenshot(page, 'customer-attributes');
  });
});

describe('roles', () => {
  it('shows an analyst masked contact details and no way to change customers', async () => {
    expect(await addMember(app.url, call, { email: 'analyst@example.com', role: 'analyst', password: 'analyst-pass-1' })).toBe(200);
    const id = await createCustomer({ name: 'Masked Person', email: 'masked.person@naver.com', phone: '010-9876-5432' });

    const analyst = await newPage(browser, app.url);
    try {
      const p = analyst.page;
      await logIn(p, 'analyst@example.com', 'analyst-pass-1');
      await p.goto('/customers?q=Masked');
      const row = p.locator(`[data-testid="customer-row"][data-id="${id}"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain('ma***@naver.com');
      expect(await row.textContent()).toContain('+8210****5432');
      expect(await p.getByTestId('new-customer').count()).toBe(0);
      expect(await p.getByTestId('import-link').count()).toBe(0);
      expect(await p.getByTestId('export-csv').count()).toBe(1); // analysts may export (masked)

      await row.getByTestId('customer-link').click();
      await p.getByTestId('masked-badge').waitFor();
      expect(await p.getByTestId('edit-profile').count()).toBe(0);
      await p.getByTestId('privacy-menu').click();
      expect(await p.getByTestId('erase-customer').count()).toBe(0);
      expect(await p.getByTestId('delete-customer').count()).toBe(0);
      expect(await p.getByTestId('export-data').count()).toBe(0);
      await p.keyboard.press('Escape');

      // Custom attributes: readable, not editable, and not listed in the settings menu.
      await p.goto('/settings/customer-attributes');
      await p.locator('[data-testid="attribute-row"][data-key="region"]').waitFor();
      expect(await p.getByTestId('create-attribute').count()).toBe(0);
      await p.getByTestId('nav-settings').click();
      await p.getByTestId('nav-members').waitFor();
      expect(await p.getByTestId('nav-customer-attributes').count()).toBe(0);
    } finally {
      await analyst.context.close();
    }
  });
});
