// CSV imports of products and of orders (one row per order line, the lines of one order on
// consecutive rows). Read as a stream with the customers area's CSV building blocks (encoding
// detection for UTF-8 / CP949, a record splitter that numbers rows by line), written in batches,
// each in its own transaction. Every bad row is reported with its line; the good rows go in.
import fs from 'node:fs';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Queryable, Tx } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { AppError } from '../errors.ts';
import { createCsvSplitter, type CsvRecord } from '../customers/import/csv-records.ts';
import { decodeHead, detectDelimiter, detectEncoding, openTextStream, readHead, type Encoding } from '../customers/import/decode.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { mapOrderHeaders, mapProductHeaders, missingColumns, orderLineRow, productRow, type ImportKind, type OrderLineRow, type RowIssue } from './import-rows.ts';
import { createOrders, type OrderInput } from './new-orders.ts';
import { checkProductInput, upsertProducts, type ProductInput } from './products.ts';
import { commerceImports } from './schema.ts';

export type ImportRowError = { line: number; column?: string; message: string };
export type CommerceImportResult = {
  /** The import's record (commerce_imports). */
  importId: string;
  kind: ImportKind;
  encoding: Encoding;
  /** Data rows read (not the header, not blank rows). */
  rows: number;
  /** Products: created / updated. Orders: created / already stored (same order id). */
  created: number;
  updated: number;
  /** Rows not imported. */
  failed: number;
  /** The first 100 problems, in line order. */
  errors: ImportRowError[];
};

export const FIRST_ERRORS = 100;
const PRODUCT_BATCH = 1000;
const ORDER_BATCH = 500;

/** A CSV as decoded text chunks, with what was detected about it. */
export type CsvSource = { encoding: Encoding; delimiter: string; chunks: AsyncIterable<string> };

/** A CSV file: its encoding (UTF-8, CP949, UTF-16 by BOM) and delimiter detected from its head. */
export async function csvFileSource(filePath: string, encoding?: Encoding): Promise<CsvSource> {
  const head = await readHead(filePath);
  const enc = encoding ?? detectEncoding(head.bytes, head.complete);
  return { encoding: enc, delimiter: detectDelimiter(decodeHead(head.bytes, enc)), chunks: openTextStream(filePath, enc) as AsyncIterable<string> };
}

/** A CSV held in memory (a request body). */
export function csvBufferSource(bytes: Buffer, encoding?: Encoding): CsvSource {
  const enc = encoding ?? detectEncoding(bytes, true);
  const text = decodeHead(bytes, enc);
  return {
    encoding: enc,
    delimiter: detectDelimiter(text.slice(0, 64 * 1024)),
    chunks: (async function* () {
      for (let i = 0; i < text.length; i += 256 * 1024) yield text.slice(i, i + 256 * 1024);
    })(),
  };
}

type Row = { line: number; fields: string[] };

/** Data rows of the CSV (blank rows skipped), with the header; malformed records become errors. */
async function* readRows(source: CsvSource, onHeader: (headers: string[]) => void, onError: (e: ImportRowError) => void): AsyncGenerator<Row> {
  const splitter = createCsvSplitter({ delimiter: source.delimiter });
  let headers: string[] | undefined;
  function* accept(records: CsvRecord[]): Generator<Row> {
    for (const rec of records) {
      if (rec.error !== undefined) {
        if (!headers) throw new AppError('invalid_input', `line ${rec.line}: the header row cannot be read: ${rec.error}`);
        onError({ line: rec.line, message: rec.error });
        continue;
      }
      if (!headers) {
        headers = rec.fields.map((h) => h.trim());
        onHeader(headers);
        continue;
      }
      if (rec.fields.every((v) => v.trim() === '')) continue;
      if (rec.fields.some((v) => v.includes('\uFFFD'))) {
        onError({ line: rec.line, message: `has bytes that are not ${source.encoding} text: is part of the file in another encoding?` });
        continue;
      }
      if (rec.fields.length > headers.length && rec.fields.slice(headers.length).some((v) => v.trim() !== '')) {
        onError({ line: rec.line, message: `has ${rec.fields.length} values but the header has ${headers.length} columns` });
        continue;
      }
      yield { line: rec.line, fields: rec.fields };
    }
  }
  for await (const chunk of source.chunks) yield* accept(splitter.push(chunk));
  yield* accept(splitter.end());
  if (!headers) throw new AppError('invalid_input', 'file: is empty (expected a header row, then one row per item)');
}

const issueAt = (line: number, i: RowIssue): ImportRowError => ({ line, ...(i.column ? { column: i.column } : {}), message: i.message });

/**
 * Imports a CSV of products or of orders into a workspace. Products are upserted by SKU (prices
 * in major units of the row's or the workspace's currency; unknown columns become attributes).
 * Orders are grouped by order id over consecutive rows; an order with a bad line is not imported
 * (each bad line is reported), and an order id already stored is left as it is.
 */
export async function importCommerceCsv(db: Db, opts: { workspaceId: string; actor: Actor; kind: ImportKind; source: CsvSource; fileName?: string }): Promise<CommerceImportResult> {
  const { workspaceId } = opts;
  const workspace = await getWorkspace(db, workspaceId);
  if (!workspace) throw new AppError('not_found', `workspace ${workspaceId} not found`);
  const currency = workspace.currency;
  const importId = uuidv7();
  await db.insert(commerceImports).values({ workspaceId, id: importId, kind: opts.kind, status: 'running', fileName: opts.fileName ?? null, encoding: opts.source.encoding, createdBy: opts.actor.label });
  try {
    return await runImport(db, { ...opts, importId, currency, timeZone: workspace.timeZone });
  } catch (err) {
    const failure = err instanceof AppError ? err.message : 'stopped by an error (rows already imported stay; import the file again: products are matched by SKU, orders by id)';
    await db
      .update(commerceImports)
      .set({ status: 'failed', failure, finishedAt: new Date() })
      .where(and(eq(commerceImports.workspaceId, workspaceId), eq(commerceImports.id, importId)));
    throw err;
  }
}

/** Marks imports a crash or restart left running as failed (at start, as the customer imports). */
export async function failInterruptedCommerceImports(db: Db): Promise<number> {
  const rows = await db
    .update(commerceImports)
    .set({ status: 'failed', failure: 'interrupted by a restart (import the file again: products are matched by SKU, orders by id)', finishedAt: new Date() })
    .where(eq(commerceImports.status, 'running'))
    .returning({ id: commerceImports.id });
  return rows.length;
}

async function runImport(
  db: Db,
  opts: { workspaceId: string; actor: Actor; kind: ImportKind; source: CsvSource; fileName?: string; importId: string; currency: string; timeZone: string },
): Promise<CommerceImportResult> {
  const { workspaceId, importId, currency } = opts;
  const result: CommerceImportResult = { importId, kind: opts.kind, encoding: opts.source.encoding, rows: 0, created: 0, updated: 0, failed: 0, errors: [] };
  // Rows of products and orders written so far; with the failed ones, the rows the record counts.
  let writtenRows = 0;
  // The record's counters, written in the transaction of the batch they count.
  const recordCounts = (tx: Queryable, done = false) =>
    tx
      .update(commerceImports)
      .set({
        rowsTotal: writtenRows + result.failed,
        rowsCreated: result.created,
        rowsUpdated: result.updated,
        rowsFailed: result.failed,
        ...(done ? { status: 'done', finishedAt: new Date() } : {}),
      })
      .where(and(eq(commerceImports.workspaceId, workspaceId), eq(commerceImports.id, importId)));
  const errors: ImportRowError[] = [];
  const fail = (e: ImportRowError) => errors.push(e);
  // A row the CSV reader could not read at all.
  const unreadable = (e: ImportRowError) => {
    result.rows++;
    result.failed++;
    fail(e);
  };
  let headers: string[] = [];
  let productColumns = new Map<string, number>();
  let orderColumns = new Map<string, number>();
  const onHeader = (h: string[]) => {
    headers = h;
    productColumns = mapProductHeaders(h);
    orderColumns = mapOrderHeaders(h);
    const missing = missingColumns(opts.kind, opts.kind === 'products' ? productColumns : orderColumns);
    if (missing) throw new AppError('invalid_input', `file: ${missing}; the header is: ${h.join(', ')}`);
  };
  // A batch and the counters that count it, in one transaction. (A failed batch fails the whole
  // import, so the counts kept in memory need no undoing.)
  const inTx = (fn: (tx: Tx) => Promise<void>) =>
    db.transaction(async (tx) => {
      // As the customers import: a crash loses at most the last moments of an import, which can be run again.
      await tx.execute(sql`set local synchronous_commit = off`);
      await fn(tx);
      await recordCounts(tx);
    });

  if (opts.kind === 'products') {
    let batch: { line: number; input: ProductInput }[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      await inTx(async (tx) => {
        const upserted = await upsertProducts(tx, { workspaceId, products: rows.map((r) => r.input), defaultCurrency: currency });
        // A SKU repeated within the batch is one product: its first row counts as the create.
        const seen = new Set<string>();
        upserted.forEach((u) => {
          if (u.created && !seen.has(u.sku)) result.created++;
          else result.updated++;
          seen.add(u.sku);
        });
        writtenRows += rows.length;
      });
    };
    for await (const row of readRows(opts.source, onHeader, unreadable)) {
      result.rows++;
      const { input, issues } = productRow(row.fields, headers, productColumns as Parameters<typeof productRow>[2], currency);
      const checked = input ? checkProductInput(input, 'row', { requireName: false }) : undefined;
      const problems = [...issues.map((i) => issueAt(row.line, i)), ...(checked?.problems ?? []).map((m) => ({ line: row.line, message: m.replace(/^row\./, '') }))];
      if (problems.length || !checked) {
        result.failed++;
        problems.forEach(fail);
        continue;
      }
      batch.push({ line: row.line, input: checked.value });
      if (batch.length >= PRODUCT_BATCH) await flush();
    }
    await flush();
  } else {
    type Group = { orderId: string; firstLine: number; lines: number[]; order: Omit<OrderInput, 'items'>; items: OrderInput['items']; bad: boolean };
    let group: Group | undefined;
    let batch: Group[] = [];
    const closed = new Set<string>();
    const flush = async () => {
      if (batch.length === 0) return;
      const groups = batch;
      batch = [];
      await inTx(async (tx) => {
        const results = await createOrders(tx, {
          workspaceId,
          workspaceCurrency: currency,
          source: 'import',
          inputs: groups.map((g) => ({ ...g.order, items: g.items })),
          pathOf: (i) => `order "${groups[i]!.orderId}"`,
        });
        results.forEach((r, i) => {
          const g = groups[i]!;
          if (r.status === 'failed') {
            result.failed += g.lines.length;
            for (const p of r.problems) fail({ line: g.firstLine, message: p });
          } else {
            if (r.status === 'created') result.created++;
            else result.updated++;
            writtenRows += g.lines.length;
          }
        });
      });
    };
    const close = async () => {
      if (!group) return;
      closed.add(group.orderId);
      if (group.bad) result.failed += group.lines.length;
      else batch.push(group);
      group = undefined;
      if (batch.length >= ORDER_BATCH) await flush();
    };
    for await (const row of readRows(opts.source, onHeader, unreadable)) {
      result.rows++;
      const read = orderLineRow(row.fields, headers, orderColumns as Parameters<typeof orderLineRow>[2], currency, opts.timeZone);
      read.issues.forEach((i) => fail(issueAt(row.line, i)));
      if (read.orderId === undefined) {
        result.failed++;
        continue;
      }
      const line = read as OrderLineRow;
      if (!group || group.orderId !== line.orderId) {
        await close();
        if (closed.has(line.orderId)) {
          result.failed++;
          fail({ line: row.line, message: `order "${line.orderId}" appeared on earlier rows: keep the lines of an order on consecutive rows` });
          continue;
        }
        group = { orderId: line.orderId, firstLine: row.line, lines: [], order: line.order, items: [], bad: false };
      }
      group.lines.push(row.line);
      if (line.issues.length) group.bad = true;
      if (line.item) group.items.push(line.item);
    }
    await close();
    await flush();
  }

  errors.sort((a, b) => a.line - b.line);
  result.errors = errors.slice(0, FIRST_ERRORS);
  await db.transaction(async (tx) => {
    await recordCounts(tx, true);
    await recordAudit(tx, {
      workspaceId,
      actor: opts.actor,
      action: `commerce.import_${opts.kind}`,
      entityType: 'commerce_import',
      entityId: importId,
      after: { fileName: opts.fileName ?? null, encoding: opts.source.encoding, rows: result.rows, created: result.created, updated: result.updated, failed: result.failed },
    });
  });
  return result;
}

/** Imports a CSV file (the CLI). */
export async function importCommerceFile(db: Db, opts: { workspaceId: string; actor: Actor; kind: ImportKind; filePath: string; encoding?: Encoding }): Promise<CommerceImportResult> {
  await fs.promises.access(opts.filePath, fs.constants.R_OK);
  const source = await csvFileSource(opts.filePath, opts.encoding);
  return importCommerceCsv(db, { workspaceId: opts.workspaceId, actor: opts.actor, kind: opts.kind, source, fileName: path.basename(opts.filePath) });
}
