// A message's status as a coloured badge, and why it was held back or refused, in words.
import { Badge, Group, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session.ts';
import type { MessageStatus } from './api.ts';
import { formatClock, isKnownReason, splitReason, STATUS_COLORS } from './format.ts';

export function StatusBadge({ status, testId }: { status: MessageStatus; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={STATUS_COLORS[status] ?? 'gray'} data-testid={testId} data-status={status}>
      {t(`messaging.statuses.${status}`)}
    </Badge>
  );
}

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

export function StatusWithReason({ status, reason, sendAt, testId }: { status: MessageStatus; reason: string | null; sendAt?: string | null; testId?: string }) {
  const { t, i18n } = useTranslation();
  const timeZone = useSession().workspace?.timeZone;
  const why = reasonText(t, { status, reason, sendAt, language: i18n.language, timeZone });
  return (
    <Group gap={6} wrap="nowrap" align="center">
      <StatusBadge status={status} testId={testId} />
      {why && (
        <Text size="xs" c="dimmed" data-testid={testId ? `${testId}-reason` : undefined}>
          {why}
        </Text>
      )}
    </Group>
  );
}
