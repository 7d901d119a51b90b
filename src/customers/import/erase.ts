// What imports hold about a person, for a privacy erase or export: rejected rows whose message
// quotes their e-mail or phone, file names and failure messages naming them, and the rows of
// files uploaded but not imported yet.
import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import iconv from 'iconv-lite';
import type { Queryable } from '../../db/connection.ts';
import { eraseMentions, personLikePatterns, personPattern, type ErasedPerson } from '../erased-person.ts';

type ErrorRow = { import_id: string; line: number; column: string | null; message: string };

async function errorRowsAbout(db: Queryable, workspaceId: string, person: ErasedPerson): Promise<ErrorRow[]> {
  const { emails, digits } = personLikePatterns(person);
  if (emails.length + digits.length === 0) return [];
  const texts = emails.length ? sql`e.message ilike any(${sql.param(emails)}::text[])` : sql`false`;
  const phones = digits.length ? sql`regexp_replace(e.message, '[^0-9]', '', 'g') like any(${sql.param(digits)}::text[])` : sql`false`;
  const { rows } = await db.execute<ErrorRow>(sql`
    select e.import_id, e.line, e."column", e.message from customer_import_errors e
    where e.workspace_id = ${workspaceId}::uuid and (${texts} or ${phones})
    order by e.import_id, e.line`);
  const pattern = personPattern(person)!;
  return rows.filter((r) => eraseMentions(r.message, pattern) !== r.message);
}

/** Rejected import rows that quote the person, for an export. */
export async function importErrorsAbout(db: Queryable, opts: { workspaceId: string; person: ErasedPerson }) {
  const rows = await errorRowsAbout(db, opts.workspaceId, opts.person);
  return rows.map((r) => ({ importId: r.import_id, line: Number(r.line), column: r.column, message: r.message }));
}

/** A CSV line that holds one of the person's e-mails or phone numbers, in any field. */
function lineIsAbout(line: string, pattern: RegExp): boolean {
  pattern.lastIndex = 0;
  return pattern.test(line);
}

/** Rewrites a file waiting to be imported without the person's rows; returns its new size. */
async function rewriteUpload(filePath: string, encoding: string, pattern: RegExp): Promise<number | null> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(filePath);
  } catch {
    return null; // already gone
  }
  const enc = iconv.encodingExists(encoding) ? encoding : 'utf-8';
  const bom = enc === 'utf-16le' ? bytes.subarray(0, 2).equals(Buffer.from([0xff, 0xfe])) : bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
  const text = iconv.decode(bytes, enc);
  const lines = text.split(/(?<=\n)/);
  const kept = lines.filter((l) => !lineIsAbout(l, pattern));
  if (kept.length === lines.length) return null;
  const out = iconv.encode(kept.join(''), enc, { addBOM: bom });
  const tmp = `${filePath}.erase-${process.pid}`;
  await fs.promises.writeFile(tmp, out, { mode: 0o600 });
  await fs.promises.rename(tmp, filePath);
  return out.length;
}

/**
 * Rewrites what imports hold about the person: the messages of rejected rows that quote them
 * (the line and column stay), file names that name them, and the rows of files uploaded and not
 * started yet (a running import reads its file as it was).
 */
export async function eraseFromImports(db: Queryable, opts: { workspaceId: string; person: ErasedPerson }): Promise<void> {
  const pattern = personPattern(opts.person);
  if (!pattern) return;
  for (const r of await errorRowsAbout(db, opts.workspaceId, opts.person)) {
    await db.execute(sql`
      update customer_import_errors set message = ${eraseMentions(r.message, pattern)}
      where workspace_id = ${opts.workspaceId}::uuid and import_id = ${r.import_id}::uuid and line = ${r.line} and message = ${r.message}`);
  }
  const { rows } = await db.execute<{ id: string; status: string; file_name: string; failure: string | null; file_path: string | null; encoding: string }>(sql`
    select id, status, file_name, failure, file_path, encoding from customer_imports where workspace_id = ${opts.workspaceId}::uuid`);
  for (const imp of rows) {
    const fileName = eraseMentions(imp.file_name, pattern);
    const failure = eraseMentions(imp.failure, pattern);
    if (fileName !== imp.file_name || failure !== imp.failure) {
      await db.execute(sql`update customer_imports set file_name = ${fileName}, failure = ${failure} where workspace_id = ${opts.workspaceId}::uuid and id = ${imp.id}::uuid`);
    }
    if (imp.status !== 'uploaded' || !imp.file_path) continue;
    const size = await rewriteUpload(imp.file_path, imp.encoding, pattern);
    if (size !== null) await db.execute(sql`update customer_imports set file_bytes = ${size} where workspace_id = ${opts.workspaceId}::uuid and id = ${imp.id}::uuid`);
  }
}
