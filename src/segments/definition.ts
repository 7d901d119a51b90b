// The segment definition language: its schema (OpenAPI), its TypeScript type, a validator that
// names the bad node by path, and what a definition depends on. Pure. See docs/segments.md.
import { Type, type TSchema } from 'typebox';
import { isPersonalPath } from '../customers/personal-data.ts';
import { isTimeInRange } from '../dates.ts';
import { CHANNELS, PURPOSES } from '../customers/vocabulary.ts';

/** Standard profile fields a segment may test, with how their values compare. */
export const PROFILE_FIELDS = {
  email: 'text',
  phone: 'text',
  name: 'text',
  gender: 'text',
  locale: 'text',
  time_zone: 'text',
  lifecycle_stage: 'text',
  source: 'text',
  external_id: 'text',
  birthday: 'date',
  signed_up_at: 'time',
  created_at: 'time',
  updated_at: 'time',
} as const satisfies Record<string, FieldKind>;
export type ProfileField = keyof typeof PROFILE_FIELDS;
/** Prefix of a custom attribute field: `attributes.<key>`. */
export const ATTRIBUTE_PREFIX = 'attributes.';

/** Fields of `customer_metrics` a segment may test (abandoned_cart also reads open cart lines). */
export const METRIC_FIELDS = {
  rfm_r: 'number',
  rfm_f: 'number',
  rfm_m: 'number',
  rfm_frequency: 'number',
  rfm_monetary: 'number',
  rfm_segment: 'text',
  grade: 'text',
  grade_since: 'time',
  clv: 'number',
  p_alive: 'number',
  expected_purchases: 'number',
  churn_risk: 'boolean',
  churn_priority: 'number',
  first_seen_at: 'time',
  last_seen_at: 'time',
  most_active_hour: 'number',
  event_count: 'number',
  sessions: 'number',
  page_views: 'number',
  product_views: 'number',
  cart_adds: 'number',
  checkouts_started: 'number',
  abandoned_cart_items: 'number',
  abandoned_cart: 'boolean',
  order_count: 'number',
  total_spend: 'number',
  first_order_at: 'time',
  last_order_at: 'time',
} as const satisfies Record<string, FieldKind>;
export type MetricField = keyof typeof METRIC_FIELDS;

/** How a field's values compare: `custom` and event properties are typed by the JSON value stored. */
export type FieldKind = 'text' | 'number' | 'boolean' | 'date' | 'time' | 'custom';

export const ATTRIBUTE_OPS = [
  'eq',
  'neq',
  'in',
  'contains',
  'starts_with',
  'exists',
  'not_exists',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'before',
  'after',
  'within_last_days',
  'anniversary_within_days',
] as const;
export type AttributeOp = (typeof ATTRIBUTE_OPS)[number];
export const OPS_BY_KIND: Record<FieldKind, readonly AttributeOp[]> = {
  text: ['eq', 'neq', 'in', 'contains', 'starts_with', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte', 'between'],
  number: ['eq', 'neq', 'in', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte', 'between'],
  boolean: ['eq', 'neq'],
  date: ['eq', 'neq', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte', 'between', 'before', 'after', 'within_last_days', 'anniversary_within_days'],
  time: ['eq', 'neq', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte', 'between', 'before', 'after', 'within_last_days', 'anniversary_within_days'],
  custom: ATTRIBUTE_OPS,
};
/** Ops of an event property filter (a property is typed by its JSON value, numbers compare numerically). */
export const PROPERTY_OPS = ['eq', 'neq', 'in', 'contains', 'starts_with', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte', 'between'] as const;
export const COUNT_OPS = ['gte', 'lte', 'eq'] as const;
export const AMOUNT_OPS = ['gte', 'gt', 'lte', 'lt', 'eq'] as const;
export const TIME_OPS = ['before', 'after'] as const;
export const PREFERENCE_SOURCES = ['stated', 'inferred', 'any'] as const;

export type Scalar = string | number | boolean;
export type AttributeValue = Scalar | Scalar[];
export type Comparison = { field: string; op: AttributeOp; value?: AttributeValue };
export type CountCondition = { op: (typeof COUNT_OPS)[number]; value: number };
export type AmountCondition = { op: (typeof AMOUNT_OPS)[number]; value: number };
/** Within the last N minutes, hours or days (exactly one unit). */
export type Within = { minutes: number } | { hours: number } | { days: number };
/** From (inclusive) to (exclusive), ISO 8601 times. */
export type Between = { from: string; to: string };
/** Before/after a fixed time, or before/after N days ago. */
export type TimeCondition = { op: (typeof TIME_OPS)[number]; date: string } | { op: (typeof TIME_OPS)[number]; days_ago: number };

export type AttributeLeaf = { type: 'attribute' } & Comparison;
export type ConsentLeaf = { type: 'consent'; channel: string; purpose?: string };
export type TagLeaf = { type: 'tag'; tag: string };
export type PreferenceLeaf = { type: 'preference'; category: string; source?: (typeof PREFERENCE_SOURCES)[number]; min?: number };
export type EventLeaf = {
  type: 'event';
  /** Omitted: any event. */
  name?: string;
  where?: Comparison[];
  count?: CountCondition;
  performed?: boolean;
  within?: Within;
  between?: Between;
  first?: TimeCondition;
  last?: TimeCondition;
};
export type OrdersLeaf = {
  type: 'orders';
  count?: CountCondition;
  total?: AmountCondition;
  average?: AmountCondition;
  sku?: string;
  product_id?: string;
  category?: string;
  within?: Within;
  between?: Between;
};
export type MetricLeaf = { type: 'metric'; field: MetricField; op: AttributeOp; value?: AttributeValue };
export type SegmentLeaf = { type: 'segment'; id: string };
export type RandomLeaf = { type: 'random'; buckets: number; from: number; to: number; seed?: string };
export type SegmentLeafNode = AttributeLeaf | ConsentLeaf | TagLeaf | PreferenceLeaf | EventLeaf | OrdersLeaf | MetricLeaf | SegmentLeaf | RandomLeaf;
export type SegmentDefinition = { and: SegmentDefinition[] } | { or: SegmentDefinition[] } | { not: SegmentDefinition } | SegmentLeafNode;

export const LIMITS = { depth: 12, nodes: 250, children: 100, list: 1000, text: 500, days: 36_600 } as const;

// ---------------------------------------------------------------------------------------------
// Schema (OpenAPI and runtime shape). The validator below is authoritative: it adds the rules a
// JSON schema cannot say well (which ops fit which field, value shapes per op) and names the node.

const lit = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));
const scalarSchema = Type.Union([Type.String({ maxLength: LIMITS.text }), Type.Number(), Type.Boolean()]);
const valueSchema = Type.Union([scalarSchema, Type.Array(scalarSchema, { maxItems: LIMITS.list })]);
const comparisonSchema = Type.Object(
  { field: Type.String({ minLength: 1, maxLength: 200 }), op: lit(ATTRIBUTE_OPS), value: Type.Optional(valueSchema) },
  { additionalProperties: false },
);
const countSchema = Type.Object({ op: lit(COUNT_OPS), value: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
const amountSchema = Type.Object({ op: lit(AMOUNT_OPS), value: Type.Number() }, { additionalProperties: false });
const withinSchema = Type.Union([
  Type.Object({ minutes: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  Type.Object({ hours: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  Type.Object({ days: Type.Integer({ minimum: 1, maximum: LIMITS.days }) }, { additionalProperties: false }),
]);
const timeString = () => Type.String({ maxLength: 40, description: 'A date YYYY-MM-DD (UTC) or an ISO 8601 time with its offset' });
const betweenSchema = Type.Object({ from: timeString(), to: timeString() }, { additionalProperties: false });
const timeConditionSchema = Type.Union([
  Type.Object({ op: lit(TIME_OPS), date: timeString() }, { additionalProperties: false }),
  Type.Object({ op: lit(TIME_OPS), days_ago: Type.Integer({ minimum: 0, maximum: LIMITS.days }) }, { additionalProperties: false }),
]);
const leafSchemas: TSchema[] = [
  Type.Object(
    { type: Type.Literal('attribute'), field: Type.String({ minLength: 1, maxLength: 200 }), op: lit(ATTRIBUTE_OPS), value: Type.Optional(valueSchema) },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('consent'), channel: lit(CHANNELS), purpose: Type.Optional(lit(PURPOSES)) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('tag'), tag: Type.String({ minLength: 1, maxLength: LIMITS.text }) }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('preference'),
      category: Type.String({ minLength: 1, maxLength: LIMITS.text }),
      source: Type.Optional(lit(PREFERENCE_SOURCES)),
      min: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('event'),
      name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.text })),
      where: Type.Optional(Type.Array(comparisonSchema, { maxItems: 20 })),
      count: Type.Optional(countSchema),
      performed: Type.Optional(Type.Boolean()),
      within: Type.Optional(withinSchema),
      between: Type.Optional(betweenSchema),
      first: Type.Optional(timeConditionSchema),
      last: Type.Optional(timeConditionSchema),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('orders'),
      count: Type.Optional(countSchema),
      total: Type.Optional(amountSchema),
      average: Type.Optional(amountSchema),
      sku: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.text })),
      product_id: Type.Optional(Type.String({ format: 'uuid' })),
      category: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.text })),
      within: Type.Optional(withinSchema),
      between: Type.Optional(betweenSchema),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('metric'), field: lit(Object.keys(METRIC_FIELDS)), op: lit(ATTRIBUTE_OPS), value: Type.Optional(valueSchema) },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('segment'), id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('random'),
      buckets: Type.Integer({ minimum: 1, maximum: 10_000 }),
      from: Type.Integer({ minimum: 0 }),
      to: Type.Integer({ minimum: 0 }),
      seed: Type.Optional(Type.String({ maxLength: 100 })),
    },
    { additionalProperties: false },
  ),
];

/** The definition's JSON schema (recursive through `$defs.Node`), for routes and OpenAPI. */
const DEFINITION_DESCRIPTION = 'A segment definition: a group {and|or|not} or a leaf with a `type` (see docs/segments.md).';
export const SegmentDefinitionSchema = Object.assign(Type.Cyclic(
  {
    Node: Type.Union([
      Type.Object({ and: Type.Array(Type.Ref('Node'), { minItems: 1, maxItems: LIMITS.children }) }, { additionalProperties: false }),
      Type.Object({ or: Type.Array(Type.Ref('Node'), { minItems: 1, maxItems: LIMITS.children }) }, { additionalProperties: false }),
      Type.Object({ not: Type.Ref('Node') }, { additionalProperties: false }),
      ...leafSchemas,
    ]),
  },
  'Node',
  { description: DEFINITION_DESCRIPTION },
), { description: DEFINITION_DESCRIPTION });

// ---------------------------------------------------------------------------------------------
// Validation

export type DefinitionError = { path: string; message: string };
export type ValidationResult = { ok: true; value: SegmentDefinition } | { ok: false; errors: DefinitionError[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A date `YYYY-MM-DD` (UTC midnight) or a time with its offset; anything else is not a time. */
export function parseTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !(ISO_DATE.test(value) || ISO_TIME.test(value))) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return undefined;
  // Reject days a month lacks (2023-02-30), which Date silently rolls over.
  const [y, m, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, m - 1, day));
  if (check.getUTCMonth() !== m - 1 || check.getUTCDate() !== day) return undefined;
  // The one range of dates and times of the API (src/dates.ts).
  return isTimeInRange(d) ? d : undefined;
}

export function fieldKind(field: string): FieldKind | undefined {
  if (Object.hasOwn(PROFILE_FIELDS, field)) return PROFILE_FIELDS[field as ProfileField];
  if (field.startsWith(ATTRIBUTE_PREFIX) && field.length > ATTRIBUTE_PREFIX.length) return 'custom';
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar => (typeof v === 'string' && v.length <= LIMITS.text) || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const oneOf = (list: readonly string[]) => `must be one of ${list.join(', ')}`;

type Ctx = { errors: DefinitionError[]; nodes: number };

function checkKeys(node: Record<string, unknown>, allowed: readonly string[], path: string, ctx: Ctx): void {
  for (const key of Object.keys(node)) if (!allowed.includes(key)) ctx.errors.push({ path: `${path}.${key}`, message: 'is not a known property' });
}

function requireString(node: Record<string, unknown>, key: string, path: string, ctx: Ctx, max: number = LIMITS.text): boolean {
  const v = node[key];
  if (typeof v !== 'string' || v.length === 0) {
    ctx.errors.push({ path: `${path}.${key}`, message: 'must be a non-empty text' });
    return false;
  }
  if (v.length > max) {
    ctx.errors.push({ path: `${path}.${key}`, message: `must be at most ${max} characters` });
    return false;
  }
  return true;
}

/** Checks `value` for `op` on a field of `kind`. */
function checkComparisonValue(kind: FieldKind, op: AttributeOp, value: unknown, path: string, ctx: Ctx): void {
  const err = (message: string) => ctx.errors.push({ path: `${path}.value`, message });
  const timeLike = kind === 'date' || kind === 'time';
  const single = (v: unknown): string | undefined => {
    if (timeLike) return parseTime(v) ? undefined : 'must be a date (YYYY-MM-DD) or a time with its offset (ISO 8601)';
    if (kind === 'number') return typeof v === 'number' && Number.isFinite(v) ? undefined : 'must be a number';
    if (kind === 'boolean') return typeof v === 'boolean' ? undefined : 'must be true or false';
    if (kind === 'text') return typeof v === 'string' && v.length <= LIMITS.text ? undefined : `must be a text of at most ${LIMITS.text} characters`;
    return isScalar(v) ? undefined : `must be a text (at most ${LIMITS.text} characters), number or boolean`;
  };
  switch (op) {
    case 'exists':
    case 'not_exists':
      if (value !== undefined) err(`must not be given for "${op}"`);
      return;
    case 'eq':
    case 'neq': {
      const m = single(value);
      if (m) err(m);
      return;
    }
    case 'in': {
      if (!Array.isArray(value) || value.length === 0 || value.length > LIMITS.list) return void err(`must be a list of 1 to ${LIMITS.list} values`);
      value.forEach((v, i) => {
        const m = single(v);
        if (m) ctx.errors.push({ path: `${path}.value[${i}]`, message: m });
      });
      return;
    }
    case 'contains':
    case 'starts_with':
      if (typeof value !== 'string' || value.length > LIMITS.text) err(`must be a text of at most ${LIMITS.text} characters`);
      return;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const m = kind === 'custom' ? (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? undefined : 'must be a number or a text') : single(value);
      if (m) err(m);
      return;
    }
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2) return void err('must be a list of two values [from, to]');
      const [a, b] = value as unknown[];
      if (timeLike) {
        if (!parseTime(a) || !parseTime(b)) err('must be two dates (YYYY-MM-DD) or times with their offset (ISO 8601)');
      } else if (kind === 'number' || kind === 'custom') {
        const bothNumbers = typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b);
        const bothTexts = kind === 'custom' && typeof a === 'string' && typeof b === 'string' && a.length <= LIMITS.text && b.length <= LIMITS.text;
        if (!bothNumbers && !bothTexts) err(kind === 'number' ? 'must be two numbers' : 'must be two numbers or two texts');
      } else if (typeof a !== 'string' || typeof b !== 'string' || a.length > LIMITS.text || b.length > LIMITS.text) err('must be two texts');
      return;
    }
    case 'before':
    case 'after':
      if (!parseTime(value)) err('must be a date (YYYY-MM-DD) or a time with its offset (ISO 8601)');
      return;
    case 'within_last_days':
      if (!isInt(value, 0, LIMITS.days)) err(`must be a whole number of days from 0 to ${LIMITS.days}`);
      return;
    case 'anniversary_within_days':
      if (!isInt(value, 0, 366)) err('must be a whole number of days from 0 to 366');
      return;
  }
}

function checkComparison(node: Record<string, unknown>, kind: FieldKind, ops: readonly AttributeOp[], path: string, ctx: Ctx): void {
  const op = node.op;
  if (typeof op !== 'string' || !ops.includes(op as AttributeOp)) return void ctx.errors.push({ path: `${path}.op`, message: oneOf(ops) });
  checkComparisonValue(kind, op as AttributeOp, node.value, path, ctx);
}

function checkCount(v: unknown, ops: readonly string[], integer: boolean, path: string, ctx: Ctx): void {
  if (!isObject(v)) return void ctx.errors.push({ path, message: `must be an object {op, value}` });
  checkKeys(v, ['op', 'value'], path, ctx);
  if (typeof v.op !== 'string' || !ops.includes(v.op)) ctx.errors.push({ path: `${path}.op`, message: oneOf(ops) });
  if (integer ? !isInt(v.value, 0, 1e9) : !(typeof v.value === 'number' && Number.isFinite(v.value)))
    ctx.errors.push({ path: `${path}.value`, message: integer ? 'must be a whole number, 0 or more' : 'must be a number' });
}

function checkWindow(node: Record<string, unknown>, path: string, ctx: Ctx): void {
  if (node.within !== undefined && node.between !== undefined) ctx.errors.push({ path: `${path}.between`, message: 'cannot be given with "within"' });
  if (node.within !== undefined) {
    const w = node.within;
    const p = `${path}.within`;
    const keys = isObject(w) ? Object.keys(w) : [];
    if (!isObject(w) || keys.length !== 1 || !['minutes', 'hours', 'days'].includes(keys[0]!)) ctx.errors.push({ path: p, message: 'must have exactly one of minutes, hours, days' });
    else {
      const unit = keys[0]!;
      const max = unit === 'days' ? LIMITS.days : unit === 'hours' ? LIMITS.days * 24 : LIMITS.days * 1440;
      if (!isInt(w[unit], 1, max)) ctx.errors.push({ path: `${p}.${unit}`, message: `must be a whole number from 1 to ${max}` });
    }
  }
  if (node.between !== undefined) {
    const b = node.between;
    const p = `${path}.between`;
    if (!isObject(b)) return void ctx.errors.push({ path: p, message: 'must be an object {from, to}' });
    checkKeys(b, ['from', 'to'], p, ctx);
    const from = parseTime(b.from);
    const to = parseTime(b.to);
    if (!from) ctx.errors.push({ path: `${p}.from`, message: 'must be a date (YYYY-MM-DD) or a time with its offset (ISO 8601)' });
    if (!to) ctx.errors.push({ path: `${p}.to`, message: 'must be a date (YYYY-MM-DD) or a time with its offset (ISO 8601)' });
    if (from && to && from.getTime() > to.getTime()) ctx.errors.push({ path: `${p}.to`, message: 'must not be before "from"' });
  }
}

function checkTimeCondition(v: unknown, path: string, ctx: Ctx): void {
  if (!isObject(v)) return void ctx.errors.push({ path, message: 'must be an object {op, date} or {op, days_ago}' });
  checkKeys(v, ['op', 'date', 'days_ago'], path, ctx);
  if (typeof v.op !== 'string' || !(TIME_OPS as readonly string[]).includes(v.op)) ctx.errors.push({ path: `${path}.op`, message: oneOf(TIME_OPS) });
  if ((v.date === undefined) === (v.days_ago === undefined)) return void ctx.errors.push({ path, message: 'must have exactly one of date, days_ago' });
  if (v.date !== undefined && !parseTime(v.date)) ctx.errors.push({ path: `${path}.date`, message: 'must be a date (YYYY-MM-DD) or a time with its offset (ISO 8601)' });
  if (v.days_ago !== undefined && !isInt(v.days_ago, 0, LIMITS.days)) ctx.errors.push({ path: `${path}.days_ago`, message: `must be a whole number from 0 to ${LIMITS.days}` });
}

const LEAF_TYPES = ['attribute', 'consent', 'tag', 'preference', 'event', 'orders', 'metric', 'segment', 'random'] as const;

function checkNode(node: unknown, path: string, depth: number, ctx: Ctx): void {
  ctx.nodes++;
  if (ctx.nodes === LIMITS.nodes + 1) ctx.errors.push({ path, message: `the definition has more than ${LIMITS.nodes} nodes` });
  if (ctx.nodes > LIMITS.nodes) return;
  if (depth > LIMITS.depth) return void ctx.errors.push({ path, message: `is nested deeper than ${LIMITS.depth} levels` });
  if (!isObject(node)) return void ctx.errors.push({ path, message: 'must be an object: a group {and|or|not} or a leaf with a type' });
  for (const group of ['and', 'or'] as const) {
    if (group in node) {
      checkKeys(node, [group], path, ctx);
      const list = node[group];
      if (!Array.isArray(list) || list.length === 0) return void ctx.errors.push({ path: `${path}.${group}`, message: 'must be a non-empty list of conditions' });
      if (list.length > LIMITS.children) return void ctx.errors.push({ path: `${path}.${group}`, message: `must have at most ${LIMITS.children} conditions` });
      list.forEach((child, i) => checkNode(child, `${path}.${group}[${i}]`, depth + 1, ctx));
      return;
    }
  }
  if ('not' in node) {
    checkKeys(node, ['not'], path, ctx);
    return checkNode(node.not, `${path}.not`, depth + 1, ctx);
  }
  const type = node.type;
  if (typeof type !== 'string' || !(LEAF_TYPES as readonly string[]).includes(type))
    return void ctx.errors.push({ path: `${path}.type`, message: `${oneOf(LEAF_TYPES)} (or the node must be a group: and, or, not)` });
  switch (type as (typeof LEAF_TYPES)[number]) {
    case 'attribute': {
      checkKeys(node, ['type', 'field', 'op', 'value'], path, ctx);
      if (!requireString(node, 'field', path, ctx, 200)) return;
      const kind = fieldKind(node.field as string);
      if (!kind) return void ctx.errors.push({ path: `${path}.field`, message: `must be a profile field (${Object.keys(PROFILE_FIELDS).join(', ')}) or attributes.<key>` });
      return checkComparison(node, kind, OPS_BY_KIND[kind], path, ctx);
    }
    case 'consent':
      checkKeys(node, ['type', 'channel', 'purpose'], path, ctx);
      if (typeof node.channel !== 'string' || !(CHANNELS as readonly string[]).includes(node.channel)) ctx.errors.push({ path: `${path}.channel`, message: oneOf(CHANNELS) });
      if (node.purpose !== undefined && (typeof node.purpose !== 'string' || !(PURPOSES as readonly string[]).includes(node.purpose)))
        ctx.errors.push({ path: `${path}.purpose`, message: oneOf(PURPOSES) });
      return;
    case 'tag':
      checkKeys(node, ['type', 'tag'], path, ctx);
      requireString(node, 'tag', path, ctx);
      return;
    case 'preference':
      checkKeys(node, ['type', 'category', 'source', 'min'], path, ctx);
      requireString(node, 'category', path, ctx);
      if (node.source !== undefined && !(PREFERENCE_SOURCES as readonly unknown[]).includes(node.source)) ctx.errors.push({ path: `${path}.source`, message: oneOf(PREFERENCE_SOURCES) });
      if (node.min !== undefined && !(typeof node.min === 'number' && node.min >= 0 && node.min <= 1)) ctx.errors.push({ path: `${path}.min`, message: 'must be a number from 0 to 1' });
      return;
    case 'event': {
      checkKeys(node, ['type', 'name', 'where', 'count', 'performed', 'within', 'between', 'first', 'last'], path, ctx);
      if (node.name !== undefined) requireString(node, 'name', path, ctx);
      if (node.where !== undefined) {
        if (!Array.isArray(node.where) || node.where.length > 20) ctx.errors.push({ path: `${path}.where`, message: 'must be a list of at most 20 property filters' });
        else
          node.where.forEach((w, i) => {
            const p = `${path}.where[${i}]`;
            if (!isObject(w)) return void ctx.errors.push({ path: p, message: 'must be an object {field, op, value}' });
            checkKeys(w, ['field', 'op', 'value'], p, ctx);
            if (!requireString(w, 'field', p, ctx, 200)) return;
            checkComparison(w, 'custom', PROPERTY_OPS, p, ctx);
          });
      }
      if (node.performed !== undefined && typeof node.performed !== 'boolean') ctx.errors.push({ path: `${path}.performed`, message: 'must be true or false' });
      if (node.count !== undefined) checkCount(node.count, COUNT_OPS, true, `${path}.count`, ctx);
      if (node.first !== undefined) checkTimeCondition(node.first, `${path}.first`, ctx);
      if (node.last !== undefined) checkTimeCondition(node.last, `${path}.last`, ctx);
      if (node.performed === false)
        for (const k of ['count', 'first', 'last'])
          if (node[k] !== undefined) ctx.errors.push({ path: `${path}.${k}`, message: 'cannot be given with "performed": false' });
      checkWindow(node, path, ctx);
      return;
    }
    case 'orders':
      checkKeys(node, ['type', 'count', 'total', 'average', 'sku', 'product_id', 'category', 'within', 'between'], path, ctx);
      if (node.count !== undefined) checkCount(node.count, COUNT_OPS, true, `${path}.count`, ctx);
      if (node.total !== undefined) checkCount(node.total, AMOUNT_OPS, false, `${path}.total`, ctx);
      if (node.average !== undefined) checkCount(node.average, AMOUNT_OPS, false, `${path}.average`, ctx);
      if (node.sku !== undefined) requireString(node, 'sku', path, ctx);
      if (node.category !== undefined) requireString(node, 'category', path, ctx);
      if (node.product_id !== undefined && (typeof node.product_id !== 'string' || !UUID.test(node.product_id)))
        ctx.errors.push({ path: `${path}.product_id`, message: 'must be a product id (UUID)' });
      checkWindow(node, path, ctx);
      return;
    case 'metric': {
      checkKeys(node, ['type', 'field', 'op', 'value'], path, ctx);
      const field = node.field;
      if (typeof field !== 'string' || !Object.hasOwn(METRIC_FIELDS, field)) return void ctx.errors.push({ path: `${path}.field`, message: oneOf(Object.keys(METRIC_FIELDS)) });
      const kind = METRIC_FIELDS[field as MetricField];
      return checkComparison(node, kind, OPS_BY_KIND[kind], path, ctx);
    }
    case 'segment':
      checkKeys(node, ['type', 'id'], path, ctx);
      if (typeof node.id !== 'string' || !UUID.test(node.id)) ctx.errors.push({ path: `${path}.id`, message: 'must be a segment id (UUID)' });
      return;
    case 'random': {
      checkKeys(node, ['type', 'buckets', 'from', 'to', 'seed'], path, ctx);
      if (!isInt(node.buckets, 1, 10_000)) return void ctx.errors.push({ path: `${path}.buckets`, message: 'must be a whole number from 1 to 10000' });
      const max = node.buckets - 1;
      if (!isInt(node.from, 0, max)) ctx.errors.push({ path: `${path}.from`, message: `must be a whole number from 0 to ${max}` });
      if (!isInt(node.to, 0, max)) ctx.errors.push({ path: `${path}.to`, message: `must be a whole number from 0 to ${max}` });
      else if (isInt(node.from, 0, max) && node.from > node.to) ctx.errors.push({ path: `${path}.to`, message: 'must not be less than "from"' });
      if (node.seed !== undefined && (typeof node.seed !== 'string' || node.seed.length > 100)) ctx.errors.push({ path: `${path}.seed`, message: 'must be a text of at most 100 characters' });
      return;
    }
  }
}

/** Checks a definition; errors name the bad node by path, e.g. `definition.and[1].count.op`. */
export function validateSegmentDefinition(def: unknown, path = 'definition'): ValidationResult {
  const ctx: Ctx = { errors: [], nodes: 0 };
  checkNode(def, path, 0, ctx);
  if (ctx.errors.length) return { ok: false, errors: ctx.errors };
  return { ok: true, value: def as SegmentDefinition };
}

// ---------------------------------------------------------------------------------------------
// What a definition reads

export function isLeaf(def: SegmentDefinition): def is SegmentLeafNode {
  return 'type' in def;
}

export function walk(def: SegmentDefinition, visit: (leaf: SegmentLeafNode) => void): void {
  if ('and' in def) def.and.forEach((d) => walk(d, visit));
  else if ('or' in def) def.or.forEach((d) => walk(d, visit));
  else if ('not' in def) walk(def.not, visit);
  else visit(def);
}

export function referencedSegmentIds(def: SegmentDefinition): string[] {
  const ids = new Set<string>();
  walk(def, (leaf) => {
    if (leaf.type === 'segment') ids.add(leaf.id);
  });
  return [...ids];
}

export type SegmentDependencies = {
  eventNames: string[];
  anyEvent: boolean;
  orders: boolean;
  profile: boolean;
  consent: boolean;
  preferences: boolean;
  /** Reads any `customer_metrics` field (score runs and rebuilds change them all). */
  metrics: boolean;
  /** Reads a metric any ingested event moves (counters, times seen, the cart). */
  eventMetrics: boolean;
  /** Reads a metric an order event moves (order count, spend, order times). */
  orderMetrics: boolean;
  /** Reads a metric only score runs write (RFM, grade, CLV, P(alive), churn risk). */
  scores: boolean;
  segments: string[];
  /** true when membership can change with time alone (within-last-N windows, not-performed, birthday, random stays false) → the sweep re-evaluates it */
  timeDependent: boolean;
};

const RELATIVE_OPS = new Set<AttributeOp>(['within_last_days', 'anniversary_within_days']);

/** Counters of behaviour in `customer_metrics`, which the ingestion of events adds to (src/events/metrics/update.ts). */
export const BEHAVIOUR_COUNTERS = ['event_count', 'sessions', 'page_views', 'product_views', 'cart_adds', 'checkouts_started', 'abandoned_cart_items'] as const satisfies readonly MetricField[];
/** Metrics the ingestion of any event may move, and those order events move; the ones in neither set are scores (score runs). */
const EVENT_METRICS: ReadonlySet<MetricField> = new Set<MetricField>([...BEHAVIOUR_COUNTERS, 'first_seen_at', 'last_seen_at', 'most_active_hour', 'abandoned_cart']);
// An order also buys abandoned cart lines, which leave the abandoned figures: an order given
// through the API or an import (no event) must re-evaluate a segment on them too.
const ORDER_METRICS: ReadonlySet<MetricField> = new Set<MetricField>(['order_count', 'total_spend', 'first_order_at', 'last_order_at', 'abandoned_cart_items', 'abandoned_cart']);

export function segmentDependencies(def: SegmentDefinition): SegmentDependencies {
  const deps: SegmentDependencies = {
    eventNames: [],
    anyEvent: false,
    orders: false,
    profile: false,
    consent: false,
    preferences: false,
    metrics: false,
    eventMetrics: false,
    orderMetrics: false,
    scores: false,
    segments: [],
    timeDependent: false,
  };
  const names = new Set<string>();
  const relative = (t: TimeCondition | undefined) => t !== undefined && 'days_ago' in t;
  walk(def, (leaf) => {
    switch (leaf.type) {
      case 'attribute':
        deps.profile = true;
        if (RELATIVE_OPS.has(leaf.op)) deps.timeDependent = true;
        break;
      case 'tag':
        deps.profile = true;
        break;
      case 'consent':
        deps.consent = true;
        break;
      case 'preference':
        deps.preferences = true;
        break;
      case 'event':
        if (leaf.name === undefined) deps.anyEvent = true;
        else names.add(leaf.name);
        // A fixed `between` window changes only with new events, which re-evaluate live.
        if (leaf.within || relative(leaf.first) || relative(leaf.last)) deps.timeDependent = true;
        break;
      case 'orders':
        deps.orders = true;
        if (leaf.within) deps.timeDependent = true;
        break;
      case 'metric':
        deps.metrics = true;
        if (EVENT_METRICS.has(leaf.field)) deps.eventMetrics = true;
        if (ORDER_METRICS.has(leaf.field)) deps.orderMetrics = true;
        if (!EVENT_METRICS.has(leaf.field) && !ORDER_METRICS.has(leaf.field)) deps.scores = true;
        if (RELATIVE_OPS.has(leaf.op)) deps.timeDependent = true;
        break;
      case 'segment':
        break;
      case 'random':
        break;
    }
  });
  deps.eventNames = [...names];
  deps.segments = referencedSegmentIds(def);
  return deps;
}

/** Profile fields holding personal contact data: roles without access to it may not filter on them. */
export const PII_FIELDS: readonly ProfileField[] = ['email', 'phone'];

/** The contact-data fields (e-mail, phone) a definition filters on, for a role check. */
export function personalDataFields(def: SegmentDefinition): ProfileField[] {
  const used = new Set<ProfileField>();
  walk(def, (leaf) => {
    if (leaf.type === 'attribute' && (PII_FIELDS as readonly string[]).includes(leaf.field)) used.add(leaf.field as ProfileField);
  });
  return [...used];
}

/** A condition on personal data: where it sits (`definition.and[1].where[0]`) and on what field. */
export type PersonalCondition = { path: string; field: string };

/**
 * Every condition that reads personal data, at any depth: the e-mail and phone fields, custom
 * attributes and event properties whose key path names personal data by the detector that masks
 * it (`attributes.personal_email`, `customer.email`, `billing.phone`, `traits.…`; in conditions on
 * any event, identify calls included, `name` too). A count over them is an oracle for a role
 * that may not read them.
 */
export function personalDataConditions(def: SegmentDefinition, path = 'definition'): PersonalCondition[] {
  if ('and' in def) return def.and.flatMap((d, i) => personalDataConditions(d, `${path}.and[${i}]`));
  if ('or' in def) return def.or.flatMap((d, i) => personalDataConditions(d, `${path}.or[${i}]`));
  if ('not' in def) return personalDataConditions(def.not, `${path}.not`);
  if (def.type === 'attribute') {
    const personal = (PII_FIELDS as readonly string[]).includes(def.field) || (def.field.startsWith(ATTRIBUTE_PREFIX) && isPersonalPath(def.field.slice(ATTRIBUTE_PREFIX.length)));
    return personal ? [{ path, field: def.field }] : [];
  }
  if (def.type === 'event') {
    return (def.where ?? []).flatMap((w, i) => (isPersonalPath(w.field, { traits: def.name === undefined }) ? [{ path: `${path}.where[${i}]`, field: w.field }] : []));
  }
  return [];
}
