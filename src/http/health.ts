// GET /api/health: is the database reachable and are its migrations current?
import type { AppDeps, App } from './deps.ts';
import { migrationStatus, type MigrationStatus } from '../db/migrate.ts';
import { HealthSchema } from '../workspaces/contract.ts';

const HEALTH_TIMEOUT_MS = 5_000;

export async function registerHealthRoutes(app: App, { database }: AppDeps) {
  let lastStatus: MigrationStatus | undefined = await migrationStatus(database).catch(() => undefined);

  app.get(
    '/api/health',
    { config: { auth: 'public' }, schema: { tags: ['system'], summary: 'Database reachable and migrations current', response: { 200: HealthSchema, 503: HealthSchema } } },
    async (_request, reply) => {
      const busySince = database.busySince();
      // Embedded PGlite runs one query at a time. While a job's long query holds it, the
      // database is alive but cannot answer: report that from what we know instead of queueing
      // behind the query, so health stays fast.
      if (busySince !== undefined && lastStatus && Date.now() - busySince < 60_000) {
        return { status: 'ok', database: { kind: database.kind, reachable: true, busyForMs: Date.now() - busySince }, migrations: lastStatus };
      }
      try {
        const status = await Promise.race([
          migrationStatus(database),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), HEALTH_TIMEOUT_MS).unref()),
        ]);
        lastStatus = status;
        const ok = status.current;
        return reply
          .status(ok ? 200 : 503)
          .send({ status: ok ? 'ok' : 'migrations_pending', database: { kind: database.kind, reachable: true }, migrations: status });
      } catch (err) {
        return reply.status(503).send({
          status: 'unavailable',
          database: { kind: database.kind, reachable: false, error: err instanceof Error ? err.message : String(err) },
        });
      }
    },
  );
}
