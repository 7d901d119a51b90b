// Orders given through the API or a CSV import: checked (problems name their field), their
// customer found by id or through the customers area's identities, stored once per external id,
// and the customer's cart lines they bought closed.
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { getCustomerRow } from '../customers/customers.ts';
import { findCustomerIdByIdentity, normaliseIdentity } from '../customers/identities.ts';
import { notifyCustomersChanged } from '../customers/links.ts';
import type { IdentityKind } from '../customers/vocabulary.ts';
import { DATE_RANGE_TEXT, toTime } from '../dates.ts';
import { AppError } from '../errors.ts';
import { markLinesOrdered } from './carts.ts';
import { CURRENCY_PATTERN } from './money.ts';
import { placeOrders, type ItemDraft, type OrderDraft } from './orders.ts';
import { products } from './schema.ts';
import { categoryPath } from './segment.ts';

/** How the API and imports name an order's customer: Rapport's id, or an identity the customers area knows. */
export type CustomerRef = { email?: string; phone?: string; externalId?: string; userId?: string };

export type OrderItemInput = {
  sku?: string;
  productId?: string;
  name?: string;
  brand?: string;
  category?: string;
  /** Minor units of the order's currency. */
  unitPrice: number;
  quantity: number;
};

export type OrderInput = {
  externalId?: string;
  customerId?: string;
  customer?: CustomerRef;
  anonymousId?: string;
  currency?: string;
  placedAt?: string;
  items: OrderItemInput[];
  subtotal?: number;
  discount?: number;
  shipping?: number;
  tax?: number;
  total?: number;
  coupon?: string;
};

export type NewOrderResult = { status: 'created' | 'existing'; id: string } | { status: 'failed'; problems: string[] };

const REF_KINDS: [keyof CustomerRef, IdentityKind, string][] = [
  ['userId', 'user_id', 'user id'],
  ['externalId', 'external', 'external id'],
  ['email', 'email', 'e-mail'],
  ['phone', 'phone', 'phone'],
];

const money = (value: number | undefined, path: string, problems: string[]): number | undefined => {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    problems.push(`${path}: must be a whole number of minor units ≥ 0 (e.g. 89000 for ₩89,000, 1299 for $12.99)`);
    return undefined;
  }
  return value;
};

/** The order as stored, less its customer (found later), or what is wrong with it. Pure. */
export function draftOrder(
  input: OrderInput,
  opts: { path: string; workspaceCurrency: string; now: Date; source: 'api' | 'import' },
): { draft: Omit<OrderDraft, 'customerId'>; problems: string[] } {
  const { path } = opts;
  const problems: string[] = [];
  const externalId = input.externalId?.trim() || null;
  if (externalId && externalId.length > 200) problems.push(`${path}.externalId: must be at most 200 characters`);
  const currency = input.currency?.trim().toUpperCase() || opts.workspaceCurrency;
  if (!CURRENCY_PATTERN.test(currency)) problems.push(`${path}.currency: "${input.currency}" is not an ISO 4217 code such as KRW or USD`);
  let placedAt = opts.now;
  if (input.placedAt !== undefined) {
    const d = toTime(input.placedAt);
    if (!d) problems.push(`${path}.placedAt: "${input.placedAt}" is not a date or time (ISO 8601) ${DATE_RANGE_TEXT}`);
    else placedAt = d;
  }
  const items: ItemDraft[] = input.items.map((item, i) => {
    const at = `${path}.items[${i}]`;
    const sku = item.sku?.trim() || null;
    if (!sku && !item.productId && !item.name?.trim()) problems.push(`${at}: give a sku, a productId or a name`);
    const unitPrice = money(item.unitPrice, `${at}.unitPrice`, problems) ?? 0;
    if (!Number.isSafeInteger(item.quantity) || item.quantity < 1) problems.push(`${at}.quantity: must be a whole number ≥ 1`);
    return {
      productId: item.productId ?? null,
      sku,
      name: item.name?.trim() || null,
      brand: item.brand?.trim() || null,
      category: item.category ? categoryPath(item.category) : null,
      unitPrice,
      quantity: item.quantity,
    };
  });
  const linesSum = items.reduce((s, i) => s + i.unitPrice * (Number.isSafeInteger(i.quantity) ? i.quantity : 0), 0);
  const subtotal = money(input.subtotal, `${path}.subtotal`, problems) ?? linesSum;
  const discount = money(input.discount, `${path}.discount`, problems) ?? 0;
  const shipping = money(input.shipping, `${path}.shipping`, problems) ?? 0;
  const tax = money(input.tax, `${path}.tax`, problems) ?? 0;
  const given = money(input.total, `${path}.total`, problems);
  const total = given ?? subtotal - discount + shipping + tax;
  if (given === undefined && total < 0) problems.push(`${path}.discount: is more than the subtotal, shipping and tax together`);
  if (items.length === 0 && input.total === undefined && input.subtotal === undefined) problems.push(`${path}.items: give the items, or at least the total`);
  return {
    draft: {
      externalId,
      anonymousId: input.anonymousId?.trim() || null,
      currency,
      subtotal,
      discount,
      shipping,
      tax,
      total,
      coupon: input.coupon?.trim() || null,
      source: opts.source,
      eventId: null,
      placedAt,
      items,
    },
    problems,
  };
}

/**
 * The customer of each order: by id (a live profile of this workspace), else by the first of
 * user id, external id, e-mail, phone that a customer holds. Null without a reference.
 */
async function resolveCustomers(
  db: Queryable,
  opts: { workspaceId: string; refs: { customerId?: string; customer?: CustomerRef; path: string }[] },
): Promise<({ id: string | null } | { problem: string })[]> {
  const cache = new Map<string, string | undefined>();
  const out: ({ id: string | null } | { problem: string })[] = [];
  for (const ref of opts.refs) {
    if (ref.customerId) {
      const key = `id:${ref.customerId}`;
      if (!cache.has(key)) {
        const row = await getCustomerRow(db, { workspaceId: opts.workspaceId, id: ref.customerId });
        cache.set(key, row && !row.mergedIntoId ? row.id : undefined);
      }
      const id = cache.get(key);
      out.push(id ? { id } : { problem: `${ref.path}.customerId: customer ${ref.customerId} not found` });
      continue;
    }
    const given = REF_KINDS.filter(([field]) => ref.customer?.[field]?.trim());
    if (given.length === 0) {
      out.push({ id: null });
      continue;
    }
    let found: string | undefined;
    let problem: string | undefined;
    for (const [field, kind] of given) {
      let value: string;
      try {
        value = normaliseIdentity(kind, ref.customer![field]!, `${ref.path}.customer.${field}`);
      } catch (err) {
        problem = (err as Error).message;
        break;
      }
      const key = `${kind}:${value}`;
      if (!cache.has(key)) cache.set(key, await findCustomerIdByIdentity(db, { workspaceId: opts.workspaceId, kind, value }));
      found = cache.get(key);
      if (found) break;
    }
    if (problem) out.push({ problem });
    else if (found) out.push({ id: found });
    else {
      const [field, , label] = given[0]!;
      out.push({ problem: `${ref.path}.customer.${field}: no customer has the ${label} "${ref.customer![field]!.trim()}"` });
    }
  }
  return out;
}

/**
 * Creates orders (API, imports); run in a transaction. Each succeeds or fails on its own; an
 * order whose external id is stored already is `existing` and left as it is.
 */
export async function createOrders(
  db: Queryable,
  opts: { workspaceId: string; workspaceCurrency: string; inputs: OrderInput[]; source: 'api' | 'import'; pathOf: (index: number) => string; now?: Date },
): Promise<NewOrderResult[]> {
  const { workspaceId } = opts;
  const now = opts.now ?? new Date();
  const drafted = opts.inputs.map((input, i) => draftOrder(input, { path: opts.pathOf(i), workspaceCurrency: opts.workspaceCurrency, now, source: opts.source }));

  // Items that name a catalogue product by id take what they leave out from it.
  const productIdList = [...new Set(opts.inputs.flatMap((o) => o.items.flatMap((i) => (i.productId ? [i.productId] : []))))];
  const catalogue = new Map<string, typeof products.$inferSelect>();
  if (productIdList.length) {
    const rows = await db
      .select()
      .from(products)
      .where(and(eq(products.workspaceId, workspaceId), inArray(products.id, productIdList), isNull(products.deletedAt)));
    for (const r of rows) catalogue.set(r.id, r);
  }
  drafted.forEach(({ draft, problems }, i) => {
    draft.items.forEach((item, k) => {
      if (!item.productId) return;
      const p = catalogue.get(item.productId);
      if (!p) return problems.push(`${opts.pathOf(i)}.items[${k}].productId: product ${item.productId} not found`);
      item.sku ??= p.sku;
      item.name ??= p.name;
      item.brand ??= p.brand;
      item.category ??= p.category;
    });
  });

  const customers = await resolveCustomers(db, { workspaceId, refs: opts.inputs.map((o, i) => ({ customerId: o.customerId, customer: o.customer, path: opts.pathOf(i) })) });
  const results: NewOrderResult[] = [];
  const valid: { index: number; draft: OrderDraft }[] = [];
  drafted.forEach(({ draft, problems }, index) => {
    const c = customers[index]!;
    if ('problem' in c) problems.push(c.problem);
    if (problems.length) results[index] = { status: 'failed', problems };
    else valid.push({ index, draft: { ...draft, customerId: (c as { id: string | null }).id } });
  });
  const placed = await placeOrders(db, { workspaceId, workspaceCurrency: opts.workspaceCurrency, orders: valid.map((v) => v.draft) });
  placed.forEach((p, k) => {
    results[valid[k]!.index] = { status: p.created ? 'created' : 'existing', id: p.id };
  });
  const fresh = placed.flatMap((p, k) => (p.created ? [{ p, draft: valid[k]!.draft }] : []));
  // Ingested order events tell segments themselves; orders given here reach them this way.
  const buyers = fresh.flatMap(({ draft }) => (draft.customerId ? [draft.customerId] : []));
  await notifyCustomersChanged(db, { workspaceId, customerIds: [...new Set(buyers)], changes: ['orders'] });
  await markLinesOrdered(db, {
    workspaceId,
    orders: fresh.map(({ p, draft }) => {
      const skus = draft.items.map((i) => i.sku).filter((s): s is string => s !== null);
      return { orderId: p.id, owner: { customerId: draft.customerId, anonymousId: draft.anonymousId }, skus: skus.length ? skus : null, at: draft.placedAt };
    }),
  });
  return results;
}

/** The one order of a single API call, or the 400 that says what is wrong with it. */
export function failedOrder(result: NewOrderResult): AppError | undefined {
  return result.status === 'failed' ? new AppError('invalid_input', result.problems.join('; '), result.problems) : undefined;
}
