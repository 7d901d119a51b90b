// `rapport import customers FILE.csv`: imports a CSV into a workspace, printing progress and
// the rows it rejected.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Database } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { MatchBy } from '../customers/customers.ts';
import type { EncodingChoice } from '../customers/import/decode.ts';
import { IMPORT_MATCH_BY } from '../customers/import/imports.ts';
import type { Mapping } from '../customers/import/mapping.ts';
import { importCustomersFromFile, type ImportProgress } from '../customers/import/run.ts';
import { pickWorkspace } from './admin.ts';

export type ImportCommandOptions = { file: string; workspace?: string; encoding: EncodingChoice; matchBy: MatchBy; mapping?: Mapping };

export function parseImportArgs(args: string[]): ImportCommandOptions {
  const { values, positionals } = parseArgs({
    args,
    options: { workspace: { type: 'string' }, encoding: { type: 'string' }, 'match-by': { type: 'string' }, mapping: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [what, file, ...extra] = positionals;
  if (what !== 'customers') throw new AppError('invalid_input', `import: what to import? try "import customers FILE.csv"${what ? ` (not "${what}")` : ''}`);
  if (!file || extra.length) throw new AppError('invalid_input', 'import customers: name one CSV file');
  const encoding = (values.encoding ?? 'auto').toLowerCase();
  if (!['auto', 'utf-8', 'cp949'].includes(encoding)) throw new AppError('invalid_input', '--encoding: must be auto, utf-8 or cp949');
  const matchBy = values['match-by'] ?? 'auto';
  if (!(IMPORT_MATCH_BY as readonly string[]).includes(matchBy)) throw new AppError('invalid_input', `--match-by: must be one of ${IMPORT_MATCH_BY.join(', ')}`);
  let mapping: Mapping | undefined;
  if (values.mapping) {
    try {
      mapping = JSON.parse(values.mapping) as Mapping;
    } catch {
      throw new AppError('invalid_input', '--mapping: is not JSON (expected {"<csv header>": "<target>"})');
    }
    if (!mapping || typeof mapping !== 'object' || Array.isArray(mapping) || !Object.values(mapping).every((v) => typeof v === 'string')) {
      throw new AppError('invalid_input', '--mapping: must be a JSON object of {"<csv header>": "<target>"}');
    }
  }
  return { file, workspace: values.workspace, encoding: encoding as EncodingChoice, matchBy: matchBy as MatchBy, mapping };
}

/** Why the file cannot be read, or undefined when it can. */
export async function unreadable(file: string): Promise<string | undefined> {
  try {
    const stat = await fs.promises.stat(file);
    if (!stat.isFile()) return `${file} is not a file`;
    await fs.promises.access(file, fs.constants.R_OK);
    return undefined;
  } catch (err) {
    return `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`;
  }
}

const n = (x: number) => x.toLocaleString('en-US');

export async function importCustomersCommand(database: Database, o: ImportCommandOptions, print: (line: string) => void = console.log): Promise<number> {
  const problem = await unreadable(o.file);
  if (problem) {
    print(`Error: ${problem}`);
    return 1;
  }
  const workspaceId = await pickWorkspace(database, o.workspace);
  const started = Date.now();
  let lastPrint = 0;
  const onProgress = (p: ImportProgress) => {
    const now = Date.now();
    if (now - lastPrint < 1000) return;
    lastPrint = now;
    const pct = p.fileBytes ? Math.floor((100 * p.bytesRead) / p.fileBytes) : 100;
    print(`${pct}%  ${n(p.rowsTotal)} rows: ${n(p.rowsCreated)} created, ${n(p.rowsUpdated)} updated, ${n(p.rowsFailed)} failed`);
  };
  const result = await importCustomersFromFile(database.db, {
    workspaceId,
    actor: { type: 'system', label: 'cli' },
    filePath: o.file,
    encoding: o.encoding,
    matchBy: o.matchBy,
    mapping: o.mapping,
    onProgress,
  });
  const seconds = (Date.now() - started) / 1000;
  print(
    `Imported ${o.file} into workspace ${workspaceId}: ${n(result.rowsTotal)} rows, ${n(result.rowsCreated)} created, ${n(result.rowsUpdated)} updated, ` +
      `${n(result.rowsFailed)} failed, in ${seconds.toFixed(1)} s (${n(Math.round(result.rowsTotal / Math.max(seconds, 0.001)))} rows/s)`,
  );
  const shown = result.errors.slice(0, 20);
  if (shown.length) print(result.rowsFailed > shown.length ? `The first ${shown.length} problems:` : 'Problems:');
  for (const e of shown) print(`  line ${e.line}${e.column !== undefined ? `, column ${JSON.stringify(e.column)}` : ''}: ${e.message}`);
  if (result.errors.length > shown.length) print(`  … (upload the file in the web UI to get every rejected row as a CSV)`);
  return 0;
}
