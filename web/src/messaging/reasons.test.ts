import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { en } from '../i18n/en.ts';
import { ko } from '../i18n/ko.ts';
import { reasonText } from './reasons.ts';

const i18n = i18next.createInstance();
beforeAll(async () => {
  await i18n.init({ resources: { en: { translation: en }, ko: { translation: ko } }, lng: 'ko', fallbackLng: 'en', interpolation: { escapeValue: false } });
});

const at8 = '2026-12-07T23:00:00Z'; // 08:00 the next morning in Seoul

describe('reasonText', () => {
  it.each([
    ['ko', { status: 'suppressed', reason: 'no_consent' }, '수신 동의 없음'],
    ['ko', { status: 'deferred', reason: 'quiet_hours', sendAt: at8 }, '야간 광고 동의 없음 → 08:00에 발송'],
    ['en', { status: 'deferred', reason: 'quiet_hours', sendAt: at8 }, 'No consent to night-time ads → sends at 8:00 AM'],
    ['ko', { status: 'suppressed', reason: 'frequency_cap:day' }, '발송 횟수 한도 도달 (day)'],
    ['en', { status: 'failed', reason: '550 mailbox unavailable' }, 'Reason: 550 mailbox unavailable'],
    ['en', { status: 'deferred', reason: null, sendAt: at8 }, 'Sends at 8:00 AM'],
    ['en', { status: 'sent', reason: null }, null],
  ] as const)('%s %j → %s', async (language, m, expected) => {
    await i18n.changeLanguage(language);
    expect(reasonText(i18n.t, { ...m, sendAt: 'sendAt' in m ? m.sendAt : null, language, timeZone: 'Asia/Seoul' })).toBe(expected);
  });
});
