// Static segments from a CSV: each row names a customer by e-mail, phone or external id (the
// first of them the row has); rows that name nobody are reported by line and the rest are kept.
// `replace` makes the file the whole membership; `append` only adds.
import { sql } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { normaliseEmail, normalisePhone } from '../customers/fields.ts';
import { decodeHead, detectDelimiter, detectEncoding } from '../customers/import/decode.ts';
import { applyTarget, type DiffResult } from './membership.ts';
import { requireSegmentRow } from './segments.ts';

export type UploadMode = 'replace' | 'append';
export type UploadRowError = { line: number; message: string };
type Key = { kind: 'email' | 'phone' | 'external_id'; value: string };

const HEADERS: Record<string, Key['kind']> = {
  email: 'email',
  e_mail: 'email',
  'e-mail': 'email',
  이메일: 'email',
  phone: 'phone',
  mobile: 'phone',
  전화번호: 'phone',
  휴대폰: 'phone',
  external_id: 'external_id',
  externalid: 'external_id',
  customer_id: 'external_id',
  회원번호: 'external_id',
};

/** The rows' keys (or errors), from the CSV bytes: UTF-8 or CP949, comma/semicolon/tab. Pure. */
export function readUploadRows(bytes: Buffer): { keys: { line: number; key: Key }[]; errors: UploadRowError[] } {
  const text = decodeHead(bytes, detectEncoding(bytes, true));
  const delimiter = detectDelimiter(text.split(/\r?\n/, 1)[0] ?? '');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    throw new AppError('invalid_input', `body: is not a readable CSV (${(err as Error).message})`);
  }
  const [header, ...rows] = records;
  if (!header) throw new AppError('invalid_input', 'body: the CSV is empty (expected a header row with email, phone or external_id)');
  const columns = header.record.map((h) => HEADERS[h.trim().toLowerCase().replace(/\s+/g, '_')]);
  if (!columns.some(Boolean)) throw new AppError('invalid_input', `body: line 1: no email, phone or external_id column in the header (${header.record.join(', ')})`);
  const keys: { line: number; key: Key }[] = [];
  const errors: UploadRowError[] = [];
  for (const { record, info } of rows) {
    const line = info.lines;
    let key: Key | undefined;
    let problem: string | undefined;
    for (let i = 0; i < columns.length && !key; i++) {
      const kind = columns[i];
      const raw = record[i]?.trim();
      if (!kind || !raw) continue;
      if (kind === 'email') {
        const v = normaliseEmail(raw);
        if (v) key = { kind, value: v };
        else problem ??= `email "${raw}" is not an e-mail address`;
      } else if (kind === 'phone') {
        const v = normalisePhone(raw);
        if (v) key = { kind, value: v };
        else problem ??= `phone "${raw}" is not a phone number`;
      } else key = { kind, value: raw };
    }
    if (key) keys.push({ line, key });
    else errors.push({ line, message: problem ?? 'no email, phone or external id' });
  }
  return { keys, errors };
}

/** Replaces or extends a static segment's members from a CSV; returns what moved and the rejected lines. */
export async function uploadStaticMembers(db: Queryable, opts: { workspaceId: string; segmentId: string; mode: UploadMode; csv: Buffer; now?: Date }) {
  const segment = await requireSegmentRow(db, { workspaceId: opts.workspaceId, id: opts.segmentId });
  if (segment.kind !== 'static') throw new AppError('invalid_input', `segment ${segment.id} is dynamic: its members follow its definition (upload to a static segment)`);
  const { keys, errors } = readUploadRows(opts.csv);
  const rowCount = keys.length + errors.length;
  const lookup = (kind: Key['kind']) => [...new Set(keys.filter((k) => k.key.kind === kind).map((k) => k.key.value))];
  const { rows } = await db.execute<{ kind: Key['kind']; value: string; id: string }>(sql`
    select 'email' as kind, c.email as value, c.id from customers c
    where c.workspace_id = ${opts.workspaceId}::uuid and c.deleted_at is null and c.email = any(${sql.param(lookup('email'))}::text[])
    union all
    select 'phone', c.phone, c.id from customers c
    where c.workspace_id = ${opts.workspaceId}::uuid and c.deleted_at is null and c.phone = any(${sql.param(lookup('phone'))}::text[])
    union all
    select 'external_id', c.external_id, c.id from customers c
    where c.workspace_id = ${opts.workspaceId}::uuid and c.deleted_at is null and c.external_id = any(${sql.param(lookup('external_id'))}::text[])`);
  const found = new Map<string, string>();
  for (const r of rows) if (!found.has(`${r.kind}:${r.value}`)) found.set(`${r.kind}:${r.value}`, r.id);
  const ids = new Set<string>();
  for (const { line, key } of keys) {
    const id = found.get(`${key.kind}:${key.value}`);
    if (id) ids.add(id);
    else errors.push({ line, message: `no customer with ${key.kind.replace('_', ' ')} ${key.value}` });
  }
  errors.sort((a, b) => a.line - b.line);
  const list = [...ids];
  const target = sql`select unnest(${sql.param(list)}::uuid[]) as customer_id`;
  const now = opts.now ?? new Date();
  let diff: DiffResult;
  if (opts.mode === 'replace') diff = await applyTarget(db, { workspaceId: opts.workspaceId, segment, target, now });
  else {
    diff = list.length > 0 ? await applyTarget(db, { workspaceId: opts.workspaceId, segment, target, now, customerIds: list }) : { entered: 0, exited: 0 };
    await db.execute(sql`update segments set last_computed_at = ${now.toISOString()}::timestamptz where workspace_id = ${opts.workspaceId}::uuid and id = ${segment.id}::uuid`);
  }
  const [after] = (await db.execute<{ size: number }>(sql`select size from segments where workspace_id = ${opts.workspaceId}::uuid and id = ${segment.id}::uuid`)).rows;
  return { mode: opts.mode, rows: rowCount, matched: list.length, ...diff, size: Number(after?.size ?? 0), errors: errors.slice(0, 1000), errorCount: errors.length };
}
