// Cart lines: what a customer or visitor has in the cart, derived from `Product Added`,
// `Product Removed` and orders. A line is open until it is removed or ordered; the detection job
// (abandoned-carts.ts) marks open lines untouched for the workspace's window as abandoned, and
// an abandoned line that is ordered later counts as recovered. The customer's abandoned-item
// count holds the abandoned lines still in the cart: a line bought or removed leaves it.
import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAbandonedCartMetrics } from '../events/metrics.ts';
import { cursorTime, decodeCursor, encodeCursor } from './cursor.ts';
import { cartItems, commerceSettings } from './schema.ts';
import type { LineFacts } from './segment.ts';

export type Owner = { customerId: string | null; anonymousId: string | null };

export type CartChange =
  | { kind: 'add'; owner: Owner; line: LineFacts & { cartId: string | null }; at: Date }
  /** `quantity` null: the whole line goes. */
  | { kind: 'remove'; owner: Owner; sku: string; quantity: number | null; at: Date }
  /** `skus` null: every line in the cart was ordered (an order that names no products). */
  | { kind: 'order'; owner: Owner; orderId: string; skus: string[] | null; at: Date };

export type CartLineStatus = 'open' | 'abandoned' | 'ordered' | 'recovered' | 'removed';

export type CartLine = {
  id: string;
  customerId: string | null;
  anonymousId: string | null;
  cartId: string | null;
  productId: string | null;
  sku: string;
  name: string | null;
  category: string | null;
  price: number | null;
  currency: string;
  quantity: number;
  status: CartLineStatus;
  addedAt: string;
  updatedAt: string;
  removedAt: string | null;
  orderedAt: string | null;
  orderId: string | null;
  abandonedAt: string | null;
};

type LineRow = typeof cartItems.$inferSelect;

export function lineStatus(r: { removedAt: Date | null; orderedAt: Date | null; abandonedAt: Date | null }): CartLineStatus {
  if (r.orderedAt) return r.abandonedAt ? 'recovered' : 'ordered';
  if (r.removedAt) return 'removed';
  return r.abandonedAt ? 'abandoned' : 'open';
}

export function toCartLine(r: LineRow): CartLine {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: r.id,
    customerId: r.customerId,
    anonymousId: r.anonymousId,
    cartId: r.cartId,
    productId: r.productId,
    sku: r.sku,
    name: r.name,
    category: r.category,
    price: r.price,
    currency: r.currency,
    quantity: r.quantity,
    status: lineStatus(r),
    addedAt: r.addedAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    removedAt: iso(r.removedAt),
    orderedAt: iso(r.orderedAt),
    orderId: r.orderId,
    abandonedAt: iso(r.abandonedAt),
  };
}

const ownerKey = (o: Owner) => (o.customerId ? `c:${o.customerId}` : o.anonymousId ? `a:${o.anonymousId}` : null);

type Line = Omit<LineRow, 'workspaceId'> & { fresh: boolean; dirty: boolean };

/**
 * Moves cart lines through a batch of changes, in time order, exactly as if they came one by
 * one: the open lines of everyone concerned are read (and locked) in one query, the changes are
 * played in memory, and new and changed lines are written in one statement each.
 *
 * - add: to the open (not abandoned) line of that SKU, else a new line; the newer price and name win.
 * - remove: takes the quantity (or the whole line) off the open line of that SKU, else off the abandoned one.
 * - order: open and abandoned lines of the ordered SKUs added before the order become ordered.
 */
export async function applyCartChanges(db: Queryable, opts: { workspaceId: string; changes: CartChange[] }): Promise<void> {
  const { workspaceId } = opts;
  const changes = opts.changes.filter((c) => ownerKey(c.owner) !== null);
  if (changes.length === 0) return;
  const customerIds = [...new Set(changes.flatMap((c) => (c.owner.customerId ? [c.owner.customerId] : [])))];
  const anonymousIds = [...new Set(changes.flatMap((c) => (!c.owner.customerId && c.owner.anonymousId ? [c.owner.anonymousId] : [])))];
  // Two index lookups, by customer and by visitor (among lines of no customer): an OR of the two
  // is answered by reading every open line of the workspace. Each locks its rows in id order;
  // every batch takes customers' lines before visitors', so two batches cannot deadlock.
  const open = (owner: SQL) =>
    db
      .select()
      .from(cartItems)
      .where(and(eq(cartItems.workspaceId, workspaceId), owner, isNull(cartItems.removedAt), isNull(cartItems.orderedAt)))
      .orderBy(asc(cartItems.id))
      .for('update');
  const rows = [
    ...(customerIds.length ? await open(sql`${cartItems.customerId} = any(${sql.param(customerIds)}::uuid[])`) : []),
    ...(anonymousIds.length ? await open(sql`${cartItems.customerId} is null and ${cartItems.anonymousId} = any(${sql.param(anonymousIds)}::text[])`) : []),
  ];
  const lines = new Map<string, Line[]>();
  for (const { workspaceId: _w, ...r } of rows) {
    const key = ownerKey(r)!;
    lines.set(key, [...(lines.get(key) ?? []), { ...r, fresh: false, dirty: false }]);
  }

  // Customers' abandoned lines bought or removed in this batch leave their abandoned-item count.
  const leftAbandonment = new Map<string, number>();
  const leave = (line: Line) => {
    if (line.abandonedAt && line.customerId) leftAbandonment.set(line.customerId, (leftAbandonment.get(line.customerId) ?? 0) + 1);
  };
  const sorted = changes.map((c, i) => ({ c, i })).sort((a, b) => a.c.at.getTime() - b.c.at.getTime() || a.i - b.i);
  for (const { c } of sorted) {
    const key = ownerKey(c.owner)!;
    const mine = lines.get(key) ?? [];
    lines.set(key, mine);
    const live = (l: Line) => !l.removedAt && !l.orderedAt;
    const later = (l: Line) => (l.updatedAt.getTime() < c.at.getTime() ? c.at : l.updatedAt);
    if (c.kind === 'add') {
      const line = mine.find((l) => live(l) && !l.abandonedAt && l.sku === c.line.sku);
      if (line) {
        line.quantity += c.line.quantity;
        line.updatedAt = later(line);
        line.cartId = c.line.cartId ?? line.cartId;
        if (c.line.price !== null) (line.price = c.line.price), (line.currency = c.line.currency);
        line.name = c.line.name ?? line.name;
        line.category = c.line.category ?? line.category;
        line.dirty = true;
      } else {
        mine.push({
          id: uuidv7(),
          customerId: c.owner.customerId,
          anonymousId: c.owner.customerId ? null : c.owner.anonymousId,
          cartId: c.line.cartId,
          productId: null,
          sku: c.line.sku,
          name: c.line.name,
          category: c.line.category,
          price: c.line.price,
          currency: c.line.currency,
          quantity: c.line.quantity,
          addedAt: c.at,
          updatedAt: c.at,
          removedAt: null,
          orderedAt: null,
          orderId: null,
          abandonedAt: null,
          fresh: true,
          dirty: true,
        });
      }
    } else if (c.kind === 'remove') {
      const line = mine.find((l) => live(l) && !l.abandonedAt && l.sku === c.sku) ?? mine.find((l) => live(l) && l.sku === c.sku);
      if (!line) continue;
      if (c.quantity !== null && c.quantity < line.quantity) line.quantity -= c.quantity;
      else {
        line.removedAt = c.at;
        leave(line);
      }
      line.updatedAt = later(line);
      line.dirty = true;
    } else {
      for (const line of mine) {
        if (!live(line) || line.addedAt.getTime() > c.at.getTime()) continue;
        if (c.skus && !c.skus.includes(line.sku)) continue;
        line.orderedAt = c.at;
        line.orderId = c.orderId;
        leave(line);
        line.updatedAt = later(line);
        line.dirty = true;
      }
    }
  }

  const all = [...lines.values()].flat();
  const json = (list: Line[]) =>
    JSON.stringify(
      list.map((l) => ({
        id: l.id,
        customer_id: l.customerId,
        anonymous_id: l.anonymousId,
        cart_id: l.cartId,
        sku: l.sku,
        name: l.name,
        category: l.category,
        price: l.price,
        currency: l.currency,
        quantity: l.quantity,
        added_at: l.addedAt.toISOString(),
        updated_at: l.updatedAt.toISOString(),
        removed_at: l.removedAt?.toISOString() ?? null,
        ordered_at: l.orderedAt?.toISOString() ?? null,
        order_id: l.orderId,
        fresh: l.fresh,
      })),
    );
  const columns = sql`r(id uuid, customer_id uuid, anonymous_id text, cart_id text, sku text, name text, category text, price bigint, currency text,
    quantity int, added_at timestamptz, updated_at timestamptz, removed_at timestamptz, ordered_at timestamptz, order_id uuid, fresh boolean)`;
  const written = all.filter((l) => l.dirty);
  if (written.length === 0) return;
  // New lines and changed ones in one statement: a changed line meets itself by primary key. What
  // an event leaves out of a new line (name, category, a price) comes from the catalogue.
  await db.execute(sql`
    insert into cart_items as c (workspace_id, id, customer_id, anonymous_id, cart_id, product_id, sku, name, category, price, currency, quantity,
      added_at, updated_at, removed_at, ordered_at, order_id)
    select ${workspaceId}::uuid, r.id, r.customer_id, r.anonymous_id, r.cart_id, p.id, r.sku, coalesce(r.name, p.name), coalesce(r.category, p.category),
      coalesce(r.price, case when p.currency = r.currency then p.price end), r.currency, r.quantity, r.added_at, r.updated_at, r.removed_at, r.ordered_at, r.order_id
    from jsonb_to_recordset(${json(written)}::jsonb) as ${columns}
    left join products p on r.fresh and p.workspace_id = ${workspaceId}::uuid and p.sku = r.sku
    order by r.id
    on conflict (workspace_id, id) do update set cart_id = excluded.cart_id, name = excluded.name, category = excluded.category, price = excluded.price,
      currency = excluded.currency, quantity = excluded.quantity, updated_at = excluded.updated_at, removed_at = excluded.removed_at,
      ordered_at = excluded.ordered_at, order_id = excluded.order_id`);
  await recordAbandonedCartMetrics(db, { workspaceId, items: [...leftAbandonment].map(([customerId, n]) => ({ customerId, count: -n })) });
}

/**
 * Orders placed through the API or an import close the cart lines they bought: the open and
 * abandoned lines of the customer (or visitor) for the ordered SKUs, added before the order.
 * Abandoned lines bought leave their customer's abandoned-item count.
 */
export async function markLinesOrdered(
  db: Queryable,
  opts: { workspaceId: string; orders: { orderId: string; owner: Owner; skus: string[] | null; at: Date }[] },
): Promise<number> {
  const list = opts.orders.filter((o) => ownerKey(o.owner) !== null);
  if (list.length === 0) return 0;
  const rows = list.map((o) => ({
    order_id: o.orderId,
    customer_id: o.owner.customerId,
    anonymous_id: o.owner.customerId ? null : o.owner.anonymousId,
    skus: o.skus,
    at: o.at.toISOString(),
  }));
  const result = await db.execute<{ customer_id: string | null; was_abandoned: boolean }>(sql`
    update cart_items c set ordered_at = r.at, order_id = r.order_id, updated_at = greatest(c.updated_at, r.at)
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(order_id uuid, customer_id uuid, anonymous_id text, skus jsonb, at timestamptz)
    where c.workspace_id = ${opts.workspaceId}::uuid and c.removed_at is null and c.ordered_at is null and c.added_at <= r.at
      and (c.customer_id = r.customer_id or (r.customer_id is null and c.customer_id is null and c.anonymous_id = r.anonymous_id))
      and (r.skus is null or jsonb_exists(r.skus, c.sku))
    returning c.customer_id, c.abandoned_at is not null as was_abandoned`);
  const recovered = result.rows.flatMap((r) => (r.was_abandoned && r.customer_id ? [{ customerId: r.customer_id, count: -1 }] : []));
  await recordAbandonedCartMetrics(db, { workspaceId: opts.workspaceId, items: recovered });
  return result.rows.length;
}

/** A customer's cart: lines still open and lines abandoned (not ordered, not removed), newest first. */
export async function customerCartLines(db: Queryable, opts: { workspaceId: string; customerId: string }): Promise<CartLine[]> {
  const rows = await db
    .select()
    .from(cartItems)
    .where(and(eq(cartItems.workspaceId, opts.workspaceId), eq(cartItems.customerId, opts.customerId), isNull(cartItems.removedAt), isNull(cartItems.orderedAt)))
    .orderBy(desc(cartItems.updatedAt), desc(cartItems.id));
  return rows.map(toCartLine);
}

export type AbandonedCart = {
  /** `c:<customer id>` or `a:<anonymous id>`, with the currency: what the cursor pages by. */
  key: string;
  customerId: string | null;
  anonymousId: string | null;
  currency: string;
  /** Σ price × quantity of the lines that have a price, in minor units. */
  value: number;
  quantity: number;
  abandonedAt: string;
  lastActivityAt: string;
  items: { id: string; sku: string; name: string | null; category: string | null; productId: string | null; price: number | null; quantity: number; addedAt: string; abandonedAt: string }[];
};

/**
 * Abandoned carts across the workspace, newest abandonment first: per customer (or visitor) and
 * currency, the lines abandoned and neither ordered nor removed since (or, with `recovered`,
 * the abandoned lines that were ordered after all).
 */
export async function listAbandonedCarts(
  db: Queryable,
  opts: { workspaceId: string; minValue?: number; recovered?: boolean; customerId?: string; limit: number; cursor?: string },
): Promise<{ items: AbandonedCart[]; nextCursor: string | null }> {
  const at = sql`date_trunc('milliseconds', max(abandoned_at))`;
  const having = [sql`true`];
  if (opts.minValue !== undefined) having.push(sql`sum(coalesce(price, 0) * quantity) >= ${opts.minValue}`);
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor, 'key');
    const t = cursorTime(c.value).toISOString();
    having.push(sql`(${at} < ${t}::timestamptz or (${at} = ${t}::timestamptz and owner < ${c.id}))`);
  }
  const { rows } = await db.execute<{
    key: string;
    customer_id: string | null;
    anonymous_id: string | null;
    currency: string;
    value: number;
    quantity: number;
    abandoned_at: string;
    last_activity_at: string;
    items: AbandonedCart['items'];
  }>(sql`
    select owner as key, customer_id, min(anonymous_id) as anonymous_id, currency, sum(coalesce(price, 0) * quantity)::bigint as value,
      sum(quantity)::int as quantity, ${at} as abandoned_at, max(updated_at) as last_activity_at,
      jsonb_agg(jsonb_build_object('id', id, 'sku', sku, 'name', name, 'category', category, 'productId', product_id, 'price', price,
        'quantity', quantity, 'addedAt', added_at, 'abandonedAt', abandoned_at) order by added_at, id) as items
    from (
      select *, case when customer_id is not null then 'c:' || customer_id::text else 'a:' || coalesce(anonymous_id, '') end || ':' || currency as owner
      from cart_items
      where workspace_id = ${opts.workspaceId}::uuid and abandoned_at is not null and removed_at is null
        and ${opts.recovered ? sql`ordered_at is not null` : sql`ordered_at is null`}
        ${opts.customerId ? sql`and customer_id = ${opts.customerId}::uuid` : sql``}
    ) lines
    group by owner, customer_id, currency
    having ${sql.join(having, sql` and `)}
    order by ${at} desc, owner desc
    limit ${opts.limit + 1}`);
  const iso = (v: string) => new Date(v).toISOString();
  const page = rows.slice(0, opts.limit).map(
    (r): AbandonedCart => ({
      key: r.key,
      customerId: r.customer_id,
      anonymousId: r.customer_id ? null : r.anonymous_id,
      currency: r.currency,
      value: Number(r.value),
      quantity: Number(r.quantity),
      abandonedAt: iso(r.abandoned_at),
      lastActivityAt: iso(r.last_activity_at),
      items: r.items.map((i) => ({ ...i, addedAt: iso(i.addedAt), abandonedAt: iso(i.abandonedAt) })),
    }),
  );
  const last = page.at(-1);
  return { items: page, nextCursor: rows.length > opts.limit && last ? encodeCursor(last.abandonedAt, last.key) : null };
}

export const DEFAULT_ABANDONED_CART_MINUTES = 60;
/** Thirty days: past that, a line is history, not a cart. */
export const MAX_ABANDONED_CART_MINUTES = 43_200;

export type CommerceSettings = { abandonedCartMinutes: number; updatedAt: string | null };

export async function getCommerceSettings(db: Queryable, opts: { workspaceId: string }): Promise<CommerceSettings> {
  const [row] = await db.select().from(commerceSettings).where(eq(commerceSettings.workspaceId, opts.workspaceId));
  return { abandonedCartMinutes: row?.abandonedCartMinutes ?? DEFAULT_ABANDONED_CART_MINUTES, updatedAt: row ? row.updatedAt.toISOString() : null };
}

export async function setCommerceSettings(db: Queryable, opts: { workspaceId: string; abandonedCartMinutes: number }): Promise<CommerceSettings> {
  const m = opts.abandonedCartMinutes;
  if (!Number.isInteger(m) || m < 1 || m > MAX_ABANDONED_CART_MINUTES) {
    throw new AppError('invalid_input', `body.abandonedCartMinutes: must be a whole number of minutes from 1 to ${MAX_ABANDONED_CART_MINUTES} (30 days)`);
  }
  const [row] = await db
    .insert(commerceSettings)
    .values({ workspaceId: opts.workspaceId, abandonedCartMinutes: m })
    .onConflictDoUpdate({ target: commerceSettings.workspaceId, set: { abandonedCartMinutes: m, updatedAt: new Date() } })
    .returning();
  return { abandonedCartMinutes: row!.abandonedCartMinutes, updatedAt: row!.updatedAt.toISOString() };
}
