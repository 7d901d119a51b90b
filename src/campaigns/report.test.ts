import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { describeEachDb } from '../db/test-helpers.ts';
import { dayIn } from '../messaging/stats.ts';
import { systemActor } from '../workspaces/audit.ts';
import { createCampaign, getCampaign } from './campaigns.ts';
import { campaignReport } from './report.ts';
import { scheduleCampaign } from './sending.ts';
import { campaignShop } from './test-fixture.ts';

const HOUR = 3_600_000;

describeEachDb('campaign report over time', (getDb) => {
  afterEach(() => clock.reset());

  it('counts each converted recipient once, on the day of their first conversion, and adds up revenue by day, per group', async () => {
    const database = getDb();
    const db = database.db;
    const shop = await campaignShop(database, { n: 200, domain: `timeline-${Date.now()}.test` });
    // Sending starts at 10:00 in Seoul (01:00 UTC); the window is 7 days, and it is day 3 now.
    const start = new Date('2026-03-02T01:00:00Z');
    clock.set(start);
    const campaign = await createCampaign(db, {
      workspaceId: shop.ws,
      actor: systemActor,
      input: { name: '주간 타임라인', kind: 'email', audience: { segmentIds: [shop.segmentId] }, variants: [{ templateId: shop.templateA, share: 80 }], holdoutShare: 20 },
    });
    await scheduleCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: campaign.id });
    const { rows: recipients } = await db.execute<{ customer_id: string; variant: string }>(
      sql`select customer_id, variant from campaign_recipients where workspace_id = ${shop.ws}::uuid and campaign_id = ${campaign.id}::uuid order by customer_id`,
    );
    const a = recipients.filter((r) => r.variant === 'A').map((r) => r.customer_id);
    const holdout = recipients.filter((r) => r.variant === 'holdout').map((r) => r.customer_id);
    const order = (customerId: string, at: Date, total: number) =>
      db.execute(sql`insert into orders (workspace_id, id, customer_id, currency, total, source, placed_at) values (${shop.ws}::uuid, gen_random_uuid(), ${customerId}::uuid, 'KRW', ${total}, 'api', ${at})`);
    // Day 1 (Seoul): two A customers; day 3: one of them again and a third; the holdout: one on day 2.
    await order(a[0]!, new Date(start.getTime() + 2 * HOUR), 10_000);
    await order(a[1]!, new Date(start.getTime() + 5 * HOUR), 20_000);
    await order(a[0]!, new Date(start.getTime() + 49 * HOUR), 5_000);
    await order(a[2]!, new Date(start.getTime() + 50 * HOUR), 7_000);
    await order(holdout[0]!, new Date(start.getTime() + 26 * HOUR), 30_000);
    // Before the start and after "now": not in the timeline.
    await order(a[3]!, new Date(start.getTime() - 2 * HOUR), 99_000);
    clock.set(start.getTime() + 51 * HOUR);

    const report = await campaignReport(db, await getCampaign(db, shop.ws, campaign.id));
    const days = [0, 1, 2].map((d) => dayIn('Asia/Seoul', new Date(start.getTime() + d * 24 * HOUR)));
    expect(report.timeline?.days).toEqual(days);
    const byKey = new Map(report.timeline!.groups.map((g) => [g.key, g]));
    expect(byKey.get('A')).toEqual({ key: 'A', converted: [2, 2, 3], revenue: [30_000, 30_000, 42_000] });
    expect(byKey.get('holdout')).toEqual({ key: 'holdout', converted: [0, 1, 1], revenue: [0, 30_000, 30_000] });
    // The last day of the timeline agrees with the groups' totals.
    for (const g of report.groups) {
      const t = byKey.get(g.key)!;
      expect(t.converted.at(-1)).toBe(g.converted);
      expect(t.revenue.at(-1)).toBe(g.revenue);
    }

    // Once the window has closed the timeline covers its 7 days (8 calendar days from 10:00) and stops there.
    clock.set(start.getTime() + 30 * 24 * HOUR);
    const closed = await campaignReport(db, await getCampaign(db, shop.ws, campaign.id));
    expect(closed.timeline?.days).toHaveLength(8);
    expect(closed.timeline?.days.at(-1)).toBe(dayIn('Asia/Seoul', new Date(start.getTime() + 7 * 24 * HOUR - 1)));
  });
});
