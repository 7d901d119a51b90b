// What a template knows about the customer it is rendered for: the profile, custom attributes,
// metrics (grade, CLV band, favourite category, last order), product recommendations and the
// workspace, loaded for many customers in a few queries (a 100k send loads them a batch at a
// time). CONTEXT_VARIABLES is the same shape as data, so a template that names anything else is
// refused when it is saved. The caller adds `data` (its own values) and `message` (unsubscribe_url).
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { clock } from '../clock.ts';
import { currencyExponent, formatMoney, fromMinorUnits } from '../commerce/money.ts';
import { listAttributeDefs } from '../customers/attributes.ts';
import { maskEmail, maskPhone } from '../customers/fields.ts';
import { maskPersonalData } from '../customers/personal-data.ts';
import type { VariableSpec } from './liquid.ts';

export type ClvBand = 'high' | 'medium' | 'low';

export type LastOrder = { at: string | null; date: string | null; total: number | null; total_formatted: string | null; currency: string | null };

export type Recommendation = { product_id: string; name: string; url: string | null; image: string | null; price: number | null; price_formatted: string | null; currency: string; category: string | null };

export type CustomerVariables = {
  id: string;
  external_id: string | null;
  name: string | null;
  first_name: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  time_zone: string | null;
  birthday: string | null;
  gender: string | null;
  tags: string[];
  grade: string | null;
  clv_band: ClvBand | null;
  rfm_segment: string | null;
  favourite_category: string | null;
  order_count: number;
  last_order: LastOrder;
  /** Every custom attribute the workspace defines (null when the customer has no value), and any other the profile holds. */
  attributes: Record<string, unknown>;
};

export type LiquidContext = {
  customer: CustomerVariables;
  recommendations: Recommendation[];
  workspace: { name: string };
  /** The caller's values: anything. */
  data?: Record<string, unknown>;
  message?: { unsubscribe_url: string | null };
};

const scalar: VariableSpec = { type: 'scalar' };
const object = (names: string[], more: Record<string, VariableSpec> = {}): VariableSpec => ({
  type: 'object',
  fields: { ...Object.fromEntries(names.map((n) => [n, scalar])), ...more },
});

export const RECOMMENDATION_FIELDS = ['product_id', 'name', 'url', 'image', 'price', 'price_formatted', 'currency', 'category'];

/**
 * What templates may name. `customer.attributes` takes any key unless the workspace's attribute
 * keys are given (then only those: a typo is caught when the template is saved).
 */
export function contextVariables(opts: { attributeKeys?: string[] } = {}): Record<string, VariableSpec> {
  const attributes: VariableSpec = opts.attributeKeys ? object(opts.attributeKeys) : { type: 'any' };
  return {
    customer: object(
      ['id', 'external_id', 'name', 'first_name', 'email', 'phone', 'locale', 'time_zone', 'birthday', 'gender', 'grade', 'clv_band', 'rfm_segment', 'favourite_category', 'order_count'],
      {
        tags: { type: 'list', items: scalar },
        last_order: object(['at', 'date', 'total', 'total_formatted', 'currency']),
        attributes,
      },
    ),
    recommendations: { type: 'list', items: object(RECOMMENDATION_FIELDS) },
    workspace: object(['name']),
    data: { type: 'any' },
    message: object(['unsubscribe_url']),
  };
}

/** Two-syllable Korean family names (남궁민수 → 민수). */
const COMPOUND_SURNAMES = new Set(['남궁', '황보', '제갈', '선우', '독고', '사공', '서문', '동방', '어금', '망절']);
const HANGUL_WORD = /^[\uAC00-\uD7A3]+$/;

/**
 * The given name a message greets with. A Korean name written as one word of 3 syllables (or 4
 * with a two-syllable family name) loses its family name: 김민준 → 민준, 남궁민수 → 민수. Written
 * with a space (김 민준), the words after a one-syllable family name. Otherwise the first word
 * (Jane Doe → Jane; a two-syllable Korean name such as 김준 stays whole, as people address it).
 */
export function firstNameOf(name: string | null | undefined): string | null {
  const n = name?.trim();
  if (!n) return null;
  const words = n.split(/\s+/);
  if (words.length === 1 && HANGUL_WORD.test(n)) {
    if (n.length === 4 && COMPOUND_SURNAMES.has(n.slice(0, 2))) return n.slice(2);
    if (n.length === 3) return COMPOUND_SURNAMES.has(n.slice(0, 2)) ? n.slice(2) : n.slice(1);
    return n;
  }
  if (words.length > 1 && words.every((w) => HANGUL_WORD.test(w)) && (words[0]!.length === 1 || COMPOUND_SURNAMES.has(words[0]!))) return words.slice(1).join(' ');
  return words[0]!;
}

// --- CLV bands ------------------------------------------------------------------------------------

type ClvCuts = { lower: number; upper: number } | null;
const CLV_CUTS_TTL_MS = 10 * 60_000;
const clvCutsCache = new Map<string, { at: number; cuts: ClvCuts }>();

/**
 * The workspace's CLV tertiles among customers with a positive CLV, kept 10 minutes: a 100k send
 * reads them once, not once per batch, and scores change once a day.
 */
async function clvCuts(db: Queryable, workspaceId: string): Promise<ClvCuts> {
  const cached = clvCutsCache.get(workspaceId);
  if (cached && clock.nowMs() - cached.at < CLV_CUTS_TTL_MS) return cached.cuts;
  const { rows } = await db.execute<{ lower: number | null; upper: number | null }>(sql`
    select percentile_cont(1.0 / 3) within group (order by clv) as lower, percentile_cont(2.0 / 3) within group (order by clv) as upper
    from customer_metrics where workspace_id = ${workspaceId}::uuid and clv > 0`);
  const r = rows[0];
  const cuts = r && r.lower !== null && r.upper !== null ? { lower: Number(r.lower), upper: Number(r.upper) } : null;
  clvCutsCache.set(workspaceId, { at: clock.nowMs(), cuts });
  return cuts;
}

/**
 * A customer's CLV band: the top third of the workspace's positive CLVs is `high`, the middle
 * third `medium`; a CLV of 0 or below, and the bottom third, `low`; not scored yet: null.
 */
export function clvBandOf(clv: number | null, cuts: ClvCuts): ClvBand | null {
  if (clv === null) return null;
  if (clv <= 0 || !cuts) return 'low';
  if (clv >= cuts.upper) return 'high';
  if (clv >= cuts.lower) return 'medium';
  return 'low';
}

// --- loading --------------------------------------------------------------------------------------

type ProfileRow = {
  id: string;
  external_id: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  time_zone: string | null;
  birthday: string | null;
  gender: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  grade: string | null;
  rfm_segment: string | null;
  clv: number | null;
  order_count: number | null;
  favourite_category: string | null;
  last_at: Date | null;
  last_total: number | null;
  last_currency: string | null;
};

type ProductRow = { id: string; name: string; url: string | null; image_url: string | null; price: number | null; currency: string; category: string | null };

function dateIn(at: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  } catch {
    return at.toISOString().slice(0, 10);
  }
}

/**
 * formatMoney's text with its Intl.NumberFormat kept per currency and locale: made anew for each
 * of a batch's 5,000 recommendation prices, the formatters took 0.4 s of every 500 customers.
 */
const formatters = new Map<string, (minor: number) => string>();
function formatterFor(currency: string, locale: string): (minor: number) => string {
  const key = `${currency}:${locale}`;
  let f = formatters.get(key);
  if (!f) {
    const exp = currencyExponent(currency);
    try {
      const nf = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: exp, maximumFractionDigits: exp });
      f = (minor) => nf.format(minor / 10 ** exp);
    } catch {
      f = (minor) => formatMoney(minor, currency, locale);
    }
    if (formatters.size > 200) formatters.clear();
    formatters.set(key, f);
  }
  return f;
}

const money = (minor: number | null, currency: string | null, locale: string) =>
  minor === null || currency === null ? { amount: null, formatted: null } : { amount: fromMinorUnits(Number(minor), currency), formatted: formatterFor(currency, locale)(Number(minor)) };

/**
 * Each customer's template variables, by id; deleted customers (and ids of other workspaces) are
 * left out. Six queries however many customers: the workspace, its attribute keys, the CLV cuts
 * (cached), the profiles with their metrics, last order and favourite category, the
 * recommendations and their products.
 */
export async function loadContexts(db: Queryable, workspaceId: string, customerIds: string[]): Promise<Map<string, LiquidContext>> {
  const out = new Map<string, LiquidContext>();
  const ids = [...new Set(customerIds.map((id) => id.toLowerCase()))];
  if (ids.length === 0) return out;
  const { rows: ws } = await db.execute<{ name: string; time_zone: string }>(sql`select name, time_zone from workspaces where id = ${workspaceId}::uuid`);
  const workspace = ws[0];
  if (!workspace) return out;
  const attributeKeys = (await listAttributeDefs(db, { workspaceId })).map((d) => d.key);
  const cuts = await clvCuts(db, workspaceId);

  // Customer by customer (unnest): index lookups whatever the statistics say.
  const { rows: profiles } = await db.execute<ProfileRow>(sql`
    select c.id, c.external_id, c.name, c.email, c.phone, c.locale, c.time_zone, c.birthday::text as birthday, c.gender, c.tags, c.attributes,
      m.grade, m.rfm_segment, m.clv, m.order_count, pref.category as favourite_category,
      o.placed_at as last_at, o.total as last_total, o.currency as last_currency
    from unnest(${sql.param(ids)}::uuid[]) as x(id)
    join customers c on c.workspace_id = ${workspaceId}::uuid and c.id = x.id and c.deleted_at is null
    left join customer_metrics m on m.workspace_id = c.workspace_id and m.customer_id = c.id
    left join lateral (
      select p.category from customer_preferences p
      where p.workspace_id = c.workspace_id and p.customer_id = c.id
      order by p.weight desc, (p.source = 'survey') desc, p.category limit 1
    ) pref on true
    left join lateral (
      select placed_at, total - refunded_total as total, currency from orders
      where workspace_id = c.workspace_id and customer_id = c.id and status <> 'cancelled'
      order by placed_at desc limit 1
    ) o on true`);

  // Customer by customer (unnest), then their products, joined here. As one join, or with
  // `customer_id = any(…)`, a planner with stale statistics (right after the recommendations job
  // rewrote the table) scanned the workspace's every row: 80–200 ms for 500 customers. One row per
  // customer with the ids in rank order: one row per recommendation (5,000) took longer to read.
  const { rows: recs } = await db.execute<{ customer_id: string; products: string }>(sql`
    select x.id as customer_id, array_to_string(array(
      select r.product_id from customer_recommendations r
      where r.workspace_id = ${workspaceId}::uuid and r.customer_id = x.id order by r.rank), ',') as products
    from unnest(${sql.param(ids)}::uuid[]) as x(id)`);
  const recsOf = new Map(recs.map((r) => [r.customer_id, r.products ? r.products.split(',') : []]));
  const productIds = [...new Set([...recsOf.values()].flat())];
  const { rows: productRows } = productIds.length
    ? await db.execute<ProductRow>(sql`
        select id, name, url, image_url, price, currency, category from products
        where workspace_id = ${workspaceId}::uuid and id = any(${sql.param(productIds)}::uuid[]) and deleted_at is null`)
    : { rows: [] as ProductRow[] };
  const productOf = new Map(productRows.map((p) => [p.id, { ...p, money: money(p.price, p.currency, 'ko') }]));
  const recommendationsOf = (customerId: string): Recommendation[] =>
    (recsOf.get(customerId) ?? []).flatMap((productId) => {
      const p = productOf.get(productId);
      return p ? [{ product_id: p.id, name: p.name, url: p.url, image: p.image_url, price: p.money.amount, price_formatted: p.money.formatted, currency: p.currency, category: p.category }] : [];
    });

  for (const p of profiles) {
    const timeZone = p.time_zone ?? workspace.time_zone;
    const lastAt = p.last_at ? new Date(p.last_at) : null;
    const total = money(p.last_total, p.last_currency, p.locale ?? 'ko');
    const attributes: Record<string, unknown> = Object.fromEntries(attributeKeys.map((k) => [k, null]));
    Object.assign(attributes, p.attributes ?? {});
    out.set(p.id, {
      customer: {
        id: p.id,
        external_id: p.external_id,
        name: p.name,
        first_name: firstNameOf(p.name),
        email: p.email,
        phone: p.phone,
        locale: p.locale,
        time_zone: timeZone,
        birthday: p.birthday,
        gender: p.gender,
        tags: p.tags ?? [],
        grade: p.grade,
        clv_band: clvBandOf(p.clv === null ? null : Number(p.clv), cuts),
        rfm_segment: p.rfm_segment,
        favourite_category: p.favourite_category,
        order_count: Number(p.order_count ?? 0),
        last_order: {
          at: lastAt ? lastAt.toISOString() : null,
          date: lastAt ? dateIn(lastAt, timeZone) : null,
          total: total.amount,
          total_formatted: total.formatted,
          currency: p.last_currency,
        },
        attributes,
      },
      recommendations: recommendationsOf(p.id),
      workspace: { name: workspace.name },
    });
  }
  return out;
}

/** The context as a role without pii.read may see it: e-mail and phone masked, as are personal custom attributes. */
export function maskContext(context: LiquidContext): LiquidContext {
  const c = context.customer;
  return {
    ...context,
    customer: { ...c, email: maskEmail(c.email), phone: maskPhone(c.phone), attributes: maskPersonalData(c.attributes) },
    ...(context.data ? { data: maskPersonalData(context.data) } : {}),
  };
}

/** A made-up customer for the editor's byte count and a preview before any customer is chosen. */
export function sampleContext(workspaceName: string, attributeKeys: string[] = []): LiquidContext {
  return {
    customer: {
      id: '00000000-0000-7000-8000-000000000000',
      external_id: 'C-1001',
      name: '김민준',
      first_name: '민준',
      email: 'minjun@example.com',
      phone: '+821012345678',
      locale: 'ko-KR',
      time_zone: 'Asia/Seoul',
      birthday: '1990-05-17',
      gender: 'M',
      tags: ['vip'],
      grade: 'VIP',
      clv_band: 'high',
      rfm_segment: 'Champions',
      favourite_category: '여성 > 신발',
      order_count: 7,
      last_order: { at: '2026-03-02T05:10:00.000Z', date: '2026-03-02', total: 89000, total_formatted: '₩89,000', currency: 'KRW' },
      attributes: Object.fromEntries(attributeKeys.map((k) => [k, null])),
    },
    recommendations: [1, 2, 3].map((i) => ({
      product_id: `00000000-0000-7000-8000-00000000000${i}`,
      name: `추천 상품 ${i}`,
      url: `https://shop.example.com/p/${i}`,
      image: `https://shop.example.com/p/${i}.jpg`,
      price: 39000 + i * 1000,
      price_formatted: `₩${(39000 + i * 1000).toLocaleString('en')}`,
      currency: 'KRW',
      category: '여성 > 신발',
    })),
    workspace: { name: workspaceName },
    data: {},
    message: { unsubscribe_url: 'https://rapport.example.com/u/sample' },
  };
}
