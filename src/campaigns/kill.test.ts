// Kill -9 of a worker while it is both making a campaign's messages (the enqueue job, in small
// batches) and sending them, then a restart that runs the job again: every recipient outside the
// holdout receives the campaign once (a duplicate only for a message that was in flight at the kill,
// with the Message-ID of its first copy), no holdout recipient receives anything, and there is one
// message per recipient.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import '../areas.ts';
import { clock } from '../clock.ts';
import type { Database } from '../db/connection.ts';
import { killTestBackends, runUntilStoppedThenKill } from '../db/kill-child.ts';
import { runMigrations } from '../db/migrate.ts';
import { testConfig } from '../db/test-helpers.ts';
import { eventually, startTestSmtp } from '../messaging/delivery-test-fixture.ts';
import { startMessageDispatcher } from '../messaging/dispatcher.ts';
import { closeProviders } from '../messaging/providers/index.ts';
import { systemActor } from '../workspaces/audit.ts';
import { createCampaign } from './campaigns.ts';
import { runCampaignEnqueueJob, scheduleCampaign } from './sending.ts';
import { campaignShop } from './test-fixture.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-campaign-kill-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const N = 3000;
const BATCH = 100;
const CONCURRENCY = 16;
const LEASE_MS = 60_000;
const ENV = { RAPPORT_PUBLIC_URL: 'https://crm.kill.test', RAPPORT_SECRET_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' };

const backends = killTestBackends();

for (const backend of backends) {
  describe(`campaign send after kill -9 [${backend.name}]`, () => {
    it('reaches every recipient outside the holdout once, and nobody in it, when the job runs again', async () => {
      const smtp = await startTestSmtp();
      const dataDir = fs.mkdtempSync(path.join(dir, 'data-'));
      let database = await backend.open(dataDir);
      try {
        await runMigrations(database);
        const domain = `kill-${Date.now()}.test`;
        const shop = await campaignShop(database, { n: N, domain, smtp: smtp.settings({ maxConnections: 4 }), name: 'Campaign kill shop' });
        const ws = shop.ws;
        const campaign = await createCampaign(database.db, {
          workspaceId: ws,
          actor: systemActor,
          input: { name: '크래시 캠페인', kind: 'email', audience: { segmentIds: [shop.segmentId] }, variants: [{ templateId: shop.templateA, share: 50 }, { templateId: shop.templateB, share: 40 }], holdoutShare: 10 },
        });
        await scheduleCampaign(database.db, { workspaceId: ws, actor: systemActor, id: campaign.id });
        const recipients = (await database.db.execute<{ customer_id: string; variant: string }>(sql`select customer_id, variant from campaign_recipients where workspace_id = ${ws}::uuid and campaign_id = ${campaign.id}::uuid`)).rows;
        const sendable = recipients.filter((r) => r.variant !== 'holdout').length;
        if (!backend.keepOpen) await database.close();

        // The child makes the messages 100 at a time while its dispatcher sends them; it says STOPPED
        // once a third of the recipients have their message and goes on until the kill lands.
        const script = `
          await import(${JSON.stringify(path.join(root, 'src/areas.ts'))});
          const { openDatabase } = await import(${JSON.stringify(path.join(root, 'src/db/connection.ts'))});
          const { loadConfig } = await import(${JSON.stringify(path.join(root, 'src/config.ts'))});
          const { startMessageDispatcher } = await import(${JSON.stringify(path.join(root, 'src/messaging/dispatcher.ts'))});
          const { runCampaignEnqueueJob } = await import(${JSON.stringify(path.join(root, 'src/campaigns/sending.ts'))});
          const database = await openDatabase(${JSON.stringify(backend.child(dataDir))});
          const config = loadConfig(${JSON.stringify({ RAPPORT_DEMO: '0', LOG_LEVEL: 'silent', ...ENV })});
          startMessageDispatcher(database, { config, concurrency: ${CONCURRENCY}, leaseMs: ${LEASE_MS}, pollMs: 50, workspaceIds: ['${ws}'] });
          const timer = setInterval(async () => {
            const { rows } = await database.pool.query("select count(*)::int as n from messages where workspace_id = '${ws}' and origin = 'campaign'");
            if (rows[0].n >= ${Math.floor(sendable / 3)}) { console.log('STOPPED at ' + rows[0].n + ' messages made'); clearInterval(timer); }
          }, 50);
          await runCampaignEnqueueJob(database.db, { workspaceId: '${ws}', payload: { campaignId: '${campaign.id}' } }, { batchSize: ${BATCH} });
          console.log('enqueue job finished before the kill');`;
        const output = await runUntilStoppedThenKill(path.join(dir, `child-${backend.name}.mjs`), script, root);

        if (!backend.keepOpen) database = await backend.open(dataDir);
        const db = database.db;
        const count = async (q: ReturnType<typeof sql>) => Number((await db.execute<{ n: number }>(q)).rows[0]!.n);
        const madeAtKill = await count(sql`select count(*)::int as n from messages where workspace_id = ${ws}::uuid and origin_id = ${campaign.id}::uuid`);
        expect(madeAtKill).toBeLessThan(sendable);
        // The dead worker's claims are taken back once their lease has run out; the job runs again.
        clock.set(Date.now() + LEASE_MS + 1000);
        const dispatcher = startMessageDispatcher(database, { config: testConfig(ENV), concurrency: CONCURRENCY, leaseMs: LEASE_MS, pollMs: 50, workspaceIds: [ws] });
        try {
          await runCampaignEnqueueJob(db, { workspaceId: ws, payload: { campaignId: campaign.id } }, { batchSize: BATCH });
          await eventually(
            async () => (await count(sql`select count(*)::int as n from messages where workspace_id = ${ws}::uuid and status in ('queued', 'deferred', 'sending')`)) === 0,
            240_000,
            'every message sent',
          );
        } finally {
          await dispatcher.stop();
          clock.reset();
        }
        await eventually(() => smtp.received.filter((r) => r.to[0]!.endsWith(`@${domain}`)).length >= sendable, 10_000, 'the last arrivals');

        const copies = new Map<string, string[]>();
        for (const r of smtp.received) for (const to of r.to) if (to.endsWith(`@${domain}`)) copies.set(to, [...(copies.get(to) ?? []), r.messageId ?? '?']);
        const duplicated = [...copies.entries()].filter(([, list]) => list.length > 1);
        const duplicates = duplicated.reduce((n, [, list]) => n + list.length - 1, 0);
        console.log(`[${backend.name}] campaign kill -9: ${output.trim().split('\n').pop()}; after the restart ${copies.size} of ${sendable} recipients received it, ${duplicates} duplicates (concurrency ${CONCURRENCY})`);
        const emailOf = new Map(shop.customerIds.map((id, i) => [id, `c${i}@${domain}`]));
        for (const r of recipients) expect(copies.has(emailOf.get(r.customer_id)!), `${r.variant} recipient`).toBe(r.variant !== 'holdout');
        expect(copies.size).toBe(sendable);
        expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
        for (const [, list] of duplicated) expect(new Set(list).size).toBe(1);
        expect(await count(sql`select count(*)::int as n from messages where workspace_id = ${ws}::uuid and origin_id = ${campaign.id}::uuid`)).toBe(sendable);
        // Every recipient's message is the one whose id the freeze fixed.
        expect(await count(sql`select count(*)::int as n from campaign_recipients r join messages m on m.workspace_id = r.workspace_id and m.id = r.message_id where r.workspace_id = ${ws}::uuid and r.campaign_id = ${campaign.id}::uuid`)).toBe(sendable);
      } finally {
        await closeProviders();
        await database.close();
        await smtp.close();
      }
    }, 600_000);
  });
}
