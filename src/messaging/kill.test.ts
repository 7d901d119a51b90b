// Kill -9 of the worker while 10,000 e-mails are being delivered to a local SMTP server, then a
// restart: every recipient receives the message, and the only duplicates are messages that were
// in flight at the kill (at most the dispatcher's concurrency), each with the Message-ID of its
// first copy. The dispatcher runs in a child process (src/messaging/kill-child-dispatcher.ts).
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
import { createTestWorkspace, testConfig } from '../db/test-helpers.ts';
import { addChannel, addCustomers, eventually, granted, startTestSmtp } from './delivery-test-fixture.ts';
import { startMessageDispatcher } from './dispatcher.ts';
import { closeProviders } from './providers/index.ts';
import { createMessages } from './send.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-dispatch-kill-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const N = 10_000;
const CONCURRENCY = 16;
const LEASE_MS = 60_000;
const ENV = { RAPPORT_PUBLIC_URL: 'https://crm.kill.test', RAPPORT_SECRET_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' };

const backends = killTestBackends();

for (const backend of backends) {
  describe(`message delivery after kill -9 [${backend.name}]`, () => {
    it('reaches every recipient once more sending resumes, duplicates bounded by the concurrency and carrying the first copy’s Message-ID', async () => {
      const smtp = await startTestSmtp();
      const dataDir = fs.mkdtempSync(path.join(dir, 'data-'));
      let database = await backend.open(dataDir);
      try {
        await runMigrations(database);
        const { workspace } = await createTestWorkspace(database, 'Kill shop');
        const ws = workspace.id;
        const tag = ws.slice(-8);
        await addChannel(database.db, ws, { kind: 'email', provider: 'smtp', settings: smtp.settings({ maxConnections: 4 }) });
        const ids = await addCustomers(
          database.db,
          ws,
          Array.from({ length: N }, (_, i) => ({ email: `k${i}-${tag}@example.com`, name: `Customer ${i}`, consents: granted('email', 'marketing', 'night_ads') })),
        );
        const created = await createMessages(
          database.db,
          ids.map((customerId) => ({ workspaceId: ws, customerId, kind: 'email' as const, content: { subject: 'Hello {{ customer.name }}', body: '<p>Hi {{ customer.name }}, <a href="https://shop.example/">shop</a></p>', format: 'html' }, purpose: 'marketing' as const, idempotencyKey: `kill:${customerId}`, origin: 'campaign' })),
        );
        expect(created.filter((c) => c.message.status === 'queued')).toHaveLength(N);
        if (!backend.keepOpen) await database.close();

        // The child sends until a third of the messages are recorded as sent, says STOPPED and goes on
        // sending until the kill lands.
        const script = `
          await import(${JSON.stringify(path.join(root, 'src/areas.ts'))});
          const { openDatabase } = await import(${JSON.stringify(path.join(root, 'src/db/connection.ts'))});
          const { loadConfig } = await import(${JSON.stringify(path.join(root, 'src/config.ts'))});
          const { startMessageDispatcher } = await import(${JSON.stringify(path.join(root, 'src/messaging/dispatcher.ts'))});
          const database = await openDatabase(${JSON.stringify(backend.child(dataDir))});
          const config = loadConfig(${JSON.stringify({ RAPPORT_DEMO: '0', LOG_LEVEL: 'silent', ...ENV })});
          startMessageDispatcher(database, { config, concurrency: ${CONCURRENCY}, leaseMs: ${LEASE_MS}, pollMs: 50, workspaceIds: ['${ws}'] });
          const timer = setInterval(async () => {
            const { rows } = await database.pool.query("select count(*)::int as n from messages where workspace_id = '${ws}' and status = 'sent'");
            if (rows[0].n >= ${Math.floor(N / 3)}) { console.log('STOPPED at ' + rows[0].n); clearInterval(timer); }
          }, 100);`;
        const output = await runUntilStoppedThenKill(path.join(dir, `child-${backend.name}.mjs`), script, root);
        const receivedAtKill = smtp.received.length;

        if (!backend.keepOpen) database = await backend.open(dataDir);
        const count = async (where: string) =>
          Number((await database.db.execute<{ n: number }>(sql`select count(*)::int as n from messages where workspace_id = ${ws}::uuid and ${sql.raw(where)}`)).rows[0]!.n);
        const inFlight = await count(`status = 'sending'`);
        // The dead worker's claims are taken back once their lease has run out.
        clock.set(Date.now() + LEASE_MS + 1000);
        const config = testConfig(ENV);
        const dispatcher = startMessageDispatcher(database, { config, concurrency: CONCURRENCY, leaseMs: LEASE_MS, pollMs: 50, workspaceIds: [ws] });
        try {
          await eventually(async () => (await count(`status in ('queued', 'deferred', 'sending')`)) === 0, 240_000, 'every message sent');
        } finally {
          await dispatcher.stop();
          clock.reset();
        }
        await eventually(() => smtp.received.length >= N, 10_000, 'the last arrivals');

        const copies = new Map<string, string[]>();
        for (const r of smtp.received) for (const to of r.to) copies.set(to, [...(copies.get(to) ?? []), r.messageId ?? '?']);
        const duplicated = [...copies.entries()].filter(([, list]) => list.length > 1);
        const duplicates = duplicated.reduce((n, [, list]) => n + list.length - 1, 0);
        console.log(
          `[${backend.name}] kill -9: ${output.trim().split('\n').pop()}; ${receivedAtKill} received at the kill, ${inFlight} left sending; ` +
            `after the restart ${copies.size} of ${N} recipients received it, ${smtp.received.length} e-mails in all, ${duplicates} duplicates (concurrency ${CONCURRENCY})`,
        );
        expect(copies.size).toBe(N);
        for (let i = 0; i < N; i++) expect(copies.has(`k${i}-${tag}@example.com`)).toBe(true);
        expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
        for (const [, list] of duplicated) expect(new Set(list).size).toBe(1);
        expect(await count(`status = 'sent'`)).toBe(N);
      } finally {
        await closeProviders();
        await database.close();
        await smtp.close();
      }
    }, 600_000);
  });
}
