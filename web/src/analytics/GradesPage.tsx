// Grades: customers, revenue and lifetime value per grade (highest first), and who moved between
// grades over the last days.
import { Badge, Group, Paper, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconArrowDownRight, IconArrowUpRight, IconSparkles } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useGrades, useOverview, type GradesReport } from './api.ts';
import { ChartView } from './ChartView.tsx';
import { formatCount, moneyOrDash } from './format.ts';
import { NotComputed } from './NotComputed.tsx';

const DAY_OPTIONS = [7, 30, 90, 365] as const;
const DIRECTION = {
  up: { color: 'teal', Icon: IconArrowUpRight },
  down: { color: 'red', Icon: IconArrowDownRight },
  new: { color: 'blue', Icon: IconSparkles },
} as const;

function Distribution({ report }: { report: GradesReport }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const data = report.distribution.map((d) => ({ grade: d.grade, customers: d.customers }));
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
      <Paper withBorder p="md">
        <Title order={4} mb="md">
          {t('analytics.grades.distributionTitle')}
        </Title>
        <ChartView
          testId="grades-chart"
          data={data}
          dataKey="grade"
          series={[{ name: 'customers', label: t('analytics.grades.columns.customers'), color: 'indigo.6' }]}
          valueFormatter={(v) => formatCount(v, lang)}
        />
      </Paper>
      <Paper withBorder>
        <Table verticalSpacing="sm" data-testid="grades-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('analytics.grades.columns.grade')}</Table.Th>
              <Table.Th ta="right">{t('analytics.grades.columns.customers')}</Table.Th>
              <Table.Th ta="right">{t('analytics.grades.columns.revenue')}</Table.Th>
              <Table.Th ta="right">{t('analytics.grades.columns.clv')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.distribution.map((d) => (
              <Table.Tr key={d.grade} data-testid="grade-row" data-grade={d.grade} data-customers={d.customers}>
                <Table.Td fw={600}>{d.grade}</Table.Td>
                <Table.Td ta="right">{formatCount(d.customers, lang)}</Table.Td>
                <Table.Td ta="right">{moneyOrDash(d.revenue, report.currency, lang)}</Table.Td>
                <Table.Td ta="right">{moneyOrDash(d.clv, report.currency, lang)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </SimpleGrid>
  );
}

function Movements({ report, days, setDays }: { report: GradesReport; days: number; setDays: (d: number) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <Paper withBorder>
      <Group justify="space-between" p="md" pb={0} wrap="wrap">
        <Title order={4}>{t('analytics.grades.movementsTitle')}</Title>
        <SegmentedControl
          size="xs"
          value={String(days)}
          onChange={(v) => setDays(Number(v))}
          data={DAY_OPTIONS.map((d) => ({ value: String(d), label: t('analytics.lastDays', { count: d }) }))}
          data-testid="grades-days"
        />
      </Group>
      {report.movements.length === 0 ? (
        <Text size="sm" c="dimmed" p="md" data-testid="grades-no-movements">
          {t('analytics.grades.noMovements')}
        </Text>
      ) : (
        <Table verticalSpacing="sm" data-testid="grades-movements">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('analytics.grades.movementColumns.from')}</Table.Th>
              <Table.Th>{t('analytics.grades.movementColumns.to')}</Table.Th>
              <Table.Th>{t('analytics.grades.movementColumns.direction')}</Table.Th>
              <Table.Th ta="right">{t('analytics.grades.movementColumns.customers')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.movements.map((m) => {
              const { color, Icon } = DIRECTION[m.direction] ?? DIRECTION.new;
              return (
                <Table.Tr key={`${m.from}→${m.to}`} data-testid="grade-movement">
                  <Table.Td>{m.from ?? t('analytics.grades.none')}</Table.Td>
                  <Table.Td>{m.to ?? t('analytics.grades.none')}</Table.Td>
                  <Table.Td>
                    <Badge color={color} variant="light" leftSection={<Icon size={12} />}>
                      {t(`analytics.grades.directions.${m.direction}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">{formatCount(m.customers, i18n.language)}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

export function GradesPage() {
  const [days, setDays] = useState(30);
  const grades = useGrades(days);
  const overview = useOverview();
  if (grades.isPending) return <PageLoader />;
  if (grades.isError) return <QueryError error={grades.error} onRetry={() => void grades.refetch()} />;
  const report = grades.data;
  const graded = report.distribution.some((d) => d.customers > 0);
  if (!graded && overview.data && !overview.data.runs.scores) return <NotComputed />;
  return (
    <Stack gap="lg">
      <Distribution report={report} />
      <Movements report={report} days={days} setDays={setDays} />
    </Stack>
  );
}
