// The live event stream's pure parts: the filter as URL and API query, and how newly polled
// events join the list (the server may send an event twice; ids decide). No React here.
import { query } from '../api/client.ts';
import { EVENT_TYPES, type EventType } from '../../../src/events/types.ts';

export { EVENT_TYPES, type EventType };

export type EventFilter = { type?: EventType; name?: string; customerId?: string; anonymousId?: string };

export type EventSummary = {
  id: string;
  type: EventType;
  name: string | null;
  customerId: string | null;
  anonymousId: string | null;
  userId: string | null;
  sessionId: string | null;
  properties: Record<string, unknown>;
  timestamp: string;
  receivedAt: string;
};

/** Who a listed event belongs to (e-mail masked for roles without pii.read). */
export type CustomerRef = { id: string; name: string | null; email: string | null; externalId: string | null };
export type ListedEvent = EventSummary & { customer: CustomerRef | null };

export type EventPage = { items: ListedEvent[]; nextCursor: string | null; streamCursor: string; truncated: boolean };

/** What the stream holds: events newest first, where to poll from, and where older ones continue. */
export type StreamState = {
  items: ListedEvent[];
  streamCursor: string;
  nextCursor: string | null;
  /** Events arrived faster than a poll could bring them; some in between are not shown. */
  gap: boolean;
  /** Old events were dropped to keep the list short; older pages can no longer follow. */
  capped: boolean;
};

/** Events kept on screen; older ones drop off the bottom while the stream runs. */
export const MAX_STREAM_ITEMS = 500;
export const STREAM_PAGE_SIZE = 50;
export const POLL_MS = 2_000;

const FILTER_KEYS = ['type', 'name', 'customerId', 'anonymousId'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filter in the page's address (`/events?name=Order%20Completed`); unknown values are ignored. */
export function filterFromSearchParams(params: URLSearchParams): EventFilter {
  const filter: EventFilter = {};
  const type = params.get('type');
  if (type && (EVENT_TYPES as readonly string[]).includes(type)) filter.type = type as EventType;
  const name = params.get('name')?.trim();
  if (name) filter.name = name.slice(0, 200);
  const customerId = params.get('customerId');
  if (customerId && UUID.test(customerId)) filter.customerId = customerId.toLowerCase();
  const anonymousId = params.get('anonymousId')?.trim();
  if (anonymousId) filter.anonymousId = anonymousId.slice(0, 200);
  return filter;
}

/** `base` with the filter's keys replaced by `filter`; other parameters (the open event) stay. */
export function filterToSearchParams(filter: EventFilter, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const next = new URLSearchParams(base);
  for (const key of FILTER_KEYS) {
    const value = filter[key];
    if (value) next.set(key, value);
    else next.delete(key);
  }
  return next;
}

/** A stable text of the filter, for query keys: equal filters give equal keys. */
export function filterKey(filter: EventFilter): string {
  return FILTER_KEYS.map((k) => `${k}=${filter[k] ?? ''}`).join('&');
}

export function eventsPath(filter: EventFilter, page: { limit?: number; cursor?: string | null; after?: string | null } = {}): string {
  return `/api/events${query({ ...filter, limit: page.limit ?? STREAM_PAGE_SIZE, cursor: page.cursor, after: page.after })}`;
}

const newestFirst = (a: ListedEvent, b: ListedEvent) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** The first page of the stream. */
export function startStream(page: EventPage): StreamState {
  return { items: page.items, streamCursor: page.streamCursor, nextCursor: page.nextCursor, gap: false, capped: false };
}

/**
 * Events a poll brought, joined to those shown: each id once (a poll repeats the last few
 * seconds), newest first, at most `max`.
 */
export function addNewer(state: StreamState, page: EventPage, max = MAX_STREAM_ITEMS): StreamState {
  const known = new Set(state.items.map((e) => e.id));
  const fresh = page.items.filter((e) => !known.has(e.id));
  const merged = fresh.length ? [...fresh, ...state.items].sort(newestFirst) : state.items;
  const capped = merged.length > max;
  return {
    items: capped ? merged.slice(0, max) : merged,
    streamCursor: page.streamCursor,
    nextCursor: capped ? null : state.nextCursor,
    gap: state.gap || (page.truncated && fresh.length > 0),
    capped: state.capped || capped,
  };
}

/** An older page appended below. */
export function addOlder(state: StreamState, page: EventPage): StreamState {
  const known = new Set(state.items.map((e) => e.id));
  return { ...state, items: [...state.items, ...page.items.filter((e) => !known.has(e.id))], nextCursor: page.nextCursor };
}

/** Ids of `next` that `previous` did not have (to mark rows that just arrived). */
export function arrivedIds(previous: readonly EventSummary[] | undefined, next: readonly EventSummary[]): Set<string> {
  if (!previous) return new Set();
  const before = new Set(previous.map((e) => e.id));
  return new Set(next.filter((e) => !before.has(e.id)).map((e) => e.id));
}
