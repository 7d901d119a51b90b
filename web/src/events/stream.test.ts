import { describe, expect, it } from 'vitest';
import { addNewer, addOlder, arrivedIds, eventsPath, filterFromSearchParams, filterKey, filterToSearchParams, startStream, type EventPage, type ListedEvent } from './stream.ts';

const ev = (id: string, name = 'Product Viewed'): ListedEvent => ({
  id,
  type: 'track',
  name,
  customerId: null,
  anonymousId: 'anon',
  userId: null,
  sessionId: null,
  properties: {},
  timestamp: '2025-05-01T00:00:00.000Z',
  receivedAt: '2025-05-01T00:00:00.000Z',
  customer: null,
});
// UUIDv7-like ids that sort by their number.
const id = (n: number) => `0196${String(n).padStart(4, '0')}-0000-7000-8000-000000000000`;
const page = (ids: number[], more: Partial<EventPage> = {}): EventPage => ({ items: ids.map((n) => ev(id(n))), nextCursor: null, streamCursor: `s${ids[0] ?? 0}`, truncated: false, ...more });

describe('filter in the address', () => {
  it('reads known values and ignores bad ones', () => {
    expect(filterFromSearchParams(new URLSearchParams('type=track&name=%20Order%20Completed%20&customerId=0196ABCD-0000-7000-8000-000000000000&anonymousId=a1'))).toEqual({
      type: 'track',
      name: 'Order Completed',
      customerId: '0196abcd-0000-7000-8000-000000000000',
      anonymousId: 'a1',
    });
    expect(filterFromSearchParams(new URLSearchParams('type=click&customerId=42&name='))).toEqual({});
  });

  it('writes the filter and keeps other parameters', () => {
    const next = filterToSearchParams({ name: 'Order Completed' }, new URLSearchParams('type=page&event=abc'));
    expect(next.toString()).toBe('event=abc&name=Order+Completed');
  });

  it('gives equal keys to equal filters whatever the order of their fields', () => {
    expect(filterKey({ name: 'a', type: 'track' })).toBe(filterKey({ type: 'track', name: 'a' }));
    expect(filterKey({ name: 'a' })).not.toBe(filterKey({ name: 'b' }));
  });
});

describe('eventsPath', () => {
  it.each([
    [{}, {}, '/api/events?limit=50'],
    [{ name: 'Order Completed', type: 'track' as const }, { after: 'abc' }, '/api/events?name=Order+Completed&type=track&limit=50&after=abc'],
    [{ customerId: 'c1' }, { cursor: 'xyz', limit: 20 }, '/api/events?customerId=c1&limit=20&cursor=xyz'],
  ])('%j %j → %s', (filter, p, expected) => {
    expect(eventsPath(filter, p)).toBe(expected);
  });
});

describe('the stream', () => {
  it('adds polled events on top once each, newest first', () => {
    const start = startStream(page([3, 2, 1], { nextCursor: 'older' }));
    // The poll repeats event 3 (look-back) and brings 4 and 5.
    const next = addNewer(start, page([5, 4, 3]));
    expect(next.items.map((e) => e.id)).toEqual([5, 4, 3, 2, 1].map(id));
    expect(next.streamCursor).toBe('s5');
    expect(next.nextCursor).toBe('older');
    expect(next.gap).toBe(false);
  });

  it('keeps the same list when a poll brings nothing new', () => {
    const start = startStream(page([2, 1]));
    expect(addNewer(start, page([2])).items).toBe(start.items);
  });

  it('notes a gap when more arrived than one poll brings', () => {
    const next = addNewer(startStream(page([1])), page([9, 8], { truncated: true }));
    expect(next.gap).toBe(true);
  });

  it('drops the oldest past the cap, and older pages with them', () => {
    const next = addNewer(startStream(page([2, 1], { nextCursor: 'older' })), page([4, 3]), 3);
    expect(next.items.map((e) => e.id)).toEqual([4, 3, 2].map(id));
    expect(next).toMatchObject({ capped: true, nextCursor: null });
  });

  it('appends older pages below', () => {
    const next = addOlder(startStream(page([5, 4], { nextCursor: 'c1' })), page([4, 3, 2], { nextCursor: null }));
    expect(next.items.map((e) => e.id)).toEqual([5, 4, 3, 2].map(id));
    expect(next.nextCursor).toBeNull();
  });

  it('tells which events just arrived', () => {
    expect([...arrivedIds([ev(id(1))], [ev(id(2)), ev(id(1))])]).toEqual([id(2)]);
    expect(arrivedIds(undefined, [ev(id(1))]).size).toBe(0);
  });
});
