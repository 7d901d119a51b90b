import { describe, expect, it } from 'vitest';
import { bucketLabel, cappedCount, eventSummary, formatAmount, formatEventTime, formatJson, volumeChartData, type EventVolume } from './format.ts';

describe('eventSummary', () => {
  const track = (name: string, properties: Record<string, unknown>) => ({ type: 'track' as const, name, properties, userId: null });

  it.each([
    [track('Product Viewed', { name: 'Linen shirt', price: 39000, currency: 'KRW', sku: 'SH-1' }), 'Linen shirt · ₩39,000'],
    [track('Product Added', { sku: 'SH-1', price: 12.5, currency: 'USD', quantity: 2 }), 'SH-1 · $12.50 × 2'],
    [track('Order Completed', { order_id: 'A-100', total: 78000, currency: 'KRW', products: [{}, {}] }), 'A-100 · ₩78,000 · 2×'],
    [track('Order Completed', { revenue: 10 }), '10'],
    [track('Signed Up', { plan: 'gold', trial: true, nested: { a: 1 }, seats: 3, extra: 'x' }), 'plan: gold, trial: true, seats: 3'],
    [{ type: 'page' as const, name: 'Home', properties: { path: '/', url: 'https://shop.example/' }, userId: null }, '/'],
    [{ type: 'identify' as const, name: null, properties: { plan: 'gold' }, userId: 'u1' }, 'plan: gold'],
    [track('Product Viewed', {}), ''],
  ])('%j → %s', (event, expected) => {
    expect(eventSummary(event, 'en')).toBe(expected);
  });
});

describe('formatAmount', () => {
  it('formats in the currency given, else as a number, else not at all', () => {
    expect(formatAmount(39000, 'krw', 'ko')).toBe('₩39,000');
    expect(formatAmount('12.99', undefined, 'en')).toBe('12.99');
    expect(formatAmount('twelve', 'USD', 'en')).toBeUndefined();
    expect(formatAmount(5, 'ZZZ1', 'en')).toBe('5');
  });
});

describe('times and buckets', () => {
  it('shows event times to the second in the workspace time zone', () => {
    expect(formatEventTime('2025-05-01T15:04:05Z', 'en', 'Asia/Seoul')).toBe('5/2/25, 12:04:05 AM');
    expect(formatEventTime('nonsense', 'en')).toBe('nonsense');
  });

  it('labels hours with the date on the first bar and at midnight, days by date', () => {
    expect(bucketLabel('2025-05-01T14:00:00Z', 'hour', 'en', 'Asia/Seoul')).toBe('23:00');
    expect(bucketLabel('2025-05-01T15:00:00Z', 'hour', 'en', 'Asia/Seoul')).toBe('May 2 00:00');
    expect(bucketLabel('2025-05-01T10:00:00Z', 'hour', 'en', 'Asia/Seoul', true)).toBe('May 1 19:00');
    expect(bucketLabel('2025-05-01T15:00:00Z', 'day', 'ko', 'Asia/Seoul')).toBe('5월 2일');
  });

  it('turns a volume answer into chart points', () => {
    const volume: EventVolume = {
      name: 'Order Completed',
      interval: 'day',
      timeZone: 'Asia/Seoul',
      from: '2025-04-30T15:00:00.000Z',
      to: '2025-05-02T15:00:00.000Z',
      total: 3,
      buckets: [
        { start: '2025-04-30T15:00:00.000Z', count: 1 },
        { start: '2025-05-01T15:00:00.000Z', count: 2 },
      ],
    };
    expect(volumeChartData(volume, 'en')).toEqual([
      { label: 'May 1', start: '2025-04-30T15:00:00.000Z', count: 1 },
      { label: 'May 2', start: '2025-05-01T15:00:00.000Z', count: 2 },
    ]);
  });

  it('marks counts the server stopped counting', () => {
    expect(cappedCount(10_000, 10_000, 'en')).toBe('10,000+');
    expect(cappedCount(9_999, 10_000, 'en')).toBe('9,999');
  });

  it('pretty-prints JSON', () => {
    expect(formatJson({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
  });
});
