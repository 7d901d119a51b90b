// The product catalogue: learnt from e-commerce events, written through the API and CSV
// imports, read by the lists, orders and carts. Products are unique per workspace by SKU.
import { and, asc, eq, gt, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { CURRENCY_PATTERN } from './money.ts';
import { products } from './schema.ts';
import { categoryPath, type ProductFacts } from './segment.ts';

export type Product = {
  id: string;
  sku: string;
  name: string;
  brand: string | null;
  category: string | null;
  /** Minor units of `currency`. */
  price: number | null;
  currency: string;
  imageUrl: string | null;
  url: string | null;
  attributes: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
};

export type ProductRow = typeof products.$inferSelect;

export function toProduct(r: ProductRow): Product {
  return {
    id: r.id,
    sku: r.sku,
    name: r.name,
    brand: r.brand,
    category: r.category,
    price: r.price,
    currency: r.currency,
    imageUrl: r.imageUrl,
    url: r.url,
    attributes: r.attributes,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    deletedAt: r.deletedAt ? r.deletedAt.toISOString() : null,
  };
}

/** What the API and imports give for a product. Absent fields keep their stored value on update. */
export type ProductInput = {
  sku: string;
  name?: string;
  brand?: string | null;
  category?: string | null;
  price?: number | null;
  currency?: string;
  imageUrl?: string | null;
  url?: string | null;
  attributes?: Record<string, unknown>;
};

const FIELDS = ['name', 'brand', 'category', 'price', 'currency', 'imageUrl', 'url', 'attributes'] as const;
type Field = (typeof FIELDS)[number];

/** The input checked and trimmed; problems name their field under `path`. */
export function checkProductInput(input: ProductInput, path: string, opts: { requireName: boolean }): { value: ProductInput; problems: string[] } {
  const problems: string[] = [];
  const value: ProductInput = { sku: typeof input.sku === 'string' ? input.sku.trim() : '' };
  if (!value.sku) problems.push(`${path}.sku: must not be empty`);
  else if (value.sku.length > 200) problems.push(`${path}.sku: must be at most 200 characters`);
  if (input.name !== undefined) {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name) problems.push(`${path}.name: must not be empty`);
    else value.name = name.slice(0, 500);
  } else if (opts.requireName) problems.push(`${path}.name: is required`);
  const optionalText = (key: 'brand' | 'imageUrl' | 'url', max: number) => {
    const v = input[key];
    if (v === undefined) return;
    if (v === null || v.trim() === '') value[key] = null;
    else if (v.trim().length > max) problems.push(`${path}.${key}: must be at most ${max} characters`);
    else value[key] = v.trim();
  };
  optionalText('brand', 200);
  optionalText('imageUrl', 2000);
  optionalText('url', 2000);
  if (input.category !== undefined) value.category = input.category === null ? null : categoryPath(input.category);
  if (input.price !== undefined) {
    if (input.price === null) value.price = null;
    else if (!Number.isSafeInteger(input.price) || input.price < 0) problems.push(`${path}.price: must be a whole number of minor units ≥ 0 (e.g. 89000 for ₩89,000, 1299 for $12.99)`);
    else value.price = input.price;
  }
  if (input.currency !== undefined) {
    const c = input.currency.trim().toUpperCase();
    if (!CURRENCY_PATTERN.test(c)) problems.push(`${path}.currency: "${input.currency}" is not an ISO 4217 code such as KRW or USD`);
    else value.currency = c;
  }
  if (input.attributes !== undefined) {
    if (!input.attributes || typeof input.attributes !== 'object' || Array.isArray(input.attributes)) problems.push(`${path}.attributes: must be an object`);
    else value.attributes = input.attributes;
  }
  return { value, problems };
}

/**
 * What events say about products, merged into the catalogue in one statement: later events of
 * the batch win, and a field an event does not give keeps its stored value. Rows that would not
 * change are not written (a product is viewed far more often than it changes).
 */
export async function learnProducts(db: Queryable, opts: { workspaceId: string; facts: ProductFacts[] }): Promise<void> {
  if (opts.facts.length === 0) return;
  const bySku = new Map<string, ProductFacts>();
  for (const f of opts.facts) {
    const prev = bySku.get(f.sku);
    if (!prev) {
      bySku.set(f.sku, f);
      continue;
    }
    const priced = f.price !== null;
    bySku.set(f.sku, {
      sku: f.sku,
      name: f.name ?? prev.name,
      brand: f.brand ?? prev.brand,
      category: f.category ?? prev.category,
      price: priced ? f.price : prev.price,
      currency: priced ? f.currency : prev.currency,
      imageUrl: f.imageUrl ?? prev.imageUrl,
      url: f.url ?? prev.url,
    });
  }
  // Sorted by SKU, so that concurrent batches lock the rows they share in the same order.
  const rows = [...bySku.values()].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0)).map((f) => ({ id: uuidv7(), ...f, priced: f.price !== null }));
  // A product first seen without a name is named by its SKU until an event names it.
  // Facts that change nothing are dropped before the insert: ON CONFLICT DO UPDATE locks every
  // conflicting row even when its WHERE is false, and concurrent batches viewing the same
  // products would otherwise wait for each other's whole transaction.
  await db.execute(sql`
    insert into products as p (workspace_id, id, sku, name, brand, category, price, currency, image_url, url)
    select ${opts.workspaceId}::uuid, r.id, r.sku, coalesce(r.name, r.sku), r.brand, r.category, r.price, r.currency, r."imageUrl", r.url
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as r(id uuid, sku text, name text, brand text, category text, price bigint, currency text, "imageUrl" text, url text, priced boolean)
    left join products q on q.workspace_id = ${opts.workspaceId}::uuid and q.sku = r.sku
    where q.sku is null or (q.name, q.brand, q.category, q.price, q.currency, q.image_url, q.url) is distinct from (
      case when coalesce(r.name, r.sku) = r.sku then q.name else r.name end,
      coalesce(r.brand, q.brand), coalesce(r.category, q.category), coalesce(r.price, q.price),
      case when r.price is null then q.currency else r.currency end,
      coalesce(r."imageUrl", q.image_url), coalesce(r.url, q.url))
    order by r.sku
    on conflict (workspace_id, sku) do update set
      name = case when excluded.name = excluded.sku then p.name else excluded.name end,
      brand = coalesce(excluded.brand, p.brand),
      category = coalesce(excluded.category, p.category),
      price = coalesce(excluded.price, p.price),
      currency = case when excluded.price is null then p.currency else excluded.currency end,
      image_url = coalesce(excluded.image_url, p.image_url),
      url = coalesce(excluded.url, p.url),
      updated_at = now()
    where (p.name, p.brand, p.category, p.price, p.currency, p.image_url, p.url) is distinct from (
      case when excluded.name = excluded.sku then p.name else excluded.name end,
      coalesce(excluded.brand, p.brand), coalesce(excluded.category, p.category), coalesce(excluded.price, p.price),
      case when excluded.price is null then p.currency else excluded.currency end,
      coalesce(excluded.image_url, p.image_url), coalesce(excluded.url, p.url))`);
}

export type UpsertedProduct = { id: string; sku: string; created: boolean };

/**
 * Creates or updates products by SKU in one statement (API and imports). Given fields replace
 * the stored ones; a deleted product given again is restored. One row per SKU (the last wins).
 * `defaultCurrency` is used for new products that name none.
 */
export async function upsertProducts(db: Queryable, opts: { workspaceId: string; products: ProductInput[]; defaultCurrency: string }): Promise<UpsertedProduct[]> {
  if (opts.products.length === 0) return [];
  const bySku = new Map<string, ProductInput>();
  for (const p of opts.products) bySku.set(p.sku, { ...bySku.get(p.sku), ...p });
  const rows = [...bySku.values()]
    .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))
    .map((p) => ({
      id: uuidv7(),
      sku: p.sku,
      name: p.name ?? p.sku,
      brand: p.brand ?? null,
      category: p.category ?? null,
      price: p.price ?? null,
      currency: p.currency ?? opts.defaultCurrency,
      imageUrl: p.imageUrl ?? null,
      url: p.url ?? null,
      attributes: p.attributes ?? {},
      given: FIELDS.filter((f: Field) => p[f] !== undefined),
    }));
  const json = JSON.stringify(rows);
  const recordset = sql`jsonb_to_recordset(${json}::jsonb)
    as r(id uuid, sku text, name text, brand text, category text, price bigint, currency text, "imageUrl" text, url text, attributes jsonb, given jsonb)`;
  // New SKUs in one statement; then the existing ones, each given field replacing the stored one.
  const { rows: inserted } = await db.execute<{ id: string; sku: string }>(sql`
    insert into products (workspace_id, id, sku, name, brand, category, price, currency, image_url, url, attributes)
    select ${opts.workspaceId}::uuid, r.id, r.sku, r.name, r.brand, r.category, r.price, r.currency, r."imageUrl", r.url, r.attributes
    from ${recordset} order by r.sku
    on conflict (workspace_id, sku) do nothing
    returning id, sku`);
  const created = new Set(inserted.map((r) => r.sku));
  const keep = (field: Field, column: string) => sql.raw(`case when r.given ? '${field}' then r.${field === column ? column : `"${field}"`} else p.${column} end`);
  const { rows: updated } = await db.execute<{ id: string; sku: string }>(sql`
    update products p set
      name = ${keep('name', 'name')}, brand = ${keep('brand', 'brand')}, category = ${keep('category', 'category')}, price = ${keep('price', 'price')},
      currency = ${keep('currency', 'currency')}, image_url = ${keep('imageUrl', 'image_url')}, url = ${keep('url', 'url')},
      attributes = ${keep('attributes', 'attributes')}, deleted_at = null, updated_at = now()
    from ${recordset}
    where p.workspace_id = ${opts.workspaceId}::uuid and p.sku = r.sku and not (r.sku = any(${sql.param([...created])}::text[]))
    returning p.id, p.sku`);
  const out = [...inserted.map((r) => ({ ...r, created: true })), ...updated.map((r) => ({ ...r, created: false }))];
  const bySkuOut = new Map(out.map((r) => [r.sku, r]));
  return opts.products.map((p) => {
    const r = bySkuOut.get(p.sku)!;
    return { id: r.id, sku: r.sku, created: r.created };
  });
}

export async function getProductRow(db: Queryable, opts: { workspaceId: string; id: string; includeDeleted?: boolean }): Promise<ProductRow | undefined> {
  const [row] = await db
    .select()
    .from(products)
    .where(and(eq(products.workspaceId, opts.workspaceId), eq(products.id, opts.id), opts.includeDeleted ? undefined : isNull(products.deletedAt)));
  return row;
}

export async function requireProduct(db: Queryable, opts: { workspaceId: string; id: string }): Promise<ProductRow> {
  const row = await getProductRow(db, opts);
  if (!row) throw new AppError('not_found', `product ${opts.id} not found`);
  return row;
}

/** Product ids of the given SKUs (deleted products included: old orders still point at them). */
export async function productIdsBySku(db: Queryable, opts: { workspaceId: string; skus: string[] }): Promise<Map<string, string>> {
  const skus = [...new Set(opts.skus)];
  if (skus.length === 0) return new Map();
  const rows = await db
    .select({ id: products.id, sku: products.sku })
    .from(products)
    .where(and(eq(products.workspaceId, opts.workspaceId), sql`${products.sku} = any(${sql.param(skus)}::text[])`));
  return new Map(rows.map((r) => [r.sku, r.id]));
}

export async function updateProduct(db: Queryable, opts: { workspaceId: string; id: string; patch: Omit<ProductInput, 'sku'> & { sku?: string } }): Promise<Product> {
  const current = await requireProduct(db, opts);
  const { value, problems } = checkProductInput({ ...opts.patch, sku: opts.patch.sku ?? current.sku }, 'body', { requireName: false });
  if (problems.length) throw new AppError('invalid_input', problems.join('; '));
  if (value.sku !== current.sku) {
    const taken = await productIdsBySku(db, { workspaceId: opts.workspaceId, skus: [value.sku] });
    if (taken.size) throw new AppError('conflict', `body.sku: "${value.sku}" is the SKU of another product (${taken.get(value.sku)})`, { field: 'sku', productId: taken.get(value.sku) });
  }
  const set: Partial<typeof products.$inferInsert> = { sku: value.sku, updatedAt: new Date() };
  for (const f of FIELDS) if (value[f] !== undefined) Object.assign(set, { [f]: value[f] });
  const [row] = await db
    .update(products)
    .set(set)
    .where(and(eq(products.workspaceId, opts.workspaceId), eq(products.id, opts.id)))
    .returning();
  return toProduct(row!);
}

/** Soft delete: lists leave it out; orders and carts keep pointing at it; an upsert of its SKU restores it. */
export async function deleteProduct(db: Queryable, opts: { workspaceId: string; id: string }): Promise<void> {
  await requireProduct(db, opts);
  await db
    .update(products)
    .set({ deletedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(products.workspaceId, opts.workspaceId), eq(products.id, opts.id)));
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export type ProductQuery = { q?: string; category?: string; deleted?: boolean; limit: number; cursor?: string };

/** By name, then id; `q` searches name and SKU; `category` matches the path and everything under it. */
export async function listProducts(db: Queryable, opts: { workspaceId: string } & ProductQuery): Promise<{ items: Product[]; nextCursor: string | null }> {
  const conditions: (SQL | undefined)[] = [eq(products.workspaceId, opts.workspaceId), opts.deleted ? isNotNull(products.deletedAt) : isNull(products.deletedAt)];
  const q = opts.q?.trim();
  if (q) {
    const pattern = `%${likeEscape(q)}%`;
    conditions.push(or(sql`${products.name} ilike ${pattern}`, sql`${products.sku} ilike ${pattern}`));
  }
  const category = opts.category ? categoryPath(opts.category) : null;
  if (category) conditions.push(or(eq(products.category, category), sql`${products.category} like ${`${likeEscape(category)} > %`}`));
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor);
    if (typeof c.value !== 'string') throw new AppError('invalid_input', 'query.cursor: is not a cursor from this list (use nextCursor as given)');
    conditions.push(or(gt(products.name, c.value), and(eq(products.name, c.value), gt(products.id, c.id))));
  }
  const rows = await db
    .select()
    .from(products)
    .where(and(...conditions))
    .orderBy(asc(products.name), asc(products.id))
    .limit(opts.limit + 1);
  const items = rows.slice(0, opts.limit);
  const last = items.at(-1);
  return { items: items.map(toProduct), nextCursor: rows.length > opts.limit && last ? encodeCursor(last.name, last.id) : null };
}
