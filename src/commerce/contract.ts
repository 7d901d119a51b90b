// Response schemas of the commerce API, for the OpenAPI document (and the fuzz run that checks
// answers against it).
import { Type } from 'typebox';

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
    attributes: Type.Record(Type.String(), Type.Unknown()),
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
