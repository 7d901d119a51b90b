// Starter journeys a shop turns on in one click, in Korean or English: each comes with the e-mail
// templates it sends (created with the journey, editable like any other) and uses the starter
// segments it needs (created when missing). The coupon messages carry a code the marketer writes
// into the template: issuing coupons comes with the loyalty area.
import type { Queryable } from '../db/connection.ts';
import { createTemplate } from '../messaging/templates.ts';
import { listSegments } from '../segments/segments.ts';
import { createStarterSegments } from '../segments/starter-segments.ts';
import type { Actor } from '../workspaces/audit.ts';
import type { JourneyDefinition, JourneyStep } from './graph.ts';
import type { StarterKey } from './views.ts';

export const STARTER_KEYS: readonly StarterKey[] = ['welcome', 'abandoned_cart', 'unopened_reminder', 'winback_30d', 'vip_drifting', 'birthday', 'cross_sell'];

type Lang = 'ko' | 'en';
type Tpl = { subject: Record<Lang, string>; body: Record<Lang, string> };
type Starter = {
  name: Record<Lang, string>;
  templates: Record<string, Tpl>;
  segments?: ('dormant-30d' | 'at-risk-vip' | 'vip')[];
  definition: (t: Record<string, string | null>, s: Record<string, string>) => JourneyDefinition;
};

const send = (id: string, templateId: string | null, next: string | null): JourneyStep => ({ id, type: 'send', kind: 'email', templateId, purpose: 'marketing', next });
const exit = (id = 'end'): JourneyStep => ({ id, type: 'exit' });
const noGoal = { goal: null, leaveSegmentId: null };
const orderGoal = (windowDays: number) => ({ goal: { event: 'Order Completed', filters: [], windowDays }, leaveSegmentId: null });
const p = (ko: string, en: string) => ({ ko, en });

const STARTERS: Record<StarterKey, Starter> = {
  welcome: {
    name: p('가입 환영 시리즈', 'Welcome series'),
    templates: {
      welcome: { subject: p('{{ customer.name }}님, 가입을 환영합니다', 'Welcome, {{ customer.name }}'), body: p('<p>{{ customer.name }}님, 가입해 주셔서 감사합니다.</p>', '<p>Thank you for joining us, {{ customer.name }}.</p>') },
      second: { subject: p('첫 주문을 기다리고 있어요', 'Your first order is waiting'), body: p('<p>아직 둘러보시는 중인가요? 인기 상품을 모아 두었습니다.</p>', '<p>Still looking around? Here are our most loved products.</p>') },
    },
    definition: (t) => ({
      trigger: { type: 'event', event: 'Signed Up', filters: [] },
      entry: { mode: 'once', segmentId: null },
      exit: orderGoal(14),
      holdoutShare: 0,
      graph: {
        start: 'welcome',
        steps: [
          send('welcome', t.welcome!, 'wait_order'),
          { id: 'wait_order', type: 'wait_event', event: 'Order Completed', filters: [], timeout: { days: 3 }, next: 'end', timeoutNext: 'second' },
          send('second', t.second!, 'end'),
          exit(),
        ],
      },
    }),
  },
  abandoned_cart: {
    name: p('장바구니 이탈 리마인드', 'Abandoned cart'),
    templates: {
      reminder: {
        subject: p('장바구니에 담아 두신 상품이 기다리고 있어요', 'You left something in your cart'),
        body: p(
          '<p>{{ customer.name }}님, 담아 두신 상품입니다.</p><ul>{% for item in data.items %}<li>{{ item.name }}</li>{% endfor %}</ul>',
          '<p>{{ customer.name }}, here is what you left.</p><ul>{% for item in data.items %}<li>{{ item.name }}</li>{% endfor %}</ul>',
        ),
      },
      coupon: { subject: p('장바구니 상품, 쿠폰으로 만나 보세요', 'A coupon for your cart'), body: p('<p>쿠폰 코드 COMEBACK10 으로 10% 할인받으세요.</p>', '<p>Use the code COMEBACK10 for 10% off.</p>') },
    },
    definition: (t) => ({
      trigger: { type: 'event', event: 'Cart Abandoned', filters: [] },
      entry: { mode: 'again_after', afterDays: 1, segmentId: null },
      exit: orderGoal(7),
      holdoutShare: 0,
      graph: {
        start: 'wait_1h',
        steps: [
          { id: 'wait_1h', type: 'delay', mode: 'duration', duration: { hours: 1 }, next: 'reminder' },
          send('reminder', t.reminder!, 'wait_order'),
          { id: 'wait_order', type: 'wait_event', event: 'Order Completed', filters: [], timeout: { hours: 23 }, next: 'end', timeoutNext: 'coupon' },
          send('coupon', t.coupon!, 'end'),
          exit(),
        ],
      },
    }),
  },
  unopened_reminder: {
    name: p('캠페인 미열람 리마인드', 'Reminder for unopened campaigns'),
    templates: { reminder: { subject: p('혹시 놓치셨나요?', 'In case you missed it'), body: p('<p>지난주 소식을 다시 보내 드려요.</p>', '<p>Here is last week’s news again.</p>') } },
    definition: (t) => ({
      trigger: { type: 'event', event: 'Message Sent', filters: [{ property: 'origin', op: 'eq', value: 'campaign' }, { property: 'channel', op: 'eq', value: 'email' }] },
      entry: { mode: 'again_after', afterDays: 7, segmentId: null },
      exit: noGoal,
      holdoutShare: 0,
      graph: {
        start: 'wait_open',
        steps: [
          { id: 'wait_open', type: 'wait_event', event: 'Message Opened', filters: [{ property: 'origin', op: 'eq', value: 'campaign' }], timeout: { days: 7 }, next: 'end', timeoutNext: 'reminder' },
          send('reminder', t.reminder!, 'end'),
          exit(),
        ],
      },
    }),
  },
  winback_30d: {
    name: p('30일 휴면 고객 윈백', '30-day win-back'),
    segments: ['dormant-30d'],
    templates: { winback: { subject: p('{{ customer.name }}님, 오랜만이에요', 'We miss you, {{ customer.name }}'), body: p('<p>새로 들어온 상품을 소개해 드릴게요.</p>', '<p>Here is what is new since your last visit.</p>') } },
    definition: (t, s) => ({
      trigger: { type: 'segment_entered', segmentId: s['dormant-30d']! },
      entry: { mode: 'again_after', afterDays: 60, segmentId: null },
      exit: { goal: { event: 'Order Completed', filters: [], windowDays: 14 }, leaveSegmentId: s['dormant-30d']! },
      holdoutShare: 10,
      graph: { start: 'winback', steps: [send('winback', t.winback!, 'end'), exit()] },
    }),
  },
  vip_drifting: {
    name: p('이탈 위험 VIP 케어', 'VIP drifting away'),
    segments: ['vip'],
    templates: { personal: { subject: p('{{ customer.name }}님께 드리는 감사 인사', 'A thank-you for you, {{ customer.name }}'), body: p('<p>늘 찾아 주셔서 감사합니다. 담당자가 직접 연락드릴게요.</p>', '<p>Thank you for being with us. Your account manager will be in touch.</p>') } },
    definition: (t, s) => ({
      trigger: { type: 'event', event: 'Churn Risk Flagged', filters: [] },
      entry: { mode: 'again_after', afterDays: 30, segmentId: s.vip! },
      exit: orderGoal(30),
      holdoutShare: 0,
      graph: {
        start: 'tell_owner',
        steps: [
          { id: 'tell_owner', type: 'notify', memberEmail: null, subject: 'VIP 이탈 위험: {{ data.customer_name }}', body: '{{ data.customer_name }} 고객이 이탈 위험으로 표시되었습니다. 연락해 주세요.', next: 'personal' },
          send('personal', t.personal!, 'end'),
          exit(),
        ],
      },
    }),
  },
  birthday: {
    name: p('생일 쿠폰', 'Birthday coupon'),
    templates: { coupon: { subject: p('{{ customer.name }}님, 생일을 미리 축하드려요', 'Happy birthday ahead, {{ customer.name }}'), body: p('<p>생일 쿠폰 코드 BIRTHDAY 로 15% 할인받으세요.</p>', '<p>Use the code BIRTHDAY for 15% off.</p>') } },
    definition: (t) => ({
      trigger: { type: 'date', field: 'birthday', daysBefore: 3, hour: 10 },
      entry: { mode: 'always', segmentId: null },
      exit: orderGoal(14),
      holdoutShare: 0,
      graph: { start: 'coupon', steps: [send('coupon', t.coupon!, 'end'), exit()] },
    }),
  },
  cross_sell: {
    name: p('구매 후 교차 판매', 'Post-purchase cross-sell'),
    templates: {
      cross: {
        subject: p('함께 많이 구매하는 상품', 'Goes well with your last order'),
        body: p(
          '<p>{{ customer.name }}님, 최근 구매와 함께 많이 찾는 상품이에요.</p>{% for p in recommendations %}<p>{{ p.name }}</p>{% endfor %}',
          '<p>{{ customer.name }}, customers who bought what you bought also chose these.</p>{% for p in recommendations %}<p>{{ p.name }}</p>{% endfor %}',
        ),
      },
    },
    definition: (t) => ({
      trigger: { type: 'event', event: 'Order Completed', filters: [] },
      entry: { mode: 'again_after', afterDays: 30, segmentId: null },
      exit: noGoal,
      holdoutShare: 0,
      graph: { start: 'wait_7d', steps: [{ id: 'wait_7d', type: 'delay', mode: 'duration', duration: { days: 7 }, next: 'cross' }, send('cross', t.cross!, 'end'), exit()] },
    }),
  },
};

const langOf = (locale: string): Lang => (locale.startsWith('en') ? 'en' : 'ko');

/** The starter's name and definition with no templates or segments yet (what the starter list shows). */
export function starterDefinition(key: StarterKey, locale: string): { name: string; definition: JourneyDefinition } | null {
  const s = STARTERS[key];
  if (!s) return null;
  const nulls = Object.fromEntries(Object.keys(s.templates).map((k) => [k, null]));
  // The segments are made with the journey; until then a starter names none (as a blank journey would).
  const segs = Object.fromEntries((s.segments ?? []).map((k) => [k, '']));
  return { name: s.name[langOf(locale)], definition: s.definition(nulls, segs) };
}

/** Creates what the starter needs (its templates, its segments) and returns its definition. */
export async function prepareStarter(db: Queryable, opts: { workspaceId: string; actor: Actor; key: StarterKey; locale: string }): Promise<{ name: string; definition: JourneyDefinition } | null> {
  const s = STARTERS[opts.key];
  if (!s) return null;
  const lang = langOf(opts.locale);
  const segs: Record<string, string> = {};
  if (s.segments?.length) {
    await createStarterSegments(db, { workspaceId: opts.workspaceId, actor: opts.actor });
    for (const seg of await listSegments(db, { workspaceId: opts.workspaceId })) if (seg.starterKey) segs[seg.starterKey] = seg.id;
  }
  const ids: Record<string, string> = {};
  for (const [k, t] of Object.entries(s.templates)) {
    const made = await createTemplate(db, {
      workspaceId: opts.workspaceId,
      actor: opts.actor,
      input: { name: `${s.name[lang]} · ${k}`, kind: 'email', format: 'html', purpose: 'marketing', subject: t.subject[lang], body: t.body[lang] },
    });
    ids[k] = made.id;
  }
  return { name: s.name[lang], definition: s.definition(ids, segs) };
}
