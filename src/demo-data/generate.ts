// Deterministic synthetic data for the demo workspace and the benchmarks: customers of a Korean
// fashion/lifestyle shop, its product catalogue (catalogue.ts) and their behaviour as
// Segment messages (behaviour.ts). Same seed → same data; customers and messages come
// one at a time, so 1M of them never sit in memory.
import { createRandom } from './random.ts';
import { CATEGORIES } from './catalogue.ts';

export { createRandom, type Random } from './random.ts';
export { CATEGORIES, COLOURS, generateCatalogue, type CatalogueOptions, type CategoryKey, type SyntheticProduct } from './catalogue.ts';
export { behaviourMessageId, generateBehaviour, PURCHASE_MODEL, type BehaviourCustomer, type BehaviourOptions, type GeneratedContext, type SegmentMessage } from './behaviour.ts';

// The most common surnames with their approximate share (Statistics Korea, 2015 census).
const SURNAMES: readonly (readonly [readonly [string, string], number])[] = [
  [['김', 'Kim'], 21.5], [['이', 'Lee'], 14.7], [['박', 'Park'], 8.4], [['최', 'Choi'], 4.7], [['정', 'Jung'], 4.3],
  [['강', 'Kang'], 2.4], [['조', 'Cho'], 2.1], [['윤', 'Yoon'], 2.1], [['장', 'Jang'], 2.0], [['임', 'Lim'], 1.7],
  [['한', 'Han'], 1.5], [['오', 'Oh'], 1.5], [['서', 'Seo'], 1.5], [['신', 'Shin'], 1.5], [['권', 'Kwon'], 1.4],
  [['황', 'Hwang'], 1.4], [['안', 'Ahn'], 1.3], [['송', 'Song'], 1.3], [['전', 'Jeon'], 1.1], [['홍', 'Hong'], 1.1],
];
const GIVEN_F: readonly (readonly [string, string])[] = [
  ['서연', 'seoyeon'], ['지우', 'jiwoo'], ['서윤', 'seoyoon'], ['하은', 'haeun'], ['민서', 'minseo'], ['지민', 'jimin'],
  ['수아', 'sua'], ['지아', 'jia'], ['예은', 'yeeun'], ['유진', 'yujin'], ['민지', 'minji'], ['수빈', 'subin'],
  ['혜진', 'hyejin'], ['은지', 'eunji'], ['지현', 'jihyun'], ['소연', 'soyeon'], ['다은', 'daeun'], ['채원', 'chaewon'],
];
const GIVEN_M: readonly (readonly [string, string])[] = [
  ['민준', 'minjun'], ['서준', 'seojun'], ['도윤', 'doyoon'], ['예준', 'yejun'], ['시우', 'siwoo'], ['하준', 'hajun'],
  ['지호', 'jiho'], ['준서', 'junseo'], ['현우', 'hyunwoo'], ['지훈', 'jihoon'], ['성민', 'sungmin'], ['동현', 'donghyun'],
  ['준영', 'junyoung'], ['상훈', 'sanghoon'], ['재원', 'jaewon'], ['우진', 'woojin'], ['태민', 'taemin'], ['영호', 'youngho'],
];
const EMAIL_DOMAINS: readonly (readonly [string, number])[] = [
  ['naver.com', 45], ['gmail.com', 30], ['daum.net', 12], ['kakao.com', 8], ['hanmail.net', 5],
];
const SOURCES: readonly (readonly [string, number])[] = [
  ['organic', 35], ['naver_search', 20], ['instagram', 15], ['kakao_channel', 12], ['referral', 10], ['offline_store', 8],
];
export const STYLES = ['minimal', 'casual', 'street', 'classic', 'romantic', 'sporty'] as const;
export const REGIONS: readonly (readonly [string, number])[] = [
  ['서울', 38], ['경기', 26], ['부산', 7], ['인천', 6], ['대구', 5], ['대전', 4], ['광주', 3], ['제주', 2], ['기타', 9],
];

export type ConsentStatus = 'granted' | 'denied' | 'unknown';
export type SyntheticCustomer = {
  externalId: string;
  name: string;
  email: string;
  /** E.164, e.g. +821012345678 */
  phone: string;
  gender: 'F' | 'M';
  birthday: string; // YYYY-MM-DD
  locale: 'ko-KR';
  timeZone: 'Asia/Seoul';
  signedUpAt: Date;
  source: string;
  tags: string[];
  attributes: { region: string; membership_card: boolean; preferred_style: string; height_cm: number };
  consents: { channel: 'email' | 'sms' | 'kakao' | 'push'; purpose: 'marketing' | 'night_ads'; status: ConsentStatus }[];
  preferences: { category: string; weight: number; source: 'survey' }[];
};

export type GenerateOptions = { seed?: number; count: number; now?: Date; historyDays?: number };

function pad(n: number, width: number) {
  return String(n).padStart(width, '0');
}

export function* generateCustomers(opts: GenerateOptions): Generator<SyntheticCustomer> {
  const rnd = createRandom(opts.seed ?? 42);
  const now = (opts.now ?? new Date('2026-11-01T00:00:00Z')).getTime();
  const historyMs = (opts.historyDays ?? 730) * 86_400_000;
  for (let i = 0; i < opts.count; i++) {
    const gender = rnd.chance(0.68) ? 'F' : 'M'; // a fashion shop's clientele leans female
    const [surname, surnameLatin] = rnd.weighted(SURNAMES);
    const [given, givenLatin] = rnd.pick(gender === 'F' ? GIVEN_F : GIVEN_M);
    // The index keeps e-mails, phones and external ids unique at any scale.
    const email = `${givenLatin}.${surnameLatin.toLowerCase()}${i}@${rnd.weighted(EMAIL_DOMAINS)}`;
    // 010-5970-xxxx to 010-5999-xxxx are not assigned (a phone check refuses them): those take 011.
    const subscriber = (i * 7919 + rnd.int(0, 7918)) % 100_000_000;
    const phone = `+82${subscriber >= 59_700_000 && subscriber < 60_000_000 ? '11' : '10'}${pad(subscriber, 8)}`;
    const age = Math.round(Math.min(65, Math.max(17, 31 + (rnd.next() + rnd.next() + rnd.next() - 1.5) * 16)));
    const birthYear = new Date(now).getUTCFullYear() - age;
    const birthday = `${birthYear}-${pad(rnd.int(1, 12), 2)}-${pad(rnd.int(1, 28), 2)}`;
    // Sign-ups grow over time: more recent dates are likelier.
    const signedUpAt = new Date(now - historyMs * (1 - Math.sqrt(rnd.next())));
    const marketing = rnd.chance(0.62);
    const consents: SyntheticCustomer['consents'] = (['email', 'sms', 'kakao', 'push'] as const).map((channel) => ({
      channel,
      purpose: 'marketing' as const,
      status: marketing ? (rnd.chance(0.85) ? 'granted' : 'denied') : rnd.chance(0.5) ? 'denied' : 'unknown',
    }));
    consents.push({ channel: 'sms', purpose: 'night_ads', status: marketing && rnd.chance(0.3) ? 'granted' : 'unknown' });
    const liked = new Set<string>();
    const wanted = rnd.int(0, 3);
    while (liked.size < wanted) liked.add(rnd.pick(gender === 'F' ? CATEGORIES : CATEGORIES.filter((c) => c !== 'dress')));
    const preferences = [...liked].map((category) => ({ category, weight: Math.round((0.4 + rnd.next() * 0.6) * 100) / 100, source: 'survey' as const }));
    const tags: string[] = [];
    if (rnd.chance(0.08)) tags.push('influencer');
    if (rnd.chance(0.15)) tags.push('newsletter');
    if (age < 25) tags.push('student');
    yield {
      externalId: `C${pad(i + 1, 7)}`,
      name: `${surname}${given}`,
      email,
      phone,
      gender,
      birthday,
      locale: 'ko-KR',
      timeZone: 'Asia/Seoul',
      signedUpAt,
      source: rnd.weighted(SOURCES),
      tags,
      attributes: {
        region: rnd.weighted(REGIONS),
        membership_card: rnd.chance(0.25),
        preferred_style: rnd.pick(STYLES),
        height_cm: Math.round(gender === 'F' ? 161 + (rnd.next() - 0.5) * 18 : 174 + (rnd.next() - 0.5) * 20),
      },
      consents,
      preferences,
    };
  }
}
