// `rapport import products FILE.csv` and `rapport import orders FILE.csv`: imports a CSV of the
// catalogue or of orders (one row per order line) into a workspace, printing counts and the rows
// it rejected.
import { parseArgs } from 'node:util';
import type { Database } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { IMPORT_KINDS, type ImportKind } from '../commerce/import-rows.ts';
import { importCommerceFile } from '../commerce/imports.ts';
import type { Encoding } from '../customers/import/decode.ts';
import { pickWorkspace } from './admin.ts';
import { unreadable } from './import.ts';

export type CommerceImportOptions = { kind: ImportKind; file: string; workspace?: string; encoding?: Encoding };

export function isCommerceImport(args: string[]): boolean {
  return (IMPORT_KINDS as readonly string[]).includes(args[0] ?? '');
}

export function parseCommerceImportArgs(args: string[]): CommerceImportOptions {
  const { values, positionals } = parseArgs({ args, options: { workspace: { type: 'string' }, encoding: { type: 'string' } }, allowPositionals: true, strict: true });
  const [kind, file, ...extra] = positionals;
  if (!(IMPORT_KINDS as readonly string[]).includes(kind ?? '')) throw new AppError('invalid_input', `import: what to import? try "import products FILE.csv" or "import orders FILE.csv"`);
  if (!file || extra.length) throw new AppError('invalid_input', `import ${kind}: name one CSV file`);
  const encoding = (values.encoding ?? 'auto').toLowerCase();
  if (!['auto', 'utf-8', 'cp949'].includes(encoding)) throw new AppError('invalid_input', '--encoding: must be auto, utf-8 or cp949');
  return { kind: kind as ImportKind, file, workspace: values.workspace, encoding: encoding === 'auto' ? undefined : (encoding as Encoding) };
}

const n = (x: number) => x.toLocaleString('en-US');

export async function importCommerceCommand(database: Database, o: CommerceImportOptions, print: (line: string) => void = console.log): Promise<number> {
  const problem = await unreadable(o.file);
  if (problem) {
    print(`Error: ${problem}`);
    return 1;
  }
  const workspaceId = await pickWorkspace(database, o.workspace);
  const started = Date.now();
  const r = await importCommerceFile(database.db, { workspaceId, actor: { type: 'system', label: 'cli' }, kind: o.kind, filePath: o.file, encoding: o.encoding });
  const seconds = (Date.now() - started) / 1000;
  const counts = o.kind === 'products' ? `${n(r.created)} created, ${n(r.updated)} updated` : `${n(r.created)} orders created, ${n(r.updated)} already stored`;
  print(`Imported ${o.file} (${r.encoding}) into workspace ${workspaceId}: ${n(r.rows)} rows, ${counts}, ${n(r.failed)} rows failed, in ${seconds.toFixed(1)} s`);
  const shown = r.errors.slice(0, 20);
  if (shown.length) print(r.failed > shown.length ? `The first ${shown.length} problems:` : 'Problems:');
  for (const e of shown) print(`  line ${e.line}${e.column !== undefined ? `, column ${JSON.stringify(e.column)}` : ''}: ${e.message}`);
  return 0;
}
