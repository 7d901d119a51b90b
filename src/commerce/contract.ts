// Response schemas of the commerce API, for the OpenAPI document (and the fuzz run that checks
// answers against it).
import { Type } from 'typebox';
import { JsonObject } from '../customers/contract.ts';

const Text = Type.Union([Type.String(), Type.Null()]);
const Time = Type.String({ format: 'date-time' });

export const ProductSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    sku: Type.String(),
    name: Type.String(),
    brand: Text,
    category: Text,
    price: Type.Union([Type.Integer({ description: 'Minor units of currency' }), Type.Null()]),
    currency: Type.String(),
    imageUrl: Text,
    url: Text,
    attributes: JsonObject(),
    createdAt: Time,
    updatedAt: Time,
    deletedAt: Type.Union([Time, Type.Null()]),
  },
  { additionalProperties: true },
);

export const ProductPageSchema = Type.Object({ items: Type.Array(ProductSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** A product with its statistics over a window. */
export const ProductWithStatsSchema = Type.Object({ ...ProductSchema.properties, stats: Type.Object({}, { additionalProperties: true }) }, { additionalProperties: true });

const Money = Type.Integer({ description: 'Minor units of currency' });

export const OrderSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    externalId: Text,
    customerId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    anonymousId: Text,
    status: Type.String(),
    currency: Type.String(),
    subtotal: Money,
    discount: Money,
    shipping: Money,
    tax: Money,
    total: Money,
    refundedTotal: Money,
    coupon: Text,
    source: Type.String(),
    eventId: Text,
    placedAt: Time,
    createdAt: Time,
    updatedAt: Time,
    items: Type.Array(Type.Object({ line: Type.Integer(), sku: Text, unitPrice: Money, quantity: Type.Integer(), amount: Money }, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

export const OrderPageSchema = Type.Object({ items: Type.Array(OrderSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** An order with its refunds. */
export const OrderWithRefundsSchema = Type.Object({ ...OrderSchema.properties, refunds: Type.Array(Type.Object({}, { additionalProperties: true })) }, { additionalProperties: true });

const open = { additionalProperties: true };
const Id = Type.String({ format: 'uuid' });
const MaybeId = Type.Union([Id, Type.Null()]);
const MaybeTime = Type.Union([Time, Type.Null()]);

export const OkSchema = Type.Object({ ok: Type.Boolean() }, open);

export const ProductBulkResultSchema = Type.Object(
  {
    results: Type.Array(
      Type.Object(
        {
          index: Type.Integer({ description: 'Position in the products sent' }),
          status: Type.String({ description: 'created, updated or failed' }),
          id: Type.Optional(Id),
          error: Type.Optional(Type.String({ description: 'Why it failed, naming the field' })),
        },
        open,
      ),
    ),
    created: Type.Integer(),
    updated: Type.Integer(),
    failed: Type.Integer(),
  },
  open,
);

export const RefundSchema = Type.Object(
  {
    id: Id,
    orderId: Id,
    externalId: Text,
    amount: Money,
    reason: Text,
    items: Type.Array(Type.Object({ line: Type.Integer(), quantity: Type.Integer() }, open)),
    refundedAt: Time,
    createdAt: Time,
  },
  open,
);

/** A refund (new, or the one already stored with its externalId) and its order. */
export const RefundWithOrderSchema = Type.Object({ refund: RefundSchema, order: OrderWithRefundsSchema }, open);

const CustomerRef = Type.Union([Type.Object({ id: Id, name: Text, email: Type.Union([Type.String(), Type.Null()], { description: 'Masked for roles without pii.read' }) }, open), Type.Null()]);

export const AbandonedCartPageSchema = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          key: Type.String(),
          customerId: MaybeId,
          anonymousId: Text,
          currency: Type.String(),
          value: Money,
          quantity: Type.Integer(),
          abandonedAt: Time,
          lastActivityAt: Time,
          items: Type.Array(
            Type.Object(
              { id: Id, sku: Type.String(), name: Text, category: Text, productId: MaybeId, price: Type.Union([Money, Type.Null()]), quantity: Type.Integer(), addedAt: Time, abandonedAt: Time },
              open,
            ),
          ),
          customer: CustomerRef,
        },
        open,
      ),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  open,
);

export const AbandonedDetectionSchema = Type.Object({ lines: Type.Integer(), carts: Type.Integer(), workspaces: Type.Integer() }, open);

export const CartLineListSchema = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          id: Id,
          customerId: MaybeId,
          anonymousId: Text,
          cartId: Text,
          productId: MaybeId,
          sku: Type.String(),
          name: Text,
          category: Text,
          price: Type.Union([Money, Type.Null()]),
          currency: Type.String(),
          quantity: Type.Integer(),
          status: Type.String({ description: 'open, abandoned, ordered, recovered or removed' }),
          addedAt: Time,
          updatedAt: Time,
          removedAt: MaybeTime,
          orderedAt: MaybeTime,
          orderId: MaybeId,
          abandonedAt: MaybeTime,
        },
        open,
      ),
    ),
  },
  open,
);

export const CommerceSettingsSchema = Type.Object(
  { abandonedCartMinutes: Type.Integer(), updatedAt: MaybeTime, currency: Type.String({ description: "The workspace's currency" }) },
  open,
);

export const CommerceImportResultSchema = Type.Object(
  {
    importId: Id,
    kind: Type.String(),
    encoding: Type.String(),
    rows: Type.Integer(),
    created: Type.Integer(),
    updated: Type.Integer(),
    failed: Type.Integer(),
    errors: Type.Array(Type.Object({ line: Type.Integer(), column: Type.Optional(Type.String()), message: Type.String() }, open), { description: 'The first 100 problems, in line order' }),
  },
  open,
);
