import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { eraseCustomer } from '../customers/privacy.ts';
import { systemActor } from '../workspaces/audit.ts';
import { createTestWorkspace, describeEachDb, testConfig } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { serverKey } from '../events/identity-verification.ts';
import type { App } from '../http/deps.ts';
import { createTestApp } from '../http/test-client.ts';
import { addChannel, addCustomers } from './delivery-test-fixture.ts';
import { messages } from './schema.ts';
import { PIXEL_GIF, recordEngagement, REPEAT_WINDOW_MS, TRACKING_RATE_LIMIT } from './tracking-routes.ts';
import { clickUrl, openPixelUrl } from './tracking.ts';

const SECRET = crypto.randomBytes(32).toString('base64');
const key = serverKey(testConfig({ RAPPORT_SECRET_KEY: SECRET }));
const baseUrl = 'https://crm.example.com';
const pathOf = (url: string) => url.slice(baseUrl.length);

describeEachDb('tracking routes', (getDb) => {
  let app: App;
  let ws: string;
  let customerId: string;
  let channelId: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), { RAPPORT_SECRET_KEY: SECRET });
    ws = (await createTestWorkspace(getDb())).workspace.id;
    customerId = (await addCustomers(getDb().db, ws, [{ email: 'track@example.com', name: 'Track' }]))[0]!;
    channelId = await addChannel(getDb().db, ws, { kind: 'email', provider: 'sandbox' });
  });
  afterAll(async () => {
    await app.close();
  });
  afterEach(() => clock.reset());

  async function sentMessage(workspaceId: string, links: string[] | null, channel = channelId, customer: string | null = customerId): Promise<string> {
    const id = uuidv7();
    await getDb().db.insert(messages).values({
      workspaceId,
      id,
      idempotencyKey: `track:${id}`,
      customerId: customer,
      channelId: channel,
      kind: 'email',
      purpose: 'marketing',
      lane: 'bulk',
      status: 'sent',
      toAddress: 'track@example.com',
      links,
      sendAt: new Date(),
      sentAt: new Date(),
    });
    return id;
  }

  async function stateOf(workspaceId: string, id: string) {
    const { rows } = await getDb().db.execute<{ status: string; opened_at: string | null; clicked_at: string | null }>(
      sql`select status, opened_at, clicked_at from messages where workspace_id = ${workspaceId}::uuid and id = ${id}::uuid`,
    );
    const { rows: history } = await getDb().db.execute<{ status: string; detail: Record<string, unknown> | null }>(
      sql`select status, detail from message_status_history where workspace_id = ${workspaceId}::uuid and message_id = ${id}::uuid order by at, id`,
    );
    return { ...rows[0]!, history: history.map((h) => ({ status: h.status, detail: h.detail })) };
  }

  const gif = (url: string) => app.inject({ method: 'GET', url });

  it('serves the pixel, records the first open, and at most one more an hour', async () => {
    const id = await sentMessage(ws, []);
    const url = pathOf(openPixelUrl({ workspaceId: ws, messageId: id, baseUrl, key }));
    const t0 = new Date('2026-06-01T10:00:00Z');
    clock.set(t0);
    const res = await gif(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.rawPayload.equals(PIXEL_GIF)).toBe(true);
    let s = await stateOf(ws, id);
    expect(s.status).toBe('opened');
    expect(new Date(s.opened_at!).toISOString()).toBe(t0.toISOString());
    expect(s.history).toEqual([{ status: 'opened', detail: null }]);

    // Reloads within the hour: the pixel each time, nothing more in the history.
    for (let i = 0; i < 3; i++) {
      clock.advance(10 * 60_000);
      expect((await gif(url)).statusCode).toBe(200);
    }
    expect((await stateOf(ws, id)).history).toHaveLength(1);
    clock.set(t0.getTime() + REPEAT_WINDOW_MS + 1000);
    await gif(url);
    s = await stateOf(ws, id);
    expect(s.history).toHaveLength(2);
    expect(new Date(s.opened_at!).toISOString()).toBe(t0.toISOString()); // the first open stays the open time
    // One event for the customer, however many opens.
    const { rows } = await getDb().db.execute<{ n: number }>(
      sql`select count(*)::int as n from events where workspace_id = ${ws}::uuid and customer_id = ${customerId}::uuid and name = 'Message Opened' and properties->>'message_id' = ${id}`,
    );
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('two opens at the same moment record one', async () => {
    const id = await sentMessage(ws, []);
    const url = pathOf(openPixelUrl({ workspaceId: ws, messageId: id, baseUrl, key }));
    const answers = await Promise.all([gif(url), gif(url), gif(url)]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect((await stateOf(ws, id)).history).toHaveLength(1);
    // Straight at the recorder, many at once (on PostgreSQL each in its own connection).
    const other = await sentMessage(ws, []);
    const results = await Promise.all(Array.from({ length: 8 }, () => recordEngagement(getDb().db, { kind: 'open', workspaceId: ws, messageId: other })));
    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    expect((await stateOf(ws, other)).history).toHaveLength(1);
  });

  it('answers a forged or foreign open token with the pixel and records nothing', async () => {
    const id = await sentMessage(ws, []);
    const other = (await createTestWorkspace(getDb(), 'Other shop')).workspace.id;
    const otherChannel = await addChannel(getDb().db, other, { kind: 'email', provider: 'sandbox' });
    const theirs = await sentMessage(other, [], otherChannel, null);
    const good = openPixelUrl({ workspaceId: ws, messageId: id, baseUrl, key }).split('/').at(-1)!;
    const forged = [
      `/o/${good.slice(0, 10)}${good[10] === 'A' ? 'B' : 'A'}${good.slice(11)}`,
      pathOf(openPixelUrl({ workspaceId: ws, messageId: id, baseUrl, key: crypto.randomBytes(32) })),
      '/o/not-a-token.gif',
      '/o/x',
      // Signed for this workspace, naming the other workspace's message: no such message here.
      pathOf(openPixelUrl({ workspaceId: ws, messageId: theirs, baseUrl, key })),
    ];
    for (const url of forged) {
      const res = await gif(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.rawPayload.equals(PIXEL_GIF)).toBe(true);
    }
    expect((await stateOf(ws, id)).history).toEqual([]);
    expect((await stateOf(other, theirs)).history).toEqual([]);
  });

  it('redirects a click to the original link and records it (and the open it implies)', async () => {
    const links = ['https://shop.example.com/sale?a=1&b=2', 'https://shop.example.com/p/1'];
    const id = await sentMessage(ws, links);
    const click = (i: number) => app.inject({ method: 'GET', url: pathOf(clickUrl({ workspaceId: ws, messageId: id, baseUrl, key }, i)) });
    const res = await click(0);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(links[0]);
    let s = await stateOf(ws, id);
    expect(s.status).toBe('clicked');
    expect(s.opened_at).not.toBeNull();
    expect(s.clicked_at).not.toBeNull();
    expect(s.history).toEqual([
      { status: 'opened', detail: { by: 'click' } },
      { status: 'clicked', detail: { link: 0 } },
    ]);
    // The same link again within the hour redirects but adds nothing; another link is recorded.
    expect((await click(0)).headers.location).toBe(links[0]);
    expect((await click(1)).headers.location).toBe(links[1]);
    s = await stateOf(ws, id);
    expect(s.history.map((h) => h.detail)).toEqual([{ by: 'click' }, { link: 0 }, { link: 1 }]);
    // A HEAD (a link checker) answers the same and records nothing.
    clock.set(Date.now() + 2 * REPEAT_WINDOW_MS);
    const head = await app.inject({ method: 'HEAD', url: pathOf(clickUrl({ workspaceId: ws, messageId: id, baseUrl, key }, 1)) });
    expect(head.statusCode).toBe(302);
    expect((await stateOf(ws, id)).history).toHaveLength(3);
  });

  it('never redirects on a forged token, a missing link or a link that is not http(s)', async () => {
    const id = await sentMessage(ws, ['https://shop.example.com/', 'javascript:alert(1)']);
    const other = (await createTestWorkspace(getDb(), 'Other shop')).workspace.id;
    const otherChannel = await addChannel(getDb().db, other, { kind: 'email', provider: 'sandbox' });
    const theirs = await sentMessage(other, ['https://other.example.com/'], otherChannel, null);
    const good = clickUrl({ workspaceId: ws, messageId: id, baseUrl, key }, 0).split('/').at(-1)!;
    const bad = [
      `/r/${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`,
      pathOf(clickUrl({ workspaceId: ws, messageId: id, baseUrl, key: crypto.randomBytes(32) }, 0)),
      pathOf(clickUrl({ workspaceId: ws, messageId: id, baseUrl, key }, 1)),
      pathOf(clickUrl({ workspaceId: ws, messageId: id, baseUrl, key }, 2)),
      pathOf(clickUrl({ workspaceId: ws, messageId: theirs, baseUrl, key }, 0)),
      // An open token is not a click.
      pathOf(openPixelUrl({ workspaceId: ws, messageId: id, baseUrl, key })).replace('/o/', '/r/').replace('.gif', ''),
      '/r/https%3A%2F%2Fevil.example.com',
    ];
    for (const url of bad) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['content-type']).toContain('text/html');
    }
    expect((await stateOf(ws, id)).history).toEqual([]);
    expect((await stateOf(other, theirs)).history).toEqual([]);
  });

  it("records nothing on an erased customer's message, and its links no longer lead anywhere", async () => {
    const [gone] = await addCustomers(getDb().db, ws, [{ email: 'gone-track@example.com', name: 'Gone' }]);
    const id = await sentMessage(ws, ['https://shop.example.com/'], channelId, gone!);
    await getDb().db.transaction((tx) => eraseCustomer(tx, { workspaceId: ws, actor: systemActor, customerId: gone! }));
    expect((await gif(pathOf(openPixelUrl({ workspaceId: ws, messageId: id, baseUrl, key })))).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: pathOf(clickUrl({ workspaceId: ws, messageId: id, baseUrl, key }, 0)) })).statusCode).toBe(404);
    expect((await stateOf(ws, id)).history).toEqual([]);
  });

  it('limits requests per address', async () => {
    const limited = await createTestApp(getDb(), { RAPPORT_SECRET_KEY: SECRET });
    try {
      const statuses: number[] = [];
      for (let i = 0; i <= TRACKING_RATE_LIMIT; i++) statuses.push((await limited.inject({ method: 'GET', url: '/o/forged.gif', remoteAddress: '192.0.2.7' })).statusCode);
      expect(statuses.slice(0, TRACKING_RATE_LIMIT).every((s) => s === 200)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
      // Another address is not held back.
      expect((await limited.inject({ method: 'GET', url: '/o/forged.gif', remoteAddress: '192.0.2.8' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
