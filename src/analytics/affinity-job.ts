// Preference and style inference of a workspace: category, brand and price-band affinities from
// product views (weighted by dwell), cart adds, favourites and purchases with time decay
// (affinity.ts), stored as the customers' inferred preferences beside the stated ones:
// categories under their path, brands as `brand:<name>`, price bands as `price:<band>`.
import { sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/connection.ts';
import { replacePreferencesBulk } from '../customers/preferences.ts';
import { inferAffinities, priceBands, type Signal, type SignalKind } from './affinity.ts';
import { inBackground, lastRun, recordRun, sinceOf, touchedFor, yieldToLive, type RunMode, type Touched } from './runs.ts';

const SIGNAL_DAYS = 180;
const EVENT_KINDS: Record<string, SignalKind> = {
  'Product Viewed': 'view',
  'Product Added': 'cart_add',
  'Product Added to Wishlist': 'favourite',
};

type SignalRow = { customer_id: string; kind: string; at: Date; dwell_ms: number | null; category: string | null; brand: string | null; price: number | null };

/**
 * Customers whose signals an incremental run reads per query: each of their events is a page
 * read at random (~60 pages per customer at 20M events), so a chunk of 1,000 took 1–3 s beside
 * 5,000 events/s, and the live updates waited behind it; it yields to them between chunks.
 */
const TOUCHED_CHUNK = 250;

function* signals(rows: SignalRow[]): Generator<Signal> {
  for (const r of rows) {
    const dwell = r.dwell_ms === null ? undefined : Number(r.dwell_ms);
    const kind: SignalKind | undefined = r.kind === 'purchase' ? 'purchase' : r.kind === 'Product Dwell' ? 'view' : EVENT_KINDS[r.kind];
    if (!kind) continue;
    yield {
      customerId: r.customer_id,
      kind,
      at: new Date(r.at),
      dwellMs: dwell,
      category: r.category ?? undefined,
      brand: r.brand ?? undefined,
      price: r.price === null ? undefined : Number(r.price),
    };
  }
}

type PreferenceSet = { customerId: string; preferences: { category: string; weight: number }[] };

/**
 * The sets that differ from the customers' stored inferred preferences. Only those are written:
 * each written customer is reported changed, and their segments that read preferences are
 * evaluated again (an hourly run over thousands of customers whose affinities stood still wrote
 * and reported them all).
 */
async function changedOnly(db: Queryable, workspaceId: string, sets: PreferenceSet[]): Promise<PreferenceSet[]> {
  const { rows } = await db.execute<{ customer_id: string; category: string; weight: number }>(sql`
    select customer_id, category, weight from customer_preferences
    where workspace_id = ${workspaceId}::uuid and source = 'inferred' and customer_id = any(${sql.param(sets.map((s) => s.customerId))}::uuid[])`);
  const stored = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const m = stored.get(r.customer_id) ?? new Map<string, number>();
    m.set(r.category, Number(r.weight));
    stored.set(r.customer_id, m);
  }
  // Weights are stored as real: compared at the 3 decimals the job rounds them to.
  const same = (a: number, b: number) => Math.abs(a - b) < 5e-4;
  return sets.filter((s) => {
    const m = stored.get(s.customerId);
    const keys = new Set(s.preferences.map((p) => p.category));
    if ((m?.size ?? 0) !== keys.size) return true;
    return s.preferences.some((p) => !m!.has(p.category) || !same(m!.get(p.category)!, p.weight));
  });
}

export async function refreshAffinities(db: Db, opts: { workspaceId: string; mode?: RunMode; now?: Date; halfLifeDays?: number; touched?: Touched }) {
  const now = opts.now ?? new Date();
  const ws = opts.workspaceId;
  const previous = opts.mode === 'incremental' ? await lastRun(db, { workspaceId: ws, kind: 'affinity', succeeded: true }) : null;
  const since = previous ? sinceOf(previous) : null;
  return recordRun(db, { workspaceId: ws, kind: 'affinity', mode: since ? 'incremental' : 'full', now }, async () => {
    const { rows: prices } = await db.execute<{ price: number }>(
      sql`select price from products where workspace_id = ${ws}::uuid and deleted_at is null and price is not null`,
    );
    const bands = priceBands(prices.map((p) => Number(p.price)));
    const from = new Date(now.getTime() - SIGNAL_DAYS * 86_400_000).toISOString();
    // Product views carry the dwell of the product page when the tracker reported it on the view;
    // dwell readings sent later (Product Dwell) add to the view weight of the same product.
    const readSignals = async (q: Queryable, only: string[] | null) => {
      const touched = (alias: 'e' | 'o') => (only ? sql`and ${sql.raw(alias)}.customer_id = any(${sql.param(only)}::uuid[])` : sql``);
      const { rows } = await q.execute<SignalRow>(sql`
        select e.customer_id, e.name as kind, e.timestamp as at,
          nullif(e.properties->>'dwell_ms', '')::float8 as dwell_ms,
          e.properties->>'category' as category, e.properties->>'brand' as brand,
          p.price
        from events e
        left join products p on p.workspace_id = e.workspace_id and p.sku = coalesce(e.properties->>'sku', e.properties->>'product_id')
        where e.workspace_id = ${ws}::uuid and e.customer_id is not null and e.type = 'track'
          and e.name in ('Product Viewed', 'Product Added', 'Product Added to Wishlist', 'Product Dwell')
          and e.timestamp > ${from}::timestamptz ${touched('e')}
        union all
        select o.customer_id, 'purchase', o.placed_at, null, i.category, i.brand, i.unit_price
        from orders o join order_items i on i.workspace_id = o.workspace_id and i.order_id = o.id
        where o.workspace_id = ${ws}::uuid and o.customer_id is not null and o.status <> 'cancelled'
          and o.placed_at > ${from}::timestamptz ${touched('o')}
        order by 1`);
      return rows;
    };
    let customers = 0;
    let read = 0;
    /** Time an incremental run waited for the live segment updates to catch up. */
    let yielded = 0;
    let touchedReadAt: string | undefined;
    let batch: PreferenceSet[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const sets = await changedOnly(db, ws, batch);
      if (sets.length) await db.transaction((tx) => replacePreferencesBulk(tx, { workspaceId: ws, source: 'inferred', sets }));
      customers += sets.length;
      batch = [];
    };
    /** Infers and writes the affinities of the customers in `rows`; with `only`, those of them without a signal lose theirs. */
    const infer = async (rows: SignalRow[], only: string[] | null) => {
      read += rows.length;
      const seen = new Set<string>();
      for (const a of inferAffinities(signals(rows), { now, bands, halfLifeDays: opts.halfLifeDays })) {
        seen.add(a.customerId);
        const round = (w: number) => Math.round(w * 1000) / 1000;
        batch.push({
          customerId: a.customerId,
          preferences: [
            ...a.categories.map((c) => ({ category: c.key, weight: round(c.weight) })),
            ...a.brands.slice(0, 5).map((b) => ({ category: `brand:${b.key}`, weight: round(b.weight) })),
            ...a.priceBands.slice(0, 3).map((p) => ({ category: `price:${p.key}`, weight: round(p.weight) })),
          ],
        });
        if (batch.length >= 2000) await flush();
      }
      for (const id of only ?? []) if (!seen.has(id)) batch.push({ customerId: id, preferences: [] });
      if (batch.length >= 2000) await flush();
    };
    if (since) {
      // Only the customers whose metrics moved since the last run, a chunk at a time, each read by
      // the customer index: an hour of a busy shop touches most of its customers, and their
      // signals then no longer come into memory at once. Those left with no signal lose theirs.
      const list = await touchedFor(db, ws, since, opts.touched);
      touchedReadAt = list.readAt.toISOString();
      const ids = list.customers.map((c) => c.id);
      for (let i = 0; i < ids.length; i += TOUCHED_CHUNK) {
        const only = ids.slice(i, i + TOUCHED_CHUNK);
        yielded += await yieldToLive(db, ws);
        await infer(await inBackground(db, (tx) => readSignals(tx, only)), only);
      }
    } else {
      await infer(await readSignals(db, null), null);
    }
    await flush();
    return { customers, result: { signals: read, ...(since ? { yieldedMs: yielded, touchedReadAt } : {}), priceBands: bands, halfLifeDays: opts.halfLifeDays ?? 30, signalDays: SIGNAL_DAYS } };
  });
}
