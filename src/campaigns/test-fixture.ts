// Test data for the campaign tests: a shop with an SMTP channel, customers with e-mail consent in
// a static segment, and two e-mail templates whose subjects tell the variants apart.
import { sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/connection.ts';
import { createTestWorkspace } from '../db/test-helpers.ts';
import { addChannel, addCustomers, granted } from '../messaging/delivery-test-fixture.ts';
import { createTemplate } from '../messaging/templates.ts';
import { createSegment } from '../segments/segments.ts';
import { systemActor } from '../workspaces/audit.ts';
import { runCampaignEnqueueJob } from './sending.ts';

export type CampaignShop = { ws: string; customerIds: string[]; segmentId: string; templateA: string; templateB: string };

/** `n` customers c0…c(n-1)@<domain> with e-mail marketing consent, all in one static segment. */
export async function campaignShop(database: Database, opts: { n: number; domain: string; smtp?: Record<string, unknown>; name?: string }): Promise<CampaignShop> {
  const db = database.db;
  const { workspace } = await createTestWorkspace(database, opts.name ?? 'Campaign shop');
  const ws = workspace.id;
  if (opts.smtp) await addChannel(db, ws, { kind: 'email', provider: 'smtp', settings: opts.smtp });
  const customerIds = await addCustomers(
    db,
    ws,
    Array.from({ length: opts.n }, (_, i) => ({ email: `c${i}@${opts.domain}`, name: `고객${i}`, consents: granted('email', 'marketing', 'night_ads') })),
  );
  const segment = await createSegment(db, { workspaceId: ws, actor: systemActor, input: { name: '전체 고객', kind: 'static' } });
  await addMembers(db, ws, segment.id, customerIds);
  const template = (variant: string) =>
    createTemplate(db, { workspaceId: ws, actor: systemActor, input: { name: `Variant ${variant}`, kind: 'email', format: 'html', purpose: 'marketing', subject: `[${variant}] {{ customer.name }}님께`, body: `<p>${variant}: 안녕하세요 {{ customer.name }}님</p>` } });
  const [a, b] = [await template('A'), await template('B')];
  return { ws, customerIds, segmentId: segment.id, templateA: a.id, templateB: b.id };
}

export async function addMembers(db: Queryable, ws: string, segmentId: string, customerIds: string[]): Promise<void> {
  await db.execute(sql`
    insert into segment_members (workspace_id, segment_id, customer_id, entered_at)
    select ${ws}::uuid, ${segmentId}::uuid, unnest(${sql.param(customerIds)}::uuid[]), now() on conflict do nothing`);
}

/** Runs the campaign's enqueue job as a worker would (without the queue). */
export function runEnqueue(db: Queryable, ws: string, campaignId: string): Promise<unknown> {
  return runCampaignEnqueueJob(db, { workspaceId: ws, payload: { campaignId } });
}
