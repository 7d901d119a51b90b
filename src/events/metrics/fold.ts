// The behaviour metrics as a pure fold: a customer's stored figures plus their next events (and,
// when rebuilding from history, their orders) give the new figures. The incremental update and
// the full recompute both run this one function, so they cannot disagree.
import { sql } from 'drizzle-orm';
import { ECOMMERCE_EVENTS, type EventType } from '../types.ts';

/** The tracker's dwell event: `{ sku, category, dwell_ms }` when a product page is hidden or left. */
export const PRODUCT_DWELL_EVENT = 'Product Dwell';
/** A gap longer than this between two events without a session id starts a new session. */
export const SESSION_GAP_MS = 30 * 60_000;
/** One dwell reading above this (a tab left open for days) counts as this much. */
export const MAX_DWELL_MS = 24 * 3_600_000;
const MAX_CATEGORY_LENGTH = 100;

export type MetricsState = {
  firstSeenAt: Date | null;
  lastSeenAt: Date | null;
  eventCount: number;
  sessions: number;
  bounces: number;
  currentSessionId: string | null;
  currentSessionLastAt: Date | null;
  currentSessionEvents: number;
  pageViews: number;
  productViews: number;
  productClicks: number;
  dwellMs: number;
  categoryDwellMs: Record<string, number>;
  categoryViews: Record<string, number>;
  viewsSinceLastOrder: number;
  viewsBeforePurchaseSum: number;
  purchasesWithViews: number;
  cartAdds: number;
  cartRemoves: number;
  abandonedCartItems: number;
  favourites: number;
  checkoutsStarted: number;
  orderCount: number;
  totalSpend: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  hourCounts: number[];
};

/** What the metrics need of an event. */
export type MetricEvent = {
  id: string;
  type: EventType;
  name: string | null;
  sessionId: string | null;
  timestamp: Date;
  /** Top-level product category (first segment of "A > B > C"), when the event names one. */
  category: string | null;
  /** Foreground time on a product page reported by this event, in milliseconds. */
  dwellMs: number | null;
  /** Written by Rapport itself (`isRapportEvent`): not the shopper's doing, so it counts for nothing. */
  byRapport: boolean;
};

/** An order as the full recompute replays it (net of refunds). */
export type MetricOrder = { placedAt: Date; total: number };

export function emptyMetricsState(): MetricsState {
  return {
    firstSeenAt: null,
    lastSeenAt: null,
    eventCount: 0,
    sessions: 0,
    bounces: 0,
    currentSessionId: null,
    currentSessionLastAt: null,
    currentSessionEvents: 0,
    pageViews: 0,
    productViews: 0,
    productClicks: 0,
    dwellMs: 0,
    categoryDwellMs: {},
    categoryViews: {},
    viewsSinceLastOrder: 0,
    viewsBeforePurchaseSum: 0,
    purchasesWithViews: 0,
    cartAdds: 0,
    cartRemoves: 0,
    abandonedCartItems: 0,
    favourites: 0,
    checkoutsStarted: 0,
    orderCount: 0,
    totalSpend: 0,
    firstOrderAt: null,
    lastOrderAt: null,
    hourCounts: Array.from({ length: 24 }, () => 0),
  };
}

/**
 * Rapport's own observations (Cart Abandoned, Segment Entered/Exited, a grade change…) carry this
 * library name in their context (src/events/observed-events.ts, src/segments/membership.ts).
 */
export const RAPPORT_LIBRARY = 'rapport';

/**
 * The one definition of an event the shopper did not make: written by Rapport. Such an event is
 * on the timeline and in segments, but moves no behaviour figure (not seen, no session, no hour,
 * not even the event count) — on the live path and in a rebuild alike. `rapportEventSql` says
 * the same in SQL, for the counts the stale check compares.
 */
export function isRapportEvent(context: unknown): boolean {
  if (typeof context !== 'object' || context === null) return false;
  const library = (context as { library?: unknown }).library;
  return typeof library === 'object' && library !== null && (library as { name?: unknown }).name === RAPPORT_LIBRARY;
}

/** `isRapportEvent` of an `events` row, in SQL. */
export const rapportEventSql = sql`coalesce(context -> 'library' ->> 'name' = ${RAPPORT_LIBRARY}, false)`;

/** "Women > Shoes > Sneakers" → "Women"; anything that is not a non-empty string → null. */
export function topLevelCategory(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const top = value.split('>')[0]!.trim();
  return top === '' ? null : top.slice(0, MAX_CATEGORY_LENGTH);
}

/** A dwell reading in whole milliseconds, or null when the value is not a usable duration. */
export function dwellReading(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return null;
  return Math.min(Math.round(n), MAX_DWELL_MS);
}

/** Reads what the metrics need from an event's type, name and properties. */
export function toMetricEvent(e: {
  id: string;
  type: EventType;
  name: string | null;
  sessionId: string | null;
  timestamp: Date;
  properties: Record<string, unknown>;
  context: unknown;
}): MetricEvent {
  const productEvent = e.type === 'track' && e.name !== null && e.name.startsWith('Product ');
  return {
    id: e.id,
    type: e.type,
    name: e.name,
    sessionId: e.sessionId,
    timestamp: e.timestamp,
    category: productEvent ? topLevelCategory(e.properties.category) : null,
    dwellMs: productEvent ? dwellReading(e.properties.dwell_ms) : null,
    byRapport: isRapportEvent(e.context),
  };
}

const isOrderEvent = (e: MetricEvent) => (e.name === ECOMMERCE_EVENTS.orderCompleted ? 1 : 0);

/**
 * The order one customer's events are replayed in: by time, an `Order Completed` after the other
 * events of its instant (as the recompute replays an order), then by id.
 */
export function compareEvents(a: MetricEvent, b: MetricEvent): number {
  const dt = a.timestamp.getTime() - b.timestamp.getTime();
  if (dt !== 0) return dt;
  const orders = isOrderEvent(a) - isOrderEvent(b);
  if (orders !== 0) return orders;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The busiest hour; ties go to the earliest; null before any activity. */
export function mostActiveHour(hourCounts: number[]): number | null {
  let best: number | null = null;
  hourCounts.forEach((count, hour) => {
    if (count > 0 && (best === null || count > hourCounts[best]!)) best = hour;
  });
  return best;
}

function cloneState(s: MetricsState): MetricsState {
  return { ...s, categoryDwellMs: { ...s.categoryDwellMs }, categoryViews: { ...s.categoryViews }, hourCounts: [...s.hourCounts] };
}

const add = (map: Record<string, number>, key: string, n: number) => {
  map[key] = (map[key] ?? 0) + n;
};

// Identify, group and alias calls say who someone is, not what they did: they count as events
// (and as being seen) but open no session and fill no hour.
const isActivity = (e: MetricEvent) => e.type === 'track' || e.type === 'page' || e.type === 'screen';

function countSession(s: MetricsState, e: MetricEvent): void {
  const last = s.currentSessionLastAt;
  const at = e.timestamp.getTime();
  const sameSession =
    last !== null &&
    (e.sessionId !== null ? e.sessionId === s.currentSessionId : Math.abs(at - last.getTime()) <= SESSION_GAP_MS);
  if (last !== null && at < last.getTime()) {
    // A late event: it joins the current session when it belongs there, and never starts one
    // (the sessions after it have been counted already).
    if (sameSession && ++s.currentSessionEvents === 2) s.bounces -= 1;
    return;
  }
  if (sameSession) {
    if (++s.currentSessionEvents === 2) s.bounces -= 1;
  } else {
    s.sessions += 1;
    s.bounces += 1;
    s.currentSessionEvents = 1;
    s.currentSessionId = e.sessionId;
  }
  s.currentSessionLastAt = e.timestamp;
}

/**
 * Applies one customer's events, in `compareEvents` order, to their figures. Orders, when given
 * (the full recompute), are replayed among the events by time: an order comes after the events
 * of its own instant. Without orders (incremental), the commerce area has already recorded the
 * batch's orders, so an `Order Completed` event only hands the product views of this batch
 * before it to the purchase.
 */
export function foldMetrics(
  state: MetricsState,
  events: MetricEvent[],
  hourOf: (at: Date) => number,
  orders?: MetricOrder[],
): MetricsState {
  const s = cloneState(state);
  const replayOrders = orders !== undefined;
  const pendingOrders = replayOrders ? [...orders].sort((a, b) => a.placedAt.getTime() - b.placedAt.getTime()) : [];
  let nextOrder = 0;
  let batchViews = 0;
  const recordOrder = (o: MetricOrder) => {
    s.orderCount += 1;
    s.totalSpend += o.total;
    if (!s.firstOrderAt || o.placedAt < s.firstOrderAt) s.firstOrderAt = o.placedAt;
    if (!s.lastOrderAt || o.placedAt > s.lastOrderAt) s.lastOrderAt = o.placedAt;
    s.viewsBeforePurchaseSum += s.viewsSinceLastOrder;
    s.purchasesWithViews += 1;
    s.viewsSinceLastOrder = 0;
  };

  for (const e of events) {
    if (e.byRapport) continue;
    while (nextOrder < pendingOrders.length && pendingOrders[nextOrder]!.placedAt < e.timestamp) recordOrder(pendingOrders[nextOrder++]!);
    s.eventCount += 1;
    if (!s.firstSeenAt || e.timestamp < s.firstSeenAt) s.firstSeenAt = e.timestamp;
    if (!s.lastSeenAt || e.timestamp > s.lastSeenAt) s.lastSeenAt = e.timestamp;
    if (!isActivity(e)) continue;
    countSession(s, e);
    s.hourCounts[hourOf(e.timestamp)]! += 1;
    if (e.type === 'page' || e.type === 'screen') s.pageViews += 1;
    if (e.dwellMs !== null && e.dwellMs > 0) {
      s.dwellMs += e.dwellMs;
      if (e.category) add(s.categoryDwellMs, e.category, e.dwellMs);
    }
    switch (e.name) {
      case ECOMMERCE_EVENTS.productViewed:
        s.productViews += 1;
        s.viewsSinceLastOrder += 1;
        batchViews += 1;
        if (e.category) add(s.categoryViews, e.category, 1);
        break;
      case ECOMMERCE_EVENTS.productClicked:
        s.productClicks += 1;
        break;
      case ECOMMERCE_EVENTS.productAdded:
        s.cartAdds += 1;
        break;
      case ECOMMERCE_EVENTS.productRemoved:
        s.cartRemoves += 1;
        break;
      case ECOMMERCE_EVENTS.productAddedToWishlist:
        s.favourites += 1;
        break;
      case ECOMMERCE_EVENTS.checkoutStarted:
        s.checkoutsStarted += 1;
        break;
      case ECOMMERCE_EVENTS.orderCompleted:
        if (!replayOrders) {
          s.viewsBeforePurchaseSum += batchViews;
          s.viewsSinceLastOrder -= batchViews;
          batchViews = 0;
        }
        break;
    }
  }
  while (nextOrder < pendingOrders.length) recordOrder(pendingOrders[nextOrder++]!);
  return s;
}

/** Hour of day (0–23) in a time zone; cached per quarter hour, the finest offset step in use. */
export function hourInTimeZone(timeZone: string): (at: Date) => number {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' });
  const cache = new Map<number, number>();
  return (at) => {
    const key = Math.floor(at.getTime() / 900_000);
    let hour = cache.get(key);
    if (hour === undefined) {
      hour = Number(format.format(at)) % 24;
      if (cache.size > 10_000) cache.clear();
      cache.set(key, hour);
    }
    return hour;
  };
}
