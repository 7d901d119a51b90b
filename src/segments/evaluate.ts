// A plain in-memory evaluator of segment definitions: the reference the SQL compiler is tested
// against (same definition, same data loaded as JS objects, same members). Written for clarity,
// not speed; it shares only the clock arithmetic with compile.ts.
import { hashBucket } from '../db/sample.ts';
import {
  ATTRIBUTE_PREFIX,
  METRIC_FIELDS,
  PROFILE_FIELDS,
  fieldKind,
  parseTime,
  type AttributeOp,
  type AttributeValue,
  type EventLeaf,
  type FieldKind,
  type MetricField,
  type OrdersLeaf,
  type ProfileField,
  type SegmentDefinition,
  type SegmentLeafNode,
} from './definition.ts';
import {
  COUNTED_ORDER_STATUSES,
  DATE_PREFIX,
  PREFERENCE_SOURCE_ROWS,
  anniversaryDays,
  countHolds,
  daysAgo,
  eventCount,
  foldAscii,
  inWindow,
  ordersConditions,
  propertyPath,
  randomKeyPrefix,
  timeConditionAt,
  utcDay,
  windowOf,
} from './compile.ts';

export type EvalCustomer = {
  id: string;
  email: string | null;
  phone: string | null;
  name: string | null;
  gender: string | null;
  locale: string | null;
  time_zone: string | null;
  lifecycle_stage: string | null;
  source: string | null;
  external_id: string | null;
  /** YYYY-MM-DD */
  birthday: string | null;
  signed_up_at: Date | null;
  created_at: Date;
  updated_at: Date;
  tags: string[];
  attributes: Record<string, unknown>;
  deleted: boolean;
  merged: boolean;
};
export type EvalEvent = { customer_id: string | null; name: string | null; timestamp: Date; properties: Record<string, unknown> };
export type EvalOrderItem = { sku: string | null; product_id: string | null; category: string | null };
export type EvalOrder = { id: string; customer_id: string | null; status: string; total: number; refunded_total: number; placed_at: Date; items: EvalOrderItem[] };
export type EvalConsent = { customer_id: string; channel: string; purpose: string; status: string };
export type EvalPreference = { customer_id: string; source: 'survey' | 'inferred'; category: string; weight: number };
/** A `customer_metrics` row by column name (abandoned_cart is derived, not stored). */
export type EvalMetrics = { customer_id: string } & Partial<Record<Exclude<MetricField, 'abandoned_cart'>, number | string | boolean | Date | null>>;
export type EvalCartItem = { customer_id: string | null; abandoned_at: Date | null; removed_at: Date | null; ordered_at: Date | null };
export type EvalData = {
  workspaceId: string;
  customers: EvalCustomer[];
  events: EvalEvent[];
  orders: EvalOrder[];
  consents: EvalConsent[];
  preferences: EvalPreference[];
  metrics: EvalMetrics[];
  cartItems: EvalCartItem[];
  /** Members of other segments by segment id. */
  segments: Record<string, string[]>;
};

type Value = string | number | boolean | Date | null;

/** Code-point (UTF-8 byte) order, as `collate "C"`. */
const cmpC = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const holds = (c: number, o: 'gt' | 'gte' | 'lt' | 'lte') => (o === 'gt' ? c > 0 : o === 'gte' ? c >= 0 : o === 'lt' ? c < 0 : c <= 0);

/** Normalises a user value to the field's type: time → ms, date → YYYY-MM-DD. */
function typedValue(kind: FieldKind, v: unknown): string | number | boolean {
  if (kind === 'time') return parseTime(v)!.getTime();
  if (kind === 'date') return utcDay(parseTime(v)!);
  return v as string | number | boolean;
}

function compareTyped(kind: FieldKind, x: string | number | boolean, y: string | number | boolean): number {
  if (kind === 'text' || kind === 'date') return cmpC(x as string, y as string);
  return (x as number) - (y as number);
}

function columnMatches(kind: Exclude<FieldKind, 'custom'>, raw: Value, op: AttributeOp, value: AttributeValue | undefined, now: Date): boolean {
  const x = raw instanceof Date ? raw.getTime() : raw;
  const eq = (v: unknown) => x !== null && x === typedValue(kind, v);
  switch (op) {
    case 'eq':
      return eq(value);
    case 'neq':
      return !eq(value);
    case 'in':
      return (value as unknown[]).some(eq);
    case 'contains':
      return typeof x === 'string' && foldAscii(x).includes(foldAscii(value as string));
    case 'starts_with':
      return typeof x === 'string' && foldAscii(x).startsWith(foldAscii(value as string));
    case 'exists':
      return x !== null;
    case 'not_exists':
      return x === null;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return x !== null && holds(compareTyped(kind, x, typedValue(kind, value)), op);
    case 'between': {
      const [a, b] = value as unknown[];
      return x !== null && compareTyped(kind, x, typedValue(kind, a)) >= 0 && compareTyped(kind, x, typedValue(kind, b)) <= 0;
    }
    case 'before':
      return x !== null && compareTyped(kind, x, typedValue(kind, value)) < 0;
    case 'after':
      return x !== null && compareTyped(kind, x, typedValue(kind, value)) > 0;
    case 'within_last_days': {
      if (x === null) return false;
      const n = value as number;
      if (kind === 'date') return (x as string) >= utcDay(daysAgo(now, n)) && (x as string) <= utcDay(now);
      return (x as number) > daysAgo(now, n).getTime() && (x as number) <= now.getTime();
    }
    case 'anniversary_within_days': {
      if (x === null) return false;
      const md = kind === 'date' ? (x as string).slice(5, 10) : new Date(x as number).toISOString().slice(5, 10);
      return anniversaryDays(now, value as number).includes(md);
    }
  }
}

/** jsonb `@>` of a scalar: equal scalars, or an array holding it. */
function jsonContains(j: unknown, v: unknown): boolean {
  if (Array.isArray(j)) return j.some((el) => !Array.isArray(el) && el === v);
  return j !== null && typeof j !== 'object' && j === v;
}

function jsonMatches(j: unknown, op: AttributeOp, value: AttributeValue | undefined, now: Date): boolean {
  const ordered = (v: unknown, o: 'gt' | 'gte' | 'lt' | 'lte') =>
    typeof v === 'number' ? typeof j === 'number' && holds(j - v, o) : typeof j === 'string' && holds(cmpC(j, v as string), o);
  const day = typeof j === 'string' && DATE_PREFIX.test(j) ? j.slice(0, 10) : undefined;
  switch (op) {
    case 'eq':
      return jsonContains(j, value);
    case 'neq':
      return !jsonContains(j, value);
    case 'in':
      return (value as unknown[]).some((v) => jsonContains(j, v));
    case 'contains':
      return typeof j === 'string' ? foldAscii(j).includes(foldAscii(value as string)) : Array.isArray(j) && jsonContains(j, value);
    case 'starts_with':
      return typeof j === 'string' && foldAscii(j).startsWith(foldAscii(value as string));
    case 'exists':
      return j !== undefined && j !== null;
    case 'not_exists':
      return j === undefined || j === null;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return ordered(value, op);
    case 'between': {
      const [a, b] = value as unknown[];
      return ordered(a, 'gte') && ordered(b, 'lte');
    }
    case 'before':
      return day !== undefined && cmpC(day, utcDay(parseTime(value)!)) < 0;
    case 'after':
      return day !== undefined && cmpC(day, utcDay(parseTime(value)!)) > 0;
    case 'within_last_days':
      return day !== undefined && day >= utcDay(daysAgo(now, value as number)) && day <= utcDay(now);
    case 'anniversary_within_days':
      return day !== undefined && anniversaryDays(now, value as number).includes(j!.toString().slice(5, 10));
  }
}

/** `properties #> path`: object keys, and array positions given as digits. */
function atPath(obj: unknown, path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (Array.isArray(cur) && /^[0-9]+$/.test(p)) cur = cur[Number(p)];
    else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, p)) cur = (cur as Record<string, unknown>)[p];
    else return undefined;
  }
  return cur;
}

const METRIC_COUNTERS = new Set<string>(['event_count', 'sessions', 'page_views', 'product_views', 'cart_adds', 'checkouts_started', 'abandoned_cart_items', 'order_count', 'total_spend']);

type Index = {
  events: Map<string, EvalEvent[]>;
  orders: Map<string, EvalOrder[]>;
  metrics: Map<string, EvalMetrics>;
  segments: Map<string, Set<string>>;
};

function metricValue(data: EvalData, index: Index, c: EvalCustomer, field: MetricField): Value {
  const m = index.metrics.get(c.id);
  if (field === 'abandoned_cart')
    return Number(m?.abandoned_cart_items ?? 0) > 0 || data.cartItems.some((ci) => ci.customer_id === c.id && ci.abandoned_at !== null && ci.removed_at === null && ci.ordered_at === null);
  if (field === 'churn_risk') return (m?.churn_risk as boolean | undefined) ?? false;
  const v = m?.[field] ?? null;
  if (v === null && METRIC_COUNTERS.has(field)) return 0;
  return v;
}

function eventMatches(leaf: EventLeaf, events: EvalEvent[], now: Date): boolean {
  const w = windowOf(leaf.within, leaf.between, now);
  const hits = events.filter(
    (e) =>
      (leaf.name === undefined || e.name === leaf.name) &&
      inWindow(e.timestamp, w) &&
      (leaf.where ?? []).every((f) => jsonMatches(atPath(e.properties, propertyPath(f.field)), f.op, f.value, now)),
  );
  if (!countHolds(eventCount(leaf), hits.length)) return false;
  const times = hits.map((e) => e.timestamp.getTime());
  for (const [t, agg] of [
    [leaf.first, Math.min],
    [leaf.last, Math.max],
  ] as const) {
    if (!t) continue;
    if (!times.length) return false;
    const at = timeConditionAt(t, now).getTime();
    const v = agg(...times);
    if (t.op === 'before' ? !(v < at) : !(v > at)) return false;
  }
  return true;
}

function ordersMatch(leaf: OrdersLeaf, orders: EvalOrder[], now: Date): boolean {
  const w = windowOf(leaf.within, leaf.between, now);
  const itemMatches = (i: EvalOrderItem) =>
    (leaf.sku === undefined || i.sku === leaf.sku) &&
    (leaf.product_id === undefined || i.product_id === leaf.product_id) &&
    (leaf.category === undefined || (i.category !== null && (i.category === leaf.category || i.category.startsWith(`${leaf.category} > `))));
  const filtering = leaf.sku !== undefined || leaf.product_id !== undefined || leaf.category !== undefined;
  const hits = orders.filter(
    (o) => (COUNTED_ORDER_STATUSES as readonly string[]).includes(o.status) && inWindow(o.placed_at, w) && (!filtering || o.items.some(itemMatches)),
  );
  const conds = ordersConditions(leaf);
  const total = hits.reduce((s, o) => s + o.total - o.refunded_total, 0);
  if (conds.count && !countHolds(conds.count, hits.length)) return false;
  if (conds.total && !countHolds(conds.total, total)) return false;
  if (conds.average && !countHolds(conds.average, hits.length ? total / hits.length : null)) return false;
  return true;
}

function leafMatches(leaf: SegmentLeafNode, c: EvalCustomer, data: EvalData, index: Index, now: Date): boolean {
  switch (leaf.type) {
    case 'attribute': {
      const kind = fieldKind(leaf.field)!;
      if (kind === 'custom') return jsonMatches(c.attributes[leaf.field.slice(ATTRIBUTE_PREFIX.length)], leaf.op, leaf.value, now);
      return columnMatches(PROFILE_FIELDS[leaf.field as ProfileField], c[leaf.field as ProfileField], leaf.op, leaf.value, now);
    }
    case 'metric':
      return columnMatches(METRIC_FIELDS[leaf.field], metricValue(data, index, c, leaf.field), leaf.op, leaf.value, now);
    case 'tag':
      return c.tags.includes(leaf.tag);
    case 'consent':
      return data.consents.some((x) => x.customer_id === c.id && x.channel === leaf.channel && x.purpose === (leaf.purpose ?? 'marketing') && x.status === 'granted');
    case 'preference': {
      const sources: readonly string[] = PREFERENCE_SOURCE_ROWS[leaf.source ?? 'any'];
      // The weight is a `real`: compared at single precision.
      return data.preferences.some(
        (p) => p.customer_id === c.id && p.category === leaf.category && sources.includes(p.source) && (leaf.min === undefined || Math.fround(p.weight) >= Math.fround(leaf.min)),
      );
    }
    case 'event':
      return eventMatches(leaf, index.events.get(c.id) ?? [], now);
    case 'orders':
      return ordersMatch(leaf, index.orders.get(c.id) ?? [], now);
    case 'segment':
      return index.segments.get(leaf.id)?.has(c.id) ?? false;
    case 'random': {
      const bucket = hashBucket(randomKeyPrefix(data.workspaceId, leaf.seed) + c.id, leaf.buckets);
      return bucket >= leaf.from && bucket <= leaf.to;
    }
  }
}

function matches(def: SegmentDefinition, c: EvalCustomer, data: EvalData, index: Index, now: Date): boolean {
  if ('and' in def) return def.and.every((d) => matches(d, c, data, index, now));
  if ('or' in def) return def.or.some((d) => matches(d, c, data, index, now));
  if ('not' in def) return !matches(def.not, c, data, index, now);
  return leafMatches(def, c, data, index, now);
}

function group<T extends { customer_id: string | null }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    if (r.customer_id === null) continue;
    const list = out.get(r.customer_id) ?? [];
    list.push(r);
    out.set(r.customer_id, list);
  }
  return out;
}

/** The ids (sorted) of live customers matching `def` at `now`. */
export function evaluateSegment(def: SegmentDefinition, data: EvalData, now: Date, customerIds?: string[]): string[] {
  const index: Index = {
    events: group(data.events),
    orders: group(data.orders),
    metrics: new Map(data.metrics.map((m) => [m.customer_id, m])),
    segments: new Map(Object.entries(data.segments).map(([k, v]) => [k, new Set(v)])),
  };
  const only = customerIds ? new Set(customerIds) : undefined;
  return data.customers
    .filter((c) => !c.deleted && !c.merged && (!only || only.has(c.id)) && matches(def, c, data, index, now))
    .map((c) => c.id)
    .sort();
}
