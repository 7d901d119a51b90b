// A bar chart of the analytics pages. Its own module: the chart library loads with the first
// chart shown, not with the app (see ChartView.tsx).
import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';

export type BarSeries = { name: string; label: string; color: string };

export function BarChartView({
  data,
  dataKey,
  series,
  valueFormatter,
  height = 240,
  integers = false,
  testId,
}: {
  data: Record<string, string | number>[];
  dataKey: string;
  series: BarSeries[];
  valueFormatter?: (value: number) => string;
  height?: number;
  /** Counts: the value axis has whole-number ticks only (not 0, 0.25, 0.5… drawn as 0, 0, 1). */
  integers?: boolean;
  testId: string;
}) {
  return (
    <div data-testid={testId} data-bars={data.length}>
      <BarChart
        h={height}
        data={data}
        dataKey={dataKey}
        series={series}
        tickLine="y"
        gridAxis="y"
        withLegend={series.length > 1}
        minBarSize={2}
        valueFormatter={valueFormatter}
        barProps={{ isAnimationActive: false }}
        yAxisProps={integers ? { allowDecimals: false } : undefined}
      />
    </div>
  );
}
