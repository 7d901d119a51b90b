// Test data for the segment compiler: generated customers with events, orders, consents,
// preferences, metrics and cart lines (seeded, reproducible), written to a workspace and kept
// as plain objects for the in-memory evaluator.
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { cartItems, commerceSettings, orderItems, orders } from '../commerce/schema.ts';
import { customerConsents, customerPreferences, customers } from '../customers/schema.ts';
import type { Queryable } from '../db/connection.ts';
import { customerMetrics, events } from '../events/schema.ts';
import type { EvalCartItem, EvalConsent, EvalCustomer, EvalData, EvalEvent, EvalMetrics, EvalOrder, EvalPreference } from './evaluate.ts';

/** mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uuidFrom(r: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A fixed "now" for the generated data (events up to 90 days before it). */
export const FIXTURE_NOW = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;

export const POOLS = {
  names: ['Kim Minji', 'Lee Jun', "O'Hara", 'park seo', 'Ann', '김민지', 'Zed', null],
  emails: ['a@x.com', 'b@example.com', 'kim@shop.kr', null],
  genders: ['F', 'M', 'X', null],
  locales: ['ko', 'en', null],
  stages: ['lead', 'subscriber', 'customer', 'loyal', 'churned', null],
  sources: ['import', 'web', "x'; drop table customers; --", null],
  tags: ['vip', 'new', 'b2b', "o'hara"],
  plans: ['gold', 'silver', 'Bronze', "it's"],
  interests: ['shoes', 'bags', 'Women > Shoes', 'kids'],
  eventNames: ['Product Viewed', 'Order Completed', 'Signed Up', 'Page Viewed'],
  categories: ['Women > Shoes', 'Women > Shoes > Sneakers', 'Women > Bags', 'Men > Shoes', 'Kids', 'Women'],
  skus: ['SKU-1', 'SKU-2', 'SKU-3', "SKU-'4"],
  productIds: ['00000000-0000-4000-a000-000000000001', '00000000-0000-4000-a000-000000000002'],
  statuses: ['completed', 'completed', 'completed', 'partially_refunded', 'refunded', 'cancelled'],
  rfmSegments: ['Champions', 'Loyal', 'At Risk', 'Lost'],
  grades: ['VIP', 'Gold', 'Silver'],
  channels: ['email', 'sms', 'kakao', 'push'],
  purposes: ['marketing', 'transactional'],
  consentStatuses: ['granted', 'denied', 'unknown'],
  prefCategories: ['Women > Shoes', 'Men', 'Kids'],
} as const;

export function generateData(opts: { workspaceId: string; seed: number; customers: number; now?: Date }): EvalData {
  const r = rng(opts.seed);
  const now = opts.now ?? FIXTURE_NOW;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const chance = (p: number) => r() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const ago = (maxDays: number) => new Date(now.getTime() - Math.floor(r() * maxDays * DAY));
  const birthday = () => {
    if (chance(0.2)) return null;
    if (chance(0.1)) return `${pick(['1988', '1992', '2000'])}-02-29`;
    // Some near today, to exercise anniversaries across the window's edge.
    const d = chance(0.5) ? new Date(now.getTime() + int(-5, 12) * DAY) : new Date(Date.UTC(1960 + int(0, 45), 0, 1) + int(0, 364) * DAY);
    return `${String(int(1960, 2005))}-${d.toISOString().slice(5, 10)}`.replace(/-02-29$/, '-02-28');
  };
  const data: EvalData = { workspaceId: opts.workspaceId, customers: [], events: [], orders: [], consents: [], preferences: [], metrics: [], cartItems: [], segments: {} };
  for (let i = 0; i < opts.customers; i++) {
    const id = uuidFrom(r);
    const attributes: Record<string, unknown> = {};
    if (chance(0.7)) attributes.plan = pick(POOLS.plans);
    if (chance(0.6)) attributes.score = pick([0, 1, 2.5, 7, 10, 42, -3]);
    if (chance(0.5)) attributes.interests = POOLS.interests.filter(() => chance(0.4));
    if (chance(0.5)) attributes.joined = chance(0.8) ? ago(400).toISOString().slice(0, 10) : 'not a date';
    if (chance(0.3)) attributes.flag = chance(0.5);
    if (chance(0.1)) attributes.nothing = null;
    const c: EvalCustomer = {
      id,
      email: pick(POOLS.emails),
      phone: chance(0.5) ? `+8210${int(10000000, 99999999)}` : null,
      name: pick(POOLS.names),
      gender: pick(POOLS.genders),
      locale: pick(POOLS.locales),
      time_zone: chance(0.5) ? 'Asia/Seoul' : null,
      lifecycle_stage: pick(POOLS.stages),
      source: pick(POOLS.sources),
      external_id: chance(0.3) ? `ext-${i}` : null,
      birthday: birthday(),
      signed_up_at: chance(0.7) ? ago(400) : null,
      created_at: ago(500),
      updated_at: ago(30),
      tags: POOLS.tags.filter(() => chance(0.25)),
      attributes,
      deleted: chance(0.03),
      merged: false,
    };
    if (c.deleted && chance(0.5)) c.merged = true;
    data.customers.push(c);
    for (let k = int(0, chance(0.3) ? 0 : 12); k > 0; k--) {
      const properties: Record<string, unknown> = {};
      if (chance(0.7)) properties.category = pick(['shoes', 'bags', 'Shoes', 'kids']);
      if (chance(0.6)) properties.price = pick([5, 10, 12.5, 100, 0]);
      if (chance(0.3)) properties.price_text = pick(['5', '10', 'abc']);
      if (chance(0.3)) properties.product = { sku: pick(POOLS.skus), tags: ['a', 'b'].filter(() => chance(0.5)) };
      if (chance(0.2)) properties.when = ago(30).toISOString().slice(0, 10);
      data.events.push({ customer_id: id, name: chance(0.9) ? pick(POOLS.eventNames) : null, timestamp: ago(chance(0.5) ? 10 : 90), properties });
    }
    for (let k = int(0, chance(0.4) ? 0 : 5); k > 0; k--) {
      const total = pick([1000, 2500, 5000, 12000, 30000]);
      const status = pick(POOLS.statuses);
      const items = Array.from({ length: int(1, 3) }, () => ({
        sku: chance(0.9) ? pick(POOLS.skus) : null,
        product_id: chance(0.6) ? pick(POOLS.productIds) : null,
        category: chance(0.9) ? pick(POOLS.categories) : null,
      }));
      data.orders.push({ id: uuidFrom(r), customer_id: id, status, total, refunded_total: status === 'partially_refunded' ? 500 : status === 'refunded' ? total : 0, placed_at: ago(chance(0.5) ? 30 : 365), items });
    }
    for (const channel of POOLS.channels)
      for (const purpose of POOLS.purposes) if (chance(0.3)) data.consents.push({ customer_id: id, channel, purpose, status: pick(POOLS.consentStatuses) });
    for (const category of POOLS.prefCategories)
      for (const source of ['survey', 'inferred'] as const) if (chance(0.25)) data.preferences.push({ customer_id: id, source, category, weight: pick([0.125, 0.25, 0.5, 0.7, 0.875, 1]) });
    if (chance(0.8)) {
      data.metrics.push({
        customer_id: id,
        rfm_r: chance(0.8) ? int(1, 5) : null,
        rfm_f: chance(0.8) ? int(1, 5) : null,
        rfm_m: chance(0.8) ? int(1, 5) : null,
        rfm_segment: chance(0.8) ? pick(POOLS.rfmSegments) : null,
        grade: chance(0.7) ? pick(POOLS.grades) : null,
        clv: chance(0.7) ? int(0, 100) * 1000 : null,
        p_alive: chance(0.7) ? pick([0.1, 0.25, 0.5, 0.75, 0.9, 1]) : null,
        expected_purchases: chance(0.7) ? pick([0, 0.5, 1.25, 3]) : null,
        churn_risk: chance(0.2),
        last_seen_at: chance(0.8) ? ago(60) : null,
        last_order_at: chance(0.6) ? ago(200) : null,
        most_active_hour: chance(0.7) ? int(0, 23) : null,
        abandoned_cart_items: chance(0.15) ? int(1, 3) : 0,
        order_count: int(0, 6),
        total_spend: int(0, 20) * 1000,
      });
    }
    if (chance(0.15)) {
      const abandoned = chance(0.6);
      data.cartItems.push({ customer_id: id, abandoned_at: abandoned ? ago(5) : null, removed_at: abandoned && chance(0.2) ? ago(2) : null, ordered_at: null });
    }
  }
  return data;
}

const chunks = <T>(rows: T[], size = 200): T[][] => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));

/** Writes generated data into its workspace. */
export async function insertData(db: Queryable, data: EvalData): Promise<void> {
  const ws = data.workspaceId;
  for (const part of chunks(data.customers))
    await db.insert(customers).values(
      part.map((c) => ({
        workspaceId: ws,
        id: c.id,
        email: c.email,
        phone: c.phone,
        name: c.name,
        gender: c.gender,
        locale: c.locale,
        timeZone: c.time_zone,
        lifecycleStage: c.lifecycle_stage,
        source: c.source,
        externalId: c.external_id,
        birthday: c.birthday,
        signedUpAt: c.signed_up_at,
        createdAt: c.created_at,
        updatedAt: c.updated_at,
        tags: c.tags,
        attributes: c.attributes,
        deletedAt: c.deleted ? c.updated_at : null,
        mergedIntoId: c.merged ? data.customers[0]!.id : null,
      })),
    );
  let n = 0;
  for (const part of chunks(data.events))
    await db.insert(events).values(
      part.map((e: EvalEvent) => {
        n++;
        return { workspaceId: ws, id: randomUUID(), messageId: `m-${n}`, customerId: e.customer_id, type: e.name ? 'track' : 'identify', name: e.name, properties: e.properties, timestamp: e.timestamp };
      }),
    );
  for (const part of chunks(data.orders)) {
    await db.insert(orders).values(
      part.map((o: EvalOrder) => ({ workspaceId: ws, id: o.id, customerId: o.customer_id, status: o.status, currency: 'KRW', total: o.total, refundedTotal: o.refunded_total, source: 'api', placedAt: o.placed_at })),
    );
    const items = part.flatMap((o) => o.items.map((i, line) => ({ workspaceId: ws, orderId: o.id, line, sku: i.sku, productId: i.product_id, category: i.category, unitPrice: 100, quantity: 1, amount: 100 })));
    if (items.length) await db.insert(orderItems).values(items);
  }
  for (const part of chunks(data.consents))
    await db.insert(customerConsents).values(part.map((x: EvalConsent) => ({ workspaceId: ws, customerId: x.customer_id, channel: x.channel, purpose: x.purpose, status: x.status })));
  for (const part of chunks(data.preferences))
    await db.insert(customerPreferences).values(part.map((p: EvalPreference) => ({ workspaceId: ws, customerId: p.customer_id, source: p.source, category: p.category, weight: p.weight })));
  for (const part of chunks(data.metrics))
    await db.insert(customerMetrics).values(
      part.map((m: EvalMetrics) => ({
        workspaceId: ws,
        customerId: m.customer_id,
        rfmR: m.rfm_r as number | null,
        rfmF: m.rfm_f as number | null,
        rfmM: m.rfm_m as number | null,
        rfmSegment: m.rfm_segment as string | null,
        grade: m.grade as string | null,
        clv: m.clv as number | null,
        pAlive: m.p_alive as number | null,
        expectedPurchases: m.expected_purchases as number | null,
        churnRisk: (m.churn_risk as boolean | undefined) ?? false,
        lastSeenAt: (m.last_seen_at as Date | null | undefined) ?? null,
        lastOrderAt: (m.last_order_at as Date | null | undefined) ?? null,
        mostActiveHour: m.most_active_hour as number | null,
        abandonedCartItems: (m.abandoned_cart_items as number | undefined) ?? 0,
        orderCount: (m.order_count as number | undefined) ?? 0,
        totalSpend: (m.total_spend as number | undefined) ?? 0,
      })),
    );
  // The fixture's open cart lines date from FIXTURE_NOW. On a shared server database another
  // test's worker runs the every-minute abandoned-cart job across all workspaces at the real
  // time, which would mark them abandoned and change these customers' metrics mid-test (seen in
  // CI). A window of a century keeps the detector away from this workspace.
  await db.insert(commerceSettings).values({ workspaceId: ws, abandonedCartMinutes: 100 * 365 * 24 * 60 });
  for (const part of chunks(data.cartItems))
    await db.insert(cartItems).values(
      part.map((ci: EvalCartItem) => {
        return { workspaceId: ws, id: randomUUID(), customerId: ci.customer_id, sku: 'SKU-1', currency: 'KRW', quantity: 1, addedAt: FIXTURE_NOW, updatedAt: FIXTURE_NOW, abandonedAt: ci.abandoned_at, removedAt: ci.removed_at, orderedAt: ci.ordered_at };
      }),
    );
}

/** `segmentMembers` for tests: members of other segments from a plain map. */
export function membersFrom(segments: Record<string, string[]>): (id: string) => SQL {
  return (id) => {
    const ids = segments[id] ?? [];
    return sql`select m::uuid from unnest(array[${sql.join([sql`null`, ...ids.map((x) => sql`${x}`)], sql`, `)}]::text[]) m where m is not null`;
  };
}
