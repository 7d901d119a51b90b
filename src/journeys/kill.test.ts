// Kill -9 of a worker in the middle of runs waiting on delays and sends (the journeys job, in small
// batches, and the message dispatcher in one child process), then a restart that runs the job and
// the dispatcher again: every run completes, each has its log rows seq 1…4 once, there is one
// message per (run, send step), and every customer receives A and B (a duplicate only for a message
// that was in flight at the kill, with the Message-ID of its first copy).
//
// The journey: send A → delay 1 hour → send B → exit. Every customer enters at T0 and half of the
// runs take their first step then (A made, waiting on the delay). The child runs at T1, an hour
// and a minute later: it makes A for the other half (who then wait until T1 + 1 hour) and B for the
// first half, while its dispatcher sends; it is killed once B is being made. The restart runs the
// job at T2 (the dead dispatcher's leases over), then at T3 (every delay over), and sends the rest.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import '../areas.ts';
import { clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { killTestBackends, runUntilStoppedThenKill } from '../db/kill-child.ts';
import { runMigrations } from '../db/migrate.ts';
import { createTestWorkspace, testConfig } from '../db/test-helpers.ts';
import { addChannel, addCustomers, eventually, granted, startTestSmtp } from '../messaging/delivery-test-fixture.ts';
import { startMessageDispatcher } from '../messaging/dispatcher.ts';
import { closeProviders } from '../messaging/providers/index.ts';
import { createTemplate } from '../messaging/templates.ts';
import { systemActor } from '../workspaces/audit.ts';
import { advanceDueRuns } from './engine.ts';
import { enterRuns, liveJourneys } from './entry.ts';
import { HOUR_MS, MINUTE_MS } from './graph.ts';
import { activateJourney, createJourney } from './journeys.ts';
import { runJourneysWork } from './work.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-journey-kill-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const BATCH = 100;
const CONCURRENCY = 16;
const LEASE_MS = 60_000;
const ENV = { RAPPORT_PUBLIC_URL: 'https://crm.kill.test', RAPPORT_SECRET_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' };
/** The log rows of a run: A sent, the delay waited, B sent, the exit. */
const STEPS = [
  { seq: 1, step_id: 'a', outcome: 'sent' },
  { seq: 2, step_id: 'wait', outcome: 'waited' },
  { seq: 3, step_id: 'b', outcome: 'sent' },
  { seq: 4, step_id: 'end', outcome: 'done' },
];

/** Runs the journeys job until nothing is left to do now (it hands back after its time budget). */
async function workUntilDone(db: Db, workspaceId: string): Promise<void> {
  for (;;) {
    const r = await runJourneysWork(db, { workspaceId, inboxBatch: BATCH, runBatch: BATCH });
    if (r.read === 0 && r.advanced === 0) return;
  }
}

for (const backend of killTestBackends()) {
  // 10,000 runs on PostgreSQL, as the issue asks; 2,500 on PGlite, where one process does all the
  // work through one connection, to keep the test near a minute on a 2-core machine.
  const N = backend.name === 'postgres' ? 10_000 : 2_500;

  describe(`journeys after kill -9 [${backend.name}]`, () => {
    it(`completes all ${N} runs without doing a step twice when the job and the dispatcher run again`, async () => {
      const smtp = await startTestSmtp();
      const dataDir = fs.mkdtempSync(path.join(dir, 'data-'));
      let database = await backend.open(dataDir);
      try {
        await runMigrations(database);
        const T0 = Date.now();
        const T1 = T0 + HOUR_MS + MINUTE_MS;
        const T2 = T1 + LEASE_MS + 1000;
        const T3 = T2 + HOUR_MS + MINUTE_MS;
        clock.set(T0);
        const domain = `journey-kill-${Date.now()}.test`;
        const { workspace } = await createTestWorkspace(database, 'Journey kill shop');
        const ws = workspace.id;
        await addChannel(database.db, ws, { kind: 'email', provider: 'smtp', settings: smtp.settings({ maxConnections: 4 }) });
        const ids = await addCustomers(
          database.db,
          ws,
          Array.from({ length: N }, (_, i) => ({ email: `c${i}@${domain}`, name: `고객${i}`, consents: granted('email', 'marketing', 'night_ads') })),
        );
        const emailOf = new Map(ids.map((id, i) => [id, `c${i}@${domain}`]));
        const template = async (name: string) =>
          (await createTemplate(database.db, { workspaceId: ws, actor: systemActor, input: { name, kind: 'email', format: 'html', purpose: 'marketing', subject: `[${name}] {{ customer.name }}님께`, body: `<p>${name}: 안녕하세요 {{ customer.name }}님</p>` } })).id;
        const [a, b] = [await template('A'), await template('B')];
        const journey = await createJourney(database.db, {
          workspaceId: ws,
          actor: systemActor,
          input: {
            name: '크래시 여정',
            definition: {
              trigger: { type: 'api' },
              entry: { mode: 'once', segmentId: null },
              exit: { goal: null, leaveSegmentId: null },
              holdoutShare: 0,
              graph: {
                start: 'a',
                steps: [
                  { id: 'a', type: 'send', kind: 'email', templateId: a, purpose: 'marketing', next: 'wait' },
                  { id: 'wait', type: 'delay', mode: 'duration', duration: { hours: 1 }, next: 'b' },
                  { id: 'b', type: 'send', kind: 'email', templateId: b, purpose: 'marketing', next: 'end' },
                  { id: 'end', type: 'exit' },
                ],
              },
            },
          },
        });
        await database.db.transaction((tx) => activateJourney(tx, { workspaceId: ws, actor: systemActor, id: journey.id }));
        const [live] = await liveJourneys(database.db, ws);
        const entered = await enterRuns(database.db, { workspaceId: ws, journey: live!, entries: ids.map((customerId) => ({ customerId, entryKey: `kill:${customerId}`, data: {} })) });
        expect(entered).toHaveLength(N);
        // Half the runs send A now and wait on the delay; their A is queued, not yet sent.
        for (let done = 0; done < N / 2; ) done += (await advanceDueRuns(database.db, { workspaceId: ws, limit: Math.min(500, N / 2 - done) })).claimed;
        const db0 = database.db;
        const count0 = async (q: ReturnType<typeof sql>) => Number((await db0.execute<{ n: number }>(q)).rows[0]!.n);
        expect(await count0(sql`select count(*)::int as n from journey_runs where workspace_id = ${ws}::uuid and waiting and step_id = 'wait'`)).toBe(N / 2);
        clock.reset();
        if (!backend.keepOpen) await database.close();

        // The child's dispatcher starts sending the queued A; once some have gone, the child steps the
        // due runs 100 at a time at T1 as well. It says STOPPED once B is being made (half of the
        // waiting runs are left to do) and goes on until the kill lands.
        const script = `
          await import(${JSON.stringify(path.join(root, 'src/areas.ts'))});
          const { clock } = await import(${JSON.stringify(path.join(root, 'src/clock.ts'))});
          const { openDatabase } = await import(${JSON.stringify(path.join(root, 'src/db/connection.ts'))});
          const { loadConfig } = await import(${JSON.stringify(path.join(root, 'src/config.ts'))});
          const { startMessageDispatcher } = await import(${JSON.stringify(path.join(root, 'src/messaging/dispatcher.ts'))});
          const { runJourneysWork } = await import(${JSON.stringify(path.join(root, 'src/journeys/work.ts'))});
          clock.set(${T1});
          const database = await openDatabase(${JSON.stringify(backend.child(dataDir))});
          const config = loadConfig(${JSON.stringify({ RAPPORT_DEMO: '0', LOG_LEVEL: 'silent', ...ENV })});
          startMessageDispatcher(database, { config, concurrency: ${CONCURRENCY}, leaseMs: ${LEASE_MS}, pollMs: 50, workspaceIds: ['${ws}'] });
          const counts = async () => (await database.pool.query("select count(*)::int as made, count(*) filter (where status = 'sent')::int as sent from messages where workspace_id = '${ws}' and origin = 'journey'")).rows[0];
          while ((await counts()).sent < ${N / 20}) await new Promise((resolve) => setTimeout(resolve, 20));
          const timer = setInterval(async () => {
            const { made, sent } = await counts();
            if (made >= ${N + N / 4}) { console.log('STOPPED at ' + made + ' messages made, ' + sent + ' sent'); clearInterval(timer); }
          }, 20);
          console.log('journeys work starting at ' + JSON.stringify(await counts()));
          for (;;) {
            const r = await runJourneysWork(database.db, { workspaceId: '${ws}', inboxBatch: ${BATCH}, runBatch: ${BATCH} });
            if (r.read === 0 && r.advanced === 0) break;
          }
          console.log('journeys work finished before the kill');`;
        const output = await runUntilStoppedThenKill(path.join(dir, `child-${backend.name}.mjs`), script, root);
        const receivedAtKill = smtp.received.length;

        if (!backend.keepOpen) database = await backend.open(dataDir);
        const db = database.db;
        const count = async (q: ReturnType<typeof sql>) => Number((await db.execute<{ n: number }>(q)).rows[0]!.n);
        const madeAtKill = await count(sql`select count(*)::int as n from messages where workspace_id = ${ws}::uuid and origin = 'journey'`);
        const completedAtKill = await count(sql`select count(*)::int as n from journey_runs where workspace_id = ${ws}::uuid and status = 'completed'`);
        const inFlight = new Set(
          (await db.execute<{ id: string }>(sql`select id from messages where workspace_id = ${ws}::uuid and status = 'sending'`)).rows.map((r) => r.id),
        );
        // Killed in the middle: some e-mails out, some runs done, some still to do.
        expect(receivedAtKill).toBeGreaterThan(0);
        expect(madeAtKill).toBeLessThan(2 * N);
        expect(completedAtKill).toBeLessThan(N);
        // Nothing half done: every message made has its log row, and no run stands behind its log.
        expect(await count(sql`
          select count(*)::int as n from messages m where m.workspace_id = ${ws}::uuid and m.origin = 'journey'
            and not exists (select 1 from journey_run_steps s where s.workspace_id = m.workspace_id and s.message_id = m.id)`)).toBe(0);
        expect(await count(sql`
          select count(*)::int as n from journey_run_steps s join journey_runs r on r.workspace_id = s.workspace_id and r.id = s.run_id
          where s.workspace_id = ${ws}::uuid and s.seq > r.seq`)).toBe(0);

        // The restart: the job runs again once the dead worker's leases are over, then after every
        // delay has ended; the dispatcher sends what is left.
        try {
          clock.set(T2);
          await workUntilDone(db, ws);
          clock.set(T3);
          await workUntilDone(db, ws);
          const dispatcher = startMessageDispatcher(database, { config: testConfig(ENV), concurrency: CONCURRENCY, leaseMs: LEASE_MS, pollMs: 50, workspaceIds: [ws] });
          try {
            await eventually(
              async () => (await count(sql`select count(*)::int as n from messages where workspace_id = ${ws}::uuid and status in ('queued', 'deferred', 'sending')`)) === 0,
              240_000,
              'every message sent',
            );
          } finally {
            await dispatcher.stop();
          }
        } finally {
          clock.reset();
        }
        await eventually(() => smtp.received.filter((r) => r.to[0]!.endsWith(`@${domain}`)).length >= 2 * N, 10_000, 'the last arrivals');

        // Every run completed, with its four log rows once each, in order.
        const statuses = await db.execute<{ status: string; n: number }>(sql`select status, count(*)::int as n from journey_runs where workspace_id = ${ws}::uuid group by status`);
        expect(statuses.rows).toEqual([{ status: 'completed', n: N }]);
        const steps = await db.execute<{ seq: number; step_id: string; outcome: string; n: number }>(sql`
          select seq, step_id, outcome, count(*)::int as n from journey_run_steps where workspace_id = ${ws}::uuid group by seq, step_id, outcome order by seq`);
        expect(steps.rows).toEqual(STEPS.map((s) => ({ ...s, n: N })));
        expect(await count(sql`
          select count(*)::int as n from (
            select run_id from journey_run_steps where workspace_id = ${ws}::uuid group by run_id having count(*) = 4 and min(seq) = 1 and max(seq) = 4) t`)).toBe(N);

        // One message per (run, send step): the one its log row names, made under the step's key,
        // for the run's customer, from the step's template, sent.
        expect(await count(sql`select count(*)::int as n from messages where workspace_id = ${ws}::uuid and origin = 'journey'`)).toBe(2 * N);
        const sends = (
          await db.execute<{ message_id: string; customer_id: string; step_id: string; key_ok: boolean; template_ok: boolean; status: string }>(sql`
            select s.message_id, r.customer_id, s.step_id, m.idempotency_key = 'journey:' || s.run_id::text || ':' || s.seq::text as key_ok,
              m.template_id = case s.step_id when 'a' then ${a}::uuid else ${b}::uuid end as template_ok, m.status
            from journey_run_steps s
            join journey_runs r on r.workspace_id = s.workspace_id and r.id = s.run_id
            join messages m on m.workspace_id = s.workspace_id and m.id = s.message_id and m.customer_id = r.customer_id
            where s.workspace_id = ${ws}::uuid and s.step_type = 'send'`)
        ).rows;
        expect(sends).toHaveLength(2 * N);
        expect(new Set(sends.map((s) => s.message_id)).size).toBe(2 * N);
        expect(sends.filter((s) => !s.key_ok || !s.template_ok || s.status !== 'sent')).toEqual([]);

        // At the SMTP server: each of those messages reached its customer; a message arrived twice
        // only if it was in flight at the kill, and with the same Message-ID both times.
        const copies = new Map<string, { to: string[]; n: number }>();
        for (const r of smtp.received) {
          if (!r.to[0]!.endsWith(`@${domain}`)) continue;
          const id = /^<([0-9a-f-]{36})@/.exec(r.messageId ?? '')?.[1] ?? `? ${r.messageId}`;
          const c = copies.get(id) ?? { to: r.to, n: 0 };
          expect(c.to).toEqual(r.to);
          c.n++;
          copies.set(id, c);
        }
        const duplicated = [...copies.entries()].filter(([, c]) => c.n > 1);
        const duplicates = duplicated.reduce((n, [, c]) => n + c.n - 1, 0);
        console.log(
          `[${backend.name}] journeys kill -9 of ${N} runs: ${output.trim().split('\n').pop()}; at the kill ${madeAtKill} of ${2 * N} messages made, ${completedAtKill} runs completed, ` +
            `${receivedAtKill} e-mails received, ${inFlight.size} in flight; after the restart ${smtp.received.length} e-mails in all, ${duplicates} duplicates (concurrency ${CONCURRENCY})`,
        );
        expect(copies.size).toBe(2 * N);
        const missing = sends.filter((s) => copies.get(s.message_id)?.to.join() !== emailOf.get(s.customer_id));
        expect(missing).toEqual([]);
        for (const [id] of duplicated) expect(inFlight.has(id), `duplicate of ${id}`).toBe(true);
        expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
      } finally {
        clock.reset();
        await closeProviders();
        await database.close();
        await smtp.close();
      }
    }, 600_000);
  });
}
