// The workspace's campaigns, newest first: status, channel, audience, what was sent and how many
// converted (from each started campaign's report, fetched for the rows shown only).
import { Anchor, Button, Group, Paper, Table, Text } from '@mantine/core';
import { IconPlus, IconSpeakerphone } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { formatCount, formatPercent } from '../analytics/format.ts';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan, useSession } from '../auth/session.ts';
import { formatDate } from '../i18n/format.ts';
import { useCampaignReport, useCampaigns, type Campaign } from './api.ts';
import { keyFigures } from './format.ts';
import { CampaignStatusBadge } from './StatusBadge.tsx';

export function CampaignsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const write = can('messaging.write');
  const campaigns = useCampaigns();
  const rows = campaigns.data?.pages.flatMap((p) => p.items) ?? [];
  const actions = write && (
    <Button component={Link} to="/campaigns/new" leftSection={<IconPlus size={16} />} data-testid="new-campaign">
      {t('campaigns.list.create')}
    </Button>
  );
  return (
    <>
      <PageHeader title={t('campaigns.list.title')} description={t('campaigns.list.description')} actions={actions || undefined} />
      {campaigns.isPending ? (
        <PageLoader />
      ) : campaigns.isError ? (
        <QueryError error={campaigns.error} onRetry={() => void campaigns.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyMessage icon={<IconSpeakerphone size={28} />} title={t('campaigns.list.emptyTitle')} text={t(write ? 'campaigns.list.emptyText' : 'campaigns.list.emptyReadOnly')} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="campaign-list">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('campaigns.list.name')}</Table.Th>
                  <Table.Th>{t('campaigns.list.status')}</Table.Th>
                  <Table.Th>{t('campaigns.list.channel')}</Table.Th>
                  <Table.Th ta="right">{t('campaigns.list.audience')}</Table.Th>
                  <Table.Th ta="right">{t('campaigns.list.sent')}</Table.Th>
                  <Table.Th ta="right">{t('campaigns.list.conversion')}</Table.Th>
                  <Table.Th>{t('campaigns.list.created')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((c) => (
                  <CampaignRow key={c.id} campaign={c} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {campaigns.hasNextPage && (
            <Group justify="center" p="sm">
              <Button variant="subtle" onClick={() => void campaigns.fetchNextPage()} loading={campaigns.isFetchingNextPage} data-testid="campaigns-more">
                {t('common.loadMore')}
              </Button>
            </Group>
          )}
        </Paper>
      )}
    </>
  );
}

function CampaignRow({ campaign: c }: { campaign: Campaign }) {
  const { t, i18n } = useTranslation();
  const timeZone = useSession().workspace?.timeZone;
  // A draft has no report; a started campaign's is one request, made for the rows on screen only.
  const report = useCampaignReport(c.id, { enabled: Boolean(c.startedAt), live: c.status === 'sending' });
  const figures = report.data ? keyFigures(report.data) : null;
  const dash = <Text span c="dimmed">—</Text>;
  return (
    <Table.Tr data-testid={`campaign-row-${c.id}`} data-status={c.status}>
      <Table.Td>
        <Anchor component={Link} to={`/campaigns/${c.id}`} fw={500}>
          {c.name}
        </Anchor>
        <Text size="xs" c="dimmed">
          {t('campaigns.list.variants', { count: c.variants.length })}
          {c.holdoutShare > 0 ? ` · ${t('campaigns.list.holdout', { share: c.holdoutShare })}` : ''}
        </Text>
      </Table.Td>
      <Table.Td>
        <CampaignStatusBadge status={c.status} testId="campaign-status" />
      </Table.Td>
      <Table.Td>{t(`messaging.kinds.${c.kind}`)}</Table.Td>
      <Table.Td ta="right" data-testid="campaign-audience">
        {c.audienceSize === null ? dash : formatCount(c.audienceSize, i18n.language)}
      </Table.Td>
      <Table.Td ta="right" data-testid="campaign-sent">
        {figures ? formatCount(figures.sent, i18n.language) : dash}
      </Table.Td>
      <Table.Td ta="right" data-testid="campaign-conversion">
        {figures && figures.conversionRate !== null ? formatPercent(figures.conversionRate, i18n.language) : dash}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDate(c.createdAt, i18n.language, timeZone)}</Text>
      </Table.Td>
    </Table.Tr>
  );
}
