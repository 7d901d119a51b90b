import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import '../areas.ts';
import { mergeCustomers, undoMerge } from '../customers/merge.ts';
import { exportCustomerData } from '../customers/privacy.ts';
import { describeEachDb } from '../db/test-helpers.ts';
import { systemActor } from '../workspaces/audit.ts';
import { createCampaign } from './campaigns.ts';
import { scheduleCampaign } from './sending.ts';
import { addMembers, campaignShop } from './test-fixture.ts';

describeEachDb('campaigns in a customer’s life', (getDb) => {
  it('moves a merged customer’s places in campaign audiences to the survivor, keeps one place per campaign, and an undo puts them back', async () => {
    const database = getDb();
    const db = database.db;
    const shop = await campaignShop(database, { n: 3, domain: `merge-${Date.now()}.test` });
    const [keep, other, third] = shop.customerIds as [string, string, string];
    const input = (segmentId: string) => ({ name: '병합 시험', kind: 'email' as const, audience: { segmentIds: [segmentId] }, variants: [{ templateId: shop.templateA, share: 100 }] });
    // Campaign 1 targets both; campaign 2 only the one merged away.
    const both = await createCampaign(db, { workspaceId: shop.ws, actor: systemActor, input: input(shop.segmentId) });
    await scheduleCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: both.id });
    await db.execute(sql`delete from segment_members where workspace_id = ${shop.ws}::uuid and segment_id = ${shop.segmentId}::uuid`);
    await addMembers(db, shop.ws, shop.segmentId, [other, third]);
    const only = await createCampaign(db, { workspaceId: shop.ws, actor: systemActor, input: input(shop.segmentId) });
    await scheduleCampaign(db, { workspaceId: shop.ws, actor: systemActor, id: only.id });

    const places = async (customerId: string) =>
      (await db.execute<{ campaign_id: string }>(sql`select campaign_id from campaign_recipients where workspace_id = ${shop.ws}::uuid and customer_id = ${customerId}::uuid order by campaign_id`)).rows.map((r) => r.campaign_id);
    const { merge } = await db.transaction((tx) => mergeCustomers(tx, { workspaceId: shop.ws, actor: systemActor, survivorId: keep, mergedId: other }));
    expect(await places(keep)).toEqual([both.id, only.id].sort());
    expect(await places(other)).toEqual([]);
    const exported = (await exportCustomerData(db, { workspaceId: shop.ws, customerId: keep })) as { campaigns: { campaign: string; group: string }[] };
    expect(exported.campaigns).toHaveLength(2);
    expect(exported.campaigns[0]).toMatchObject({ campaign: '병합 시험', group: 'A' });

    await db.transaction((tx) => undoMerge(tx, { workspaceId: shop.ws, actor: systemActor, mergeId: merge.id }));
    expect(await places(keep)).toEqual([both.id]);
    expect(await places(other)).toEqual([both.id, only.id].sort());
  });
});
