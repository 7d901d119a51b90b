// The demo workspace's messaging: sandbox channels (every message lands in the Sandbox inbox),
// the advertising marks Korean law asks for (sender name, 080 opt-out number), and four templates
// a Korean shop sends every day, so that a newcomer can send a real message in the first minute.
// Idempotent: a retried demo job (or a second call) adds nothing.
import type { Db } from '../db/connection.ts';
import type { Actor } from '../workspaces/audit.ts';
import { ensureSandboxChannels } from './channels.ts';
import { getMessagingSettings, setMessagingSettings } from './settings.ts';
import { createTemplate, listTemplates, type NewTemplate } from './templates.ts';

export const DEMO_SENDER_NAME = '데모샵';
/** A free opt-out (080) number as the shop would print it; the sandbox sends nothing to it. */
export const DEMO_OPT_OUT_NUMBER = '080-123-4567';

/**
 * A welcome e-mail: the customer's name (with a default for profiles without one), three products
 * picked for them. It is an ad (it recommends products): when it is sent, the system puts (광고)
 * before the subject and the unsubscribe link and List-Unsubscribe headers on it.
 */
const WELCOME_EMAIL = `<mjml>
  <mj-head>
    <mj-title>데모샵에 오신 것을 환영합니다</mj-title>
    <mj-preview>{{ customer.name | default: "고객" }}님, 첫 구매 10% 할인 쿠폰이 도착했어요</mj-preview>
    <mj-attributes><mj-all font-family="'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif" /></mj-attributes>
  </mj-head>
  <mj-body background-color="#f4f4f5">
    <mj-section background-color="#ffffff" padding="32px 24px">
      <mj-column>
        <mj-text font-size="22px" font-weight="bold">{{ customer.name | default: "고객" }}님, 환영합니다!</mj-text>
        <mj-text font-size="15px" line-height="1.6">데모샵 회원이 되어 주셔서 감사합니다. 첫 구매에 쓰실 수 있는 10% 할인 쿠폰을 드려요. 쿠폰은 가입일로부터 30일 동안 사용할 수 있습니다.</mj-text>
        <mj-button href="https://shop.example.com/coupons?utm_source=rapport&amp;utm_campaign=welcome" background-color="#1c7ed6">쿠폰 받기</mj-button>
      </mj-column>
    </mj-section>
    <mj-section background-color="#ffffff" padding="0 24px 24px">
      <mj-column>
        <mj-text font-size="17px" font-weight="bold">{{ customer.first_name | default: "고객" }}님께 어울릴 상품</mj-text>
        <mj-text font-size="15px" line-height="1.8">{% for p in recommendations limit:3 %}<a href="{{ p.url | default: 'https://shop.example.com' }}">{{ p.name }}</a> {{ p.price_formatted }}<br>{% else %}<a href="https://shop.example.com/best">이번 주 베스트 상품 보기</a>{% endfor %}</mj-text>
      </mj-column>
    </mj-section>
    <mj-section padding="16px 24px">
      <mj-column>
        <mj-text font-size="12px" color="#868e96" line-height="1.6">{{ workspace.name }} · 서울특별시 중구 세종대로 110 · 고객센터 1588-1234</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

/**
 * The order confirmation as an AlimTalk (information, no consent to advertising needed). The
 * template code is the sandbox's: a real Kakao channel needs the code Kakao approved for this text.
 */
const ORDER_ALIMTALK = `[데모샵] 주문이 완료되었습니다

{{ customer.name | default: "고객" }}님, 주문해 주셔서 감사합니다.

▶ 주문번호: {{ data.order_id }}
▶ 상품: {{ data.item_name }}
▶ 결제금액: {{ data.total }}

상품이 출발하면 다시 알려 드릴게요.`;

/** A win-back text. (광고), the sender's name and the opt-out line are the system's to add. */
const WIN_BACK_SMS = `{{ customer.name | default: "고객" }}님, 오랜만이에요! 돌아오신 기념으로 15% 할인 쿠폰을 드려요. 이번 주 일요일까지 shop.example.com/back`;

export const DEMO_TEMPLATES: readonly NewTemplate[] = [
  { name: '환영 메일 · Welcome e-mail', kind: 'email', format: 'mjml', purpose: 'marketing', subject: '{{ customer.name | default: "고객" }}님, 데모샵에 오신 것을 환영합니다', body: WELCOME_EMAIL },
  {
    name: '주문 완료 알림톡 · Order confirmation (AlimTalk)',
    kind: 'kakao',
    format: 'text',
    purpose: 'transactional',
    body: ORDER_ALIMTALK,
    options: {
      type: 'alimtalk',
      templateCode: 'DEMO_ORDER_01',
      buttons: [{ name: '주문 확인하기', type: 'WL', linkMo: 'https://shop.example.com/orders/{{ data.order_id }}', linkPc: 'https://shop.example.com/orders/{{ data.order_id }}' }],
    },
  },
  { name: '재방문 쿠폰 문자 · Win-back SMS', kind: 'sms', format: 'text', purpose: 'marketing', body: WIN_BACK_SMS },
  {
    name: '타임세일 푸시 · Flash-sale push',
    kind: 'push',
    format: 'text',
    purpose: 'marketing',
    subject: '⏰ 오늘 밤 12시까지 타임세일',
    body: '{{ customer.first_name | default: "고객" }}님이 찜한 상품이 최대 40% 할인 중이에요.',
    options: { url: 'https://shop.example.com/sale?utm_source=push' },
  },
];

export type DemoMessagingResult = { channels: number; templatesCreated: string[]; settingsSet: boolean };

/**
 * Sets up messaging for the demo workspace: sandbox channels for e-mail, SMS, KakaoTalk and push,
 * the sender name and opt-out number (only where the workspace has none yet, so a marketer's own
 * are never overwritten) and the demo templates that do not exist yet (matched by name).
 */
export async function setupDemoMessaging(db: Db, workspaceId: string, actor: Actor = { type: 'system', label: 'demo data' }): Promise<DemoMessagingResult> {
  const channels = await ensureSandboxChannels(db, workspaceId);
  const settings = await getMessagingSettings(db, workspaceId);
  const settingsSet = !settings.senderName || !settings.optOutNumber;
  if (settingsSet) {
    await setMessagingSettings(db, {
      workspaceId,
      actor,
      input: { senderName: settings.senderName ?? DEMO_SENDER_NAME, optOutNumber: settings.optOutNumber ?? DEMO_OPT_OUT_NUMBER },
    });
  }
  const existing = new Set((await listTemplates(db, { workspaceId, limit: 1000 })).map((t) => t.name));
  const templatesCreated: string[] = [];
  for (const input of DEMO_TEMPLATES) {
    if (existing.has(input.name)) continue;
    await createTemplate(db, { workspaceId, actor, input });
    templatesCreated.push(input.name);
  }
  return { channels: channels.length, templatesCreated, settingsSet };
}
