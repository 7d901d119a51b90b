// Analytics at a glance: buyers, revenue, order value, repeat purchases, lifetime value, who is
// at risk or dormant, and when each part was last computed.
import { Anchor, Badge, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useOverview, type Overview } from './api.ts';
import { formatCount, formatPercent, formatRunDuration, moneyOrDash } from './format.ts';
import { NotComputed } from './NotComputed.tsx';
import { RUN_PARTS, type Run } from './refresh.ts';
import { StatCard } from './StatCard.tsx';

const STATUS_COLORS: Record<Run['status'], string> = { running: 'blue', succeeded: 'teal', failed: 'red' };

function Kpis({ o }: { o: Overview }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (v: number | null | undefined) => moneyOrDash(v, o.currency, lang);
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md" data-testid="analytics-kpis">
      <StatCard testId="kpi-buyers" label={t('analytics.overview.buyers')} value={formatCount(o.customers.buyers, lang)} hint={t('analytics.overview.scored', { formatted: formatCount(o.customers.scored, lang) })} />
      <StatCard testId="kpi-revenue" label={t('analytics.overview.revenue')} value={money(o.kpis?.revenue)} hint={o.kpis ? t('analytics.overview.orders', { formatted: formatCount(o.kpis.orders, lang) }) : undefined} />
      <StatCard testId="kpi-aov" label={t('analytics.overview.aov')} value={money(o.kpis?.averageOrderValue)} />
      <StatCard testId="kpi-repeat" label={t('analytics.overview.repeatRate')} value={formatPercent(o.kpis?.repeatPurchaseRate, lang)} />
      <StatCard testId="kpi-clv" label={t('analytics.overview.totalClv')} value={money(o.totalClv)} hint={t('analytics.overview.meanPAlive', { rate: formatPercent(o.meanPAlive, lang) })} />
      <StatCard
        testId="kpi-at-risk"
        label={t('analytics.overview.atRisk')}
        value={formatCount(o.customers.atRisk, lang)}
        hint={
          <Anchor component={Link} to="/analytics/at-risk" size="xs">
            {t('analytics.overview.showList')}
          </Anchor>
        }
      />
      <StatCard
        testId="kpi-dormant"
        label={t('analytics.overview.dormant')}
        value={formatCount(o.customers.dormant, lang)}
        hint={
          <Anchor component={Link} to="/analytics/dormant" size="xs">
            {t('analytics.overview.showList')}
          </Anchor>
        }
      />
    </SimpleGrid>
  );
}

function RunsTable({ o }: { o: Overview }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const lang = i18n.language;
  return (
    <Paper withBorder>
      <Title order={4} p="md" pb={0}>
        {t('analytics.overview.runsTitle')}
      </Title>
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="sm" data-testid="analytics-runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('analytics.overview.columns.part')}</Table.Th>
              <Table.Th>{t('analytics.overview.columns.status')}</Table.Th>
              <Table.Th>{t('analytics.overview.columns.finished')}</Table.Th>
              <Table.Th ta="right">{t('analytics.overview.columns.duration')}</Table.Th>
              <Table.Th ta="right">{t('analytics.overview.columns.customers')}</Table.Th>
              <Table.Th>{t('analytics.overview.columns.mode')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {RUN_PARTS.map((part) => {
              const run = o.runs[part];
              return (
                <Table.Tr key={part} data-testid="analytics-run" data-part={part} data-status={run?.status ?? 'never'}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {t(`analytics.parts.${part}`)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {run ? (
                      <Badge color={STATUS_COLORS[run.status]} variant="light" title={run.error ?? undefined}>
                        {t(`analytics.status.${run.status}`)}
                      </Badge>
                    ) : (
                      <Text size="sm" c="dimmed">
                        {t('analytics.status.never')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{run?.finishedAt ? formatDateTime(run.finishedAt, lang, tz) : run ? formatDateTime(run.startedAt, lang, tz) : ''}</Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm">{run ? formatRunDuration(run.durationMs, lang) : ''}</Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    {/* Basket rules are about orders, not customers: the run always says 0. */}
                    <Text size="sm">{run ? (part === 'basket' ? '—' : formatCount(run.customers, lang)) : ''}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {run ? t(`analytics.modes.${run.mode}`) : ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function RevenueByGrade({ o }: { o: Overview }) {
  const { t, i18n } = useTranslation();
  const rows = o.kpis?.revenueByGrade ?? [];
  if (!rows.length) return null;
  return (
    <Paper withBorder>
      <Title order={4} p="md" pb={0}>
        {t('analytics.overview.revenueByGrade')}
      </Title>
      <Table verticalSpacing="xs" data-testid="analytics-revenue-by-grade">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('analytics.grades.columns.grade')}</Table.Th>
            <Table.Th ta="right">{t('analytics.grades.columns.customers')}</Table.Th>
            <Table.Th ta="right">{t('analytics.grades.columns.revenue')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((g) => (
            <Table.Tr key={g.grade ?? ''}>
              <Table.Td>{g.grade ?? t('analytics.grades.none')}</Table.Td>
              <Table.Td ta="right">{formatCount(g.customers, i18n.language)}</Table.Td>
              <Table.Td ta="right">{moneyOrDash(g.revenue, o.currency, i18n.language)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

export function OverviewPage() {
  const overview = useOverview();
  if (overview.isPending) return <PageLoader />;
  if (overview.isError) return <QueryError error={overview.error} onRetry={() => void overview.refetch()} />;
  const o = overview.data;
  const computed = RUN_PARTS.some((p) => o.runs[p]);
  return (
    <Stack gap="lg">
      {computed ? <Kpis o={o} /> : <NotComputed />}
      <RunsTable o={o} />
      <RevenueByGrade o={o} />
    </Stack>
  );
}
