// The webhook provider against a local HTTP server that checks the signature the way a receiver
// is told to (HMAC-SHA256 over `t.body`, computed here with node:crypto, not our helper), and
// answers with the statuses that decide permanent or temporary.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clock } from '../../clock.ts';
import { createWebhookProvider, verifyWebhookSignature, webhookSignature } from './webhook.ts';

const SECRET = 'whsec_test_0123456789abcdef';
type Seen = { headers: http.IncomingHttpHeaders; body: string; signatureOk: boolean };

describe('webhook provider', () => {
  const seen: Seen[] = [];
  let answer = 200;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const header = String(req.headers['x-rapport-signature'] ?? '');
        const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
        const expected = match ? crypto.createHmac('sha256', SECRET).update(`${match[1]}.${body}`).digest('hex') : '';
        const signatureOk = !!match && crypto.timingSafeEqual(Buffer.from(match[2]!, 'hex'), Buffer.from(expected, 'hex'));
        seen.push({ headers: req.headers, body, signatureOk });
        if (req.url === '/hang') return; // never answers
        res.writeHead(signatureOk ? answer : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: answer === 200 ? undefined : 'nope' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/rapport`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => {
    clock.reset();
    answer = 200;
  });

  const send = (provider = createWebhookProvider({ url }, { signingSecret: SECRET })) =>
    provider.send({ workspaceId: 'w1', messageId: 'm-42', to: url, content: { kind: 'webhook', body: { event: 'order_shipped', customer: { name: '김민수' }, total: 39000 } } });

  it('posts the JSON signed with the time of the clock and the message id', async () => {
    clock.set(new Date('2026-05-01T03:00:00Z'));
    expect(await send()).toEqual({ ok: true, providerMessageId: 'webhook:m-42', delivered: true });
    const last = seen.at(-1)!;
    expect(last.signatureOk).toBe(true);
    expect(String(last.headers['x-rapport-signature'])).toMatch(new RegExp(`^t=${Date.parse('2026-05-01T03:00:00Z') / 1000},v1=`));
    expect(last.headers['x-rapport-message']).toBe('m-42');
    expect(last.headers['content-type']).toBe('application/json');
    expect(JSON.parse(last.body)).toEqual({ event: 'order_shipped', customer: { name: '김민수' }, total: 39000 });
  });

  it('signed with another secret, the receiver refuses it (401, permanent)', async () => {
    const result = await send(createWebhookProvider({ url }, { signingSecret: 'whsec_someone_else_entirely' }));
    expect(seen.at(-1)!.signatureOk).toBe(false);
    expect(result).toMatchObject({ ok: false, permanent: true, code: 'http_401' });
  });

  it.each([
    [400, true],
    [404, true],
    [410, true],
    [408, false],
    [429, false],
    [500, false],
    [503, false],
    [302, false],
  ])('HTTP %i is permanent: %s', async (status, permanent) => {
    answer = status;
    const result = await send();
    expect(result).toMatchObject({ ok: false, permanent, code: `http_${status}` });
    expect(result.ok === false && result.reason).toMatch(new RegExp(`^HTTP ${status}`));
  });

  it('no answer within the timeout, or nobody listening, is temporary', async () => {
    const slow = createWebhookProvider({ url: url.replace('/hooks/rapport', '/hang'), timeoutSeconds: 0.3 }, { signingSecret: SECRET });
    expect(await send(slow)).toMatchObject({ ok: false, permanent: false, code: 'timeout' });
    const closed = await new Promise<number>((resolve) => {
      const probe = http.createServer();
      probe.listen(0, '127.0.0.1', () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const nowhere = createWebhookProvider({ url: `http://127.0.0.1:${closed}/x` }, { signingSecret: SECRET });
    expect(await send(nowhere)).toMatchObject({ ok: false, permanent: false, code: 'connection' });
  });

  it('verifyWebhookSignature accepts the signature, and refuses a changed body, another secret or an old time', () => {
    const body = '{"a":1}';
    const header = webhookSignature(SECRET, 1_800_000_000, body);
    expect(verifyWebhookSignature(SECRET, header, body, { nowSeconds: 1_800_000_010 })).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, '{"a":2}', { nowSeconds: 1_800_000_010 })).toBe(false);
    expect(verifyWebhookSignature('whsec_other_secret_value', header, body, { nowSeconds: 1_800_000_010 })).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, body, { nowSeconds: 1_800_000_000 + 301 })).toBe(false);
  });
});
