// Conversions over time: per group, the share of its targeted customers who had converted by the
// end of each day, the holdout dashed and grey, with the figures in words on hover. Its own module:
// the chart library loads with the chart (see ReportView).
import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';
import { Card, Paper, Stack, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { formatCount, formatPercent, moneyOrDash } from '../analytics/format.ts';
import type { CampaignReport } from './api.ts';
import { conversionsChartData, type TimelineDay } from './conversions-timeline.ts';
import { groupColors, groupLabel, groupTemplateName, HOLDOUT } from './format.ts';

export function ConversionsChart({ report, winnerKey }: { report: CampaignReport; winnerKey: string | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  // A server without the timeline: nothing to say.
  if (report.timeline === undefined) return null;
  const data = conversionsChartData(report.timeline, report.groups, lang);
  const name = (key: string) => {
    const label = groupLabel(t, key, winnerKey);
    const own = groupTemplateName(report.groups, key, winnerKey);
    return own ? `${label} (${own})` : label;
  };
  const colors = groupColors(report.groups.map((g) => g.key));
  const words = (day: TimelineDay) => day.groups.map((g) => pointWords(t, lang, report.currency, name(g.key), day.label, g));
  const last = data?.days[data.days.length - 1];

  return (
    <Card withBorder padding="md" data-testid="conversions">
      <Text fw={600} mb="xs">
        {t('campaigns.conversions.title')}
      </Text>
      {!data || !last ? (
        <Text size="sm" c="dimmed" data-testid="conversions-none">
          {t('campaigns.conversions.none')}
        </Text>
      ) : (
        <>
          {data.anyConverted ? (
            <Text size="xs" c="dimmed" mb="sm">
              {t('campaigns.conversions.help')}
            </Text>
          ) : (
            <Text size="sm" c="dimmed" mb="sm" data-testid="conversions-none">
              {t('campaigns.conversions.none')}
            </Text>
          )}
          <div
            data-testid="conversions-chart"
            data-days={data.days.length}
            data-groups={data.keys.join(',')}
            role="img"
            aria-label={t('campaigns.conversions.summary', {
              day: last.label,
              groups: last.groups.map((g) => t('campaigns.conversions.summaryGroup', { group: name(g.key), rate: formatPercent(g.rate, lang) })).join(', '),
            })}
          >
            <LineChart
              h={240}
              data={data.rows}
              dataKey="label"
              series={data.keys.map((key) => ({ name: key, label: name(key), color: colors[key] ?? 'blue.6', ...(key === HOLDOUT ? { strokeDasharray: '6 4' } : {}) }))}
              curveType="linear"
              tickLine="y"
              gridAxis="y"
              withLegend
              withDots={data.days.length <= 14}
              yAxisProps={{ domain: [0, data.yMax], allowDecimals: true }}
              valueFormatter={(v) => formatPercent(v, lang)}
              lineProps={{ isAnimationActive: false }}
              tooltipProps={{
                content: ({ payload }: { payload?: readonly { payload?: { day?: unknown } }[] }) => {
                  const day = data.days.find((d) => d.day === payload?.[0]?.payload?.day);
                  return day ? <DayTooltip label={day.label} lines={words(day)} /> : null;
                },
              }}
            />
          </div>
        </>
      )}
    </Card>
  );
}

function pointWords(t: TFunction, lang: string, currency: string, group: string, day: string, g: TimelineDay['groups'][number]): string {
  return t('campaigns.conversions.pointTitle', {
    group,
    day,
    converted: formatCount(g.converted, lang),
    targeted: formatCount(g.targeted, lang),
    rate: formatPercent(g.rate, lang),
    revenue: moneyOrDash(g.revenue, currency, lang),
  });
}

function DayTooltip({ label, lines }: { label: string; lines: string[] }) {
  return (
    <Paper withBorder shadow="md" p="xs" data-testid="conversions-tooltip">
      <Stack gap={2}>
        <Text size="sm" fw={600}>
          {label}
        </Text>
        {lines.map((line) => (
          <Text key={line} size="xs">
            {line}
          </Text>
        ))}
      </Stack>
    </Paper>
  );
}
