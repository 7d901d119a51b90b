// Import steps 3 and 4: progress while the import runs (polled), then what it did and every
// rejected row with its line number.
import { Alert, Anchor, Button, Center, Group, Paper, Progress, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle, IconDownload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from './format.ts';
import { errorsCsvPath, useImportErrors, type CustomerImport } from './imports-api.ts';

function Stat({ label, value, color, testId }: { label: string; value: number; color?: string; testId: string }) {
  const { i18n } = useTranslation();
  return (
    <Paper withBorder p="md" data-testid={testId} data-value={value}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color}>
        {formatNumber(value, i18n.language)}
      </Text>
    </Paper>
  );
}

function Counts({ imp }: { imp: CustomerImport }) {
  const { t } = useTranslation();
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }}>
      <Stat label={t('imports.rowsTotal')} value={imp.rowsTotal} testId="import-rows-total" />
      <Stat label={t('imports.created')} value={imp.rowsCreated} color="teal" testId="import-created" />
      <Stat label={t('imports.updated')} value={imp.rowsUpdated} color="blue" testId="import-updated" />
      <Stat label={t('imports.failed')} value={imp.rowsFailed} color={imp.rowsFailed ? 'red' : undefined} testId="import-failed" />
    </SimpleGrid>
  );
}

export function ImportProgress({ imp }: { imp: CustomerImport }) {
  const { t } = useTranslation();
  const percent = Math.round(Math.min(1, Math.max(0, imp.progress)) * 100);
  return (
    <Stack data-testid="import-progress">
      <Text size="sm">{t('imports.running', { file: imp.fileName })}</Text>
      <Progress value={percent} size="xl" striped animated aria-label={t('imports.progressLabel')} data-testid="import-progress-bar" data-value={percent} />
      <Text size="sm" c="dimmed" ta="right">
        {percent}%
      </Text>
      <Counts imp={imp} />
    </Stack>
  );
}

function ErrorTable({ imp }: { imp: CustomerImport }) {
  const { t } = useTranslation();
  const errors = useImportErrors(imp.id, imp.rowsFailed > 0);
  const items = errors.data?.pages.flatMap((p) => p.items) ?? imp.errors ?? [];
  if (imp.rowsFailed === 0) return null;
  return (
    <Paper withBorder>
      <Group justify="space-between" p="md">
        <Text fw={600}>{t('imports.errorReport')}</Text>
        <Anchor href={errorsCsvPath(imp.id)} download={`import-errors-${imp.id.slice(0, 8)}.csv`} size="sm" data-testid="errors-csv">
          <Group gap={4} component="span">
            <IconDownload size={14} />
            {t('imports.downloadErrors')}
          </Group>
        </Anchor>
      </Group>
      <Table.ScrollContainer minWidth={480}>
        <Table striped data-testid="import-errors">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={80}>{t('imports.line')}</Table.Th>
              <Table.Th w={180}>{t('imports.column')}</Table.Th>
              <Table.Th>{t('imports.message')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((e, i) => (
              <Table.Tr key={`${e.line}-${e.column}-${i}`} data-testid="import-error" data-line={e.line}>
                <Table.Td>{e.line}</Table.Td>
                <Table.Td>{e.column ?? '—'}</Table.Td>
                <Table.Td>{e.message}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {errors.hasNextPage && (
        <Center p="sm">
          <Button size="xs" variant="default" onClick={() => void errors.fetchNextPage()} loading={errors.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        </Center>
      )}
    </Paper>
  );
}

export function ImportSummary({ imp, onAnother }: { imp: CustomerImport; onAnother: () => void }) {
  const { t } = useTranslation();
  return (
    <Stack data-testid="import-summary" data-status={imp.status}>
      {imp.status === 'failed' || imp.status === 'cancelled' ? (
        <Alert color="red" icon={<IconAlertTriangle size={18} />} title={t(`imports.statuses.${imp.status}`)} data-testid="import-failure">
          {imp.failure ?? t('imports.failedText')}
        </Alert>
      ) : (
        <Alert color={imp.rowsFailed ? 'yellow' : 'teal'} title={t('imports.doneTitle')}>
          {imp.rowsFailed ? t('imports.doneWithErrors', { count: imp.rowsFailed }) : t('imports.doneText')}
        </Alert>
      )}
      <Counts imp={imp} />
      <ErrorTable imp={imp} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onAnother} data-testid="import-another">
          {t('imports.another')}
        </Button>
      </Group>
    </Stack>
  );
}
