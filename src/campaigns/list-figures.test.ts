import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../db/test-helpers.ts';
import { createTwoShops, type TwoShops } from '../http/test-client.ts';
import { addCustomers, granted } from '../messaging/delivery-test-fixture.ts';
import { createTemplate } from '../messaging/templates.ts';
import { createSegment } from '../segments/segments.ts';
import { systemActor } from '../workspaces/audit.ts';
import { createCampaign, getCampaign, type CampaignInput } from './campaigns.ts';
import { campaignListFigures, type CampaignListFigures } from './list-figures.ts';
import { campaignReport } from './report.ts';
import { scheduleCampaign } from './sending.ts';
import { addMembers, runEnqueue } from './test-fixture.ts';

/** The list's figures as the report gives them. */
function fromReport(groups: { key: string; targeted: number; sent: number; delivered: number; opened: number; clicked: number }[]): CampaignListFigures {
  const sum = (key: 'targeted' | 'sent' | 'delivered' | 'opened' | 'clicked', gs = groups) => gs.reduce((n, g) => n + g[key], 0);
  const variants = groups.filter((g) => g.key !== 'holdout');
  return { recipients: sum('targeted'), targeted: sum('targeted', variants), sent: sum('sent'), delivered: sum('delivered'), opened: sum('opened'), clicked: sum('clicked') };
}

describeEachDb('campaign list figures', (getDb) => {
  let s: TwoShops;
  let ws: string;
  const ids: Record<'ab' | 'single' | 'made' | 'draft', string> = { ab: '', single: '', made: '', draft: '' };

  beforeAll(async () => {
    const database = getDb();
    const db = database.db;
    s = await createTwoShops(database, { names: ['목록 수치', 'Other shop'] });
    ws = s.a.workspace.id;
    const customerIds = await addCustomers(db, ws, Array.from({ length: 120 }, (_, i) => ({ email: `f${i}@list-figures.test`, name: `고객${i}`, consents: granted('email', 'marketing', 'night_ads') })));
    const segment = await createSegment(db, { workspaceId: ws, actor: systemActor, input: { name: '전체', kind: 'static' } });
    await addMembers(db, ws, segment.id, customerIds);
    const template = async (v: string) =>
      (await createTemplate(db, { workspaceId: ws, actor: systemActor, input: { name: `시안 ${v}`, kind: 'email', format: 'html', purpose: 'marketing', subject: `[${v}]`, body: `<p>${v}</p>` } })).id;
    const [a, b] = [await template('A'), await template('B')];
    const campaign = async (name: string, input: Partial<CampaignInput>, start: 'no' | 'freeze' | 'make') => {
      const c = await createCampaign(db, { workspaceId: ws, actor: systemActor, input: { name, kind: 'email', audience: { segmentIds: [segment.id] }, variants: [{ templateId: a, share: 100 }], ...input } });
      if (start !== 'no') await scheduleCampaign(db, { workspaceId: ws, actor: systemActor, id: c.id });
      if (start === 'make') await runEnqueue(db, ws, c.id);
      return c.id;
    };
    ids.ab = await campaign('A/B', { variants: [{ templateId: a, share: 45 }, { templateId: b, share: 45 }], holdoutShare: 10 }, 'make');
    ids.single = await campaign('Frozen, not made', {}, 'freeze');
    ids.made = await campaign('Made, none sent', { audience: { customerIds: customerIds.slice(0, 7) } }, 'make');
    ids.draft = await campaign('Draft', {}, 'no');

    // The dispatcher's outcomes, written as it writes them: of the A/B campaign's messages, most sent,
    // fewer delivered, opened and clicked, some suppressed.
    const { rows } = await db.execute<{ id: string }>(sql`select id from messages where workspace_id = ${ws}::uuid and origin_id = ${ids.ab}::uuid order by id`);
    const at = (i: number, every: number) => rows.filter((_, k) => k % every === i % every).map((r) => r.id);
    const set = (msgIds: string[], assignments: SQL) =>
      db.execute(sql`update messages set ${assignments} where workspace_id = ${ws}::uuid and id = any(${sql.param(msgIds)}::uuid[])`);
    const sent = rows.filter((_, k) => k % 5 !== 0).map((r) => r.id);
    await set(sent, sql`status = 'sent', sent_at = now()`);
    await set(at(1, 5), sql`status = 'delivered', delivered_at = now()`);
    await set(at(2, 5), sql`status = 'delivered', delivered_at = now(), opened_at = now()`);
    await set(at(3, 5), sql`status = 'delivered', delivered_at = now(), opened_at = now(), clicked_at = now()`);
    await set(at(0, 5), sql`status = 'suppressed', reason = 'no_consent'`);
    // A merge of two recipients of this campaign keeps one place: the other's message was sent
    // and still counts as sent, in the list as in the report.
    await db.execute(sql`
      delete from campaign_recipients where workspace_id = ${ws}::uuid and campaign_id = ${ids.ab}::uuid
        and message_id = (select id from messages where workspace_id = ${ws}::uuid and id = any(${sql.param(at(3, 5))}::uuid[]) limit 1)`);
  }, 120_000);
  afterAll(async () => {
    await s?.app.close();
  });

  it('gives each campaign of a page the figures its report gives, in one call', async () => {
    const db = getDb().db;
    const figures = await campaignListFigures(db, { workspaceId: ws, campaignIds: Object.values(ids) });
    for (const [name, id] of Object.entries(ids)) {
      const report = await campaignReport(db, await getCampaign(db, ws, id));
      expect(figures.get(id), name).toEqual(fromReport(report.groups));
    }
    // Guard against a test that passes on zeros: the A/B campaign has every figure.
    const ab = figures.get(ids.ab)!;
    expect(ab.recipients).toBe(119);
    expect(ab.targeted).toBeLessThan(ab.recipients);
    expect(ab.sent).toBeGreaterThan(ab.delivered);
    expect(ab.delivered).toBeGreaterThan(ab.opened);
    expect(ab.opened).toBeGreaterThan(ab.clicked);
    expect(ab.clicked).toBeGreaterThan(0);
    expect(figures.get(ids.single)).toMatchObject({ recipients: 120, targeted: 120, sent: 0 });
    expect(figures.get(ids.made)).toEqual({ recipients: 7, targeted: 7, sent: 0, delivered: 0, opened: 0, clicked: 0 });
    expect(figures.get(ids.draft)).toEqual({ recipients: 0, targeted: 0, sent: 0, delivered: 0, opened: 0, clicked: 0 });
    // Another workspace's ids give nothing away.
    const other = await campaignListFigures(db, { workspaceId: s.b.workspace.id, campaignIds: [ids.ab] });
    expect(other.get(ids.ab)).toEqual({ recipients: 0, targeted: 0, sent: 0, delivered: 0, opened: 0, clicked: 0 });
    expect((await campaignListFigures(db, { workspaceId: ws, campaignIds: [] })).size).toBe(0);
  });

  it('lists campaigns with their figures, page after page', async () => {
    const db = getDb().db;
    const seen = new Map<string, CampaignListFigures>();
    let cursor: string | null = null;
    do {
      const res = await s.as.viewer.get(`/api/campaigns?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      for (const item of res.body.items as { id: string; figures: CampaignListFigures }[]) seen.set(item.id, item.figures);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect([...seen.keys()].sort()).toEqual(Object.values(ids).sort());
    for (const id of Object.values(ids)) {
      const report = await campaignReport(db, await getCampaign(db, ws, id));
      expect(seen.get(id)).toEqual(fromReport(report.groups));
    }
    expect((await s.ownerB.get('/api/campaigns')).body.items).toEqual([]);
  });
});
