// What each variant changed: for every comparison the server's sentence in the UI's language,
// coloured by its verdict (better green, worse red, unclear grey), and the conversion uplift in
// percentage points as a point with its 95% interval against zero.
import { Badge, Card, Group, Stack, Text, useMantineTheme } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { CampaignReport } from './api.ts';
import { formatPoints, groupLabel, intervalChart, VERDICT_COLORS, type IntervalChart } from './format.ts';

export function UpliftCard({ report, winnerKey }: { report: CampaignReport; winnerKey: string | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language.startsWith('ko') ? 'ko' : 'en';
  if (report.comparisons.length === 0) {
    return (
      <Card withBorder padding="md" data-testid="uplift">
        <Text fw={600} mb="xs">
          {t('campaigns.uplift.title')}
        </Text>
        <Text size="sm" c="dimmed">
          {t('campaigns.uplift.none')}
        </Text>
      </Card>
    );
  }
  return (
    <Card withBorder padding="md" data-testid="uplift">
      <Text fw={600} mb="xs">
        {t('campaigns.uplift.title')}
      </Text>
      <Text size="xs" c="dimmed" mb="sm">
        {t('campaigns.uplift.help')}
      </Text>
      <Stack gap="sm">
        {report.comparisons.map((c) => (
          <Stack key={`${c.variant}-${c.against}`} gap={2} data-testid={`uplift-${c.variant}-${c.against}`} data-verdict={c.conversionWords.verdict}>
            <Group gap="xs">
              <Badge variant="light" color={VERDICT_COLORS[c.conversionWords.verdict]}>
                {t(`campaigns.uplift.verdicts.${c.conversionWords.verdict}`)}
              </Badge>
              <Text size="sm" fw={500}>
                {t('campaigns.uplift.comparison', { variant: groupLabel(t, c.variant, winnerKey), against: groupLabel(t, c.against, winnerKey) })}
              </Text>
            </Group>
            <Text size="sm" c={VERDICT_COLORS[c.conversionWords.verdict]} data-testid="uplift-conversion-words">
              {c.conversionWords[lang]}
            </Text>
            {c.revenueWords[lang] !== c.conversionWords[lang] && (
              <Text size="sm" c={VERDICT_COLORS[c.revenueWords.verdict]} data-testid="uplift-revenue-words">
                {c.revenueWords[lang]}
              </Text>
            )}
          </Stack>
        ))}
        <IntervalPlot chart={intervalChart(report.comparisons, PLOT_WIDTH)} winnerKey={winnerKey} />
      </Stack>
    </Card>
  );
}

const PLOT_WIDTH = 480;
const LABEL_WIDTH = 170;
const ROW = 30;

/** The conversion uplift of each comparison: a dot at the estimate, a bar over its 95% interval, a line at zero. */
function IntervalPlot({ chart, winnerKey }: { chart: IntervalChart; winnerKey: string | null }) {
  const { t, i18n } = useTranslation();
  const theme = useMantineTheme();
  if (chart.rows.length === 0) return null;
  const height = chart.rows.length * ROW + 28;
  const colour = (verdict: string) => theme.colors[VERDICT_COLORS[verdict as keyof typeof VERDICT_COLORS]]![6];
  const axis = t('campaigns.uplift.axis');
  return (
    <div data-testid="uplift-chart" style={{ overflowX: 'auto' }}>
      <svg width={LABEL_WIDTH + PLOT_WIDTH + 16} height={height} role="img" aria-label={axis} style={{ fontFamily: 'inherit', fontSize: 12 }}>
        <g transform={`translate(${LABEL_WIDTH}, 4)`}>
          <line x1={chart.zeroX} x2={chart.zeroX} y1={0} y2={chart.rows.length * ROW} stroke="currentColor" strokeOpacity={0.5} strokeDasharray="3 3" />
          {chart.rows.map((r, i) => {
            const y = i * ROW + ROW / 2;
            return (
              <g key={`${r.variant}-${r.against}`} data-testid={`interval-${r.variant}-${r.against}`} data-low={r.low} data-high={r.high} data-diff={r.diff}>
                <text x={-8} y={y + 4} textAnchor="end" fill="currentColor">
                  {t('campaigns.uplift.vs', { variant: groupLabel(t, r.variant, winnerKey), against: groupLabel(t, r.against, winnerKey) })}
                </text>
                <line x1={r.x0} x2={r.x1} y1={y} y2={y} stroke={colour(r.verdict)} strokeWidth={4} strokeLinecap="round" strokeOpacity={0.5} />
                <circle cx={r.x} cy={y} r={5} fill={colour(r.verdict)} />
                <title>{t('campaigns.uplift.pointTitle', { diff: formatPoints(r.diff, i18n.language), low: formatPoints(r.low, i18n.language), high: formatPoints(r.high, i18n.language) })}</title>
              </g>
            );
          })}
          {chart.zeroX > 70 && (
            <text x={0} y={chart.rows.length * ROW + 16} fill="currentColor" opacity={0.7}>
              {t('campaigns.uplift.axisValue', { value: formatPoints(chart.min, i18n.language) })}
            </text>
          )}
          <text x={chart.zeroX} y={chart.rows.length * ROW + 16} textAnchor="middle" fill="currentColor" opacity={0.7}>
            0
          </text>
          {PLOT_WIDTH - chart.zeroX > 80 && (
            <text x={PLOT_WIDTH} y={chart.rows.length * ROW + 16} textAnchor="end" fill="currentColor" opacity={0.7}>
              {t('campaigns.uplift.axisValue', { value: formatPoints(chart.max, i18n.language) })}
            </text>
          )}
        </g>
      </svg>
    </div>
  );
}
