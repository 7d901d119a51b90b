import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import '../areas.ts';
import { clock } from '../clock.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { runDemoWorkspaceJob } from '../worker/demo-job.ts';
import { systemActor } from '../workspaces/audit.ts';
import { listChannels } from './channels.ts';
import { DEMO_OPT_OUT_NUMBER, DEMO_SENDER_NAME, DEMO_TEMPLATES, setupDemoMessaging } from './demo.ts';
import { createMessages } from './send.ts';
import { getMessagingSettings, setMessagingSettings } from './settings.ts';
import { loadContexts } from './template-context.ts';
import { getTemplate, listTemplates, renderTemplate } from './templates.ts';

const kst = (local: string) => new Date(`${local}+09:00`);

describeEachDb('demo messaging', (database) => {
  afterEach(() => clock.reset());

  it('gives the workspace sandbox channels, the advertising marks and the demo templates; again, it adds nothing and keeps what the marketer set', async () => {
    const db = database().db;
    const { workspace } = await createTestWorkspace(database());
    const first = await setupDemoMessaging(db, workspace.id);
    expect(first.templatesCreated).toEqual(DEMO_TEMPLATES.map((t) => t.name));
    const channels = await listChannels(db, workspace.id);
    expect(channels.map((c) => [c.kind, c.provider, c.isDefault]).sort()).toEqual([
      ['email', 'sandbox', true],
      ['kakao', 'sandbox', true],
      ['push', 'sandbox', true],
      ['sms', 'sandbox', true],
    ]);
    const settings = await getMessagingSettings(db, workspace.id);
    expect([settings.senderName, settings.optOutNumber]).toEqual([DEMO_SENDER_NAME, DEMO_OPT_OUT_NUMBER]);
    const templates = await listTemplates(db, { workspaceId: workspace.id });
    expect(templates.map((t) => [t.kind, t.purpose]).sort()).toEqual([
      ['email', 'marketing'],
      ['kakao', 'transactional'],
      ['push', 'marketing'],
      ['sms', 'marketing'],
    ]);
    // The e-mail's MJML was compiled once, at save time, with its Liquid intact.
    const welcome = templates.find((t) => t.kind === 'email')!;
    const detail = await getTemplate(db, { workspaceId: workspace.id, id: welcome.id });
    expect(detail.version.compiled).toContain('{% for p in recommendations limit:3 %}');

    await setMessagingSettings(db, { workspaceId: workspace.id, actor: systemActor, input: { senderName: '우리가게' } });
    const again = await setupDemoMessaging(db, workspace.id);
    expect(again.templatesCreated).toEqual([]);
    expect((await listChannels(db, workspace.id)).length).toBe(4);
    expect((await getMessagingSettings(db, workspace.id)).senderName).toBe('우리가게');
    expect((await listTemplates(db, { workspaceId: workspace.id })).length).toBe(DEMO_TEMPLATES.length);
  });

  it('the demo job sets it up: the welcome e-mail renders for a demo customer, and sending the templates to every demo customer shows the gate at work', async () => {
    const db = database().db;
    const { workspace } = await createTestWorkspace(database());
    await runDemoWorkspaceJob(db, { workspaceId: workspace.id, payload: { customers: 40, behaviourCustomers: 0, customersAsOf: '2026-11-01T00:00:00Z' } });
    // The demo templates, beside those the demo's starter journeys bring (src/journeys/demo.ts).
    const demoNames = new Set(DEMO_TEMPLATES.map((t) => t.name));
    const templates = (await listTemplates(db, { workspaceId: workspace.id })).filter((t) => demoNames.has(t.name));
    const byKind = (kind: string) => templates.find((t) => t.kind === kind)!;
    expect(templates.length).toBe(DEMO_TEMPLATES.length);

    const { rows: customers } = await db.execute<{ id: string; name: string; email_marketing: string | null; sms_marketing: string | null }>(sql`
      select c.id, c.name,
        (select status from customer_consents k where k.workspace_id = c.workspace_id and k.customer_id = c.id and k.channel = 'email' and k.purpose = 'marketing') as email_marketing,
        (select status from customer_consents k where k.workspace_id = c.workspace_id and k.customer_id = c.id and k.channel = 'sms' and k.purpose = 'marketing') as sms_marketing
      from customers c where c.workspace_id = ${workspace.id}::uuid and c.merged_into_id is null and c.deleted_at is null and c.email is not null and c.phone is not null
      order by c.external_id`);
    expect(customers.length).toBeGreaterThan(30);

    // The welcome e-mail for one of them: their name in the subject, the body and the plain-text part.
    const welcome = await getTemplate(db, { workspaceId: workspace.id, id: byKind('email').id });
    const someone = customers[0]!;
    const context = (await loadContexts(db, workspace.id, [someone.id])).get(someone.id)!;
    const rendered = await renderTemplate(
      { workspaceId: workspace.id, templateId: welcome.id, version: welcome.version.version, kind: 'email', format: welcome.version.format, subject: welcome.version.subject, body: welcome.version.body, compiled: welcome.version.compiled, options: welcome.version.options },
      { ...context, message: { unsubscribe_url: 'https://crm.example.com/u/token' } },
    );
    expect(rendered.subject).toBe(`${someone.name}님, 데모샵에 오신 것을 환영합니다`);
    expect(rendered.body).toContain(`${someone.name}님, 환영합니다!`);
    // Demo customers have no recommendations before the analytics run: the loop's else branch.
    expect(rendered.body).toContain('이번 주 베스트 상품 보기');
    expect(rendered.text).toContain(`${someone.name}님, 환영합니다!`);

    // At 14:00 KST (no quiet hours), to everyone: the ads go to those who agreed, the order confirmation to all.
    clock.set(kst('2026-11-02T14:00:00'));
    const send = (kind: string, purpose: 'marketing' | 'transactional', data?: Record<string, unknown>) =>
      createMessages(
        db,
        customers.map((c) => ({ workspaceId: workspace.id, customerId: c.id, kind: kind as 'email', templateId: byKind(kind).id, purpose, data, idempotencyKey: `demo-test:${kind}:${c.id}` })),
      );
    const emails = await send('email', 'marketing');
    const expected = customers.map((c) => (c.email_marketing === 'granted' ? 'queued' : 'suppressed'));
    expect(emails.map((o) => o.message.status)).toEqual(expected);
    expect(expected).toContain('queued');
    expect(expected).toContain('suppressed');
    expect(new Set(emails.filter((o) => o.message.status === 'suppressed').map((o) => o.message.reason))).toEqual(new Set(['no_consent']));
    const texts = await send('sms', 'marketing');
    expect(texts.map((o) => o.message.status)).toEqual(customers.map((c) => (c.sms_marketing === 'granted' ? 'queued' : 'suppressed')));
    const orders = await send('kakao', 'transactional', { order_id: 'D-1001', item_name: '울 블렌드 코트', total: '₩189,000' });
    expect(orders.map((o) => o.message.status)).toEqual(customers.map(() => 'queued'));
  });
});
