// The workspace's journeys, newest first: status, the live version, and how many customers are in
// each now and have ever entered; "New journey" opens the choice of a blank one or a starter.
import { Anchor, Badge, Button, Group, Paper, Table, Text } from '@mantine/core';
import { IconPlus, IconRoute } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { formatCount } from '../analytics/format.ts';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan, useSession } from '../auth/session.ts';
import { formatDate } from '../i18n/format.ts';
import { useJourneys, type JourneyView } from './api.ts';
import { DemoClock } from './DemoClock.tsx';
import { NewJourneyModal } from './NewJourneyModal.tsx';
import { JourneyStatusBadge } from './StatusBadge.tsx';

export function JourneysPage() {
  const { t } = useTranslation();
  const write = useCan()('messaging.write');
  const journeys = useJourneys();
  const [creating, setCreating] = useState(false);
  const rows = journeys.data ?? [];
  const create = write && (
    <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="new-journey">
      {t('journeys.list.create')}
    </Button>
  );
  return (
    <>
      <PageHeader title={t('journeys.list.title')} description={t('journeys.list.description')} actions={create || undefined} />
      <DemoClock mb="md" />
      {journeys.isPending ? (
        <PageLoader />
      ) : journeys.isError ? (
        <QueryError error={journeys.error} onRetry={() => void journeys.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyMessage icon={<IconRoute size={28} />} title={t('journeys.list.emptyTitle')} text={t(write ? 'journeys.list.emptyText' : 'journeys.list.emptyReadOnly')} action={create || undefined} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={800}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="journey-list">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('journeys.list.name')}</Table.Th>
                  <Table.Th>{t('journeys.list.status')}</Table.Th>
                  <Table.Th>{t('journeys.list.version')}</Table.Th>
                  <Table.Th ta="right">{t('journeys.list.inNow')}</Table.Th>
                  <Table.Th ta="right">{t('journeys.list.entered')}</Table.Th>
                  <Table.Th>{t('journeys.list.updated')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((j) => (
                  <JourneyRow key={j.id} journey={j} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
      {write && <NewJourneyModal opened={creating} onClose={() => setCreating(false)} />}
    </>
  );
}

function JourneyRow({ journey: j }: { journey: JourneyView }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const timeZone = useSession().workspace?.timeZone;
  return (
    <Table.Tr data-testid={`journey-row-${j.id}`} data-status={j.status}>
      <Table.Td>
        <Anchor component={Link} to={`/journeys/${j.id}`} fw={500}>
          {j.name}
        </Anchor>
        {j.description && (
          <Text size="xs" c="dimmed" lineClamp={1} maw={420}>
            {j.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <JourneyStatusBadge status={j.status} testId="journey-status" />
      </Table.Td>
      <Table.Td>
        <Group gap={6}>
          <Text size="sm" c={j.version > 0 ? undefined : 'dimmed'}>
            {j.version > 0 ? t('journeys.list.versionValue', { version: j.version }) : t('journeys.list.notLive')}
          </Text>
          {j.version > 0 && j.changedSinceVersion && (
            <Badge size="xs" variant="outline" color="orange">
              {t('journeys.list.changed')}
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td ta="right" data-testid="journey-active">
        {formatCount(j.activeRuns, lang)}
      </Table.Td>
      <Table.Td ta="right" data-testid="journey-entered">
        {formatCount(j.enteredRuns, lang)}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDate(j.updatedAt, lang, timeZone)}</Text>
      </Table.Td>
    </Table.Tr>
  );
}
