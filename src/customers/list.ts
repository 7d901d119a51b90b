// Listing customers: filters on any field or attribute, search, sort and keyset pagination,
// with a total that stays fast on millions of rows.
import { and, eq, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { requireCalendarDate, requireTime, toTime } from '../dates.ts';
import { AppError } from '../errors.ts';
import type { AttributeDef } from './attributes.ts';
import { LIFECYCLE_STAGES, searchTerm } from './fields.ts';
import { isPersonalPath } from './personal-data.ts';
import type { CustomerView } from './customers.ts';
import { customers } from './schema.ts';

export const FILTER_OPS = ['eq', 'neq', 'in', 'contains', 'starts_with', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export type FieldFilter = { field: string; op: FilterOp; value?: unknown };

export const SORT_FIELDS = ['createdAt', 'updatedAt', 'name', 'signedUpAt'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export type CustomerQuery = {
  q?: string;
  stages?: string[];
  tags?: string[];
  createdFrom?: string;
  createdTo?: string;
  filters?: FieldFilter[];
  sort?: string;
  deleted?: boolean;
};

/** Count exactly up to this many matches; past it, the planner's estimate is good enough. */
export const EXACT_COUNT_LIMIT = 5_000;
/** An exact count may take this long before the estimate is used instead. */
const COUNT_TIMEOUT_MS = 15;

const COLUMNS = {
  externalId: customers.externalId,
  email: customers.email,
  phone: customers.phone,
  name: customers.name,
  locale: customers.locale,
  timeZone: customers.timeZone,
  birthday: customers.birthday,
  gender: customers.gender,
  signedUpAt: customers.signedUpAt,
  lifecycleStage: customers.lifecycleStage,
  ownerUserId: customers.ownerUserId,
  source: customers.source,
  createdAt: customers.createdAt,
  updatedAt: customers.updatedAt,
} as const;
type ColumnField = keyof typeof COLUMNS;
const TIME_FIELDS = new Set<string>(['signedUpAt', 'createdAt', 'updatedAt']);
const DATE_FIELDS = new Set<string>(['birthday']);
const UUID_FIELDS = new Set<string>(['ownerUserId']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PII_FIELDS = new Set<string>(['email', 'phone']);

export const FILTERABLE_FIELDS = [...Object.keys(COLUMNS), 'tags'] as const;

/** A text[] parameter list: drizzle would spread a JS array into a row `($1, $2)`. */
const textArray = (values: string[]) => sql`array[${sql.join(values.map((v) => sql`${v}`), sql`, `)}]::text[]`;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function bad(path: string, message: string): never {
  throw new AppError('invalid_input', `${path}: ${message}`);
}

function scalar(value: unknown, path: string): string | number | boolean {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return bad(path, 'must be a text, number or boolean');
}

function timeValue(value: unknown, path: string): string {
  return requireTime(typeof value === 'string' ? value : undefined, path).toISOString();
}

/** A filter value as the column's type takes it: a 400 naming `path` rather than a failing cast. */
function typedValue(field: ColumnField, x: unknown, path: string): SQL {
  if (TIME_FIELDS.has(field)) return sql`${timeValue(x, path)}::timestamptz`;
  if (DATE_FIELDS.has(field)) return sql`${requireCalendarDate(x, path)}::date`;
  if (UUID_FIELDS.has(field)) {
    if (typeof x !== 'string' || !UUID.test(x)) bad(path, 'must be a user id (UUID)');
    return sql`${x.toLowerCase()}::uuid`;
  }
  return sql`${String(scalar(x, path))}`;
}

function columnCondition(field: ColumnField, op: FilterOp, value: unknown, path: string): SQL {
  const col = COLUMNS[field];
  const v = (x: unknown) => typedValue(field, x, path);
  switch (op) {
    case 'eq':
      return sql`${col} = ${v(value)}`;
    case 'neq':
      return sql`${col} is distinct from ${v(value)}`;
    case 'in': {
      if (!Array.isArray(value) || value.length === 0) bad(path, 'must be a non-empty list for "in"');
      return sql`${col} in (${sql.join(value.map((x) => v(x)), sql`, `)})`;
    }
    case 'contains':
      return sql`${col}::text ilike ${`%${likeEscape(String(scalar(value, path)))}%`}`;
    case 'starts_with':
      return sql`${col}::text ilike ${`${likeEscape(String(scalar(value, path)))}%`}`;
    case 'exists':
      return sql`${col} is not null`;
    case 'not_exists':
      return sql`${col} is null`;
    case 'gt':
      return sql`${col} > ${v(value)}`;
    case 'gte':
      return sql`${col} >= ${v(value)}`;
    case 'lt':
      return sql`${col} < ${v(value)}`;
    case 'lte':
      return sql`${col} <= ${v(value)}`;
  }
}

function tagCondition(op: FilterOp, value: unknown, path: string): SQL {
  const list = (x: unknown) => (Array.isArray(x) ? x.map((i) => String(scalar(i, path))) : [String(scalar(x, path))]);
  switch (op) {
    case 'eq':
    case 'contains':
      return sql`${customers.tags} @> ${textArray(list(value))}`;
    case 'in':
      return sql`${customers.tags} && ${textArray(list(value))}`;
    case 'neq':
      return sql`not (${customers.tags} @> ${textArray(list(value))})`;
    case 'exists':
      return sql`cardinality(${customers.tags}) > 0`;
    case 'not_exists':
      return sql`cardinality(${customers.tags}) = 0`;
    default:
      return bad(path, `tags cannot be compared with "${op}"`);
  }
}

function attributeCondition(def: AttributeDef, op: FilterOp, value: unknown, path: string): SQL {
  const key = def.key;
  const text = sql`(${customers.attributes} ->> ${key})`;
  const contains = (obj: unknown) => sql`${customers.attributes} @> ${JSON.stringify({ [key]: obj })}::jsonb`;
  const typed = (x: unknown) => {
    if (def.type === 'number') {
      const n = typeof x === 'number' ? x : Number(x);
      if (!Number.isFinite(n)) bad(path, 'must be a number');
      return n;
    }
    if (def.type === 'boolean') return x === true || x === 'true';
    return String(scalar(x, path));
  };
  const compare = (cmp: SQL) => {
    if (def.type === 'number') return sql`jsonb_typeof(${customers.attributes} -> ${key}) = 'number' and (${customers.attributes} ->> ${key})::numeric ${cmp} ${typed(value)}`;
    return sql`${text} ${cmp} ${String(typed(value))}`;
  };
  switch (op) {
    case 'eq':
      return def.type === 'list' ? contains([typed(value)]) : contains(typed(value));
    case 'neq':
      return def.type === 'list' ? sql`not ${contains([typed(value)])}` : sql`not ${contains(typed(value))}`;
    case 'in': {
      if (!Array.isArray(value) || value.length === 0) bad(path, 'must be a non-empty list for "in"');
      return sql`(${sql.join(value.map((x) => (def.type === 'list' ? contains([typed(x)]) : contains(typed(x)))), sql` or `)})`;
    }
    case 'contains':
      return def.type === 'list' ? contains([typed(value)]) : sql`${text} ilike ${`%${likeEscape(String(scalar(value, path)))}%`}`;
    case 'starts_with':
      return sql`${text} ilike ${`${likeEscape(String(scalar(value, path)))}%`}`;
    case 'exists':
      return sql`${customers.attributes} ? ${key}`;
    case 'not_exists':
      return sql`not (${customers.attributes} ? ${key})`;
    case 'gt':
      return compare(sql.raw('>'));
    case 'gte':
      return compare(sql.raw('>='));
    case 'lt':
      return compare(sql.raw('<'));
    case 'lte':
      return compare(sql.raw('<='));
  }
}

/** The WHERE conditions of a query. `pii` false keeps e-mail and phone out of search and filters. */
export function customerConditions(workspaceId: string, query: CustomerQuery, defs: readonly AttributeDef[], pii: boolean): SQL[] {
  const conditions: SQL[] = [eq(customers.workspaceId, workspaceId)];
  conditions.push(query.deleted ? and(isNotNull(customers.deletedAt), isNull(customers.mergedIntoId))! : isNull(customers.deletedAt));
  if (query.q && query.q.trim()) {
    const term = searchTerm(query.q);
    if ([...term].length === 2) {
      // Too short for trigrams: the name's two-character pieces have their own index.
      conditions.push(sql`${customers.nameGrams} @> ${textArray([term])}`);
    } else if (term) {
      conditions.push(sql`${customers.searchText} like ${`%${likeEscape(term)}%`}`);
      if (!pii) conditions.push(sql`lower(${customers.name}) like ${`%${likeEscape(term)}%`}`);
    }
  }
  if (query.stages?.length) {
    for (const s of query.stages) if (!(LIFECYCLE_STAGES as readonly string[]).includes(s)) bad('query.stage', `must be one of ${LIFECYCLE_STAGES.join(', ')}`);
    conditions.push(sql`${customers.lifecycleStage} in (${sql.join(query.stages.map((s) => sql`${s}`), sql`, `)})`);
  }
  if (query.tags?.length) conditions.push(sql`${customers.tags} @> ${textArray(query.tags)}`);
  if (query.createdFrom) conditions.push(sql`${customers.createdAt} >= ${timeValue(query.createdFrom, 'query.createdFrom')}::timestamptz`);
  if (query.createdTo) conditions.push(sql`${customers.createdAt} < ${timeValue(query.createdTo, 'query.createdTo')}::timestamptz`);
  const defsByKey = new Map(defs.map((d) => [d.key, d]));
  (query.filters ?? []).forEach((f, i) => {
    const path = `query.filter[${i}]`;
    if (!(FILTER_OPS as readonly string[]).includes(f.op)) bad(`${path}.op`, `must be one of ${FILTER_OPS.join(', ')}`);
    const needsValue = f.op !== 'exists' && f.op !== 'not_exists';
    if (needsValue && (f.value === undefined || f.value === null)) bad(`${path}.value`, `is required for "${f.op}"`);
    if (f.field.startsWith('attributes.')) {
      const def = defsByKey.get(f.field.slice('attributes.'.length));
      if (!def) bad(`${path}.field`, `"${f.field}" is not a defined custom attribute`);
      // An attribute named as contact data (`personal_email`) is as personal as the e-mail field.
      if (!pii && isPersonalPath(def.key)) throw new AppError('forbidden', `${path}.field: your role may not filter on ${f.field}`);
      conditions.push(attributeCondition(def, f.op, f.value, `${path}.value`));
    } else if (f.field === 'tags') {
      conditions.push(tagCondition(f.op, f.value, `${path}.value`));
    } else if (Object.hasOwn(COLUMNS, f.field)) {
      if (!pii && PII_FIELDS.has(f.field)) throw new AppError('forbidden', `${path}.field: your role may not filter on ${f.field}`);
      conditions.push(columnCondition(f.field as ColumnField, f.op, f.value, `${path}.value`));
    } else {
      bad(`${path}.field`, `"${f.field}" is not a customer field (${FILTERABLE_FIELDS.join(', ')}, attributes.<key>)`);
    }
  });
  return conditions;
}

export function parseSort(sort: string | undefined): { field: SortField; desc: boolean } {
  const raw = sort ?? '-createdAt';
  const desc = raw.startsWith('-');
  const field = desc ? raw.slice(1) : raw;
  if (!(SORT_FIELDS as readonly string[]).includes(field)) bad('query.sort', `must be one of ${SORT_FIELDS.join(', ')} (prefix - for descending)`);
  return { field: field as SortField, desc };
}

type Cursor = { v: string | null; id: string };

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.v, c.id])).toString('base64url');
}

/** A time as PostgreSQL prints it (ISO DateStyle), the form a time-sorted cursor holds. */
const PG_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2}){0,2}|Z)$/;

/** The cursor of a list sorted by `field`: anything not made by encodeCursor for that sort is a 400. */
function decodeCursor(raw: string, field: SortField): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [v, id] = parsed as [unknown, unknown];
      const valueOk = v === null || (typeof v === 'string' && !v.includes('\u0000') && (!TIME_FIELDS.has(field) || (PG_TIME.test(v) && toTime(v) !== undefined)));
      if (valueOk && typeof id === 'string' && UUID.test(id)) return { v, id };
    }
  } catch {
    /* fall through */
  }
  return bad('query.cursor', 'is not a cursor from this list (use nextCursor as given)');
}

/**
 * Keyset condition after `cursor` in the order `col (asc nulls last | desc nulls first), id`,
 * PostgreSQL's default null order, so the (workspace, col, id) indexes serve both directions.
 */
function afterCursor(field: SortField, desc: boolean, cursor: Cursor): SQL {
  const col = COLUMNS[field];
  const value = cursor.v === null ? null : TIME_FIELDS.has(field) ? sql`${cursor.v}::timestamptz` : sql`${cursor.v}`;
  if (!desc) {
    if (value === null) return sql`(${col} is null and ${customers.id} > ${cursor.id})`;
    return sql`(${col} > ${value} or (${col} = ${value} and ${customers.id} > ${cursor.id}) or ${col} is null)`;
  }
  if (value === null) return sql`((${col} is null and ${customers.id} < ${cursor.id}) or ${col} is not null)`;
  return sql`(${col} < ${value} or (${col} = ${value} and ${customers.id} < ${cursor.id}))`;
}

export function orderBy(field: SortField, desc: boolean): SQL {
  const col = COLUMNS[field];
  return desc ? sql`${col} desc, ${customers.id} desc` : sql`${col} asc, ${customers.id} asc`;
}

/**
 * The columns a listed customer shows. Not the search columns (search text, name pieces, match
 * keys): they are as large as the rest of the row together, and parsing them cost more than the query.
 */
const VIEW_COLUMNS = {
  id: customers.id,
  ...COLUMNS,
  tags: customers.tags,
  attributes: customers.attributes,
  deletedAt: customers.deletedAt,
  mergedIntoId: customers.mergedIntoId,
  erasedAt: customers.erasedAt,
} satisfies Record<keyof CustomerView, unknown>;

export type CustomerPage = { rows: CustomerView[]; nextCursor: string | null; total: number | null; totalExact: boolean };

export async function queryCustomers(
  db: Queryable,
  opts: { workspaceId: string; query: CustomerQuery; defs: readonly AttributeDef[]; pii: boolean; limit: number; cursor?: string; withTotal?: boolean },
): Promise<CustomerPage> {
  const conditions = customerConditions(opts.workspaceId, opts.query, opts.defs, opts.pii);
  const { field, desc } = parseSort(opts.query.sort);
  const pageConditions = opts.cursor ? [...conditions, afterCursor(field, desc, decodeCursor(opts.cursor, field))] : conditions;
  // The cursor holds the sort value as PostgreSQL prints it, to the microsecond: rows written
  // by one statement (an import batch) share a created_at that a JavaScript date would round.
  const rows = await db
    .select({ row: VIEW_COLUMNS, key: sql<string | null>`${COLUMNS[field]}::text` })
    .from(customers)
    .where(and(...pageConditions))
    .orderBy(orderBy(field, desc))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  let total: number | null = null;
  let totalExact = true;
  if (opts.withTotal) {
    if (!opts.cursor && rows.length <= opts.limit) total = rows.length;
    else ({ total, exact: totalExact } = await countCustomers(db, conditions));
  }
  return {
    rows: page.map((r) => r.row),
    nextCursor: rows.length > opts.limit && last ? encodeCursor({ v: last.key, id: last.row.id }) : null,
    total,
    totalExact,
  };
}

/**
 * The planner's estimate first (a fraction of a millisecond); an exact count only when the
 * estimate is small, capped and time-boxed, so no filter can make the count slow.
 */
async function countCustomers(db: Queryable, conditions: SQL[]): Promise<{ total: number; exact: boolean }> {
  const where = and(...conditions)!;
  let estimate: number | undefined;
  try {
    const plan = await db.execute<{ 'QUERY PLAN': unknown }>(sql`explain (format json) select 1 from ${customers} where ${where}`);
    const raw = plan.rows[0]?.['QUERY PLAN'];
    const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: { 'Plan Rows': number } }[];
    estimate = Math.round(parsed[0]?.Plan['Plan Rows'] ?? 0);
  } catch {
    estimate = undefined;
  }
  if (estimate !== undefined && estimate > EXACT_COUNT_LIMIT * 2) return { total: estimate, exact: false };
  try {
    const n = await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local statement_timeout = '${COUNT_TIMEOUT_MS}ms'`));
      const counted = await tx.execute<{ n: number }>(sql`select count(*)::int as n from (select 1 from ${customers} where ${where} limit ${EXACT_COUNT_LIMIT + 1}) t`);
      return Number(counted.rows[0]?.n ?? 0);
    });
    if (n <= EXACT_COUNT_LIMIT) return { total: n, exact: true };
    return { total: Math.max(estimate ?? 0, n), exact: false };
  } catch (err) {
    // 57014: the count ran out of time; the estimate stands in.
    if ((err as { cause?: { code?: string } }).cause?.code !== '57014' && (err as { code?: string }).code !== '57014') throw err;
    return { total: Math.max(estimate ?? 0, EXACT_COUNT_LIMIT + 1), exact: false };
  }
}
