// HTTP tests of the Sandbox inbox on both databases, filled the real way: an e-mail sent with
// nodemailer over SMTP to the sandbox server, and SMS, KakaoTalk and push through the sandbox
// providers. The list (newest first, by kind, cursor pages), one message as the customer sees it
// (HTML, text and raw headers; SMS type and bytes; Kakao buttons; push title and link), clearing
// one workspace's inbox only, and another workspace's ids answering 404.
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { describeEachDb, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops } from '../http/test-client.ts';
import { headersOf, previewOf } from './sandbox-routes.ts';
import { listSandboxMessages } from './sandbox.ts';
import { startSandboxSmtp } from './sandbox-smtp.ts';
import { createSandboxProvider } from './providers/sandbox.ts';

const env = { RAPPORT_SECRET_KEY: crypto.randomBytes(32).toString('base64') };

describeEachDb('sandbox inbox API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let ownerA: Client;
  let ownerB: Client;

  beforeAll(async () => {
    ({ app, a, b, ownerA, ownerB } = await createTwoShops(getDb(), { env, names: ['Sandbox A', 'Sandbox B'] }));
    const db = getDb().db;
    const server = await startSandboxSmtp(db, { port: 0 });
    const transport = nodemailer.createTransport({ host: server.host, port: server.port, secure: false, ignoreTLS: true });
    try {
      clock.set(new Date('2026-04-01T00:00:00Z'));
      await transport.sendMail({
        from: 'Shop <shop@example.com>',
        to: 'hana@example.com',
        subject: '(광고) 봄 세일',
        html: '<h1>봄 세일</h1><p>김하나님, 30% 할인</p>',
        text: '봄 세일\n김하나님, 30% 할인',
        headers: { 'X-Rapport-Workspace': a.workspace.id, 'X-Rapport-Message': crypto.randomUUID(), 'List-Unsubscribe': '<https://rapport.example/u/abc>' },
      });
      const base = { workspaceId: a.workspace.id, to: '+821012345678' };
      clock.set(new Date('2026-04-01T00:01:00Z'));
      await createSandboxProvider('sms', {}, { db }).send({ ...base, messageId: crypto.randomUUID(), content: { kind: 'sms', type: 'SMS', from: '0212345678', text: '[상점] 주문이 접수되었습니다', bytes: 27 } });
      clock.set(new Date('2026-04-01T00:02:00Z'));
      await createSandboxProvider('kakao', {}, { db }).send({
        ...base,
        messageId: crypto.randomUUID(),
        content: { kind: 'kakao', type: 'alimtalk', pfId: 'KA01PF', templateCode: 'ORDER_1', text: '주문 완료\n주문번호 A-1', buttons: [{ name: '주문 보기', type: 'WL', linkMo: 'https://shop.example/o/1' }] },
      });
      clock.set(new Date('2026-04-01T00:03:00Z'));
      await createSandboxProvider('push', {}, { db }).send({
        workspaceId: a.workspace.id,
        to: JSON.stringify({ endpoint: 'https://push.example/ep/1', keys: { p256dh: 'x', auth: 'y' } }),
        messageId: crypto.randomUUID(),
        content: { kind: 'push', title: '재입고 알림', body: '찜한 상품이 들어왔어요', url: 'https://shop.example/p/1' },
      });
      await createSandboxProvider('sms', {}, { db }).send({ workspaceId: b.workspace.id, to: '+821099998888', messageId: crypto.randomUUID(), content: { kind: 'sms', type: 'SMS', from: '021', text: 'B only', bytes: 6 } });
    } finally {
      clock.reset();
      transport.close();
      await server.close();
    }
  });
  afterAll(async () => {
    await app.close();
  });

  it('lists the inbox newest first with the subject or the first line, by kind, in cursor pages', async () => {
    const res = await ownerA.get('/api/sandbox/messages');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.map((m: { kind: string; preview: string }) => [m.kind, m.preview])).toEqual([
      ['push', '재입고 알림'],
      ['kakao', '주문 완료'],
      ['sms', '[상점] 주문이 접수되었습니다'],
      ['email', '(광고) 봄 세일'],
    ]);
    expect(res.body.items[3]).toMatchObject({ to: 'hana@example.com', from: expect.stringContaining('shop@example.com'), receivedAt: expect.any(String) });
    expect(res.body.nextCursor).toBeNull();
    const sms = await ownerA.get('/api/sandbox/messages?kind=sms');
    expect(sms.body.items).toHaveLength(1);
    const page1 = await ownerA.get('/api/sandbox/messages?limit=3');
    expect(page1.body.items).toHaveLength(3);
    const page2 = await ownerA.get(`/api/sandbox/messages?limit=3&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((m: { kind: string }) => m.kind)).toEqual(['email']);
    expect(page2.body.nextCursor).toBeNull();
  });

  it('reads the inbox the way sandbox.ts does: the same messages in the same order, and a cursor each side takes from the other', async () => {
    const db = getDb().db;
    const page1 = await ownerA.get('/api/sandbox/messages?limit=2');
    const direct1 = await listSandboxMessages(db, { workspaceId: a.workspace.id, limit: 2 });
    expect(page1.body.items.map((m: { id: string }) => m.id)).toEqual(direct1.items.map((m) => m.id));
    expect(page1.body.items.map((m: { preview: string }) => m.preview)).toEqual(direct1.items.map((m) => m.headline));
    expect(page1.body.nextCursor).toBe(direct1.nextCursor);
    // The API's cursor pages sandbox.ts's list, and sandbox.ts's pages the API.
    const direct2 = await listSandboxMessages(db, { workspaceId: a.workspace.id, limit: 2, before: page1.body.nextCursor });
    const page2 = await ownerA.get(`/api/sandbox/messages?limit=2&cursor=${direct1.nextCursor}`);
    expect(page2.body.items.map((m: { id: string }) => m.id)).toEqual(direct2.items.map((m) => m.id));
    expect(direct2.items.map((m) => m.kind)).toEqual(['sms', 'email']);
    const bad = await ownerA.get('/api/sandbox/messages?cursor=not-a-message-id');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('cursor');
  });

  it('shows one message as the customer sees it', async () => {
    const items = (await ownerA.get('/api/sandbox/messages')).body.items as { id: string; kind: string }[];
    const byKind = Object.fromEntries(await Promise.all(items.map(async (m) => [m.kind, (await ownerA.get(`/api/sandbox/messages/${m.id}`)).body])));
    expect(byKind.email.html).toContain('<h1>봄 세일</h1>');
    expect(byKind.email.text).toContain('김하나님, 30% 할인');
    expect(byKind.email.raw).toContain('List-Unsubscribe');
    expect(byKind.email.headers['list-unsubscribe']).toBe('<https://rapport.example/u/abc>');
    expect(byKind.email.headers.subject).toBeDefined();
    expect(byKind.sms).toMatchObject({ text: '[상점] 주문이 접수되었습니다', meta: { type: 'SMS', bytes: 27 }, raw: null, headers: null });
    expect(byKind.kakao.meta).toMatchObject({ type: 'alimtalk', templateCode: 'ORDER_1', buttons: [{ name: '주문 보기', type: 'WL', linkMo: 'https://shop.example/o/1' }] });
    expect(byKind.push).toMatchObject({ subject: '재입고 알림', text: '찜한 상품이 들어왔어요', to: 'https://push.example/ep/1', meta: { url: 'https://shop.example/p/1' } });
    expect(JSON.stringify(byKind.push)).not.toContain('p256dh');
  });

  it('keeps workspaces apart: another workspace’s message is a 404, and clearing empties only the caller’s inbox', async () => {
    const mine = (await ownerA.get('/api/sandbox/messages')).body.items[0];
    expect((await ownerB.get(`/api/sandbox/messages/${mine.id}`)).status).toBe(404);
    const theirs = await ownerB.get('/api/sandbox/messages');
    expect(theirs.body.items.map((m: { preview: string }) => m.preview)).toEqual(['B only']);
    const cleared = await ownerA.delete('/api/sandbox/messages');
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({ deleted: 4 });
    expect((await ownerA.get('/api/sandbox/messages')).body.items).toEqual([]);
    expect((await ownerB.get('/api/sandbox/messages')).body.items).toHaveLength(1);
  });

  it('reads headers with folded lines and previews from the first non-empty line', () => {
    expect(headersOf('Subject: =?UTF-8?B?x?=\r\n =?UTF-8?B?y?=\r\nX-A: 1\r\nX-A: 2\r\n\r\nBody: no')).toEqual({ subject: '=?UTF-8?B?x?= =?UTF-8?B?y?=', 'x-a': '1\n2' });
    expect(previewOf({ subject: null, text: '\n\n  첫 줄  \n둘째 줄', html: null })).toBe('첫 줄');
    expect(previewOf({ subject: null, text: null, html: '<p>안녕</p>' })).toBe('안녕');
  });
});
