import { describe, expect, it } from 'vitest';
import { adSubject, adWrap, countEucKr, eucKrBytes, isSmsError, smsContent, smsType, truncateEucKr } from './korean.ts';
import type { SmsContent } from './types.ts';

const hangul = (n: number) => '가나다라마바사아자차카타파하'.repeat(Math.ceil(n / 14) + 1).slice(0, n);

describe('EUC-KR byte count', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['가', 2],
    ['똠방각하', 8], // outside KS X 1001's 2,350 syllables: CP949 still 2 bytes each
    ['안녕 Hi!', 8],
    ['줄\n바꿈', 7],
    ['ㄱㅏ', 4],
    ['“인용”', 8],
  ])('%j is %i bytes', (text, bytes) => {
    expect(eucKrBytes(text)).toBe(bytes);
    expect(countEucKr(text).unencodable).toEqual([]);
  });

  it('counts what EUC-KR cannot encode as 2 bytes each and reports it once', () => {
    const r = countEucKr('할인😀😀 ₩500?');
    expect(r.bytes).toBe(4 + 2 + 2 + 1 + 2 + 3 + 1);
    expect(r.unencodable).toEqual(['😀', '₩']);
  });

  it('a literal ? is one byte and not reported', () => {
    expect(countEucKr('정말??')).toEqual({ bytes: 6, unencodable: [] });
  });

  it.each([
    [0, 'SMS'],
    [90, 'SMS'],
    [91, 'LMS'],
    [2000, 'LMS'],
    [2001, null],
  ])('%i bytes is %s', (bytes, type) => {
    expect(smsType(bytes)).toBe(type);
  });

  it('truncates on whole characters', () => {
    expect(truncateEucKr('가나다', 5)).toBe('가나');
    expect(truncateEucKr('ab가', 3)).toBe('ab');
  });
});

describe('text messages', () => {
  const base = { from: '0212345678', purpose: 'transactional' as const };
  const ok = (r: ReturnType<typeof smsContent>): SmsContent => {
    if (isSmsError(r)) throw new Error(r.error);
    return r;
  };

  it('45 Hangul syllables are 90 bytes: an SMS', () => {
    const r = ok(smsContent({ ...base, text: hangul(45) }));
    expect(r).toMatchObject({ type: 'SMS', bytes: 90 });
    expect(r.title).toBeUndefined();
  });

  it('46 Hangul syllables are 92 bytes: an LMS, with a title from its first line when none is given', () => {
    const r = ok(smsContent({ ...base, text: hangul(46) }));
    expect(r).toMatchObject({ type: 'LMS', bytes: 92 });
    expect(eucKrBytes(r.title!)).toBeLessThanOrEqual(40);
    expect(r.title).toBe(hangul(20));
    expect(ok(smsContent({ ...base, text: hangul(46), title: '주문 안내' })).title).toBe('주문 안내');
  });

  it('an LMS title over 40 bytes is an error naming the title', () => {
    const r = smsContent({ ...base, text: hangul(60), title: hangul(21) });
    expect(r).toMatchObject({ field: 'title', bytes: 42 });
  });

  it('2,000 bytes is an LMS; 2,001 is an error naming the text', () => {
    expect(ok(smsContent({ ...base, text: hangul(1000) })).bytes).toBe(2000);
    const r = smsContent({ ...base, text: `${hangul(1000)}a` });
    expect(isSmsError(r)).toBe(true);
    expect(r).toMatchObject({ field: 'text', bytes: 2001 });
    expect((r as { error: string }).error).toMatch(/^text: 2,001 bytes/);
  });

  it('an ad starts with (광고) and the sender, ends with the opt-out line, and both are counted', () => {
    const ad = { ...base, purpose: 'marketing' as const, senderName: '라온샵', optOutNumber: '080-123-4567' };
    const r = ok(smsContent({ ...ad, text: '봄 세일' }));
    expect(r.text).toBe('(광고)라온샵\n봄 세일\n무료수신거부 080-123-4567');
    // (광고)=6 라온샵=6 \n=1 봄 세일=7 \n=1 무료수신거부=12 space=1 080-123-4567=12
    expect(r.bytes).toBe(46);
    expect(r.type).toBe('SMS');
    // 45 syllables alone fit an SMS; as an ad they no longer do.
    expect(ok(smsContent({ ...base, text: hangul(45) })).type).toBe('SMS');
    const wrapped = ok(smsContent({ ...ad, text: hangul(45) }));
    expect(wrapped.type).toBe('LMS');
    expect(wrapped.bytes).toBe(90 + 46 - 7);
  });

  it('an ad without a sender name or opt-out number is refused, naming what is missing', () => {
    expect(smsContent({ ...base, purpose: 'marketing', text: 'x', optOutNumber: '080-1' })).toMatchObject({ field: 'senderName' });
    expect(smsContent({ ...base, purpose: 'marketing', text: 'x', senderName: '샵', optOutNumber: ' ' })).toMatchObject({ field: 'optOutNumber' });
  });

  it('wrapping is done once', () => {
    const opts = { senderName: '라온샵', optOutNumber: '080-123-4567', kind: 'friendtalk' as const };
    const once = adWrap('안녕하세요', opts);
    expect(adWrap(once, opts)).toBe(once);
    expect(adSubject('봄 세일')).toBe('(광고) 봄 세일');
    expect(adSubject(adSubject('봄 세일'))).toBe('(광고) 봄 세일');
  });
});
