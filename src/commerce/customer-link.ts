// The commerce area's part in a customer's life: orders and cart lines move with merges and
// identity stitching, lose what identifies the person on erase (amounts stay for aggregates),
// are part of a data export, and orders and refunds show on the timeline.
import { and, desc, eq, inArray, isNull, lt, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { CustomerLink, TimelineEntry, TimelinePage } from '../customers/links.ts';
import type { Queryable } from '../db/connection.ts';
import { toCartLine } from './carts.ts';
import { formatMoney } from './money.ts';
import { itemsOfOrders, toOrder, toRefund } from './orders.ts';
import { cartItems, orders, refunds } from './schema.ts';

type Moved = { orders: string[]; cartItems: string[] };

const CHUNK = 10_000;

async function moveBack(db: Queryable, table: typeof orders | typeof cartItems, opts: { workspaceId: string; fromId: string; toId: string; ids: string[] }) {
  for (let i = 0; i < opts.ids.length; i += CHUNK) {
    await db
      .update(table)
      .set({ customerId: opts.fromId })
      .where(and(eq(table.workspaceId, opts.workspaceId), eq(table.customerId, opts.toId), inArray(table.id, opts.ids.slice(i, i + CHUNK))));
  }
}

// Timeline entries are ordered by (time to the millisecond, entry id), like every source.
const ms = (at: AnyColumn) => sql`date_trunc('milliseconds', ${at})`;
function olderThan(at: AnyColumn, id: AnyColumn, prefix: string, before: TimelinePage['before']): SQL | undefined {
  if (!before) return undefined;
  const entryId = sql`${prefix} || ${id}::text`;
  return or(lt(ms(at), before.at), and(eq(ms(at), before.at), lt(entryId, before.id)));
}

const orderLabel = (o: { externalId: string | null; id: string }) => `#${o.externalId ?? o.id.slice(-8)}`;

async function orderEntries(db: Queryable, page: TimelinePage): Promise<TimelineEntry[]> {
  const rows = await db
    .select()
    .from(orders)
    .where(and(eq(orders.workspaceId, page.workspaceId), eq(orders.customerId, page.customerId), olderThan(orders.placedAt, orders.id, 'order:', page.before)))
    .orderBy(desc(ms(orders.placedAt)), desc(sql`'order:' || ${orders.id}::text`))
    .limit(page.limit);
  const items = await itemsOfOrders(db, { workspaceId: page.workspaceId, orderIds: rows.map((r) => r.id) });
  return rows.map((r) => {
    const lines = items.get(r.id) ?? [];
    return {
      id: `order:${r.id}`,
      at: r.placedAt.toISOString(),
      kind: 'order',
      area: 'commerce',
      title: `Order ${orderLabel(r)} · ${formatMoney(r.total, r.currency)}`,
      data: {
        orderId: r.id,
        externalId: r.externalId,
        status: r.status,
        total: r.total,
        refundedTotal: r.refundedTotal,
        currency: r.currency,
        source: r.source,
        items: lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, amount: l.amount })),
      },
    };
  });
}

async function refundEntries(db: Queryable, page: TimelinePage): Promise<TimelineEntry[]> {
  const rows = await db
    .select({ refund: refunds, order: { id: orders.id, externalId: orders.externalId, currency: orders.currency } })
    .from(refunds)
    .innerJoin(orders, and(eq(orders.workspaceId, refunds.workspaceId), eq(orders.id, refunds.orderId)))
    .where(and(eq(refunds.workspaceId, page.workspaceId), eq(orders.customerId, page.customerId), olderThan(refunds.refundedAt, refunds.id, 'refund:', page.before)))
    .orderBy(desc(ms(refunds.refundedAt)), desc(sql`'refund:' || ${refunds.id}::text`))
    .limit(page.limit);
  return rows.map(({ refund, order }) => ({
    id: `refund:${refund.id}`,
    at: refund.refundedAt.toISOString(),
    kind: 'refund',
    area: 'commerce',
    title: `Refund · Order ${orderLabel(order)} · ${formatMoney(refund.amount, order.currency)}`,
    data: { refundId: refund.id, orderId: order.id, externalId: order.externalId, amount: refund.amount, currency: order.currency, reason: refund.reason, items: refund.items },
  }));
}

export const commerceCustomerLink: CustomerLink = {
  area: 'commerce',
  async reassign(db, { workspaceId, fromId, toId }): Promise<Moved> {
    const movedOrders = await db
      .update(orders)
      .set({ customerId: toId })
      .where(and(eq(orders.workspaceId, workspaceId), eq(orders.customerId, fromId)))
      .returning({ id: orders.id });
    const movedLines = await db
      .update(cartItems)
      .set({ customerId: toId })
      .where(and(eq(cartItems.workspaceId, workspaceId), eq(cartItems.customerId, fromId)))
      .returning({ id: cartItems.id });
    return { orders: movedOrders.map((r) => r.id), cartItems: movedLines.map((r) => r.id) };
  },
  async undoReassign(db, { workspaceId, fromId, toId, moved }) {
    const m = (moved ?? {}) as Partial<Moved>;
    await moveBack(db, orders, { workspaceId, fromId, toId, ids: Array.isArray(m.orders) ? m.orders : [] });
    await moveBack(db, cartItems, { workspaceId, fromId, toId, ids: Array.isArray(m.cartItems) ? m.cartItems : [] });
  },
  async claimAnonymous(db, { workspaceId, anonymousId, customerId }) {
    // The visitor id stays on the rows until an erase: it says where they came from.
    const o = await db
      .update(orders)
      .set({ customerId })
      .where(and(eq(orders.workspaceId, workspaceId), eq(orders.anonymousId, anonymousId), isNull(orders.customerId)))
      .returning({ id: orders.id });
    const c = await db
      .update(cartItems)
      .set({ customerId })
      .where(and(eq(cartItems.workspaceId, workspaceId), eq(cartItems.anonymousId, anonymousId), isNull(cartItems.customerId)))
      .returning({ id: cartItems.id });
    return o.length + c.length;
  },
  async erase(db, { workspaceId, customerId }) {
    // Amounts, dates, products and statuses stay (revenue, product statistics); the visitor id,
    // coupon codes (often personal), cart ids and free-text refund reasons go.
    await db
      .update(orders)
      .set({ anonymousId: null, coupon: null })
      .where(and(eq(orders.workspaceId, workspaceId), eq(orders.customerId, customerId)));
    await db.execute(sql`
      update refunds r set reason = null
      from orders o
      where o.workspace_id = ${workspaceId}::uuid and o.customer_id = ${customerId}::uuid
        and r.workspace_id = o.workspace_id and r.order_id = o.id`);
    await db
      .update(cartItems)
      .set({ anonymousId: null, cartId: null })
      .where(and(eq(cartItems.workspaceId, workspaceId), eq(cartItems.customerId, customerId)));
  },
  async exportData(db, { workspaceId, customerId }) {
    const orderRows = await db
      .select()
      .from(orders)
      .where(and(eq(orders.workspaceId, workspaceId), eq(orders.customerId, customerId)))
      .orderBy(desc(orders.placedAt));
    const ids = orderRows.map((o) => o.id);
    const items = await itemsOfOrders(db, { workspaceId, orderIds: ids });
    const refundRows = ids.length ? await db.select().from(refunds).where(and(eq(refunds.workspaceId, workspaceId), inArray(refunds.orderId, ids))) : [];
    const lines = await db
      .select()
      .from(cartItems)
      .where(and(eq(cartItems.workspaceId, workspaceId), eq(cartItems.customerId, customerId)))
      .orderBy(desc(cartItems.addedAt));
    return {
      orders: orderRows.map((o) => ({ ...toOrder(o, items.get(o.id) ?? []), refunds: refundRows.filter((r) => r.orderId === o.id).map(toRefund) })),
      cartItems: lines.map(toCartLine),
    };
  },
  async timeline(db, page) {
    return [...(await orderEntries(db, page)), ...(await refundEntries(db, page))];
  },
};
