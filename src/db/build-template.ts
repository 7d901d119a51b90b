// Builds the embedded database template of pglite-template.ts. Apart from it because building
// opens a database and migrates it, while opening a database unpacks the template: in one file
// the two imported each other.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from './connection.ts';
import { runMigrations } from './migrate.ts';
import { defaultTemplatePath, keyFile, templateKey, usableTemplate } from './pglite-template.ts';

/**
 * Builds the template: a fresh in-memory PGlite, migrated through the app's own path, dumped.
 * `ifNeeded` keeps a template that still matches.
 */
export async function buildPgliteTemplate(opts: { path?: string; ifNeeded?: boolean } = {}): Promise<{ built: boolean; path: string; ms: number }> {
  const target = opts.path ?? defaultTemplatePath;
  const started = performance.now();
  if (opts.ifNeeded && usableTemplate(target)) return { built: false, path: target, ms: 0 };
  const key = templateKey();
  // Several processes may build at once (parallel test runs): each writes its own file, and the
  // rename that publishes it is atomic.
  const tmp = `${target}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const database = await openDatabase({ kind: 'pglite', dataDir: null, dumpTo: tmp });
  try {
    await runMigrations(database);
  } finally {
    await database.close();
  }
  fs.writeFileSync(`${tmp}.key`, `${key}\n`);
  fs.renameSync(tmp, target);
  fs.renameSync(`${tmp}.key`, keyFile(target));
  return { built: true, path: target, ms: Math.round(performance.now() - started) };
}
