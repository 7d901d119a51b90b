// Korean text-message rules: length counted in EUC-KR bytes as carriers count it (a Hangul
// syllable is 2 bytes, ASCII 1), SMS up to 90 bytes, LMS up to 2,000 with a title of up to 40,
// and the advertising marks the law asks for ((광고) + the sender's name first, the free opt-out
// line last; 정보통신망법 제50조). Pure: no database, no clock.
import iconv from 'iconv-lite';
import type { MessagePurpose, SmsContent } from './types.ts';

export const SMS_MAX_BYTES = 90;
export const LMS_MAX_BYTES = 2000;
export const LMS_TITLE_MAX_BYTES = 40;

export const AD_PREFIX = '(광고)';
export const OPT_OUT_LABEL = '무료수신거부';

/** What one text weighs: its bytes, and the characters EUC-KR cannot hold (each counted as 2). */
export type EucKrCount = { bytes: number; unencodable: string[] };

const QUESTION = 0x3f;

/**
 * The text's length in EUC-KR bytes. iconv-lite's `euc-kr` is Microsoft's CP949 (Unified Hangul
 * Code), which is what Korean carriers and SMS providers count in: all 11,172 Hangul syllables
 * are 2 bytes. A character it cannot encode (an emoji, ₩ U+20A9, a no-break space) becomes `?`
 * there; a phone shows such a character as 2 bytes or garbles it, so it counts as 2 and is
 * reported, so the editor can say which one.
 */
export function countEucKr(text: string): EucKrCount {
  const encoded = iconv.encode(text, 'euc-kr');
  let questionsIn = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === QUESTION) questionsIn++;
  let questionsOut = 0;
  for (const byte of encoded) if (byte === QUESTION) questionsOut++;
  // Fast path (nearly every message): every `?` in the bytes was a `?` in the text.
  if (questionsIn === questionsOut) return { bytes: encoded.length, unencodable: [] };
  let bytes = 0;
  const unencodable: string[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) {
      bytes += 1;
      continue;
    }
    const one = iconv.encode(ch, 'euc-kr');
    if (one.length === 1 && one[0] === QUESTION) {
      bytes += 2;
      if (!unencodable.includes(ch)) unencodable.push(ch);
    } else bytes += one.length;
  }
  return { bytes, unencodable };
}

/** The text's length in EUC-KR bytes (unencodable characters count as 2). */
export function eucKrBytes(text: string): number {
  return countEucKr(text).bytes;
}

/** SMS up to 90 bytes, LMS up to 2,000; longer cannot be sent as one text message (null). */
export function smsType(bytes: number): 'SMS' | 'LMS' | null {
  if (bytes <= SMS_MAX_BYTES) return 'SMS';
  if (bytes <= LMS_MAX_BYTES) return 'LMS';
  return null;
}

/** The free opt-out line an advertising text message ends with. */
export function optOutLine(optOutNumber: string): string {
  return `${OPT_OUT_LABEL} ${optOutNumber.trim()}`;
}

/**
 * An advertising SMS/LMS or FriendTalk text: `(광고)` and the sender's name first, the free opt-out
 * line last. Both count in the message's bytes. Wrapping twice gives the same text (a retried
 * render, or a marketer who typed the marks), so the marks never appear twice.
 */
export function adWrap(text: string, opts: { senderName: string; optOutNumber: string; kind: 'sms' | 'friendtalk' }): string {
  const line = optOutLine(opts.optOutNumber);
  let out = text;
  if (!out.startsWith(AD_PREFIX)) out = `${AD_PREFIX}${opts.senderName.trim()}\n${out}`;
  if (!out.trimEnd().endsWith(line)) out = `${out}\n${line}`;
  return out;
}

/** An advertising e-mail's subject: `(광고) ` first (once). */
export function adSubject(subject: string): string {
  return subject.startsWith(AD_PREFIX) ? subject : `${AD_PREFIX} ${subject}`;
}

export type SmsInput = {
  text: string;
  /** LMS title; derived from the text's first line when not given. Ignored for an SMS. */
  title?: string | null;
  /** The registered sender number (발신번호). */
  from: string;
  purpose: MessagePurpose;
  /** Required for marketing: the name after (광고). */
  senderName?: string | null;
  /** Required for marketing: the free opt-out number, e.g. 080-123-4567. */
  optOutNumber?: string | null;
};

export type SmsError = { error: string; field: 'text' | 'title' | 'senderName' | 'optOutNumber'; bytes?: number };

/** The first characters of `text` that fit in `maxBytes` EUC-KR bytes (whole characters only). */
export function truncateEucKr(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const b = eucKrBytes(ch);
    if (bytes + b > maxBytes) break;
    out += ch;
    bytes += b;
  }
  return out;
}

/**
 * What a text message becomes: advertising marks added for marketing, its bytes counted, SMS or
 * LMS chosen. An error (as a value, naming the field) when it cannot be sent: over 2,000 bytes,
 * a title over 40 bytes, or an advertisement without the sender's name or opt-out number.
 */
export function smsContent(input: SmsInput): SmsContent | SmsError {
  let text = input.text;
  if (input.purpose === 'marketing') {
    if (!input.senderName?.trim()) {
      return { field: 'senderName', error: 'senderName: an advertising text message starts with (광고) and the sender’s name: set it in the messaging settings' };
    }
    if (!input.optOutNumber?.trim()) {
      return { field: 'optOutNumber', error: 'optOutNumber: an advertising text message ends with a free opt-out number (무료수신거부 080-…): set it in the messaging settings' };
    }
    text = adWrap(text, { senderName: input.senderName, optOutNumber: input.optOutNumber, kind: 'sms' });
  }
  const bytes = eucKrBytes(text);
  const type = smsType(bytes);
  if (!type) return { field: 'text', bytes, error: `text: ${bytes.toLocaleString('en')} bytes in EUC-KR; an LMS holds at most ${LMS_MAX_BYTES.toLocaleString('en')}` };
  if (type === 'SMS') return { kind: 'sms', type, from: input.from, text, bytes };
  const given = input.title?.trim();
  if (given) {
    const titleBytes = eucKrBytes(given);
    if (titleBytes > LMS_TITLE_MAX_BYTES) return { field: 'title', bytes: titleBytes, error: `title: ${titleBytes} bytes in EUC-KR; an LMS title holds at most ${LMS_TITLE_MAX_BYTES}` };
  }
  const title = given || truncateEucKr((text.split('\n').find((l) => l.trim()) ?? '').trim(), LMS_TITLE_MAX_BYTES);
  return { kind: 'sms', type, from: input.from, text, bytes, ...(title ? { title } : {}) };
}

export function isSmsError(value: SmsContent | SmsError): value is SmsError {
  return 'error' in value;
}
