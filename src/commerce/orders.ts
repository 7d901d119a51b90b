// Orders with their items: created from `Order Completed` events, the API and CSV imports (one
// set-based path for all three), read by the lists and the customer's profile, cancelled.
// An order is stored once per shop order id (`external_id`).
import { and, asc, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordOrderMetrics } from '../events/metrics.ts';
import { cursorTime, decodeCursor, encodeCursor } from './cursor.ts';
import { orderItems, orders, refunds } from './schema.ts';

export const ORDER_STATUSES = ['completed', 'partially_refunded', 'refunded', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const ORDER_SOURCES = ['event', 'api', 'import'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

export type ItemDraft = {
  productId?: string | null;
  sku: string | null;
  name: string | null;
  brand?: string | null;
  category?: string | null;
  /** Minor units of the order's currency. */
  unitPrice: number;
  quantity: number;
};

export type OrderDraft = {
  externalId: string | null;
  customerId: string | null;
  anonymousId: string | null;
  currency: string;
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
  coupon: string | null;
  source: OrderSource;
  eventId: string | null;
  placedAt: Date;
  items: ItemDraft[];
};

export type OrderItem = {
  line: number;
  productId: string | null;
  sku: string | null;
  name: string | null;
  brand: string | null;
  category: string | null;
  unitPrice: number;
  quantity: number;
  amount: number;
};

export type Refund = {
  id: string;
  orderId: string;
  externalId: string | null;
  amount: number;
  reason: string | null;
  items: { line: number; quantity: number }[];
  refundedAt: string;
  createdAt: string;
};

export type Order = {
  id: string;
  externalId: string | null;
  customerId: string | null;
  anonymousId: string | null;
  status: OrderStatus;
  currency: string;
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
  refundedTotal: number;
  coupon: string | null;
  source: OrderSource;
  eventId: string | null;
  placedAt: string;
  createdAt: string;
  updatedAt: string;
  items: OrderItem[];
};

export type OrderRow = typeof orders.$inferSelect;

function toItem(r: typeof orderItems.$inferSelect): OrderItem {
  return { line: r.line, productId: r.productId, sku: r.sku, name: r.name, brand: r.brand, category: r.category, unitPrice: r.unitPrice, quantity: r.quantity, amount: r.amount };
}

export function toRefund(r: typeof refunds.$inferSelect): Refund {
  return { id: r.id, orderId: r.orderId, externalId: r.externalId, amount: r.amount, reason: r.reason, items: r.items, refundedAt: r.refundedAt.toISOString(), createdAt: r.createdAt.toISOString() };
}

export function toOrder(r: OrderRow, items: OrderItem[]): Order {
  return {
    id: r.id,
    externalId: r.externalId,
    customerId: r.customerId,
    anonymousId: r.anonymousId,
    status: r.status as OrderStatus,
    currency: r.currency,
    subtotal: r.subtotal,
    discount: r.discount,
    shipping: r.shipping,
    tax: r.tax,
    total: r.total,
    refundedTotal: r.refundedTotal,
    coupon: r.coupon,
    source: r.source as OrderSource,
    eventId: r.eventId,
    placedAt: r.placedAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    items,
  };
}

/** What the behaviour metrics count of an order: spend in the workspace currency only (no exchange rates here). */
export const spendOf = (amount: number, currency: string, workspaceCurrency: string) => (currency === workspaceCurrency ? amount : 0);

export type PlacedOrder = { index: number; id: string; created: boolean };

/**
 * Stores new orders with their items in a few statements, whatever their number. An order whose
 * external id is already stored (or repeated earlier in the list) is not stored again: its
 * result names the existing order with `created: false`. New orders of known customers move
 * their behaviour metrics. Items are linked to catalogue products by SKU when not by id.
 */
export async function placeOrders(db: Queryable, opts: { workspaceId: string; workspaceCurrency: string; orders: OrderDraft[] }): Promise<PlacedOrder[]> {
  const { workspaceId } = opts;
  if (opts.orders.length === 0) return [];
  const firstOf = new Map<string, number>();
  const fresh: { index: number; id: string; draft: OrderDraft }[] = [];
  const repeats: { index: number; of: number }[] = [];
  opts.orders.forEach((draft, index) => {
    if (draft.externalId !== null) {
      const first = firstOf.get(draft.externalId);
      if (first !== undefined) return repeats.push({ index, of: first });
      firstOf.set(draft.externalId, index);
    }
    fresh.push({ index, id: uuidv7(), draft });
  });
  // External-id order: concurrent calls that share orders wait on each other instead of deadlocking.
  fresh.sort((a, b) => ((a.draft.externalId ?? '') < (b.draft.externalId ?? '') ? -1 : (a.draft.externalId ?? '') > (b.draft.externalId ?? '') ? 1 : 0));
  const rows = fresh.map(({ id, draft: d }) => ({
    id,
    external_id: d.externalId,
    customer_id: d.customerId,
    anonymous_id: d.customerId ? null : d.anonymousId,
    currency: d.currency,
    subtotal: d.subtotal,
    discount: d.discount,
    shipping: d.shipping,
    tax: d.tax,
    total: d.total,
    coupon: d.coupon,
    source: d.source,
    event_id: d.eventId,
    placed_at: d.placedAt.toISOString(),
  }));
  const items = fresh.flatMap((f) =>
    f.draft.items.map((i, line) => ({
      order_id: f.id,
      line: line + 1,
      product_id: i.productId ?? null,
      sku: i.sku,
      name: i.name,
      brand: i.brand ?? null,
      category: i.category ?? null,
      unit_price: i.unitPrice,
      quantity: i.quantity,
      amount: i.unitPrice * i.quantity,
    })),
  );
  // Orders and the items of those stored, in one statement. Items that name no product by id
  // are linked to the catalogue's product of their SKU.
  const { rows: inserted } = await db.execute<{ id: string }>(sql`
    with o as (
      insert into orders (workspace_id, id, external_id, customer_id, anonymous_id, currency, subtotal, discount, shipping, tax, total, coupon, source, event_id, placed_at)
      select ${workspaceId}::uuid, r.id, r.external_id, r.customer_id, r.anonymous_id, r.currency, r.subtotal, r.discount, r.shipping, r.tax, r.total, r.coupon, r.source, r.event_id, r.placed_at
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, external_id text, customer_id uuid, anonymous_id text, currency text,
        subtotal bigint, discount bigint, shipping bigint, tax bigint, total bigint, coupon text, source text, event_id uuid, placed_at timestamptz)
      order by r.external_id
      on conflict (workspace_id, external_id) do nothing
      returning id
    ), i as (
      insert into order_items (workspace_id, order_id, line, product_id, sku, name, brand, category, unit_price, quantity, amount)
      select ${workspaceId}::uuid, r.order_id, r.line, coalesce(r.product_id, p.id), r.sku, r.name, r.brand, r.category, r.unit_price, r.quantity, r.amount
      from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as r(order_id uuid, line int, product_id uuid, sku text, name text, brand text, category text,
        unit_price bigint, quantity int, amount bigint)
      join o on o.id = r.order_id
      left join products p on r.product_id is null and p.workspace_id = ${workspaceId}::uuid and p.sku = r.sku
    )
    select id from o`);
  const created = new Set(inserted.map((r) => r.id));

  const results: PlacedOrder[] = [];
  const existingIds = fresh.filter((f) => !created.has(f.id) && f.draft.externalId !== null).map((f) => f.draft.externalId!);
  const existing = new Map<string, string>();
  if (existingIds.length) {
    const found = await db
      .select({ id: orders.id, externalId: orders.externalId })
      .from(orders)
      .where(and(eq(orders.workspaceId, workspaceId), inArray(orders.externalId, existingIds)));
    for (const f of found) existing.set(f.externalId!, f.id);
  }
  const idOfIndex = new Map<number, string>();
  for (const f of fresh) {
    const id = created.has(f.id) ? f.id : existing.get(f.draft.externalId ?? '');
    if (!id) throw new Error(`order ${f.draft.externalId} was neither stored nor found`);
    idOfIndex.set(f.index, id);
    results.push({ index: f.index, id, created: created.has(f.id) });
  }
  for (const r of repeats) results.push({ index: r.index, id: idOfIndex.get(r.of)!, created: false });
  results.sort((a, b) => a.index - b.index);

  const stored = fresh.filter((f) => created.has(f.id));
  const known = stored.filter((f) => f.draft.customerId);
  if (known.length) {
    await recordOrderMetrics(db, {
      workspaceId,
      orders: known.map((f) => ({ customerId: f.draft.customerId!, total: spendOf(f.draft.total, f.draft.currency, opts.workspaceCurrency), placedAt: f.draft.placedAt })),
    });
  }
  return results;
}

/** Items of the given orders, by order id, in line order. */
export async function itemsOfOrders(db: Queryable, opts: { workspaceId: string; orderIds: string[] }): Promise<Map<string, OrderItem[]>> {
  const out = new Map<string, OrderItem[]>(opts.orderIds.map((id) => [id, []]));
  if (opts.orderIds.length === 0) return out;
  const rows = await db
    .select()
    .from(orderItems)
    .where(and(eq(orderItems.workspaceId, opts.workspaceId), inArray(orderItems.orderId, opts.orderIds)))
    .orderBy(asc(orderItems.orderId), asc(orderItems.line));
  for (const r of rows) out.get(r.orderId)?.push(toItem(r));
  return out;
}

export async function getOrderRow(db: Queryable, opts: { workspaceId: string; id: string; forUpdate?: boolean }): Promise<OrderRow | undefined> {
  const q = db
    .select()
    .from(orders)
    .where(and(eq(orders.workspaceId, opts.workspaceId), eq(orders.id, opts.id)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  return row;
}

export async function listRefunds(db: Queryable, opts: { workspaceId: string; orderId: string }): Promise<Refund[]> {
  const rows = await db
    .select()
    .from(refunds)
    .where(and(eq(refunds.workspaceId, opts.workspaceId), eq(refunds.orderId, opts.orderId)))
    .orderBy(asc(refunds.refundedAt), asc(refunds.id));
  return rows.map(toRefund);
}

/** One order with its items and refunds. */
export async function getOrder(db: Queryable, opts: { workspaceId: string; id: string }): Promise<Order & { refunds: Refund[] }> {
  const row = await getOrderRow(db, opts);
  if (!row) throw new AppError('not_found', `order ${opts.id} not found`);
  const items = await itemsOfOrders(db, { workspaceId: opts.workspaceId, orderIds: [row.id] });
  return { ...toOrder(row, items.get(row.id) ?? []), refunds: await listRefunds(db, { workspaceId: opts.workspaceId, orderId: row.id }) };
}

export async function findOrderByExternalId(db: Queryable, opts: { workspaceId: string; externalId: string }): Promise<OrderRow | undefined> {
  const [row] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.workspaceId, opts.workspaceId), eq(orders.externalId, opts.externalId)));
  return row;
}

export type OrderQuery = { customerId?: string; status?: OrderStatus[]; from?: Date; to?: Date; limit: number; cursor?: string };

/** Newest first (placed at, then id), keyset paged. */
export async function listOrders(db: Queryable, opts: { workspaceId: string } & OrderQuery): Promise<{ items: Order[]; nextCursor: string | null }> {
  // Cursors compare at millisecond precision, as JavaScript dates carry it.
  const at = sql`date_trunc('milliseconds', ${orders.placedAt})`;
  const conditions: (SQL | undefined)[] = [eq(orders.workspaceId, opts.workspaceId)];
  if (opts.customerId) conditions.push(eq(orders.customerId, opts.customerId));
  if (opts.status?.length) conditions.push(inArray(orders.status, opts.status));
  if (opts.from) conditions.push(sql`${orders.placedAt} >= ${opts.from.toISOString()}::timestamptz`);
  if (opts.to) conditions.push(sql`${orders.placedAt} < ${opts.to.toISOString()}::timestamptz`);
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor);
    const t = cursorTime(c.value).toISOString();
    conditions.push(or(sql`${at} < ${t}::timestamptz`, and(sql`${at} = ${t}::timestamptz`, lt(orders.id, c.id))));
  }
  const rows = await db
    .select()
    .from(orders)
    .where(and(...conditions))
    .orderBy(desc(at), desc(orders.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const items = await itemsOfOrders(db, { workspaceId: opts.workspaceId, orderIds: page.map((r) => r.id) });
  const last = page.at(-1);
  return {
    items: page.map((r) => toOrder(r, items.get(r.id) ?? [])),
    nextCursor: rows.length > opts.limit && last ? encodeCursor(last.placedAt.toISOString(), last.id) : null,
  };
}

/**
 * Cancels orders (by id or by external id) that are not cancelled yet; returns the ones it
 * cancelled. The behaviour metrics keep counting a cancelled order as placed: the money comes
 * off the customer's spend when it is refunded (`Order Refunded`, POST …/refunds).
 */
export async function cancelOrders(db: Queryable, opts: { workspaceId: string; ids?: string[]; externalIds?: string[] }): Promise<OrderRow[]> {
  const by: SQL[] = [];
  if (opts.ids?.length) by.push(inArray(orders.id, opts.ids));
  if (opts.externalIds?.length) by.push(inArray(orders.externalId, opts.externalIds));
  if (by.length === 0) return [];
  return db
    .update(orders)
    .set({ status: 'cancelled', updatedAt: new Date() })
    .where(and(eq(orders.workspaceId, opts.workspaceId), or(...by), sql`${orders.status} <> 'cancelled'`))
    .returning();
}
