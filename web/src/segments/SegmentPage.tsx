// One segment: its size and how it changed, its members, its overlap with another segment, and
// (for those who define segments) edit, recompute and delete.
import { Alert, Badge, Button, Card, Code, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconEdit, IconRefresh, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client.ts';
import { errorMessage, notifySuccess } from '../api/query-client.ts';
import { useCan } from '../auth/session.ts';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { formatCount } from '../analytics/format.ts';
import { SendCampaignButton } from '../campaigns/SendCampaignButton.tsx';
import { StatCard } from '../analytics/StatCard.tsx';
import { useDeleteSegment, useHistory, useRecompute, useSegment, type Segment } from './api.ts';
import { SizeChart } from './Charts.tsx';
import { formatWhen, historySeries } from './format.ts';
import { MembersTable } from './MembersTable.tsx';
import { OverlapCard } from './OverlapCard.tsx';

export function SegmentPage() {
  const { id = '' } = useParams();
  const segment = useSegment(id);
  if (segment.isPending) return <PageLoader />;
  if (segment.isError) return <QueryError error={segment.error} onRetry={() => void segment.refetch()} />;
  return <SegmentView segment={segment.data} />;
}

function SegmentView({ segment }: { segment: Segment }) {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const write = can('messaging.write');
  const recompute = useRecompute();
  const remove = useDeleteSegment();
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const history = useHistory(segment.id, segment.lastComputedAt);
  const series = historySeries(history.data?.points ?? [], i18n.language);

  function doDelete() {
    setDeleteError(null);
    remove.mutate(segment.id, {
      onSuccess: () => {
        notifySuccess(t('segments.page.deleted'));
        navigate('/segments');
      },
      onError: (err) => {
        setConfirming(false);
        setDeleteError(err instanceof ApiError && err.status === 409 ? t('segments.page.referenced', { message: err.message }) : errorMessage(err));
      },
    });
  }

  const actions = write && (
    <>
      <SendCampaignButton segmentId={segment.id} />
      {segment.kind === 'dynamic' && (
        <Button variant="default" leftSection={<IconRefresh size={16} />} loading={recompute.isPending} onClick={() => recompute.mutate(segment.id, { onSuccess: () => notifySuccess(t('segments.page.recomputeQueued')) })} data-testid="segment-recompute">
          {t('segments.page.recompute')}
        </Button>
      )}
      {segment.kind === 'dynamic' && (
        <Button component={Link} to={`/segments/${segment.id}/edit`} variant="default" leftSection={<IconEdit size={16} />} data-testid="segment-edit">
          {t('segments.page.edit')}
        </Button>
      )}
      <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => setConfirming(true)} data-testid="segment-delete">
        {t('segments.page.delete')}
      </Button>
    </>
  );

  return (
    <Stack>
      <PageHeader title={segment.name} description={segment.description ?? undefined} actions={actions || undefined} />
      {deleteError && (
        <Alert color="red" role="alert" withCloseButton onClose={() => setDeleteError(null)} data-testid="segment-delete-error">
          {deleteError}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <StatCard label={t('segments.list.size')} value={formatCount(segment.size, i18n.language)} testId="segment-size" />
        <StatCard label={t('segments.list.kind')} value={<Badge component="span" variant="light">{t(`segments.kinds.${segment.kind}`)}</Badge>} testId="segment-kind" />
        <StatCard label={t('segments.list.lastComputed')} value={formatWhen(segment.lastComputedAt, i18n.language) ?? '—'} testId="segment-computed" />
      </SimpleGrid>
      <Card withBorder padding="md">
        <Text fw={600} mb="sm">
          {t('segments.page.history')}
        </Text>
        {series.length > 1 ? <SizeChart data={series} label={t('segments.list.size')} testId="size-chart" /> : <Text size="sm" c="dimmed">{t('segments.page.historyEmpty')}</Text>}
      </Card>
      <MembersTable segmentId={segment.id} size={segment.size} version={segment.lastComputedAt} />
      <OverlapCard segmentId={segment.id} />
      {segment.definition && (
        <Card withBorder padding="md">
          <Text fw={600} mb="sm">
            {t('segments.page.definition')}
          </Text>
          <Code block data-testid="segment-definition">
            {JSON.stringify(segment.definition, null, 2)}
          </Code>
        </Card>
      )}
      <ConfirmModal
        opened={confirming}
        title={t('segments.page.deleteTitle')}
        message={t('segments.page.deleteText', { name: segment.name })}
        confirmLabel={t('segments.page.delete')}
        loading={remove.isPending}
        onConfirm={doDelete}
        onClose={() => setConfirming(false)}
      />
    </Stack>
  );
}
