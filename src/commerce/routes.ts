// HTTP routes of the commerce area (see docs/commerce.md): products with their statistics,
// orders and refunds, abandoned carts, settings. Thin: parse, call, format.
import { Type } from 'typebox';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { getCustomerRow, requireCustomerRow } from '../customers/customers.ts';
import { maskEmail } from '../customers/fields.ts';
import { notifyCustomersChanged } from '../customers/links.ts';
import { recordAudit } from '../workspaces/audit.ts';
import { can } from '../workspaces/roles.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import type { Queryable } from '../db/connection.ts';
import { detectAbandonedCarts } from './abandoned-carts.ts';
import { customerCartLines, getCommerceSettings, listAbandonedCarts, MAX_ABANDONED_CART_MINUTES, setCommerceSettings } from './carts.ts';
import {
  AbandonedCartPageSchema,
  AbandonedDetectionSchema,
  CartLineListSchema,
  CommerceSettingsSchema,
  OkSchema,
  OrderPageSchema,
  OrderWithRefundsSchema,
  ProductBulkResultSchema,
  ProductPageSchema,
  ProductSchema,
  ProductWithStatsSchema,
  RefundWithOrderSchema,
} from './contract.ts';
import { parseTime } from './cursor.ts';
import { createOrders, failedOrder } from './new-orders.ts';
import { cancelOrders, getOrder, listOrders, ORDER_STATUSES } from './orders.ts';
import { productStats, statsWindow } from './product-stats.ts';
import { checkProductInput, deleteProduct, listProducts, productIdsBySku, requireProduct, toProduct, updateProduct, upsertProducts } from './products.ts';
import { applyRefunds } from './refunds.ts';

const Uuid = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Uuid });
const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);
const Money = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units of the currency (₩89,000 → 89000; $12.99 → 1299)' });
const Currency = Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code' });
const Limit = (max: number) => Type.Optional(Type.Integer({ minimum: 1, maximum: max, default: 50 }));
const Cursor = Type.Optional(Type.String({ maxLength: 500 }));

const productFields = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  brand: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
  category: Type.Optional(nullable(Type.String({ maxLength: 1000, description: 'path, levels joined by " > "' }))),
  price: Type.Optional(nullable(Money)),
  currency: Type.Optional(Currency),
  imageUrl: Type.Optional(nullable(Type.String({ maxLength: 2000 }))),
  url: Type.Optional(nullable(Type.String({ maxLength: 2000 }))),
  attributes: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown())),
};
const ProductBody = Type.Object({ sku: Type.String({ minLength: 1, maxLength: 200 }), ...productFields }, { additionalProperties: false });
const ProductPatch = Type.Object({ sku: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), ...productFields }, { additionalProperties: false });

const OrderItemBody = Type.Object(
  {
    sku: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    productId: Type.Optional(Uuid),
    name: Type.Optional(Type.String({ maxLength: 500 })),
    brand: Type.Optional(Type.String({ maxLength: 200 })),
    category: Type.Optional(Type.String({ maxLength: 1000 })),
    unitPrice: Money,
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  },
  { additionalProperties: false },
);
const OrderBody = Type.Object(
  {
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the shop's order id: a second order with it returns the first" })),
    customerId: Type.Optional(Uuid),
    customer: Type.Optional(
      Type.Object(
        {
          email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
          phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
          externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          userId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        },
        { additionalProperties: false, description: 'find the customer by one of these (user id, external id, e-mail, phone: the first one found)' },
      ),
    ),
    anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    currency: Type.Optional(Currency),
    placedAt: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601; default now' })),
    items: Type.Array(OrderItemBody, { maxItems: 500 }),
    subtotal: Type.Optional(Money),
    discount: Type.Optional(Money),
    shipping: Type.Optional(Money),
    tax: Type.Optional(Money),
    total: Type.Optional(Money),
    coupon: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const RefundBody = Type.Object(
  {
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units; default: the lines given, else all that is left' })),
    items: Type.Optional(Type.Array(Type.Object({ line: Type.Integer({ minimum: 1 }), quantity: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), { maxItems: 500 })),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the shop's refund id: a second refund with it returns the first" })),
    refundedAt: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
const OrdersQuery = Type.Object(
  {
    customerId: Type.Optional(Uuid),
    status: Type.Optional(Type.Array(literals(ORDER_STATUSES), { maxItems: 4 })),
    from: Type.Optional(Type.String({ maxLength: 40 })),
    to: Type.Optional(Type.String({ maxLength: 40 })),
    limit: Limit(200),
    cursor: Cursor,
  },
  { additionalProperties: false },
);

async function workspaceCurrency(db: Queryable, workspaceId: string): Promise<string> {
  return (await getWorkspace(db, workspaceId))?.currency ?? 'KRW';
}

export async function registerCommerceRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  const tags = ['commerce'];

  /** Who a cart or order belongs to, as a list shows it (e-mail masked for roles without pii.read). */
  async function customerSummaries(workspaceId: string, ids: (string | null)[], pii: boolean) {
    const out = new Map<string, { id: string; name: string | null; email: string | null }>();
    for (const id of new Set(ids.filter((x): x is string => x !== null))) {
      const row = await getCustomerRow(db, { workspaceId, id, includeDeleted: true });
      if (row) out.set(id, { id, name: row.name, email: pii ? row.email : maskEmail(row.email) });
    }
    return out;
  }

  // --- products --------------------------------------------------------------------------
  app.get(
    '/api/products',
    {
      config: { auth: 'analytics.read' },
      schema: {
        tags,
        summary: 'The catalogue by name: search by name or SKU, filter by category (and what is under it), cursor paging',
        querystring: Type.Object(
          { q: Type.Optional(Type.String({ maxLength: 200 })), category: Type.Optional(Type.String({ maxLength: 1000 })), deleted: Type.Optional(Type.Boolean()), limit: Limit(200), cursor: Cursor },
          { additionalProperties: false },
        ),
        response: { 200: ProductPageSchema },
      },
    },
    async (request) => listProducts(db, { workspaceId: caller(request).workspaceId, ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.get(
    '/api/products/:id',
    {
      config: { auth: 'analytics.read' },
      schema: {
        tags,
        summary: 'A product with its statistics over a window (default the last 30 days): views, viewers, cart adds, orders, units, revenue, view→purchase rate',
        params: IdParams,
        querystring: Type.Object({ from: Type.Optional(Type.String({ maxLength: 40 })), to: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false }),
        response: { 200: ProductWithStatsSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const product = await requireProduct(db, { workspaceId: c.workspaceId, id: request.params.id });
      const window = statsWindow(parseTime(request.query.from, 'query.from'), parseTime(request.query.to, 'query.to'));
      const stats = await productStats(db, { workspaceId: c.workspaceId, productId: product.id, sku: product.sku, currency: product.currency, ...window });
      return { ...toProduct(product), stats };
    },
  );

  app.post(
    '/api/products',
    { config: { auth: 'commerce.write' }, schema: { tags, summary: 'Create or update a product by SKU (201 created, 200 updated; a deleted one is restored)', body: ProductBody, response: { 200: ProductSchema, 201: ProductSchema } } },
    async (request, reply) => {
      const c = caller(request);
      const { value, problems } = checkProductInput(request.body, 'body', { requireName: false });
      if (problems.length) throw new AppError('invalid_input', problems.join('; '));
      const result = await db.transaction(async (tx) => {
        const exists = (await productIdsBySku(tx, { workspaceId: c.workspaceId, skus: [value.sku] })).size > 0;
        if (!exists && value.name === undefined) throw new AppError('invalid_input', 'body.name: is required for a new product');
        const [r] = await upsertProducts(tx, { workspaceId: c.workspaceId, products: [value], defaultCurrency: await workspaceCurrency(tx, c.workspaceId) });
        await recordAudit(tx, { workspaceId: c.workspaceId, actor: c.actor, action: r!.created ? 'product.create' : 'product.update', entityType: 'product', entityId: r!.id, after: { ...value } });
        return r!;
      });
      const product = await requireProduct(db, { workspaceId: c.workspaceId, id: result.id });
      return reply.status(result.created ? 201 : 200).send(toProduct(product));
    },
  );

  app.post(
    '/api/products/bulk',
    {
      config: { auth: 'commerce.write' },
      schema: {
        tags,
        summary: 'Create or update up to 1000 products by SKU; each succeeds or fails on its own',
        body: Type.Object({ products: Type.Array(ProductBody, { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false }),
        response: { 200: ProductBulkResultSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const checked = request.body.products.map((p, i) => ({ i, ...checkProductInput(p, `products[${i}]`, { requireName: false }) }));
      const firstOfSku = new Map<string, number>();
      for (const x of checked) {
        const first = firstOfSku.get(x.value.sku);
        if (first !== undefined) x.problems.push(`products[${x.i}].sku: "${x.value.sku}" is given again (first at products[${first}])`);
        else firstOfSku.set(x.value.sku, x.i);
      }
      const valid = checked.filter((x) => x.problems.length === 0);
      const upserted = await db.transaction(async (tx) => {
        const existing = await productIdsBySku(tx, { workspaceId: c.workspaceId, skus: valid.map((x) => x.value.sku) });
        for (const x of valid) if (!existing.has(x.value.sku) && x.value.name === undefined) x.problems.push(`products[${x.i}].name: is required for a new product`);
        const ok = valid.filter((x) => x.problems.length === 0);
        const out = await upsertProducts(tx, { workspaceId: c.workspaceId, products: ok.map((x) => x.value), defaultCurrency: await workspaceCurrency(tx, c.workspaceId) });
        await recordAudit(tx, { workspaceId: c.workspaceId, actor: c.actor, action: 'product.bulk', entityType: 'product', entityId: null, after: { count: out.length } });
        return new Map(out.map((u) => [u.sku, u]));
      });
      const results = checked.map((x) => {
        const u = x.problems.length ? undefined : upserted.get(x.value.sku);
        return u ? { index: x.i, status: u.created ? 'created' : 'updated', id: u.id } : { index: x.i, status: 'failed', error: x.problems.join('; ') };
      });
      const count = (s: string) => results.filter((r) => r.status === s).length;
      return { results, created: count('created'), updated: count('updated'), failed: count('failed') };
    },
  );

  app.patch(
    '/api/products/:id',
    { config: { auth: 'commerce.write' }, schema: { tags, summary: 'Change a product (null clears a field)', params: IdParams, body: ProductPatch, response: { 200: ProductSchema } } },
    async (request) => {
      const c = caller(request);
      return db.transaction(async (tx) => {
        const product = await updateProduct(tx, { workspaceId: c.workspaceId, id: request.params.id, patch: request.body });
        await recordAudit(tx, { workspaceId: c.workspaceId, actor: c.actor, action: 'product.update', entityType: 'product', entityId: product.id, after: { ...request.body } });
        return product;
      });
    },
  );

  app.delete(
    '/api/products/:id',
    { config: { auth: 'commerce.write' }, schema: { tags, summary: 'Delete a product (soft: orders keep it; creating its SKU again restores it)', params: IdParams, response: { 200: OkSchema } } },
    async (request) => {
      const c = caller(request);
      await db.transaction(async (tx) => {
        await deleteProduct(tx, { workspaceId: c.workspaceId, id: request.params.id });
        await recordAudit(tx, { workspaceId: c.workspaceId, actor: c.actor, action: 'product.delete', entityType: 'product', entityId: request.params.id });
      });
      return { ok: true };
    },
  );

  // --- orders ----------------------------------------------------------------------------
  app.post(
    '/api/orders',
    {
      config: { auth: 'commerce.write' },
      schema: {
        tags,
        summary: 'Record an order (201); with an externalId already stored, 200 with that order and nothing changed',
        body: OrderBody,
        response: { 200: OrderWithRefundsSchema, 201: OrderWithRefundsSchema },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const [result] = await db.transaction(async (tx) =>
        createOrders(tx, { workspaceId: c.workspaceId, workspaceCurrency: await workspaceCurrency(tx, c.workspaceId), inputs: [request.body], source: 'api', pathOf: () => 'body' }),
      );
      const failed = failedOrder(result!);
      if (failed) throw failed;
      const id = (result as { id: string }).id;
      const order = await getOrder(db, { workspaceId: c.workspaceId, id });
      if (result!.status === 'created') {
        await recordAudit(db, { workspaceId: c.workspaceId, actor: c.actor, action: 'order.create', entityType: 'order', entityId: id, after: { externalId: order.externalId, total: order.total, currency: order.currency } });
      }
      return reply.status(result!.status === 'created' ? 201 : 200).send(order);
    },
  );

  app.get(
    '/api/orders',
    { config: { auth: 'customers.read' }, schema: { tags, summary: 'Orders, newest first: by customer, status, time placed (from ≤ placedAt < to); cursor paging', querystring: OrdersQuery, response: { 200: OrderPageSchema } } },
    async (request) => {
      const q = request.query;
      return listOrders(db, {
        workspaceId: caller(request).workspaceId,
        customerId: q.customerId,
        status: q.status,
        from: parseTime(q.from, 'query.from'),
        to: parseTime(q.to, 'query.to'),
        limit: q.limit ?? 50,
        cursor: q.cursor,
      });
    },
  );

  app.get('/api/orders/:id', { config: { auth: 'customers.read' }, schema: { tags, summary: 'An order with its items and refunds', params: IdParams, response: { 200: OrderWithRefundsSchema } } }, async (request) =>
    getOrder(db, { workspaceId: caller(request).workspaceId, id: request.params.id }),
  );

  app.post(
    '/api/orders/:id/refunds',
    {
      config: { auth: 'commerce.write' },
      schema: {
        tags,
        summary: 'Refund an order: an amount, lines, or (neither) all that is left; 201 with the refund and the order',
        params: IdParams,
        body: RefundBody,
        response: { 200: RefundWithOrderSchema, 201: RefundWithOrderSchema },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const refundedAt = parseTime(request.body.refundedAt, 'body.refundedAt') ?? new Date();
      const [result] = await db.transaction(async (tx) => {
        const before = await getOrder(tx, { workspaceId: c.workspaceId, id: request.params.id });
        const results = await applyRefunds(tx, {
          workspaceId: c.workspaceId,
          workspaceCurrency: await workspaceCurrency(tx, c.workspaceId),
          refunds: [{ orderId: request.params.id, amount: request.body.amount, items: request.body.items, reason: request.body.reason, externalId: request.body.externalId, refundedAt }],
        });
        if (results[0]?.status === 'refunded' && before.customerId) await notifyCustomersChanged(tx, { workspaceId: c.workspaceId, customerIds: [before.customerId], changes: ['orders'] });
        return results;
      });
      if (result!.status === 'failed') throw new AppError(result!.field === 'externalId' ? 'conflict' : 'invalid_input', `body.${result!.field}: ${result!.message}`);
      const order = await getOrder(db, { workspaceId: c.workspaceId, id: request.params.id });
      if (result!.status === 'refunded') {
        await recordAudit(db, { workspaceId: c.workspaceId, actor: c.actor, action: 'order.refund', entityType: 'order', entityId: order.id, after: { amount: result!.refund.amount, currency: order.currency } });
      }
      return reply.status(result!.status === 'refunded' ? 201 : 200).send({ refund: result!.refund, order });
    },
  );

  app.post(
    '/api/orders/:id/cancel',
    { config: { auth: 'commerce.write' }, schema: { tags, summary: 'Cancel an order (refund it for the money to leave the customer’s spend)', params: IdParams, response: { 200: OrderWithRefundsSchema } } },
    async (request) => {
      const c = caller(request);
      await db.transaction(async (tx) => {
        const before = await getOrder(tx, { workspaceId: c.workspaceId, id: request.params.id });
        const done = await cancelOrders(tx, { workspaceId: c.workspaceId, ids: [request.params.id] });
        if (done.length) await recordAudit(tx, { workspaceId: c.workspaceId, actor: c.actor, action: 'order.cancel', entityType: 'order', entityId: request.params.id });
        // A cancelled order no longer counts for a segment's order conditions.
        if (done.length && before.customerId) await notifyCustomersChanged(tx, { workspaceId: c.workspaceId, customerIds: [before.customerId], changes: ['orders'] });
      });
      return getOrder(db, { workspaceId: c.workspaceId, id: request.params.id });
    },
  );

  app.get(
    '/api/customers/:id/orders',
    {
      config: { auth: 'customers.read' },
      schema: {
        tags: ['customers', ...tags],
        summary: "A customer's orders, newest first",
        params: IdParams,
        querystring: Type.Object({ limit: Limit(200), cursor: Cursor }, { additionalProperties: false }),
        response: { 200: OrderPageSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      await requireCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id });
      return listOrders(db, { workspaceId: c.workspaceId, customerId: request.params.id, limit: request.query.limit ?? 50, cursor: request.query.cursor });
    },
  );

  // --- carts -----------------------------------------------------------------------------
  app.get(
    '/api/carts/abandoned',
    {
      config: { auth: 'customers.read' },
      schema: {
        tags,
        summary: 'Abandoned carts across the workspace, newest first: who, items, value, when; minValue in minor units; recovered=true for the ones ordered after all',
        querystring: Type.Object({ minValue: Type.Optional(Money), recovered: Type.Optional(Type.Boolean()), limit: Limit(200), cursor: Cursor }, { additionalProperties: false }),
        response: { 200: AbandonedCartPageSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const page = await listAbandonedCarts(db, { workspaceId: c.workspaceId, ...request.query, limit: request.query.limit ?? 50 });
      const people = await customerSummaries(c.workspaceId, page.items.map((i) => i.customerId), can(c.role, 'pii.read'));
      return { items: page.items.map((i) => ({ ...i, customer: i.customerId ? (people.get(i.customerId) ?? null) : null })), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/carts/abandoned/detect',
    { config: { auth: 'commerce.write' }, schema: { tags, summary: 'Run abandoned-cart detection for this workspace now (the worker runs it every minute)', response: { 200: AbandonedDetectionSchema } } },
    async (request) => detectAbandonedCarts(db, { workspaceId: caller(request).workspaceId }),
  );

  app.get(
    '/api/customers/:id/carts',
    { config: { auth: 'customers.read' }, schema: { tags: ['customers', ...tags], summary: "A customer's cart: open and abandoned lines, newest first", params: IdParams, response: { 200: CartLineListSchema } } },
    async (request) => {
      const c = caller(request);
      await requireCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id });
      const items = await customerCartLines(db, { workspaceId: c.workspaceId, customerId: request.params.id });
      return { items };
    },
  );

  // --- settings --------------------------------------------------------------------------
  app.get('/api/commerce/settings', { config: { auth: 'workspace.read' }, schema: { tags, summary: 'Commerce settings: the abandoned-cart window', response: { 200: CommerceSettingsSchema } } }, async (request) => {
    const c = caller(request);
    return { ...(await getCommerceSettings(db, { workspaceId: c.workspaceId })), currency: await workspaceCurrency(db, c.workspaceId) };
  });

  app.put(
    '/api/commerce/settings',
    {
      config: { auth: 'commerce.write' },
      schema: {
        tags,
        summary: 'Change the commerce settings',
        body: Type.Object(
          { abandonedCartMinutes: Type.Integer({ minimum: 1, maximum: MAX_ABANDONED_CART_MINUTES, description: 'a cart line untouched this long, and not ordered, is abandoned' }) },
          { additionalProperties: false },
        ),
        response: { 200: CommerceSettingsSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const settings = await db.transaction(async (tx) => {
        const before = await getCommerceSettings(tx, { workspaceId: c.workspaceId });
        const after = await setCommerceSettings(tx, { workspaceId: c.workspaceId, abandonedCartMinutes: request.body.abandonedCartMinutes });
        await recordAudit(tx, {
          workspaceId: c.workspaceId,
          actor: c.actor,
          action: 'commerce.settings',
          entityType: 'workspace',
          entityId: c.workspaceId,
          before: { abandonedCartMinutes: before.abandonedCartMinutes },
          after: { abandonedCartMinutes: after.abandonedCartMinutes },
        });
        return after;
      });
      return { ...settings, currency: await workspaceCurrency(db, c.workspaceId) };
    },
  );
}
