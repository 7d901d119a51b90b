// The web push provider against a local HTTPS push service that checks what a real one checks:
// the VAPID JWT (ES256 signature verified with the public key sent in k=, aud = the endpoint's
// origin, exp in the future), the aes128gcm content encoding, TTL and Urgency; and the payload is
// decrypted here with the subscription's private key (http_ece) to read what the browser would.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../types.ts';
import { createWebpushProvider, type PushPayload } from './webpush.ts';

type Ece = { decrypt(buffer: Buffer, params: { version: 'aes128gcm'; privateKey: crypto.ECDH; authSecret: string }): Buffer };
const ece = createRequire(import.meta.url)('http_ece') as Ece;

type Seen = { path: string; headers: import('node:http').IncomingHttpHeaders; body: Buffer; jwt: Record<string, unknown> | null; jwtOk: boolean; k: string };

const b64url = (b: Buffer) => b.toString('base64url');

function verifyVapid(authorization: string): { jwt: Record<string, unknown> | null; ok: boolean; k: string } {
  const match = /^vapid t=([^,]+),\s*k=(.+)$/.exec(authorization);
  if (!match) return { jwt: null, ok: false, k: '' };
  const [header, payload, signature] = match[1]!.split('.');
  const k = match[2]!.trim();
  const point = Buffer.from(k, 'base64url');
  const publicKey = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) }, format: 'jwk' });
  const ok = crypto.verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature!, 'base64url'));
  const head = JSON.parse(Buffer.from(header!, 'base64url').toString()) as { alg?: string };
  return { jwt: { ...(JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>), alg: head.alg }, ok, k };
}

describe('web push provider', () => {
  const seen: Seen[] = [];
  const vapid = webpush.generateVAPIDKeys();
  const browser = crypto.createECDH('prime256v1');
  browser.generateKeys();
  const auth = b64url(crypto.randomBytes(16));
  let server: https.Server;
  let origin: string;
  let provider: Provider;
  let agent: https.Agent;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-push-'));

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    const cert = fs.readFileSync(path.join(dir, 'cert.pem'));
    server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const vapidCheck = verifyVapid(String(req.headers.authorization ?? ''));
        seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), jwt: vapidCheck.jwt, jwtOk: vapidCheck.ok, k: vapidCheck.k });
        if (!vapidCheck.ok) {
          res.writeHead(403);
          return res.end('bad VAPID');
        }
        const status = { '/push/ok': 201, '/push/gone': 410, '/push/missing': 404, '/push/busy': 429, '/push/down': 502, '/push/toobig': 413 }[req.url ?? ''] ?? 404;
        res.writeHead(status, status === 201 ? { location: `${origin}/messages/m123` } : {});
        res.end(status === 201 ? '' : 'push service says no');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new https.Agent({ ca: cert });
    provider = createWebpushProvider({ vapidPublicKey: vapid.publicKey, subject: 'mailto:ops@shop.example', ttlSeconds: 3600, urgency: 'high' }, { vapidPrivateKey: vapid.privateKey }, { agent });
  });
  afterAll(async () => {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const subscription = (p: string) => JSON.stringify({ endpoint: `${origin}${p}`, keys: { p256dh: b64url(browser.getPublicKey()), auth } });

  it('sends a VAPID-signed, aes128gcm-encrypted notification that the subscription decrypts', async () => {
    const result = await provider.send({
      workspaceId: 'w',
      messageId: 'm-1',
      to: subscription('/push/ok'),
      content: { kind: 'push', title: '봄 세일 시작', body: '오늘만 20% 할인', url: 'https://shop.example/sale', icon: 'https://shop.example/icon.png' },
    });
    expect(result).toEqual({ ok: true, providerMessageId: `${origin}/messages/m123` });
    const last = seen.at(-1)!;
    expect(last.jwtOk).toBe(true);
    expect(last.k).toBe(vapid.publicKey);
    expect(last.jwt).toMatchObject({ alg: 'ES256', aud: origin, sub: 'mailto:ops@shop.example' });
    expect(Number(last.jwt?.exp)).toBeGreaterThan(Date.now() / 1000);
    expect(Number(last.jwt?.exp)).toBeLessThanOrEqual(Date.now() / 1000 + 24 * 3600);
    expect(last.headers['content-encoding']).toBe('aes128gcm');
    expect(last.headers.ttl).toBe('3600');
    expect(last.headers.urgency).toBe('high');

    const clear = ece.decrypt(last.body, { version: 'aes128gcm', privateKey: browser, authSecret: auth });
    expect(JSON.parse(clear.toString('utf8')) as PushPayload).toEqual({
      title: '봄 세일 시작',
      body: '오늘만 20% 할인',
      url: 'https://shop.example/sale',
      icon: 'https://shop.example/icon.png',
      messageId: 'm-1',
    });
    // Another browser's keys cannot read it.
    const stranger = crypto.createECDH('prime256v1');
    stranger.generateKeys();
    expect(() => ece.decrypt(last.body, { version: 'aes128gcm', privateKey: stranger, authSecret: auth })).toThrow();
  });

  it.each([
    ['/push/gone', { ok: false, permanent: true, code: 'subscription_gone' }],
    ['/push/missing', { ok: false, permanent: true, code: 'subscription_gone' }],
    ['/push/toobig', { ok: false, permanent: true, code: 'http_413' }],
    ['/push/busy', { ok: false, permanent: false, code: 'http_429' }],
    ['/push/down', { ok: false, permanent: false, code: 'http_502' }],
  ])('the push service answering %s', async (p, expected) => {
    const result = await provider.send({ workspaceId: 'w', messageId: 'm-2', to: subscription(p), content: { kind: 'push', title: 't', body: 'b' } });
    expect(result).toMatchObject(expected);
  });

  it('a VAPID key pair that does not match is refused by the push service (403, permanent); a broken subscription never leaves', async () => {
    const other = webpush.generateVAPIDKeys();
    const mismatched = createWebpushProvider({ vapidPublicKey: vapid.publicKey, subject: 'mailto:ops@shop.example' }, { vapidPrivateKey: other.privateKey }, { agent });
    const result = await mismatched.send({ workspaceId: 'w', messageId: 'm-3', to: subscription('/push/ok'), content: { kind: 'push', title: 't', body: 'b' } });
    expect(seen.at(-1)!.jwtOk).toBe(false);
    expect(result).toMatchObject({ ok: false, permanent: true, code: 'http_403' });

    const count = seen.length;
    expect(await provider.send({ workspaceId: 'w', messageId: 'm-4', to: '{"endpoint":1}', content: { kind: 'push', title: 't', body: 'b' } })).toMatchObject({
      ok: false,
      permanent: true,
      code: 'subscription_invalid',
    });
    expect(seen.length).toBe(count);
  });

  it('a push service that is not there is temporary', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = https.createServer();
      probe.listen(0, '127.0.0.1', () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const to = JSON.stringify({ endpoint: `https://127.0.0.1:${closed}/push/ok`, keys: { p256dh: b64url(browser.getPublicKey()), auth } });
    expect(await provider.send({ workspaceId: 'w', messageId: 'm-5', to, content: { kind: 'push', title: 't', body: 'b' } })).toMatchObject({ ok: false, permanent: false, code: 'connection' });
  });
});
