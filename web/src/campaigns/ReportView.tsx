// A campaign's report: the key figures, the funnel of each group, conversions day by day, the
// figures per group, the uplift of each variant (the server's sentence, coloured by its verdict,
// and the interval), and last-touch attribution, labelled as what it is. Followed live while
// messages go out.
import { Card, SimpleGrid, Skeleton, Stack, Text } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { formatCount, formatPercent, moneyOrDash } from '../analytics/format.ts';
import { ChartView } from '../analytics/ChartView.tsx';
import { StatCard } from '../analytics/StatCard.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useCampaignReport, type Campaign, type CampaignReport } from './api.ts';
import { funnelRows, groupColors, groupLabel, keyFigures } from './format.ts';
import { AttributionCard } from './AttributionCard.tsx';
import { GroupsTable } from './GroupsTable.tsx';
import { UpliftCard } from './UpliftCard.tsx';

const ConversionsChart = lazy(() => import('./ConversionsChart.tsx').then((m) => ({ default: m.ConversionsChart })));

export function ReportView({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const started = Boolean(campaign.startedAt);
  const report = useCampaignReport(campaign.id, { enabled: started, live: campaign.status === 'sending' || campaign.status === 'paused' });
  if (!started) {
    return (
      <Text c="dimmed" size="sm" data-testid="report-not-started">
        {t(campaign.status === 'cancelled' ? 'campaigns.report.neverStarted' : 'campaigns.report.notStarted')}
      </Text>
    );
  }
  if (report.isPending) return <PageLoader />;
  if (report.isError) return <QueryError error={report.error} onRetry={() => void report.refetch()} />;
  return <Report report={report.data} winnerKey={campaign.winnerKey ?? null} />;
}

/** `winnerKey`: the variant picked for the rest of the audience (their group is `winner`), once picked. */
function Report({ report, winnerKey }: { report: CampaignReport; winnerKey: string | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const timeZone = useSession().workspace?.timeZone;
  const money = (v: number | null) => moneyOrDash(v, report.currency, lang);
  const figures = keyFigures(report);
  const targeted = report.groups.reduce((n, g) => n + g.targeted, 0);
  const colors = groupColors(report.groups.map((g) => g.key));
  const series = report.groups.map((g) => ({ name: g.key, label: groupLabel(t, g.key, winnerKey), color: colors[g.key]! }));

  return (
    <Stack gap="md" data-testid="campaign-report">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
        <StatCard label={t('campaigns.report.targeted')} value={formatCount(targeted, lang)} testId="report-targeted" />
        <StatCard label={t('campaigns.report.sent')} value={formatCount(figures.sent, lang)} testId="report-sent" />
        <StatCard label={t('campaigns.report.conversionRate')} value={formatPercent(figures.conversionRate, lang)} hint={t('campaigns.report.conversionHint')} testId="report-conversion" />
        <StatCard label={t('campaigns.report.cost')} value={money(report.cost)} testId="report-cost" />
        <StatCard label={t('campaigns.report.incrementalRevenue')} value={money(report.incrementalRevenue)} hint={report.incrementalRevenue === null ? t('campaigns.report.needsHoldout') : undefined} testId="report-incremental" />
        <StatCard label={t('campaigns.report.roi')} value={formatPercent(report.roi, lang)} hint={report.roi === null ? t('campaigns.report.roiMissing') : undefined} testId="report-roi" />
      </SimpleGrid>
      {report.windowFrom && report.windowTo && (
        <Text size="sm" c="dimmed" data-testid="report-window">
          {t('campaigns.report.window', { event: report.goal.event, from: formatDateTime(report.windowFrom, lang, timeZone), to: formatDateTime(report.windowTo, lang, timeZone) })}
        </Text>
      )}
      <Card withBorder padding="md">
        <Text fw={600} mb="xs">
          {t('campaigns.report.funnel')}
        </Text>
        <Text size="xs" c="dimmed" mb="sm">
          {t('campaigns.report.funnelHelp')}
        </Text>
        <ChartView
          data={funnelRows(report.groups, (stage) => t(`campaigns.report.${stage}`))}
          dataKey="stage"
          series={series}
          valueFormatter={(v) => formatCount(v, lang)}
          height={260}
          testId="funnel-chart"
        />
      </Card>
      {report.timeline !== undefined && (
        <Suspense fallback={<Skeleton h={300} />}>
          <ConversionsChart report={report} winnerKey={winnerKey} />
        </Suspense>
      )}
      <GroupsTable report={report} winnerKey={winnerKey} />
      <UpliftCard report={report} winnerKey={winnerKey} />
      <AttributionCard report={report} winnerKey={winnerKey} />
    </Stack>
  );
}
