// `rapport serve` (npm start): database, migrations, first start, HTTP server and worker in one process.
import type { Config } from '../config.ts';
import { openConfiguredDatabase } from '../db/open.ts';
import { runMigrations } from '../db/migrate.ts';
import { ensureUploadDir } from '../uploads.ts';
import { failInterruptedImports } from '../customers/import/imports.ts';
import { failInterruptedCommerceImports } from '../commerce/imports.ts';
import { buildApp } from '../http/app.ts';
import { ensureFirstWorkspace } from '../workspaces/bootstrap.ts';
import { registerSystemSchedules, systemJobHandlers } from '../worker/handlers.ts';
import { startWorker } from '../worker/runner.ts';
import { enqueueJob } from '../worker/queue.ts';
import { DEMO_WORKSPACE_JOB, type DemoWorkspaceJobPayload } from '../worker/demo-job.ts';
import { startSandboxSmtp } from '../messaging/sandbox-smtp.ts';
import { handleSandboxBounce } from '../messaging/bounces.ts';
import { closeProviders } from '../messaging/providers/index.ts';
import { startMessageDispatcher } from '../messaging/dispatcher.ts';

export async function serve(config: Config): Promise<void> {
  const database = await openConfiguredDatabase(config);
  let closing = false;
  try {
    ensureUploadDir(config); // fails fast on a directory other users own or can write to
    const { applied } = await runMigrations(database);
    await failInterruptedImports(database.db);
    await failInterruptedCommerceImports(database.db);
    const first = await ensureFirstWorkspace(database.db, {
      adminEmail: config.adminEmail,
      adminPassword: config.adminPassword,
      workspaceName: config.demo ? 'Demo Shop' : 'My workspace',
    });
    await registerSystemSchedules(database.db);
    const demo = first !== undefined && config.demo && config.demoCustomers > 0;
    if (first && demo) {
      // The demo data loads in the background, so the first start answers as soon as the
      // workspace and its owner are there.
      const payload: DemoWorkspaceJobPayload = {
        customers: config.demoCustomers,
        behaviourCustomers: Math.min(config.demoCustomers, 100),
        customersAsOf: new Date().toISOString(),
      };
      await enqueueJob(database.db, { type: DEMO_WORKSPACE_JOB, workspaceId: first.workspace.id, payload, dedupeKey: `demo-workspace:${first.workspace.id}` });
    }

    const app = await buildApp({ database, config });
    // The Sandbox's SMTP server on 127.0.0.1: e-mail of sandbox channels lands in the Sandbox inbox.
    const sandboxSmtp = await startSandboxSmtp(database.db, {
      onBounce: async (bounce) => {
        await handleSandboxBounce(database.db, bounce);
      },
    });
    const worker = config.inProcessWorker
      ? startWorker(database, { handlers: systemJobHandlers(), concurrency: config.workerConcurrency, logger: app.log })
      : undefined;
    // Messages are sent by the worker: without it, queued messages would wait for ever.
    const dispatcher = config.inProcessWorker ? startMessageDispatcher(database, { config, logger: app.log }) : undefined;
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const shownHost = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(config.host) ? 'localhost' : config.host;
    const url = `http://${shownHost}:${port}`;

    const lines = [
      `Rapport is running at ${url}  (API docs: ${url}/docs)`,
      `Database: ${database.kind === 'pglite' ? `embedded PostgreSQL in ${config.dataDir}` : 'PostgreSQL server (DATABASE_URL)'}${applied ? `, ${applied} migration(s) applied` : ''}`,
    ];
    if (first) {
      lines.push(
        '',
        `First start: created workspace "${first.workspace.name}" and its owner${demo ? `; its ${config.demoCustomers} demo customers and their shop behaviour are loading in the background (RAPPORT_DEMO=0 starts empty)` : ''}.`,
        `  Log in at ${url} with`,
        `    e-mail:   ${first.email}`,
        first.passwordGenerated ? `    password: ${first.password}   (shown only this once: write it down)` : '    password: the one in RAPPORT_ADMIN_PASSWORD',
      );
    }
    console.log(`\n${lines.join('\n')}\n`);

    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 15_000);
      force.unref();
      await dispatcher?.stop();
      await worker?.stop();
      await closeProviders();
      await sandboxSmtp.close();
      await app.close();
      await database.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
  } catch (err) {
    await database.close();
    throw err;
  }
}
