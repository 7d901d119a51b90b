// Importing customers from a CSV file: streamed record by record (a million rows never sit in
// memory), upserted in batches of a few set-based statements, each batch in its own
// transaction. Every bad row is reported with its line, column and reason; the good rows go in.
import { sql } from 'drizzle-orm';
import path from 'node:path';
import type { Db, Queryable, Tx } from '../../db/connection.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, type Actor } from '../../workspaces/audit.ts';
import { listAttributeDefs } from '../attributes.ts';
import { ConcurrentBatches } from '../batch-claims.ts';
import { upsertCustomers, type MatchBy, type UpsertResult } from '../customers.ts';
import type { CustomerInput } from '../profile-input.ts';
import { createCsvSplitter, type CsvRecord } from './csv-records.ts';
import { openTextStream, type Delimiter, type EncodingChoice } from './decode.ts';
import { inspectCsv } from './inspect.ts';
import { checkMapping, type Mapping } from './mapping.ts';
import { columnOfPath, convertRecord, planColumns, type ColumnPlan, type ConvertedRow } from './values.ts';

export type ImportRowError = { line: number; column?: string; message: string };
export type ImportCounts = { rowsTotal: number; rowsCreated: number; rowsUpdated: number; rowsFailed: number };
export type ImportProgress = ImportCounts & { bytesRead: number; fileBytes: number };
export type ImportResult = ImportCounts & { errors: ImportRowError[] };

export type ImportOptions = {
  workspaceId: string;
  actor: Actor;
  filePath: string;
  /** The name shown in the audit log (default: the file's base name). */
  fileName?: string;
  encoding?: EncodingChoice;
  delimiter?: Delimiter;
  /** CSV header → target; suggested from the headers when absent. */
  mapping?: Mapping;
  /** How a row finds its customer; `auto`: external id, then e-mail, then phone. */
  matchBy?: MatchBy;
  batchSize?: number;
  /** When given, progress and rejected rows are written to customer_imports / customer_import_errors as batches commit. */
  importId?: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Stops the import after the batch being written. */
  signal?: AbortSignal;
};

export const DEFAULT_BATCH_SIZE = 2000;
/** How many errors the result carries; all of them go to customer_import_errors. */
export const FIRST_ERRORS = 100;

/** Batches written at once, each in its own transaction (see src/customers/batch-claims.ts). */
export const IMPORT_WRITERS = 2;

/**
 * A data record of the file, or why it could not be read as one. `deferred`: a batch left it
 * for later because a batch being written at the same time touches the same customer.
 */
type PendingRow = { line: number; fields: string[]; error?: undefined; deferred?: boolean } | { line: number; fields?: undefined; error: string; deferred?: undefined };
type ReadRow = Extract<PendingRow, { fields: string[] }>;
type Entry = { input: CustomerInput; source: ReadRow };

/** A failed statement worth retrying in smaller pieces: a constraint or a bad value, not a lost connection. */
function isRowDataError(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(22|23)[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}

/** `"kim@" is not an e-mail address`, `"abc" must be a number`: the value leads unless the message has it. */
function describeIssue(message: string, value: string | undefined, fieldPath: string, column: string | undefined): string {
  if (column === undefined) return `${fieldPath} ${message}`;
  if (!value || message.startsWith('"')) return message;
  return `"${value}" ${message}`;
}

function isEmptyInput(c: ConvertedRow): boolean {
  return c.consents.length === 0 && Object.keys(c.input).length === 0;
}

export async function importCustomersFromFile(db: Db, opts: ImportOptions): Promise<ImportResult> {
  const { workspaceId, actor } = opts;
  const matchBy = opts.matchBy ?? 'auto';
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH_SIZE));
  const defs = await listAttributeDefs(db, { workspaceId });
  const inspection = await inspectCsv(opts.filePath, opts.encoding ?? 'auto', defs);
  const headers = inspection.headers;
  const mapping = opts.mapping ?? inspection.suggestedMapping;
  const problems = checkMapping(mapping, headers, defs);
  if (problems.length) {
    throw new AppError('invalid_input', problems.map((p) => `mapping[${JSON.stringify(p.header)}]: ${p.message}`).join('; '), problems);
  }
  const plan = planColumns(headers, mapping, defs);
  if (plan.length === 0) throw new AppError('invalid_input', 'mapping: no column is mapped to a customer field');
  const delimiter = opts.delimiter ?? inspection.delimiter;
  const width = headers.length;
  const fileBytes = inspection.fileBytes;

  const counts: ImportCounts = { rowsTotal: 0, rowsCreated: 0, rowsUpdated: 0, rowsFailed: 0 };
  const firstErrors: ImportRowError[] = [];
  let bytesRead = 0;

  const batches = new ConcurrentBatches();

  /**
   * Upserts rows in one transaction; a batch the database refuses is retried in halves down to
   * the row at fault. Rows another batch is writing at the same time go back to the queue (as
   * the batch plans: before the next batch is formed) and come back as `deferred`.
   */
  async function save(entries: Entry[], planned: () => void, record: Recorder): Promise<Saved[]> {
    let deferred = new Set<number>();
    const claim = batches.begin((positions) => {
      deferred = new Set(positions);
      putBack(positions.map((i) => entries[i]!.source));
      planned();
    });
    try {
      const { saved, tally } = await db.transaction(async (tx) => {
        // A batch need not wait for its commit to reach the disk: a crash loses at most the last
        // moments of an import, which is then failed and can be run again (rows are matched).
        await tx.execute(sql`set local synchronous_commit = off`);
        const results = await upsertCustomers(tx, {
          workspaceId, actor, rows: entries.map((e) => e.input), matchBy, fromText: true, pathOf: (i) => `#${i}`, auditEach: false, defs, consentSource: 'import', batch: claim,
        });
        const saved = results.map((result) => ({ entry: entries[result.index]!, result }));
        // The counters move in the transaction of the rows they count: committed together or not at all.
        return { saved, tally: await record.inTx(tx, saved) };
      });
      record.committed(tally);
      return saved.filter((s) => s.result.status === 'deferred');
    } catch (err) {
      if (!isRowDataError(err)) throw err;
      claim.release(); // rolled back: it holds nothing the halves must wait for
      // Rows this attempt deferred are back in the queue; the rest are tried again in halves.
      const left = entries.filter((_, i) => !deferred.has(i));
      const out = entries.filter((_, i) => deferred.has(i)).map((entry) => ({ entry, result: { index: -1, status: 'deferred' as const } }));
      if (left.length === 1) {
        const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
        return [...out, { entry: left[0]!, result: { index: 0, status: 'failed', errors: [{ path: '#0', message: `could not be saved: ${cause}` }] } }];
      }
      const mid = left.length >> 1;
      return [...out, ...(await save(left.slice(0, mid), () => {}, record)), ...(await save(left.slice(mid), () => {}, record))];
    } finally {
      claim.release();
    }
  }

  async function writeBatch(batch: PendingRow[], planned: () => void): Promise<void> {
    // Rows refused before the database: counted with the batch's first commit, or on their own.
    let unread: Tally | undefined = { ...emptyTally(), rows: 0 };
    const entries: Entry[] = [];
    for (const row of batch) {
      if (row.error !== undefined) {
        countFailed(unread, [{ line: row.line, message: row.error }]);
        continue;
      }
      const converted = convertRecord(row.fields, plan);
      if (converted.issues.length) {
        countFailed(unread, converted.issues.map((issue) => ({ line: row.line, column: issue.column, message: issue.message })));
      } else if (isEmptyInput(converted)) {
        countFailed(unread, [{ line: row.line, message: 'has no value in any imported column' }]);
      } else {
        entries.push({ input: converted.consents.length ? { ...converted.input, consents: converted.consents } : converted.input, source: row });
      }
    }
    if (unread.rows === 0) unread = undefined;
    const at = bytesRead;
    let carried: Tally | undefined;
    const record: Recorder = {
      inTx: async (tx, saved) => {
        const tally = tallyOf(saved, plan);
        carried = unread;
        if (carried) addTally(tally, carried);
        if (opts.importId) await recordProgress(tx, { workspaceId, importId: opts.importId, add: tally, bytesRead: at });
        return tally;
      },
      committed: (tally) => {
        if (carried) unread = undefined;
        carried = undefined;
        applyTally(tally);
      },
    };
    let left: Saved[] = [];
    try {
      if (entries.length) left = await save(entries, planned, record);
    } finally {
      planned(); // at the latest once this batch is written or failed, the next one may form
    }
    // Rows no transaction of this batch counted: those the database refused one by one, and the
    // rows refused before it when no transaction committed.
    const rest = tallyOf(left, plan);
    if (unread) addTally(rest, unread);
    if (rest.rows) {
      if (opts.importId) await db.transaction((tx) => recordProgress(tx, { workspaceId, importId: opts.importId!, add: rest, bytesRead: at }));
      applyTally(rest);
    }
    await refreshStatistics();
    opts.onProgress?.({ ...counts, bytesRead, fileBytes });
  }

  /** Adds a committed tally to the result: the counts, and the errors of the first lines (batches finish out of order). */
  function applyTally(t: Tally): void {
    counts.rowsTotal += t.rows;
    counts.rowsCreated += t.created;
    counts.rowsUpdated += t.updated;
    counts.rowsFailed += t.failed;
    const errors = [...t.errors].sort((x, y) => x.line - y.line);
    if (errors.length && (firstErrors.length < FIRST_ERRORS || errors[0]!.line < firstErrors.at(-1)!.line)) {
      firstErrors.push(...errors);
      firstErrors.sort((x, y) => x.line - y.line);
      firstErrors.length = Math.min(firstErrors.length, FIRST_ERRORS);
    }
  }

  // The lookups of each batch (identities, consents, profiles by id) need statistics that know
  // this workspace holds many rows: without them PostgreSQL scans every row of the workspace
  // for each batch (seen: 250 ms a batch at 1M rows, and autovacuum may be off or a minute
  // behind). So the import refreshes them as the workspace grows: 5k, 20k, 80k, … rows.
  let analyzeAt = 5_000;
  async function refreshStatistics(): Promise<void> {
    if (counts.rowsCreated < analyzeAt) return;
    analyzeAt *= 4;
    await db.execute(sql`analyze customers, customer_identities, customer_consents`);
  }

  const rows: PendingRow[] = [];
  const putBack = (deferred: ReadRow[]) => rows.unshift(...deferred.map((r) => ({ ...r, deferred: true })));
  // Up to IMPORT_WRITERS batches are written at once while the next is read and parsed. Batches
  // plan in file order: the next one is formed once the one before has planned (and put back
  // what it deferred), so rows of one customer are written in the file's order.
  const active = new Set<Promise<void>>();
  let lastPlanned: Promise<void> = Promise.resolve();
  async function dispatch(all: boolean): Promise<void> {
    while (rows.length >= batchSize || (all && rows.length)) {
      await lastPlanned;
      while (active.size >= IMPORT_WRITERS) await Promise.race(active);
      // Rows put back wait for the batches they met.
      if (rows[0]?.deferred) await Promise.all(active);
      if (!(rows.length >= batchSize || (all && rows.length))) break;
      opts.signal?.throwIfAborted();
      const batch = rows.splice(0, batchSize);
      let planned!: () => void;
      lastPlanned = new Promise<void>((resolve) => (planned = resolve));
      const write: Promise<void> = writeBatch(batch, planned).finally(() => active.delete(write));
      write.catch(() => {}); // awaited below; this only keeps it from counting as unhandled meanwhile
      active.add(write);
    }
  }
  /** Writes what is left, including rows put back by the last batches. */
  async function finish(): Promise<void> {
    for (;;) {
      await dispatch(true);
      if (active.size === 0) break;
      await Promise.race(active);
    }
  }

  let headerSeen = false;
  let undecodable = false;
  const accept = (rec: CsvRecord) => {
    if (!headerSeen) {
      headerSeen = true; // read by inspectCsv already
      return;
    }
    if (rec.error !== undefined) {
      rows.push({ line: rec.line, error: rec.error });
      return;
    }
    const f = rec.fields;
    if (f.every((v) => v.trim() === '')) return; // a blank row (Excel leaves ",,,," lines)
    // Bytes the decoder could not read (a CP949 part of a file detected as UTF-8, say) become U+FFFD.
    if (undecodable && f.some((v) => v.includes('\uFFFD'))) {
      rows.push({ line: rec.line, error: `has bytes that are not ${inspection.encoding} text: is part of the file in another encoding? (choose the encoding when importing)` });
      return;
    }
    if (f.length !== width && !(f.length > width && f.slice(width).every((v) => v.trim() === ''))) {
      rows.push({ line: rec.line, error: `has ${f.length} values but the header has ${width} columns` });
      return;
    }
    rows.push({ line: rec.line, fields: f });
  };

  const splitter = createCsvSplitter({ delimiter });
  const text = openTextStream(opts.filePath, inspection.encoding, (n) => {
    bytesRead = n;
  });
  try {
    for await (const chunk of text) {
      opts.signal?.throwIfAborted();
      if (!undecodable && (chunk as string).includes('\uFFFD')) undecodable = true;
      for (const rec of splitter.push(chunk as string)) accept(rec);
      await dispatch(false);
    }
    for (const rec of splitter.end()) accept(rec);
    await finish();
  } catch (err) {
    await Promise.allSettled(active);
    throw err;
  }
  bytesRead = fileBytes;
  if (opts.importId) await recordProgress(db, { workspaceId, importId: opts.importId, add: emptyTally(), bytesRead });

  await recordAudit(db, {
    workspaceId,
    actor,
    action: 'customer.import',
    entityType: 'customer_import',
    entityId: opts.importId ?? null,
    after: { fileName: opts.fileName ?? path.basename(opts.filePath), encoding: inspection.encoding, matchBy, ...counts },
  });
  return { ...counts, errors: firstErrors };
}

function rowIssue(row: ReadRow, issuePath: string, message: string, plan: readonly ColumnPlan[]): ImportRowError {
  const dot = issuePath.indexOf('.');
  const fieldPath = dot === -1 ? '' : issuePath.slice(dot + 1);
  const column = fieldPath ? columnOfPath(fieldPath, row.fields, plan) : undefined;
  const col = column === undefined ? undefined : plan.find((c) => c.header === column);
  const value = col ? row.fields[col.index]?.trim() : undefined;
  return { line: row.line, ...(column !== undefined ? { column } : {}), message: fieldPath ? describeIssue(message, value, fieldPath, column) : message };
}

type Saved = { entry: Entry; result: UpsertResult };
/** What a transaction adds to an import's counters, and the rows it rejected. */
type Tally = { rows: number; created: number; updated: number; failed: number; errors: ImportRowError[] };
/** Counts a batch's transactions in them (inTx), then in the result once committed. */
type Recorder = { inTx: (tx: Tx, saved: Saved[]) => Promise<Tally>; committed: (tally: Tally) => void };

const emptyTally = (): Tally => ({ rows: 0, created: 0, updated: 0, failed: 0, errors: [] });

function countFailed(t: Tally, errors: ImportRowError[]): void {
  t.rows++;
  t.failed++;
  t.errors.push(...errors);
}

function addTally(t: Tally, more: Tally): void {
  t.rows += more.rows;
  t.created += more.created;
  t.updated += more.updated;
  t.failed += more.failed;
  t.errors.push(...more.errors);
}

/** Created, updated and failed rows of upserted ones; deferred rows are counted when they come back. */
function tallyOf(saved: Saved[], plan: readonly ColumnPlan[]): Tally {
  const t = emptyTally();
  for (const { entry, result: r } of saved) {
    if (r.status === 'deferred') continue;
    t.rows++;
    if (r.status === 'created') t.created++;
    else if (r.status === 'updated') t.updated++;
    else {
      t.failed++;
      for (const issue of r.errors ?? []) t.errors.push(rowIssue(entry.source, issue.path, issue.message, plan));
    }
  }
  return t;
}

/**
 * Adds a transaction's counts and rejected rows to the import record, in that transaction, so
 * the record never says less (or more) than what is committed, whatever stops the import.
 */
async function recordProgress(tx: Queryable, opts: { workspaceId: string; importId: string; add: Tally; bytesRead: number }): Promise<void> {
  const { workspaceId, importId, add } = opts;
  if (add.errors.length) {
    const rows = add.errors.map((e) => ({ line: e.line, column: e.column ?? null, message: e.message }));
    await tx.execute(sql`
      insert into customer_import_errors (workspace_id, import_id, line, "column", message)
      select ${workspaceId}::uuid, ${importId}::uuid, r.line, r."column", r.message
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(line int, "column" text, message text)`);
  }
  await tx.execute(sql`
    update customer_imports set bytes_read = greatest(bytes_read, ${opts.bytesRead}), rows_total = rows_total + ${add.rows},
      rows_created = rows_created + ${add.created}, rows_updated = rows_updated + ${add.updated}, rows_failed = rows_failed + ${add.failed}
    where workspace_id = ${workspaceId}::uuid and id = ${importId}::uuid`);
}
