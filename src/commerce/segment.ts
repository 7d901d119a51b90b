// Reading Segment's e-commerce (v2) event properties: the products an event mentions, the cart
// change of `Product Added` / `Product Removed`, and the order of `Order Completed`. Pure: shops
// send loose data (numbers as text, ids as numbers, missing fields), and nothing here throws.
import { normaliseCurrency, toMinorUnits } from './money.ts';

export type ProductFacts = {
  sku: string;
  /** Null when the event does not name it (the catalogue keeps what it knew). */
  name: string | null;
  brand: string | null;
  category: string | null;
  /** Minor units of `currency`. */
  price: number | null;
  currency: string;
  imageUrl: string | null;
  url: string | null;
};

export type LineFacts = ProductFacts & { quantity: number };

export type OrderFacts = {
  externalId: string | null;
  currency: string;
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
  coupon: string | null;
  items: LineFacts[];
};

export type RefundFacts = {
  orderExternalId: string;
  /** Minor units of the order's currency when the event gives a total; else the refunded lines decide. */
  amount: number | null;
  items: LineFacts[];
  reason: string | null;
  externalId: string | null;
};

const MAX_TEXT = 1000;

export type Props = Record<string, unknown>;

/** A non-empty trimmed string (numbers become text: ids are often numeric), else null. */
export function text(value: unknown, max = MAX_TEXT): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const t = value.trim();
  return t ? t.slice(0, max) : null;
}

/** "Women > Shoes" from a path string, or from an array of levels. */
export function categoryPath(value: unknown): string | null {
  if (Array.isArray(value)) {
    const levels = value.map((v) => text(v, 200)).filter((v): v is string => v !== null);
    return levels.length ? levels.join(' > ').slice(0, MAX_TEXT) : null;
  }
  const t = text(value);
  return t ? t.split('>').map((s) => s.trim()).filter(Boolean).join(' > ') || null : null;
}

/** A positive whole quantity (default 1; capped so that sums stay integers). */
export function quantity(value: unknown, fallback = 1): number {
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return fallback;
  return Math.min(Math.max(1, Math.round(n)), 1_000_000);
}

const money = (value: unknown, currency: string): number | null => {
  const v = toMinorUnits(value, currency);
  return v === undefined ? null : v;
};

/** The product an object describes (`sku` ?? `product_id`), or null without either. */
export function productFacts(p: Props, currency: string): ProductFacts | null {
  const sku = text(p.sku, 200) ?? text(p.product_id, 200) ?? text(p.productId, 200);
  if (!sku) return null;
  const own = normaliseCurrency(p.currency) ?? currency;
  const price = money(p.price, own);
  return {
    sku,
    name: text(p.name, 500),
    brand: text(p.brand, 200),
    category: categoryPath(p.category),
    price: price !== null && price >= 0 ? price : null,
    currency: own,
    imageUrl: text(p.image_url ?? p.imageUrl, 2000),
    url: text(p.url, 2000),
  };
}

function lineFacts(p: Props, currency: string): LineFacts | null {
  const facts = productFacts(p, currency);
  return facts ? { ...facts, quantity: quantity(p.quantity) } : null;
}

const isProps = (v: unknown): v is Props => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Entries of `products[]` that name a product. */
export function productList(props: Props, currency: string): LineFacts[] {
  if (!Array.isArray(props.products)) return [];
  const out: LineFacts[] = [];
  for (const p of props.products.slice(0, 500)) {
    if (!isProps(p)) continue;
    const line = lineFacts(p, currency);
    if (line) out.push(line);
  }
  return out;
}

/** Every product an event mentions: its own product properties and its `products[]`. */
export function productsOfEvent(props: Props, workspaceCurrency: string): ProductFacts[] {
  const currency = normaliseCurrency(props.currency) ?? workspaceCurrency;
  const own = productFacts(props, currency);
  return [...(own ? [own] : []), ...productList(props, currency)];
}

/** The line a `Product Added` / `Product Removed` event is about. */
export function cartLineOfEvent(props: Props, workspaceCurrency: string): (LineFacts & { cartId: string | null; quantityGiven: boolean }) | null {
  const currency = normaliseCurrency(props.currency) ?? workspaceCurrency;
  const line = lineFacts(props, currency);
  if (!line) return null;
  const given = props.quantity !== undefined && quantity(props.quantity, 0) > 0;
  return { ...line, cartId: text(props.cart_id ?? props.cartId, 200), quantityGiven: given };
}

/**
 * The order of an `Order Completed` event. `total` ?? `revenue` ?? subtotal − discount +
 * shipping + tax; subtotal ?? the sum of the lines. Discounts are stored as positive amounts.
 */
export function orderOfEvent(props: Props, workspaceCurrency: string): OrderFacts {
  const currency = normaliseCurrency(props.currency) ?? workspaceCurrency;
  const items = productList(props, currency).map((i) => ({ ...i, currency }));
  const amount = (v: unknown) => {
    const m = money(v, currency);
    return m === null ? null : Math.abs(m);
  };
  const linesSum = items.reduce((s, i) => s + (i.price ?? 0) * i.quantity, 0);
  const subtotal = amount(props.subtotal) ?? linesSum;
  const discount = amount(props.discount) ?? 0;
  const shipping = amount(props.shipping) ?? 0;
  const tax = amount(props.tax) ?? 0;
  const total = amount(props.total) ?? amount(props.revenue) ?? Math.max(0, subtotal - discount + shipping + tax);
  return {
    externalId: text(props.order_id ?? props.orderId ?? props.checkout_id, 200),
    currency,
    subtotal,
    discount,
    shipping,
    tax,
    total,
    coupon: text(props.coupon, 200),
    items,
  };
}

/** The order id an `Order Refunded` or `Order Cancelled` event names. */
export function orderIdOfEvent(props: Props): string | null {
  return text(props.order_id ?? props.orderId, 200);
}

/**
 * The refund of an `Order Refunded` event, or null when it names no order. Amounts are read in
 * the refunded order's currency (the event's own `currency` says the same, or is absent).
 */
export function refundOfEvent(props: Props, orderCurrency: string): RefundFacts | null {
  const orderExternalId = orderIdOfEvent(props);
  if (!orderExternalId) return null;
  const total = money(props.total ?? props.revenue ?? props.value, orderCurrency);
  return {
    orderExternalId,
    amount: total === null ? null : Math.abs(total),
    items: productList(props, orderCurrency),
    reason: text(props.reason, 500),
    externalId: text(props.refund_id ?? props.refundId, 200),
  };
}
