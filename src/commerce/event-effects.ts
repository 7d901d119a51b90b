// What new e-commerce events change in the commerce area, inside the ingesting transaction:
// the catalogue learns the products they mention, `Product Added` / `Product Removed` move cart
// lines, `Order Completed` stores the order (once per order id) and closes the cart lines it
// bought, `Order Refunded` and `Order Cancelled` change the order. Set-based: a handful of
// statements per batch whatever its size, and none at all for a batch without commerce events.
import { getWorkspace } from '../workspaces/workspaces.ts';
import type { Queryable } from '../db/connection.ts';
import { ECOMMERCE_EVENTS, type StoredEvent } from '../events/types.ts';
import { applyCartChanges, type CartChange } from './carts.ts';
import { cancelOrders, placeOrders, type OrderDraft } from './orders.ts';
import { learnProducts } from './products.ts';
import { applyRefunds, type RefundDraft } from './refunds.ts';
import { and, eq, inArray } from 'drizzle-orm';
import { orders } from './schema.ts';
import { cartLineOfEvent, orderIdOfEvent, orderOfEvent, productsOfEvent, refundOfEvent, type ProductFacts } from './segment.ts';

const E = ECOMMERCE_EVENTS;
/** Events whose properties describe products (own product fields or `products[]`). */
const PRODUCT_EVENTS = new Set<string>([
  E.productViewed,
  E.productClicked,
  E.productListViewed,
  E.productAdded,
  E.productRemoved,
  E.productAddedToWishlist,
  E.productRemovedFromWishlist,
  E.cartViewed,
  E.checkoutStarted,
  E.checkoutStepCompleted,
  E.orderCompleted,
]);
const COMMERCE_EVENTS = new Set<string>([...PRODUCT_EVENTS, E.orderRefunded, E.orderCancelled]);

// The workspace currency, read once per workspace every few seconds rather than once per batch:
// it changes rarely, and a batch arriving within seconds of a change reads amounts as before.
const CURRENCY_TTL_MS = 5000;
const currencies = new Map<string, { currency: string; until: number }>();
async function workspaceCurrency(db: Queryable, workspaceId: string): Promise<string | undefined> {
  const cached = currencies.get(workspaceId);
  if (cached && cached.until > Date.now()) return cached.currency;
  const workspace = await getWorkspace(db, workspaceId);
  if (!workspace) return undefined;
  if (currencies.size > 10_000) currencies.clear();
  currencies.set(workspaceId, { currency: workspace.currency, until: Date.now() + CURRENCY_TTL_MS });
  return workspace.currency;
}

export async function recordCommerceEvents(db: Queryable, opts: { workspaceId: string; events: StoredEvent[] }): Promise<void> {
  const { workspaceId } = opts;
  const events = opts.events.filter((e) => e.type === 'track' && e.name !== null && COMMERCE_EVENTS.has(e.name));
  if (events.length === 0) return;
  const currency = await workspaceCurrency(db, workspaceId);
  if (!currency) return;

  // 1. The catalogue, so that cart lines and order items below find their products.
  const facts: ProductFacts[] = [];
  for (const e of events) if (PRODUCT_EVENTS.has(e.name!)) facts.push(...productsOfEvent(e.properties, currency));
  await learnProducts(db, { workspaceId, facts });

  // 2. Orders, once per order id.
  const completed = events.filter((e) => e.name === E.orderCompleted);
  const drafts: OrderDraft[] = completed.map((e) => {
    const o = orderOfEvent(e.properties, currency);
    return {
      externalId: o.externalId,
      customerId: e.customerId,
      anonymousId: e.anonymousId,
      currency: o.currency,
      subtotal: o.subtotal,
      discount: o.discount,
      shipping: o.shipping,
      tax: o.tax,
      total: o.total,
      coupon: o.coupon,
      source: 'event',
      eventId: e.id,
      placedAt: e.timestamp,
      items: o.items.map((i) => ({ sku: i.sku, name: i.name, brand: i.brand, category: i.category, unitPrice: i.price ?? 0, quantity: i.quantity })),
    };
  });
  const placed = await placeOrders(db, { workspaceId, workspaceCurrency: currency, orders: drafts });

  // 3. Cart lines, in event order.
  const changes: CartChange[] = [];
  for (const e of events) {
    const owner = { customerId: e.customerId, anonymousId: e.anonymousId };
    if (e.name === E.productAdded || e.name === E.productRemoved) {
      const line = cartLineOfEvent(e.properties, currency);
      if (!line) continue;
      if (e.name === E.productAdded) changes.push({ kind: 'add', owner, line, at: e.timestamp });
      else changes.push({ kind: 'remove', owner, sku: line.sku, quantity: line.quantityGiven ? line.quantity : null, at: e.timestamp });
    }
  }
  completed.forEach((e, i) => {
    // An order sent twice (by the browser and by the server) closed its lines the first time.
    if (!placed[i]!.created) return;
    const skus = drafts[i]!.items.map((item) => item.sku).filter((s): s is string => s !== null);
    changes.push({ kind: 'order', owner: { customerId: e.customerId, anonymousId: e.anonymousId }, orderId: placed[i]!.id, skus: skus.length ? skus : null, at: e.timestamp });
  });
  await applyCartChanges(db, { workspaceId, changes });

  // 4. Refunds and cancellations of stored orders (orders of this batch included).
  const refunded = events.filter((e) => e.name === E.orderRefunded);
  const cancelled = events.filter((e) => e.name === E.orderCancelled);
  if (refunded.length) {
    const externalIds = [...new Set(refunded.map((e) => orderIdOfEvent(e.properties)).filter((x): x is string => x !== null))];
    const found = externalIds.length
      ? await db
          .select({ id: orders.id, externalId: orders.externalId, currency: orders.currency })
          .from(orders)
          .where(and(eq(orders.workspaceId, workspaceId), inArray(orders.externalId, externalIds)))
      : [];
    const byExternal = new Map(found.map((o) => [o.externalId!, o]));
    const refunds: RefundDraft[] = [];
    for (const e of refunded) {
      const order = byExternal.get(orderIdOfEvent(e.properties) ?? '');
      if (!order) continue; // an order Rapport never saw: nothing to refund
      const r = refundOfEvent(e.properties, order.currency)!;
      refunds.push({
        orderId: order.id,
        amount: r.amount,
        items: r.amount === null && r.items.length ? r.items.map((i) => ({ sku: i.sku, quantity: i.quantity })) : undefined,
        reason: r.reason,
        externalId: r.externalId,
        refundedAt: e.timestamp,
        capAmount: true,
      });
    }
    await applyRefunds(db, { workspaceId, workspaceCurrency: currency, refunds });
  }
  if (cancelled.length) {
    const externalIds = cancelled.map((e) => orderIdOfEvent(e.properties)).filter((x): x is string => x !== null);
    await cancelOrders(db, { workspaceId, externalIds });
  }
}
