// The event explorer's pure parts (cursors, masking, ranges) and its queries on both databases
// with a fixed clock: the live stream's look-back, names with counts, volume per local day.
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connection.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { AppError } from '../errors.ts';
import { systemActor } from '../workspaces/audit.ts';
import { updateWorkspace } from '../workspaces/workspaces.ts';
import { identify } from '../customers/identities.ts';
import {
  decodeEventCursor,
  encodeEventCursor,
  eventVolume,
  listEventNames,
  listEvents,
  maskEventData,
  maskUserId,
  MAX_VOLUME_RANGE_MS,
  STREAM_LOOKBACK_MS,
  streamEvents,
  uuidv7Floor,
  volumeRange,
} from './explorer.ts';

type Row = { id?: string; name: string | null; type?: string; at: string | number | Date; customerId?: string | null; anonymousId?: string; properties?: Record<string, unknown> };

async function insertEvents(db: Database, workspaceId: string, rows: Row[]): Promise<string[]> {
  const ids: string[] = [];
  for (const r of rows) {
    const id = r.id ?? uuidv7();
    ids.push(id);
    await db.db.execute(sql`
      insert into events (workspace_id, id, message_id, customer_id, anonymous_id, type, name, properties, context, timestamp)
      values (${workspaceId}, ${id}, ${uuidv7()}, ${r.customerId ?? null}, ${r.anonymousId ?? null}, ${r.type ?? 'track'}, ${r.name},
        ${JSON.stringify(r.properties ?? {})}::jsonb, '{}'::jsonb, ${new Date(r.at).toISOString()}::timestamptz)`);
  }
  return ids;
}

describe('uuidv7Floor', () => {
  it('sorts below every UUIDv7 of its millisecond and above those of the one before', () => {
    const ms = Date.UTC(2025, 4, 1, 12, 0, 0, 123);
    const floor = uuidv7Floor(ms);
    expect(floor).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7000-8000-000000000000$/);
    for (let i = 0; i < 50; i++) {
      expect(uuidv7({ msecs: ms }) > floor).toBe(true);
      expect(uuidv7({ msecs: ms - 1 }) < floor).toBe(true);
    }
  });
});

describe('event cursors', () => {
  const id = uuidv7();
  it('round-trip, each kind only as itself', () => {
    expect(decodeEventCursor('before', encodeEventCursor('before', id), 'query.cursor')).toBe(id);
    expect(decodeEventCursor('after', encodeEventCursor('after', id), 'query.after')).toBe(id);
    expect(() => decodeEventCursor('after', encodeEventCursor('before', id), 'query.after')).toThrow(/query\.after: is not a cursor/);
  });

  it.each(['', 'x', Buffer.from('{"before":"nope"}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')])('refuses %j with invalid_input', (raw) => {
    let error: unknown;
    try {
      decodeEventCursor('before', raw, 'query.cursor');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_input');
  });
});

describe('maskEventData', () => {
  const properties = {
    name: 'Linen shirt',
    price: 39000,
    email: 'minji.kim@naver.com',
    phone: '+821012345678',
    note: 'send to seojun@daum.net',
    recipient: 'seojun@daum.net',
    address: { city: '서울', street: '테헤란로 1' },
    products: [{ name: 'Sneaker', first_name: 'Minji' }],
    traits: { name: '김민지', age: 31, email: 'a@b.co', tags: ['vip'] },
    empty: null,
  };

  it('leaves everything to roles with pii.read', () => {
    expect(maskEventData(properties, { pii: true, traits: false })).toBe(properties);
  });

  it('masks personal keys at any depth and e-mail addresses anywhere; product names stay', () => {
    expect(maskEventData(properties, { pii: false, traits: false })).toEqual({
      name: 'Linen shirt',
      price: 39000,
      email: 'mi***@naver.com',
      phone: '***',
      note: 'send to se***@daum.net',
      recipient: 'se***@daum.net',
      address: { city: '***', street: '***' },
      products: [{ name: 'Sneaker', first_name: '***' }],
      traits: { name: '***', age: '***', email: 'a***@b.co', tags: ['***'] },
      empty: null,
    });
  });

  it('masks phone_number, shipping_address, nested contact keys, phones by value and e-mails inside URLs', () => {
    const masked = maskEventData(
      {
        phone_number: '010-1234-5678',
        shipping_address: { line1: '테헤란로 1', city: '서울' },
        customer: { email: 'carol.s@example.com', id: 'c-1' },
        billing: { phone: '+82 10 9876 5432', country: 'KR' },
        contact: '010-5555-1234',
        page: { url: 'https://shop.example/thanks?email=carol.s%40example.com&order=12345678', referrer: 'https://mail.example/?to=carol.s@example.com' },
        order_id: '20240101123',
        total: 39000,
      },
      { pii: false, traits: false },
    );
    expect(JSON.stringify(masked)).not.toMatch(/carol\.s|1234-5678|9876|5555|테헤란로/);
    expect(masked).toMatchObject({ customer: { id: 'c-1' }, billing: { country: 'KR' }, order_id: '20240101123', total: 39000 });
    expect((masked.page as { url: string }).url).toBe('https://shop.example/thanks?email=ca***@example.com&order=12345678');
  });

  it("masks the name in an identify call's traits", () => {
    expect(maskEventData({ name: '김민지', plan: 'gold' }, { pii: false, traits: true })).toEqual({ name: '***', plan: 'gold' });
  });

  it('masks user ids that are e-mail addresses only', () => {
    expect(maskUserId('minji@naver.com', false)).toBe('mi***@naver.com');
    expect(maskUserId('user-123', false)).toBe('user-123');
    expect(maskUserId('minji@naver.com', true)).toBe('minji@naver.com');
    expect(maskUserId(null, false)).toBeNull();
  });
});

describe('volumeRange', () => {
  const now = Date.UTC(2025, 4, 10, 12);
  it('defaults to the last day of hours and the last 30 days of days', () => {
    expect(volumeRange('hour', now)).toEqual({ from: new Date(now - 86_400_000), to: new Date(now) });
    expect(volumeRange('day', now)).toEqual({ from: new Date(now - 30 * 86_400_000), to: new Date(now) });
  });

  it('takes a default length from `from` alone, never past now', () => {
    const from = new Date(now - 3_600_000);
    expect(volumeRange('hour', now, from)).toEqual({ from, to: new Date(now) });
    const older = new Date(now - 10 * 86_400_000);
    expect(volumeRange('hour', now, older)).toEqual({ from: older, to: new Date(older.getTime() + 86_400_000) });
  });

  it.each([
    ['hour', MAX_VOLUME_RANGE_MS.hour + 1, 'query.from: the range may span at most 31 days with interval=hour'],
    ['day', MAX_VOLUME_RANGE_MS.day + 1, 'query.from: the range may span at most 400 days with interval=day'],
    ['day', 0, 'query.to: must be later than query.from'],
  ] as const)('refuses %s over %i ms', (interval, span, message) => {
    expect(() => volumeRange(interval, now, new Date(now - span), new Date(now))).toThrow(message);
  });
});

describeEachDb('event explorer queries', (getDb) => {
  let ws: string;
  const now = Date.UTC(2025, 4, 10, 3, 0, 0);

  beforeAll(async () => {
    ws = (await createTestWorkspace(getDb(), 'Explorer')).workspace.id;
  });

  it('pages newest received first and streams what arrived since, looking back for late commits', async () => {
    const db = getDb();
    const w = (await createTestWorkspace(db, 'Stream')).workspace.id;
    // Ids minted 60, 50 and 40 s before `now`.
    const old = await insertEvents(db, w, [60, 50, 40].map((s) => ({ id: uuidv7({ msecs: now - s * 1000 }), name: `old ${s}`, at: now - s * 1000 })));
    const first = await listEvents(db.db, { workspaceId: w, filter: {}, limit: 2, pii: true, now });
    expect(first.items.map((e) => e.id)).toEqual([old[2], old[1]]);
    const second = await listEvents(db.db, { workspaceId: w, filter: {}, limit: 2, cursor: first.nextCursor!, pii: true, now });
    expect(second.items.map((e) => e.id)).toEqual([old[0]]);
    expect(second.nextCursor).toBeNull();

    // Nothing new yet: the stream answers empty, and its cursor stays at now − look-back.
    const quiet = await streamEvents(db.db, { workspaceId: w, filter: {}, limit: 10, after: first.streamCursor, pii: true, now: now + 2000 });
    expect(quiet.items).toEqual([]);
    expect(decodeEventCursor('after', quiet.streamCursor, 'x')).toBe(uuidv7Floor(now + 2000 - STREAM_LOOKBACK_MS));

    // An event minted 1 s before the last poll but committed after it still comes, and a new one too.
    const [late, fresh] = await insertEvents(db, w, [
      { id: uuidv7({ msecs: now + 1000 }), name: 'late commit', at: now + 1000 },
      { id: uuidv7({ msecs: now + 3000 }), name: 'fresh', at: now + 3000 },
    ]);
    const next = await streamEvents(db.db, { workspaceId: w, filter: {}, limit: 10, after: quiet.streamCursor, pii: true, now: now + 4000 });
    expect(next.items.map((e) => e.id)).toEqual([fresh, late]);
    expect(next.truncated).toBe(false);

    // More than `limit` new: the newest come, and the answer says some were left out.
    const burst = await insertEvents(db, w, [5, 6, 7].map((s) => ({ id: uuidv7({ msecs: now + s * 1000 }), name: `burst ${s}`, at: now + s * 1000 })));
    const cut = await streamEvents(db.db, { workspaceId: w, filter: {}, limit: 2, after: next.streamCursor, pii: true, now: now + 8000 });
    expect(cut.items.map((e) => e.id)).toEqual([burst[2], burst[1]]);
    expect(cut.truncated).toBe(true);

    // Filters apply to the stream as to the list.
    const named = await streamEvents(db.db, { workspaceId: w, filter: { name: 'fresh' }, limit: 10, after: quiet.streamCursor, pii: true, now: now + 8000 });
    expect(named.items.map((e) => e.id)).toEqual([fresh]);
  });

  it('filters by type, name, customer, anonymous id and event time', async () => {
    const db = getDb();
    const w = (await createTestWorkspace(db, 'Filters')).workspace.id;
    const customerId = uuidv7();
    const [view, add, page, anon] = await insertEvents(db, w, [
      { name: 'Product Viewed', at: '2025-05-01T00:00:00Z', customerId },
      { name: 'Product Added', at: '2025-05-02T00:00:00Z', customerId },
      { name: 'Home', type: 'page', at: '2025-05-03T00:00:00Z' },
      { name: 'Product Viewed', at: '2025-05-04T00:00:00Z', anonymousId: 'anon-1' },
    ]);
    const ids = async (filter: Parameters<typeof listEvents>[1]['filter']) =>
      (await listEvents(db.db, { workspaceId: w, filter, limit: 50, pii: true, now })).items.map((e) => e.id);
    expect(await ids({ type: 'page' })).toEqual([page]);
    expect(await ids({ name: 'Product Viewed' })).toEqual([anon, view]);
    expect(await ids({ customerId })).toEqual([add, view]);
    expect(await ids({ anonymousId: 'anon-1' })).toEqual([anon]);
    expect(await ids({ from: new Date('2025-05-02T00:00:00Z'), to: new Date('2025-05-04T00:00:00Z') })).toEqual([page, add]);
    expect(await ids({ name: 'Product Viewed', customerId })).toEqual([view]);

    // Once the visitor is identified, stitching gives their events to the customer: the
    // anonymous id still finds them, and finds them only.
    const [later] = await insertEvents(db, w, [{ name: 'Product Added', at: '2025-05-05T00:00:00Z', anonymousId: 'anon-1' }]);
    await insertEvents(db, w, [{ name: 'Product Added', at: '2025-05-05T00:00:00Z', anonymousId: 'anon-2' }]);
    const stitched = await db.db.transaction((tx) => identify(tx, { workspaceId: w, actor: systemActor, input: { userId: 'u-anon-1', anonymousId: 'anon-1' } }));
    expect(await ids({ customerId: stitched.customer.id })).toEqual([later, anon]);
    await insertEvents(db, w, [{ name: 'Cart Viewed', at: '2025-05-06T00:00:00Z', anonymousId: 'anon-1' }]); // not linked yet
    expect((await ids({ anonymousId: 'anon-1' })).slice(1)).toEqual([later, anon]);
    expect(await ids({ anonymousId: 'anon-1' })).toHaveLength(3);
  });

  it('lists names most frequent first with counts in the window and when each was last seen', async () => {
    const db = getDb();
    const since = new Date('2025-05-01T00:00:00Z');
    await insertEvents(db, ws, [
      { name: 'Product Viewed', at: '2025-05-02T00:00:00Z' },
      { name: 'Product Viewed', at: '2025-05-03T00:00:00Z' },
      { name: 'Product Viewed', at: '2025-04-01T00:00:00Z' }, // before the window
      { name: 'Order Completed', at: '2025-05-04T00:00:00Z' },
      { name: 'Signed Up', at: '2025-03-01T00:00:00Z' },
      { name: null, type: 'identify', at: '2025-05-04T00:00:00Z' },
    ]);
    const { items, truncated, countCap } = await listEventNames(db.db, { workspaceId: ws, since });
    expect(truncated).toBe(false);
    expect(countCap).toBe(10_000);
    expect(items).toEqual([
      { name: 'Product Viewed', count: 2, lastSeenAt: '2025-05-03T00:00:00.000Z' },
      { name: 'Order Completed', count: 1, lastSeenAt: '2025-05-04T00:00:00.000Z' },
      { name: 'Signed Up', count: 0, lastSeenAt: '2025-03-01T00:00:00.000Z' },
    ]);
  });

  it("counts per day of the workspace's time zone, empty days included", async () => {
    const db = getDb();
    const w = (await createTestWorkspace(db, 'Volume')).workspace.id; // Asia/Seoul, UTC+9
    await insertEvents(db, w, [
      { name: 'Order Completed', at: '2025-03-01T14:30:00Z' }, // 23:30 on 1 March in Seoul
      { name: 'Order Completed', at: '2025-03-01T15:30:00Z' }, // 00:30 on 2 March in Seoul
      { name: 'Order Completed', at: '2025-03-01T16:00:00Z' },
      { name: 'Product Viewed', at: '2025-03-01T16:00:00Z' },
    ]);
    const v = await eventVolume(db.db, { workspaceId: w, name: 'Order Completed', interval: 'day', from: new Date('2025-02-28T15:00:00Z'), to: new Date('2025-03-03T15:00:00Z'), now });
    expect(v.timeZone).toBe('Asia/Seoul');
    expect(v.buckets).toEqual([
      { start: '2025-02-28T15:00:00.000Z', count: 1 },
      { start: '2025-03-01T15:00:00.000Z', count: 2 },
      { start: '2025-03-02T15:00:00.000Z', count: 0 },
    ]);
    expect(v.total).toBe(3);
    expect([v.from, v.to]).toEqual(['2025-02-28T15:00:00.000Z', '2025-03-03T15:00:00.000Z']);

    // A range that starts or ends inside a day is widened to whole days.
    const widened = await eventVolume(db.db, { workspaceId: w, name: 'Order Completed', interval: 'day', from: new Date('2025-03-01T15:45:00Z'), to: new Date('2025-03-01T16:30:00Z'), now });
    expect(widened.buckets).toEqual([{ start: '2025-03-01T15:00:00.000Z', count: 2 }]);
    expect([widened.from, widened.to]).toEqual(['2025-03-01T15:00:00.000Z', '2025-03-02T15:00:00.000Z']);

    const hours = await eventVolume(db.db, { workspaceId: w, name: 'Order Completed', interval: 'hour', from: new Date('2025-03-01T14:00:00Z'), to: new Date('2025-03-01T17:00:00Z'), now });
    expect(hours.buckets).toEqual([
      { start: '2025-03-01T14:00:00.000Z', count: 1 },
      { start: '2025-03-01T15:00:00.000Z', count: 1 },
      { start: '2025-03-01T16:00:00.000Z', count: 1 },
    ]);
  });

  it('keeps local days across a daylight-saving change', async () => {
    const db = getDb();
    const w = (await createTestWorkspace(db, 'New York')).workspace.id;
    await updateWorkspace(db.db, { workspaceId: w, actor: systemActor, timeZone: 'America/New_York' });
    // Clocks went forward at 02:00 on 9 March 2025: that day has 23 hours.
    await insertEvents(db, w, [
      { name: 'Page', at: '2025-03-09T04:59:00Z' }, // 23:59 on 8 March (EST)
      { name: 'Page', at: '2025-03-10T03:59:00Z' }, // 23:59 on 9 March (EDT)
      { name: 'Page', at: '2025-03-10T04:00:00Z' }, // 00:00 on 10 March
    ]);
    const v = await eventVolume(db.db, { workspaceId: w, name: 'Page', interval: 'day', from: new Date('2025-03-08T05:00:00Z'), to: new Date('2025-03-11T04:00:00Z'), now });
    expect(v.buckets).toEqual([
      { start: '2025-03-08T05:00:00.000Z', count: 1 },
      { start: '2025-03-09T05:00:00.000Z', count: 1 },
      { start: '2025-03-10T04:00:00.000Z', count: 1 },
    ]);
  });
});
