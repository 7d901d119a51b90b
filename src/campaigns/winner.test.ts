import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { describeEachDb } from '../db/test-helpers.ts';
import { systemActor } from '../workspaces/audit.ts';
import { recipientGroupOf } from './audience.ts';
import { createCampaign, getCampaign } from './campaigns.ts';
import { campaignReport } from './report.ts';
import { scheduleCampaign } from './sending.ts';
import { campaignShop, runEnqueue } from './test-fixture.ts';

const HOUR = 3_600_000;

describeEachDb('campaign winner selection', (getDb) => {
  afterEach(() => clock.reset());

  it('sends the variants to the test share first, picks the variant with the better click rate after the hours, and sends it to the rest', async () => {
    const database = getDb();
    const db = database.db;
    const shop = await campaignShop(database, { n: 600, domain: `winner-${Date.now()}.test` });
    const start = new Date('2026-05-04T01:00:00Z');
    clock.set(start);
    const campaign = await createCampaign(db, {
      workspaceId: shop.ws,
      actor: systemActor,
      input: {
        name: '제목 테스트',
        kind: 'email',
        audience: { segmentIds: [shop.segmentId] },
        variants: [{ templateId: shop.templateA, share: 45 }, { templateId: shop.templateB, share: 45 }],
        holdoutShare: 10,
        winner: { testShare: 30, afterHours: 4, by: 'click' },
      },
    });
    const started = await scheduleCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: campaign.id });
    const { rows: recipients } = await db.execute<{ customer_id: string; variant: string; seq: number; message_id: string | null }>(
      sql`select customer_id, variant, seq, message_id from campaign_recipients where workspace_id = ${shop.ws}::uuid and campaign_id = ${campaign.id}::uuid`,
    );
    // The groups are the documented formula (two hashes), recomputed here; the test comes first in the send order.
    for (const r of recipients) expect(r.variant).toBe(recipientGroupOf(started, r.customer_id));
    const test = recipients.filter((r) => r.variant === 'A' || r.variant === 'B');
    const rest = recipients.filter((r) => r.variant === 'winner');
    expect(started.testSize).toBe(test.length);
    expect(Math.max(...test.map((r) => r.seq))).toBe(test.length);
    expect(Math.min(...rest.map((r) => r.seq))).toBe(test.length + 1);
    // 30% of the 90% outside the holdout, give or take the hash's chance.
    expect(test.length / recipients.length).toBeGreaterThan(0.18);
    expect(test.length / recipients.length).toBeLessThan(0.36);

    const messageCount = async () =>
      Number((await db.execute<{ n: number }>(sql`select count(*)::int as n from messages where workspace_id = ${shop.ws}::uuid and origin_id = ${campaign.id}::uuid`)).rows[0]!.n);
    expect(await runEnqueue(db, shop.ws, campaign.id)).toMatchObject({ step: 'winner', messages: test.length });
    expect(await messageCount()).toBe(test.length);

    // B's test recipients click more than A's.
    const clickers = [...test.filter((r) => r.variant === 'B').slice(0, 12), ...test.filter((r) => r.variant === 'A').slice(0, 3)];
    await db.execute(sql`update messages set clicked_at = ${new Date(start.getTime() + HOUR)} where workspace_id = ${shop.ws}::uuid and id = any(${sql.param(clickers.map((r) => r.message_id!))}::uuid[])`);

    // Before the hours are up nothing more is made.
    clock.set(start.getTime() + 3 * HOUR);
    expect(await runEnqueue(db, shop.ws, campaign.id)).toMatchObject({ step: 'winner', messages: 0 });
    expect((await getCampaign(db, shop.ws, campaign.id)).winnerKey).toBeNull();

    clock.set(start.getTime() + 4 * HOUR);
    await runEnqueue(db, shop.ws, campaign.id);
    const after = await getCampaign(db, shop.ws, campaign.id);
    expect(after.winnerKey).toBe('B');
    expect(after.winnerPickedAt?.getTime()).toBe(start.getTime() + 4 * HOUR);
    expect(await messageCount()).toBe(test.length + rest.length);
    const { rows: templates } = await db.execute<{ template_id: string; n: number }>(sql`
      select m.template_id, count(*)::int as n from messages m
      join campaign_recipients r on r.workspace_id = m.workspace_id and r.message_id = m.id
      where m.workspace_id = ${shop.ws}::uuid and r.campaign_id = ${campaign.id}::uuid and r.variant = 'winner' group by 1`);
    expect(templates).toEqual([{ template_id: shop.templateB, n: rest.length }]);

    const report = await campaignReport(db, after);
    expect(report.groups.map((g) => [g.key, g.targeted])).toEqual([
      ['A', test.filter((r) => r.variant === 'A').length],
      ['B', test.filter((r) => r.variant === 'B').length],
      ['winner', rest.length],
      ['holdout', recipients.filter((r) => r.variant === 'holdout').length],
    ]);
    expect(report.comparisons.map((c) => `${c.variant}:${c.against}`)).toEqual(['A:holdout', 'B:holdout', 'winner:holdout', 'B:A']);
  });

  it('refuses a winner without two variants, or with a test share out of range, naming the field', async () => {
    const database = getDb();
    const db = database.db;
    const shop = await campaignShop(database, { n: 3, domain: `winner-bad-${Date.now()}.test` });
    const input = (winner: unknown, variants = [{ templateId: shop.templateA, share: 50 }, { templateId: shop.templateB, share: 50 }]) => ({
      name: 'x',
      kind: 'email' as const,
      audience: { segmentIds: [shop.segmentId] },
      variants,
      winner: winner as never,
    });
    await expect(createCampaign(db, { workspaceId: shop.ws, actor: systemActor, input: input({ testShare: 20, afterHours: 4, by: 'click' }, [{ templateId: shop.templateA, share: 100 }]) })).rejects.toThrow(/^winner: /);
    await expect(createCampaign(db, { workspaceId: shop.ws, actor: systemActor, input: input({ testShare: 80, afterHours: 4, by: 'click' }) })).rejects.toThrow(/^winner\.testShare: /);
    await expect(createCampaign(db, { workspaceId: shop.ws, actor: systemActor, input: input({ testShare: 20, afterHours: 0, by: 'click' }) })).rejects.toThrow(/^winner\.afterHours: /);
    await expect(createCampaign(db, { workspaceId: shop.ws, actor: systemActor, input: input({ testShare: 20, afterHours: 4, by: 'opens' }) })).rejects.toThrow(/^winner\.by: /);
  });
});
