// The customer list as CSV: the list's filters and sort, chosen columns, UTF-8 with a BOM so
// Korean Excel opens it, fetched in keyset pages so millions of rows never sit in memory.
import { stringify } from 'csv-stringify/sync';
import type { Queryable } from '../../db/connection.ts';
import { AppError } from '../../errors.ts';
import type { AttributeDef } from '../attributes.ts';
import { toCustomer, type Customer } from '../customers.ts';
import { queryCustomers, type CustomerQuery } from '../list.ts';
import { FORMULA_START } from './values.ts';

export const EXPORT_FIELDS = [
  'id',
  'externalId',
  'name',
  'email',
  'phone',
  'gender',
  'birthday',
  'locale',
  'timeZone',
  'lifecycleStage',
  'tags',
  'source',
  'signedUpAt',
  'ownerUserId',
  'createdAt',
  'updatedAt',
  'deletedAt',
] as const satisfies readonly (keyof Customer)[];
type ExportField = (typeof EXPORT_FIELDS)[number];

const DEFAULT_FIELDS: ExportField[] = ['id', 'externalId', 'name', 'email', 'phone', 'gender', 'birthday', 'lifecycleStage', 'tags', 'source', 'signedUpAt', 'createdAt'];

/** The columns of an export: the requested ones (checked), or the default set plus every custom attribute. */
export function exportColumns(requested: string | undefined, defs: readonly AttributeDef[]): string[] {
  if (!requested || !requested.trim()) return [...DEFAULT_FIELDS, ...defs.map((d) => `attributes.${d.key}`)];
  const keys = new Set(defs.map((d) => d.key));
  const columns = requested
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const c of columns) {
    const ok = (EXPORT_FIELDS as readonly string[]).includes(c) || (c.startsWith('attributes.') && keys.has(c.slice('attributes.'.length)));
    if (!ok) throw new AppError('invalid_input', `query.columns: "${c}" is not a column (${EXPORT_FIELDS.join(', ')}, attributes.<key>)`);
  }
  return [...new Set(columns)];
}

/** A cell as text. Values a spreadsheet would run as a formula get a leading ' (the import strips it again). */
function cell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) text = value.map(String).join('|');
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  // "+821012345678" and "-3" are numbers to a spreadsheet, not formulas; anything else starting so is escaped.
  if (FORMULA_START.test(text) && !/^[+-][\d\s().-]*$/.test(text)) return `'${text}`;
  return text;
}

function rowOf(c: Customer, columns: readonly string[]): string[] {
  return columns.map((col) => cell(col.startsWith('attributes.') ? c.attributes[col.slice('attributes.'.length)] : c[col as ExportField]));
}

export type ExportOptions = {
  workspaceId: string;
  query: CustomerQuery;
  defs: readonly AttributeDef[];
  /** false: e-mail and phone are masked (roles without pii.read). */
  pii: boolean;
  columns: readonly string[];
  pageSize?: number;
};

/**
 * The CSV as text chunks: BOM and header, then one chunk per page. The first page is read
 * before this resolves, so a bad filter is an error here rather than in the middle of a download.
 */
export async function openCustomerExport(db: Queryable, opts: ExportOptions): Promise<AsyncGenerator<string>> {
  const pageSize = opts.pageSize ?? 1000;
  const fetch = (cursor?: string) =>
    queryCustomers(db, { workspaceId: opts.workspaceId, query: opts.query, defs: opts.defs, pii: opts.pii, limit: pageSize, cursor });
  const first = await fetch();
  const toCsv = (rows: Awaited<ReturnType<typeof fetch>>['rows']) =>
    stringify(
      rows.map((r) => rowOf(toCustomer(r, { pii: opts.pii }), opts.columns)),
      { record_delimiter: 'windows' },
    );
  return (async function* () {
    yield `\uFEFF${stringify([[...opts.columns]], { record_delimiter: 'windows' })}`;
    let page = first;
    for (;;) {
      if (page.rows.length) yield toCsv(page.rows);
      if (!page.nextCursor) return;
      page = await fetch(page.nextCursor);
    }
  })();
}
