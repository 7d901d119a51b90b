// `rapport worker`: an extra job worker process against a PostgreSQL server.
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { openConfiguredDatabase } from '../db/open.ts';
import { runMigrations } from '../db/migrate.ts';
import { registerSystemSchedules, systemJobHandlers } from '../worker/handlers.ts';
import { startWorker } from '../worker/runner.ts';
import { startMessageDispatcher } from '../messaging/dispatcher.ts';
import { closeProviders } from '../messaging/providers/index.ts';

export async function runWorkerCommand(config: Config): Promise<number> {
  if (!config.databaseUrl) {
    throw new AppError(
      'invalid_input',
      'DATABASE_URL is not set. With the embedded database the worker runs inside `npm start`; extra workers need a PostgreSQL server.',
    );
  }
  const database = await openConfiguredDatabase(config);
  await runMigrations(database);
  await registerSystemSchedules(database.db);
  const log = {
    info: (obj: unknown, msg?: string) => console.log(msg ?? '', obj),
    warn: (obj: unknown, msg?: string) => console.warn(msg ?? '', obj),
    error: (obj: unknown, msg?: string) => console.error(msg ?? '', obj),
  };
  const worker = startWorker(database, { handlers: systemJobHandlers(), concurrency: config.workerConcurrency, logger: log });
  // Extra workers send messages too: the dispatchers share the messages table through SKIP LOCKED.
  const dispatcher = startMessageDispatcher(database, { config, logger: log });
  console.log(`Rapport worker started (concurrency ${config.workerConcurrency}). Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await dispatcher.stop();
  await worker.stop();
  await closeProviders();
  await database.close();
  return 0;
}
