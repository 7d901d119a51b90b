// The server's own report on its database, refreshed every 30 seconds.
import { ActionIcon, Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/query-client.ts';
import { formatTime } from '../i18n/format.ts';
import { healthColor, useHealth } from './health.ts';

function Row({ label, value }: { label: string; value: string }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="sm" ta="right">
        {value}
      </Text>
    </Group>
  );
}

export function HealthCard() {
  const { t, i18n } = useTranslation();
  const health = useHealth();
  const report = health.data;
  const statusLabel = !report
    ? health.isError
      ? t('health.unavailable')
      : t('health.checking')
    : report.status === 'ok'
      ? t('health.ok')
      : report.status === 'migrations_pending'
        ? t('health.migrationsPending')
        : t('health.unavailable');
  const color = health.isError ? 'red' : healthColor(report?.status);

  return (
    <Card data-testid="health-card">
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Title order={4}>{t('health.title')}</Title>
        <ActionIcon variant="subtle" color="gray" onClick={() => void health.refetch()} loading={health.isFetching} aria-label={t('common.retry')}>
          <IconRefresh size={16} />
        </ActionIcon>
      </Group>
      <Badge color={color} variant="light" size="lg" leftSection={<span aria-hidden>●</span>} mb="md" data-testid="health-status">
        {statusLabel}
      </Badge>
      <Stack gap={6}>
        {report && <Row label={t('health.database')} value={report.database.kind === 'pglite' ? t('health.pglite') : t('health.postgres')} />}
        {report?.migrations && (
          <Row label={t('health.migrations')} value={t('health.migrationsValue', { applied: report.migrations.applied, expected: report.migrations.expected })} />
        )}
        {report?.database.busyForMs !== undefined && (
          <Text size="xs" c="dimmed">
            {t('health.busy', { seconds: Math.round(report.database.busyForMs / 1000) })}
          </Text>
        )}
        {health.isError && (
          <Text size="xs" c="red">
            {errorMessage(health.error)}
          </Text>
        )}
        {health.dataUpdatedAt > 0 && (
          <Text size="xs" c="dimmed" mt={4}>
            {t('health.checkedAt', { time: formatTime(new Date(health.dataUpdatedAt), i18n.language) })}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
