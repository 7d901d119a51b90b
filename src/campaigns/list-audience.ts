// "Send a campaign" from a list (at risk, dormant, abandoned carts, a basket rule): the list as a
// live segment whose definition picks exactly the customers the list shows, reused when the
// workspace already has a segment with that definition, so the wizard can take it as the audience.
import { sql } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { LIMITS, type MetricField, type OrdersLeaf, type SegmentDefinition } from '../segments/definition.ts';
import { enqueueRecompute } from '../segments/jobs.ts';
import { createSegment, dynamicSegmentRows } from '../segments/segments.ts';
import type { Actor } from '../workspaces/audit.ts';

const Item = Type.String({ minLength: 1, maxLength: 300 });

/** Which list, with the filters it is shown with. */
export const ListRefSchema = Type.Union([
  Type.Object({ kind: Type.Literal('at-risk') }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('dormant'), days: Type.Integer({ minimum: 1, maximum: 3650, description: 'no event and no order for this many days, as the dormant list’s `days`' }) },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('abandoned-carts') }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('basket-rule'),
      level: Type.Union([Type.Literal('product'), Type.Literal('category')]),
      antecedent: Type.Array(Item, { minItems: 1, maxItems: 10, description: 'the rule’s items on the left (ids as the basket rules give them)' }),
      consequent: Item,
    },
    { additionalProperties: false, description: 'customers who bought every item on the left and never the one on the right' },
  ),
]);
export type ListRef = Static<typeof ListRefSchema>;

export const ListSegmentBody = Type.Object(
  { list: ListRefSchema, name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'the name of the segment, if one is created' }) },
  { additionalProperties: false },
);
export const ListSegmentAnswer = Type.Object({
  segmentId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  created: Type.Boolean({ description: 'false: an existing segment with the same definition is reused' }),
  computed: Type.Boolean({ description: 'its members have been computed at least once (a new one is computed in the background)' }),
});
export type ListSegmentAnswer = Static<typeof ListSegmentAnswer>;

const metric = (field: MetricField, op: 'eq' | 'not_exists' | 'within_last_days', value?: boolean | number): SegmentDefinition =>
  value === undefined ? { type: 'metric', field, op } : { type: 'metric', field, op, value };

/**
 * A time at least `days` days ago (and not in the future, where an event may be dated up to a
 * day ahead): within the longest window the language has but not within the last `days`.
 */
const longerAgo = (field: MetricField, days: number): SegmentDefinition => ({ and: [metric(field, 'within_last_days', LIMITS.days), { not: metric(field, 'within_last_days', days) }] });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A basket item as an orders condition: a product id, `sku:<sku>` for a line without a product, or a category path. */
function boughtItem(level: 'product' | 'category', item: string, path: string): OrdersLeaf {
  if (level === 'category') return { type: 'orders', category: item };
  if (UUID.test(item)) return { type: 'orders', product_id: item.toLowerCase() };
  if (item.startsWith('sku:') && item.length > 4) return { type: 'orders', sku: item.slice(4) };
  throw new AppError('invalid_input', `${path}: must be a product id or sku:<sku>, as the product basket rules give them`);
}

/**
 * The definition matching a list, as src/analytics/reports.ts and src/commerce/carts.ts select it:
 * - at risk: flagged by the last score run;
 * - dormant: greatest(last seen, last order) more than `days` ago — every known time that long
 *   ago, and at least one known;
 * - abandoned carts: abandoned lines neither ordered nor removed (visitors have no profile to reach);
 * - a basket rule: bought (a counted order) every item on the left, never the one on the right.
 * Pure.
 */
export function listDefinition(list: ListRef): SegmentDefinition {
  switch (list.kind) {
    case 'at-risk':
      return metric('churn_risk', 'eq', true);
    case 'dormant': {
      const times = ['last_seen_at', 'last_order_at'] as const;
      return {
        and: [{ or: times.map((f) => longerAgo(f, list.days)) }, ...times.map((f): SegmentDefinition => ({ or: [metric(f, 'not_exists'), longerAgo(f, list.days)] }))],
      };
    }
    case 'abandoned-carts':
      return metric('abandoned_cart', 'eq', true);
    case 'basket-rule': {
      const left = list.antecedent.map((item, i) => boughtItem(list.level, item, `list.antecedent[${i}]`));
      return { and: [...left, { not: boughtItem(list.level, list.consequent, 'list.consequent') }] };
    }
  }
}

/** JSON with the keys of every object in order, so two definitions compare whatever order jsonb keeps. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * The workspace's live segment for a list: one with the same definition if there is one (whatever
 * its name), else a new one, computed in the background. Call it in a transaction: a lock per
 * workspace keeps two clicks from making two segments.
 */
export async function ensureListSegment(db: Queryable, opts: { workspaceId: string; actor: Actor; list: ListRef; name: string }): Promise<ListSegmentAnswer> {
  const definition = listDefinition(opts.list);
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`list-segments:${opts.workspaceId}`}))`);
  const wanted = canonicalJson(definition);
  const same = (await dynamicSegmentRows(db, { workspaceId: opts.workspaceId })).find((s) => canonicalJson(s.definition) === wanted);
  if (same) return { segmentId: same.id, name: same.name, created: false, computed: same.lastComputedAt !== null };
  const segment = await createSegment(db, { workspaceId: opts.workspaceId, actor: opts.actor, input: { name: opts.name, kind: 'dynamic', definition } });
  await enqueueRecompute(db, { workspaceId: opts.workspaceId, segmentId: segment.id });
  return { segmentId: segment.id, name: segment.name, created: true, computed: false };
}
