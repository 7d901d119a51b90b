// The `rapport` command line: thin wrappers that parse arguments and call the core.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { DatabaseInUseError, type Database } from '../db/connection.ts';
import { UnsafeDirectoryError } from '../uploads.ts';
import { openConfiguredDatabase } from '../db/open.ts';
import { runMigrations } from '../db/migrate.ts';
import { AppError } from '../errors.ts';
import { serve } from './serve.ts';
import { createKeyCommand, createUserCommand } from './admin.ts';
import { runBench } from './bench.ts';
import { demoCommand } from './demo.ts';
import { importCustomersCommand, parseImportArgs, unreadable } from './import.ts';
import { importCommerceCommand, isCommerceImport, parseCommerceImportArgs } from './commerce-import.ts';
import { runWorkerCommand } from './worker.ts';

const HELP = `Usage: rapport <command> [options]

Commands:
  serve                      start the API, web UI and worker (what npm start runs)
  migrate                    apply database migrations
  worker                     run a job worker against a PostgreSQL server (DATABASE_URL)
  keys create --kind write|secret [--role R] [--name N] [--workspace ID]
                             create an API key and print it
  users create --email E --password P --role R [--name N] [--workspace ID]
                             create a user (or reuse one) and add them to a workspace
  demo [--customers N] [--workspace ID] [--seed S]
                             load demo customers (default RAPPORT_DEMO_CUSTOMERS) into a workspace
  import customers FILE.csv [--workspace ID] [--encoding auto|utf-8|cp949]
          [--match-by auto|email|phone|externalId] [--mapping JSON]
                             import customers from a CSV (UTF-8 or CP949/EUC-KR; headers of
                             HubSpot, Salesforce and Korean exports are mapped for you)
  import products|orders FILE.csv [--workspace ID] [--encoding auto|utf-8|cp949]
                             import the catalogue, or orders (one row per order line), from a CSV
                             (prices in major units: 12.99, 89,000; see docs/commerce.md)
  rfm --orders FILE.csv --as-of YYYY-MM-DD [--window-days N] [--json]
                             RFM scores and segments of the customers in an orders CSV (no database)
  basket --baskets FILE --min-support S --min-confidence C [--sep ,] [--max-length N] [--top N] [--json]
                             frequent itemsets and association rules of a basket file (one basket a line)
  clv fit --transactions FILE --format cdnow|csv [--calibration-end YYYY-MM-DD] [--json]
                             fit the lifetime-value models (BG/NBD, Pareto/NBD, Gamma-Gamma) to purchases
  bench <name>               run bench/<name>.ts and print its figures
  db-template [--if-needed]  build the prebuilt embedded database new data directories start from

Settings come from the environment: PORT, HOST, DATABASE_URL, RAPPORT_DATA_DIR, RAPPORT_DEMO,
RAPPORT_DEMO_CUSTOMERS, RAPPORT_ADMIN_EMAIL, RAPPORT_ADMIN_PASSWORD (see README.md).`;

export async function withDatabase<T>(config: Config, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openConfiguredDatabase(config);
  try {
    await runMigrations(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return command ? 0 : 1;
  }
  if (command === 'bench') return runBench(rest);
  if (command === 'db-template') {
    const { buildPgliteTemplate } = await import('../db/build-template.ts');
    const result = await buildPgliteTemplate({ ifNeeded: rest.includes('--if-needed') });
    if (result.built) console.log(`Built the embedded database template in ${result.ms} ms: ${result.path}`);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve':
      await serve(config);
      return 0;
    case 'migrate': {
      const database = await openConfiguredDatabase(config);
      try {
        const { applied } = await runMigrations(database);
        console.log(applied ? `Applied ${applied} migration(s).` : 'The database is up to date.');
      } finally {
        await database.close();
      }
      return 0;
    }
    case 'worker':
      return runWorkerCommand(config);
    case 'rfm':
      return (await import('./rfm.ts')).rfmCommand(rest);
    case 'clv':
      return (await import('./clv.ts')).clvCommand(rest);
    case 'keys':
    case 'users': {
      const [sub, ...args] = rest;
      if (sub !== 'create') throw new AppError('invalid_input', `unknown command "${command} ${sub ?? ''}": try "${command} create"`);
      const { values } = parseArgs({
        args,
        options: {
          kind: { type: 'string' },
          role: { type: 'string' },
          name: { type: 'string' },
          workspace: { type: 'string' },
          email: { type: 'string' },
          password: { type: 'string' },
        },
        strict: true,
      });
      const out = await withDatabase(config, (database) =>
        command === 'keys' ? createKeyCommand(database, values) : createUserCommand(database, values),
      );
      console.log(out);
      return 0;
    }
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { customers: { type: 'string' }, workspace: { type: 'string' }, seed: { type: 'string' } }, strict: true });
      console.log(await withDatabase(config, (database) => demoCommand(database, values, config.demoCustomers)));
      return 0;
    }
    case 'import': {
      if (isCommerceImport(rest)) {
        const commerce = parseCommerceImportArgs(rest);
        return withDatabase(config, (database) => importCommerceCommand(database, commerce, (line) => console.log(line)));
      }
      const options = parseImportArgs(rest);
      const problem = await unreadable(options.file);
      if (problem) {
        console.error(`Error: ${problem}`);
        return 1;
      }
      return withDatabase(config, (database) => importCustomersCommand(database, options));
    }
    case 'basket':
      return (await import('./basket.ts')).basketCommand(rest);
    default:
      console.error(`Unknown command "${command}".\n\n${HELP}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(`Configuration error: ${err.message}`);
    else if (err instanceof DatabaseInUseError || err instanceof UnsafeDirectoryError || err instanceof AppError) console.error(`Error: ${err.message}`);
    else if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) console.error(`Error: ${err.message}`);
    else console.error(err);
    process.exitCode = 1;
  },
);
