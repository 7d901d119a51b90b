// The segments of the workspace: kind, size, size trend and when each was last computed.
import { Anchor, Badge, Button, Group, Paper, Table, Text } from '@mantine/core';
import { IconChartPie, IconPlus, IconSparkles } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useCan } from '../auth/session.ts';
import { notifySuccess } from '../api/query-client.ts';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { formatCount } from '../analytics/format.ts';
import { useCreateStarters, useHistory, useSegments, type Segment } from './api.ts';
import { Sparkline } from './Charts.tsx';
import { formatWhen } from './format.ts';

export function SegmentsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const write = can('messaging.write');
  const segments = useSegments();
  const starters = useCreateStarters();
  const actions = write && (
    <>
      <Button variant="default" leftSection={<IconSparkles size={16} />} loading={starters.isPending} onClick={() => starters.mutate(undefined, { onSuccess: () => notifySuccess(t('segments.list.startersAdded')) })} data-testid="add-starters">
        {t('segments.list.addStarters')}
      </Button>
      <Button component={Link} to="/segments/new" leftSection={<IconPlus size={16} />} data-testid="new-segment">
        {t('segments.list.create')}
      </Button>
    </>
  );
  return (
    <>
      <PageHeader title={t('segments.list.title')} description={t('segments.list.description')} actions={actions || undefined} />
      {segments.isPending ? (
        <PageLoader />
      ) : segments.isError ? (
        <QueryError error={segments.error} onRetry={() => void segments.refetch()} />
      ) : segments.data.length === 0 ? (
        <EmptyMessage icon={<IconChartPie size={28} />} title={t('segments.list.emptyTitle')} text={t(write ? 'segments.list.emptyText' : 'segments.list.emptyReadOnly')} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="segment-list">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('segments.list.name')}</Table.Th>
                  <Table.Th>{t('segments.list.kind')}</Table.Th>
                  <Table.Th ta="right">{t('segments.list.size')}</Table.Th>
                  <Table.Th>{t('segments.list.trend')}</Table.Th>
                  <Table.Th>{t('segments.list.lastComputed')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {segments.data.map((s) => (
                  <SegmentRow key={s.id} segment={s} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </>
  );
}

function SegmentRow({ segment }: { segment: Segment }) {
  const { t, i18n } = useTranslation();
  const history = useHistory(segment.id, segment.lastComputedAt);
  const values = (history.data?.points ?? []).map((p) => p.size);
  return (
    <Table.Tr data-testid={`segment-row-${segment.id}`}>
      <Table.Td>
        <Anchor component={Link} to={`/segments/${segment.id}`} fw={500}>
          {segment.name}
        </Anchor>
        {segment.description && (
          <Text size="xs" c="dimmed" lineClamp={1}>
            {segment.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={segment.kind === 'dynamic' ? 'blue' : 'gray'}>
          {t(`segments.kinds.${segment.kind}`)}
        </Badge>
      </Table.Td>
      <Table.Td ta="right" data-testid="segment-size">
        {formatCount(segment.size, i18n.language)}
      </Table.Td>
      <Table.Td>{values.length > 1 ? <Sparkline values={values} testId={`sparkline-${segment.id}`} /> : <Text size="xs" c="dimmed">—</Text>}</Table.Td>
      <Table.Td>
        <Group gap={4}>
          <Text size="sm">{formatWhen(segment.lastComputedAt, i18n.language) ?? (segment.kind === 'dynamic' ? t('segments.list.computing') : '—')}</Text>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
