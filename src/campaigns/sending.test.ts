import { sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { describeEachDb, testConfig } from '../db/test-helpers.ts';
import { eventually, startTestSmtp } from '../messaging/delivery-test-fixture.ts';
import { startMessageDispatcher } from '../messaging/dispatcher.ts';
import { closeProviders } from '../messaging/providers/index.ts';
import { systemActor } from '../workspaces/audit.ts';
import { bucketOf, groupOf, setCampaignSettings } from './audience.ts';
import { createCampaign, getCampaign } from './campaigns.ts';
import { cancelCampaign, pauseCampaign, resumeCampaign, scheduleCampaign, zonedInstant } from './sending.ts';
import { campaignShop, runEnqueue } from './test-fixture.ts';

const config = testConfig({ RAPPORT_PUBLIC_URL: 'https://crm.rapport-shop.test', RAPPORT_SECRET_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' });

it('turns a local date and time in a zone into its instant', () => {
  expect(zonedInstant('2026-12-24T10:00', 'Asia/Seoul').toISOString()).toBe('2026-12-24T01:00:00.000Z');
  expect(zonedInstant('2026-07-01T09:30', 'America/New_York').toISOString()).toBe('2026-07-01T13:30:00.000Z');
  expect(zonedInstant('2026-01-15T09:30', 'America/New_York').toISOString()).toBe('2026-01-15T14:30:00.000Z');
});

describeEachDb('campaign sending', (getDb) => {
  let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
  beforeAll(async () => {
    smtp = await startTestSmtp();
  });
  afterAll(async () => {
    await closeProviders();
    await smtp.close();
  });
  afterEach(() => clock.reset());

  it('freezes the audience by the stable hash, sends each variant’s template once to its recipients and nothing to the holdout', async () => {
    const database = getDb();
    const db = database.db;
    const domain = `ab-${Date.now()}.test`;
    const shop = await campaignShop(database, { n: 300, domain, smtp: smtp.settings() });
    const campaign = await createCampaign(db, {
      workspaceId: shop.ws,
      actor: systemActor,
      input: { name: '가을 신상품 A/B', kind: 'email', audience: { segmentIds: [shop.segmentId] }, variants: [{ templateId: shop.templateA, share: 45 }, { templateId: shop.templateB, share: 45 }], holdoutShare: 10 },
    });
    const started = await scheduleCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: campaign.id });
    expect(started).toMatchObject({ status: 'sending', audienceSize: 300, excludedGlobalControl: 0 });
    expect(started.variants.map((v) => v.version)).toEqual([1, 1]);

    const { rows: recipients } = await db.execute<{ customer_id: string; variant: string; status: string }>(
      sql`select customer_id, variant, status from campaign_recipients where workspace_id = ${shop.ws}::uuid and campaign_id = ${campaign.id}::uuid`,
    );
    expect(recipients).toHaveLength(300);
    // The SQL assignment is the documented formula, recomputed here.
    for (const r of recipients) expect(r.variant).toBe(groupOf(bucketOf(campaign.id, r.customer_id), 10, started.variants));
    const holdout = recipients.filter((r) => r.variant === 'holdout');
    expect(holdout.length).toBeGreaterThan(10);
    expect(holdout.every((r) => r.status === 'holdout')).toBe(true);

    const dispatcher = startMessageDispatcher(database, { config, pollMs: 50, workspaceIds: [shop.ws] });
    try {
      await runEnqueue(db, shop.ws, campaign.id);
      const expected = 300 - holdout.length;
      await eventually(() => smtp.received.filter((m) => m.to[0]!.endsWith(`@${domain}`)).length >= expected, 60_000, 'every non-holdout recipient');
      // A second run of the job (a retried job) makes nothing new.
      await runEnqueue(db, shop.ws, campaign.id);
      await eventually(async () => (await getCampaign(db, shop.ws, campaign.id)).enqueuedAt !== null, 10_000, 'enqueued');
    } finally {
      await dispatcher.stop();
    }
    const mails = smtp.received.filter((m) => m.to[0]!.endsWith(`@${domain}`));
    const byAddress = new Map<string, string[]>();
    for (const m of mails) byAddress.set(m.to[0]!, [...(byAddress.get(m.to[0]!) ?? []), m.raw]);
    expect([...byAddress.values()].every((list) => list.length === 1)).toBe(true);
    const emailOf = new Map(shop.customerIds.map((id, i) => [id, `c${i}@${domain}`]));
    for (const r of holdout) expect(byAddress.has(emailOf.get(r.customer_id)!)).toBe(false);
    for (const r of recipients.filter((x) => x.variant !== 'holdout').slice(0, 40)) {
      const parsed = await simpleParser(byAddress.get(emailOf.get(r.customer_id)!)![0]!);
      expect(parsed.subject).toContain(`[${r.variant}]`);
    }
    const { rows: counts } = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from messages where workspace_id = ${shop.ws}::uuid and origin = 'campaign' and origin_id = ${campaign.id}::uuid`,
    );
    expect(counts[0]!.n).toBe(300 - holdout.length);
  });

  it('reports per group what was sent, suppressed (with the reason), clicked, ordered after a click, and what it cost', async () => {
    const database = getDb();
    const db = database.db;
    const domain = `report-${Date.now()}.test`;
    const shop = await campaignShop(database, { n: 40, domain, smtp: smtp.settings() });
    // Two customers withdraw their e-mail consent: the gate suppresses their messages.
    const withdrawn = shop.customerIds.slice(0, 2);
    await db.execute(sql`update customer_consents set status = 'withdrawn' where workspace_id = ${shop.ws}::uuid and customer_id = any(${sql.param(withdrawn)}::uuid[]) and purpose = 'marketing'`);
    await setCampaignSettings(db, shop.ws, { costs: { email: 2 } });
    const campaign = await createCampaign(db, { workspaceId: shop.ws, actor: systemActor, input: { name: '리포트', kind: 'email', audience: { segmentIds: [shop.segmentId] }, variants: [{ templateId: shop.templateA, share: 100 }] } });
    await scheduleCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: campaign.id });
    const dispatcher = startMessageDispatcher(database, { config, pollMs: 50, workspaceIds: [shop.ws] });
    try {
      await runEnqueue(db, shop.ws, campaign.id);
      await eventually(async () => (await db.execute<{ n: number }>(sql`select count(*)::int as n from messages where workspace_id = ${shop.ws}::uuid and status in ('queued', 'sending')`)).rows[0]!.n === 0, 60_000, 'all sent');
    } finally {
      await dispatcher.stop();
    }
    // Three recipients click; two of them order within the window after the click, one orders before it.
    const { rows: clicked } = await db.execute<{ id: string; customer_id: string }>(
      sql`select id, customer_id from messages where workspace_id = ${shop.ws}::uuid and origin_id = ${campaign.id}::uuid and status = 'sent' order by id limit 3`,
    );
    await db.execute(sql`update messages set clicked_at = now() + interval '1 hour', opened_at = now() + interval '1 hour' where workspace_id = ${shop.ws}::uuid and id = any(${sql.param(clicked.map((m) => m.id))}::uuid[])`);
    const order = (customerId: string, offset: string) =>
      db.execute(sql`insert into orders (workspace_id, id, customer_id, currency, total, source, placed_at) values (${shop.ws}::uuid, gen_random_uuid(), ${customerId}::uuid, 'KRW', 20000, 'api', now() + ${offset}::interval)`);
    await order(clicked[0]!.customer_id, '2 hours');
    await order(clicked[1]!.customer_id, '3 hours');
    await order(clicked[2]!.customer_id, '30 minutes');
    const { campaignReport } = await import('./report.ts');
    const report = await campaignReport(db, await getCampaign(db, shop.ws, campaign.id));
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]).toMatchObject({ key: 'A', targeted: 40, sent: 38, suppressed: 2, suppressedBy: { no_consent: 2 }, opened: 3, clicked: 3, attributedOrders: 2, attributedRevenue: 40_000, cost: 76 });
    expect(report.cost).toBe(76);
    // Without a holdout there is nothing to measure uplift against.
    expect(report.incrementalRevenue).toBeNull();
    expect(report.comparisons).toEqual([]);
  });

  it('keeps the global control group out of marketing campaigns, the same customers every time', async () => {
    const database = getDb();
    const db = database.db;
    const shop = await campaignShop(database, { n: 200, domain: `gc-${Date.now()}.test` });
    await setCampaignSettings(db, shop.ws, { globalControlShare: 20 });
    const input = { name: 'VIP 감사', kind: 'email' as const, audience: { segmentIds: [shop.segmentId] }, variants: [{ templateId: shop.templateA, share: 100 }] };
    const one = await createCampaign(db, { workspaceId: shop.ws, actor: systemActor, input });
    const two = await createCampaign(db, { workspaceId: shop.ws, actor: systemActor, input });
    const a = await scheduleCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: one.id });
    const b = await scheduleCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: two.id });
    expect(a.excludedGlobalControl).toBeGreaterThan(20);
    expect(a.excludedGlobalControl).toBeLessThan(60);
    const ids = async (id: string) =>
      (await db.execute<{ customer_id: string }>(sql`select customer_id from campaign_recipients where workspace_id = ${shop.ws}::uuid and campaign_id = ${id}::uuid order by customer_id`)).rows.map((r) => r.customer_id);
    expect(await ids(one.id)).toEqual(await ids(two.id));
    expect((await ids(one.id)).length).toBe(200 - a.excludedGlobalControl!);
    expect(b.excludedGlobalControl).toBe(a.excludedGlobalControl);
  });

  it('pauses (queued messages wait), resumes (they go again, spread by the throttle) and cancels (the rest are suppressed)', async () => {
    const database = getDb();
    const db = database.db;
    const shop = await campaignShop(database, { n: 30, domain: `pause-${Date.now()}.test` });
    clock.set(new Date('2026-05-04T01:00:00Z'));
    const campaign = await createCampaign(db, {
      workspaceId: shop.ws,
      actor: systemActor,
      input: { name: '천천히', kind: 'email', audience: { segmentIds: [shop.segmentId] }, variants: [{ templateId: shop.templateA, share: 100 }], throttlePerMinute: 10 },
    });
    await scheduleCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: campaign.id });
    await runEnqueue(db, shop.ws, campaign.id);
    const times = async () =>
      (await db.execute<{ status: string; reason: string | null; send_at: string }>(sql`select status, reason, send_at::text from messages where workspace_id = ${shop.ws}::uuid and origin_id = ${campaign.id}::uuid order by send_at`)).rows;
    const before = await times();
    expect(before).toHaveLength(30);
    // 10 a minute: three minutes' worth.
    expect(new Set(before.map((m) => m.send_at)).size).toBe(3);

    clock.set(new Date('2026-05-04T01:05:00Z'));
    await pauseCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: campaign.id });
    expect((await times()).every((m) => m.status === 'deferred' && m.reason === 'campaign_paused')).toBe(true);
    await expect(pauseCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: campaign.id })).rejects.toThrow(/only a sending campaign can be paused/);

    clock.set(new Date('2026-05-04T02:00:00Z'));
    await resumeCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: campaign.id });
    const resumed = await times();
    expect(resumed.every((m) => m.status === 'queued')).toBe(true);
    expect(new Date(resumed[0]!.send_at).toISOString()).toBe('2026-05-04T02:00:00.000Z');
    expect(new Date(resumed[29]!.send_at).toISOString()).toBe('2026-05-04T02:02:00.000Z');

    await cancelCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: campaign.id });
    expect((await times()).every((m) => m.status === 'suppressed' && m.reason === 'campaign_cancelled')).toBe(true);
    expect((await getCampaign(db, shop.ws, campaign.id)).status).toBe('cancelled');
  });

  it('counts recipients cancelled before their message was made under the same reason as cancelled messages', async () => {
    const database = getDb();
    const db = database.db;
    const shop = await campaignShop(database, { n: 12, domain: `cancel-${Date.now()}.test` });
    const campaign = await createCampaign(db, { workspaceId: shop.ws, actor: systemActor, input: { name: '취소', kind: 'email', audience: { segmentIds: [shop.segmentId] }, variants: [{ templateId: shop.templateA, share: 100 }] } });
    await scheduleCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: campaign.id });
    await cancelCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: campaign.id });
    await runEnqueue(db, shop.ws, campaign.id);
    const { campaignReport } = await import('./report.ts');
    const report = await campaignReport(db, await getCampaign(db, shop.ws, campaign.id));
    expect(report.groups[0]).toMatchObject({ targeted: 12, suppressed: 12, suppressedBy: { campaign_cancelled: 12 }, sent: 0, waiting: 0 });
    const { listRecipients } = await import('./recipients.ts');
    const page = await listRecipients(db, { workspaceId: shop.ws, campaignId: campaign.id, pii: true });
    expect(page.items.every((r) => r.status === 'cancelled' && r.reason === 'campaign_cancelled')).toBe(true);
  });

  it('refuses a campaign that cannot be sent with a 400 naming the field', async () => {
    const database = getDb();
    const db = database.db;
    const shop = await campaignShop(database, { n: 1, domain: `bad-${Date.now()}.test` });
    const base = { name: 'x', kind: 'email' as const, audience: { segmentIds: [shop.segmentId] }, variants: [{ templateId: shop.templateA, share: 100 }] };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ variants: [{ templateId: shop.templateA, share: 45 }, { templateId: shop.templateB, share: 45 }] }, /^variants: the shares and the holdout must add up to 100 \(they add up to 90\)/],
      [{ kind: 'sms' }, /^variants\[0\]\.templateId: the template is for email, the campaign sends sms/],
      [{ audience: { segmentIds: [] } }, /^audience\.segmentIds: name at least one segment/],
      [{ audience: { segmentIds: ['00000000-0000-4000-8000-000000000000'] } }, /^audience\.segmentIds\[0\]: segment not found/],
      [{ holdoutShare: 60, variants: [{ templateId: shop.templateA, share: 40 }] }, /^holdoutShare: must be a whole per cent from 0 to 50/],
      [{ schedule: { mode: 'at', at: '2020-01-01T00:00:00Z' } }, /^schedule\.at: is in the past/],
      [{ schedule: { mode: 'at', at: '2026-12-24 10:00' } }, /^schedule\.at: must be a time with its offset/],
      [{ goal: { windowDays: 0 } }, /^goal\.windowDays/],
    ];
    for (const [patch, message] of cases) await expect(createCampaign(db, { workspaceId: shop.ws, actor: systemActor, input: { ...base, ...patch } as never })).rejects.toThrow(message);
  });
});

it('puts within ±0.5 pp of the holdout setting in the holdout, for 100,000 recipients', async () => {
  const { uuidv7 } = await import('../db/uuid.ts');
  const campaignId = uuidv7();
  let holdout = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) if (groupOf(bucketOf(campaignId, uuidv7()), 10, [{ key: 'A', share: 45 }, { key: 'B', share: 45 }]) === 'holdout') holdout++;
  expect(Math.abs(holdout / n - 0.1)).toBeLessThan(0.005);
});
