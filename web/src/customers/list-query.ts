// The customer list's query (search, filters, sort) and its two spellings: the page URL, so a
// list can be bookmarked, reloaded and shared, and the API's query string (docs/customers.md).
import { isLifecycleStage, type LifecycleStage } from './fields.ts';

export const FILTER_OPS = ['eq', 'neq', 'in', 'contains', 'starts_with', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export type ConditionValue = string | number | boolean | string[];
export type Condition = { field: string; op: FilterOp; value?: ConditionValue };

export const SORT_FIELDS = ['createdAt', 'updatedAt', 'name', 'signedUpAt'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type Sort = SortField | `-${SortField}`;
export const DEFAULT_SORT: Sort = '-createdAt';

export type ListQuery = {
  q: string;
  stages: LifecycleStage[];
  tags: string[];
  /** `YYYY-MM-DD`, first day included. */
  createdFrom: string;
  /** `YYYY-MM-DD`, last day included (the API's `createdTo` is exclusive: the day after). */
  createdTo: string;
  conditions: Condition[];
  sort: Sort;
  /** List the soft-deleted customers instead. */
  deleted: boolean;
};

export const EMPTY_QUERY: ListQuery = { q: '', stages: [], tags: [], createdFrom: '', createdTo: '', conditions: [], sort: DEFAULT_SORT, deleted: false };

const isFilterOp = (v: unknown): v is FilterOp => typeof v === 'string' && (FILTER_OPS as readonly string[]).includes(v);
export const opNeedsValue = (op: FilterOp) => op !== 'exists' && op !== 'not_exists';

export function isSort(value: unknown): value is Sort {
  return typeof value === 'string' && (SORT_FIELDS as readonly string[]).includes(value.replace(/^-/, ''));
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isDate = (v: unknown): v is string => typeof v === 'string' && DATE.test(v);

function isConditionValue(v: unknown): v is ConditionValue {
  return ['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

/** The well-formed conditions of untrusted input (a URL or a saved view); the rest are dropped. */
export function parseConditions(raw: unknown): Condition[] {
  let list = raw;
  if (typeof raw === 'string') {
    try {
      list = JSON.parse(raw);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(list)) return [];
  const out: Condition[] = [];
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue;
    const { field, op, value } = item as Record<string, unknown>;
    if (typeof field !== 'string' || !field || !isFilterOp(op)) continue;
    if (!opNeedsValue(op)) out.push({ field, op });
    else if (isConditionValue(value)) out.push({ field, op, value });
  }
  return out;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v : typeof v === 'string' && v ? [v] : []).filter((x): x is string => typeof x === 'string' && x !== '');

/** A query from a plain object: a saved view's `query`, or the page URL read as an object. */
export function queryFromObject(raw: Record<string, unknown>): ListQuery {
  return {
    q: typeof raw.q === 'string' ? raw.q : '',
    stages: strings(raw.stage).filter(isLifecycleStage),
    tags: strings(raw.tag),
    createdFrom: isDate(raw.createdFrom) ? raw.createdFrom : '',
    createdTo: isDate(raw.createdTo) ? raw.createdTo : '',
    conditions: parseConditions(raw.filter),
    sort: isSort(raw.sort) ? raw.sort : DEFAULT_SORT,
    deleted: raw.deleted === true || raw.deleted === 'true',
  };
}

/** What a saved view stores: the query in the same names the URL and the API use. */
export function queryToObject(query: ListQuery): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (query.q.trim()) out.q = query.q.trim();
  if (query.stages.length) out.stage = query.stages;
  if (query.tags.length) out.tag = query.tags;
  if (query.createdFrom) out.createdFrom = query.createdFrom;
  if (query.createdTo) out.createdTo = query.createdTo;
  if (query.conditions.length) out.filter = query.conditions;
  if (query.sort !== DEFAULT_SORT) out.sort = query.sort;
  if (query.deleted) out.deleted = true;
  return out;
}

export function queryFromSearchParams(params: URLSearchParams): ListQuery {
  return queryFromObject({
    q: params.get('q') ?? '',
    stage: params.getAll('stage'),
    tag: params.getAll('tag'),
    createdFrom: params.get('createdFrom'),
    createdTo: params.get('createdTo'),
    filter: params.get('filter') ?? undefined,
    sort: params.get('sort'),
    deleted: params.get('deleted'),
  });
}

/** The page URL's parameters (dates as the person chose them). */
export function queryToSearchParams(query: ListQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.q.trim()) params.set('q', query.q.trim());
  for (const s of query.stages) params.append('stage', s);
  for (const tag of query.tags) params.append('tag', tag);
  if (query.createdFrom) params.set('createdFrom', query.createdFrom);
  if (query.createdTo) params.set('createdTo', query.createdTo);
  if (query.conditions.length) params.set('filter', JSON.stringify(query.conditions));
  if (query.sort !== DEFAULT_SORT) params.set('sort', query.sort);
  if (query.deleted) params.set('deleted', 'true');
  return params;
}

/** The day after `YYYY-MM-DD`. */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The API's query string for the list (and, with columns, for the CSV export). */
export function apiSearchParams(query: ListQuery, extra: { limit?: number; cursor?: string | null; columns?: readonly string[] } = {}): URLSearchParams {
  const params = queryToSearchParams(query);
  if (query.createdTo) params.set('createdTo', nextDay(query.createdTo));
  params.set('sort', query.sort);
  if (extra.limit) params.set('limit', String(extra.limit));
  if (extra.cursor) params.set('cursor', extra.cursor);
  if (extra.columns?.length) params.set('columns', extra.columns.join(','));
  return params;
}

export function listPath(query: ListQuery, limit: number, cursor?: string | null): string {
  return `/api/customers?${apiSearchParams(query, { limit, cursor }).toString()}`;
}

export function exportPath(query: ListQuery, columns: readonly string[]): string {
  return `/api/customers/export?${apiSearchParams(query, { columns }).toString()}`;
}

export function sortField(sort: Sort): SortField {
  return sort.replace(/^-/, '') as SortField;
}

export function isDescending(sort: Sort): boolean {
  return sort.startsWith('-');
}

/** Clicking a column header: the same column flips direction; another starts newest (or A→Z) first. */
export function toggleSort(current: Sort, field: SortField): Sort {
  if (sortField(current) === field) return isDescending(current) ? field : `-${field}`;
  return field === 'name' ? field : `-${field}`;
}

/** How many filters (besides search and sort) are active. */
export function activeFilterCount(query: ListQuery): number {
  return query.stages.length + query.tags.length + (query.createdFrom ? 1 : 0) + (query.createdTo ? 1 : 0) + query.conditions.length;
}

export type ValueKind = 'text' | 'number' | 'boolean' | 'date' | 'enum' | 'list';

/** A condition's value from what was typed: lists split at commas, numbers and yes/no parsed. */
export function conditionValue(op: FilterOp, raw: string, kind: ValueKind): ConditionValue | undefined {
  if (!opNeedsValue(op)) return undefined;
  if (op === 'in') {
    const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
    return items.length ? items : undefined;
  }
  const text = raw.trim();
  if (!text) return undefined;
  if (kind === 'number') {
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  }
  if (kind === 'boolean') return text === 'true';
  return text;
}

/** A condition's value as text in an input again. */
export function conditionValueText(value: ConditionValue | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** The operators that make sense for a kind of value. */
export function opsFor(kind: ValueKind): FilterOp[] {
  switch (kind) {
    case 'number':
    case 'date':
      return ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'exists', 'not_exists'];
    case 'boolean':
      return ['eq', 'exists', 'not_exists'];
    case 'enum':
      return ['eq', 'neq', 'in', 'exists', 'not_exists'];
    case 'list':
      return ['contains', 'exists', 'not_exists'];
    case 'text':
      return ['eq', 'neq', 'in', 'contains', 'starts_with', 'exists', 'not_exists'];
  }
}
