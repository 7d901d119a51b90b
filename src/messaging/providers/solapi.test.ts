// The SOLAPI provider against a local HTTP server that checks requests as SOLAPI documents them
// (authentication/api-key.md: HMAC-SHA256 over date + salt with the API secret, date within
// 15 minutes, a signature never used twice; api-reference/messages/sendMany.md and the SDK's
// message schema for the body) and answers as SOLAPI does: accepted, refused on receipt
// (failedMessageList with a status code), a 4xx error, a 5xx error.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KakaoContent, Provider, SmsContent } from '../types.ts';
import { createSolapiProvider, solapiAuthorization } from './solapi.ts';

const API_KEY = 'NCSTESTKEY0000001';
const API_SECRET = 'TESTSECRET0123456789ABCDEFGHIJKLMNOPQ';
const REGISTERED_SENDER = '0212345678';

type Message = Record<string, unknown> & { kakaoOptions?: Record<string, unknown> };
type Seen = { path: string; body: { messages: Message[]; showMessageList?: boolean } };

/** What SOLAPI checks of a message before accepting it; an empty list when it is fine. */
function problems(m: Message): string[] {
  const out: string[] = [];
  if (typeof m.to !== 'string' || !/^\d+$/.test(m.to)) out.push('to: digits only');
  if (typeof m.from !== 'string' || !/^\d+$/.test(m.from)) out.push('from: digits only');
  if (typeof m.text !== 'string' || m.text === '') out.push('text: required');
  if (!['SMS', 'LMS', 'ATA', 'CTA'].includes(String(m.type))) out.push('type');
  if (m.type === 'SMS' && m.subject !== undefined) out.push('1013 subject on SMS');
  if ((m.type === 'SMS' || m.type === 'LMS') && m.kakaoOptions !== undefined) out.push('1033 kakaoOptions on SMS/LMS');
  if (m.type === 'ATA' || m.type === 'CTA') {
    const k = m.kakaoOptions;
    if (!k || typeof k.pfId !== 'string') out.push('kakaoOptions.pfId');
    if (m.type === 'ATA' && typeof k?.templateId !== 'string') out.push('kakaoOptions.templateId');
    for (const b of (k?.buttons as Record<string, unknown>[] | undefined) ?? []) {
      if (typeof b.buttonName !== 'string' || typeof b.buttonType !== 'string') out.push('buttons: name and type');
      if (b.buttonType === 'WL' && typeof b.linkMo !== 'string') out.push('WL: linkMo');
    }
  }
  return out;
}

describe('SOLAPI provider', () => {
  const seen: Seen[] = [];
  const usedSignatures = new Set<string>();
  let server: http.Server;
  let base: string;
  let provider: Provider;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        const auth = /^HMAC-SHA256 apiKey=([^,]+), date=([^,]+), salt=([^,]+), signature=([0-9a-f]{64})$/.exec(String(req.headers.authorization ?? ''));
        if (!auth) return send(401, { errorCode: 'Unauthorized', errorMessage: 'Authorization header' });
        const [, apiKey, date, salt, signature] = auth as unknown as [string, string, string, string, string];
        if (apiKey !== API_KEY) return send(403, { errorCode: 'InvalidAPIKey', errorMessage: '유효한 API Key가 아님' });
        const expected = crypto.createHmac('sha256', API_SECRET).update(date + salt).digest('hex');
        if (signature !== expected) return send(403, { errorCode: 'SignatureDoesNotMatch', errorMessage: '생성한 Signature가 일치하지 않음' });
        if (!(Math.abs(Date.now() - Date.parse(date)) <= 15 * 60_000)) return send(403, { errorCode: 'RequestTimeTooSkewed', errorMessage: '시간 값이 서버 시간을 15분 이상 벗어남' });
        if (salt.length < 12 || salt.length > 64) return send(403, { errorCode: 'InvalidSalt', errorMessage: 'salt 12~64' });
        if (usedSignatures.has(signature)) return send(403, { errorCode: 'DuplicatedSignature', errorMessage: '15분 안에 동일한 signature 값' });
        usedSignatures.add(signature);
        if (req.method !== 'POST' || req.url !== '/messages/v4/send-many/detail' || !String(req.headers['content-type']).startsWith('application/json')) {
          return send(404, { errorCode: 'NotFound', errorMessage: `${req.method} ${req.url}` });
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen['body'];
        seen.push({ path: req.url, body });
        const m = body.messages?.[0];
        if (!m || body.messages.length !== 1) return send(400, { errorCode: 'ValidationError', errorMessage: 'messages: one message expected' });
        const wrong = problems(m);
        if (wrong.length) return send(400, { errorCode: 'ValidationError', errorMessage: wrong.join('; ') });
        if (!/^01\d{8,9}$/.test(String(m.to))) return send(400, { errorCode: 'ValidationError', errorMessage: '수신번호 형식이 올바르지 않습니다.' });
        if (m.to === '01099990000') return send(500, { errorCode: 'InternalError', errorMessage: '서버 오류' });
        if (m.to === '01088880000') return send(429, { errorCode: 'TooManyRequests', errorMessage: '요청이 너무 많습니다' });
        const messageId = `M4V${crypto.randomBytes(12).toString('hex').toUpperCase()}`;
        const groupInfo = { groupId: 'G4V20260501120000ABCDEFGHIJKLMNO', status: 'SENDING', count: { total: 1, registeredFailed: 0, registeredSuccess: 1 } };
        const refuse = (statusCode: string, statusMessage: string) =>
          send(200, { groupInfo: { ...groupInfo, count: { total: 1, registeredFailed: 1, registeredSuccess: 0 } }, failedMessageList: [{ to: m.to, from: m.from, type: m.type, statusCode, statusMessage, messageId, country: '82', accountId: '1' }], messageList: [] });
        if (m.from !== REGISTERED_SENDER) return refuse('1062', '발신번호 미등록');
        if (m.to === '01077770000') return refuse('1030', '잔액 부족');
        send(200, { groupInfo, failedMessageList: [], messageList: [{ messageId, statusCode: '2000', statusMessage: '정상 접수(이통사로 접수 예정) ' }] });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    provider = createSolapiProvider({ from: REGISTERED_SENDER, pfId: 'KA01PF2026TEST', apiBase: base }, { apiKey: API_KEY, apiSecret: API_SECRET });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const sms = (overrides: Partial<SmsContent> = {}): SmsContent => ({ kind: 'sms', type: 'SMS', from: '', text: '[샵] 주문하신 상품이 출발했어요', bytes: 34, ...overrides });
  const alimtalk = (overrides: Partial<KakaoContent> = {}): KakaoContent => ({
    kind: 'kakao',
    type: 'alimtalk',
    pfId: '',
    templateCode: 'KA01TP_ORDER_SHIPPED',
    text: '김민수님, 주문하신 상품이 출발했습니다.',
    buttons: [
      { name: '배송조회', type: 'DS' },
      { name: '주문 보기', type: 'WL', linkMo: 'https://shop.example/orders/1', linkPc: 'https://shop.example/orders/1' },
    ],
    fallback: { kind: 'sms', type: 'SMS', from: '', text: '김민수님, 주문하신 상품이 출발했습니다.', bytes: 40 },
    ...overrides,
  });

  it('sends an SMS signed as SOLAPI documents, digits only, and keeps SOLAPI\'s message id', async () => {
    const result = await provider.send({ workspaceId: 'w', messageId: 'm-1', to: '+82 10-1234-5678', content: sms() });
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.providerMessageId).toMatch(/^M4V[0-9A-F]{24}$/);
    expect(seen.at(-1)!.body).toEqual({ messages: [{ to: '01012345678', from: REGISTERED_SENDER, text: '[샵] 주문하신 상품이 출발했어요', type: 'SMS' }], showMessageList: true });
  });

  it('sends an LMS with its title as subject', async () => {
    await provider.send({ workspaceId: 'w', messageId: 'm-2', to: '01012345678', content: sms({ type: 'LMS', title: '(광고) 봄 세일', text: '(광고)샵\n긴 본문\n무료수신거부 080-123-4567', bytes: 120 }) });
    expect(seen.at(-1)!.body.messages[0]).toEqual({ to: '01012345678', from: REGISTERED_SENDER, text: '(광고)샵\n긴 본문\n무료수신거부 080-123-4567', type: 'LMS', subject: '(광고) 봄 세일' });
  });

  it('sends AlimTalk as ATA with the template, the buttons and SMS fallback on (disableSms false); off without a fallback', async () => {
    expect(await provider.send({ workspaceId: 'w', messageId: 'm-3', to: '01012345678', content: alimtalk() })).toMatchObject({ ok: true });
    expect(seen.at(-1)!.body.messages[0]).toEqual({
      to: '01012345678',
      from: REGISTERED_SENDER,
      text: '김민수님, 주문하신 상품이 출발했습니다.',
      type: 'ATA',
      kakaoOptions: {
        pfId: 'KA01PF2026TEST',
        templateId: 'KA01TP_ORDER_SHIPPED',
        buttons: [
          { buttonName: '배송조회', buttonType: 'DS' },
          { buttonName: '주문 보기', buttonType: 'WL', linkMo: 'https://shop.example/orders/1', linkPc: 'https://shop.example/orders/1' },
        ],
        disableSms: false,
      },
    });
    await provider.send({ workspaceId: 'w', messageId: 'm-4', to: '01012345678', content: alimtalk({ fallback: undefined, buttons: [] }) });
    expect(seen.at(-1)!.body.messages[0]?.kakaoOptions).toEqual({ pfId: 'KA01PF2026TEST', templateId: 'KA01TP_ORDER_SHIPPED', disableSms: true });
  });

  it('sends an ad FriendTalk as CTA flagged as an ad', async () => {
    await provider.send({ workspaceId: 'w', messageId: 'm-5', to: '01012345678', content: { kind: 'kakao', type: 'friendtalk', pfId: 'KA01PFOTHER', text: '(광고)샵\n세일\n무료수신거부 080-123-4567', buttons: [] } });
    expect(seen.at(-1)!.body.messages[0]).toEqual({
      to: '01012345678',
      from: REGISTERED_SENDER,
      text: '(광고)샵\n세일\n무료수신거부 080-123-4567',
      type: 'CTA',
      kakaoOptions: { pfId: 'KA01PFOTHER', disableSms: true, adFlag: true },
    });
  });

  it('an invalid phone number is a permanent 4xx; a 5xx and a 429 are temporary', async () => {
    const invalid = await provider.send({ workspaceId: 'w', messageId: 'm-6', to: '010-12', content: sms() });
    expect(invalid).toMatchObject({ ok: false, permanent: true, code: 'ValidationError' });
    expect(invalid.ok === false && invalid.reason).toContain('수신번호');
    expect(await provider.send({ workspaceId: 'w', messageId: 'm-7', to: '01099990000', content: sms() })).toMatchObject({ ok: false, permanent: false, code: 'InternalError' });
    expect(await provider.send({ workspaceId: 'w', messageId: 'm-8', to: '01088880000', content: sms() })).toMatchObject({ ok: false, permanent: false });
  });

  it('a message refused on receipt is permanent (1062 sender not registered) or temporary (1030 balance)', async () => {
    const unregistered = await provider.send({ workspaceId: 'w', messageId: 'm-9', to: '01012345678', content: sms({ from: '031-999-9999' }) });
    expect(unregistered).toEqual({ ok: false, permanent: true, reason: '1062: 발신번호 미등록', code: '1062' });
    expect(await provider.send({ workspaceId: 'w', messageId: 'm-10', to: '01077770000', content: sms() })).toMatchObject({ ok: false, permanent: false, code: '1030' });
  });

  it('a wrong secret is refused by the signature check (403, temporary: the set-up, not the recipient); AlimTalk without a template never leaves', async () => {
    const wrong = createSolapiProvider({ from: REGISTERED_SENDER, apiBase: base }, { apiKey: API_KEY, apiSecret: 'not-the-secret' });
    expect(await wrong.send({ workspaceId: 'w', messageId: 'm-11', to: '01012345678', content: sms() })).toMatchObject({ ok: false, permanent: false, code: 'auth_failed', reason: expect.stringContaining('SignatureDoesNotMatch') });
    const count = seen.length;
    expect(await provider.send({ workspaceId: 'w', messageId: 'm-12', to: '01012345678', content: alimtalk({ templateCode: undefined }) })).toMatchObject({ ok: false, permanent: true, code: 'config' });
    expect(seen.length).toBe(count);
  });

  it('signs with the documented scheme: a header made an hour ago is too skewed, and one used twice is refused', async () => {
    const stale = solapiAuthorization(API_KEY, API_SECRET, new Date(Date.now() - 60 * 60_000));
    const call = (authorization: string) =>
      fetch(`${base}/messages/v4/send-many/detail`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ messages: [] }) }).then(async (r) => ({ status: r.status, body: (await r.json()) as { errorCode?: string } }));
    expect(await call(stale)).toMatchObject({ status: 403, body: { errorCode: 'RequestTimeTooSkewed' } });
    const fresh = solapiAuthorization(API_KEY, API_SECRET, new Date());
    expect((await call(fresh)).status).toBe(400);
    expect(await call(fresh)).toMatchObject({ status: 403, body: { errorCode: 'DuplicatedSignature' } });
  });
});
