// Why a message is where it is, in the marketer's words. Pure (the translation function is passed in).
import type { TFunction } from 'i18next';
import type { MessageStatus } from './api.ts';
import { formatClock, isKnownReason, splitReason } from './format.ts';

/**
 * Why a message is where it is: "No consent to marketing on this channel", or for a deferred
 * night-time ad "No night-time ad consent → sends at 08:00". Null when there is nothing to say.
 */
export function reasonText(t: TFunction, opts: { status: MessageStatus; reason: string | null; sendAt?: string | null; language: string; timeZone?: string }): string | null {
  const { code, detail } = splitReason(opts.reason);
  const base = isKnownReason(code) ? t(`messaging.reasons.${code}`) : opts.reason ? t('messaging.reasons.other', { reason: opts.reason }) : null;
  const extra = isKnownReason(code) && detail ? ` (${detail})` : '';
  if (opts.status === 'deferred' && opts.sendAt) {
    const time = formatClock(opts.sendAt, opts.language, opts.timeZone);
    return base ? t('messaging.reasons.deferredBecause', { reason: base + extra, time }) : t('messaging.reasons.deferredUntil', { time });
  }
  return base ? base + extra : null;
}

