// Tables of the commerce area: the product catalogue, orders with their items and refunds, and
// cart lines derived from cart events (the source of abandoned-cart detection).
import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from '../workspaces/schema.ts';
import { inSample } from '../db/sample.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true });
const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id);

export const products = pgTable(
  'products',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    brand: text('brand'),
    /** Category path, levels joined by " > " (e.g. "Women > Shoes > Sneakers"). */
    category: text('category'),
    /** Minor units of `currency`. */
    price: bigint('price', { mode: 'number' }),
    currency: text('currency').notNull(),
    imageUrl: text('image_url'),
    url: text('url'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    deletedAt: tz('deleted_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('products_sku_key').on(t.workspaceId, t.sku),
    index('products_category_idx').on(t.workspaceId, t.category),
  ],
);

export const orders = pgTable(
  'orders',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    /** The shop's order id (Segment `order_id`); an order is stored once per id. */
    externalId: text('external_id'),
    customerId: uuid('customer_id'),
    /** Kept for orders placed before the visitor was known; stitching moves them to the customer. */
    anonymousId: text('anonymous_id'),
    /** completed | partially_refunded | refunded | cancelled */
    status: text('status').notNull().default('completed'),
    currency: text('currency').notNull(),
    /** Minor units of `currency`. */
    subtotal: bigint('subtotal', { mode: 'number' }).notNull().default(0),
    discount: bigint('discount', { mode: 'number' }).notNull().default(0),
    shipping: bigint('shipping', { mode: 'number' }).notNull().default(0),
    tax: bigint('tax', { mode: 'number' }).notNull().default(0),
    total: bigint('total', { mode: 'number' }).notNull(),
    refundedTotal: bigint('refunded_total', { mode: 'number' }).notNull().default(0),
    coupon: text('coupon'),
    /** event | api | import */
    source: text('source').notNull(),
    eventId: uuid('event_id'),
    placedAt: tz('placed_at').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('orders_external_id_key').on(t.workspaceId, t.externalId),
    index('orders_customer_idx').on(t.workspaceId, t.customerId, t.placedAt),
    index('orders_placed_idx').on(t.workspaceId, t.placedAt),
    index('orders_anonymous_idx').on(t.workspaceId, t.anonymousId).where(sql`${t.customerId} is null`),
    // The customer sample's orders (src/db/sample.ts), for a segment preview's estimate.
    index('orders_sample_idx').on(t.workspaceId, t.placedAt).where(inSample(sql`${t.customerId}`)),
  ],
);

export const orderItems = pgTable(
  'order_items',
  {
    workspaceId: workspaceId(),
    orderId: uuid('order_id').notNull(),
    line: integer('line').notNull(),
    productId: uuid('product_id'),
    sku: text('sku'),
    name: text('name'),
    brand: text('brand'),
    category: text('category'),
    /** Minor units of the order's currency. */
    unitPrice: bigint('unit_price', { mode: 'number' }).notNull(),
    quantity: integer('quantity').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.orderId, t.line] }),
    index('order_items_product_idx').on(t.workspaceId, t.productId),
    index('order_items_sku_idx').on(t.workspaceId, t.sku),
  ],
);

export const refunds = pgTable(
  'refunds',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    orderId: uuid('order_id').notNull(),
    externalId: text('external_id'),
    /** Minor units of the order's currency. */
    amount: bigint('amount', { mode: 'number' }).notNull(),
    reason: text('reason'),
    /** The refunded lines, when the refund is partial by item: [{ line, quantity }]. */
    items: jsonb('items').$type<{ line: number; quantity: number }[]>().notNull().default([]),
    refundedAt: tz('refunded_at').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('refunds_external_id_key').on(t.workspaceId, t.externalId),
    index('refunds_order_idx').on(t.workspaceId, t.orderId),
  ],
);

/**
 * What a visitor has in the cart, from `Product Added` / `Product Removed` / `Order Completed`.
 * A line is abandoned when it was neither removed nor ordered within the workspace's window.
 */
export const cartItems = pgTable(
  'cart_items',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    customerId: uuid('customer_id'),
    anonymousId: text('anonymous_id'),
    cartId: text('cart_id'),
    productId: uuid('product_id'),
    sku: text('sku').notNull(),
    name: text('name'),
    category: text('category'),
    /** Minor units of `currency`. */
    price: bigint('price', { mode: 'number' }),
    currency: text('currency').notNull(),
    quantity: integer('quantity').notNull(),
    addedAt: tz('added_at').notNull(),
    updatedAt: tz('updated_at').notNull(),
    removedAt: tz('removed_at'),
    orderedAt: tz('ordered_at'),
    orderId: uuid('order_id'),
    /** Set by the detection job when the line passes the window; cleared if it is ordered later. */
    abandonedAt: tz('abandoned_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('cart_items_open_idx').on(t.workspaceId, t.updatedAt).where(sql`${t.removedAt} is null and ${t.orderedAt} is null`),
    index('cart_items_customer_idx').on(t.workspaceId, t.customerId),
    index('cart_items_anonymous_idx').on(t.workspaceId, t.anonymousId).where(sql`${t.customerId} is null`),
  ],
);

/** Per-workspace commerce settings. */
export const commerceSettings = pgTable('commerce_settings', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id),
  /** A cart line untouched for this long, and not ordered, is abandoned. */
  abandonedCartMinutes: integer('abandoned_cart_minutes').notNull().default(60),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

/**
 * A CSV import of products or orders, with counters written in the transaction of each batch
 * they count (so after a crash they say what was committed). running → done | failed.
 */
export const commerceImports = pgTable(
  'commerce_imports',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    kind: text('kind').notNull(), // products | orders
    status: text('status').notNull(),
    fileName: text('file_name'),
    encoding: text('encoding').notNull(),
    rowsTotal: integer('rows_total').notNull().default(0),
    rowsCreated: integer('rows_created').notNull().default(0),
    rowsUpdated: integer('rows_updated').notNull().default(0),
    rowsFailed: integer('rows_failed').notNull().default(0),
    failure: text('failure'),
    createdBy: text('created_by'),
    startedAt: tz('started_at').notNull().defaultNow(),
    finishedAt: tz('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('commerce_imports_running_idx').on(t.status).where(sql`${t.status} = 'running'`)],
);
