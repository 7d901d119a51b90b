// Customers at risk of churning, the most valuable first: grade, segment, value, P(alive) and how
// long since they last ordered, each linking to the profile.
import { Badge, Group, Paper, Table, Text } from '@mantine/core';
import { IconHeartHandshake } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { ListCampaignButton } from '../campaigns/ListCampaignButton.tsx';
import { formatDate } from '../i18n/format.ts';
import { LIST_PAGE_SIZE, useAtRisk, useOverview } from './api.ts';
import { CustomerCell } from './CustomerCell.tsx';
import { formatCount, formatPercent, moneyOrDash } from './format.ts';
import { ListPager } from './ListPager.tsx';
import { NotComputed } from './NotComputed.tsx';
import { SegmentBadge } from './RfmPage.tsx';

export function AtRiskPage() {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const [offset, setOffset] = useState(0);
  const list = useAtRisk(offset);
  const overview = useOverview();
  if (list.isPending) return <PageLoader />;
  if (list.isError) return <QueryError error={list.error} onRetry={() => void list.refetch()} />;
  const data = list.data;
  const lang = i18n.language;
  if (data.total === 0 && overview.data && !overview.data.runs.scores) return <NotComputed />;
  return (
    <>
      <Group justify="space-between" align="flex-start" mb="md" wrap="wrap">
        <Text size="sm" c="dimmed" maw={640}>
          {t('analytics.atRisk.description')}
        </Text>
        {data.total > 0 && <ListCampaignButton list={{ kind: 'at-risk' }} name={t('campaigns.fromList.atRisk')} />}
      </Group>
      {data.total === 0 ? (
        <EmptyMessage icon={<IconHeartHandshake size={28} />} title={t('analytics.atRisk.empty')} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="at-risk-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('analytics.columns.customer')}</Table.Th>
                  <Table.Th>{t('analytics.columns.grade')}</Table.Th>
                  <Table.Th>{t('analytics.columns.segment')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.columns.clv')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.columns.pAlive')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.columns.lastOrder')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.columns.orders')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.columns.spend')}</Table.Th>
                  <Table.Th>{t('analytics.columns.flagged')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.customers.map((c) => (
                  <Table.Tr key={c.customerId} data-testid="at-risk-row" data-customer={c.customerId}>
                    <Table.Td>
                      <CustomerCell c={c} />
                    </Table.Td>
                    <Table.Td>{c.grade ? <Badge variant="outline">{c.grade}</Badge> : '—'}</Table.Td>
                    <Table.Td>
                      <SegmentBadge segment={c.segment} />
                    </Table.Td>
                    <Table.Td ta="right" fw={600}>
                      {moneyOrDash(c.clv, data.currency, lang)}
                    </Table.Td>
                    <Table.Td ta="right" data-testid="at-risk-palive">
                      {formatPercent(c.pAlive, lang)}
                    </Table.Td>
                    <Table.Td ta="right">{c.daysSinceLastOrder === null ? '—' : t('analytics.daysAgo', { formatted: formatCount(c.daysSinceLastOrder, lang) })}</Table.Td>
                    <Table.Td ta="right">{formatCount(c.orders, lang)}</Table.Td>
                    <Table.Td ta="right">{moneyOrDash(c.totalSpend, data.currency, lang)}</Table.Td>
                    <Table.Td>
                      <Text size="sm" c="dimmed">
                        {c.flaggedAt ? formatDate(c.flaggedAt, lang, tz) : ''}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <ListPager total={data.total} offset={offset} pageSize={LIST_PAGE_SIZE} onOffset={setOffset} testId="at-risk-pager" />
        </Paper>
      )}
    </>
  );
}
