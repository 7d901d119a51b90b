// Demo behaviour for a new workspace: the demo shop's catalogue and the browsing, carts, orders
// and sign-ups of some of the demo customers (src/demo-data/generate.ts), sent through the same
// ingestion as real events, so products, orders, carts, abandoned carts and behaviour metrics
// all come from events exactly as they would in a live shop.
import { behaviourMessageId, generateBehaviour, generateCatalogue, generateCustomers, type SegmentMessage } from '../demo-data/generate.ts';
import { detectAbandonedCarts } from '../commerce/abandoned-carts.ts';
import { upsertProducts } from '../commerce/products.ts';
import { insertIdentities } from '../customers/customers.ts';
import { findCustomerIdByIdentity } from '../customers/identities.ts';
import type { Db } from '../db/connection.ts';
import { enqueueAnalyticsRefresh } from '../analytics/jobs.ts';
import { ingestBatch } from './ingest.ts';
import type { ItemError } from './segment-message.ts';
import { sql } from 'drizzle-orm';

export type DemoBehaviourOptions = {
  workspaceId: string;
  /** How many of the demo customers (the first of `generateCustomers` for this seed) have behaviour. */
  customers: number;
  seed?: number;
  /** The day the demo customers were generated "as of" (what `loadDemoCustomers` used); default today. */
  customersAsOf?: Date;
  /** The end of the history; default now. */
  now?: Date;
  /** Days of full browsing history; default 30. */
  days?: number;
  /** Days of order history (before the browsing, orders alone); default 730. */
  orderHistoryDays?: number;
  /** Visitors who are not demo customers; default a third of `customers`. */
  anonymousVisitors?: number;
  /**
   * Share of those visitors who sign up (becoming new customers); default 0, so the demo keeps
   * exactly the demo customers. Stitching still shows: demo customers browse anonymously before
   * signing up and on a second device before logging in.
   */
  signupShare?: number;
  /**
   * At most this many messages; default 6,000. A safety net: the stream is in time order, so a cap
   * that bites cuts off the most recent days. The defaults make about 2,500 for 100 customers.
   */
  maxEvents?: number;
  batchSize?: number;
};

export type DemoBehaviourResult = {
  /** False when the workspace already had this demo behaviour (nothing was sent again). */
  loaded: boolean;
  products: number;
  /** Demo customers whose user id was linked to their profile. */
  linked: number;
  messages: number;
  stored: number;
  duplicates: number;
  /** The first few problems ingestion reported (none expected). */
  errors: ItemError[];
  abandonedCartLines: number;
};

function startOfDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** Has this workspace got the stream already? The first messages' ids do not depend on the day. */
async function alreadyLoaded(db: Db, opts: { workspaceId: string; seed: number; people: number }): Promise<boolean> {
  const ids = Array.from({ length: Math.min(opts.people, 200) }, (_, person) => behaviourMessageId(opts.seed, person, 0));
  const { rows } = await db.execute<{ found: number }>(sql`
    select 1 as found from events where workspace_id = ${opts.workspaceId}::uuid and message_id = any(${sql.param(ids)}::text[]) limit 1`);
  return rows.length > 0;
}

/**
 * Loads the demo behaviour into a workspace that holds the demo customers. Their shop user id is
 * their external id (C0000001…): it is linked to each profile first, so the events land on the
 * demo customers instead of creating new ones. Loading again finds the stream in and sends nothing.
 */
export async function loadDemoBehaviour(db: Db, opts: DemoBehaviourOptions): Promise<DemoBehaviourResult> {
  const seed = opts.seed ?? 42;
  const batchSize = opts.batchSize ?? 500;
  const anonymousVisitors = opts.anonymousVisitors ?? Math.round(opts.customers / 3);
  const result: DemoBehaviourResult = { loaded: false, products: 0, linked: 0, messages: 0, stored: 0, duplicates: 0, errors: [], abandonedCartLines: 0 };
  if (await alreadyLoaded(db, { workspaceId: opts.workspaceId, seed, people: opts.customers + anonymousVisitors })) return result;
  result.loaded = true;

  // The whole catalogue, so products nobody has looked at yet are there too. Relative URLs: the
  // demo shop is served by whatever host and port this server has.
  const catalogue = generateCatalogue({ seed });
  const saved = await db.transaction((tx) =>
    upsertProducts(tx, {
      workspaceId: opts.workspaceId,
      defaultCurrency: 'KRW',
      products: catalogue.map((p) => ({
        sku: p.sku,
        name: p.name,
        brand: p.brand,
        category: p.category,
        price: p.price,
        currency: p.currency,
        imageUrl: p.imageUrl,
        url: p.url,
        attributes: { name_en: p.nameEn, brand_en: p.brandEn, category_en: p.categoryEn, ...p.attributes },
      })),
    }),
  );
  result.products = saved.length;

  const customers = [...generateCustomers({ seed, count: opts.customers, now: startOfDay(opts.customersAsOf ?? new Date()) })];
  const identities: { kind: string; value: string; customerId: string }[] = [];
  for (const c of customers) {
    const customerId = await findCustomerIdByIdentity(db, { workspaceId: opts.workspaceId, kind: 'external', value: c.externalId });
    if (customerId) identities.push({ kind: 'user_id', value: c.externalId, customerId });
  }
  await db.transaction((tx) => insertIdentities(tx, { workspaceId: opts.workspaceId, identities, source: 'demo' }));
  result.linked = identities.length;

  const stream = generateBehaviour({
    seed,
    customers,
    catalogue,
    now: opts.now ?? new Date(),
    days: opts.days ?? 30,
    orderHistoryDays: opts.orderHistoryDays ?? 730,
    anonymousVisitors,
    signupShare: opts.signupShare ?? 0,
    maxEvents: opts.maxEvents ?? 6_000,
    origin: '',
  });
  let batch: SegmentMessage[] = [];
  const send = async () => {
    const r = await ingestBatch(db, { workspaceId: opts.workspaceId, messages: batch, actor: { type: 'system', label: 'demo data' } });
    result.messages += batch.length;
    result.stored += r.stored;
    result.duplicates += r.duplicates;
    if (result.errors.length < 10) result.errors.push(...r.errors.slice(0, 10 - result.errors.length));
    batch = [];
  };
  for (const message of stream) {
    batch.push(message);
    if (batch.length >= batchSize) await send();
  }
  if (batch.length) await send();

  // Carts left more than the workspace's window ago show as abandoned right away.
  const detected = await detectAbandonedCarts(db, { workspaceId: opts.workspaceId });
  result.abandonedCartLines = detected.lines;
  return result;
}

/** The job that loads the demo behaviour after the first start is up (see `rapport serve`). */
export const DEMO_BEHAVIOUR_JOB = 'demo.behaviour';

export type DemoBehaviourJobPayload = { customers: number; seed?: number; customersAsOf: string };

/** Runs the job: the payload says which demo customers, the job which workspace. */
export async function runDemoBehaviourJob(db: Db, job: { workspaceId: string | null; payload: unknown }): Promise<DemoBehaviourResult> {
  const payload = job.payload as DemoBehaviourJobPayload;
  if (!job.workspaceId || !payload || typeof payload.customers !== 'number' || typeof payload.customersAsOf !== 'string') {
    throw new Error(`${DEMO_BEHAVIOUR_JOB}: expected a workspace and { customers, customersAsOf }`);
  }
  const result = await loadDemoBehaviour(db, { workspaceId: job.workspaceId, customers: payload.customers, seed: payload.seed, customersAsOf: new Date(payload.customersAsOf) });
  // The analytics pages of the demo then show scores, cohorts, rules and recommendations at once
  // instead of after the next scheduled run.
  if (result.loaded) await enqueueAnalyticsRefresh(db, { workspaceId: job.workspaceId });
  return result;
}
