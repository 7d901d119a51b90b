// Dormant customers (no event and no order for N days, by default the workspace setting) to win
// back, the most recently active first.
import { Badge, Group, NumberInput, Paper, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconZzz } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { ListCampaignButton } from '../campaigns/ListCampaignButton.tsx';
import { formatDate } from '../i18n/format.ts';
import { LIST_PAGE_SIZE, useDormant, useOverview } from './api.ts';
import { CustomerCell } from './CustomerCell.tsx';
import { formatCount, moneyOrDash } from './format.ts';
import { ListPager } from './ListPager.tsx';
import { NotComputed } from './NotComputed.tsx';

export function DormantPage() {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const [daysInput, setDaysInput] = useState<number | ''>('');
  const [offset, setOffset] = useState(0);
  const [days] = useDebouncedValue(typeof daysInput === 'number' && daysInput >= 1 && daysInput <= 3650 ? Math.round(daysInput) : undefined, 400);
  const list = useDormant(days, offset);
  const overview = useOverview();
  const lang = i18n.language;
  if (list.isPending) return <PageLoader />;
  if (list.isError) return <QueryError error={list.error} onRetry={() => void list.refetch()} />;
  const data = list.data;
  return (
    <>
      {overview.data && !overview.data.runs.scores && <NotComputed compact />}
      <Group justify="space-between" align="flex-end" mb="md" wrap="wrap">
        <Text size="sm" c="dimmed" maw={640}>
          {t('analytics.dormant.description', { days: data.days })}
        </Text>
        <Group align="flex-end" gap="sm">
          <NumberInput
            w={220}
            label={t('analytics.dormant.days')}
            placeholder={String(data.days)}
            min={1}
            max={3650}
            allowDecimal={false}
            value={daysInput}
            onChange={(v) => {
              setDaysInput(typeof v === 'number' ? v : '');
              setOffset(0);
            }}
            data-testid="dormant-days"
          />
          {/* The days the list is shown with, not the number still being typed. */}
          {data.total > 0 && <ListCampaignButton list={{ kind: 'dormant', days: data.days }} name={t('campaigns.fromList.dormant', { days: data.days })} />}
        </Group>
      </Group>
      {data.total === 0 ? (
        <EmptyMessage icon={<IconZzz size={28} />} title={t('analytics.dormant.empty', { days: data.days })} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="dormant-table" data-days={data.days}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('analytics.columns.customer')}</Table.Th>
                  <Table.Th>{t('analytics.columns.lastActive')}</Table.Th>
                  <Table.Th>{t('analytics.columns.grade')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.columns.clv')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.columns.orders')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.columns.spend')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.customers.map((c) => (
                  <Table.Tr key={c.customerId} data-testid="dormant-row">
                    <Table.Td>
                      <CustomerCell c={c} />
                    </Table.Td>
                    <Table.Td>{formatDate(c.lastActiveAt, lang, tz)}</Table.Td>
                    <Table.Td>{c.grade ? <Badge variant="outline">{c.grade}</Badge> : '—'}</Table.Td>
                    <Table.Td ta="right">{moneyOrDash(c.clv, data.currency, lang)}</Table.Td>
                    <Table.Td ta="right">{formatCount(c.orders, lang)}</Table.Td>
                    <Table.Td ta="right">{moneyOrDash(c.totalSpend, data.currency, lang)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <ListPager total={data.total} offset={offset} pageSize={LIST_PAGE_SIZE} onOffset={setOffset} testId="dormant-pager" />
        </Paper>
      )}
    </>
  );
}
