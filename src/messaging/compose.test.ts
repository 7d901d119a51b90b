import { describe, expect, it } from 'vitest';
import { composeContent, type ComposeInput } from './compose.ts';
import type { EmailContent, KakaoContent, SmsContent } from './types.ts';

const key = Buffer.alloc(32, 7);
const base: Omit<ComposeInput, 'kind' | 'purpose' | 'rendered'> = {
  workspaceId: '01900000-0000-7000-8000-000000000001',
  messageId: '01900000-0000-7000-8000-0000000000aa',
  channelSettings: { from: 'Shop <news@shop.example>', bounceAddress: 'bounces@shop.example' },
  baseUrl: 'https://crm.example/',
  trackingKey: key,
  unsubscribeUrl: 'https://crm.example/u/TOKEN',
  senderName: '라포르샵',
  optOutNumber: '080-123-4567',
};

describe('composeContent', () => {
  it('makes an advertising e-mail: (광고) subject, tracked links, pixel, unsubscribe link and one-click headers, fixed Message-ID', () => {
    const out = composeContent({ ...base, kind: 'email', purpose: 'marketing', rendered: { subject: '봄 세일', body: '<html><body><a href="https://shop.example/a?x=1&amp;y=2">a</a></body></html>', text: '봄 세일 https://shop.example/a' } });
    if (!out.ok) throw new Error(out.error);
    const c = out.content as EmailContent;
    expect(c.subject).toBe('(광고) 봄 세일');
    expect(c.messageIdHeader).toBe(`<${base.messageId}@shop.example>`);
    expect(c.headers['List-Unsubscribe']).toBe('<https://crm.example/u/TOKEN>, <mailto:bounces@shop.example?subject=unsubscribe>');
    expect(c.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(c.headers['X-Rapport-Message']).toBe(base.messageId);
    expect(out.links).toEqual(['https://shop.example/a?x=1&y=2']);
    expect(c.html).toMatch(/href="https:\/\/crm\.example\/r\/[A-Za-z0-9_-]+"/);
    expect(c.html).toContain('href="https://crm.example/u/TOKEN"');
    expect(c.html).toMatch(/<img src="https:\/\/crm\.example\/o\/[A-Za-z0-9_-]+\.gif"[^>]*\/><\/body>/);
    expect(c.text).toContain('https://crm.example/u/TOKEN');
  });

  it('leaves a transactional e-mail without ad marks or List-Unsubscribe, and refuses an ad with no one to unsubscribe', () => {
    const out = composeContent({ ...base, kind: 'email', purpose: 'transactional', rendered: { subject: '주문 확인', body: '<p>감사합니다</p>' } });
    if (!out.ok) throw new Error(out.error);
    const c = out.content as EmailContent;
    expect(c.subject).toBe('주문 확인');
    expect(c.headers['List-Unsubscribe']).toBeUndefined();
    expect(c.text).toContain('감사합니다');
    expect(composeContent({ ...base, unsubscribeUrl: null, kind: 'email', purpose: 'marketing', rendered: { subject: 's', body: 'b' } }).ok).toBe(false);
  });

  it('wraps text ads with (광고), the sender name and the opt-out line, counted in the bytes', () => {
    const out = composeContent({ ...base, channelSettings: { from: '0212345678' }, kind: 'sms', purpose: 'marketing', rendered: { body: '가'.repeat(30) } });
    if (!out.ok) throw new Error(out.error);
    const c = out.content as SmsContent;
    expect(c.text).toBe(`(광고)라포르샵\n${'가'.repeat(30)}\n무료수신거부 080-123-4567`);
    expect(c.bytes).toBe(6 + 8 + 1 + 60 + 1 + 12 + 1 + 12);
    expect(c.type).toBe('LMS');
    expect(composeContent({ ...base, optOutNumber: null, kind: 'sms', purpose: 'marketing', rendered: { body: 'x' } }).ok).toBe(false);
  });

  it('gives an AlimTalk its SMS fallback and refuses an advertising one', () => {
    const out = composeContent({ ...base, channelSettings: { from: '0212345678', pfId: 'PF1' }, kind: 'kakao', purpose: 'transactional', rendered: { body: '주문이 접수되었습니다', options: { type: 'alimtalk', templateCode: 'ORDER_1' } } });
    if (!out.ok) throw new Error(out.error);
    const c = out.content as KakaoContent;
    expect(c).toMatchObject({ type: 'alimtalk', templateCode: 'ORDER_1', pfId: 'PF1', fallback: { kind: 'sms', type: 'SMS', text: '주문이 접수되었습니다' } });
    expect(composeContent({ ...base, kind: 'kakao', purpose: 'marketing', rendered: { body: 'x', options: { type: 'alimtalk', templateCode: 'A' } } }).ok).toBe(false);
  });
});
