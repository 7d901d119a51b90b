// The workspace's campaigns, newest first: status, channel, audience, and how many were sent,
// opened and clicked (figures the list's own answer carries for the whole page; conversions are
// on each campaign's report).
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
import { useCampaigns, type CampaignListItem } from './api.ts';
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
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="campaign-list">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('campaigns.list.name')}</Table.Th>
                  <Table.Th>{t('campaigns.list.status')}</Table.Th>
                  <Table.Th>{t('campaigns.list.channel')}</Table.Th>
                  <Table.Th ta="right">{t('campaigns.list.audience')}</Table.Th>
                  <Table.Th ta="right">{t('campaigns.list.sent')}</Table.Th>
                  <Table.Th ta="right">{t('campaigns.list.opened')}</Table.Th>
                  <Table.Th ta="right">{t('campaigns.list.clicked')}</Table.Th>
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

function CampaignRow({ campaign: c }: { campaign: CampaignListItem }) {
  const { t, i18n } = useTranslation();
  const timeZone = useSession().workspace?.timeZone;
  const lang = i18n.language;
  // A draft has sent nothing: a dash, not a zero.
  const figures = c.startedAt ? c.figures : null;
  const dash = <Text span c="dimmed">—</Text>;
  const ofSent = (count: number) =>
    figures && figures.sent > 0 ? (
      <Text span size="sm" title={t('campaigns.list.rateOfSent', { count: formatCount(count, lang), sent: formatCount(figures.sent, lang) })}>
        {formatPercent(count / figures.sent, lang)}
      </Text>
    ) : (
      dash
    );
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
        {c.audienceSize === null ? dash : formatCount(c.audienceSize, lang)}
      </Table.Td>
      <Table.Td ta="right" data-testid="campaign-sent">
        {figures ? formatCount(figures.sent, lang) : dash}
      </Table.Td>
      <Table.Td ta="right" data-testid="campaign-opened" data-count={figures?.opened}>
        {figures ? ofSent(figures.opened) : dash}
      </Table.Td>
      <Table.Td ta="right" data-testid="campaign-clicked" data-count={figures?.clicked}>
        {figures ? ofSent(figures.clicked) : dash}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDate(c.createdAt, lang, timeZone)}</Text>
      </Table.Td>
    </Table.Tr>
  );
}
