// HTTP tests of POST /api/messages and the message log: 202 with the gated message, the same
// message (200, replayed) for a used idempotency key — also when two calls race — bad input named
// by field, API keys, the log's filters and cursor pages, masking without pii.read, and one
// message with its status history.
import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops, keyClient } from '../http/test-client.ts';
import type { Role } from '../workspaces/roles.ts';
import { messages } from './schema.ts';

const env = { RAPPORT_SECRET_KEY: crypto.randomBytes(32).toString('base64') };
const content = { subject: '주문이 접수되었습니다', body: '<p>{{ customer.name }}님, 주문 감사합니다.</p>', format: 'html' };

describeEachDb('messages API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let ownerA: Client;
  let ownerB: Client;
  let as: Record<Role, Client>;
  let customerId: string;

  beforeAll(async () => {
    ({ app, a, ownerA, ownerB, as } = await createTwoShops(getDb(), { env, names: ['Messages A', 'Messages B'] }));
    const c = await ownerA.post('/api/customers', { name: '김하나', email: 'hana@example.com', phone: '010-3456-7890' });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    customerId = c.body.id;
  });
  afterAll(async () => {
    await app.close();
  });

  const rowsWithKey = (key: string) => getDb().db.select().from(messages).where(and(eq(messages.workspaceId, a.workspace.id), eq(messages.idempotencyKey, key)));
  const send = (client: Client, body: Record<string, unknown>, headers?: Record<string, string>) =>
    client.post('/api/messages', { customerId, channel: 'email', content, purpose: 'transactional', idempotencyKey: `k-${crypto.randomUUID()}`, ...body }, headers);

  it('queues a transactional e-mail (202); the same key again answers the first message (200, replayed) and makes no second row', async () => {
    const key = `order:${crypto.randomUUID()}:confirmation`;
    const first = await send(ownerA, { idempotencyKey: key, data: { orderNo: 'A-1' } });
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.headers['idempotent-replayed']).toBe('false');
    expect(first.body).toMatchObject({ status: 'queued', reason: null, kind: 'email', purpose: 'transactional', lane: 'transactional', customerId, customerName: '김하나', idempotencyKey: key, replayed: false, timing: 'now', origin: 'api' });
    expect(Date.parse(first.body.sendAt)).not.toBeNaN();

    const again = await send(ownerA, { idempotencyKey: key, content: { subject: 'other', body: 'other' } });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toMatchObject({ id: first.body.id, replayed: true });
    expect(await rowsWithKey(key)).toHaveLength(1);
  });

  it('makes one message when two calls with the same key race', async () => {
    const key = `race-${crypto.randomUUID()}`;
    const answers = await Promise.all([send(ownerA, { idempotencyKey: key }), send(ownerA, { idempotencyKey: key })]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 202]);
    expect(answers[0]!.body.id).toBe(answers[1]!.body.id);
    expect(await rowsWithKey(key)).toHaveLength(1);
  });

  it('takes the key from the Idempotency-Key header', async () => {
    const key = `hdr-${crypto.randomUUID()}`;
    const { idempotencyKey: _drop, ...body } = { customerId, channel: 'email', content, purpose: 'transactional', idempotencyKey: undefined };
    const first = await ownerA.post('/api/messages', body, { 'idempotency-key': key });
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body.idempotencyKey).toBe(key);
    expect((await ownerA.post('/api/messages', body, { 'idempotency-key': key })).status).toBe(200);
    const clash = await ownerA.post('/api/messages', { ...body, idempotencyKey: 'other' }, { 'idempotency-key': key });
    expect(clash.status).toBe(400);
    expect(clash.body.error.message).toContain('body.idempotencyKey');
  });

  it('answers a marketing message to a customer without consent as suppressed, with the reason', async () => {
    const res = await send(ownerA, { purpose: 'marketing' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ status: 'suppressed', reason: 'no_consent', lane: 'bulk' });
  });

  it('sends at a given time, to an address instead of a customer, and through a channel named by id', async () => {
    const at = '2031-05-04T01:02:03.000Z';
    const later = await send(ownerA, { sendAt: at });
    expect(later.body).toMatchObject({ sendAt: at, timing: 'at', status: 'queued' });
    const channels = await ownerA.get('/api/channels?kind=sms');
    const sms = channels.body.items[0];
    const res = await ownerA.post('/api/messages', { to: '010-9876-5432', channel: sms.id, content: { body: '[상점] 배송이 시작되었습니다.' }, purpose: 'transactional', idempotencyKey: `to-${crypto.randomUUID()}` });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ kind: 'sms', channelId: sms.id, customerId: null, to: '+821098765432' });
  });

  it('accepts a secret API key with messaging.write', async () => {
    const key = await ownerA.post('/api/keys', { kind: 'secret', role: 'marketer', name: 'shop server' });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    const res = await send(keyClient(app, key.body.key), {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const [row] = await getDb().db.select().from(messages).where(and(eq(messages.workspaceId, a.workspace.id), eq(messages.id, res.body.id)));
    expect(row!.createdByLabel).toBe('key shop server');
  });

  it.each([
    [{ idempotencyKey: undefined }, 'body.idempotencyKey'],
    [{ channel: 'fax' }, 'body.channel'],
    [{ channel: 'webhook' }, 'body.channel'],
    [{ customerId: undefined }, 'body.customerId'],
    [{ content: undefined }, 'body.templateId'],
    [{ purpose: 'spam' }, 'body.purpose'],
    [{ sendAt: 'tomorrow' }, 'body.sendAt'],
    [{ sendAt: '0000-01-01T00:00:00Z' }, 'body.sendAt'],
    [{ to: 'not-an-address' }, 'body.to'],
    [{ content: { body: '' } }, 'body.content.body'],
    [{ extra: 1 }, 'body.extra'],
  ])('refuses %j with a 400 naming %s', async (change, path) => {
    const res = await send(ownerA, change);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain(path);
  });

  it('answers 404 for a channel or template of another workspace', async () => {
    const theirs = (await ownerB.get('/api/channels?kind=email')).body.items[0];
    const channel = await send(ownerA, { channel: theirs.id });
    expect(channel.status, JSON.stringify(channel.body)).toBe(404);
    expect(channel.body.error.message).toContain('body.channel');
    const template = await send(ownerA, { content: undefined, templateId: crypto.randomUUID() });
    expect(template.status).toBe(404);
  });

  describe('the log', () => {
    it('lists newest first in cursor pages, filtered by customer, status and channel', async () => {
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await ownerA.get(`/api/messages?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        all.push(...page.body.items.map((m) => m.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      const rows = await getDb().db.select({ id: messages.id, createdAt: messages.createdAt }).from(messages).where(eq(messages.workspaceId, a.workspace.id));
      expect(all).toHaveLength(rows.length);
      expect(new Set(all).size).toBe(all.length);
      expect(all).toEqual(rows.sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : -1)).map((r) => r.id));

      const suppressed = await ownerA.get('/api/messages?status=suppressed');
      expect(suppressed.body.items.length).toBeGreaterThan(0);
      expect(suppressed.body.items.every((m: { status: string }) => m.status === 'suppressed')).toBe(true);
      const sms = await ownerA.get('/api/messages?channel=sms');
      expect(sms.body.items.length).toBe(1);
      const mine = await ownerA.get(`/api/messages?customerId=${customerId}`);
      expect(mine.body.items.every((m: { customerId: string }) => m.customerId === customerId)).toBe(true);
      expect(mine.body.items.length).toBe(all.length - 1);
      expect((await ownerA.get('/api/messages?cursor=garbage')).status).toBe(400);
      expect((await ownerA.get('/api/messages?channel=fax')).body.error.message).toContain('query.channel');
    });

    it('masks addresses for roles without pii.read and hides the rendered content from them', async () => {
      // The address is the profile's once sent; given by the caller, it is there from the start.
      const made = await send(ownerA, { to: 'hana@example.com' });
      const asViewer = await as.viewer.get(`/api/messages/${made.body.id}`);
      expect(asViewer.status).toBe(200);
      expect(asViewer.body.to).toBe('ha***@example.com');
      expect(asViewer.body.content).toBeNull();
      expect(JSON.stringify((await as.viewer.get('/api/messages')).body)).not.toContain('hana@example.com');
      const asOwner = await ownerA.get(`/api/messages/${made.body.id}`);
      expect(asOwner.body.to).toBe('hana@example.com');
      expect(asOwner.body.history).toEqual([{ status: 'queued', reason: null, detail: null, at: expect.any(String) }]);
    });

    it('answers 404 for another workspace’s message', async () => {
      const made = await send(ownerA, {});
      expect((await ownerB.get(`/api/messages/${made.body.id}`)).status).toBe(404);
      expect((await ownerB.get('/api/messages')).body.items.map((m: { id: string }) => m.id)).not.toContain(made.body.id);
    });
  });
});
