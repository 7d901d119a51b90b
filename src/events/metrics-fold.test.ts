// The behaviour metrics fold, without a database.
import { describe, expect, it } from 'vitest';
import {
  compareEvents,
  dwellReading,
  emptyMetricsState,
  foldMetrics,
  hourInTimeZone,
  MAX_DWELL_MS,
  mostActiveHour,
  toMetricEvent,
  topLevelCategory,
  type MetricEvent,
} from './metrics/fold.ts';
import type { EventType } from './types.ts';

const utcHour = (at: Date) => at.getUTCHours();
let seq = 0;
function ev(at: string, opts: { type?: EventType; name?: string; sessionId?: string; properties?: Record<string, unknown>; context?: Record<string, unknown> } = {}): MetricEvent {
  seq += 1;
  return toMetricEvent({
    id: `e${String(seq).padStart(6, '0')}`,
    type: opts.type ?? (opts.name ? 'track' : 'page'),
    name: opts.name ?? null,
    sessionId: opts.sessionId ?? null,
    timestamp: new Date(at),
    properties: opts.properties ?? {},
    context: opts.context ?? {},
  });
}
const fold = (events: MetricEvent[], state = emptyMetricsState()) => foldMetrics(state, [...events].sort(compareEvents), utcHour);

describe('sessions and bounces', () => {
  it('starts a session after 30 minutes without events and counts one-event sessions as bounces', () => {
    const s = fold([ev('2024-05-01T10:00:00Z'), ev('2024-05-01T10:29:00Z'), ev('2024-05-01T11:00:00Z'), ev('2024-05-01T13:00:00Z'), ev('2024-05-01T13:10:00Z')]);
    // 10:00–10:29 (2 events), 11:00 (1, bounce), 13:00–13:10 (2)
    expect(s).toMatchObject({ sessions: 3, bounces: 1, pageViews: 5, eventCount: 5, currentSessionEvents: 2 });
  });

  it('follows the tracker session id when the event has one', () => {
    const s = fold([
      ev('2024-05-01T10:00:00Z', { sessionId: 'a' }),
      ev('2024-05-01T10:01:00Z', { sessionId: 'b' }),
      ev('2024-05-01T12:00:00Z', { sessionId: 'b' }),
    ]);
    expect(s).toMatchObject({ sessions: 2, bounces: 1, currentSessionId: 'b', currentSessionEvents: 2 });
  });

  it('continues from the stored session: a second event un-counts the bounce', () => {
    const first = fold([ev('2024-05-01T10:00:00Z')]);
    expect(first).toMatchObject({ sessions: 1, bounces: 1 });
    const second = fold([ev('2024-05-01T10:05:00Z'), ev('2024-05-01T10:06:00Z')], first);
    expect(second).toMatchObject({ sessions: 1, bounces: 0, currentSessionEvents: 3 });
  });

  it('lets a late event join the current session but never start one; seen dates stay min and max', () => {
    const state = fold([ev('2024-05-01T10:00:00Z'), ev('2024-05-01T12:00:00Z')]);
    expect(state).toMatchObject({ sessions: 2, bounces: 2 });
    const late = fold([ev('2024-05-01T11:50:00Z'), ev('2024-04-01T00:00:00Z')], state);
    expect(late).toMatchObject({ sessions: 2, bounces: 1, eventCount: 4 });
    expect(late.firstSeenAt).toEqual(new Date('2024-04-01T00:00:00Z'));
    expect(late.lastSeenAt).toEqual(new Date('2024-05-01T12:00:00Z'));
    expect(late.currentSessionLastAt).toEqual(new Date('2024-05-01T12:00:00Z'));
  });

  it('counts nothing for the events Rapport writes itself (Cart Abandoned, Segment Entered…), whatever their time', () => {
    const rapport = { library: { name: 'rapport', version: 'segments' } };
    const s = fold([
      ev('2024-05-01T10:00:00Z'),
      ev('2024-05-01T09:00:00Z', { name: 'Segment Entered', context: rapport }),
      ev('2024-05-03T07:00:00Z', { name: 'Cart Abandoned', context: rapport }),
      ev('2024-05-01T10:01:00Z', { name: 'Product Viewed', context: { library: { name: 'rapport.js', version: '1' } } }),
    ]);
    expect(s).toMatchObject({ eventCount: 2, sessions: 1, bounces: 0, pageViews: 1, productViews: 1 });
    expect(s.firstSeenAt).toEqual(new Date('2024-05-01T10:00:00Z'));
    expect(s.lastSeenAt).toEqual(new Date('2024-05-01T10:01:00Z'));
    expect(s.hourCounts.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('counts identify calls as events and being seen, but not as activity', () => {
    const s = fold([ev('2024-05-01T10:00:00Z', { type: 'identify' }), ev('2024-05-01T10:01:00Z')]);
    expect(s).toMatchObject({ eventCount: 2, sessions: 1, bounces: 1, pageViews: 1 });
    expect(s.firstSeenAt).toEqual(new Date('2024-05-01T10:00:00Z'));
    expect(s.hourCounts[10]).toBe(1);
  });
});

describe('products, dwell and carts', () => {
  it('counts product views by top-level category and dwell from Product Dwell and dwell_ms', () => {
    const s = fold([
      ev('2024-05-01T10:00:00Z', { name: 'Product Viewed', properties: { sku: 'A', category: 'Women > Shoes' } }),
      ev('2024-05-01T10:01:00Z', { name: 'Product Dwell', properties: { sku: 'A', category: 'Women > Shoes', dwell_ms: 4200 } }),
      ev('2024-05-01T10:02:00Z', { name: 'Product Viewed', properties: { sku: 'B', category: 'Men', dwell_ms: '800' } }),
      ev('2024-05-01T10:03:00Z', { name: 'Product Clicked', properties: { sku: 'B' } }),
      ev('2024-05-01T10:04:00Z', { name: 'Product Added', properties: { sku: 'B' } }),
      ev('2024-05-01T10:05:00Z', { name: 'Product Removed', properties: { sku: 'B' } }),
      ev('2024-05-01T10:06:00Z', { name: 'Product Added to Wishlist', properties: { sku: 'A' } }),
      ev('2024-05-01T10:07:00Z', { name: 'Checkout Started' }),
      ev('2024-05-01T10:08:00Z', { name: 'Signed Up', properties: { dwell_ms: 99, category: 'Ignored' } }),
    ]);
    expect(s).toMatchObject({
      productViews: 2,
      productClicks: 1,
      dwellMs: 5000,
      categoryDwellMs: { Women: 4200, Men: 800 },
      categoryViews: { Women: 1, Men: 1 },
      viewsSinceLastOrder: 2,
      cartAdds: 1,
      cartRemoves: 1,
      favourites: 1,
      checkoutsStarted: 1,
      pageViews: 0,
      sessions: 1,
      bounces: 0,
    });
  });

  it('hands the views of a batch before its Order Completed to the purchase (the order itself is counted by commerce)', () => {
    const start = { ...emptyMetricsState(), viewsSinceLastOrder: 0, viewsBeforePurchaseSum: 3, purchasesWithViews: 1, orderCount: 1 };
    const s = fold(
      [
        ev('2024-05-01T10:00:00Z', { name: 'Product Viewed' }),
        ev('2024-05-01T10:01:00Z', { name: 'Product Viewed' }),
        ev('2024-05-01T10:02:00Z', { name: 'Order Completed' }),
        ev('2024-05-01T10:03:00Z', { name: 'Product Viewed' }),
      ],
      start,
    );
    expect(s).toMatchObject({ viewsBeforePurchaseSum: 5, viewsSinceLastOrder: 1, orderCount: 1, purchasesWithViews: 1, productViews: 3 });
  });

  it('replays orders among the events when rebuilding from history, after the events of their instant', () => {
    const s = foldMetrics(
      emptyMetricsState(),
      [ev('2024-05-01T10:00:00Z', { name: 'Product Viewed' }), ev('2024-05-01T10:02:00Z', { name: 'Product Viewed' }), ev('2024-05-03T10:00:00Z', { name: 'Product Viewed' })].sort(compareEvents),
      utcHour,
      [
        { placedAt: new Date('2024-05-02T00:00:00Z'), total: 700 },
        { placedAt: new Date('2024-05-01T10:02:00Z'), total: 300 },
      ],
    );
    expect(s).toMatchObject({ orderCount: 2, totalSpend: 1000, viewsBeforePurchaseSum: 2, purchasesWithViews: 2, viewsSinceLastOrder: 1 });
    expect(s.firstOrderAt).toEqual(new Date('2024-05-01T10:02:00Z'));
    expect(s.lastOrderAt).toEqual(new Date('2024-05-02T00:00:00Z'));
  });

  it('sorts an Order Completed after the other events of its instant', () => {
    const order = ev('2024-05-01T10:00:00Z', { name: 'Order Completed' });
    const view = ev('2024-05-01T10:00:00Z', { name: 'Product Viewed' });
    expect([order, view].sort(compareEvents)).toEqual([view, order]);
  });
});

describe('hours', () => {
  it('counts hours in the workspace time zone, across daylight saving time', () => {
    const seoul = hourInTimeZone('Asia/Seoul');
    expect(seoul(new Date('2024-01-01T15:30:00Z'))).toBe(0);
    expect(seoul(new Date('2024-01-01T14:59:59Z'))).toBe(23);
    const newYork = hourInTimeZone('America/New_York');
    expect(newYork(new Date('2024-01-15T17:00:00Z'))).toBe(12);
    expect(newYork(new Date('2024-07-15T17:00:00Z'))).toBe(13);
    const kathmandu = hourInTimeZone('Asia/Kathmandu');
    expect(kathmandu(new Date('2024-01-01T18:14:00Z'))).toBe(23);
    expect(kathmandu(new Date('2024-01-01T18:15:00Z'))).toBe(0);
  });

  it.each([
    [[0, 0, 0], null],
    [[0, 3, 1, 3], 1],
    [[5, 0, 0, 6], 3],
  ])('most active hour of %j is %s (ties go to the earliest)', (counts, hour) => {
    const full = [...counts, ...Array.from({ length: 24 - counts.length }, () => 0)];
    expect(mostActiveHour(full)).toBe(hour);
  });
});

describe('property readers', () => {
  it.each([
    ['Women > Shoes > Sneakers', 'Women'],
    ['  Kids  ', 'Kids'],
    ['', null],
    [' > Shoes', null],
    [42, null],
    [null, null],
  ])('top-level category of %j is %j', (value, expected) => {
    expect(topLevelCategory(value)).toBe(expected);
  });

  it.each([
    [1500, 1500],
    [12.6, 13],
    ['800', 800],
    [-1, null],
    ['soon', null],
    [Number.NaN, null],
    [true, null],
    [10 * MAX_DWELL_MS, MAX_DWELL_MS],
  ])('dwell reading of %j is %j', (value, expected) => {
    expect(dwellReading(value)).toBe(expected);
  });
});
