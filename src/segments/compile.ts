// Segment definition → one SQL query of the matching customers. Pure: the clock, the workspace and
// the membership of other segments come in through the context. Every user value is a bound
// parameter; column names come only from the allow-lists in definition.ts.
import { sql, type SQL } from 'drizzle-orm';
import { EMAIL_IN_TEXT_SQL, PHONE_LIKE_SQL } from '../customers/personal-data.ts';
import { hashBucketSql, inSample } from '../db/sample.ts';
import {
  ATTRIBUTE_PREFIX,
  BEHAVIOUR_COUNTERS,
  METRIC_FIELDS,
  PROFILE_FIELDS,
  fieldKind,
  parseTime,
  walk,
  type AmountCondition,
  type AttributeOp,
  type AttributeValue,
  type Between,
  type CountCondition,
  type EventLeaf,
  type FieldKind,
  type MetricField,
  type OrdersLeaf,
  type SegmentDefinition,
  type SegmentLeafNode,
  type TimeCondition,
  type Within,
} from './definition.ts';

export type CompileContext = {
  workspaceId: string;
  now: Date;
  /** SQL for "customer ids currently in segment <id>" (B supplies it from its membership table). */
  segmentMembers: (segmentId: string) => SQL;
  /** Restrict to these customers (live re-evaluation of a few customers after an event). */
  customerIds?: string[];
  /**
   * Restrict to the customer sample of 1 in this many (src/db/sample.ts), for an estimate: the
   * customers and every customer-keyed aggregate, so each reads the sample's partial index.
   */
  sample?: number;
  /**
   * Aggregate leaves (event, orders) to evaluate per customer, correlated on `c.id`, in a query
   * over all customers: only for the customers the other top-level conditions let through
   * (planSegment in plan.ts chooses them; by identity, the leaf objects of the definition).
   */
  correlate?: ReadonlySet<SegmentLeafNode>;
  /**
   * For a role without pii.read (the preview): texts of custom attributes and event properties
   * that hold an e-mail address or are a phone number count as absent, whatever their key, so a
   * count cannot spell them out (the key-named ones are refused before: personalDataConditions).
   */
  hidePersonalValues?: boolean;
};

// ---------------------------------------------------------------------------------------------
// Time arithmetic shared with the in-memory evaluator, so both read the clock the same way (UTC).

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The calendar day (UTC) of a time, `YYYY-MM-DD`. */
export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);
export const daysAgo = (now: Date, days: number): Date => new Date(now.getTime() - days * DAY);

/** A time window as bounds: `within` → (now − span, now]; `between` → [from, to). */
export type Window = { after?: Date; atOrAfter?: Date; atOrBefore?: Date; before?: Date };
export function windowOf(within: Within | undefined, between: Between | undefined, now: Date): Window | undefined {
  if (within) {
    const minutes = 'minutes' in within ? within.minutes : 'hours' in within ? within.hours * 60 : within.days * 1440;
    return { after: new Date(now.getTime() - minutes * MINUTE), atOrBefore: now };
  }
  if (between) return { atOrAfter: parseTime(between.from)!, before: parseTime(between.to)! };
  return undefined;
}
export function inWindow(t: Date, w: Window | undefined): boolean {
  if (!w) return true;
  const ms = t.getTime();
  return (
    (w.after === undefined || ms > w.after.getTime()) &&
    (w.atOrAfter === undefined || ms >= w.atOrAfter.getTime()) &&
    (w.atOrBefore === undefined || ms <= w.atOrBefore.getTime()) &&
    (w.before === undefined || ms < w.before.getTime())
  );
}

/** The instant a first/last condition compares with. */
export const timeConditionAt = (t: TimeCondition, now: Date): Date => ('date' in t ? parseTime(t.date)! : daysAgo(now, t.days_ago));

/**
 * Month-days (`MM-DD`) from today (UTC) through N days ahead. Someone born on 29 February has
 * the anniversary on 28 February in a common year.
 */
export function anniversaryDays(now: Date, days: number): string[] {
  const out = new Set<string>();
  for (let k = 0; k <= Math.min(days, 366); k++) {
    const d = new Date(now.getTime() + k * DAY);
    const md = d.toISOString().slice(5, 10);
    out.add(md);
    const y = d.getUTCFullYear();
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    if (md === '02-28' && !leap) out.add('02-29');
  }
  return [...out].sort();
}

/** Lower-cases ASCII letters only, the same on every database locale and in JavaScript. */
export const foldAscii = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const fold = (x: SQL) => sql`translate(${x}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;

/** Zero-count / no-order customers match when the aggregate conditions hold for nothing. */
export function countHolds(c: CountCondition | AmountCondition, n: number | null): boolean {
  if (n === null) return false;
  switch (c.op) {
    case 'gte':
      return n >= c.value;
    case 'gt':
      return n > c.value;
    case 'lte':
      return n <= c.value;
    case 'lt':
      return n < c.value;
    case 'eq':
      return n === c.value;
  }
}

/** The conditions of an orders leaf; none given means "at least one order". */
export function ordersConditions(leaf: OrdersLeaf): { count?: CountCondition; total?: AmountCondition; average?: AmountCondition } {
  if (!leaf.count && !leaf.total && !leaf.average) return { count: { op: 'gte', value: 1 } };
  return { count: leaf.count, total: leaf.total, average: leaf.average };
}
/** The count condition of an event leaf: `performed: false` is "none"; default "at least one". */
export function eventCount(leaf: EventLeaf): CountCondition {
  if (leaf.performed === false) return { op: 'eq', value: 0 };
  return leaf.count ?? { op: 'gte', value: 1 };
}

export const PREFERENCE_SOURCE_ROWS = { stated: ['survey'], inferred: ['inferred'], any: ['survey', 'inferred'] } as const;
/** Order statuses that count as a purchase; spend is net of refunds. */
export const COUNTED_ORDER_STATUSES = ['completed', 'partially_refunded'] as const;
export const DATE_PREFIX = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/;

// ---------------------------------------------------------------------------------------------
// Comparisons

const OPERATORS = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
const op = (o: keyof typeof OPERATORS) => sql.raw(OPERATORS[o]);
const list = (values: SQL[]) => sql.join(values, sql`, `);
const textList = (values: readonly string[]) => sql`(${list(values.map((v) => sql`${v}::text`))})`;
const C = sql.raw('collate "C"');

/** An SQL value of a field of `kind` for the user's value. */
function typed(kind: FieldKind, v: unknown): SQL {
  if (kind === 'time') return sql`${parseTime(v)!.toISOString()}::timestamptz`;
  if (kind === 'date') return sql`${utcDay(parseTime(v)!)}::date`;
  if (kind === 'number') return sql`${v as number}::numeric`;
  if (kind === 'boolean') return sql`${v as boolean}::boolean`;
  return sql`${v as string}::text`;
}

/** A typed column (text, number, boolean, date or time) compared with a value. */
function columnComparison(kind: Exclude<FieldKind, 'custom'>, x: SQL, o: AttributeOp, value: AttributeValue | undefined, now: Date): SQL {
  const tx = kind === 'text' ? sql`${x} ${C}` : x;
  switch (o) {
    case 'eq':
      return sql`${x} = ${typed(kind, value)}`;
    case 'neq':
      return sql`${x} is distinct from ${typed(kind, value)}`;
    case 'in':
      return sql`${x} in (${list((value as unknown[]).map((v) => typed(kind, v)))})`;
    case 'contains':
      return sql`strpos(${fold(x)}, ${foldAscii(value as string)}::text) > 0`;
    case 'starts_with':
      return sql`strpos(${fold(x)}, ${foldAscii(value as string)}::text) = 1`;
    case 'exists':
      return sql`${x} is not null`;
    case 'not_exists':
      return sql`${x} is null`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return sql`${tx} ${op(o)} ${typed(kind, value)}`;
    case 'between': {
      const [a, b] = value as unknown[];
      return sql`(${tx} >= ${typed(kind, a)} and ${tx} <= ${typed(kind, b)})`;
    }
    case 'before':
      return sql`${x} < ${typed(kind, value)}`;
    case 'after':
      return sql`${x} > ${typed(kind, value)}`;
    case 'within_last_days':
      if (kind === 'date') return sql`(${x} >= ${utcDay(daysAgo(now, value as number))}::date and ${x} <= ${utcDay(now)}::date)`;
      return sql`(${x} > ${daysAgo(now, value as number).toISOString()}::timestamptz and ${x} <= ${now.toISOString()}::timestamptz)`;
    case 'anniversary_within_days': {
      const md = kind === 'date' ? sql`to_char(${x}, 'MM-DD')` : sql`to_char(${x} at time zone 'UTC', 'MM-DD')`;
      return sql`${md} in ${textList(anniversaryDays(now, value as number))}`;
    }
  }
}

/**
 * A JSON value (custom attribute, event property) compared with a value, typed by what is
 * stored: numbers compare numerically, texts by code point, lists by membership, dates by day.
 */
function jsonComparison(j: SQL, t: SQL, o: AttributeOp, value: AttributeValue | undefined, now: Date): SQL {
  const jsonEq = (v: unknown) => sql`${j} @> ${JSON.stringify(v)}::jsonb`;
  const ordered = (cmp: SQL, v: unknown) =>
    typeof v === 'number'
      ? sql`case when jsonb_typeof(${j}) = 'number' then (${t})::numeric ${cmp} ${v}::numeric end`
      : sql`case when jsonb_typeof(${j}) = 'string' then ${t} ${C} ${cmp} ${v as string}::text end`;
  const day = (cmp: SQL) => sql`case when jsonb_typeof(${j}) = 'string' and ${t} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' then ${cmp} end`;
  const left10 = sql`left(${t}, 10) ${C}`;
  switch (o) {
    case 'eq':
      return jsonEq(value);
    case 'neq':
      return sql`not coalesce(${jsonEq(value)}, false)`;
    case 'in':
      return sql`(${sql.join((value as unknown[]).map(jsonEq), sql` or `)})`;
    case 'contains':
      return sql`case jsonb_typeof(${j}) when 'string' then strpos(${fold(t)}, ${foldAscii(value as string)}::text) > 0 when 'array' then ${jsonEq(value)} else false end`;
    case 'starts_with':
      return sql`case when jsonb_typeof(${j}) = 'string' then strpos(${fold(t)}, ${foldAscii(value as string)}::text) = 1 end`;
    case 'exists':
      return sql`coalesce(jsonb_typeof(${j}), 'null') <> 'null'`;
    case 'not_exists':
      return sql`coalesce(jsonb_typeof(${j}), 'null') = 'null'`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return ordered(op(o), value);
    case 'between': {
      const [a, b] = value as unknown[];
      return sql`(${ordered(sql.raw('>='), a)} and ${ordered(sql.raw('<='), b)})`;
    }
    case 'before':
      return day(sql`${left10} < ${utcDay(parseTime(value)!)}::text`);
    case 'after':
      return day(sql`${left10} > ${utcDay(parseTime(value)!)}::text`);
    case 'within_last_days':
      return day(sql`(${left10} >= ${utcDay(daysAgo(now, value as number))}::text and ${left10} <= ${utcDay(now)}::text)`);
    case 'anniversary_within_days':
      return day(sql`substr(${t}, 6, 5) in ${textList(anniversaryDays(now, value as number))}`);
  }
}

/** A JSON value and its text, as null when `hide` and the text is personal data (the detector's patterns). */
function visibleJson(j: SQL, t: SQL, hide: boolean | undefined): [SQL, SQL] {
  if (!hide) return [j, t];
  const personal = sql`(jsonb_typeof(${j}) = 'string' and (${t} ~* ${EMAIL_IN_TEXT_SQL}::text or ${t} ~ ${PHONE_LIKE_SQL}::text))`;
  return [sql`(case when ${personal} then null else ${j} end)`, sql`(case when ${personal} then null else ${t} end)`];
}

/** A path into event properties: `a.b` is `properties -> 'a' -> 'b'`. */
export const propertyPath = (field: string): string[] => field.split('.');

// ---------------------------------------------------------------------------------------------
// Leaves

/** Metrics that count (no value means 0). */
const METRIC_COUNTERS = new Set<MetricField>([...BEHAVIOUR_COUNTERS, 'order_count', 'total_spend']);

function metricExpr(field: MetricField): SQL {
  if (field === 'abandoned_cart')
    return sql`(coalesce(m.abandoned_cart_items, 0) > 0 or exists (select 1 from cart_items ci where ci.workspace_id = c.workspace_id and ci.customer_id = c.id and ci.abandoned_at is not null and ci.removed_at is null and ci.ordered_at is null))`;
  if (field === 'churn_risk') return sql`coalesce(m.churn_risk, false)`;
  // `field` is a key of METRIC_FIELDS (checked by the caller), so it is a column name.
  const col = sql.raw(`m.${field}`);
  return METRIC_COUNTERS.has(field) ? sql`coalesce(${col}, 0)` : col;
}

function windowSql(col: SQL, w: Window | undefined): SQL[] {
  if (!w) return [];
  const out: SQL[] = [];
  if (w.after) out.push(sql`${col} > ${w.after.toISOString()}::timestamptz`);
  if (w.atOrAfter) out.push(sql`${col} >= ${w.atOrAfter.toISOString()}::timestamptz`);
  if (w.atOrBefore) out.push(sql`${col} <= ${w.atOrBefore.toISOString()}::timestamptz`);
  if (w.before) out.push(sql`${col} < ${w.before.toISOString()}::timestamptz`);
  return out;
}

/**
 * Customers whose aggregate over their rows satisfies `having`.
 *
 * Over all customers (recompute, preview): those with a group that does (when nobody-with-no-rows
 * can match), or all but those with a group that does not (when a customer with no rows matches
 * too, e.g. "at most 2 orders"). `not exists` rather than `not in`, so the planner can use an
 * anti-join.
 *
 * Restricted to a few customers (a live re-evaluation): one aggregate per customer, correlated on
 * `c.id`, so each reads only that customer's rows by the customer index, and only after the
 * cheaper conditions let the customer through. Without `group by` the aggregate has a row even for
 * a customer with no rows (count 0, min/max/avg null), so `having` decides zero-row customers
 * exactly as the grouped form does. Grouped and filtered by a list of thousands of ids instead,
 * the planner read a behaviour condition's whole window by the name index (1M customers / 20M
 * events: 3.7M index entries per condition for every live batch).
 *
 * `correlated` (ctx.correlate): the same per-customer form over all customers, for a leaf whose
 * window is wide where another condition lets few customers through.
 */
function aggregate(parts: AggregateParts, ctx: CompileContext, correlated: boolean): SQL {
  const { from, having, zeroMatches } = parts;
  let where = parts.where;
  if (ctx.customerIds?.length || correlated) return sql`exists (select 1 from ${from} where ${sql.join([...where, sql`x.customer_id = c.id`], sql` and `)} having ${having})`;
  // Restricting the rows to the sample's customers changes no sampled customer's aggregate.
  if (ctx.sample !== undefined) where = [...where, inSample(sql`x.customer_id`, ctx.sample)];
  const base = sql`select x.customer_id from ${from} where ${sql.join(where, sql` and `)} group by x.customer_id`;
  return zeroMatches ? sql`not exists (select 1 from (${base} having not (${having})) g where g.customer_id = c.id)` : sql`c.id in (${base} having ${having})`;
}

/** An aggregate leaf as SQL parts: its rows (`from` as `x`, `where`), `having`, and whether a customer with no rows matches. */
export type AggregateParts = { from: SQL; where: SQL[]; having: SQL; zeroMatches: boolean };

/** The rows an aggregate leaf reads, as a query (for the planner's estimate of their number). */
export const aggregateRowsSql = (parts: AggregateParts): SQL => sql`select 1 from ${parts.from} where ${sql.join(parts.where, sql` and `)}`;

const and = (parts: SQL[]) => (parts.length ? sql.join(parts, sql` and `) : sql`true`);

export function eventParts(leaf: EventLeaf, ctx: CompileContext): AggregateParts {
  const where: SQL[] = [sql`x.workspace_id = ${ctx.workspaceId}::uuid`, sql`x.customer_id is not null`];
  if (leaf.name !== undefined) where.push(sql`x.name = ${leaf.name}::text`);
  where.push(...windowSql(sql`x.timestamp`, windowOf(leaf.within, leaf.between, ctx.now)));
  for (const f of leaf.where ?? []) {
    const path = sql`array[${list(propertyPath(f.field).map((p) => sql`${p}::text`))}]`;
    const [j, t] = visibleJson(sql`(x.properties #> ${path})`, sql`(x.properties #>> ${path})`, ctx.hidePersonalValues);
    where.push(sql`coalesce(${jsonComparison(j, t, f.op, f.value, ctx.now)}, false)`);
  }
  const count = eventCount(leaf);
  const having: SQL[] = [sql`count(*) ${op(count.op)} ${count.value}::int`];
  for (const [agg, t] of [
    ['min', leaf.first],
    ['max', leaf.last],
  ] as const) {
    if (t) having.push(sql`${sql.raw(agg)}(x.timestamp) ${sql.raw(t.op === 'before' ? '<' : '>')} ${timeConditionAt(t, ctx.now).toISOString()}::timestamptz`);
  }
  const zeroMatches = !leaf.first && !leaf.last && countHolds(count, 0);
  return { from: sql`events x`, where, having: and(having), zeroMatches };
}

export function ordersParts(leaf: OrdersLeaf, ctx: CompileContext): AggregateParts {
  const where: SQL[] = [
    sql`x.workspace_id = ${ctx.workspaceId}::uuid`,
    sql`x.customer_id is not null`,
    sql`x.status in ${textList(COUNTED_ORDER_STATUSES)}`,
    ...windowSql(sql`x.placed_at`, windowOf(leaf.within, leaf.between, ctx.now)),
  ];
  const item: SQL[] = [];
  if (leaf.sku !== undefined) item.push(sql`oi.sku = ${leaf.sku}::text`);
  if (leaf.product_id !== undefined) item.push(sql`oi.product_id = ${leaf.product_id}::uuid`);
  if (leaf.category !== undefined)
    item.push(sql`(oi.category = ${leaf.category}::text or left(oi.category, char_length(${`${leaf.category} > `}::text)) = ${`${leaf.category} > `}::text)`);
  if (item.length) where.push(sql`exists (select 1 from order_items oi where oi.workspace_id = x.workspace_id and oi.order_id = x.id and ${and(item)})`);
  const conds = ordersConditions(leaf);
  const net = sql`(x.total - x.refunded_total)`;
  const having: SQL[] = [];
  if (conds.count) having.push(sql`count(*) ${op(conds.count.op)} ${conds.count.value}::int`);
  if (conds.total) having.push(sql`coalesce(sum(${net}), 0) ${op(conds.total.op)} ${conds.total.value}::numeric`);
  if (conds.average) having.push(sql`avg(${net}) ${op(conds.average.op)} ${conds.average.value}::numeric`);
  const zeroMatches = (!conds.count || countHolds(conds.count, 0)) && (!conds.total || countHolds(conds.total, 0)) && !conds.average;
  return { from: sql`orders x`, where, having: and(having), zeroMatches };
}

function leafSql(leaf: SegmentLeafNode, ctx: CompileContext): SQL {
  switch (leaf.type) {
    case 'attribute': {
      const kind = fieldKind(leaf.field);
      if (kind === 'custom') {
        const key = leaf.field.slice(ATTRIBUTE_PREFIX.length);
        const [j, t] = visibleJson(sql`(c.attributes -> ${key}::text)`, sql`(c.attributes ->> ${key}::text)`, ctx.hidePersonalValues);
        return jsonComparison(j, t, leaf.op, leaf.value, ctx.now);
      }
      if (!kind || !Object.hasOwn(PROFILE_FIELDS, leaf.field)) throw new Error(`segment compile: unknown field ${leaf.field}`);
      // An allow-listed field: its name is its column.
      return columnComparison(kind, sql.raw(`c.${leaf.field}`), leaf.op, leaf.value, ctx.now);
    }
    case 'metric': {
      if (!Object.hasOwn(METRIC_FIELDS, leaf.field)) throw new Error(`segment compile: unknown metric ${leaf.field}`);
      return columnComparison(METRIC_FIELDS[leaf.field], metricExpr(leaf.field), leaf.op, leaf.value, ctx.now);
    }
    case 'tag':
      return sql`c.tags @> array[${leaf.tag}::text]`;
    case 'consent':
      return sql`exists (select 1 from customer_consents cc where cc.workspace_id = c.workspace_id and cc.customer_id = c.id and cc.channel = ${leaf.channel}::text and cc.purpose = ${leaf.purpose ?? 'marketing'}::text and cc.status = 'granted')`;
    case 'preference': {
      const min = leaf.min === undefined ? sql`` : sql` and cp.weight >= ${leaf.min}::real`;
      return sql`exists (select 1 from customer_preferences cp where cp.workspace_id = c.workspace_id and cp.customer_id = c.id and cp.category = ${leaf.category}::text and cp.source in ${textList(PREFERENCE_SOURCE_ROWS[leaf.source ?? 'any'])}${min})`;
    }
    case 'event':
      return aggregate(eventParts(leaf, ctx), ctx, ctx.correlate?.has(leaf) ?? false);
    case 'orders':
      return aggregate(ordersParts(leaf, ctx), ctx, ctx.correlate?.has(leaf) ?? false);
    case 'segment':
      return sql`c.id in (${ctx.segmentMembers(leaf.id)})`;
    case 'random':
      return sql`${hashBucketSql(sql`${randomKeyPrefix(ctx.workspaceId, leaf.seed)}::text`, sql`c.id`, sql`${leaf.buckets}::int`)} between ${leaf.from}::int and ${leaf.to}::int`;
  }
}

/** What the random bucket hashes before the customer id (md5 of prefix + id, first 32 bits). */
export const randomKeyPrefix = (workspaceId: string, seed: string | undefined): string => `${workspaceId}:${seed ?? ''}:`;

/** Leaf types that are never null: `c.id in (…non-null ids…)`, `[not] exists (…)`, or `@>` on the not-null tags. */
const NEVER_NULL: ReadonlySet<SegmentLeafNode['type']> = new Set(['event', 'orders', 'segment', 'consent', 'preference', 'tag']);

function conditionSql(def: SegmentDefinition, ctx: CompileContext): SQL {
  if ('and' in def) return sql`(${sql.join(def.and.map((d) => conditionSql(d, ctx)), sql` and `)})`;
  if ('or' in def) return sql`(${sql.join(def.or.map((d) => conditionSql(d, ctx)), sql` or `)})`;
  if ('not' in def) return sql`(not ${conditionSql(def.not, ctx)})`;
  // Every leaf is true or false, never null, so `not` means "all the others". Leaves that are
  // never null already (NEVER_NULL) stay bare: the planner turns
  // a bare `c.id in (…)` among the top-level conditions into a (hash) semi-join, but one wrapped
  // in coalesce into a subplan, which it searches row by row once the list outgrows work_mem
  // (at 1M customers / 20M events a preview ran for an hour instead of seconds).
  return NEVER_NULL.has(def.type) ? sql`(${leafSql(def, ctx)})` : sql`coalesce((${leafSql(def, ctx)}), false)`;
}

/** The conditions that must all hold: the members of top-level `and`s, flattened. */
export function conjuncts(def: SegmentDefinition): SegmentDefinition[] {
  return 'and' in def ? def.and.flatMap(conjuncts) : [def];
}

/** Query of the `customer_id`s of live (not deleted, not merged) customers that match. */
export function compileSegment(def: SegmentDefinition, ctx: CompileContext): SQL {
  let metrics = false;
  walk(def, (leaf) => {
    if (leaf.type === 'metric') metrics = true;
  });
  const join = metrics ? sql` left join customer_metrics m on m.workspace_id = c.workspace_id and m.customer_id = c.id` : sql``;
  const only = ctx.customerIds
    ? ctx.customerIds.length
      ? sql` and c.id = any(${sql.param(ctx.customerIds)}::uuid[])`
      : sql` and false`
    : ctx.sample !== undefined
      ? sql` and ${inSample(sql`c.id`, ctx.sample)}`
      : sql``;
  const from = sql`from customers c${join} where c.workspace_id = ${ctx.workspaceId}::uuid and c.deleted_at is null and c.merged_into_id is null${only}`;
  const correlate = ctx.customerIds ? undefined : ctx.correlate;
  if (correlate?.size) {
    // The conditions with a per-customer leaf are computed in the select list, so only for the
    // rows the others let through: in the where clause the planner would apply them while
    // scanning customers, before any join, to every customer. `offset 0` keeps the outer
    // `where` from being pushed back down into that where clause.
    const all = conjuncts(def);
    const late = all.filter((d) => {
      let found = false;
      walk(d, (leaf) => {
        if (correlate.has(leaf)) found = true;
      });
      return found;
    });
    if (late.length > 0) {
      const early = all.filter((d) => !late.includes(d));
      const cond = (ds: SegmentDefinition[]) => (ds.length ? sql.join(ds.map((d) => conditionSql(d, ctx)), sql` and `) : sql`true`);
      return sql`select s.customer_id from (select c.id as customer_id, ${cond(late)} as keep ${from} and ${cond(early)} offset 0) s where s.keep`;
    }
  }
  return sql`select c.id as customer_id ${from} and ${conditionSql(def, ctx)}`;
}

export function compileSegmentCount(def: SegmentDefinition, ctx: CompileContext): SQL {
  return sql`select count(*)::int as n from (${compileSegment(def, ctx)}) s`;
}
