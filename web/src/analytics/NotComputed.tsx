// What an analytics page says before its figures exist, and when they were last computed.
import { Alert, Button, Text } from '@mantine/core';
import { IconChartDots, IconRefresh } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { formatDateTime } from '../i18n/format.ts';
import { useSession } from '../auth/session.ts';
import { useAnalyticsShell } from './shell.ts';

/** `compact`: a line above figures that do not need a run (dormant customers) but whose columns do. */
export function NotComputed({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const { canRefresh, refreshing, startRefresh } = useAnalyticsShell();
  if (compact) {
    return (
      <Alert color="blue" variant="light" mb="md" title={t('analytics.notComputed.title')} data-testid="analytics-not-computed">
        {canRefresh ? t('analytics.notComputed.text') : t('analytics.notComputed.textReadOnly')}
        {canRefresh && (
          <Button size="xs" variant="light" mt="xs" display="block" onClick={startRefresh} loading={refreshing}>
            {t('analytics.refresh')}
          </Button>
        )}
      </Alert>
    );
  }
  return (
    <div data-testid="analytics-not-computed">
      <EmptyMessage
        icon={<IconChartDots size={28} />}
        title={t('analytics.notComputed.title')}
        text={canRefresh ? t('analytics.notComputed.text') : t('analytics.notComputed.textReadOnly')}
        action={
          canRefresh && (
            <Button leftSection={<IconRefresh size={18} />} onClick={startRefresh} loading={refreshing} data-testid="analytics-refresh-empty">
              {t('analytics.refresh')}
            </Button>
          )
        }
      />
    </div>
  );
}

export function ComputedAt({ at }: { at: string | null | undefined }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  if (!at) return null;
  return (
    <Text size="xs" c="dimmed" data-testid="analytics-computed-at">
      {t('analytics.lastComputed', { date: formatDateTime(at, i18n.language, tz) })}
    </Text>
  );
}
