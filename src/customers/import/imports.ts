// Imports as records (customer_imports): uploaded → running → done | failed, with progress and
// every rejected row, run in the background of the server process.
import fs from 'node:fs';
import { and, asc, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/connection.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../../workspaces/audit.ts';
import type { MatchBy } from '../customers.ts';
import { customerImportErrors, customerImports } from '../schema.ts';
import type { Encoding } from './decode.ts';
import type { Mapping } from './mapping.ts';
import { FIRST_ERRORS, importCustomersFromFile, type ImportRowError } from './run.ts';
import { redactErrorText } from '../../redaction.ts';

export const IMPORT_STATUSES = ['uploaded', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const IMPORT_MATCH_BY = ['auto', 'email', 'phone', 'externalId'] as const satisfies readonly MatchBy[];
export type ImportMatchBy = (typeof IMPORT_MATCH_BY)[number];

export type CustomerImport = {
  id: string;
  status: ImportStatus;
  fileName: string;
  fileBytes: number;
  encoding: string;
  delimiter: string;
  headers: string[];
  mapping: Mapping | null;
  matchBy: ImportMatchBy;
  /** Share of the file read, 0–1. */
  progress: number;
  rowsTotal: number;
  rowsCreated: number;
  rowsUpdated: number;
  rowsFailed: number;
  failure: string | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

type Row = typeof customerImports.$inferSelect;

function toImport(row: Row): CustomerImport {
  const options = row.options as { matchBy?: ImportMatchBy; delimiter?: string };
  return {
    id: row.id,
    status: row.status as ImportStatus,
    fileName: row.fileName,
    fileBytes: row.fileBytes,
    encoding: row.encoding,
    delimiter: options.delimiter ?? ',',
    headers: row.headers,
    mapping: row.mapping ?? null,
    matchBy: options.matchBy ?? 'auto',
    progress: row.status === 'done' ? 1 : row.fileBytes > 0 ? Math.min(1, row.bytesRead / row.fileBytes) : 0,
    rowsTotal: row.rowsTotal,
    rowsCreated: row.rowsCreated,
    rowsUpdated: row.rowsUpdated,
    rowsFailed: row.rowsFailed,
    failure: row.failure,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

export async function createImport(
  db: Queryable,
  opts: { workspaceId: string; actor: Actor; id: string; fileName: string; filePath: string; fileBytes: number; encoding: Encoding; delimiter: string; headers: string[]; matchBy: ImportMatchBy },
): Promise<CustomerImport> {
  const [row] = await db
    .insert(customerImports)
    .values({
      workspaceId: opts.workspaceId,
      id: opts.id,
      status: 'uploaded',
      fileName: opts.fileName,
      filePath: opts.filePath,
      fileBytes: opts.fileBytes,
      encoding: opts.encoding,
      headers: opts.headers,
      options: { matchBy: opts.matchBy, delimiter: opts.delimiter },
      createdBy: opts.actor.label,
    })
    .returning();
  return toImport(row!);
}

async function requireImportRow(db: Queryable, workspaceId: string, id: string): Promise<Row> {
  const [row] = await db
    .select()
    .from(customerImports)
    .where(and(eq(customerImports.workspaceId, workspaceId), eq(customerImports.id, id)));
  if (!row) throw new AppError('not_found', `import ${id} not found`);
  return row;
}

export async function getImport(db: Queryable, opts: { workspaceId: string; id: string }): Promise<CustomerImport & { errors: ImportRowError[] }> {
  const row = await requireImportRow(db, opts.workspaceId, opts.id);
  const { items } = await listImportErrors(db, { workspaceId: opts.workspaceId, importId: opts.id, limit: FIRST_ERRORS });
  return { ...toImport(row), errors: items };
}

export async function listImports(db: Queryable, opts: { workspaceId: string; limit?: number }): Promise<CustomerImport[]> {
  const rows = await db
    .select()
    .from(customerImports)
    .where(eq(customerImports.workspaceId, opts.workspaceId))
    .orderBy(desc(customerImports.createdAt), desc(customerImports.id))
    .limit(opts.limit ?? 50);
  return rows.map(toImport);
}

type ErrorCursor = [line: number, column: string, message: string];

function decodeErrorCursor(raw: string): ErrorCursor {
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 3 && Number.isInteger(value[0]) && typeof value[1] === 'string' && typeof value[2] === 'string') {
      return value as ErrorCursor;
    }
  } catch {
    /* fall through */
  }
  throw new AppError('invalid_input', 'query.cursor: is not a cursor of this list (use nextCursor as given)');
}

/** Rejected rows in line order, a page at a time. */
export async function listImportErrors(
  db: Queryable,
  opts: { workspaceId: string; importId: string; cursor?: string; limit: number },
): Promise<{ items: ImportRowError[]; nextCursor: string | null }> {
  const e = customerImportErrors;
  const after = opts.cursor ? decodeErrorCursor(opts.cursor) : undefined;
  const rows = await db
    .select({ line: e.line, column: e.column, message: e.message })
    .from(e)
    .where(
      and(
        eq(e.workspaceId, opts.workspaceId),
        eq(e.importId, opts.importId),
        after ? sql`(${e.line}, coalesce(${e.column}, ''), ${e.message}) > (${after[0]}, ${after[1]}, ${after[2]})` : undefined,
      ),
    )
    .orderBy(asc(e.line), sql`coalesce(${e.column}, '')`, asc(e.message))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({ line: r.line, ...(r.column !== null ? { column: r.column } : {}), message: r.message })),
    nextCursor: rows.length > opts.limit && last ? Buffer.from(JSON.stringify([last.line, last.column ?? '', last.message])).toString('base64url') : null,
  };
}

/** Checks the import exists, is waiting, and records the mapping it will run with. */
export async function markImportRunning(db: Queryable, opts: { workspaceId: string; id: string; mapping: Mapping; matchBy?: ImportMatchBy }): Promise<CustomerImport> {
  const row = await requireImportRow(db, opts.workspaceId, opts.id);
  if (row.status !== 'uploaded') throw new AppError('conflict', `import ${opts.id} is ${row.status}: only an uploaded import can be started`);
  const options = { ...(row.options as Record<string, unknown>), ...(opts.matchBy ? { matchBy: opts.matchBy } : {}) };
  const [updated] = await db
    .update(customerImports)
    .set({ status: 'running', mapping: opts.mapping, options, startedAt: new Date() })
    .where(and(eq(customerImports.workspaceId, opts.workspaceId), eq(customerImports.id, opts.id), eq(customerImports.status, 'uploaded')))
    .returning();
  if (!updated) throw new AppError('conflict', `import ${opts.id} was started already`);
  return toImport(updated);
}

async function finishImport(db: Db, opts: { workspaceId: string; id: string; status: 'done' | 'failed'; failure?: string }): Promise<void> {
  await db
    .update(customerImports)
    .set({ status: opts.status, failure: opts.failure ?? null, finishedAt: new Date(), filePath: null })
    .where(and(eq(customerImports.workspaceId, opts.workspaceId), eq(customerImports.id, opts.id)));
}

async function removeFile(filePath: string | null): Promise<void> {
  if (filePath) await fs.promises.rm(filePath, { force: true }).catch(() => {});
}

/**
 * Runs a started import to its end: done, or failed with the reason. Removes the uploaded
 * file either way. Never throws.
 */
export async function runImport(db: Db, opts: { workspaceId: string; id: string; actor: Actor; batchSize?: number; signal?: AbortSignal }): Promise<void> {
  let filePath: string | null = null;
  let outcome: { status: 'done' | 'failed'; failure?: string };
  try {
    const row = await requireImportRow(db, opts.workspaceId, opts.id);
    filePath = row.filePath;
    if (!filePath || !row.mapping) throw new AppError('conflict', 'the import has no file or no mapping');
    const options = row.options as { matchBy?: ImportMatchBy; delimiter?: ',' | ';' | '\t' };
    await importCustomersFromFile(db, {
      workspaceId: opts.workspaceId,
      actor: opts.actor,
      filePath,
      fileName: row.fileName,
      encoding: row.encoding as Encoding,
      delimiter: options.delimiter,
      mapping: row.mapping,
      matchBy: options.matchBy ?? 'auto',
      importId: opts.id,
      batchSize: opts.batchSize,
      signal: opts.signal,
    });
    outcome = { status: 'done' };
  } catch (err) {
    const failure = opts.signal?.aborted
      ? 'interrupted: the server stopped while it ran (import the file again: rows already imported are matched, not duplicated)'
      : err instanceof AppError
        ? err.message
        : // A failed query's message lists its parameters (the file's rows): counted, not kept.
          `the import stopped: ${redactErrorText((err as Error).message, Array.isArray((err as { params?: unknown }).params) ? (err as { params: unknown[] }).params.length : undefined)}`;
    outcome = { status: 'failed', failure };
  }
  // The file goes first, so an import that reads as finished has nothing left on disk.
  await removeFile(filePath);
  await finishImport(db, { workspaceId: opts.workspaceId, id: opts.id, ...outcome }).catch(() => {});
}

/**
 * Marks imports a dead process left running as failed, and drops uploads nobody started within
 * a day; removes their files. Call at start, before serving.
 */
export async function failInterruptedImports(db: Db): Promise<number> {
  const left = await db
    .select({ workspaceId: customerImports.workspaceId, id: customerImports.id, status: customerImports.status, filePath: customerImports.filePath })
    .from(customerImports)
    .where(or(eq(customerImports.status, 'running'), and(eq(customerImports.status, 'uploaded'), lt(customerImports.createdAt, new Date(Date.now() - 86_400_000)))));
  for (const row of left) {
    await finishImport(db, {
      workspaceId: row.workspaceId,
      id: row.id,
      status: 'failed',
      failure:
        row.status === 'running'
          ? 'interrupted by a restart (import the file again: rows already imported are matched, not duplicated)'
          : 'not started within a day of the upload: upload the file again',
    });
    await removeFile(row.filePath);
  }
  return left.filter((r) => r.status === 'running').length;
}

/** Runs imports in the background of this process and stops them when it closes. */
export function createImportRunner(db: Db, opts: { batchSize?: number; onError?: (err: unknown) => void } = {}) {
  const running = new Set<Promise<void>>();
  const controller = new AbortController();
  return {
    start(job: { workspaceId: string; id: string; actor: Actor }): void {
      const p = runImport(db, { ...job, batchSize: opts.batchSize, signal: controller.signal }).catch((err) => opts.onError?.(err));
      running.add(p);
      void p.finally(() => running.delete(p));
    },
    /** Resolves when every running import has finished. */
    async idle(): Promise<void> {
      while (running.size) await Promise.allSettled([...running]);
    },
    async stop(): Promise<void> {
      controller.abort();
      await this.idle();
    },
  };
}
export type ImportRunner = ReturnType<typeof createImportRunner>;
