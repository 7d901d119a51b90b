// Monthly acquisition cohorts: one row per month of first order, one column per month since,
// each cell the share of the cohort that ordered (or its revenue), coloured by intensity.
import { Box, Group, Paper, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCohorts, type CohortsReport } from './api.ts';
import { formatCount, formatPercent, moneyOrDash } from './format.ts';
import { cohortTable, heatStyle, monthOf, type CohortMode } from './heat.ts';
import { ComputedAt, NotComputed } from './NotComputed.tsx';
import { StatCard } from './StatCard.tsx';

type Kpis = NonNullable<CohortsReport['kpis']>;

function CohortTable({ kpis, computedAt, mode }: { kpis: Kpis; computedAt: string | null; mode: CohortMode }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const table = cohortTable(kpis.cohorts, mode, computedAt ? monthOf(computedAt, kpis.timeZone) : null);
  const show = (v: number) => (mode === 'retention' ? formatPercent(v, lang, 0) : moneyOrDash(v, kpis.currency, lang));
  return (
    <Box style={{ overflowX: 'auto' }}>
      <Table withColumnBorders verticalSpacing={6} horizontalSpacing={8} data-testid="cohort-table" data-mode={mode} miw={Math.max(480, 200 + table.months.length * 64)}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('analytics.cohorts.cohort')}</Table.Th>
            <Table.Th ta="right">{t('analytics.cohorts.size')}</Table.Th>
            {table.months.map((k) => (
              <Table.Th key={k} ta="center" miw={60}>
                {t('analytics.cohorts.month', { n: k })}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {table.rows.map((row) => (
            <Table.Tr key={row.cohort} data-testid="cohort-row" data-cohort={row.cohort}>
              <Table.Th style={{ whiteSpace: 'nowrap' }}>{row.cohort}</Table.Th>
              <Table.Td ta="right">{formatCount(row.size, lang)}</Table.Td>
              {row.cells.map((v, k) => {
                const style = heatStyle(v, table.max);
                return (
                  <Table.Td key={k} ta="center" style={{ background: style.background, color: style.color, whiteSpace: 'nowrap' }} data-testid="cohort-cell" data-value={v ?? ''}>
                    <Text size="xs" inherit>
                      {v === null ? '' : show(v)}
                    </Text>
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Box>
  );
}

export function CohortsPage() {
  const { t, i18n } = useTranslation();
  const [mode, setMode] = useState<CohortMode>('retention');
  const cohorts = useCohorts();
  if (cohorts.isPending) return <PageLoader />;
  if (cohorts.isError) return <QueryError error={cohorts.error} onRetry={() => void cohorts.refetch()} />;
  const { kpis, computedAt } = cohorts.data;
  if (!kpis) return <NotComputed />;
  const lang = i18n.language;
  return (
    <Stack gap="lg">
      <Group justify="flex-end">
        <ComputedAt at={computedAt} />
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="md">
        <StatCard testId="cohort-buyers" label={t('analytics.overview.buyers')} value={formatCount(kpis.customersWithOrders, lang)} />
        <StatCard testId="cohort-orders" label={t('analytics.cohorts.orders')} value={formatCount(kpis.orders, lang)} />
        <StatCard testId="cohort-revenue" label={t('analytics.overview.revenue')} value={moneyOrDash(kpis.revenue, kpis.currency, lang)} />
        <StatCard testId="cohort-aov" label={t('analytics.overview.aov')} value={moneyOrDash(kpis.averageOrderValue, kpis.currency, lang)} />
        <StatCard testId="cohort-repeat" label={t('analytics.overview.repeatRate')} value={formatPercent(kpis.repeatPurchaseRate, lang)} />
      </SimpleGrid>
      <Paper withBorder p="md">
        <Group justify="space-between" mb="xs" wrap="wrap">
          <Title order={4}>{t('analytics.cohorts.title')}</Title>
          <SegmentedControl
            size="xs"
            value={mode}
            onChange={(v) => setMode(v as CohortMode)}
            data={[
              { value: 'retention', label: t('analytics.cohorts.modes.retention') },
              { value: 'revenue', label: t('analytics.cohorts.modes.revenue') },
            ]}
            data-testid="cohort-mode"
          />
        </Group>
        <Text size="sm" c="dimmed" mb="md">
          {t(mode === 'retention' ? 'analytics.cohorts.helpRetention' : 'analytics.cohorts.helpRevenue', { timeZone: kpis.timeZone })}
        </Text>
        {kpis.cohorts.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('analytics.cohorts.empty')}
          </Text>
        ) : (
          <CohortTable kpis={kpis} computedAt={computedAt} mode={mode} />
        )}
      </Paper>
    </Stack>
  );
}
