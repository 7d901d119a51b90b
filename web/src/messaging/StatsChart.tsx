// Messages sent, delivered, opened and clicked per day over the last two weeks, with the totals.
// Its own module: the chart library loads with the chart (see MessagesPage).
import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';
import { Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { formatNumber } from '../customers/format.ts';
import { useStats } from './api.ts';
import { statsByDay, statsChartRows, statsRange, statsTotals } from './format.ts';

const DAYS = 14;
const SERIES = [
  { name: 'sent', color: 'blue.6' },
  { name: 'delivered', color: 'teal.6' },
  { name: 'opened', color: 'green.6' },
  { name: 'clicked', color: 'grape.6' },
] as const;

export function StatsChart() {
  const { t, i18n } = useTranslation();
  // The range is fixed when the page opens, so the query key stays the same while it is shown.
  const timeZone = useSession().workspace?.timeZone;
  const range = useMemo(() => statsRange(new Date(), DAYS, timeZone), [timeZone]);
  const stats = useStats(range);
  const days = stats.data ? statsByDay(stats.data, range) : [];
  const rows = statsChartRows(days, i18n.language);
  const totals = statsTotals(days);

  return (
    <Paper withBorder p="md" mb="md" data-testid="message-stats">
      <Group justify="space-between" mb="sm">
        <Title order={4}>{t('messaging.stats.title', { days: DAYS })}</Title>
      </Group>
      {stats.isError ? (
        <QueryError error={stats.error} onRetry={() => void stats.refetch()} />
      ) : (
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }}>
            {(['sent', 'delivered', 'opened', 'clicked', 'bounced', 'suppressed'] as const).map((k) => (
              <Stack key={k} gap={0}>
                <Text size="xs" c="dimmed">
                  {t(`messaging.stats.${k}`)}
                </Text>
                <Text fw={600} data-testid={`stats-total-${k}`}>
                  {formatNumber(totals[k], i18n.language)}
                </Text>
              </Stack>
            ))}
          </SimpleGrid>
          <div data-testid="message-stats-chart" data-days={rows.length}>
            <LineChart
              h={200}
              data={rows}
              dataKey="label"
              series={SERIES.map((s) => ({ name: s.name, color: s.color, label: t(`messaging.stats.${s.name}`) }))}
              curveType="linear"
              tickLine="y"
              gridAxis="y"
              withLegend
              yAxisProps={{ allowDecimals: false }}
              valueFormatter={(v) => formatNumber(v, i18n.language)}
              lineProps={{ isAnimationActive: false }}
            />
          </div>
        </Stack>
      )}
    </Paper>
  );
}
