// A message's status as a coloured badge, and why it was held back or refused, in words.
import { Badge, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session.ts';
import type { MessageStatus } from './api.ts';
import { STATUS_COLORS } from './format.ts';
import { reasonText } from './reasons.ts';


export function StatusBadge({ status, testId }: { status: MessageStatus; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={STATUS_COLORS[status] ?? 'gray'} data-testid={testId} data-status={status}>
      {t(`messaging.statuses.${status}`)}
    </Badge>
  );
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
