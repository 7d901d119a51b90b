// From a rendered template to what the provider is given (MessageContent), with what the law and
// the mailbox providers ask of each channel: e-mail ads get (광고) in the subject, an unsubscribe
// link in the body and RFC 8058 one-click List-Unsubscribe headers; every e-mail gets tracked
// links, an open pixel, a plain-text part and a Message-ID fixed by the message's id (so a retry
// is recognisably the same message); text ads get (광고), the sender's name and the free opt-out
// line. Pure: the caller passes the unsubscribe URL, the keys and the settings.
import { convert } from 'html-to-text';
import { adSubject, adWrap, isSmsError, smsContent } from './korean.ts';
import { addOpenPixel, openPixelUrl, rewriteLinks } from './tracking.ts';
import type { KakaoButton, MessageContent, MessagePurpose, SmsContent } from './types.ts';

/** A template (or the caller's content) after Liquid: what compose turns into the provider's content. */
export type RenderedParts = {
  subject?: string | null;
  body: string;
  /** E-mail: the plain-text part as rendered (converted from the HTML here when missing). */
  text?: string | null;
  title?: string | null;
  format?: string | null;
  options?: Record<string, unknown>;
};

export type ComposeInput = {
  workspaceId: string;
  messageId: string;
  kind: string;
  purpose: MessagePurpose;
  rendered: RenderedParts;
  /** The channel's settings (from, replyTo, bounceAddress, pfId, …). */
  channelSettings: Record<string, unknown>;
  /** Where links and the pixel point: RAPPORT_PUBLIC_URL. */
  baseUrl: string;
  /** The server key the tracking tokens are signed with. */
  trackingKey: Buffer;
  /** `${base}/u/<token>` for the customer; null when the message has no customer. */
  unsubscribeUrl: string | null;
  senderName: string | null;
  optOutNumber: string | null;
};

export type Composed = { ok: true; content: MessageContent; links: string[] } | { ok: false; error: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The address part of `Shop <shop@example.com>`. */
export function bareAddress(from: string): string {
  const m = /<([^>]+)>/.exec(from);
  return (m ? m[1]! : from).trim();
}

function insertBeforeBodyEnd(html: string, fragment: string): string {
  const at = html.search(/<\/body\s*>/i);
  return at < 0 ? html + fragment : html.slice(0, at) + fragment + html.slice(at);
}

function composeEmail(input: ComposeInput): Composed {
  const { rendered, purpose, channelSettings } = input;
  const from = str(channelSettings.from) ?? '';
  const domainOf = (addr: string) => addr.slice(addr.lastIndexOf('@') + 1).replace(/[^A-Za-z0-9.-]/g, '');
  let domain = from.includes('@') ? domainOf(bareAddress(from)) : '';
  if (!domain) {
    try {
      domain = new URL(input.baseUrl).hostname;
    } catch {
      domain = 'rapport.local';
    }
  }
  const subject = rendered.subject?.trim() || '';
  let html = rendered.format === 'text' ? `<html><body><div style="white-space:pre-wrap">${escapeHtml(rendered.body)}</div></body></html>` : rendered.body;
  const ref = { workspaceId: input.workspaceId, messageId: input.messageId, baseUrl: input.baseUrl, key: input.trackingKey };
  const tracked = rewriteLinks(html, ref);
  html = tracked.html;
  const headers: Record<string, string> = { 'X-Rapport-Workspace': input.workspaceId, 'X-Rapport-Message': input.messageId };
  if (purpose === 'marketing') {
    if (!input.unsubscribeUrl) return { ok: false, error: 'an advertising e-mail needs an unsubscribe link: send it to a customer, not a bare address' };
    // After rewriting: the unsubscribe link stays a direct link (tracking skips /u/ anyway).
    const footer =
      `<p style="font-size:12px;color:#666;margin-top:24px">본 메일은 광고성 정보입니다. 수신을 원하지 않으시면 ` +
      `<a href="${escapeHtml(input.unsubscribeUrl)}" data-rapport-notrack>수신거부</a>를 눌러 주세요. ` +
      `This is an advertisement. <a href="${escapeHtml(input.unsubscribeUrl)}" data-rapport-notrack>Unsubscribe</a>.</p>`;
    html = insertBeforeBodyEnd(html, footer);
    const mailto = str(channelSettings.bounceAddress) ?? (from ? bareAddress(from) : undefined);
    headers['List-Unsubscribe'] = `<${input.unsubscribeUrl}>${mailto ? `, <mailto:${mailto}?subject=unsubscribe>` : ''}`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  // html-to-text costs milliseconds a message: the template renders its text part from a text parsed once.
  let text = rendered.text ?? convert(html, { wordwrap: 100, selectors: [{ selector: 'img', format: 'skip' }] });
  if (purpose === 'marketing') text = `${text.trimEnd()}\n\n(광고) 수신거부 · Unsubscribe: ${input.unsubscribeUrl}\n`;
  html = addOpenPixel(html, openPixelUrl(ref));
  return {
    ok: true,
    links: tracked.links,
    content: {
      kind: 'email',
      from,
      ...(str(channelSettings.replyTo) ? { replyTo: str(channelSettings.replyTo) } : {}),
      subject: purpose === 'marketing' ? adSubject(subject) : subject,
      html,
      text,
      headers,
      messageIdHeader: `<${input.messageId}@${domain}>`,
    },
  };
}

function composeSms(input: ComposeInput, text: string, title?: string | null): SmsContent | { error: string } {
  const from = str(input.channelSettings.from) ?? '';
  const sms = smsContent({ text, title, from, purpose: input.purpose, senderName: input.senderName, optOutNumber: input.optOutNumber });
  return isSmsError(sms) ? { error: sms.error } : sms;
}

function buttonsOf(options: Record<string, unknown> | undefined): KakaoButton[] {
  const raw = options?.buttons;
  if (!Array.isArray(raw)) return [];
  return raw.filter((b): b is KakaoButton => typeof b === 'object' && b !== null && typeof (b as KakaoButton).name === 'string');
}

/** The provider's content for a rendered message, or why it cannot be sent. */
export function composeContent(input: ComposeInput): Composed {
  const { rendered } = input;
  switch (input.kind) {
    case 'email':
      return composeEmail(input);
    case 'sms': {
      const sms = composeSms(input, rendered.body, rendered.title ?? rendered.subject);
      return 'error' in sms ? { ok: false, error: sms.error } : { ok: true, content: sms, links: [] };
    }
    case 'kakao': {
      const options = rendered.options ?? {};
      const type = options.type === 'alimtalk' || options.type === 'friendtalk' ? options.type : input.purpose === 'marketing' ? 'friendtalk' : 'alimtalk';
      if (type === 'alimtalk' && input.purpose === 'marketing') return { ok: false, error: 'AlimTalk is for informational messages only' };
      const pfId = str(input.channelSettings.pfId) ?? '';
      let text = rendered.body;
      if (type === 'friendtalk' && input.purpose === 'marketing') {
        if (!input.senderName || !input.optOutNumber) return { ok: false, error: 'senderName: an advertising FriendTalk needs the sender’s name and the free opt-out number (messaging settings)' };
        text = adWrap(text, { senderName: input.senderName, optOutNumber: input.optOutNumber, kind: 'friendtalk' });
      }
      const templateCode = str(options.templateCode);
      if (type === 'alimtalk' && !templateCode) return { ok: false, error: 'options.templateCode: an AlimTalk needs the provider-approved template code' };
      // AlimTalk that cannot be delivered goes as SMS/LMS (대체발송): the same text, informational.
      let fallback: SmsContent | undefined;
      if (type === 'alimtalk') {
        const sms = composeSms({ ...input, purpose: 'transactional' }, rendered.body, rendered.title);
        if (!('error' in sms)) fallback = sms;
      }
      return {
        ok: true,
        links: [],
        content: { kind: 'kakao', type, pfId, ...(templateCode ? { templateCode } : {}), text, buttons: buttonsOf(options), ...(fallback ? { fallback } : {}) },
      };
    }
    case 'push': {
      const options = rendered.options ?? {};
      const title = rendered.title ?? rendered.subject ?? '';
      return {
        ok: true,
        links: [],
        content: {
          kind: 'push',
          title: input.purpose === 'marketing' ? adSubject(title) : title,
          body: rendered.body,
          ...(str(options.url) ? { url: str(options.url) } : {}),
          ...(str(options.icon) ? { icon: str(options.icon) } : {}),
        },
      };
    }
    case 'webhook': {
      let body: unknown;
      try {
        body = JSON.parse(rendered.body);
      } catch {
        body = { text: rendered.body };
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) body = { value: body };
      return { ok: true, links: [], content: { kind: 'webhook', body: body as Record<string, unknown> } };
    }
    default:
      return { ok: false, error: `unknown channel kind ${input.kind}` };
  }
}
