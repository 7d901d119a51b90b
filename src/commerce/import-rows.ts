// CSV rows of products and of orders: which header means which field (English exports of
// Shopify, WooCommerce and Cafe24-style Korean headers), and a row's values as the API's input.
// Prices in a CSV are written as people write them, in major units ("12.99", "89,000"). Pure.
import { MIN_YEAR, toTime } from '../dates.ts';
import type { ProductInput } from './products.ts';
import { normaliseCurrency, toMinorUnits } from './money.ts';
import type { OrderInput } from './new-orders.ts';

export const IMPORT_KINDS = ['products', 'orders'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

const PRODUCT_HEADERS = {
  sku: ['sku', 'productid', 'variantsku', 'itemcode', 'productcode', '상품코드', '상품번호', '품번', '자체상품코드'],
  name: ['name', 'productname', 'title', 'itemname', '상품명', '제품명'],
  brand: ['brand', 'vendor', 'manufacturer', '브랜드', '제조사'],
  category: ['category', 'productcategory', 'categorypath', 'producttype', 'type', '카테고리', '분류', '상품분류'],
  price: ['price', 'unitprice', 'saleprice', 'variantprice', 'regularprice', '가격', '판매가', '판매가격', '정가'],
  currency: ['currency', '통화'],
  imageUrl: ['imageurl', 'image', 'imagesrc', 'images', 'thumbnail', '이미지', '이미지url', '대표이미지'],
  url: ['url', 'link', 'producturl', 'permalink', '상품url', '상품링크'],
} as const;

const ORDER_HEADERS = {
  orderId: ['orderid', 'ordernumber', 'orderno', 'order', 'name', '주문번호'],
  email: ['email', 'customeremail', 'billingemail', '이메일', '주문자이메일'],
  phone: ['phone', 'customerphone', 'billingphone', 'mobile', '전화번호', '휴대폰', '휴대폰번호', '주문자연락처'],
  externalId: ['customerid', 'customerexternalid', 'memberid', '회원id', '회원아이디'],
  userId: ['userid', '사용자id'],
  placedAt: ['placedat', 'orderdate', 'date', 'createdat', 'paidat', 'ordertime', '주문일', '주문일시', '결제일시'],
  currency: ['currency', '통화'],
  sku: ['sku', 'productid', 'lineitemsku', 'variantsku', 'itemcode', 'productcode', '상품코드', '상품번호', '품번'],
  productName: ['productname', 'lineitemname', 'itemname', 'product', '상품명'],
  category: ['category', 'productcategory', '카테고리'],
  brand: ['brand', 'vendor', '브랜드'],
  quantity: ['quantity', 'qty', 'lineitemquantity', '수량', '주문수량'],
  unitPrice: ['unitprice', 'price', 'lineitemprice', 'itemprice', '단가', '판매가', '상품가격'],
  subtotal: ['subtotal', '상품합계', '상품금액'],
  discount: ['discount', 'discountamount', 'totaldiscount', '할인', '할인금액'],
  shipping: ['shipping', 'shippingcost', 'shippingamount', '배송비'],
  tax: ['tax', 'taxes', 'totaltax', '세금', '부가세'],
  total: ['total', 'ordertotal', 'grandtotal', 'totalprice', '총액', '결제금액', '총결제금액', '주문금액'],
  coupon: ['coupon', 'couponcode', 'discountcode', '쿠폰', '쿠폰코드'],
} as const;

export type ProductField = keyof typeof PRODUCT_HEADERS;
export type OrderField = keyof typeof ORDER_HEADERS;

/** "Product Name", "product_name", "상품 명" → "productname", "상품명". */
export function headerKey(header: string): string {
  return header.normalize('NFC').trim().toLowerCase().replace(/[\s_\-./()[\]#:]/g, '');
}

/**
 * Which column holds which field: for each field, the column of its most specific name (the
 * names are listed best first), each column used once. Columns that name no field are left out.
 */
export function mapHeaders<F extends string>(headers: readonly string[], table: Record<F, readonly string[]>): Map<F, number> {
  const keys = headers.map(headerKey);
  const out = new Map<F, number>();
  const taken = new Set<number>();
  for (const field of Object.keys(table) as F[]) {
    for (const name of table[field]) {
      const i = keys.findIndex((k, idx) => k === name && !taken.has(idx));
      if (i === -1) continue;
      out.set(field, i);
      taken.add(i);
      break;
    }
  }
  return out;
}

export const mapProductHeaders = (headers: readonly string[]) => mapHeaders(headers, PRODUCT_HEADERS);
export const mapOrderHeaders = (headers: readonly string[]) => mapHeaders(headers, ORDER_HEADERS);

export type RowIssue = { column?: string; message: string };

/** The problem with the mapping itself (a required column missing), or undefined. */
export function missingColumns(kind: ImportKind, columns: Map<string, number>): string | undefined {
  if (kind === 'products' && !columns.has('sku')) return 'no column holds the SKU (name one "sku" or "상품코드")';
  if (kind === 'orders' && !columns.has('orderId')) return 'no column holds the order id (name one "order_id" or "주문번호")';
  return undefined;
}

function cell<F extends string>(fields: readonly string[], columns: Map<F, number>, field: F): string | undefined {
  const i = columns.get(field);
  const v = i === undefined ? undefined : fields[i]?.trim();
  return v ? v : undefined;
}

function amount<F extends string>(fields: readonly string[], columns: Map<F, number>, headers: readonly string[], field: F, currency: string, issues: RowIssue[]): number | undefined {
  const raw = cell(fields, columns, field);
  if (raw === undefined) return undefined;
  const v = toMinorUnits(raw, currency);
  if (v === undefined || v < 0) {
    issues.push({ column: headers[columns.get(field)!], message: `"${raw}" is not an amount (write 12.99 or 89,000)` });
    return undefined;
  }
  return v;
}

/** A product row as the input of `upsertProducts`; other columns become attributes. */
export function productRow(
  fields: readonly string[],
  headers: readonly string[],
  columns: Map<ProductField, number>,
  workspaceCurrency: string,
): { input?: ProductInput; issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const get = (f: ProductField) => cell(fields, columns, f);
  const sku = get('sku');
  if (!sku) return { issues: [{ column: headers[columns.get('sku')!], message: 'the SKU is empty' }] };
  const rawCurrency = get('currency');
  const currency = rawCurrency === undefined ? undefined : normaliseCurrency(rawCurrency);
  if (rawCurrency !== undefined && !currency) issues.push({ column: headers[columns.get('currency')!], message: `"${rawCurrency}" is not an ISO 4217 code such as KRW or USD` });
  const price = amount(fields, columns, headers, 'price', currency ?? workspaceCurrency, issues);
  const used = new Set(columns.values());
  const attributes: Record<string, string> = {};
  headers.forEach((h, i) => {
    const v = fields[i]?.trim();
    if (!used.has(i) && v && h.trim()) attributes[h.trim().slice(0, 100)] = v.slice(0, 2000);
  });
  const input: ProductInput = { sku };
  const put = <K extends keyof ProductInput>(k: K, v: ProductInput[K] | undefined) => {
    if (v !== undefined) input[k] = v;
  };
  put('name', get('name'));
  put('brand', get('brand'));
  put('category', get('category'));
  put('price', price);
  put('currency', currency);
  put('imageUrl', get('imageUrl'));
  put('url', get('url'));
  if (Object.keys(attributes).length) input.attributes = attributes;
  return { input, issues };
}

/** How far `timeZone` is ahead of UTC at the instant `ms`, in milliseconds. */
function zoneOffset(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const v = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second')) - Math.floor(ms / 1000) * 1000;
}

/**
 * A date or time as spreadsheets write it ("2024-05-01", "2024.05.01 13:45", ISO 8601 with or
 * without an offset). Without an offset it is a wall-clock time in `timeZone` (the workspace's).
 */
export function parseLocalTime(raw: string, timeZone: string): Date | undefined {
  const m = /^(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(raw.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0', zone] = m;
  // Date.UTC reads the years 0–99 as 1900–1999: out of range (src/dates.ts) is no date at all.
  if (Number(y) < MIN_YEAR) return undefined;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), Number(frac.padEnd(3, '0')));
  const back = new Date(wall);
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) || Number(h) > 23) return undefined;
  if (zone) {
    if (zone.toUpperCase() === 'Z') return back;
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    return toTime(new Date(wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000));
  }
  // The offset at the guessed instant, checked again at the result (a DST change in between).
  let at = wall - zoneOffset(wall, timeZone);
  at = wall - zoneOffset(at, timeZone);
  return toTime(new Date(at));
}

export type OrderLineRow = { orderId: string; order: Omit<OrderInput, 'items'>; item?: OrderInput['items'][number]; issues: RowIssue[] };

/** One order line of an orders CSV: the order's fields (read from the first line of the order) and the line's item. */
export function orderLineRow(
  fields: readonly string[],
  headers: readonly string[],
  columns: Map<OrderField, number>,
  workspaceCurrency: string,
  timeZone = 'UTC',
): OrderLineRow | { orderId?: undefined; issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const get = (f: OrderField) => cell(fields, columns, f);
  const col = (f: OrderField) => headers[columns.get(f)!];
  const orderId = get('orderId');
  if (!orderId) return { issues: [{ column: col('orderId'), message: 'the order id is empty' }] };
  const rawCurrency = get('currency');
  const currency = rawCurrency === undefined ? undefined : normaliseCurrency(rawCurrency);
  if (rawCurrency !== undefined && !currency) issues.push({ column: col('currency'), message: `"${rawCurrency}" is not an ISO 4217 code such as KRW or USD` });
  const cur = currency ?? workspaceCurrency;
  const money = (f: OrderField) => amount(fields, columns, headers, f, cur, issues);
  const placedRaw = get('placedAt');
  let placedAt: string | undefined;
  if (placedRaw !== undefined) {
    const d = parseLocalTime(placedRaw, timeZone);
    if (!d) issues.push({ column: col('placedAt'), message: `"${placedRaw}" is not a date (write 2024-05-01 or 2024-05-01T13:45:00+09:00)` });
    else placedAt = d.toISOString();
  }
  const customer = { email: get('email'), phone: get('phone'), externalId: get('externalId'), userId: get('userId') };
  const order: Omit<OrderInput, 'items'> = {
    externalId: orderId,
    currency,
    placedAt,
    subtotal: money('subtotal'),
    discount: money('discount'),
    shipping: money('shipping'),
    tax: money('tax'),
    total: money('total'),
    coupon: get('coupon'),
  };
  if (Object.values(customer).some((v) => v !== undefined)) order.customer = customer;
  const sku = get('sku');
  const name = get('productName');
  const unitPrice = money('unitPrice');
  let item: OrderInput['items'][number] | undefined;
  if (sku || name || unitPrice !== undefined) {
    const qRaw = get('quantity');
    const quantity = qRaw === undefined ? 1 : Number(qRaw.replace(/,/g, ''));
    if (!Number.isSafeInteger(quantity) || quantity < 1) issues.push({ column: col('quantity'), message: `"${qRaw}" is not a quantity (a whole number ≥ 1)` });
    item = { sku, name, category: get('category'), brand: get('brand'), unitPrice: unitPrice ?? 0, quantity };
  }
  return { orderId, order, item, issues };
}
