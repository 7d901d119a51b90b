// Lifetime value: the CLV and P(alive) distributions, the fitted BG/NBD and Gamma-Gamma models,
// and the holdout check of predicted against actual purchases.
import { Alert, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useClv, type ClvReport } from './api.ts';
import { ChartView } from './ChartView.tsx';
import { holdoutChartData } from './evaluation.ts';
import { formatCount, formatDecimal, formatParam, formatPercent, moneyOrDash, moneyRangeLabel, percentRangeLabel } from './format.ts';
import { ComputedAt, NotComputed } from './NotComputed.tsx';
import { StatCard } from './StatCard.tsx';

function Params({ title, values, testId }: { title: string; values: [string, number][]; testId: string }) {
  const { i18n } = useTranslation();
  return (
    <div data-testid={testId}>
      <Text fw={600} size="sm" mb={4}>
        {title}
      </Text>
      <Group gap="lg">
        {values.map(([name, v]) => (
          <div key={name}>
            <Text size="xs" c="dimmed">
              {name}
            </Text>
            <Text ff="monospace" size="sm">
              {formatParam(v, i18n.language)}
            </Text>
          </div>
        ))}
      </Group>
    </div>
  );
}

function Models({ report }: { report: ClvReport }) {
  const { t, i18n } = useTranslation();
  const m = report.models;
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="sm">
        {t('analytics.clv.modelsTitle')}
      </Title>
      <Stack gap="md">
        {m?.bgnbd ? (
          <Params
            testId="clv-bgnbd"
            title={t('analytics.clv.bgnbd')}
            values={[
              ['r', m.bgnbd.r],
              ['α', m.bgnbd.alpha],
              ['a', m.bgnbd.a],
              ['b', m.bgnbd.b],
              [t('analytics.clv.logLikelihood'), m.bgnbd.logLikelihood],
            ]}
          />
        ) : (
          <Text size="sm" c="dimmed" data-testid="clv-no-bgnbd">
            {t('analytics.clv.bgnbd')}: {t('analytics.clv.noModel')}
          </Text>
        )}
        {m?.gammaGamma ? (
          <Params testId="clv-gamma-gamma" title={t('analytics.clv.gammaGamma')} values={[['p', m.gammaGamma.p], ['q', m.gammaGamma.q], ['γ', m.gammaGamma.v]]} />
        ) : (
          <Text size="sm" c="dimmed">
            {t('analytics.clv.gammaGamma')}: {t('analytics.clv.noModel')}
          </Text>
        )}
        {m?.warnings?.map((w) => (
          <Alert key={w} color="yellow" variant="light" data-testid={`clv-warning-${w}`}>
            {t(`analytics.clv.warnings.${w}`)}
          </Alert>
        ))}
        {m && (
          <Text size="xs" c="dimmed">
            {t('analytics.clv.fitInfo', { customers: formatCount(m.customers, i18n.language), tuples: formatCount(m.distinctTuples, i18n.language), ms: formatCount(m.fitMs, i18n.language) })}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function Holdout({ report }: { report: ClvReport }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const h = report.holdout;
  if (!h) {
    return (
      <Paper withBorder p="md">
        <Title order={4} mb="sm">
          {t('analytics.clv.holdoutTitle')}
        </Title>
        <Text size="sm" c="dimmed" data-testid="clv-no-holdout">
          {t('analytics.clv.noHoldout', { days: report.predictionDays })}
        </Text>
      </Paper>
    );
  }
  const n = (v: number) => formatDecimal(v, lang, 2);
  return (
    <Paper withBorder p="md">
      <Title order={4}>{t('analytics.clv.holdoutTitle')}</Title>
      <Text size="sm" c="dimmed" mb="md">
        {t('analytics.clv.holdoutHelp', { days: h.holdoutDays })}
      </Text>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <ChartView
          testId="clv-holdout-chart"
          data={holdoutChartData(h.buckets)}
          dataKey="label"
          series={[
            { name: 'predicted', label: t('analytics.clv.predicted'), color: 'blue.6' },
            { name: 'actual', label: t('analytics.clv.actual'), color: 'orange.6' },
          ]}
          valueFormatter={n}
        />
        <Table verticalSpacing="xs" data-testid="clv-holdout">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('analytics.clv.holdoutColumns.frequency')}</Table.Th>
              <Table.Th ta="right">{t('analytics.clv.holdoutColumns.customers')}</Table.Th>
              <Table.Th ta="right">{t('analytics.clv.holdoutColumns.predicted')}</Table.Th>
              <Table.Th ta="right">{t('analytics.clv.holdoutColumns.actual')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {h.buckets.map((b) => (
              <Table.Tr key={b.label} data-testid="clv-holdout-row">
                <Table.Td>{b.label}</Table.Td>
                <Table.Td ta="right">{formatCount(b.customers, lang)}</Table.Td>
                <Table.Td ta="right">{n(b.meanPredicted)}</Table.Td>
                <Table.Td ta="right">{n(b.meanActual)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
          <Table.Tfoot>
            <Table.Tr fw={600}>
              <Table.Td>{t('analytics.clv.totals')}</Table.Td>
              <Table.Td ta="right">{formatCount(h.totals.customers, lang)}</Table.Td>
              <Table.Td ta="right">{n(h.totals.predicted)}</Table.Td>
              <Table.Td ta="right">{n(h.totals.actual)}</Table.Td>
            </Table.Tr>
          </Table.Tfoot>
        </Table>
      </SimpleGrid>
    </Paper>
  );
}

export function ClvPage() {
  const { t, i18n } = useTranslation();
  const clv = useClv();
  if (clv.isPending) return <PageLoader />;
  if (clv.isError) return <QueryError error={clv.error} onRetry={() => void clv.refetch()} />;
  const report = clv.data;
  if (!report.computedAt && report.customers === 0) return <NotComputed />;
  const lang = i18n.language;
  const count = (v: number) => formatCount(v, lang);
  const clvData = report.histogram.map((b) => ({ range: moneyRangeLabel(b.from, b.to, report.currency, lang), customers: b.customers }));
  const aliveData = report.pAliveHistogram.map((b) => ({ range: percentRangeLabel(b.from, b.to, lang), customers: b.customers }));
  const customersSeries = [{ name: 'customers', label: t('analytics.clv.customers'), color: 'teal.6' }];
  return (
    <Stack gap="lg">
      <Group justify="flex-end">
        <ComputedAt at={report.computedAt} />
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md">
        <StatCard testId="clv-customers" label={t('analytics.clv.customers')} value={count(report.customers)} />
        <StatCard testId="clv-total" label={t('analytics.clv.total')} value={moneyOrDash(report.total, report.currency, lang)} />
        <StatCard testId="clv-mean" label={t('analytics.clv.mean')} value={moneyOrDash(report.mean, report.currency, lang)} />
        <StatCard
          testId="clv-horizon"
          label={t('analytics.clv.horizon')}
          value={t('analytics.days', { formatted: count(report.horizonDays) })}
          hint={t('analytics.clv.discount', { rate: formatPercent(report.discountRate, lang) })}
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Paper withBorder p="md">
          <Title order={4}>{t('analytics.clv.histogramTitle')}</Title>
          <Text size="sm" c="dimmed" mb="md">
            {t('analytics.clv.histogramHelp', { days: report.horizonDays })}
          </Text>
          <ChartView testId="clv-histogram" data={clvData} dataKey="range" series={customersSeries} valueFormatter={count} />
        </Paper>
        <Paper withBorder p="md">
          <Title order={4}>{t('analytics.clv.pAliveTitle')}</Title>
          <Text size="sm" c="dimmed" mb="md">
            {t('analytics.clv.pAliveHelp')}
          </Text>
          <ChartView testId="clv-palive" data={aliveData} dataKey="range" series={[{ ...customersSeries[0]!, color: 'violet.6' }]} valueFormatter={count} />
        </Paper>
      </SimpleGrid>
      <Models report={report} />
      <Holdout report={report} />
    </Stack>
  );
}
