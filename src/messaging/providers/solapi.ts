// SMS/LMS and KakaoTalk (AlimTalk ATA, FriendTalk CTA) through SOLAPI's REST API, implemented to
// its documentation and its official SDK:
// - Authentication (docs.solapi.com/authentication/api-key, github.com/solapi/documents
//   authentication/api-key.md): `Authorization: HMAC-SHA256 apiKey=<key>, date=<ISO 8601>,
//   salt=<12–64 random characters>, signature=<hex HMAC-SHA256(apiSecret, date + salt)>`; the
//   server refuses a date more than 15 minutes off and a signature used twice (403
//   RequestTimeTooSkewed / DuplicatedSignature / SignatureDoesNotMatch / InvalidAPIKey).
// - Sending: `POST /messages/v4/send-many/detail` with `{messages: [...], showMessageList: true}`,
//   as the `solapi` npm package 6.0.1 does (MessageService.send, dist/index.js); a message is
//   `{to, from, text, type: SMS|LMS|ATA|CTA, subject?, kakaoOptions?: {pfId, templateId, buttons:
//   [{buttonName, buttonType, linkMo, linkPc, linkAnd, linkIos}], disableSms, adFlag}}`
//   (documents api-reference/messages/sendMany.md and the SDK's messageSchema/kakaoOptionSchema).
//   The answer is `{groupInfo, failedMessageList: [{to, statusCode, statusMessage, …}],
//   messageList: [{messageId, statusCode, statusMessage}]}`; errors are HTTP 4xx/5xx with
//   `{errorCode, errorMessage}`.
// - Status codes (documents api-reference/message-status-codes.md): 2000 accepted, 3000 handed to
//   the carrier, 4000 delivered; 1xxx refused on receipt, 2xxx refused by the platform, 3xxx
//   refused by the carrier or KakaoTalk.
// AlimTalk falls back to SMS/LMS (대체발송) when `disableSms` is false: SOLAPI then sends the same
// text from the channel's sender number. Whether it did arrives with the delivery report
// (`replacement: true`), see src/messaging/receipt-routes.ts.
//
// Channel settings: from (the registered sender number), pfId (the Kakao channel id), apiBase
// (default https://api.solapi.com; tests point it at a local server), timeoutSeconds.
// Secrets: apiKey, apiSecret.
import crypto from 'node:crypto';
import type { KakaoButton, KakaoContent, Outgoing, Provider, SendResult, SmsContent } from '../types.ts';

export type SolapiSettings = { from: string; pfId?: string; apiBase?: string; timeoutSeconds?: number };
export type SolapiSecrets = { apiKey?: string; apiSecret?: string };

export const SOLAPI_BASE = 'https://api.solapi.com';
export const SOLAPI_SEND_PATH = '/messages/v4/send-many/detail';

const SALT_ALPHABET = '1234567890abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The Authorization header of one request (a fresh salt each time: SOLAPI refuses a signature used twice). */
export function solapiAuthorization(apiKey: string, apiSecret: string, date: Date): string {
  const bytes = crypto.randomBytes(32);
  let salt = '';
  for (const b of bytes) salt += SALT_ALPHABET[b % SALT_ALPHABET.length];
  const iso = date.toISOString();
  const signature = crypto.createHmac('sha256', apiSecret).update(iso + salt).digest('hex');
  return `HMAC-SHA256 apiKey=${apiKey}, date=${iso}, salt=${salt}, signature=${signature}`;
}

/** Korean numbers as SOLAPI takes them: digits only, +82 as a leading 0. */
export function solapiNumber(value: string): string {
  return value.replace(/[\s\-().]/g, '').replace(/^\+82/, '0');
}

type SolapiButton = { buttonName: string; buttonType: string; linkMo?: string; linkPc?: string; linkAnd?: string; linkIos?: string };

function solapiButtons(buttons: KakaoButton[]): SolapiButton[] {
  return buttons.map((b) => {
    const out: SolapiButton = { buttonName: b.name, buttonType: b.type };
    if (b.type === 'WL') {
      if (b.linkMo) out.linkMo = b.linkMo;
      if (b.linkPc) out.linkPc = b.linkPc;
    } else if (b.type === 'AL' && b.linkMo) {
      // An app link opens the same address on Android and iOS.
      out.linkAnd = b.linkMo;
      out.linkIos = b.linkMo;
    }
    return out;
  });
}

export type SolapiMessage = {
  to: string;
  from: string;
  text: string;
  type: 'SMS' | 'LMS' | 'ATA' | 'CTA';
  subject?: string;
  kakaoOptions?: { pfId: string; templateId?: string; buttons?: SolapiButton[]; disableSms: boolean; adFlag?: boolean };
};

/** The SOLAPI message for one of ours, or why it cannot be sent. */
export function solapiMessage(to: string, content: SmsContent | KakaoContent, settings: SolapiSettings): SolapiMessage | { error: string } {
  const from = solapiNumber(content.kind === 'sms' && content.from ? content.from : settings.from);
  if (content.kind === 'sms') {
    const message: SolapiMessage = { to: solapiNumber(to), from, text: content.text, type: content.type };
    if (content.type === 'LMS' && content.title) message.subject = content.title;
    return message;
  }
  const pfId = content.pfId || settings.pfId;
  if (!pfId) return { error: 'no Kakao channel (pfId) on the message or the channel' };
  if (content.type === 'alimtalk') {
    if (!content.templateCode) return { error: 'AlimTalk needs the provider-approved template code' };
    return {
      to: solapiNumber(to),
      from,
      text: content.text,
      type: 'ATA',
      kakaoOptions: { pfId, templateId: content.templateCode, ...(content.buttons.length ? { buttons: solapiButtons(content.buttons) } : {}), disableSms: !content.fallback },
    };
  }
  return {
    to: solapiNumber(to),
    from,
    text: content.text,
    type: 'CTA',
    kakaoOptions: {
      pfId,
      ...(content.buttons.length ? { buttons: solapiButtons(content.buttons) } : {}),
      disableSms: true,
      // Kakao requires FriendTalk ads to be flagged; ads are the texts Rapport started with (광고).
      ...(content.text.startsWith('(광고)') ? { adFlag: true } : {}),
    },
  };
}

/** Codes refused for a reason that may pass later: server errors and an empty balance. */
const TEMPORARY_CODES = new Set(['1024', '2024', '3024', '1030', '2230', '3012', '3053']);

export function isTemporarySolapiCode(code: string): boolean {
  return TEMPORARY_CODES.has(code);
}

type SendAnswer = {
  failedMessageList?: { to?: string; statusCode?: string; statusMessage?: string }[];
  messageList?: { messageId?: string; statusCode?: string; statusMessage?: string }[];
  groupInfo?: { groupId?: string };
  errorCode?: string;
  errorMessage?: string;
};

export function createSolapiProvider(settings: SolapiSettings, secrets: SolapiSecrets): Provider {
  if (!secrets.apiKey || !secrets.apiSecret) throw new Error('secrets.apiKey: a SOLAPI channel needs its API key and secret');
  const { apiKey, apiSecret } = secrets;
  const url = `${(settings.apiBase ?? SOLAPI_BASE).replace(/\/$/, '')}${SOLAPI_SEND_PATH}`;
  const timeoutMs = (settings.timeoutSeconds ?? 15) * 1000;
  return {
    name: 'solapi',
    async send(message: Outgoing): Promise<SendResult> {
      const content = message.content;
      if (content.kind !== 'sms' && content.kind !== 'kakao') return { ok: false, permanent: true, reason: `SOLAPI cannot send ${content.kind}`, code: 'wrong_kind' };
      const built = solapiMessage(message.to, content, settings);
      if ('error' in built) return { ok: false, permanent: true, reason: built.error, code: 'config' };
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            // The date is checked against SOLAPI's own clock, so it is the machine's time, not the business clock.
            authorization: solapiAuthorization(apiKey, apiSecret, new Date()),
            'content-type': 'application/json',
          },
          body: JSON.stringify({ messages: [built], showMessageList: true }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const err = error as Error & { cause?: { code?: string } };
        const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
        return { ok: false, permanent: false, reason: timedOut ? `SOLAPI did not answer within ${timeoutMs / 1000} s` : (err.cause?.code ?? err.message), code: timedOut ? 'timeout' : 'connection' };
      }
      const text = await response.text().catch(() => '');
      let answer: SendAnswer = {};
      try {
        answer = text ? (JSON.parse(text) as SendAnswer) : {};
      } catch {
        // not JSON: the status decides
      }
      if (!response.ok) {
        const reason = answer.errorCode ? `${answer.errorCode}: ${answer.errorMessage ?? ''}`.trim() : `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
        // A refused signature or key is the channel's set-up (or this machine's clock), not the recipient: retried, never a bounce.
        if (response.status === 401 || response.status === 403) return { ok: false, permanent: false, reason, code: 'auth_failed' };
        if (response.status === 429 || response.status >= 500) return { ok: false, permanent: false, reason, code: answer.errorCode ?? `http_${response.status}` };
        return { ok: false, permanent: response.status >= 400 && response.status < 500, reason, code: answer.errorCode ?? `http_${response.status}` };
      }
      const failed = answer.failedMessageList?.[0];
      if (failed) {
        const code = failed.statusCode ?? 'unknown';
        return { ok: false, permanent: !isTemporarySolapiCode(code), reason: `${code}: ${failed.statusMessage ?? ''}`.trim(), code };
      }
      const accepted = answer.messageList?.[0];
      if (!accepted?.messageId) return { ok: false, permanent: false, reason: 'SOLAPI accepted the request but named no message', code: 'no_message_id' };
      // Whether an AlimTalk went as SMS/LMS instead is known only later, from the delivery report.
      return { ok: true, providerMessageId: accepted.messageId, ...(accepted.statusCode === '4000' ? { delivered: true } : {}) };
    },
    async close() {},
  };
}
